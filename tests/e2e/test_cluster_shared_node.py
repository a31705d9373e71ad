"""Several `allot worker start` on one node (issue 11 point 2): the server gives them disjoint
CPUs and memory, so their tasks never share a core, and refuses one the node has no room for."""

import os
import subprocess

import pytest

from cluster_support import Cluster
from conftest import RUN_TIMEOUT, bin_dir

CPUS = len(os.sched_getaffinity(0))
pytestmark = pytest.mark.skipif(not 2 <= CPUS <= 8, reason="needs 2 to 8 CPUs")


@pytest.fixture
def cluster(tmp_path):
    c = Cluster(tmp_path)
    c.start_server()
    yield c
    c.close()


def mem_total_bytes():
    for line in open("/proc/meminfo"):
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no MemTotal in /proc/meminfo")


def submit_side_by_side(c, ids):
    """Tasks that each wait until all have started: they end only by running at once."""
    for task in ids:
        waits = " ".join(f"[ -e {c.root / other} ] &&" for other in ids)
        c.cli("submit", "--name", task, "--", "sh", "-c",
              f"echo $ALLOT_CORES; grep Cpus_allowed_list /proc/self/status; "
              f"touch {c.root / task}; until {waits} true; do sleep 0.05; done")


def test_one_core_workers_on_one_node_run_their_tasks_on_disjoint_cores(cluster):
    c = cluster
    for i in range(CPUS):
        c.start_worker("--cores", "1", "--name", f"w{i + 1}")
    ids = [f"t{i}" for i in range(CPUS)]
    submit_side_by_side(c, ids)
    c.cli("wait")
    cores, allowed = [], []
    for task in ids:
        assert c.state(task) == "succeeded"
        first, second = (c.dir / "output" / task / "stdout").read_text().splitlines()
        cores.append(first)
        allowed.append(second.split(":")[1].strip())
    assert sorted(cores) == sorted(str(cpu) for cpu in os.sched_getaffinity(0)), cores
    assert allowed == cores, "each task's affinity is its ALLOT_CORES"

    workers = c.active_workers()
    assert len(workers) == CPUS
    memory = [w["memory"] for w in workers]
    assert sum(memory) <= mem_total_bytes(), f"together they claim more than the node: {memory}"
    assert max(memory) - min(memory) <= 1, f"a CPU's share each: {memory}"


def test_a_worker_its_node_has_no_room_for_is_refused_naming_the_others(cluster):
    c = cluster
    for i in range(CPUS):
        c.start_worker("--cores", "1", "--name", f"w{i + 1}")
    p = subprocess.run([str(bin_dir() / "allot"), "worker", "start", "--cores", "1",
                        "--name", "late", "--server-dir", str(c.dir)],
                       capture_output=True, text=True, env=c.env, timeout=RUN_TIMEOUT)
    assert p.returncode == 2, p.stderr
    assert "allot worker: refused by the server: node " in p.stderr
    assert f"has no room for worker late: it asks for 1 CPU, and 0 of the node's {CPUS} are free" \
        in p.stderr
    for i in range(CPUS):
        assert f"worker w{i + 1} holds CPU " in p.stderr
    assert len(c.active_workers()) == CPUS


def test_a_worker_without_cores_beside_a_one_core_worker_gets_the_other_cpus(cluster):
    c = cluster
    c.start_worker("--cores", "1", "--name", "small")
    c.start_worker("--name", "rest")
    by_name = {w["name"]: w for w in c.active_workers()}
    assert by_name["small"]["cores"] == 1
    assert by_name["rest"]["cores"] == CPUS - 1
    assert by_name["small"]["memory"] + by_name["rest"]["memory"] <= mem_total_bytes()
