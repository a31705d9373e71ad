"""Automatic allocations (`allot alloc`) on a real Slurm: scripts/local-slurm.sh's three nodes.

1. Work arrives, allocations are submitted for it and their workers run it; under a burst of
   1,000 tasks the queue's limits (workers, pending allocations) are never exceeded, sampled
   from Slurm's own queue throughout; once idle for --idle-timeout they are released and gone,
   and `allot alloc events` explains every submission and non-submission.
2. An allocation that reaches its time limit while work remains gets a replacement before its
   end; the task it was running when its workers left (mid-task) runs again on the replacement,
   and nothing that finished runs again.
3. A task naming a queue (tags.queue) gets an allocation of that queue and runs in it.

The server, the CLI and the workers are the real binaries; sbatch, squeue and scancel the real
Slurm commands. Skipped (with the reason) where the local Slurm cannot run (not root, packages
missing), as tests/e2e/test_slurm_cluster.py.
"""

import json
import shlex
import subprocess
import threading
import time
from pathlib import Path

import pytest

from conftest import bin_dir, wait_for
from test_slurm_cluster import local_slurm  # noqa: F401 (the fixture)


class AllocServer:
    """`allot server start` with automatic allocations, and the CLI against it."""

    def __init__(self, root: Path, slurm_env):
        self.root = root
        self.dir = root / "server"
        self.env = dict(slurm_env, ALLOT_SERVER_DIR=str(self.dir))
        log = open(root / "server.log", "ab")
        self.proc = subprocess.Popen(
            [str(bin_dir() / "allot"), "server", "start", "--dir", str(self.dir),
             "--alloc-interval", "1s", "--worker-timeout", "6s"],
            stdout=log, stderr=subprocess.STDOUT, env=self.env)
        wait_for(lambda: (self.dir / "access.json").exists() and
                 self.cli("workers", check=False).returncode == 0,
                 timeout=30, what="the server to answer")

    def cli(self, *args, check=True, timeout=120):
        p = subprocess.run([str(bin_dir() / "allot"), *map(str, args)], capture_output=True,
                           text=True, env=self.env, timeout=timeout, cwd=self.root)
        if check and p.returncode != 0:
            raise AssertionError(f"allot {shlex.join(map(str, args))}: exit {p.returncode}\n"
                                 f"{p.stdout}\n{p.stderr}")
        return p

    def json(self, *args):
        return json.loads(self.cli(*args, "--json").stdout)

    def events(self):
        return self.json("alloc", "events")["events"]

    def tasks(self):
        return self.json("status")["tasks"]

    def close(self):
        # A queue's allocations are the server's: cancel them, then stop it.
        for q in self.json("alloc", "list")["queues"]:
            self.cli("alloc", "remove", q["name"], "--force", check=False)
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


@pytest.fixture
def alloc_server(local_slurm, tmp_path):  # noqa: F811
    s = AllocServer(tmp_path, local_slurm.env)
    yield s
    s.close()


class QueueSampler(threading.Thread):
    """Samples Slurm's queue (squeue) for a job name every 0.2 s: the most jobs, pending and
    running, seen at once."""

    def __init__(self, slurm, name):
        super().__init__(daemon=True)
        self.slurm, self.name = slurm, name
        self.max_jobs = self.max_pending = self.samples = 0
        self.jobs = set()
        self.stop = threading.Event()

    def run(self):
        while not self.stop.is_set():
            r = self.slurm.slurm("squeue", "-h", "--name", self.name, "-o", "%i %T")
            if r.returncode == 0:
                rows = [line.split() for line in r.stdout.splitlines() if line.strip()]
                live = [(i, s) for i, s in rows if s in ("PENDING", "CONFIGURING", "RUNNING")]
                self.jobs.update(i for i, _ in rows)
                self.max_jobs = max(self.max_jobs, len(live))
                self.max_pending = max(self.max_pending,
                                       sum(1 for _, s in live if s == "PENDING"))
                self.samples += 1
            time.sleep(0.2)


def kinds(events, kind):
    return [e for e in events if e["kind"] == kind]


def test_work_gets_allocations_within_the_limits_released_when_idle(local_slurm, alloc_server,
                                                                   tmp_path):
    slurm, server = local_slurm, alloc_server
    # A bad queue is refused naming the flag, and changes nothing.
    bad = server.cli("alloc", "add", "slurm", "--time-limit", "10m", "--max-workers", "0",
                     check=False)
    assert bad.returncode != 0 and "--max-workers" in bad.stderr, bad
    dry = server.cli("alloc", "add", "slurm", "--name", "burst", "--time-limit", "10m",
                     "--dry-run")
    assert "Slurm says" in dry.stdout and "to start at" in dry.stdout, dry.stdout
    assert server.json("alloc", "list")["queues"] == []

    server.cli("alloc", "add", "slurm", "--name", "burst", "--time-limit", "10m",
               "--max-workers", "2", "--max-pending", "1", "--idle-timeout", "8s")
    q = server.json("alloc", "list")["queues"][0]
    assert q["cores_per_worker"] >= 1 and q["max_workers"] == 2, q
    time.sleep(2)
    assert kinds(server.events(), "submitted") == [], "nothing submitted without work"
    assert any("no task is waiting" in e["reason"] for e in kinds(server.events(),
                                                                  "not-submitting"))

    sampler = QueueSampler(slurm, "allot-burst")
    sampler.start()
    try:
        tasks = [{"id": f"t{i:04d}", "command": f"sleep 0.0{i % 5}", "cores": 1}
                 for i in range(1000)]
        (tmp_path / "burst.json").write_text(json.dumps(tasks))
        server.cli("submit", "burst.json")
        wait_for(lambda: server.json("status")["counts"].get("succeeded") == 1000,
                 timeout=240, interval=1, what="the 1,000 tasks to succeed")
        # Idle for 8 s: released, and gone from Slurm's queue.
        wait_for(lambda: len(kinds(server.events(), "ended")) ==
                 len(kinds(server.events(), "submitted")),
                 timeout=60, interval=1, what="the allocations to be released and end")
    finally:
        sampler.stop.set()
        sampler.join()

    events = server.events()
    submitted = kinds(events, "submitted")
    assert 1 <= len(submitted) <= 4, events
    assert sampler.samples > 20
    assert sampler.max_jobs <= 2, f"{sampler.max_jobs} allocations at once (max 2 workers)"
    assert sampler.max_pending <= 1, f"{sampler.max_pending} pending at once (max 1)"
    assert {e["job"] for e in submitted} == sampler.jobs
    for e in submitted:
        assert "tasks waiting" in e["reason"], e
    released = kinds(events, "released")
    assert {e["job"] for e in released} == {e["job"] for e in submitted}, events
    for e in released:
        assert "idle for 8s" in e["reason"], e
    # While the limit held submissions back, the events say so.
    assert any("held back by the limits" in e["reason"] or "workers pending" in e["reason"]
               for e in kinds(events, "not-submitting") + submitted), events
    # The tasks ran in the allocations' workers, each worker named after its Slurm node.
    workers = server.json("workers")["workers"]
    assert {w["slurm_job"] for w in workers if "slurm_job" in w} == sampler.jobs
    out = server.cli("alloc", "events").stdout
    assert "submitted" in out and "released" in out


def test_a_replacement_comes_before_walltime_and_the_task_cut_off_runs_again(local_slurm,
                                                                            alloc_server,
                                                                            tmp_path):
    slurm, server = local_slurm, alloc_server
    # 1-minute allocations whose workers leave 15 s before the end, replaced 40 s before it.
    server.cli("alloc", "add", "slurm", "--name", "wall", "--time-limit", "1m",
               "--end-margin", "15s", "--replace-before", "40s", "--max-workers", "2",
               "--max-pending", "1", "--idle-timeout", "5s")
    log = tmp_path / "log"
    marker = tmp_path / "long.started"
    # Each task claims a whole worker (all its cores). 'long' is estimated at 20 s but runs
    # 55 s the first time (a restart after a checkpoint takes 3 s): the first allocation's end
    # cuts it off, and it runs again on the replacement.
    cores = server.json("alloc", "list")["queues"][0]["cores_per_worker"]

    def task(tid, seconds, **extra):
        return {"id": tid, "cores": cores, "time_estimate": "20s",
                "command": f'echo "$ALLOT_EXECUTION_ID start" >> {log}; sleep {seconds}; '
                           f'echo "$ALLOT_EXECUTION_ID done" >> {log}', **extra}
    long_cmd = (f'echo "$ALLOT_EXECUTION_ID start" >> {log}; '
                f'if [ -e {marker} ]; then sleep 3; else touch {marker}; sleep 55; fi; '
                f'echo "$ALLOT_EXECUTION_ID done" >> {log}')
    # Two workers at most, five tasks of a whole worker each: work still waits when the first
    # allocations near their end, at the limit; a replacement takes over the slot of the one
    # it replaces.
    tasks = [task("first", 8, priority=2),
             {"id": "long", "cores": cores, "time_estimate": "20s", "priority": 1,
              "command": long_cmd},
             task("after-1", 10), task("after-2", 10), task("after-3", 10)]
    (tmp_path / "wall.json").write_text(json.dumps(tasks))
    server.cli("submit", "wall.json")
    wait_for(lambda: server.json("status")["counts"].get("succeeded") == len(tasks),
             timeout=240, interval=1, what="every task to succeed")

    events = server.events()
    submitted = kinds(events, "submitted")
    replacements = [e for e in submitted if "replac" in e["reason"]]
    assert replacements, f"no replacement was submitted: {events}"
    # The replacement was submitted before the allocation it replaces ended.
    first_end = [e for e in kinds(events, "ended") if e["job"] == submitted[0]["job"]]
    assert not first_end or replacements[0]["seq"] < first_end[0]["seq"], events
    # 'long' was cut off by the end (its attempt 1 started and never finished) and ran again;
    # nothing that finished ran twice.
    lines = log.read_text().splitlines()
    starts = [line.split()[0] for line in lines if line.endswith(" start")]
    dones = [line.split()[0] for line in lines if line.endswith(" done")]
    assert "long@1" in starts and "long@1" not in dones, lines
    assert any(s.startswith("long@") and s != "long@1" for s in dones), lines
    finished = [d.split("@")[0] for d in dones]
    assert sorted(finished) == sorted(t["id"] for t in tasks), lines
    info = server.json("status", "long")
    assert info["state"] == "succeeded" and info["attempt"] >= 2, info


def test_a_task_naming_a_queue_runs_in_that_queues_allocation(local_slurm, alloc_server,
                                                             tmp_path):
    server = alloc_server
    for name in ("cpu", "big"):
        server.cli("alloc", "add", "slurm", "--name", name, "--time-limit", "10m",
                   "--max-workers", "1", "--idle-timeout", "5s")
    # Only 'big' submits for it; 'cpu' counts it as another queue's.
    (tmp_path / "t.json").write_text(json.dumps(
        [{"id": "needs-big", "command": "echo $SLURM_JOB_ID", "tags": {"queue": "big"}}]))
    server.cli("submit", "t.json")
    wait_for(lambda: server.json("status", "needs-big")["state"] == "succeeded",
             timeout=120, interval=1, what="the task naming queue 'big' to succeed")
    events = server.events()
    big = [e for e in kinds(events, "submitted") if e["queue"] == "big"]
    assert len(big) == 1, events
    assert not [e for e in kinds(events, "submitted") if e["queue"] == "cpu"], events
    assert any(e["queue"] == "cpu" and "1 task for other queues" in e["reason"]
               for e in kinds(events, "not-submitting")), events
    # It ran in the allocation of 'big': its SLURM_JOB_ID is that job's.
    assert server.cli("log", "needs-big").stdout.strip() == big[0]["job"]
