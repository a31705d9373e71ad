"""Snakemake on Allot (issue 15, point 4): examples/snakemake (12 seeds: simulate -> reconstruct
-> merge, 25 jobs) run through an Allot server

- with Snakemake 9 and the executor plugin (``snakemake --executor allot``), against an
  ``allot.LocalServer`` started here, and with the plugin's own private server
  (``--allot-local-server``);
- with Snakemake 7's ``--cluster``/``--cluster-status``/``--cluster-cancel`` and
  ``python3 -m allot.snakemake``.

Every job must have run as an Allot task: the server lists one succeeded task per job, tagged
with its rule, and each output file names the task (``$ALLOT_TASK_ID``) that wrote it.

The Snakemake venvs come from scripts/snakemake-venv.sh: ``$ALLOT_SNAKEMAKE_VENV`` (default
build/snakemake-venv, Snakemake 9) and ``$ALLOT_SNAKEMAKE7_VENV`` (default
build/snakemake7-venv); a test whose venv is missing is SKIPPED. The allot binary:
$ALLOT_BIN_DIR, else PATH, else build/bin. Run: python3 -m pytest -q -rs tests/snakemake
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PYTHON_DIR = ROOT / "python"
sys.path.insert(0, str(PYTHON_DIR))

import allot  # noqa: E402
from allot import snakemake as allot_snakemake  # noqa: E402

EXAMPLE = ROOT / "examples" / "snakemake"
SEEDS = 12
JOBS = {"simulate": SEEDS, "reconstruct": SEEDS, "merge": 1}   # `all` is a local rule
RUN_TIMEOUT = 600


def _venv(env_name, default):
    path = Path(os.environ.get(env_name) or ROOT / "build" / default)
    if not (path / "bin" / "snakemake").exists():
        pytest.skip(f"no Snakemake venv at {path} (scripts/snakemake-venv.sh "
                    f"{'7' if '7' in default else '9'} {path})")
    return path


@pytest.fixture
def snakemake9():
    return _venv("ALLOT_SNAKEMAKE_VENV", "snakemake-venv")


@pytest.fixture
def snakemake7():
    return _venv("ALLOT_SNAKEMAKE7_VENV", "snakemake7-venv")


@pytest.fixture(scope="session")
def allot_bin_dir():
    try:
        return os.path.dirname(allot.find_binary())
    except allot.BinaryNotFoundError as e:
        pytest.fail(f"{e} (build it: cmake --build build --target allot)", pytrace=False)


@pytest.fixture
def workflow(tmp_path, allot_bin_dir, monkeypatch):
    """A copy of the example, the current directory, with the environment the jobs need."""
    work = tmp_path / "wf"
    shutil.copytree(EXAMPLE, work, ignore=shutil.ignore_patterns(".snakemake", "sim", "reco",
                                                                 "results"))
    monkeypatch.chdir(work)
    monkeypatch.setenv("ALLOT_BIN_DIR", allot_bin_dir)
    monkeypatch.setenv("PYTHONPATH", str(PYTHON_DIR))
    return work


def _run(argv, cwd, env=None):
    result = subprocess.run(argv, cwd=cwd, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, timeout=RUN_TIMEOUT)
    return result.returncode, result.stdout


def _check_outputs_and_tasks(work: Path, client: allot.Client, prefix: str = "smk-"):
    """Every output exists and was written by a succeeded Allot task of its rule; the server
    holds exactly one task per job."""
    tasks = [t for t in client.status() if t.id.startswith(prefix)]
    by_id = {t.id: t for t in tasks}
    assert len(tasks) == sum(JOBS.values()), sorted(by_id)
    assert {t.state for t in tasks} == {"succeeded"}, [(t.id, t.state) for t in tasks]
    details = {t.id: client.task(t.id) for t in tasks}
    assert Counter(d.tags.get("snakemake_rule") for d in details.values()) == JOBS

    writers = []
    for seed in range(SEEDS):
        sim = json.loads((work / "sim" / f"seed{seed}.json").read_text())
        reco = json.loads((work / "reco" / f"seed{seed}.json").read_text())
        assert sim["seed"] == reco["seed"] == seed
        writers += [("simulate", sim["task"]), ("reconstruct", reco["task"])]
        assert reco["cores"] == 2     # threads: 2 -> cores 2, pinned by the worker
    summary = json.loads((work / "results" / "summary.json").read_text())
    assert summary["seeds"] == SEEDS
    writers.append(("merge", summary["task"]))
    for rule, task_id in writers:
        assert task_id in by_id, f"{rule} output written outside an Allot task ({task_id!r})"
        assert details[task_id].tags["snakemake_rule"] == rule
    assert len({w for _, w in writers}) == len(writers) == len(tasks)
    for d in details.values():      # resources: cores <- threads, memory <- mem_mb
        rule = d.tags["snakemake_rule"]
        assert d.cores == (2 if rule == "reconstruct" else 1), (d.id, d.cores)
        assert d.extra.get("memory") == (100 if rule == "merge" else 200) * 2**20, d.id


def test_plugin_runs_the_example_on_a_server(snakemake9, workflow, tmp_path):
    with allot.LocalServer(tmp_path / "server") as client:
        rc, out = _run([str(snakemake9 / "bin" / "snakemake"), "--executor", "allot",
                        "--allot-server-dir", str(client.server_dir), "-j", "8",
                        "--seconds-between-status-checks", "1"], workflow)
        assert rc == 0, out[-4000:]
        assert "submitted as Allot task smk-" in out
        _check_outputs_and_tasks(workflow, client)


def test_plugin_private_local_server(snakemake9, workflow):
    rc, out = _run([str(snakemake9 / "bin" / "snakemake"), "--executor", "allot",
                    "--allot-local-server", "-j", "4", "--seconds-between-status-checks", "1",
                    "--config", "seeds=2"], workflow)
    assert rc == 0, out[-4000:]
    assert (workflow / "results" / "summary.json").exists()
    # The private server stopped with Snakemake; started again on its directory it still
    # has the run's tasks: 2 simulate + 2 reconstruct + 1 merge.
    with allot.LocalServer(workflow / ".snakemake" / "allot-server") as client:
        tasks = client.status()
        assert len(tasks) == 5 and {t.state for t in tasks} == {"succeeded"}, tasks


def test_plugin_reports_a_failed_task(snakemake9, workflow, tmp_path):
    (workflow / "Snakefile").write_text(
        'rule all:\n    input: "b.txt"\n'
        'rule a:\n    output: "a.txt"\n    shell: "echo it broke >&2; exit 3"\n'
        'rule b:\n    input: "a.txt"\n    output: "b.txt"\n    shell: "cp {input} {output}"\n')
    with allot.LocalServer(tmp_path / "server") as client:
        rc, out = _run([str(snakemake9 / "bin" / "snakemake"), "--executor", "allot",
                        "--allot-server-dir", str(client.server_dir), "-j", "2",
                        "--seconds-between-status-checks", "1"], workflow)
        assert rc != 0
        tasks = client.status()
        assert [t.state for t in tasks] == ["failed"], tasks   # b was never submitted
        task_id = tasks[0].id
        assert f"Allot task {task_id} failed (exit code 1)" in out, out[-4000:]
        stderr = client.server_dir / "output" / task_id / "stderr"
        assert str(stderr) in out
        assert "it broke" in stderr.read_text()
        assert not (workflow / "b.txt").exists()


# Snakemake 7 runs --cluster and --cluster-status through a shell, --cluster-cancel as one
# program (no shell) followed by the ids: the checkout's wrapper scripts.
CLUSTER = ROOT / "scripts" / "allot-snakemake"
CLUSTER_CANCEL = ROOT / "scripts" / "allot-snakemake-cancel"


def test_cluster_mode_snakemake7(snakemake7, workflow, tmp_path):
    # --cluster-status is the allot binary's own `allot cluster-status` (no Python start-up per
    # check); submit and cancel are the Python programs.
    allot_bin = os.environ.get("ALLOT_BIN_DIR", str(ROOT / "build" / "bin"))
    with allot.LocalServer(tmp_path / "server") as client:
        env = dict(os.environ, ALLOT_SERVER_DIR=str(client.server_dir))
        rc, out = _run([str(snakemake7 / "bin" / "snakemake"), "-j", "8",
                        "--cluster", f"{CLUSTER} submit",
                        "--cluster-status", f"{allot_bin}/allot cluster-status",
                        "--cluster-cancel", str(CLUSTER_CANCEL),
                        "--max-status-checks-per-second", "20", "--latency-wait", "10"],
                       workflow, env)
        assert rc == 0, out[-4000:]
        assert "with external jobid 'smk-" in out
        _check_outputs_and_tasks(workflow, client)


SLOW_SNAKEFILE = (
    'rule all:\n    input: expand("s{i}.txt", i=range(2))\n'
    'rule slow:\n    output: "s{i}.txt"\n    shell: "sleep 300; touch {output}"\n')


def _interrupt_when_running(argv, cwd, env, client, n):
    """Starts Snakemake, waits until n tasks run, sends it SIGINT (Ctrl-C); its exit code."""
    with open(cwd / "snakemake.log", "w") as log:
        proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while len(client.status(states="running")) < n:
            assert proc.poll() is None, (cwd / "snakemake.log").read_text()[-4000:]
            assert time.monotonic() < deadline, "the tasks did not start"
            time.sleep(0.2)
        proc.send_signal(signal.SIGINT)
        return proc.wait(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_interrupt_cancels_the_tasks(snakemake9, workflow, tmp_path):
    """Ctrl-C on Snakemake: the plugin's cancel_jobs cancels the running tasks."""
    (workflow / "Snakefile").write_text(SLOW_SNAKEFILE)
    with allot.LocalServer(tmp_path / "server", cores=2) as client:
        rc = _interrupt_when_running(
            [str(snakemake9 / "bin" / "snakemake"), "--executor", "allot", "--allot-server-dir",
             str(client.server_dir), "-j", "2", "--seconds-between-status-checks", "1"],
            workflow, None, client, 2)
        assert rc != 0
        client.wait(timeout=60)
        assert [t.state for t in client.status()] == ["canceled", "canceled"]


def test_interrupt_cancels_the_tasks_snakemake7(snakemake7, workflow, tmp_path):
    """Ctrl-C on Snakemake 7: --cluster-cancel cancels the running tasks."""
    (workflow / "Snakefile").write_text(SLOW_SNAKEFILE)
    with allot.LocalServer(tmp_path / "server", cores=2) as client:
        env = dict(os.environ, ALLOT_SERVER_DIR=str(client.server_dir))
        rc = _interrupt_when_running(
            [str(snakemake7 / "bin" / "snakemake"), "-j", "2", "--cluster", f"{CLUSTER} submit",
             "--cluster-status", f"{CLUSTER} status", "--cluster-cancel", str(CLUSTER_CANCEL)],
            workflow, env, client, 2)
        assert rc != 0
        client.wait(timeout=60)
        assert [t.state for t in client.status()] == ["canceled", "canceled"]


def _cli(*args, server):
    return subprocess.run([sys.executable, "-m", "allot.snakemake", "--server-dir", str(server),
                           *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          timeout=60)


def test_cluster_cli_submit_status_cancel(tmp_path, allot_bin_dir, monkeypatch):
    """Without Snakemake: submit reads the jobscript's properties; status prints exactly
    running/success/failed; cancel stops a running task."""
    monkeypatch.setenv("ALLOT_BIN_DIR", allot_bin_dir)
    monkeypatch.setenv("PYTHONPATH", str(PYTHON_DIR))
    monkeypatch.chdir(tmp_path)
    props = {"type": "single", "rule": "sim", "jobid": 7, "threads": 1,
             "resources": {"mem_mb": 64, "runtime": 2}}

    def jobscript(name, body):
        path = tmp_path / name
        path.write_text(f"#!/bin/sh\n# properties = {json.dumps(props)}\n{body}\n")
        return str(path)

    with allot.LocalServer(tmp_path / "server", cores=1) as client:
        server = client.server_dir
        ok = _cli("submit", jobscript("ok.sh", "pwd > here.txt"), server=server)
        assert ok.returncode == 0, ok.stderr
        ok_id = ok.stdout.strip()
        assert ok_id.startswith("smk-sim-7-") and "\n" not in ok_id
        bad_id = _cli("submit", jobscript("bad.sh", "exit 4"), server=server).stdout.strip()
        slow_id = _cli("submit", jobscript("slow.sh", "sleep 300"), server=server).stdout.strip()
        client.wait([ok_id, bad_id])
        assert _cli("status", ok_id, server=server).stdout == "success\n"
        assert _cli("status", bad_id, server=server).stdout == "failed\n"
        assert (tmp_path / "here.txt").read_text().strip() == str(tmp_path)
        detail = client.task(ok_id)
        assert detail.extra["memory"] == 64 * 2**20 and detail.tags["snakemake_rule"] == "sim"
        assert _cli("status", slow_id, server=server).stdout == "running\n"
        cancel = _cli("cancel", slow_id, ok_id, server=server)   # ok_id ended: left alone
        assert cancel.returncode == 0, cancel.stderr
        client.wait([slow_id])
        assert _cli("status", slow_id, server=server).stdout == "failed\n"
        assert _cli("status", "no-such-task", server=server).stdout == "failed\n"


def test_properties_map_to_task_fields():
    fields = allot_snakemake.fields_from_properties(
        {"threads": 4, "resources": {"mem_mb": 1500, "runtime": 30, "gpu": 1}})
    assert fields == {"cores": 4, "memory": "1500M", "time_limit": "30min", "gpus": 1}
    assert allot_snakemake.fields_from_properties(
        {"threads": 4, "resources": {"cpus_per_task": 8}}) == {"cores": 8}
    assert allot_snakemake.fields_from_properties({}) == {"cores": 1}


def test_plugin_maps_resources(snakemake9):
    """The plugin's mapping (in the Snakemake 9 venv, where its interface packages are):
    cpus_per_task before threads, mem_mb, runtime in minutes, gpu or gpus."""
    code = """
import types, json
from snakemake_executor_plugin_allot import task_fields, common_settings
job = lambda threads, **r: types.SimpleNamespace(threads=threads, resources=r)
print(json.dumps([task_fields(job(4, mem_mb=1500, runtime=30, gpu=1)),
                  task_fields(job(4, cpus_per_task=8, gpus=2)),
                  task_fields(job(1, mem_mb="<TBD>", runtime=0)),
                  common_settings.non_local_exec]))
"""
    out = subprocess.run([str(snakemake9 / "bin" / "python"), "-c", code], check=True,
                         env=dict(os.environ, PYTHONPATH=str(PYTHON_DIR)),
                         stdout=subprocess.PIPE, text=True, timeout=60).stdout
    assert json.loads(out) == [
        {"cores": 4, "memory": "1500M", "time_limit": "30min", "gpus": 1},
        {"cores": 8, "gpus": 2}, {"cores": 1}, True]
