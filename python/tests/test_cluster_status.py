"""`allot cluster-status TASK`, the one word Snakemake 7's --cluster-status wants, against a
real server: running, success or failed (an unknown task too)."""

import subprocess

import allot
from conftest import wait_for


def word(binary, server_dir, task):
    p = subprocess.run([binary, "cluster-status", task, "--server-dir", str(server_dir)],
                       capture_output=True, text=True, timeout=30)
    assert p.returncode == 0, p.stderr
    return p.stdout


def test_cluster_status_prints_one_word_per_state(tmp_path):
    binary = allot.find_binary()
    gate = tmp_path / "gate"
    with allot.LocalServer(tmp_path / "server") as client:
        client.submit([{"id": "ok", "command": "true"}, {"id": "bad", "command": "exit 3"},
                       {"id": "slow", "command": f"while [ ! -e {gate} ]; do sleep 0.1; done"},
                       {"id": "after", "command": "true", "depends_on": ["bad"]}])
        wait_for(lambda: {t.id: t.state for t in client.status(["ok", "bad", "after"])}
                 == {"ok": "succeeded", "bad": "failed", "after": "skipped"})
        assert word(binary, tmp_path / "server", "ok") == "success\n"
        assert word(binary, tmp_path / "server", "bad") == "failed\n"
        assert word(binary, tmp_path / "server", "after") == "failed\n"
        assert word(binary, tmp_path / "server", "slow") == "running\n"
        assert word(binary, tmp_path / "server", "no-such-task") == "failed\n"
        gate.touch()
        wait_for(lambda: client.status(["slow"])[0].state == "succeeded")
        assert word(binary, tmp_path / "server", "slow") == "success\n"
