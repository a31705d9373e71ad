"""Per-task Slurm jobs (`executor: slurm`) on a real Slurm: the acceptance test of issue 15's
"a task run as its own Slurm job reports sacct usage".

scripts/local-slurm.sh runs slurmctld, three slurmd and the accounting (slurmdbd over a MariaDB
of its own) on this machine. `allot server start` runs here with one `allot worker start
--executor slurm`; each task with `executor: slurm` then goes to Slurm as a job of its own
(sbatch), and its attempt record carries the job id and what sacct says it used. Also: a
failing job ends failed with its exit code, `allot cancel` ends the job through scancel, and a
dependency between a task run by a pilot (a worker inside a Slurm allocation) and a task run
as its own job holds.

Needs root and the packages slurm-wlm, munge, slurmdbd and mariadb-server
(scripts/install-deps.sh installs them); skips with the reason without them, and fails (with
the script's output) when Slurm cannot be started. Leaves the cluster as it found it: one that
was not running before is stopped. CTest runs this file alone (RUN_SERIAL).
"""

import json
import os
import shlex
import subprocess
import time

from pathlib import Path

import pytest

from cluster_support import Cluster
from conftest import bin_dir, wait_for

REPO = Path(__file__).resolve().parents[2]
LOCAL_SLURM = REPO / "scripts" / "local-slurm.sh"
SLURM_TIMEOUT = 30
PILOT_JOB = "allot-e2e-pilot"


def run_cmd(args, timeout, env=None):
    args = [str(a) for a in args]
    try:
        return subprocess.run(args, capture_output=True, text=True, timeout=timeout, env=env,
                              start_new_session=True)
    except subprocess.TimeoutExpired as e:
        raise AssertionError(f"`{shlex.join(args)}` did not finish in {timeout}s\n"
                             f"stdout: {e.stdout}\nstderr: {e.stderr}") from None


def package_installed(name):
    r = subprocess.run(["dpkg-query", "-W", "-f=${Status}", name], capture_output=True,
                       text=True)
    return r.returncode == 0 and "install ok installed" in r.stdout


class Slurm:
    def __init__(self, env):
        self.env = env

    def run(self, *args, timeout=SLURM_TIMEOUT):
        return run_cmd(args, timeout, env=self.env)

    def script(self, *args, timeout=240):
        return run_cmd(["bash", LOCAL_SLURM, *args], timeout, env=self.env)

    def squeue_ids(self):
        r = self.run("squeue", "-h", "-o", "%i")
        assert r.returncode == 0, r.stderr
        return set(r.stdout.split())

    def sacct(self, job):
        """{field: value} of the job's own sacct line."""
        fields = ["JobID", "JobName", "State", "ExitCode", "ElapsedRaw", "TotalCPU"]
        r = self.run("sacct", "-j", job, "--parsable2", "--noheader", "-o", ",".join(fields))
        assert r.returncode == 0, r.stderr
        for line in r.stdout.splitlines():
            values = line.split("|")
            if values[0] == job:
                return dict(zip(fields, values))
        raise AssertionError(f"sacct has no line of job {job}: {r.stdout!r}")


@pytest.fixture(scope="module")
def slurm():
    if os.geteuid() != 0:
        pytest.skip("needs root: scripts/local-slurm.sh runs the Slurm, munge and MariaDB daemons")
    missing = [p for p in ("slurm-wlm", "munge", "slurmdbd", "mariadb-server")
               if not package_installed(p)]
    if missing:
        pytest.skip(f"not installed: {' '.join(missing)} (scripts/install-deps.sh installs them)")
    env = dict(os.environ)
    for name in list(env):  # a Slurm job around this test must not leak into these commands
        if name.startswith(("SLURM_", "SBATCH_", "SRUN_", "SALLOC_")):
            del env[name]
    env.pop("ALLOT_SLURM_ACCOUNTING", None)  # this test needs the accounting
    r = run_cmd(["bash", LOCAL_SLURM, "env"], 30, env=env)
    assert r.returncode == 0 and r.stdout.startswith("export SLURM_CONF="), r
    env["SLURM_CONF"] = r.stdout.strip().partition("=")[2]
    s = Slurm(env)
    was_running = s.script("status", timeout=60).returncode == 0
    r = s.script("start")
    if r.returncode != 0:
        pytest.fail(f"the local Slurm cluster did not start (scripts/local-slurm.sh start, exit "
                    f"{r.returncode}):\n{r.stdout}\n{r.stderr}", pytrace=False)
    s.run("scancel", "--name", PILOT_JOB)
    yield s
    s.run("scancel", "--name", PILOT_JOB)
    if not was_running:
        r = s.script("stop", timeout=120)
        assert r.returncode == 0, f"local-slurm.sh stop: {r.stdout}{r.stderr}"


@pytest.fixture
def cluster(slurm, tmp_path, monkeypatch):
    """A server and one `--executor slurm` worker, the Slurm client environment theirs."""
    for name in list(os.environ):
        if name.startswith(("SLURM_", "SBATCH_", "SRUN_", "SALLOC_")):
            monkeypatch.delenv(name)
    monkeypatch.setenv("SLURM_CONF", slurm.env["SLURM_CONF"])
    c = Cluster(tmp_path, worker_timeout="20s")
    try:
        c.start_server()
        c.start_worker("--executor", "slurm", "--name", "slurm-exec")
        yield c
    finally:
        c.close()


def submit(cluster, tasks):
    (cluster.root / "tasks.json").write_text(json.dumps(tasks))
    cluster.cli("submit", "tasks.json")


def attempt(cluster, task_id, n=1):
    return cluster.task(task_id)["attempts"][n - 1]


def test_a_task_run_as_its_own_slurm_job_reports_sacct_usage(slurm, cluster):
    burn = f"{shlex.quote(str(bin_dir() / 'allot-test-task'))} --spin 3 --alloc-mib 40"
    submit(cluster, [{"id": "burn", "executor": "slurm", "cores": 2, "memory": "200M",
                      "time_limit": "5m", "grace_period": "20s", "tags": {"partition": "test"},
                      "command": burn}])
    cluster.wait_state("burn", "succeeded", timeout=90)
    a = attempt(cluster, "burn")
    assert a["worker"] == "slurm-exec"
    [worker] = [w for w in cluster.active_workers() if w["name"] == "slurm-exec"]
    assert worker["executor"] == "slurm" and worker["cores"] == 4096, worker
    job = a["slurm_job"]
    assert job.isdigit(), a
    # The usage is sacct's: Slurm's accounting of that job agrees.
    # (Not its JobName there: slurmdbd may hold a job's end before its start, naming it
    # "allocation" for a moment; scontrol's below is slurmctld's own.)
    record = slurm.sacct(job)
    assert record["State"] == "COMPLETED", record
    assert a["exit_code"] == 0
    assert a["cpu_s"] >= 1.0, a  # it spun for 3 s
    assert a["wall_s"] >= 2.0 and int(record["ElapsedRaw"]) == int(a["wall_s"]), (a, record)
    assert a["max_rss"] > 0, a
    # Its resources became the job's: 2 CPUs, 200M, 5m + 20s rounded up to 6 minutes, the
    # partition from its tags (slurmctld remembers a finished job for MinJobAge, 300 s).
    shown = slurm.run("scontrol", "show", "job", "-o", job).stdout.split()
    for field in ("JobName=allot-burn", "NumCPUs=2", "MinMemoryNode=200M", "TimeLimit=00:06:00",
                  "Partition=test"):
        assert field in shown, (field, shown)
    # The journal keeps it; `allot status` shows it.
    text = cluster.cli("status", "burn").stdout
    assert f"slurm jobs (usage from sacct): attempt 1: {job}" in text, text


def test_a_failing_slurm_job_fails_the_task_with_its_exit_code(slurm, cluster):
    submit(cluster, [{"id": "bad", "executor": "slurm", "memory": "100M",
                      "command": "echo to-stderr >&2; exit 7"}])
    cluster.wait_state("bad", "failed", timeout=90)
    a = attempt(cluster, "bad")
    assert a["exit_code"] == 7, a
    assert slurm.sacct(a["slurm_job"])["ExitCode"] == "7:0"
    # Its output went where the worker said: the task's stderr under the server's directory.
    assert "to-stderr" in (cluster.dir / "output" / "bad" / "stderr").read_text()


def test_cancel_ends_the_slurm_job_through_scancel(slurm, cluster):
    submit(cluster, [{"id": "long", "executor": "slurm", "memory": "100M",
                      "grace_period": "2s", "command": "sleep 600"}])
    cluster.wait_state("long", "running", timeout=60)
    # The job is in Slurm's queue once the worker submitted it.
    names = lambda: slurm.run("squeue", "-h", "-n", "allot-long", "-o", "%i|%T").stdout.split()
    job = wait_for(lambda: names()[0].split("|")[0] if names() else None, timeout=30,
                   interval=0.2, what="the job of task long in squeue")
    wait_for(lambda: f"{job}|RUNNING" in names(), timeout=30, interval=0.2,
             what=f"job {job} to run")
    cluster.cli("cancel", "long")
    cluster.wait_state("long", "canceled", timeout=60)
    a = attempt(cluster, "long")
    assert a["slurm_job"] == job
    assert a["signal"] != 0, a
    assert job not in slurm.squeue_ids()
    assert slurm.sacct(job)["State"].split()[0] in ("CANCELLED", "FAILED")


def test_dependencies_hold_between_a_pilot_task_and_a_slurm_job(slurm, cluster, tmp_path):
    # A pilot: an allocation whose step is an ordinary worker (what `allot alloc` submits).
    allot, server_dir = shlex.quote(str(bin_dir() / "allot")), shlex.quote(str(cluster.dir))
    script = tmp_path / "pilot.sh"
    script.write_text(f"#!/bin/sh\nexec srun {allot} worker start --server-dir {server_dir} "
                      f"--name pilot --cores 1 --server-timeout 60s\n")
    r = slurm.run("sbatch", "--parsable", "-N1", "-n1", "--mem=200", "--time=10", "-J",
                  PILOT_JOB, "-o", tmp_path / "pilot.out", script)
    assert r.returncode == 0, r.stderr
    pilot_job = r.stdout.strip().split(";")[0]
    wait_for(lambda: any(w["name"] == "pilot" for w in cluster.active_workers()), timeout=60,
             interval=0.2, what="the pilot worker to join")
    log = tmp_path / "order.log"
    mark = lambda what: f'echo "{what} $SLURM_JOB_ID" >> {shlex.quote(str(log))}'
    submit(cluster, [
        {"id": "sim", "command": f"sleep 1; {mark('sim')}"},
        {"id": "post", "executor": "slurm", "memory": "100M", "depends_on": ["sim"],
         "command": mark("post")},
        {"id": "report", "depends_on": ["post"], "command": mark("report")},
    ])
    for t in ("sim", "post", "report"):
        cluster.wait_state(t, "succeeded", timeout=90)
    assert attempt(cluster, "sim")["worker"] == "pilot"
    assert attempt(cluster, "report")["worker"] == "pilot"
    post_job = attempt(cluster, "post")["slurm_job"]
    lines = [line.split() for line in log.read_text().splitlines()]
    # In dependency order; the pilot's tasks in the pilot's job, post in a job of its own.
    assert lines == [["sim", pilot_job], ["post", post_job], ["report", pilot_job]], lines
    slurm.run("scancel", pilot_job)


def test_the_time_limit_ends_the_job_and_the_attempt_says_so(slurm, cluster):
    submit(cluster, [{"id": "slow", "executor": "slurm", "memory": "100M", "time_limit": "2s",
                      "grace_period": "2s", "command": "sleep 600"}])
    cluster.wait_state("slow", "failed", timeout=90)
    a = attempt(cluster, "slow")
    assert a["timed_out"] is True, a
    assert a["signal"] != 0, a
    job = a["slurm_job"]
    assert job not in slurm.squeue_ids()
    # Slurm's own limit is later (2 s + 2 s rounded up to a minute): allot's came first.
    shown = slurm.run("scontrol", "show", "job", "-o", job).stdout.split()
    assert "TimeLimit=00:01:00" in shown, shown
