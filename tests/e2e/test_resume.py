"""--resume beyond crashes and signals: new tasks in the file, a finished campaign, a campaign
with failures, a machine too small for what is left, and the durability levels."""

import signal

from conftest import journal_fingerprint, read_pid, summary_of, wait_for, wait_gone, yaml_str


def write_counting_tasks(allot, tmp_path, ids, extra=""):
    log = tmp_path / "runs.log"
    lines = ["tasks:"]
    for tid in ids:
        lines += [f"  - id: {tid}", f"    command: {yaml_str(f'echo {tid} >> {log}')}"]
    allot.write("tasks.yaml", "\n".join(lines) + "\n" + extra)
    return log


def test_resume_runs_tasks_added_to_the_file(allot, tmp_path):
    log = write_counting_tasks(allot, tmp_path, ["a", "b"])
    assert allot.run("run", "tasks.yaml").returncode == 0
    write_counting_tasks(allot, tmp_path, ["a", "b", "c"],
                         extra="  - id: d\n    depends_on: [a, c]\n"
                               f"    command: {yaml_str(f'echo d >> {tmp_path}/runs.log')}\n")
    r = allot.run("run", "tasks.yaml", "--resume")
    assert r.returncode == 0, r.stderr
    runs = log.read_text().split()
    assert sorted(runs[:2]) == ["a", "b"] and runs[2:] == ["c", "d"], runs
    states = allot.task_states()
    assert {t: s["state"] for t, s in states.items()} == {
        "a": "succeeded", "b": "succeeded", "c": "succeeded", "d": "succeeded"}
    assert summary_of(tmp_path / "allot-work")["tasks"] == 4


def test_resume_of_a_finished_campaign_runs_nothing(allot, tmp_path):
    log = write_counting_tasks(allot, tmp_path, ["a", "b", "c"])
    assert allot.run("run", "tasks.yaml").returncode == 0
    for args in (["tasks.yaml", "--resume"], ["--resume"]):
        r = allot.run("run", *args)
        assert r.returncode == 0, r.stderr
        assert "3 tasks: 3 succeeded" in r.stdout
        assert sorted(log.read_text().split()) == ["a", "b", "c"]
    assert all(s["attempts"] == 1 for s in allot.task_states().values())


def test_resume_keeps_failures(allot, tmp_path):
    allot.write("tasks.yaml", f"""\
tasks:
  - id: bad
    command: {yaml_str(allot.tt("--exit", "4"))}
  - id: good
    command: {yaml_str(allot.tt())}
""")
    assert allot.run("run", "tasks.yaml").returncode == 1
    r = allot.run("run", "--resume")
    assert r.returncode == 1, r.stderr
    states = allot.task_states()
    assert states["bad"]["state"] == "failed" and states["bad"]["attempts"] == 1
    assert states["good"]["state"] == "succeeded" and states["good"]["attempts"] == 1
    # The resumed summary still lists the failure, and says nothing was left to run.
    assert "nothing left to run (every task had ended before)" in r.stdout, r.stdout
    assert "failed   bad: exit code 4 (before this run)" in r.stdout, r.stdout
    assert "speedup 0.00x" not in r.stdout
    assert summary_of(tmp_path / "allot-work")["unsuccessful"] == [
        {"id": "bad", "state": "failed", "reason": "exit code 4 (before this run)"}]


def test_resume_on_a_machine_too_small_for_what_is_left(allot, tmp_path):
    pidfile = tmp_path / "wide.pid"
    allot.track_pidfile(pidfile)
    allot.write("tasks.yaml", f"""\
tasks:
  - id: wide
    command: {yaml_str(allot.tt("--pidfile", pidfile, "--sleep", "300"))}
    cores: 2
    grace_period: 5s
""")
    proc = allot.start("run", "tasks.yaml", "--cores", "2")
    wait_for(pidfile.exists, what="the task to start")
    proc.send_signal(signal.SIGTERM)
    rc, _, err = allot.finish(proc, timeout=60)
    assert rc == 143, err
    wait_gone([read_pid(pidfile)])
    db = tmp_path / "allot-work" / "allot.db"
    before = journal_fingerprint(db)

    r = allot.run("run", "--resume", "--cores", "1")
    assert r.returncode == 2, r.stderr
    assert "'wide'" in r.stderr and "2 cores" in r.stderr, r.stderr
    after = journal_fingerprint(db)
    assert after["rows"] == before["rows"], "the journal's contents changed"
    assert after["db_sha256"] == before["db_sha256"], "the journal file's bytes changed"
    assert allot.task_states()["wide"]["state"] == "preempted"


def test_durability_full(allot, tmp_path):
    log = write_counting_tasks(allot, tmp_path, [f"t{i}" for i in range(10)])
    r = allot.run("run", "tasks.yaml", "--durability", "full", "--cores", "2")
    assert r.returncode == 0, r.stderr
    assert sorted(log.read_text().split()) == sorted(f"t{i}" for i in range(10))
    assert allot.status_json()["counts"]["succeeded"] == 10


def test_output_streams_and_large_output(allot, tmp_path):
    allot.write("tasks.yaml", f"""\
tasks:
  - id: loud
    command: {yaml_str(allot.tt("--stdout-bytes", str(8 << 20), "--stderr-bytes", "12345"))}
""")
    r = allot.run("run", "tasks.yaml", "--progress", "plain")
    assert r.returncode == 0, r.stderr
    work = tmp_path / "allot-work"
    assert (work / "loud" / "stdout").stat().st_size == 8 << 20
    assert (work / "loud" / "stderr").stat().st_size == 12345
    # The summary goes to stdout, progress to stderr.
    assert "1 tasks: 1 succeeded" in r.stdout or "1 task: 1 succeeded" in r.stdout
    assert str(work / "summary.json") in r.stdout
    assert "wall " not in r.stderr
    assert str(work / "allot.db") in r.stderr, "progress (start message) goes to stderr"
    r = allot.run("run", "tasks.yaml", "--workdir", "silent", "--progress", "none")
    assert r.returncode == 0
    assert r.stderr == "" and "1 succeeded" in r.stdout
    r = allot.run("run", "tasks.yaml", "--workdir", "quiet", "-q")
    assert r.returncode == 0
    assert r.stdout == "" and r.stderr == ""


def test_resume_from_another_directory_names_the_field_that_differs(allot, tmp_path):
    first = tmp_path / "first"
    first.mkdir()
    allot.write("tasks.yaml", "tasks:\n  - id: a\n    command: 'true'\n")
    work = tmp_path / "work"
    r = allot.run("run", tmp_path / "tasks.yaml", "--workdir", work, cwd=first)
    assert r.returncode == 0, r.stderr
    before = journal_fingerprint(work / "allot.db")

    second = tmp_path / "second"
    second.mkdir()
    r = allot.run("run", tmp_path / "tasks.yaml", "--workdir", work, "--resume", cwd=second)
    assert r.returncode == 2, (r.returncode, r.stderr)
    assert (f"task 'a': field 'workdir': differs from the journal's copy (journal: "
            f"\"{first}\", file: \"{second}\")") in r.stderr, r.stderr
    assert "resume from there" in r.stderr
    assert journal_fingerprint(work / "allot.db") == before

    r = allot.run("run", tmp_path / "tasks.yaml", "--workdir", work, "--resume", cwd=first)
    assert r.returncode == 0, r.stderr
