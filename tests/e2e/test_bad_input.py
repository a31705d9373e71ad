"""Bad input exits 2 with a message naming the place (file:line, field or task id), runs
nothing, and leaves the journal unchanged (or does not create it)."""

import json
import re

import pytest

from conftest import journal_fingerprint


def line_of(text, needle, nth=1):
    """1-based line of the nth occurrence of `needle` in `text`."""
    pos = -1
    for _ in range(nth):
        pos = text.index(needle, pos + 1)
    return text.count("\n", 0, pos) + 1


def assert_bad_input(allot, tmp_path, r, *needles):
    assert r.returncode == 2, f"exit {r.returncode}, expected 2\nstderr: {r.stderr}"
    assert r.stderr.strip(), "bad input must be explained on stderr"
    for needle in needles:
        if isinstance(needle, re.Pattern):
            assert needle.search(r.stderr), f"{needle.pattern!r} not in stderr:\n{r.stderr}"
        else:
            assert needle in r.stderr, f"{needle!r} not in stderr:\n{r.stderr}"
    assert not (tmp_path / "allot-work" / "allot.db").exists(), "a journal was created"
    assert not (tmp_path / "ran").exists(), "a task ran"
    assert not (tmp_path / "allot-work" / "summary.json").exists()


# --- task files ------------------------------------------------------------------------------

def one_line_json(tasks):
    """A JSON array with one task per line (line 1 is '[', task i is on line i + 2)."""
    return "[\n" + ",\n".join("  " + json.dumps(t) for t in tasks) + "\n]\n"


def ok_task(allot, tmp_path, tid="ok"):
    return {"id": tid, "command": allot.tt("--touch", tmp_path / "ran")}


def test_malformed_json_names_the_line(allot, tmp_path):
    text = ('[\n'
            f'  {json.dumps(ok_task(allot, tmp_path))},\n'
            '  {"id": "b" "command": "true"}\n'
            ']\n')
    allot.write("tasks.json", text)
    r = allot.run("run", "tasks.json")
    assert_bad_input(allot, tmp_path, r, "tasks.json:3")


def test_malformed_yaml_names_the_line(allot, tmp_path):
    text = ("tasks:\n"
            "  - id: ok\n"
            f"    command: {json.dumps(ok_task(allot, tmp_path)['command'])}\n"
            "  - id: b\n"
            "     bad: indent: here\n"
            "  - id: c\n"
            "    command: 'true'\n")
    allot.write("tasks.yaml", text)
    r = allot.run("run", "tasks.yaml")
    assert_bad_input(allot, tmp_path, r, "tasks.yaml:5")


def test_unknown_field_suggests_the_right_one(allot, tmp_path):
    # A workflow document: in a bare array (the allocation-scheduler format) an unknown field
    # is a warning, as pilot.py ignores it (test_pilot_files.py).
    tasks = [ok_task(allot, tmp_path), {"id": "b", "command": "true", "priorty": 3}]
    allot.write("tasks.json", '{"tasks": ' + one_line_json(tasks).rstrip("\n") + "}\n")
    r = allot.run("run", "tasks.json")
    assert_bad_input(allot, tmp_path, r, "tasks.json:3", "'b'", "priorty",
                     re.compile(r"did you mean '?priority'?"))


def test_unknown_field_in_yaml_names_its_line(allot, tmp_path):
    text = ("defaults:\n"
            "  cores: 1\n"
            "tasks:\n"
            "  - id: ok\n"
            f"    command: {json.dumps(ok_task(allot, tmp_path)['command'])}\n"
            "  - id: sim\n"
            "    command: 'true'\n"
            "    coers: 2\n")
    allot.write("tasks.yaml", text)
    r = allot.run("run", "tasks.yaml")
    assert_bad_input(allot, tmp_path, r, "tasks.yaml:8", "'sim'", "coers",
                     re.compile(r"did you mean '?cores'?"))


def test_duplicate_id(allot, tmp_path):
    tasks = [ok_task(allot, tmp_path, "a"), {"id": "x", "command": "true"},
             {"id": "a", "command": "true"}]
    allot.write("tasks.json", one_line_json(tasks))
    r = allot.run("run", "tasks.json")
    assert_bad_input(allot, tmp_path, r, "tasks.json:4", "'a'", re.compile("duplicate", re.I))


def test_duplicate_id_from_a_sweep(allot, tmp_path):
    text = ("tasks:\n"
            "  - id: ok\n"
            f"    command: {json.dumps(ok_task(allot, tmp_path)['command'])}\n"
            "  - id: 'sim-{n}'\n"
            "    command: 'true'\n"
            "    sweep: {grid: {n: [0, 3, 0]}}\n")
    allot.write("tasks.yaml", text)
    r = allot.run("run", "tasks.yaml")
    assert_bad_input(allot, tmp_path, r, "tasks.yaml:", "sim-0", re.compile("duplicate", re.I))


def test_unknown_dependency(allot, tmp_path):
    tasks = [ok_task(allot, tmp_path), {"id": "b", "command": "true", "depends_on": ["nope"]}]
    doc = {"tasks": tasks}
    text = ('{"tasks": [\n'
            + ",\n".join("  " + json.dumps(t) for t in doc["tasks"]) + "\n]}\n")
    allot.write("tasks.json", text)
    r = allot.run("run", "tasks.json")
    assert_bad_input(allot, tmp_path, r, "tasks.json:3", "'b'", "nope")


def test_dependency_pattern_matching_nothing(allot, tmp_path):
    text = ("tasks:\n"
            "  - id: ok\n"
            f"    command: {json.dumps(ok_task(allot, tmp_path)['command'])}\n"
            "  - id: agg\n"
            "    command: 'true'\n"
            "    depends_on: ['sim-*']\n")
    allot.write("tasks.yaml", text)
    r = allot.run("run", "tasks.yaml")
    assert_bad_input(allot, tmp_path, r, "tasks.yaml:", "'agg'", "sim-*")


def test_cycle_is_printed(allot, tmp_path):
    text = ("tasks:\n"
            "  - id: ok\n"
            f"    command: {json.dumps(ok_task(allot, tmp_path)['command'])}\n"
            "  - {id: a, command: 'true', depends_on: c}\n"
            "  - {id: b, command: 'true', depends_on: a}\n"
            "  - {id: c, command: 'true', depends_on: [b]}\n")
    allot.write("tasks.yaml", text)
    r = allot.run("run", "tasks.yaml")
    # The cycle as a path, starting anywhere, in either direction (depends-on or runs-before):
    # a -> c -> b -> a, c -> b -> a -> c, ..., or a -> b -> c -> a, ...
    rotations = ["a -> c -> b -> a", "c -> b -> a -> c", "b -> a -> c -> b",
                 "a -> b -> c -> a", "b -> c -> a -> b", "c -> a -> b -> c"]
    assert_bad_input(allot, tmp_path, r, "tasks.yaml:", re.compile("cycle", re.I),
                     re.compile("|".join(rf"\b{c}\b" for c in rotations)))


def test_request_larger_than_the_machine(allot, tmp_path):
    tasks = [ok_task(allot, tmp_path), {"id": "huge", "command": "true", "cores": 64}]
    allot.write("tasks.json", one_line_json(tasks))
    r = allot.run("run", "tasks.json", "--cores", "2")
    assert_bad_input(allot, tmp_path, r, "tasks.json:3", "'huge'", "64")


def test_memory_larger_than_given(allot, tmp_path):
    text = ("tasks:\n"
            "  - id: ok\n"
            f"    command: {json.dumps(ok_task(allot, tmp_path)['command'])}\n"
            "  - id: big\n"
            "    command: 'true'\n"
            "    memory: 4G\n")
    allot.write("tasks.yaml", text)
    r = allot.run("run", "tasks.yaml", "--memory", "1G")
    assert_bad_input(allot, tmp_path, r, "tasks.yaml:", "'big'", "memory")


@pytest.mark.parametrize("field,value", [
    ("time_limit", "10 parsecs"),
    ("time_limit", "-5s"),
    ("grace_period", "soon"),
    ("retry_backoff", "fast"),
    ("memory", "2Q"),
    ("memory", "lots"),
    ("cores", 0),
    ("cores", "{min: 3, max: 2}"),
    ("max_retries", -1),
])
def test_bad_field_value_names_the_field(allot, tmp_path, field, value):
    text = ("tasks:\n"
            "  - id: ok\n"
            f"    command: {json.dumps(ok_task(allot, tmp_path)['command'])}\n"
            "  - id: bad\n"
            "    command: 'true'\n"
            f"    {field}: {value}\n")
    allot.write("tasks.yaml", text)
    r = allot.run("run", "tasks.yaml")
    assert_bad_input(allot, tmp_path, r, "tasks.yaml:6", "'bad'", field)


@pytest.mark.parametrize("task,needle", [
    ({"id": "no-command"}, "command"),
    ({"id": "has/slash", "command": "true"}, "has/slash"),
    ({"id": "", "command": "true"}, "id"),
    ({"command": "true"}, "id"),
])
def test_bad_task(allot, tmp_path, task, needle):
    allot.write("tasks.json", one_line_json([ok_task(allot, tmp_path), task]))
    r = allot.run("run", "tasks.json")
    assert_bad_input(allot, tmp_path, r, "tasks.json:3", needle)


def test_every_problem_is_reported_at_once(allot, tmp_path):
    tasks = [ok_task(allot, tmp_path),
             {"id": "a", "command": "true", "coers": 1},
             {"id": "b", "command": "true", "time_limit": "never"},
             {"id": "c", "command": "true", "depends_on": ["zzz"]}]
    # A workflow document: in a bare array the unknown field would be a warning (pilot.py).
    allot.write("tasks.json", '{"tasks": ' + one_line_json(tasks).rstrip("\n") + "}\n")
    r = allot.run("run", "tasks.json")
    assert_bad_input(allot, tmp_path, r, "tasks.json:3", "tasks.json:4", "tasks.json:5",
                     "coers", "time_limit", "zzz")


def test_missing_task_file(allot, tmp_path):
    r = allot.run("run", "nope.json")
    assert_bad_input(allot, tmp_path, r, "nope.json")


def test_no_task_file(allot, tmp_path):
    r = allot.run("run")
    assert_bad_input(allot, tmp_path, r)


# --- flags -------------------------------------------------------------------------------------

@pytest.mark.parametrize("flags,needle", [
    (["--cores", "0"], "--cores"),
    (["--cores", "two"], "--cores"),
    (["--cores", "1.5"], "--cores"),
    (["--memory", "12Q"], "--memory"),
    (["--gpus", "x"], "--gpus"),
    (["--max-workers", "-1"], "--max-workers"),
    (["--durability", "sometimes"], "--durability"),
    (["--progress", "loud"], "--progress"),
    (["--frobnicate"], "--frobnicate"),
])
def test_bad_flag_value(allot, tmp_path, flags, needle):
    allot.write("tasks.json", one_line_json([ok_task(allot, tmp_path)]))
    r = allot.run("run", "tasks.json", *flags)
    assert_bad_input(allot, tmp_path, r, needle)


# --- journal -----------------------------------------------------------------------------------

def finished_campaign(allot, tmp_path):
    log = tmp_path / "runs.log"
    tasks = [{"id": f"t{i}", "command": f"echo t{i} >> {log}"} for i in range(3)]
    allot.write("tasks.json", one_line_json(tasks))
    r = allot.run("run", "tasks.json", "--cores", "2")
    assert r.returncode == 0, r.stderr
    assert len(log.read_text().splitlines()) == 3
    return tmp_path / "allot-work" / "allot.db", log


def assert_refused_unchanged(r, db, log, before, *needles):
    assert r.returncode == 2, f"exit {r.returncode}, expected 2\nstderr: {r.stderr}"
    for needle in needles:
        if isinstance(needle, re.Pattern):
            assert needle.search(r.stderr), f"{needle.pattern!r} not in stderr:\n{r.stderr}"
        else:
            assert needle in r.stderr, f"{needle!r} not in stderr:\n{r.stderr}"
    assert len(log.read_text().splitlines()) == 3, "a task ran again"
    after = journal_fingerprint(db)
    assert after["rows"] == before["rows"], "the journal's contents changed"
    assert after["db_sha256"] == before["db_sha256"], "the journal file's bytes changed"


def test_existing_journal_without_resume(allot, tmp_path):
    db, log = finished_campaign(allot, tmp_path)
    before = journal_fingerprint(db)
    summary_before = (tmp_path / "allot-work" / "summary.json").read_bytes()
    r = allot.run("run", "tasks.json", "--cores", "2")
    assert_refused_unchanged(r, db, log, before, "--resume", str(db))
    assert (tmp_path / "allot-work" / "summary.json").read_bytes() == summary_before


def test_resume_without_journal(allot, tmp_path):
    allot.write("tasks.json", one_line_json([ok_task(allot, tmp_path)]))
    r = allot.run("run", "tasks.json", "--resume")
    assert_bad_input(allot, tmp_path, r, "--resume")
    r = allot.run("run", "--resume")
    assert_bad_input(allot, tmp_path, r, "--resume")


def test_resume_with_a_changed_task(allot, tmp_path):
    db, log = finished_campaign(allot, tmp_path)
    before = journal_fingerprint(db)
    tasks = [{"id": f"t{i}", "command": f"echo t{i} >> {tmp_path / 'runs.log'}"}
             for i in range(3)]
    tasks[1]["command"] += " && echo changed"
    allot.write("tasks.json", one_line_json(tasks))
    r = allot.run("run", "tasks.json", "--resume", "--cores", "2")
    assert_refused_unchanged(r, db, log, before, "tasks.json:3", "'t1'")


def test_resume_with_a_malformed_task_file(allot, tmp_path):
    db, log = finished_campaign(allot, tmp_path)
    before = journal_fingerprint(db)
    allot.write("tasks.json", '[\n  {"id": "t0", "command": \n')
    r = allot.run("run", "tasks.json", "--resume", "--cores", "2")
    assert_refused_unchanged(r, db, log, before, "tasks.json:")


def test_resume_with_an_invalid_new_task(allot, tmp_path):
    db, log = finished_campaign(allot, tmp_path)
    before = journal_fingerprint(db)
    tasks = [{"id": f"t{i}", "command": f"echo t{i} >> {tmp_path / 'runs.log'}"}
             for i in range(3)]
    tasks.append({"id": "new", "command": "true", "depends_on": ["missing"]})
    allot.write("tasks.json", one_line_json(tasks))
    r = allot.run("run", "tasks.json", "--resume", "--cores", "2")
    assert_refused_unchanged(r, db, log, before, "tasks.json:5", "missing")


def test_resume_with_a_new_task_too_big(allot, tmp_path):
    db, log = finished_campaign(allot, tmp_path)
    before = journal_fingerprint(db)
    tasks = [{"id": f"t{i}", "command": f"echo t{i} >> {tmp_path / 'runs.log'}"}
             for i in range(3)]
    tasks.append({"id": "huge", "command": "true", "cores": 64})
    allot.write("tasks.json", one_line_json(tasks))
    r = allot.run("run", "tasks.json", "--resume", "--cores", "2")
    assert_refused_unchanged(r, db, log, before, "'huge'")


def test_not_a_journal(allot, tmp_path):
    allot.write("tasks.json", one_line_json([ok_task(allot, tmp_path)]))
    (tmp_path / "allot-work").mkdir()
    junk = tmp_path / "allot-work" / "allot.db"
    junk.write_text("this is not SQLite\n")
    r = allot.run("run", "tasks.json", "--resume")
    assert r.returncode == 2, r.stderr
    assert str(junk) in r.stderr
    assert junk.read_text() == "this is not SQLite\n"
    assert not (tmp_path / "ran").exists()


# --- diagnostics as data (--diagnostics-json) --------------------------------------------------

def test_run_writes_its_diagnostics_as_json_lines(allot, tmp_path):
    text = ("tasks:\n"
            "  - id: ok\n"
            f"    command: {json.dumps(ok_task(allot, tmp_path)['command'])}\n"
            "  - id: typo\n"
            "    command: 'true'\n"
            "    coers: 2\n"
            "  - {id: late, command: 'true', depends_on: [nope]}\n")
    allot.write("tasks.yaml", text)
    plain = allot.run("run", "tasks.yaml")
    r = allot.run("run", "--diagnostics-json", "d.jsonl", "tasks.yaml")
    assert_bad_input(allot, tmp_path, r, "tasks.yaml:6: task 'typo': field 'coers'")
    assert r.stderr == plain.stderr, "the text on stderr stays as it was"
    diags = [json.loads(line) for line in (tmp_path / "d.jsonl").read_text().splitlines()]
    assert [(d["file"], d["line"], d["task"], d["field"]) for d in diags] == [
        ("tasks.yaml", 6, "typo", "coers"), ("tasks.yaml", 7, "late", "depends_on")]
    assert diags[1]["message"] == "unknown task 'nope'" and diags[1]["column"] is None
    assert [d["text"] for d in diags] == [l for l in r.stderr.splitlines()
                                          if l.startswith("tasks.yaml:")]


def test_run_writes_the_column_of_a_syntax_error(allot, tmp_path):
    allot.write("tasks.json", '[\n  {"id": "b" "command": "true"}\n]\n')
    r = allot.run("run", "--diagnostics-json", "d.jsonl", "tasks.json")
    assert_bad_input(allot, tmp_path, r, "tasks.json:2")
    [d] = [json.loads(line) for line in (tmp_path / "d.jsonl").read_text().splitlines()]
    assert (d["file"], d["line"], d["task"], d["field"]) == ("tasks.json", 2, None, None)
    assert d["column"] > 0 and "syntax error" in d["message"]


def test_diagnostics_json_of_a_file_name_that_is_not_utf8_is_still_json(allot, tmp_path):
    import subprocess
    name = b"t\xff.yaml"
    with open(bytes(tmp_path) + b"/" + name, "w") as f:
        f.write("tasks:\n  - {id: a, command: 'true', coers: 2}\n")
    r = subprocess.run([str(allot.bin), "run", "--diagnostics-json", "d.jsonl", name],
                       cwd=tmp_path, capture_output=True, timeout=60)
    assert r.returncode == 2, r.stderr
    assert b"field 'coers'" in r.stderr
    [d] = [json.loads(line) for line in (tmp_path / "d.jsonl").read_text().splitlines()]
    assert (d["line"], d["task"], d["field"]) == (2, "a", "coers")
    assert d["file"].startswith("t") and d["file"].endswith(".yaml")


@pytest.mark.parametrize("args,expected", [
    (["stats"], "allot: unknown command 'stats' (did you mean 'status'?); the commands: run, "),
    (["server", "strat"], "allot server: unknown command 'strat' (did you mean 'start'?)"),
    (["run", "--cpus", "2", "tasks.json"],
     "allot run: unknown option '--cpus' (did you mean '--cores'?); see `allot run --help`"),
    (["run", "tasks.json", "--mem=4G"], "allot run: unknown option '--mem' (did you mean "
                                        "'--memory'?)"),
    (["status", "--workdri", "w"], "allot status: unknown option '--workdri' (did you mean "
                                   "'--workdir'?)"),
])
def test_misspelt_command_or_option_gets_a_did_you_mean(allot, tmp_path, args, expected):
    allot.write("tasks.json", [{"id": "a", "command": "true"}])
    r = allot.run(*args)
    assert r.returncode == 2, (r.returncode, r.stderr)
    assert expected in r.stderr, r.stderr
    assert not (tmp_path / "allot-work").exists()
