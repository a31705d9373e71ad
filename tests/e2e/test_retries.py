"""Retries with backoff keep every attempt's output; a task failing for good skips its
dependents, each with a reason naming the dependency."""

from conftest import summary_of, yaml_str


def test_retry_until_success_keeps_earlier_output(allot, tmp_path):
    state = tmp_path / "flaky.state"
    allot.write("tasks.yaml", f"""\
tasks:
  - id: flaky
    command: {yaml_str(allot.tt("--print-env", "ALLOT_ATTEMPT", "--print-env",
                                "ALLOT_EXECUTION_ID", "--stderr-bytes", "10",
                                "--fail-first", "2", "--state-file", state))}
    max_retries: 3
    retry_backoff: 0.1s
  - id: after
    depends_on: flaky
    command: {yaml_str(allot.tt())}
""")
    r = allot.run("run", "tasks.yaml", "--cores", "1")
    assert r.returncode == 0, r.stderr
    states = allot.task_states()
    assert states["flaky"]["state"] == "succeeded"
    assert states["flaky"]["attempts"] == 3
    assert states["flaky"]["exit_code"] == 0
    assert states["after"]["state"] == "succeeded"
    d = tmp_path / "allot-work" / "flaky"
    assert (d / "stdout.1").read_text() == "ALLOT_ATTEMPT=1\nALLOT_EXECUTION_ID=flaky@1\n"
    assert (d / "stdout.2").read_text() == "ALLOT_ATTEMPT=2\nALLOT_EXECUTION_ID=flaky@2\n"
    assert (d / "stdout").read_text() == "ALLOT_ATTEMPT=3\nALLOT_EXECUTION_ID=flaky@3\n"
    for name in ("stderr.1", "stderr.2", "stderr"):
        assert len((d / name).read_text()) == 10, name
    assert not (d / "stdout.3").exists()
    assert state.read_text().strip() == "2"


def test_backoff_object_form(allot, tmp_path):
    state = tmp_path / "flaky.state"
    allot.write("tasks.yaml", f"""\
defaults:
  retry_backoff: {{initial: 0.1s, factor: 2, max: 0.2s}}
tasks:
  - id: flaky
    command: {yaml_str(allot.tt("--fail-first", "3", "--state-file", state))}
    max_retries: 3
""")
    r = allot.run("run", "tasks.yaml", "--cores", "1")
    assert r.returncode == 0, r.stderr
    assert allot.task_states()["flaky"]["attempts"] == 4


def test_failure_for_good_skips_dependents(allot, tmp_path):
    state = tmp_path / "bad.state"
    allot.write("tasks.yaml", f"""\
tasks:
  - id: bad
    command: {yaml_str(allot.tt("--fail-first", "5", "--state-file", state))}
    max_retries: 1
    retry_backoff: 0.1s
  - id: child
    depends_on: [bad]
    command: {yaml_str(allot.tt("--touch", tmp_path / "child-ran"))}
  - id: grandchild
    depends_on: child
    command: {yaml_str(allot.tt("--touch", tmp_path / "grandchild-ran"))}
  - id: independent
    command: {yaml_str(allot.tt())}
""")
    r = allot.run("run", "tasks.yaml", "--cores", "1")
    assert r.returncode == 1, r.stderr
    assert not (tmp_path / "child-ran").exists()
    assert not (tmp_path / "grandchild-ran").exists()

    states = allot.task_states()
    assert states["bad"]["state"] == "failed"
    assert states["bad"]["attempts"] == 2
    assert states["bad"]["exit_code"] == 1
    assert states["child"]["state"] == "skipped"
    assert "bad" in states["child"]["reason"], states["child"]
    assert states["child"]["attempts"] == 0
    assert states["grandchild"]["state"] == "skipped"
    assert "child" in states["grandchild"]["reason"], states["grandchild"]
    assert states["independent"]["state"] == "succeeded"
    assert (tmp_path / "allot-work" / "bad" / "stdout.1").exists()

    summary = summary_of(tmp_path / "allot-work")
    assert (summary["tasks"], summary["succeeded"], summary["failed"], summary["skipped"]) == (
        4, 1, 1, 2)
    unsuccessful = {u["id"]: u for u in summary["unsuccessful"]}
    assert set(unsuccessful) == {"bad", "child", "grandchild"}
    assert unsuccessful["bad"]["state"] == "failed"
    assert unsuccessful["child"]["state"] == "skipped"
    assert "bad" in unsuccessful["child"]["reason"]
    assert "1 failed" in r.stdout and "2 skipped" in r.stdout


def test_killed_by_signal_is_a_failure(allot, tmp_path):
    allot.write("tasks.yaml", f"""\
tasks:
  - id: crash
    command: {yaml_str(allot.tt("--signal", "SEGV"))}
""")
    r = allot.run("run", "tasks.yaml", "--cores", "1")
    assert r.returncode == 1, r.stderr
    t = allot.task_states()["crash"]
    assert (t["state"], t["signal"], t["timed_out"]) == ("failed", 11, False)
    assert t["exit_code"] is None, "killed by a signal: no exit code"


def test_a_command_that_cannot_run_is_not_retried(allot, tmp_path):
    script = tmp_path / "not-executable.sh"
    script.write_text("#!/bin/sh\necho hi\n")
    allot.write("tasks.json", [
        {"id": "missing", "command": "./no-such-simulator --seed 1", "max_retries": 3},
        {"id": "denied", "command": str(script), "max_retries": 3},
    ])
    r = allot.run("run", "tasks.json")
    assert r.returncode == 1, r.stderr
    states = allot.task_states()
    assert states["missing"]["state"] == "failed" and states["missing"]["attempts"] == 1
    assert states["denied"]["state"] == "failed" and states["denied"]["attempts"] == 1
    # The shell's own words (the last lines of stderr) say why.
    missing = next(line for line in r.stdout.splitlines() if " missing: " in line)
    assert missing.startswith("  failed   missing: exit code 127: "), r.stdout
    assert missing.endswith(f"{tmp_path}/no-such-simulator: not found (not retried)"), r.stdout
    denied = next(line for line in r.stdout.splitlines() if " denied: " in line)
    assert denied.startswith("  failed   denied: exit code 126: "), r.stdout
    assert denied.endswith(f"{script}: Permission denied (not retried)"), r.stdout
