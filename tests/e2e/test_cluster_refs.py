"""Issue 11, point 9, through a real server, worker and CLI: control commands take depends_on
patterns (matched by the server); hold/release of queued tasks (journaled: kept across a kill -9
of the server); `allot wait` reports on the tasks it waits for only."""

import subprocess

import pytest

from cluster_support import Cluster
from conftest import RUN_TIMEOUT, bin_dir


@pytest.fixture
def cluster(tmp_path):
    c = Cluster(tmp_path)
    c.start_server()
    c.start_worker("--cores", "1")
    yield c
    c.close()


def submit_gate(c, name):
    """A task that holds the worker's one core until `open_gate(c, name)`."""
    flag = c.root / f"{name}.go"
    c.cli("submit", "--name", name, "--",
          "sh", "-c", f"while [ ! -e {flag} ]; do sleep 0.05; done")
    c.wait_state(name, "running")
    return flag


def open_gate(c, name):
    (c.root / f"{name}.go").touch()
    c.wait_state(name, "succeeded")


def test_control_commands_take_depends_on_patterns_and_a_pattern_matching_nothing_changes_nothing(
        cluster):
    c = cluster
    submit_gate(c, "gate")
    for name in ("sim-L8-1", "sim-L8-2", "sim-L9-1"):
        c.cli("submit", "--name", name, "--after", "gate", "--", "true")

    unknown = c.cli("skip", "sim-L7-*", check=False)
    assert unknown.returncode == 2
    assert "pattern 'sim-L7-*' matches no task" in unknown.stderr
    mixed = c.cli("cancel", "sim-L9-1", "nope-*", check=False)
    assert mixed.returncode == 2 and "nope-*" in mixed.stderr
    assert c.state("sim-L9-1") == "waiting", "all or nothing: the id before it was not canceled"

    skipped = c.cli("skip", "sim-L8-*")
    assert skipped.stdout.splitlines() == ["sim-L8-1: skipped", "sim-L8-2: skipped"]
    assert c.state("sim-L9-1") == "waiting"
    listed = c.api("GET", "/api/v1/tasks?refs=sim-L8-%3F")["tasks"]
    assert [(t["id"], t["state"]) for t in listed] == [("sim-L8-1", "skipped"),
                                                       ("sim-L8-2", "skipped")]
    again = c.cli("skip", "sim-L8-*", check=False)
    assert again.returncode == 2
    assert "none of the 2 tasks it matches can take it" in again.stderr

    # A pattern acts on the matches that can take the action and leaves the others.
    c.cli("cancel", "sim-*")
    assert c.state("sim-L9-1") == "canceled" and c.state("sim-L8-1") == "skipped"
    open_gate(c, "gate")


def test_a_held_task_does_not_start_until_released_also_after_a_kill9_of_the_server(cluster):
    c = cluster
    submit_gate(c, "gate")
    c.cli("submit", "--name", "queued", "--", "true")
    c.cli("submit", "--name", "dep", "--after", "gate", "--", "true")
    assert c.state("queued") == "ready" and c.state("dep") == "waiting"
    held = c.cli("hold", "queued", "de?")
    assert held.stdout.splitlines() == ["queued: held", "dep: held"]
    assert "allot release queued" in c.task("queued")["why"]

    open_gate(c, "gate")
    # The core is free and the dependency done: a task submitted now runs; the held ones wait.
    c.cli("submit", "--name", "later", "--", "true")
    c.wait_state("later", "succeeded")
    assert c.state("queued") == "held" and c.state("dep") == "held"
    assert c.task("queued")["attempts"] == []

    c.kill9_server()
    c.start_server()
    assert c.state("queued") == "held" and c.state("dep") == "held"
    refused = c.cli("release", "later", check=False)
    assert refused.returncode == 2
    assert "task 'later' is succeeded; only a held task can be released" in refused.stderr

    released = c.cli("release", "queued", "dep")
    assert released.stdout.splitlines() == ["queued: ready", "dep: ready"]
    c.wait_state("queued", "succeeded")
    c.wait_state("dep", "succeeded")


def test_wait_reports_only_the_tasks_it_waits_for(cluster):
    c = cluster
    c.cli("submit", "--name", "bad", "--", "false")
    c.wait_state("bad", "failed")
    assert c.cli("wait", "bad", check=False).returncode == 1, "named, it still counts"

    c.cli("submit", "--name", "good", "--", "true")
    done = c.cli("wait", check=False)
    assert done.returncode == 0, f"an earlier failure is not this wait's: {done.stdout}"

    submit_gate(c, "slow")
    timed_out = c.cli("wait", "--timeout", "1s", check=False)
    assert timed_out.returncode == 124
    counts = timed_out.stderr.split(";", 1)[1]
    assert "1 running" in counts
    assert "failed" not in counts and "succeeded" not in counts, timed_out.stderr

    # Started while "slow" runs, it waits for "slow" alone: exit 0 once it succeeds.
    waiter = subprocess.Popen([str(bin_dir() / "allot"), "wait", "--server-dir", str(c.dir)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env=c.env)
    open_gate(c, "slow")
    out, err = waiter.communicate(timeout=RUN_TIMEOUT)
    assert waiter.returncode == 0, out + err
