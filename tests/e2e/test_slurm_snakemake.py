"""Snakemake on Slurm through Allot: examples/snakemake's 25-job workflow (simulate ->
reconstruct -> merge) runs with Snakemake 9's executor plugin and with Snakemake 7's --cluster
(`allot cluster-status` as --cluster-status) on a server whose workers come from automatic
allocations (`allot alloc`) of scripts/local-slurm.sh's cluster. Each run must leave exactly the
outputs and tasks tests/snakemake checks. Skipped without the Snakemake venvs
(scripts/snakemake-venv.sh) or the local Slurm (as test_slurm_alloc.py).
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import bin_dir
from test_slurm_alloc import alloc_server, kinds  # noqa: F401 (a fixture)
from test_slurm_cluster import local_slurm  # noqa: F401 (the fixture)


def _snakemake_helpers():
    """tests/snakemake's example checks (one definition of what a correct run is)."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "snakemake"))
    import test_snakemake  # noqa: E402
    return test_snakemake


@pytest.mark.parametrize("how", ["plugin", "cluster"])
def test_a_snakemake_workflow_runs_in_slurm_allocations(local_slurm, alloc_server, tmp_path,
                                                       how):
    """examples/snakemake (25 jobs: simulate -> reconstruct -> merge) through Allot on Slurm:
    Snakemake 9's executor plugin, or Snakemake 7's --cluster with `allot cluster-status`; the
    server's workers come from automatic allocations."""
    smk = _snakemake_helpers()
    venv_var, default = (("ALLOT_SNAKEMAKE_VENV", "snakemake-venv") if how == "plugin"
                         else ("ALLOT_SNAKEMAKE7_VENV", "snakemake7-venv"))
    venv = smk._venv(venv_var, default)  # skips without it
    server = alloc_server
    server.cli("alloc", "add", "slurm", "--name", "smk", "--time-limit", "10m",
               "--max-workers", "3", "--idle-timeout", "10s")
    work = tmp_path / "wf"
    shutil.copytree(smk.EXAMPLE, work,
                    ignore=shutil.ignore_patterns(".snakemake", "sim", "reco", "results"))
    env = dict(server.env, ALLOT_BIN_DIR=str(bin_dir()), PYTHONPATH=str(smk.PYTHON_DIR))
    if how == "plugin":
        argv = [venv / "bin" / "snakemake", "--executor", "allot", "--allot-server-dir",
                server.dir, "-j", "8", "--seconds-between-status-checks", "1"]
    else:
        argv = [venv / "bin" / "snakemake", "-j", "8",
                "--cluster", f"{smk.CLUSTER} submit",
                "--cluster-status", f"{bin_dir()}/allot cluster-status",
                "--cluster-cancel", smk.CLUSTER_CANCEL,
                "--max-status-checks-per-second", "20", "--latency-wait", "10"]
    r = subprocess.run([str(a) for a in argv], cwd=work, env=env, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, timeout=600)
    assert r.returncode == 0, r.stdout[-4000:]
    smk._check_outputs_and_tasks(work, smk.allot.Client(server.dir))
    submitted = kinds(server.events(), "submitted")
    assert submitted, "the workflow's jobs got allocations"
    ran_in = {w.get("slurm_job") for w in server.json("workers")["workers"]}
    assert {e["job"] for e in submitted} <= ran_in
