"""Shared helpers for the end-to-end tests of `allot run` and `allot status`.

The binaries come from $ALLOT_BIN_DIR (CTest sets it to <build>/bin), else
/work/main/build-e2e/bin. Every test runs allot in its own tmp_path. Nothing here sleeps for a
fixed time to let something happen: helpers poll for a condition with a generous deadline, so
the suite holds on a loaded 2-core machine.
"""

import hashlib
import json
import os
import shlex
import shutil
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

DEFAULT_BIN_DIR = "/work/main/build-e2e/bin"
# Generous: a loaded 2-core machine may be slow, but a hang must still end the test.
RUN_TIMEOUT = 120
WAIT_TIMEOUT = 30


def bin_dir():
    return Path(os.environ.get("ALLOT_BIN_DIR") or DEFAULT_BIN_DIR)


def wait_for(condition, timeout=WAIT_TIMEOUT, interval=0.05, what="condition"):
    """Polls `condition` until it returns a truthy value, which is returned."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def pid_alive(pid):
    """True while `pid` exists and is not a zombie (a zombie has stopped running; in a container
    nobody may reap it, so it counts as gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
    except (FileNotFoundError, ProcessLookupError):
        return False
    # "pid (comm) S ...": the state follows the last ')'.
    state = stat[stat.rfind(")") + 2:][:1]
    return state not in ("Z", "X")


def wait_gone(pids, timeout=WAIT_TIMEOUT):
    wait_for(lambda: not any(pid_alive(p) for p in pids), timeout=timeout,
             what=f"processes {pids} to be gone (alive: {[p for p in pids if pid_alive(p)]})")


def read_pid(path):
    text = Path(path).read_text().strip()
    return int(text)


def sha256_of(path):
    p = Path(path)
    if not p.exists():
        return None
    return hashlib.sha256(p.read_bytes()).hexdigest()


def journal_fingerprint(db):
    """What the journal says, read from a copy of its files (so reading cannot change them),
    and the bytes of the main file. Equal fingerprints: the journal is unchanged."""
    db = Path(db)
    assert db.exists(), f"no journal at {db}"
    snap = Path(str(db) + ".e2e-snapshot")
    shutil.rmtree(snap, ignore_errors=True)
    snap.mkdir()
    try:
        for suffix in ("", "-wal"):
            src = Path(str(db) + suffix)
            if src.exists():
                shutil.copyfile(src, snap / ("j.db" + suffix))
        con = sqlite3.connect(str(snap / "j.db"))
        try:
            rows = {}
            for (table,) in con.execute(
                    "SELECT name FROM sqlite_master WHERE type='table' ORDER BY name"):
                rows[table] = con.execute(f'SELECT * FROM "{table}" ORDER BY 1').fetchall()
        finally:
            con.close()
    finally:
        shutil.rmtree(snap, ignore_errors=True)
    wal = Path(str(db) + "-wal")
    wal_bytes = sha256_of(wal) if wal.exists() and wal.stat().st_size > 0 else None
    return {"rows": rows, "db_sha256": sha256_of(db), "wal_sha256": wal_bytes}


def event_json_column(db_path, column):
    """{task id: decoded JSON} of an events column (outputs, result) where it is set; the last
    event that sets it wins. Read-only."""
    db = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        return {t: json.loads(v) for t, v in db.execute(
            f"SELECT task_id, {column} FROM task_events WHERE {column} IS NOT NULL ORDER BY seq")}
    finally:
        db.close()


def yaml_str(s):
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(s)


class Allot:
    """Runs the allot binary in one test's directory."""

    def __init__(self, cwd, tracker):
        self.cwd = Path(cwd)
        self.bin = bin_dir() / "allot"
        self.test_task = bin_dir() / "allot-test-task"
        self._tracker = tracker

    # Commands for task files ------------------------------------------------------------------
    def tt(self, *args):
        """A shell command line running allot-test-task with `args`."""
        return " ".join([shlex.quote(str(self.test_task))] + [shlex.quote(str(a)) for a in args])

    # Files --------------------------------------------------------------------------------------
    def write(self, name, content):
        path = self.cwd / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if not isinstance(content, str):
            content = json.dumps(content, indent=2) + "\n"
        path.write_text(content)
        return path

    # Processes ----------------------------------------------------------------------------------
    def run(self, *args, timeout=RUN_TIMEOUT, cwd=None):
        """Runs `allot ARGS` to completion; returns the CompletedProcess (text)."""
        cmd = [str(self.bin)] + [str(a) for a in args]
        try:
            return subprocess.run(cmd, cwd=cwd or self.cwd, capture_output=True, text=True,
                                  timeout=timeout, start_new_session=True)
        except subprocess.TimeoutExpired as e:
            raise AssertionError(f"`{shlex.join(cmd)}` did not finish in {timeout}s\n"
                                 f"stdout: {e.stdout}\nstderr: {e.stderr}") from None

    def start(self, *args, cwd=None):
        """Starts `allot ARGS` in the background (own session); output goes to files."""
        cmd = [str(self.bin)] + [str(a) for a in args]
        n = len(self._tracker.procs)
        out = open(self.cwd / f"allot-{n}.stdout", "w+")
        err = open(self.cwd / f"allot-{n}.stderr", "w+")
        proc = subprocess.Popen(cmd, cwd=cwd or self.cwd, stdout=out, stderr=err,
                                start_new_session=True)
        proc.out_file, proc.err_file, proc.cmd = out, err, cmd
        self._tracker.procs.append(proc)
        return proc

    def finish(self, proc, timeout=RUN_TIMEOUT):
        """Waits for a started allot; returns (returncode, stdout, stderr)."""
        try:
            rc = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"`{shlex.join(proc.cmd)}` did not finish in {timeout}s; "
                                 f"stderr so far:\n{self.output(proc)[1]}") from None
        out, err = self.output(proc)
        return rc, out, err

    @staticmethod
    def output(proc):
        proc.out_file.flush()
        proc.err_file.flush()
        proc.out_file.seek(0)
        proc.err_file.seek(0)
        return proc.out_file.read(), proc.err_file.read()

    def track_pidfile(self, path):
        """Remembers a task pidfile so teardown kills what a failing test left behind."""
        self._tracker.pidfiles.append(Path(path))

    # Status -------------------------------------------------------------------------------------
    def status_json(self, workdir="allot-work", *ids, extra=()):
        r = self.run("status", "--workdir", workdir, "--json", *extra, *ids, timeout=60)
        assert r.returncode == 0, f"allot status --json failed ({r.returncode}): {r.stderr}"
        return json.loads(r.stdout)

    def task_states(self, workdir="allot-work"):
        return {t["id"]: t for t in self.status_json(workdir)["tasks"]}


def summary_of(workdir):
    return json.loads((Path(workdir) / "summary.json").read_text())


class _Tracker:
    def __init__(self):
        self.procs = []
        self.pidfiles = []

    def cleanup(self):
        for proc in self.procs:
            if proc.poll() is None:
                proc.kill()
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    pass
            proc.out_file.close()
            proc.err_file.close()
        # Task processes this test started (identified by their pidfiles) that outlived allot.
        for pidfile in self.pidfiles:
            for path in (pidfile, Path(str(pidfile) + ".grandchild")):
                try:
                    pid = read_pid(path)
                except (OSError, ValueError):
                    continue
                try:
                    cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
                except OSError:
                    continue
                if b"allot-test-task" in cmdline and pid_alive(pid):
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass


@pytest.fixture(scope="session", autouse=True)
def _binaries():
    for name in ("allot", "allot-test-task"):
        path = bin_dir() / name
        if not os.access(path, os.X_OK):
            pytest.exit(f"{path} is missing: build it first (cmake --build <build> --target "
                        f"allot allot-test-task) or set ALLOT_BIN_DIR", returncode=2)


@pytest.fixture
def allot(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    tracker = _Tracker()
    a = Allot(tmp_path, tracker)
    yield a
    tracker.cleanup()
