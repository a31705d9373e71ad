"""A paused task's time limit stops with it (as Slurm's suspend stops the clock): time spent
SIGSTOP'd by `allot pause` is not counted, and after `allot resume` the rest of the limit runs
on. Real processes through a cluster-mode server."""

import time

import pytest

from cluster_support import Cluster
from conftest import wait_for


@pytest.fixture
def cluster(tmp_path):
    c = Cluster(tmp_path)
    c.start_server()
    c.start_worker("--cores", "2")
    yield c
    c.close()


def test_time_paused_does_not_count_and_the_rest_of_the_limit_runs_after_resume(cluster):
    c = cluster
    # ~3 s of running time in 30 short sleeps (a stopped group makes no progress), 6 s limit.
    c.cli("submit", "--name", "fits", "--time-limit", "6s", "--",
          "sh", "-c", "i=0; while [ $i -lt 30 ]; do sleep 0.1; i=$((i+1)); done")
    # Never ends by itself: its 2 s limit must end it, but only counting running time.
    c.cli("submit", "--name", "over", "--time-limit", "2s", "--", "sh", "-c", "exec sleep 600")
    c.wait_state("fits", "running")
    c.wait_state("over", "running")
    c.cli("pause", "fits", "over")
    # Paused longer than either limit: neither may be ended while it is stopped.
    time.sleep(7)
    assert c.state("fits") == "paused"
    assert c.state("over") == "paused"
    c.cli("resume", "fits", "over")
    c.wait_state("fits", "succeeded", timeout=60)
    c.wait_state("over", "failed", timeout=60)
    over = c.task("over")
    (attempt,) = over["attempts"]
    assert attempt["timed_out"] is True, attempt
    assert attempt["reason"] == "exceeded its time limit", attempt
    # It ended after its resume: the limit did not fire while it was paused.
    resumed = [e for e in over["events"] if e["from"] == "paused" and e["to"] == "running"]
    assert len(resumed) == 1, over["events"]
    assert attempt["ended_us"] > resumed[0]["time_us"], over["events"]
