"""Measured usage per attempt (`allot status ID`), memory limits, and retries that grow only
the memory of a task killed at its limit, with `allot run` and in cluster mode."""

import sqlite3

from cluster_support import Cluster
from conftest import bin_dir, yaml_str

MIB = 1 << 20


def within(value, expected, fraction=0.10):
    return abs(value - expected) <= fraction * expected


def attempts_of(allot, task_id):
    status = allot.status_json("allot-work", task_id)
    (task,) = status["tasks"]
    return task, task["attempt_details"]


def test_status_shows_peak_rss_and_cpu_time_within_ten_percent(allot):
    allot.write("tasks.yaml", f"""\
tasks:
  - id: hog
    command: {yaml_str(allot.tt("--alloc-mib", "200", "--sleep", "1"))}
    memory: 1G
  - id: burner
    command: {yaml_str(allot.tt("--spin", "1.5"))}
""")
    r = allot.run("run", "tasks.yaml", "--cores", "2")
    assert r.returncode == 0, r.stderr
    task, (attempt,) = attempts_of(allot, "hog")
    assert task["state"] == "succeeded"
    assert within(attempt["max_rss"], 200 * MIB), attempt
    assert attempt["memory"] == 1 << 30 and attempt["memory_exceeded"] is False
    task, (attempt,) = attempts_of(allot, "burner")
    assert within(attempt["cpu_s"], 1.5), attempt
    assert abs(attempt["cpu_s"] - attempt["user_s"] - attempt["sys_s"]) < 1e-6
    assert 0 < attempt["mean_cores"] <= attempt["peak_cores"] <= 1.1, attempt
    # The text form: one line per attempt with the measured values.
    text = allot.run("status", "hog").stdout
    assert "hog attempts:" in text and "MAX RSS" in text and "MiB" in text, text


def test_task_killed_at_its_memory_limit_runs_again_with_more_memory_and_succeeds(allot):
    allot.write("tasks.yaml", f"""\
tasks:
  - id: grows
    command: {yaml_str(allot.tt("--alloc-mib", "300", "--sleep", "1"))}
    memory: 100M
    memory_max: 1G
""")
    r = allot.run("run", "tasks.yaml", "--cores", "1", "--memory", "2G")
    assert r.returncode == 0, r.stderr
    task, attempts = attempts_of(allot, "grows")
    assert task["state"] == "succeeded"
    assert len(attempts) >= 2, attempts
    first = attempts[0]
    assert first["memory"] == 100 * MIB
    assert first["memory_exceeded"] is True and first["signal"] == 9
    assert first["state"] == "ready"
    assert "killed at its memory limit of 100 MiB" in first["reason"], first["reason"]
    memories = [a["memory"] for a in attempts]
    assert memories == sorted(memories) and len(set(memories)) == len(memories), memories
    last = attempts[-1]
    assert last["state"] == "succeeded" and last["memory_exceeded"] is False
    assert last["memory"] >= 300 * MIB and last["memory"] % (64 * MIB) == 0
    assert within(last["max_rss"], 300 * MIB)
    assert task["memory_bytes"] == last["memory"], "status shows the grown request"
    # Growing memory uses no retry: the task has max_retries 0.
    assert task["attempts"] == len(attempts)


def test_task_killed_at_its_memory_max_fails_saying_so(allot):
    allot.write("tasks.yaml", f"""\
tasks:
  - id: too-big
    command: {yaml_str(allot.tt("--alloc-mib", "400", "--sleep", "2"))}
    memory: 64M
    memory_max: 128M
""")
    r = allot.run("run", "tasks.yaml", "--cores", "1", "--memory", "2G")
    assert r.returncode == 1, r.stderr
    task, attempts = attempts_of(allot, "too-big")
    assert task["state"] == "failed"
    assert [a["memory"] for a in attempts] == [64 * MIB, 128 * MIB]
    assert all(a["memory_exceeded"] for a in attempts)
    assert "memory_max 128 MiB reached" in task["reason"], task["reason"]


def test_grown_memory_and_measured_usage_are_journaled(allot, tmp_path):
    """The grown request is on the transition into ready (Recover applies it after a restart,
    see scheduler_memory_test.cc); the sampled usage has its own columns."""
    allot.write("tasks.yaml", f"""\
tasks:
  - id: grows
    command: {yaml_str(allot.tt("--alloc-mib", "200", "--sleep", "1"))}
    memory: 100M
    memory_max: 1G
""")
    r = allot.run("run", "tasks.yaml", "--cores", "1", "--memory", "2G")
    assert r.returncode == 0, r.stderr
    db = sqlite3.connect(str(tmp_path / "allot-work" / "allot.db"))
    rows = db.execute("SELECT to_state, memory, memory_exceeded, peak_cores, read_bytes, "
                      "write_bytes FROM task_events WHERE task_id = 'grows' ORDER BY seq").fetchall()
    db.close()
    ready = [row for row in rows if row[0] == "ready" and row[2] == 1]
    assert ready and ready[0][1] >= 128 * MIB, rows
    (done,) = [row for row in rows if row[0] == "succeeded"]
    assert done[2] == 0 and done[3] > 0 and done[4] > 0, rows


def test_cluster_status_shows_measured_usage_and_memory_growth(tmp_path):
    c = Cluster(tmp_path)
    try:
        c.start_server()
        c.start_worker("--cores", "2", "--memory", "2G")
        tt = str(bin_dir() / "allot-test-task")
        (tmp_path / "tasks.yaml").write_text(f"""\
tasks:
  - id: hog
    command: {yaml_str(tt + " --alloc-mib 200 --sleep 1")}
    memory: 1G
  - id: burner
    command: {yaml_str(tt + " --spin 1.5")}
  - id: grows
    command: {yaml_str(tt + " --alloc-mib 300 --sleep 1")}
    memory: 100M
    memory_max: 1G
""")
        c.cli("submit", str(tmp_path / "tasks.yaml"))
        c.cli("wait", "hog", "burner", "grows", "--timeout", "100s")
        hog = c.task("hog")
        (attempt,) = hog["attempts"]
        assert within(attempt["max_rss"], 200 * MIB), attempt
        (attempt,) = c.task("burner")["attempts"]
        assert within(attempt["cpu_s"], 1.5), attempt
        grows = c.task("grows")
        assert grows["state"] == "succeeded"
        attempts = grows["attempts"]
        assert attempts[0]["memory_exceeded"] is True and attempts[0]["memory"] == 100 * MIB
        assert attempts[-1]["memory"] >= 300 * MIB
        assert grows["memory"] == attempts[-1]["memory"]
        text = c.cli("status", "grows").stdout
        assert "MEM LIMIT" in text and "100 MiB!" in text, text
    finally:
        c.close()
