"""Crashes in cluster mode: kill -9 of the server (restart reconciles running attempts, loses
no acknowledged task, runs no finished task twice) and of a worker (its attempts run again
elsewhere with the next attempt number)."""

import os
import signal
import subprocess

import pytest

from cluster_support import Cluster
from conftest import pid_alive, read_pid, wait_for


@pytest.fixture
def cluster(tmp_path):
    c = Cluster(tmp_path, worker_timeout="3s")
    c.start_server()
    yield c
    c.close()


def runs_of(c, task):
    """How many times the task's command started (each start appends a line)."""
    f = c.root / "runs" / task
    return len(f.read_text().splitlines()) if f.exists() else 0


def counting(c, seconds):
    (c.root / "runs").mkdir(exist_ok=True)
    return (f"echo $ALLOT_EXECUTION_ID >> {c.root}/runs/$ALLOT_TASK_ID; "
            f"echo $$ > {c.root}/runs/$ALLOT_TASK_ID.pid; sleep {seconds}")


def test_kill9_of_the_server_loses_nothing_and_keeps_running_tasks_running(cluster):
    c = cluster
    c.start_worker("--cores", "2")
    c.cli("submit", "--name", "long", "--", "sh", "-c", counting(c, 5))
    out = c.cli("submit", "--array", "1-40", "--name", "short", "--", "sh", "-c",
                counting(c, 0.1)).stdout
    assert "40 tasks" in out
    wait_for(lambda: c.api("GET", "/api/v1/server")["counts"]["succeeded"] >= 8,
             what="some tasks to finish")
    long_pid = read_pid(c.root / "runs" / "long.pid")
    c.kill9_server()
    # Tasks go on finishing on the worker while the server is down; it keeps their exits.
    c.start_server()
    assert c.api("GET", "/api/v1/server")["tasks"] == 41, "every acknowledged task is there"
    assert pid_alive(long_pid), "a running task on a live worker is not restarted"
    wait_for(lambda: len(c.active_workers()) == 1, what="the worker to reconnect by itself")
    p = c.cli("wait", "--timeout", "60s")
    assert "41" in p.stdout or p.returncode == 0
    tasks = c.api("GET", "/api/v1/tasks")["tasks"]
    assert {t["state"] for t in tasks} == {"succeeded"}
    assert runs_of(c, "long") == 1 and c.task("long")["attempt"] == 1
    for i in range(1, 41):
        assert runs_of(c, f"short-{i}") == 1, f"short-{i} ran {runs_of(c, f'short-{i}')} times"
    # One succeeded event per task in the journal.
    done = c.events("to_state = 'succeeded'")
    assert len(done) == 41 and len({row[0] for row in done}) == 41


def test_tasks_of_a_killed_worker_run_again_on_another_with_the_next_attempt(cluster):
    c = cluster
    victim = c.start_worker("--cores", "1", cpus="0")
    c.cli("submit", "--name", "doomed", "--", "sh", "-c", counting(c, 60))
    c.wait_state("doomed", "running")
    pid = wait_for(lambda: (c.root / "runs" / "doomed.pid").exists() and
                   (c.root / "runs" / "doomed.pid").read_text().strip() and
                   read_pid(c.root / "runs" / "doomed.pid"))
    c.start_worker("--cores", "1", cpus="1")
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    os.kill(pid, signal.SIGKILL)  # the node died with its processes
    wait_for(lambda: c.task("doomed")["attempt"] == 2, timeout=30,
             what="the task to start again")
    assert c.state("doomed") == "running"
    lost = c.events("task_id = 'doomed' AND to_state = 'lost'")
    assert len(lost) == 1 and "stopped answering" in lost[0][4], lost
    workers = c.api("GET", "/api/v1/workers")["workers"]
    assert sorted(w["state"] for w in workers) == ["active", "lost"]
    assert runs_of(c, "doomed") == 2
    assert (c.root / "runs" / "doomed").read_text().split() == ["doomed@1", "doomed@2"]
    c.cli("cancel", "doomed")
    c.wait_state("doomed", "canceled")


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP])
def test_a_worker_stopped_by_a_signal_gives_its_tasks_back_instead_of_failing_them(cluster, sig):
    """Slurm sends SIGTERM to a job's steps at its end or preemption (SIGHUP when srun's node
    goes): the worker ends its tasks, and they are interruptions, not failures (no retries
    are configured here, so a failure would be final)."""
    c = cluster
    victim = c.start_worker("--cores", "1", cpus="0")
    c.cli("submit", "--name", "interrupted", "--", "sh", "-c", counting(c, 60))
    c.wait_state("interrupted", "running")
    wait_for(lambda: runs_of(c, "interrupted") == 1, what="the task to start")
    victim.send_signal(sig)
    assert victim.wait(timeout=30) == 128 + sig
    lost = c.events("task_id = 'interrupted' AND to_state = 'lost'")
    assert len(lost) == 1 and "was stopping and ended it" in lost[0][4], lost
    assert not c.events("task_id = 'interrupted' AND to_state = 'failed'")
    assert c.state("interrupted") == "ready"
    c.start_worker("--cores", "1", cpus="1")
    wait_for(lambda: c.task("interrupted")["attempt"] == 2 and c.state("interrupted") == "running",
             timeout=30, what="the task to start again on the other worker")
    assert (c.root / "runs" / "interrupted").read_text().split() == ["interrupted@1", "interrupted@2"]
    c.cli("cancel", "interrupted")
    c.wait_state("interrupted", "canceled")


def test_worker_ids_are_not_given_out_again_after_a_restart(cluster):
    c = cluster
    c.start_worker("--cores", "1", "--name", "first")
    [first] = c.active_workers()
    c.kill9_server()
    c.start_server()
    wait_for(lambda: len(c.active_workers()) == 1, what="the worker to reconnect by itself")
    [again] = c.active_workers()
    assert again["name"] == "first" and again["id"] > first["id"], (first, again)
    c.start_worker("--cores", "1", "--name", "second")
    ids = sorted(w["id"] for w in c.active_workers())
    assert len(set(ids)) == 2 and min(ids) > first["id"], ids
