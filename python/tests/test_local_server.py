"""allot.LocalServer: a private server and worker on this machine (the optimizer drivers'
default), stopped with everything it started, also when it cannot start."""

import os

import pytest

import allot


def test_a_local_server_that_cannot_start_its_worker_leaves_no_process(tmp_path):
    server = allot.LocalServer(tmp_path / "server", cores=100000)  # more than any machine
    with pytest.raises(allot.AllotError, match="allot worker exited with 2"):
        server.start()
    left = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmdline = open(f"/proc/{pid}/cmdline", "rb").read().decode(errors="replace")
        except OSError:
            continue
        if str(tmp_path / "server") in cmdline:
            left.append(cmdline.replace("\0", " "))
    assert not left


def test_a_local_server_resumes_its_journal_when_started_again(tmp_path):
    with allot.LocalServer(tmp_path / "server") as client:
        client.submit([{"id": "once", "command": "true"}])
        client.wait(["once"], timeout=60)
    with allot.LocalServer(tmp_path / "server") as client:
        [t] = client.status(["once"])
        assert t.state == "succeeded" and t.attempt == 1
