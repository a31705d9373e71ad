"""What can hold secrets (the journal keeps each task's command and env, task output whatever
the task prints) is its owner's alone, whatever the umask and whatever mode a directory that
was already there had; the tasks' own files keep the user's umask."""

import json
import os
import stat
import subprocess
from pathlib import Path

import pytest

from cluster_support import Cluster
from conftest import RUN_TIMEOUT, bin_dir, wait_for

NOBODY = 65534
as_root = pytest.mark.skipif(os.geteuid() != 0, reason="needs root to act as another user")


@pytest.fixture
def umask():
    """Sets the umask the test's allot processes inherit; restores the old one after."""
    old = os.umask(0o022)
    os.umask(old)
    yield lambda mask: os.umask(mask)
    os.umask(old)


def mode(path):
    return stat.S_IMODE(os.stat(path).st_mode)


def modes(paths):
    return {str(p): oct(mode(p)) for p in paths}


def unreadable_by_nobody(path):
    """True when user `nobody` cannot read `path` (a real open, not a mode computation)."""
    p = subprocess.run(["cat", str(path)], user=NOBODY, capture_output=True)
    return p.returncode != 0


# The task prints its secret, writes a file of its own, and waits until told to end.
def secret_task(go):
    return (f"echo $API_KEY; echo err >&2; echo mine > own.txt; mkdir own-dir; "
            f"while [ ! -e {go} ]; do sleep 0.05; done")


def test_server_files_are_private_in_a_preexisting_0755_directory(tmp_path, umask):
    umask(0o022)
    c = Cluster(tmp_path)
    c.dir.mkdir()
    os.chmod(c.dir, 0o755)
    (c.dir / "output").mkdir()
    os.chmod(c.dir / "output", 0o755)
    go = tmp_path / "go"
    own = tmp_path / "task-workdir"  # where the task writes its own files
    own.mkdir()
    try:
        c.start_server()
        c.start_worker("--cores", "1")
        c.cli("submit", "--name", "secret", "--env", "API_KEY=hunter2", "--workdir", own, "--",
              "sh", "-c", secret_task(go))
        task_dir = c.dir / "output" / "secret"
        wait_for(lambda: (own / "own-dir").exists(), what="the task to write its files")
        journal = c.dir / "journal.db"
        private_dirs = [c.dir, c.dir / "output", task_dir]
        private_files = [journal, Path(f"{journal}-wal"), Path(f"{journal}-shm"),
                         c.dir / "access.json", task_dir / "stdout", task_dir / "stderr"]
        assert modes(private_dirs) == {str(p): oct(0o700) for p in private_dirs}
        assert modes(private_files) == {str(p): oct(0o600) for p in private_files}
        # The task's own files: the user's umask, untouched.
        assert mode(own / "own.txt") == 0o644
        assert mode(own / "own-dir") == 0o755
        if os.geteuid() == 0:
            for path in (journal, Path(f"{journal}-wal"), task_dir / "stdout"):
                assert unreadable_by_nobody(path), path
        go.touch()
        c.wait_state("secret", "succeeded")
        assert (task_dir / "stdout").read_text() == "hunter2\n"
    finally:
        go.touch()
        c.close()


@as_root
def test_server_refuses_a_directory_of_another_user_and_changes_nothing(tmp_path):
    c = Cluster(tmp_path)
    c.dir.mkdir()
    os.chmod(c.dir, 0o755)
    os.chown(c.dir, NOBODY, NOBODY)
    p = subprocess.run([str(bin_dir() / "allot"), "server", "start", "--dir", str(c.dir)],
                       capture_output=True, text=True, timeout=RUN_TIMEOUT)
    assert p.returncode == 2, p.stderr
    assert str(c.dir) in p.stderr, p.stderr
    assert f"owned by uid {NOBODY}" in p.stderr, p.stderr
    assert list(c.dir.iterdir()) == []
    assert mode(c.dir) == 0o755
    assert os.stat(c.dir).st_uid == NOBODY


def test_allot_run_journal_and_task_output_are_private(tmp_path, umask, allot):
    umask(0o022)
    work = tmp_path / "work"
    work.mkdir()
    os.chmod(work, 0o755)
    go = tmp_path / "go"
    own = tmp_path / "task-workdir"  # where the task writes its own files
    own.mkdir()
    allot.write("tasks.json", [{"id": "secret", "command": secret_task(go),
                                "env": {"API_KEY": "hunter2"}, "workdir": str(own)}])
    proc = allot.start("run", "tasks.json", "--workdir", work, "--progress", "none")
    try:
        task_dir = work / "secret"
        wait_for(lambda: (own / "own-dir").exists(), what="the task to write its files")
        journal = work / "allot.db"
        private_files = [journal, Path(f"{journal}-wal"), Path(f"{journal}-shm"),
                         task_dir / "stdout", task_dir / "stderr"]
        assert modes([task_dir]) == {str(task_dir): oct(0o700)}
        assert modes(private_files) == {str(p): oct(0o600) for p in private_files}
        assert mode(own / "own.txt") == 0o644
        assert mode(own / "own-dir") == 0o755
        if os.geteuid() == 0:
            for path in (journal, task_dir / "stdout"):
                assert unreadable_by_nobody(path), path
    finally:
        go.touch()
    rc, _, err = allot.finish(proc)
    assert rc == 0, err
    assert (task_dir / "stdout").read_text() == "hunter2\n"


def test_tasks_create_their_own_files_with_the_users_umask(tmp_path, umask, allot):
    umask(0o027)
    # workdir ".": the task file's directory (without one, an array task runs in its task
    # directory, as pilot.py runs it).
    allot.write("tasks.json", [{"id": "own", "command": "echo mine > own.txt; mkdir own-dir",
                                "workdir": "."}])
    r = allot.run("run", "tasks.json", "--progress", "none")
    assert r.returncode == 0, r.stderr
    # A task runs where its task file is when it says so.
    assert mode(tmp_path / "own.txt") == 0o640
    assert mode(tmp_path / "own-dir") == 0o750
    task_dir = tmp_path / "allot-work" / "own"
    assert mode(task_dir / "stdout") == 0o600
    assert mode(task_dir) == 0o700
