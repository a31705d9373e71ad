"""A task over its time limit gets SIGTERM to its whole process group, then SIGKILL after its
grace period: a task that ignores SIGTERM and left a background grandchild is gone with it."""

import time

from conftest import pid_alive, read_pid, summary_of, wait_for, wait_gone, yaml_str


def test_time_limit_kills_task_and_grandchild(allot, tmp_path):
    pidfile = tmp_path / "task.pid"
    allot.track_pidfile(pidfile)
    allot.write("tasks.yaml", f"""\
tasks:
  - id: stubborn
    command: {yaml_str(allot.tt("--pidfile", pidfile, "--ignore-term", "--grandchild", "300",
                                "--sleep", "300"))}
    time_limit: 1
    grace_period: 1s
""")
    proc = allot.start("run", "tasks.yaml", "--cores", "1")
    grandchild_file = tmp_path / "task.pid.grandchild"
    wait_for(lambda: pidfile.exists() and grandchild_file.exists(), what="the task's pidfiles")
    task_pid, grandchild_pid = read_pid(pidfile), read_pid(grandchild_file)
    assert pid_alive(task_pid) and pid_alive(grandchild_pid)
    started = time.monotonic()

    # time limit 1 s + grace 1 s; generous slack for a loaded machine, far below the 300 s sleep.
    rc, out, err = allot.finish(proc, timeout=60)
    elapsed = time.monotonic() - started
    assert rc == 1, err
    assert elapsed < 30, f"allot took {elapsed:.1f}s to end a task with a 1s limit + 1s grace"
    wait_gone([task_pid, grandchild_pid], timeout=10)

    t = allot.task_states()["stubborn"]
    assert t["state"] == "failed"
    assert t["timed_out"] is True
    assert t["signal"] == 9, t
    assert t["exit_code"] is None, t
    assert t["attempts"] == 1
    summary = summary_of(tmp_path / "allot-work")
    assert summary["failed"] == 1
    assert summary["unsuccessful"][0]["id"] == "stubborn"


def test_time_limit_sigterm_is_enough_for_a_polite_task(allot, tmp_path):
    pidfile = tmp_path / "task.pid"
    allot.track_pidfile(pidfile)
    allot.write("tasks.yaml", f"""\
tasks:
  - id: polite
    command: {yaml_str(allot.tt("--pidfile", pidfile, "--grandchild", "300", "--sleep", "300"))}
    time_limit: 1s
    grace_period: 60s
""")
    started = time.monotonic()
    r = allot.run("run", "tasks.yaml", "--cores", "1", timeout=90)
    assert r.returncode == 1, r.stderr
    # SIGTERM ended it: no need to wait for the 60 s grace period.
    assert time.monotonic() - started < 40
    wait_gone([read_pid(pidfile), read_pid(tmp_path / "task.pid.grandchild")], timeout=10)
    t = allot.task_states()["polite"]
    assert (t["state"], t["timed_out"], t["signal"]) == ("failed", True, 15)
