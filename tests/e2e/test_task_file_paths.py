"""Relative paths in a task file are the file's: the demo runs from any directory, and the
journal records the resolved paths. A command the shell cannot run (exit 127) fails at once,
and the shell's own words (the last lines of its stderr) are its reason in the run summary and
in `allot status`, text and JSON, embedded and in cluster mode."""

import json
import os
import sqlite3
from pathlib import Path

import pytest

from cluster_support import Cluster
from conftest import summary_of

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "examples" / "demo" / "workflow.yaml"


def test_demo_workflow_runs_from_a_directory_outside_the_repo(allot, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    r = allot.run("run", DEMO, "--workdir", "demo", cwd=elsewhere)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "13 tasks: 13 succeeded" in r.stdout, r.stdout
    result = (elsewhere / "demo" / "aggregate" / "result.txt").read_text()
    assert "energy 10: mean resolution" in result and "over 3 seeds" in result, result
    assert summary_of(elsewhere / "demo")["succeeded"] == 13
    # The journal holds the resolved programs, so a resume (without the file) from yet another
    # directory finds them.
    db = sqlite3.connect(f"file:{elsewhere / 'demo' / 'allot.db'}?mode=ro", uri=True)
    try:
        [(spec,)] = db.execute("SELECT spec FROM tasks WHERE id = 'sim-e5-s2'").fetchall()
    finally:
        db.close()
    assert json.loads(spec)["command"] == f"{DEMO.parent / 'simulate.sh'} 5 2", spec
    again = allot.run("run", "--workdir", elsewhere / "demo", "--resume", cwd=tmp_path)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "13 succeeded" in again.stdout, again.stdout


def write_missing_script_campaign(root):
    campaign = root / "campaign"
    campaign.mkdir()
    (campaign / "tasks.yaml").write_text(
        "defaults: {max_retries: 3, retry_backoff: 1s}\n"
        "tasks:\n"
        "  - {id: ok, command: 'true'}\n"
        "  - {id: sim, command: ./missing-simulate.sh 1 2}\n"
        "  - {id: after, command: 'true', depends_on: [sim]}\n")
    return campaign / "tasks.yaml"


def test_missing_script_shows_the_shells_message_in_summary_and_status(allot, tmp_path):
    tasks = write_missing_script_campaign(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    r = allot.run("run", tasks, "--workdir", "w", cwd=elsewhere)
    assert r.returncode == 1, r.stdout + r.stderr
    missing = str(tmp_path / "campaign" / "missing-simulate.sh")
    # The program was resolved against the file's directory, and the shell says it is not there.
    summary_line = next(line for line in r.stdout.splitlines() if " sim: " in line)
    assert "exit code 127: " in summary_line and missing in summary_line, r.stdout
    assert "not found" in summary_line, r.stdout

    work = elsewhere / "w"
    text = allot.run("status", "--workdir", work, "sim")
    assert text.returncode == 0, text.stderr
    assert "exit code 127: " in text.stdout and missing + ": not found" in text.stdout, text.stdout
    status = allot.status_json(str(work))
    sim = next(t for t in status["tasks"] if t["id"] == "sim")
    assert sim["state"] == "failed"
    assert sim["attempts"] == 1  # not retried
    assert missing + ": not found" in sim["reason"], sim
    assert sim["reason"].startswith("exit code 127: "), sim


@pytest.fixture
def cluster(tmp_path):
    c = Cluster(tmp_path)
    c.start_server()
    c.start_worker()
    yield c
    c.close()


def test_submitted_file_resolves_against_its_directory_and_shows_the_stderr_tail(cluster,
                                                                                tmp_path):
    c = cluster
    tasks = write_missing_script_campaign(tmp_path)
    script = tmp_path / "campaign" / "present.sh"
    script.write_text("#!/bin/sh\necho present\n")
    script.chmod(0o755)
    with tasks.open("a") as f:
        f.write("  - {id: present, command: ./present.sh}\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    c.cli("submit", os.path.relpath(tasks, elsewhere), cwd=elsewhere)
    c.wait_state("present", "succeeded")
    c.wait_state("sim", "failed")
    missing = str(tmp_path / "campaign" / "missing-simulate.sh")
    [attempt] = c.task("sim")["attempts"]  # not retried
    assert attempt["reason"].startswith("exit code 127: "), attempt
    assert missing + ": not found" in attempt["reason"], attempt
    for args in (("status",), ("status", "sim"), ("status", "--json"), ("status", "sim", "--json")):
        out = c.cli(*args).stdout
        assert missing + ": not found" in out, (args, out)
