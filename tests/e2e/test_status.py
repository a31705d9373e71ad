"""`allot status`: text and --json on a finished campaign, selection by id, --all, --db, and
read-only use while a run is writing the journal."""

import json
import time

from conftest import yaml_str

STATES = {"waiting", "ready", "running", "paused", "preempted", "lost", "succeeded", "failed",
          "canceled", "skipped", "held"}
FIELDS = {"id", "state", "attempts", "exit_code", "signal", "timed_out", "reason",
          "wall_seconds", "cpu_seconds", "max_rss_bytes", "memory_bytes"}


def mixed_campaign(allot, tmp_path):
    allot.write("tasks.yaml", f"""\
tasks:
  - id: ok1
    command: {yaml_str(allot.tt("--spin", "0.2", "--alloc-mib", "32"))}
  - id: ok2
    command: {yaml_str(allot.tt())}
  - id: bad
    command: {yaml_str(allot.tt("--exit", "3"))}
  - id: dep
    depends_on: bad
    command: {yaml_str(allot.tt())}
""")
    r = allot.run("run", "tasks.yaml", "--cores", "2")
    assert r.returncode == 1, r.stderr
    assert "4 tasks: 2 succeeded, 1 failed, 1 skipped" in r.stdout


def test_status_json_on_finished_campaign(allot, tmp_path):
    mixed_campaign(allot, tmp_path)
    status = allot.status_json()
    assert status["total"] == 4
    assert set(status["counts"]) == STATES
    assert status["counts"]["succeeded"] == 2
    assert status["counts"]["failed"] == 1
    assert status["counts"]["skipped"] == 1
    assert sum(status["counts"].values()) == 4
    tasks = {t["id"]: t for t in status["tasks"]}
    assert list(tasks) == ["ok1", "ok2", "bad", "dep"], "file order"
    for t in tasks.values():
        assert set(t) == FIELDS, t

    ok1 = tasks["ok1"]
    assert (ok1["state"], ok1["attempts"], ok1["exit_code"], ok1["signal"], ok1["timed_out"]) == (
        "succeeded", 1, 0, None, False)
    assert ok1["cpu_seconds"] >= 0.1, ok1
    assert ok1["wall_seconds"] >= ok1["cpu_seconds"] * 0.5
    assert ok1["max_rss_bytes"] >= 32 << 20, ok1
    bad = tasks["bad"]
    assert (bad["state"], bad["attempts"], bad["exit_code"], bad["signal"]) == (
        "failed", 1, 3, None)
    assert bad["reason"], "a failed task says why"
    dep = tasks["dep"]
    assert (dep["state"], dep["attempts"], dep["exit_code"]) == ("skipped", 0, None)
    assert "bad" in dep["reason"]

    # Selected ids only, counts still of the whole campaign.
    sel = allot.status_json("allot-work", "dep", "ok2")
    assert sorted(t["id"] for t in sel["tasks"]) == ["dep", "ok2"]
    assert sel["total"] == 4


def test_status_text(allot, tmp_path):
    mixed_campaign(allot, tmp_path)
    r = allot.run("status", "--workdir", "allot-work")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].startswith("4 tasks:")
    for part in ("2 succeeded", "1 failed", "1 skipped"):
        assert part in lines[0]
    body = "\n".join(lines[1:])
    # By default: the tasks that did not succeed, with why.
    assert "bad" in body and "dep" in body
    assert "ok1" not in body and "ok2" not in body
    dep_line = next(line for line in lines if line.startswith("dep "))
    assert "skipped" in dep_line and "bad" in dep_line

    r = allot.run("status", "--workdir", "allot-work", "--all")
    assert r.returncode == 0, r.stderr
    for tid in ("ok1", "ok2", "bad", "dep"):
        assert any(line.startswith(tid + " ") for line in r.stdout.splitlines()), tid

    r = allot.run("status", "ok1", "--workdir", "allot-work")
    assert r.returncode == 0, r.stderr
    rows = [line for line in r.stdout.splitlines()[1:] if line.strip()]
    assert any(line.startswith("ok1 ") and "succeeded" in line for line in rows)
    assert not any(line.startswith(("bad ", "dep ", "ok2 ")) for line in rows)


def test_status_errors(allot, tmp_path):
    mixed_campaign(allot, tmp_path)
    r = allot.run("status", "nope", "--workdir", "allot-work")
    assert r.returncode == 2
    assert "nope" in r.stderr
    r = allot.run("status", "--json", "ok1", "nope", "--workdir", "allot-work")
    assert r.returncode == 2
    assert "nope" in r.stderr
    r = allot.run("status", "--workdir", "elsewhere")
    assert r.returncode == 2
    assert "elsewhere" in r.stderr
    assert not (tmp_path / "elsewhere" / "allot.db").exists(), "status must not create a journal"


def test_status_db_flag_and_default_workdir(allot, tmp_path):
    allot.write("tasks.json", [{"id": "a", "command": allot.tt()}])
    r = allot.run("run", "tasks.json")  # default workdir ./allot-work
    assert r.returncode == 0, r.stderr
    other = tmp_path / "other"
    other.mkdir()
    r = allot.run("status", "--json", "--db", tmp_path / "allot-work" / "allot.db", cwd=other)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["counts"]["succeeded"] == 1
    r = allot.run("status", "--json")  # default --workdir allot-work
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["total"] == 1


def test_status_while_running(allot, tmp_path):
    n = 16
    lines = ["tasks:"]
    for i in range(n):
        lines += [f"  - id: t{i:02d}",
                  f"    command: {yaml_str(allot.tt('--sleep', '0.4'))}"]
    allot.write("tasks.yaml", "\n".join(lines) + "\n")
    proc = allot.start("run", "tasks.yaml", "--cores", "2")
    snapshots = []
    deadline = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline:
        r = allot.run("status", "--json", timeout=60)
        if not snapshots and (r.returncode != 0 or json.loads(r.stdout)["total"] == 0):
            time.sleep(0.05)
            continue  # the journal is not there, or its tasks not committed, yet
        assert r.returncode == 0, f"status failed while the run was writing: {r.stderr}"
        s = json.loads(r.stdout)
        assert s["total"] == n
        assert sum(s["counts"].values()) == n
        assert s["counts"]["running"] <= 2, "more running than cores"
        snapshots.append(s)
        text = allot.run("status", timeout=60)
        assert text.returncode == 0, text.stderr
        assert text.stdout.startswith(f"{n} tasks:")
        time.sleep(0.1)
    rc, _, err = allot.finish(proc)
    assert rc == 0, err
    assert snapshots, "never saw the campaign while it ran"
    assert any(s["counts"]["running"] > 0 for s in snapshots)
    done = [s["counts"]["succeeded"] for s in snapshots]
    assert done == sorted(done), "succeeded count went backwards"
    final = allot.status_json()
    assert final["counts"]["succeeded"] == n
