"""No process started by a task outlives the task (issue 8, point 6): a process that leaves the
task's process group (setsid, a daemon's double fork) or hides from hangups (nohup) is killed
when the attempt ends -- normal exit, time limit, cancel in cluster mode, allot run or a worker
stopped by SIGTERM -- before allot reports that end, and the CPU it burns while it lives counts
in the attempt's measured usage."""

import shlex
import signal

import pytest

from cluster_support import Cluster
from conftest import pid_alive, read_pid, wait_for, yaml_str

STYLES = ["setsid", "double-fork", "nohup"]
SPIN = 1.0  # CPU seconds the detached process burns before it is ready


def detaching_command(allot, pidfile, style, then):
    """A shell command line: the task starts a process that leaves it the `style` way, which
    burns SPIN seconds of CPU, writes <pidfile>.detached and sleeps 300 s; once it is ready the
    task runs `then`."""
    if style == "double-fork":
        return allot.tt("--pidfile", pidfile, "--detach", "double-fork",
                        "--detach-spin", SPIN) + "; " + then
    detached = f"{pidfile}.detached"
    ready = f"{pidfile}.detached.ready"
    inner = allot.tt("--pidfile", detached, "--spin", SPIN, "--touch", ready, "--sleep", "300")
    # As the issue reproduced it: setsid(1) or nohup(1) on a background job of the shell.
    return (f"{style} {inner} </dev/null >/dev/null 2>&1 & "
            f"while [ ! -e {shlex.quote(ready)} ]; do sleep 0.05; done; {then}")


def detached_pid(pidfile):
    path = pidfile.with_name(pidfile.name + ".detached")
    wait_for(lambda: path.exists(), what=f"{path}")
    return read_pid(path)


def track(allot, pidfile):
    allot.track_pidfile(pidfile)
    allot.track_pidfile(pidfile.with_name(pidfile.name + ".detached"))


def only_attempt(allot, task_id):
    (task,) = allot.status_json("allot-work", task_id)["tasks"]
    (attempt,) = task["attempt_details"]
    return task, attempt


@pytest.mark.parametrize("style", STYLES)
def test_detached_descendant_is_killed_at_normal_exit_and_its_cpu_counted(allot, tmp_path, style):
    pidfile = tmp_path / "task.pid"
    track(allot, pidfile)
    # The task outlives the spin by 2.5 s: at least two usage samples see the detached process.
    allot.write("tasks.yaml", f"""\
tasks:
  - id: leaver
    command: {yaml_str(detaching_command(allot, pidfile, style, "sleep 2.5"))}
""")
    r = allot.run("run", "tasks.yaml", "--cores", "1")
    assert r.returncode == 0, r.stderr
    pid = detached_pid(pidfile)
    assert not pid_alive(pid), f"the {style} descendant {pid} outlived allot run"
    task, attempt = only_attempt(allot, "leaver")
    assert task["state"] == "succeeded"
    assert attempt["cpu_s"] >= 0.9 * SPIN, attempt


@pytest.mark.parametrize("style", STYLES)
def test_detached_descendant_is_killed_at_the_time_limit(allot, tmp_path, style):
    pidfile = tmp_path / "task.pid"
    track(allot, pidfile)
    allot.write("tasks.yaml", f"""\
tasks:
  - id: leaver
    command: {yaml_str(detaching_command(allot, pidfile, style, "sleep 300"))}
    time_limit: 5s
    grace_period: 1s
""")
    r = allot.run("run", "tasks.yaml", "--cores", "1")
    assert r.returncode == 1, r.stderr
    pid = detached_pid(pidfile)
    assert not pid_alive(pid), f"the {style} descendant {pid} outlived allot run"
    task, attempt = only_attempt(allot, "leaver")
    assert (task["state"], task["timed_out"]) == ("failed", True), task


@pytest.fixture
def cluster(tmp_path):
    c = Cluster(tmp_path)
    c.start_server()
    c.start_worker("--cores", "1")
    yield c
    c.close()


@pytest.mark.parametrize("style", STYLES)
def test_detached_descendant_is_killed_by_cancel_in_cluster_mode(allot, cluster, tmp_path, style):
    c = cluster
    pidfile = tmp_path / "task.pid"
    track(allot, pidfile)
    settled = tmp_path / "settled"
    then = f"sleep 2.5; touch {shlex.quote(str(settled))}; sleep 300"
    c.cli("submit", "--name", "leaver", "--", "sh", "-c",
          detaching_command(allot, pidfile, style, then))
    wait_for(settled.exists, what="the task to outlive its detached process's spin")
    pid = detached_pid(pidfile)
    assert pid_alive(pid)
    c.cli("cancel", "leaver")
    c.wait_state("leaver", "canceled")
    assert not pid_alive(pid), f"the {style} descendant {pid} outlived its canceled attempt"
    (attempt,) = c.task("leaver")["attempts"]
    assert attempt["cpu_s"] >= 0.9 * SPIN, attempt


def test_detached_descendant_is_killed_when_allot_run_is_interrupted(allot, tmp_path):
    pidfile = tmp_path / "task.pid"
    track(allot, pidfile)
    allot.write("tasks.yaml", f"""\
tasks:
  - id: leaver
    command: {yaml_str(detaching_command(allot, pidfile, "double-fork", "sleep 300"))}
""")
    proc = allot.start("run", "tasks.yaml", "--cores", "1")
    pid = detached_pid(pidfile)
    wait_for(lambda: pidfile.with_name(pidfile.name + ".detached.ready").exists(),
             what="the detached process to be ready")
    proc.send_signal(signal.SIGTERM)
    rc, out, err = allot.finish(proc)
    assert rc == 128 + signal.SIGTERM, err
    assert not pid_alive(pid), f"the detached descendant {pid} outlived allot run"


def test_detached_descendant_is_killed_when_its_worker_stops(allot, cluster, tmp_path):
    c = cluster
    pidfile = tmp_path / "task.pid"
    track(allot, pidfile)
    c.cli("submit", "--name", "leaver", "--", "sh", "-c",
          detaching_command(allot, pidfile, "double-fork", "sleep 300"))
    pid = detached_pid(pidfile)
    wait_for(lambda: pidfile.with_name(pidfile.name + ".detached.ready").exists(),
             what="the detached process to be ready")
    (worker,) = c.workers
    worker.send_signal(signal.SIGTERM)
    worker.wait(timeout=60)
    assert not pid_alive(pid), f"the detached descendant {pid} outlived its worker"
