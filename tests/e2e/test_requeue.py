"""Requeue of failed tasks (issue 11 point 4), with real processes: `allot requeue` on a server
(also across a kill -9 of the server) and `allot run --resume --retry-failed`. A task that fails
unless a marker file exists succeeds after the requeue; its earlier attempts stay listed, the
next attempt continues their numbers, and its skipped dependent runs after it."""

import pytest

from cluster_support import Cluster
from conftest import wait_for, yaml_str


@pytest.fixture
def cluster(tmp_path):
    c = Cluster(tmp_path)
    c.start_server()
    c.start_worker("--cores", "2")
    yield c
    c.close()


def submit_flaky(c, marker):
    c.cli("submit", "--name", "flaky", "--", "sh", "-c", f"test -e {marker}")
    c.cli("submit", "--name", "after", "--after", "flaky", "--", "true")
    c.wait_state("flaky", "failed")
    assert c.state("after") == "skipped"


def test_requeue_runs_a_failed_task_again_and_then_its_skipped_dependent(cluster):
    c = cluster
    marker = c.root / "marker"
    submit_flaky(c, marker)
    marker.touch()
    r = c.cli("requeue", "fla*")
    assert "flaky: ready" in r.stdout and "after: waiting" in r.stdout, r.stdout
    c.wait_state("flaky", "succeeded")
    c.wait_state("after", "succeeded")
    task = c.task("flaky")
    assert [a["attempt"] for a in task["attempts"]] == [1, 2], task["attempts"]
    assert task["attempts"][0]["state"] == "failed", task["attempts"]
    requeues = c.events("from_state = 'failed' AND to_state = 'ready'")
    assert len(requeues) == 1 and requeues[0][0] == "flaky", requeues


def test_requeue_refuses_an_unknown_id_and_a_succeeded_task_naming_them(cluster):
    c = cluster
    c.cli("submit", "--name", "good", "--", "true")
    c.wait_state("good", "succeeded")
    r = c.cli("requeue", "nosuch", check=False)
    assert r.returncode == 2 and "nosuch" in r.stderr, (r.returncode, r.stderr)
    r = c.cli("requeue", "good", check=False)
    assert r.returncode == 2 and "task 'good' is succeeded" in r.stderr, (r.returncode, r.stderr)
    assert c.state("good") == "succeeded"
    assert c.task("good")["attempts"][-1]["attempt"] == 1


def test_a_requeue_survives_a_kill9_of_the_server(cluster):
    c = cluster
    marker = c.root / "marker"
    submit_flaky(c, marker)
    for w in c.workers:
        w.kill()
        w.wait()
    # No worker: the requeued task stays ready until after the restart.
    wait_for(lambda: not c.active_workers(), timeout=30, what="the worker to be lost")
    r = c.cli("requeue", "--failed")
    assert "flaky: ready" in r.stdout, r.stdout
    c.kill9_server()
    c.start_server()
    assert c.state("flaky") == "ready"
    assert c.state("after") == "waiting"
    marker.touch()
    c.start_worker("--cores", "2")
    c.wait_state("flaky", "succeeded")
    c.wait_state("after", "succeeded")
    assert [a["attempt"] for a in c.task("flaky")["attempts"]] == [1, 2]


def test_run_resume_retry_failed_runs_failed_tasks_again(allot, tmp_path):
    marker = tmp_path / "marker"
    allot.write("tasks.yaml", f"""\
tasks:
  - id: flaky
    max_retries: 1
    command: {yaml_str(f"test -e {marker}")}
  - id: after
    depends_on: [flaky]
    command: {yaml_str(f"touch {tmp_path}/after-ran")}
""")
    assert allot.run("run", "tasks.yaml").returncode == 1
    states = allot.task_states()
    assert states["flaky"]["state"] == "failed" and states["flaky"]["attempts"] == 2
    assert states["after"]["state"] == "skipped"
    r = allot.run("run", "--retry-failed")
    assert r.returncode == 2 and "--resume" in r.stderr, r.stderr
    marker.touch()
    r = allot.run("run", "--resume", "--retry-failed")
    assert r.returncode == 0, r.stdout + r.stderr
    states = allot.task_states()
    assert states["flaky"]["state"] == "succeeded" and states["flaky"]["attempts"] == 3
    assert states["after"]["state"] == "succeeded" and (tmp_path / "after-ran").exists()
    detail = allot.status_json("allot-work", "flaky")["tasks"][0]["attempt_details"]
    assert [a["attempt"] for a in detail] == [1, 2, 3], detail
    assert detail[1]["state"] == "failed" and detail[2]["state"] == "succeeded", detail
