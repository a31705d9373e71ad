"""kill -9 of allot in the middle of a campaign, then --resume: finished tasks never run again,
interrupted ones run again as attempt 2 (what is left of them killed first), and the campaign
completes. Also: one allot per journal."""

import collections
import signal
import time

from conftest import pid_alive, read_pid, wait_for, wait_gone, yaml_str

N_TASKS = 200


def log_lines(path):
    try:
        return path.read_text().splitlines()
    except FileNotFoundError:
        return []


def wait_until_stable(path, quiet_seconds=1.0, timeout=30):
    """Waits until `path` has not grown for `quiet_seconds` (orphaned tasks have finished)."""
    deadline = time.monotonic() + timeout
    last = None
    last_change = time.monotonic()
    while time.monotonic() < deadline:
        size = path.stat().st_size if path.exists() else -1
        if size != last:
            last, last_change = size, time.monotonic()
        elif time.monotonic() - last_change >= quiet_seconds:
            return
        time.sleep(0.05)
    raise AssertionError(f"{path} kept growing for {timeout}s after allot was killed")


def test_kill9_then_resume(allot, tmp_path):
    log = tmp_path / "runs.log"
    tasks = []
    for i in range(N_TASKS):
        tid = f"t{i:03d}"
        # One line per run, appended with O_APPEND (>>), then a short sleep.
        sleep = ("0.05", "0.1", "0.15", "0.2")[i % 4]
        tasks.append({"id": tid, "command": f"echo {tid} >> {log} && sleep {sleep}",
                      "cores": 1, "timeout": 120})
    allot.write("tasks.json", tasks)

    proc = allot.start("run", "tasks.json", "--cores", "2", "--progress", "plain")
    wait_for(lambda: len(log_lines(log)) >= 50 or proc.poll() is not None, timeout=90,
             what="50 tasks to have started")
    assert proc.poll() is None, "the campaign ended before it could be killed"
    proc.send_signal(signal.SIGKILL)
    rc, _, err = allot.finish(proc, timeout=30)
    assert rc == -signal.SIGKILL

    # Tasks that were running are orphans now; let them finish their one line and sleep.
    wait_until_stable(log)

    before = {t["id"]: t for t in allot.status_json()["tasks"]}
    assert len(before) == N_TASKS
    finished = {i for i, t in before.items() if t["state"] == "succeeded"}
    interrupted = {i for i, t in before.items() if t["state"] == "running"}
    others = set(before) - finished - interrupted
    print(f"at the kill: {len(finished)} succeeded, running {sorted(interrupted)}")
    assert 20 <= len(finished) < N_TASKS, f"{len(finished)} tasks succeeded before the kill"
    assert 1 <= len(interrupted) <= 2, f"running at the kill (2 cores): {sorted(interrupted)}"
    assert all(before[i]["state"] in ("ready", "waiting") for i in others), (
        {i: before[i]["state"] for i in others if before[i]["state"] not in ("ready", "waiting")})
    counts_before = collections.Counter(log_lines(log))
    for tid in finished:
        assert counts_before[tid] == 1, f"{tid} ran {counts_before[tid]} times before the kill"

    r = allot.run("run", "tasks.json", "--resume", "--cores", "2", "--progress", "plain",
                  timeout=180)
    assert r.returncode == 0, r.stderr
    after = {t["id"]: t for t in allot.status_json()["tasks"]}
    not_ok = {i: t["state"] for i, t in after.items() if t["state"] != "succeeded"}
    assert not not_ok, not_ok

    counts = collections.Counter(log_lines(log))
    assert set(counts) == set(before), "every task ran at least once"
    twice = sorted(i for i in finished if counts[i] != 1)
    assert not twice, f"tasks that had succeeded before the kill ran again: {twice}"
    for tid in interrupted:
        assert after[tid]["attempts"] == 2, (tid, after[tid])
        assert counts[tid] <= 2
    for tid in others:
        assert after[tid]["attempts"] == 1, (tid, after[tid])
        assert counts[tid] == 1, (tid, counts[tid])
    for tid in finished:
        assert after[tid]["attempts"] == 1

    # The interrupted attempts' output is kept beside the new one.
    for tid in interrupted:
        if counts_before[tid]:  # its first attempt had started
            assert (tmp_path / "allot-work" / tid / "stdout.1").exists(), tid


def test_resume_kills_what_is_left_of_interrupted_attempts(allot, tmp_path):
    """After kill -9 of allot its running tasks live on as orphans (a long sleeper and its
    grandchild); --resume must end them before running the task again."""
    pidfile = tmp_path / "long.pid"
    allot.track_pidfile(pidfile)
    fast = tmp_path / "fast"
    long_cmd = (f"test -e {fast} && exec {allot.tt('--touch', tmp_path / 'long-done')} || exec "
                + allot.tt("--pidfile", pidfile, "--grandchild", "300", "--sleep", "300"))
    allot.write("tasks.yaml", f"""\
tasks:
  - id: long
    command: {yaml_str(long_cmd)}
    priority: 1
  - id: after
    depends_on: long
    command: {yaml_str(allot.tt())}
""")
    proc = allot.start("run", "tasks.yaml", "--cores", "2")
    grandchild = tmp_path / "long.pid.grandchild"
    wait_for(lambda: pidfile.exists() and grandchild.exists(), what="the task's pidfiles")
    pids = [read_pid(pidfile), read_pid(grandchild)]
    proc.send_signal(signal.SIGKILL)
    allot.finish(proc, timeout=30)
    assert all(pid_alive(p) for p in pids), "the orphans should outlive allot"

    fast.touch()
    r = allot.run("run", "tasks.yaml", "--resume", "--cores", "2")
    assert r.returncode == 0, r.stderr
    wait_gone(pids, timeout=10)
    assert (tmp_path / "long-done").exists()
    states = allot.task_states()
    assert states["long"]["state"] == "succeeded" and states["long"]["attempts"] == 2
    assert states["after"]["state"] == "succeeded" and states["after"]["attempts"] == 1


def test_one_allot_per_journal(allot, tmp_path):
    """While a campaign runs, a second allot on the same journal is refused and changes
    nothing; the first one goes on and completes."""
    go = tmp_path / "go"
    log = tmp_path / "runs.log"
    allot.write("tasks.json", [
        {"id": "gate", "command": f"echo gate >> {log}; while ! test -e {go}; do sleep 0.05; done"},
        {"id": "other", "command": f"echo other >> {log}"},
    ])
    proc = allot.start("run", "tasks.json", "--cores", "2")
    wait_for(lambda: "gate" in log_lines(log), what="the gate task to start")
    for args in (["tasks.json", "--resume"], ["--resume"], ["tasks.json"]):
        r = allot.run("run", *args, "--cores", "2")
        assert r.returncode == 2, (args, r.returncode, r.stderr)
        assert "allot.db" in r.stderr, r.stderr
    assert proc.poll() is None, "the running campaign must not be disturbed"
    go.touch()
    rc, _, err = allot.finish(proc)
    assert rc == 0, err
    assert sorted(log_lines(log)) == ["gate", "other"]


def test_status_after_kill9_says_allot_is_not_running_and_how_to_resume(allot, tmp_path):
    started = tmp_path / "started"
    allot.write("tasks.json", [
        {"id": "quick", "command": "true"},
        {"id": "long", "command": f"touch {started} && exec sleep 60", "timeout": 120},
    ])
    proc = allot.start("run", "tasks.json", "--cores", "2", "--progress", "plain")
    wait_for(lambda: started.exists() and allot.task_states()["long"]["state"] == "running",
             timeout=60, what="the long task to be running")

    # While allot runs, the journal's "running" is true: no such line.
    live = allot.run("status", "--workdir", "allot-work")
    assert live.returncode == 0, live.stderr
    assert "not running" not in live.stdout
    assert allot.status_json()["allot_running"] is True

    proc.send_signal(signal.SIGKILL)
    rc, _, _ = allot.finish(proc, timeout=30)
    assert rc == -signal.SIGKILL

    dead = allot.run("status", "--workdir", "allot-work")
    assert dead.returncode == 0, dead.stderr
    assert ("allot is not running this campaign (nothing holds allot-work/allot.db.lock): "
            "the attempt shown running ended with it and runs again on resume: "
            "allot run --resume --workdir allot-work") in dead.stdout, dead.stdout
    j = allot.status_json()
    assert j["allot_running"] is False
    assert j["resume"] == "allot run --resume --workdir allot-work"

    # The hint works: the resume kills what is left of the attempt and runs it again.
    allot.write("tasks.json", [
        {"id": "quick", "command": "true"},
        {"id": "long", "command": f"touch {started} && exec sleep 60", "timeout": 120},
    ])
    resumed = allot.start("run", "--resume", "--workdir", "allot-work", "--progress", "plain")
    wait_for(lambda: allot.task_states()["long"]["attempts"] == 2, timeout=60,
             what="the long task's second attempt")
    assert "not running" not in allot.run("status", "--workdir", "allot-work").stdout
    resumed.send_signal(signal.SIGTERM)
    allot.finish(resumed, timeout=60)
