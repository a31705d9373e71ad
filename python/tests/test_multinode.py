"""Multi-node tasks (`nodes: N`) against a real server and two real workers on this host, with
Debian's MPICH: the task runs once, on the first of its nodes, and `mpiexec` started with
$ALLOT_NODE_EXEC as its launcher puts one rank on each node, each pinned to exactly the CPUs the
task holds on that node (`allot node-exec` goes through the server to the other node's worker).
Skipped when mpiexec is not installed (`apt-get install mpich`: scripts/install-deps.sh).
"""

import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

import allot
from conftest import wait_for

pytestmark = pytest.mark.skipif(shutil.which("mpiexec") is None,
                                reason="mpiexec (Debian's mpich) is not installed")

SERVER_START_TIMEOUT = 30
MPIEXEC = 'mpiexec -launcher ssh -launcher-exec "$ALLOT_NODE_EXEC" -f "$ALLOT_HOSTFILE" -n 2'


def _start(command, log_path):
    with open(log_path, "wb") as log:
        return subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)


def _end(processes, timeout=10.0):
    deadline = time.monotonic() + timeout
    for p in processes:
        try:
            p.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            pass
    for p in processes:
        if p.poll() is None:
            try:
                os.killpg(p.pid, signal.SIGKILL)  # the group we started (start_new_session)
            except ProcessLookupError:
                pass
            p.wait(5)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, allot_binary):
    """A server and two one-core workers, n1 and n2: the node's CPUs split between them."""
    server_dir = tmp_path_factory.mktemp("server")
    log_dir = tmp_path_factory.mktemp("logs")
    server = _start([allot_binary, "server", "start", "--dir", str(server_dir),
                     "--worker-timeout", "10s"], log_dir / "server.log")
    workers = []
    try:
        def connected():
            if server.poll() is not None:
                raise AssertionError((log_dir / "server.log").read_text())
            try:
                c = allot.Client(server_dir, timeout=20)
                c.server_info()
                return c
            except allot.ServerUnavailableError:
                return None

        client = wait_for(connected, timeout=SERVER_START_TIMEOUT, what="the server")
        for name in ("n1", "n2"):
            workers.append(_start([allot_binary, "worker", "start", "--server-dir",
                                   str(server_dir), "--cores", "1", "--name", name],
                                  log_dir / f"worker-{name}.log"))
        wait_for(lambda: len([w for w in client.workers() if w.state == "active"]) == 2,
                 timeout=SERVER_START_TIMEOUT, what="the workers to join")
        yield client, log_dir, server_dir
    finally:
        try:
            if server.poll() is None:
                allot.Client(server_dir, timeout=5).stop_server(kill=True)
        except allot.AllotError:
            pass
        _end([server] + workers)


def _logs(log_dir):
    return "\n".join(f"--- {f.name}\n{f.read_text(errors='replace')[-3000:]}"
                     for f in sorted(log_dir.glob("*.log")))


def _node_cpus(text):
    """{"n1": "0", "n2": "1"} from the task's NODE_CPUS=n1:0;n2:1 line."""
    line = re.search(r"^NODE_CPUS=(.*)$", text, re.M).group(1)
    return dict(part.split(":", 1) for part in line.split(";"))


def test_mpiexec_puts_one_rank_on_each_node_pinned_to_its_cores(cluster, tmp_path):
    client, log_dir, _ = cluster
    rank = tmp_path / "rank.sh"
    rank.write_text("#!/bin/sh\n"
                    'echo "rank=$PMI_RANK node=${ALLOT_NODE:-?} '
                    'cpus=$(grep Cpus_allowed_list /proc/self/status | cut -f2)"\n')
    rank.chmod(0o755)
    task = allot.Task(id="mpi-ranks", nodes=2, cores=1, time_limit=120,
                      command=f'echo "NODE_CPUS=$ALLOT_NODE_CPUS NODES=$ALLOT_NODES '
                              f'COUNT=$ALLOT_NODE_COUNT"; cat "$ALLOT_HOSTFILE"; '
                              f'{MPIEXEC} {rank}')
    client.submit([task])
    result = client.wait(["mpi-ranks"], timeout=120)
    out = client.log("mpi-ranks")
    assert result.ok, f"{out}\n{client.log('mpi-ranks', 'stderr')}\n{_logs(log_dir)}"

    node_cpus = _node_cpus(out.replace(" NODES=", "\nNODES="))
    assert sorted(node_cpus) == ["n1", "n2"]
    assert node_cpus["n1"] != node_cpus["n2"], "each node holds its own CPU"
    assert re.search(r"NODES=n1,n2 COUNT=2|NODES=n2,n1 COUNT=2", out), out
    assert "n1:1\n" in out and "n2:1\n" in out, "the hostfile: host:cores per node"
    ranks = re.findall(r"rank=(\d+) node=(\S+) cpus=(\S+)", out)
    assert len(ranks) == 2, out
    leader = out.split("NODES=")[1].split(",")[0]
    by_rank = {int(r): (node, cpus) for r, node, cpus in ranks}
    # Rank 0 runs on the leader (the node the task itself runs on, node-exec runs it right
    # there), rank 1 on the other node through its worker: each on exactly that node's CPUs.
    other = "n2" if leader == "n1" else "n1"
    assert by_rank[0] == (leader, node_cpus[leader]), out
    assert by_rank[1] == (other, node_cpus[other]), out
    detail = client.task("mpi-ranks")
    assert detail.attempts[-1].worker == leader


def _state(pid):
    """The state letter of /proc/<pid>/stat; None once it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return text[text.rindex(")") + 2]


def test_pause_resume_and_cancel_reach_the_ranks_on_every_node(cluster, tmp_path):
    client, log_dir, _ = cluster
    pids = tmp_path / "pids"
    pids.mkdir()
    rank = tmp_path / "sleeper.sh"
    rank.write_text(f"#!/bin/sh\necho $$ > {pids}/$PMI_RANK.tmp && "
                    f"mv {pids}/$PMI_RANK.tmp {pids}/$PMI_RANK\nexec sleep 300\n")
    rank.chmod(0o755)
    client.submit([allot.Task(id="mpi-sleep", nodes=2, cores=1, command=f"{MPIEXEC} {rank}")])

    def both():
        found = sorted(pids.glob("[0-9]"))
        return [int(p.read_text()) for p in found] if len(found) == 2 else None

    ranks = wait_for(both, timeout=60, what="both ranks to start")
    info = client.task("mpi-sleep")
    assert info.extra["nodes"] == 2, info.extra
    assert sorted(info.extra["node_workers"]) == ["n1", "n2"], info.extra
    assert info.extra["node_workers"][0] == info.worker
    client.pause("mpi-sleep")
    wait_for(lambda: all(_state(p) == "T" for p in ranks), timeout=30,
             what=f"SIGSTOP to reach the ranks {ranks}")
    client.resume("mpi-sleep")
    wait_for(lambda: all(_state(p) in ("S", "R") for p in ranks), timeout=30,
             what=f"SIGCONT to reach the ranks {ranks}")
    client.cancel("mpi-sleep")
    result = client.wait(["mpi-sleep"], timeout=60)
    assert not result.ok and client.status(["mpi-sleep"])[0].state == "canceled"

    wait_for(lambda: all(_state(p) in (None, "Z") for p in ranks), timeout=30,
             what=f"the ranks {ranks} to be killed\n{_logs(log_dir)}")


def test_the_cpu_time_of_the_other_node_counts_in_the_attempts_usage(cluster, tmp_path):
    client, log_dir, _ = cluster
    # Rank 1 (the other node) burns CPU and says how much; rank 0 (beside mpiexec) none.
    rank = tmp_path / "burn.py"
    rank.write_text("import os, resource\n"
                    "if os.environ.get('PMI_RANK') == '1':\n"
                    "    sum(range(100_000_000))\n"
                    "    u = resource.getrusage(resource.RUSAGE_SELF)\n"
                    "    print(f'burned={u.ru_utime + u.ru_stime:.3f}', flush=True)\n")
    client.submit([allot.Task(id="mpi-burn", nodes=2, cores=1,
                              command=f"{MPIEXEC} /usr/bin/python3 {rank}")])
    result = client.wait(["mpi-burn"], timeout=120)
    out = client.log("mpi-burn")
    assert result.ok, f"{out}\n{client.log('mpi-burn', 'stderr')}\n{_logs(log_dir)}"
    burned = float(re.search(r"burned=([0-9.]+)", out).group(1))
    attempt = client.task("mpi-burn").attempts[-1]
    assert attempt.cpu_s >= burned, (attempt, burned)


def test_a_task_asking_for_more_nodes_than_there_are_says_so(cluster):
    client, _, _ = cluster
    [task_id] = client.submit_command("true", name="mpi-three", nodes=3)
    assert task_id == "mpi-three"
    why = wait_for(lambda: client.status(["mpi-three"])[0].why, timeout=30,
                   what="a reason to wait")
    assert "needs 3 nodes" in why
    client.cancel("mpi-three")
