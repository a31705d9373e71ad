"""The journal never rolls back silently, waits out a busy lock, and exit codes say what failed:
a write-ahead log deleted (or a main file copied without it) after kill -9 makes --resume and
`allot server start` refuse with exit 3 and `allot status` warn; a write lock held by the
sqlite3 shell is waited out; resume on a full disk, under a lock or on a damaged journal exits
3 (2 is only for bad input); summary.json agrees with the journal after a journal failure."""

import collections
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import time

import pytest

from conftest import RUN_TIMEOUT, bin_dir, journal_fingerprint, summary_of, wait_for

N_TASKS = 40


def log_lines(path):
    try:
        return path.read_text().splitlines()
    except FileNotFoundError:
        return []


def counting_tasks(allot, tmp_path, n=N_TASKS, sleep="0.05"):
    log = tmp_path / "runs.log"
    tasks = [{"id": f"t{i:02d}", "command": f"echo t{i:02d} >> {log} && sleep {sleep}"}
             for i in range(n)]
    allot.write("tasks.json", tasks)
    return log


def wait_until_stable(path, quiet_seconds=1.0, timeout=30):
    """Waits until `path` has not grown for `quiet_seconds` (orphaned tasks have finished)."""
    state = {"size": None, "since": time.monotonic()}

    def stable():
        size = path.stat().st_size if path.exists() else -1
        if size != state["size"]:
            state["size"], state["since"] = size, time.monotonic()
            return False
        return time.monotonic() - state["since"] >= quiet_seconds
    wait_for(stable, timeout=timeout, what=f"{path} to stop growing")


def kill9_midway(allot, log, *flags, done=15):
    """Starts the campaign, kills allot with SIGKILL once `done` tasks have run, and waits for
    its orphaned tasks to finish."""
    proc = allot.start("run", "tasks.json", "--cores", "2", "--progress", "plain", *flags)
    wait_for(lambda: len(log_lines(log)) >= done or proc.poll() is not None, timeout=90,
             what=f"{done} tasks to have run")
    assert proc.poll() is None, "the campaign ended before it could be killed"
    proc.send_signal(signal.SIGKILL)
    rc, _, _ = allot.finish(proc, timeout=30)
    assert rc == -signal.SIGKILL
    wait_until_stable(log)


def remove_wal(db):
    """What the tester did after a crash: delete the -wal (its -shm stays)."""
    os.unlink(f"{db}-wal")


@pytest.mark.parametrize("durability", ["normal", "full"])
def test_resume_after_the_wal_was_deleted_refuses_and_reruns_nothing(allot, tmp_path,
                                                                     durability):
    log = counting_tasks(allot, tmp_path)
    kill9_midway(allot, log, "--durability", durability)
    db = tmp_path / "allot-work" / "allot.db"
    ran_before = collections.Counter(log_lines(log))
    remove_wal(db)
    before = journal_fingerprint(db)

    r = allot.run("run", "tasks.json", "--resume", "--cores", "2", "--durability", durability)
    assert r.returncode == 3, f"exit {r.returncode}\nstderr: {r.stderr}"
    assert str(db) in r.stderr, r.stderr
    assert "missing" in r.stderr and "--accept-journal-loss" in r.stderr, r.stderr
    assert collections.Counter(log_lines(log)) == ran_before, "a task ran again"
    after = journal_fingerprint(db)
    assert after["rows"] == before["rows"], "a refused resume changed the journal"
    assert after["db_sha256"] == before["db_sha256"], "a refused resume changed the file"

    # allot status says what is there, and warns that it is not everything.
    s = allot.run("status", "--workdir", "allot-work")
    assert s.returncode == 0, s.stderr
    assert "warning" in s.stderr and "missing" in s.stderr, s.stderr
    assert "allot-work/allot.db-wal was deleted" in s.stderr, s.stderr
    st = allot.status_json()
    assert "missing" in (st.get("journal_warning") or ""), st.get("journal_warning")

    # The explicit flag accepts the loss and continues from what the file holds.
    r = allot.run("run", "tasks.json", "--resume", "--cores", "2", "--accept-journal-loss")
    assert r.returncode == 0, r.stderr
    assert "missing" in r.stderr, "the accepted loss is still reported"
    assert {t["state"] for t in allot.status_json()["tasks"]} == {"succeeded"}
    s = allot.run("status", "--workdir", "allot-work")
    assert "warning" not in s.stderr, s.stderr
    r = allot.run("run", "tasks.json", "--resume", "--cores", "2")
    assert r.returncode == 0, r.stderr


def test_main_file_copied_without_its_wal_after_a_crash_is_refused(allot, tmp_path):
    log = counting_tasks(allot, tmp_path)
    kill9_midway(allot, log)
    (tmp_path / "copy").mkdir()
    copy = tmp_path / "copy" / "allot.db"
    shutil.copyfile(tmp_path / "allot-work" / "allot.db", copy)
    lines = len(log_lines(log))
    r = allot.run("run", "tasks.json", "--resume", "--cores", "2", "--workdir", "copy")
    assert r.returncode == 3, f"exit {r.returncode}\nstderr: {r.stderr}"
    assert str(copy) in r.stderr and "-wal" in r.stderr, r.stderr
    assert len(log_lines(log)) == lines, "a task ran"


def test_server_start_refuses_a_journal_that_lost_its_wal(tmp_path):
    from cluster_support import Cluster
    c = Cluster(tmp_path, worker_timeout="3s")
    try:
        c.start_server()
        c.start_worker("--cores", "2")
        c.cli("submit", "--array", "1-20", "--name", "s", "--", "true")
        wait_for(lambda: c.api("GET", "/api/v1/server")["counts"].get("succeeded", 0) == 20,
                 what="the tasks to finish")
        c.kill9_server()
        for w in c.workers:
            w.kill()
            w.wait(timeout=RUN_TIMEOUT)
        remove_wal(c.dir / "journal.db")
        err_path = tmp_path / "restart.stderr"
        with open(err_path, "w") as err:
            server = subprocess.Popen(
                [str(bin_dir() / "allot"), "server", "start", "--dir", str(c.dir)],
                stdout=subprocess.DEVNULL, stderr=err, env=c.env)
        try:
            # It must stop at once; one that serves instead writes its pid into access.json.
            wait_for(lambda: server.poll() is not None or c.access()["server"]["pid"] == server.pid,
                     what="the server to refuse or serve")
            rc = server.wait(timeout=5) if server.poll() is None else server.returncode
        except subprocess.TimeoutExpired:
            rc = None
        finally:
            if server.poll() is None:
                server.kill()
                server.wait()
        stderr = err_path.read_text()
        assert rc == 3, f"exit {rc}\nstderr: {stderr}"
        assert str(c.dir / "journal.db") in stderr and "missing" in stderr, stderr
        assert "--accept-journal-loss" in stderr, stderr
    finally:
        c.close()


# --- a busy journal ----------------------------------------------------------------------------

def test_a_write_lock_held_for_seconds_by_the_sqlite3_shell_is_waited_out(allot, tmp_path):
    if shutil.which("sqlite3") is None:
        pytest.skip("no sqlite3 shell")
    go, locked, log = tmp_path / "go", tmp_path / "locked", tmp_path / "runs.log"
    allot.write("tasks.json", [
        {"id": f"t{i}", "command": f"while ! test -e {go}; do sleep 0.02; done; echo t{i} >> {log}"}
        for i in range(6)])
    proc = allot.start("run", "tasks.json", "--cores", "2", "--progress", "plain")
    db = tmp_path / "allot-work" / "allot.db"
    wait_for(lambda: db.exists() and (tmp_path / "allot-work" / "t0").exists(),
             what="the first tasks to start")
    script = tmp_path / "hold.sql"
    # Holds the write lock for 5 s while the tasks end (every end is a commit).
    script.write_text(f"BEGIN EXCLUSIVE;\nSELECT count(*) FROM tasks;\n"
                      f".shell touch {locked}; sleep 5\nCOMMIT;\n")
    with open(script) as sql:
        shell = subprocess.Popen(["sqlite3", str(db)], stdin=sql, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True)
    try:
        wait_for(locked.exists, what="the sqlite3 shell to hold the lock")
        go.touch()
        out, err = shell.communicate(timeout=60)
    finally:
        if shell.poll() is None:
            shell.kill()
            shell.wait()
    assert shell.returncode == 0 and out.strip().startswith("6"), (out, err)
    rc, _, stderr = allot.finish(proc)
    assert rc == 0, stderr
    assert "locked" in stderr, "a log line says what the campaign waits for"
    assert {t["state"] for t in allot.status_json()["tasks"]} == {"succeeded"}
    assert sorted(log_lines(log)) == [f"t{i}" for i in range(6)]


def finished_campaign(allot, tmp_path, n=3):
    log = counting_tasks(allot, tmp_path, n=n, sleep="0")
    r = allot.run("run", "tasks.json", "--cores", "2")
    assert r.returncode == 0, r.stderr
    return tmp_path / "allot-work" / "allot.db", log


def test_resume_under_a_lock_that_outlasts_the_wait_exits_3(allot, tmp_path):
    db, log = finished_campaign(allot, tmp_path)
    holder = sqlite3.connect(str(db), isolation_level=None)
    try:
        holder.execute("BEGIN EXCLUSIVE")
        r = allot.run("run", "tasks.json", "--resume", "--journal-busy-timeout", "1s")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert r.returncode == 3, f"exit {r.returncode}\nstderr: {r.stderr}"
    assert str(db) in r.stderr and "locked" in r.stderr, r.stderr
    assert len(log_lines(log)) == 3
    r = allot.run("run", "tasks.json", "--resume", "--journal-busy-timeout", "bad")
    assert r.returncode == 2 and "--journal-busy-timeout" in r.stderr, r.stderr


# --- damage and full disks ---------------------------------------------------------------------

def damage_id_index(db):
    """Garbage over the (one-page) index of task ids of a closed journal."""
    con = sqlite3.connect(str(db))
    (root,) = con.execute("SELECT rootpage FROM sqlite_master"
                          " WHERE name = 'sqlite_autoindex_tasks_1'").fetchone()
    (page_size,) = con.execute("PRAGMA page_size").fetchone()
    con.close()
    with open(db, "r+b") as f:
        f.seek((root - 1) * page_size)
        f.write(b"\x5a" * page_size)


def test_resume_on_a_damaged_journal_exits_3_and_names_it(allot, tmp_path):
    db, log = finished_campaign(allot, tmp_path)
    damage_id_index(db)
    r = allot.run("run", "tasks.json", "--resume")
    assert r.returncode == 3, f"exit {r.returncode}\nstderr: {r.stderr}"
    assert str(db) in r.stderr and "damaged" in r.stderr, r.stderr
    assert len(log_lines(log)) == 3


def test_journal_check_passes_a_sound_journal_and_fails_a_damaged_one(allot, tmp_path):
    db, _ = finished_campaign(allot, tmp_path)
    r = allot.run("journal", "check", "--workdir", "allot-work")
    assert r.returncode == 0 and "ok (3 tasks" in r.stdout, (r.stdout, r.stderr)
    damage_id_index(db)
    r = allot.run("journal", "check", "--db", str(db))
    assert r.returncode == 3, (r.returncode, r.stdout, r.stderr)
    assert str(db) in r.stdout and "problem" in r.stderr, (r.stdout, r.stderr)
    r = allot.run("journal", "check", "--workdir", "nowhere")
    assert r.returncode == 2 and "nowhere" in r.stderr, r.stderr


@pytest.fixture
def small_fs(tmp_path):
    """A 4 MiB tmpfs of this test's own, removed afterwards (needs root; skipped without)."""
    mnt = tmp_path / "small"
    mnt.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mnt)],
                       capture_output=True, text=True)
    if r.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs: {r.stderr.strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def fill(path):
    """Fills the filesystem holding `path` to the last byte."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        for size in (1 << 20, 4096, 1):
            try:
                while True:
                    os.write(fd, b"\0" * size)
            except OSError:
                pass
    finally:
        os.close(fd)


def test_resume_on_a_full_disk_exits_3(allot, tmp_path, small_fs):
    log = counting_tasks(allot, tmp_path, n=30, sleep="0.1")
    work = small_fs / "work"
    proc = allot.start("run", "tasks.json", "--cores", "2", "--workdir", str(work))
    wait_for(lambda: len(log_lines(log)) >= 4, what="some tasks to have run")
    proc.send_signal(signal.SIGKILL)
    allot.finish(proc, timeout=30)
    wait_until_stable(log)
    fill(small_fs / "filler")

    # SQLite may fit the first commits into space its write-ahead log already has; the
    # journal fails when it needs more, at the start or in the middle of the run.
    r = allot.run("run", "tasks.json", "--resume", "--cores", "2", "--workdir", str(work))
    assert r.returncode == 3, f"exit {r.returncode}\nstderr: {r.stderr}"
    assert str(work / "allot.db") in r.stderr, r.stderr

    os.unlink(small_fs / "filler")
    r = allot.run("run", "tasks.json", "--resume", "--cores", "2", "--workdir", str(work))
    assert r.returncode == 0, r.stderr
    assert {t["state"] for t in allot.status_json(str(work))["tasks"]} == {"succeeded"}


def test_summary_agrees_with_the_journal_after_a_journal_failure(allot, tmp_path, small_fs):
    db = small_fs / "allot.db"
    allot.write("tasks.yaml", f"""\
tasks:
  - id: first
    command: "true"
  - id: filler
    depends_on: first
    command: "dd if=/dev/zero of={small_fs / 'filler'} bs=64k 2>/dev/null; exit 0"
  - id: "after-{{i}}"
    sweep: {{grid: {{i: [{", ".join(str(i) for i in range(40))}]}}}}
    depends_on: filler
    command: "true"
""")
    r = allot.run("run", "tasks.yaml", "--db", str(db), "--cores", "2")
    assert r.returncode == 3, f"exit {r.returncode}\nstderr: {r.stderr}"
    assert "journal" in r.stderr
    summary = summary_of(tmp_path / "allot-work")
    assert summary["journal_error"], summary
    status = allot.run("status", "--db", str(db), "--json")
    assert status.returncode == 0, status.stderr
    counts = json.loads(status.stdout)["counts"]
    for state in ("succeeded", "failed", "skipped", "canceled"):
        assert summary[state] == counts[state], (state, summary, counts)
    assert summary["unfinished"] == sum(counts.values()) - sum(
        counts[s] for s in ("succeeded", "failed", "skipped", "canceled"))


def test_a_journal_of_an_earlier_build_gets_the_held_state_name_at_open(allot, tmp_path):
    allot.write("tasks.json", [{"id": "x", "command": "true"}])
    assert allot.run("run", "tasks.json", "-q").returncode == 0
    db_path = tmp_path / "allot-work" / "allot.db"
    db = sqlite3.connect(db_path)
    db.execute("DELETE FROM states WHERE name = 'held'")  # as a build without it wrote it
    db.commit()
    db.close()
    resumed = allot.run("run", "tasks.json", "--resume", "-q")
    assert resumed.returncode == 0, resumed.stderr
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        names = [n for (n,) in db.execute("SELECT name FROM states ORDER BY id")]
    finally:
        db.close()
    assert names[-1] == "held" and len(names) == 11, names
