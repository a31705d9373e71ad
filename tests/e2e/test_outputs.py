"""Declared outputs (`outputs:` and `validate:`): a stage whose product is missing or fails its
validation fails before the next stage runs on it; what a stage produced is journaled with its
size and SHA-256, and its dependents get it as $ALLOT_INPUTS and {dep.outputs}, after a
--resume and through a server's workers too."""

import hashlib

from cluster_support import Cluster
from conftest import event_json_column

WORKFLOW = """
tasks:
  - id: "gen-{n}"
    sweep: {grid: {n: [1, 2, 3]}}
    workdir: "runs/{n}"
    command: "mkdir -p data && seq {n} 100 > 'data/part {n}.txt' && echo {n} > meta.json"
    outputs: ["data/*.txt", meta.json]
    validate: 'test "$(wc -l < "data/part {n}.txt")" -gt 90 && printf "%s\\n" "$ALLOT_OUTPUTS" > checked.txt'
  - id: merge
    depends_on: ["gen-*"]
    workdir: .
    command: "test -f go && cat {dep.outputs} > merged.txt && printf '%s\\n' \\"$ALLOT_INPUTS\\" > inputs.txt"
    outputs: merged.txt
"""


def manifests(db_path):
    return event_json_column(db_path, "outputs")


def expected_inputs(root):
    files = []
    for n in (1, 2, 3):
        files += [str(root / f"runs/{n}/data/part {n}.txt"), str(root / f"runs/{n}/meta.json")]
    return files


def test_outputs_are_checked_journaled_and_reach_the_next_stage_also_after_resume(allot,
                                                                                  tmp_path):
    f = allot.write("wf.yaml", WORKFLOW)
    r = allot.run("run", f)
    assert r.returncode == 1, r.stderr  # merge fails: no ./go yet
    # The validation ran in the task's directory with the matched files.
    assert (tmp_path / "runs/2/checked.txt").read_text().splitlines() == [
        str(tmp_path / "runs/2/data/part 2.txt"), str(tmp_path / "runs/2/meta.json")]
    produced = manifests(tmp_path / "allot-work/allot.db")
    assert sorted(produced) == ["gen-1", "gen-2", "gen-3"]
    for entry in produced["gen-3"]:
        data = open(entry["path"], "rb").read()
        assert entry["size"] == len(data)
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()

    # A new run of the failed stage gets what the earlier run's producers made (journal).
    (tmp_path / "go").write_text("")
    r = allot.run("run", f, "--resume", "--retry-failed")
    assert r.returncode == 0, r.stderr
    inputs = expected_inputs(tmp_path)
    assert (tmp_path / "inputs.txt").read_text().splitlines() == inputs
    assert (tmp_path / "merged.txt").read_text() == "".join(open(p).read() for p in inputs)
    merge = allot.status_json("allot-work", "merge")["tasks"][0]
    last = merge["attempt_details"][-1]
    assert [o["path"] for o in last["outputs"]] == [str(tmp_path / "merged.txt")]
    text = allot.run("status", "merge").stdout
    assert "outputs:\n  " + str(tmp_path / "merged.txt") in text, text


def test_a_missing_output_or_a_failed_validation_fails_the_stage_and_skips_what_follows(
        allot, tmp_path):
    f = allot.write("wf.yaml", """
tasks:
  - id: truncated
    command: "echo partial > out.part"
    outputs: [result.h5]
  - id: invalid
    command: "echo x > out.dat"
    outputs: out.dat
    validate: "echo 'out.dat: bad magic number' >&2; exit 3"
    max_retries: 1
    retry_backoff: {initial: 0s}
  - id: next
    depends_on: [truncated, invalid]
    command: "touch ran"
""")
    r = allot.run("run", f)
    assert r.returncode == 1
    states = allot.task_states()
    work = tmp_path / "allot-work"
    assert states["truncated"]["state"] == "failed"
    assert states["truncated"]["reason"] == (
        f"declared output 'result.h5' is missing (nothing matches {tmp_path}/result.h5)")
    assert states["invalid"]["state"] == "failed"
    assert states["invalid"]["reason"] == (
        "its validation failed (exit code 3: out.dat: bad magic number) (after 2 attempts)")
    assert (work / "invalid/validate.stderr").read_text() == "out.dat: bad magic number\n"
    assert states["next"]["state"] == "skipped"
    assert not (work / "next/ran").exists()
    assert manifests(work / "allot.db") == {}


def test_bad_outputs_fields_exit_2_naming_the_field_and_run_nothing(allot, tmp_path):
    f = allot.write("bad.yaml", "tasks:\n  - id: a\n    command: 'touch x'\n"
                    "    outputs: []\n    validate: 7\n")
    r = allot.run("run", f)
    assert r.returncode == 2
    assert "bad.yaml:4: task 'a': field 'outputs': must name at least one path" in r.stderr
    assert "bad.yaml:5: task 'a': field 'validate': must be a non-empty shell command" in r.stderr
    assert not (tmp_path / "allot-work").exists() and not (tmp_path / "x").exists()


def test_a_servers_workers_check_outputs_and_pass_them_on(allot, tmp_path):
    c = Cluster(tmp_path)
    c.start_server()
    c.start_worker("--cores", "2")
    try:
        (tmp_path / "go").write_text("")
        f = allot.write("wf.yaml", WORKFLOW)
        c.cli("submit", f)
        c.wait_state("merge", "succeeded", timeout=60)
        inputs = expected_inputs(tmp_path)
        assert (tmp_path / "inputs.txt").read_text().splitlines() == inputs
        task = c.task("merge")
        assert [o["path"] for o in task["attempts"][-1]["outputs"]] == [
            str(tmp_path / "merged.txt")]
        produced = manifests(c.dir / "journal.db")
        assert sorted(produced) == ["gen-1", "gen-2", "gen-3", "merge"]
    finally:
        c.close()
