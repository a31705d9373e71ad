"""The client against the real allot binary: runs, outputs, status, bad input, failures,
interruption and resume. Every campaign is a few shell commands in its own tmp directory."""

import inspect
import json
import os
import signal
import threading
from pathlib import Path

import pytest

import allot
from conftest import wait_for


def test_sweep_and_dependent_task_outputs(campaign_dir):
    sim = allot.sweep(allot.Task(id="sim-{x}", command="echo sim {x} $ALLOT_TASK_ID"),
                      grid={"x": range(1, 4)})
    total = allot.Task(id="total", depends_on=["sim-*"],
                       command='cat "$ALLOT_WORKDIR"/../sim-*/stdout | wc -l')
    result = allot.run([sim, total], workdir="w")

    assert result.ok and result.exit_code == 0, result.stderr
    assert result.workdir == campaign_dir / "w"
    assert result.summary["tasks"] == 4 and result.summary["succeeded"] == 4
    assert result.unsuccessful == []
    assert result.output("sim-2") == "sim 2 sim-2\n"
    assert result.output("total").strip() == "3"
    assert result.output("sim-1", stream="stderr") == ""
    # The generated workflow file sits beside the work directory and is the file allot read.
    assert result.task_file == campaign_dir / "w.tasks.json"
    assert json.loads(result.task_file.read_text())["tasks"][1]["depends_on"] == ["sim-*"]
    with pytest.raises(FileNotFoundError):
        result.output("sim-9")


def test_run_takes_a_task_file_path(campaign_dir):
    path = campaign_dir / "tasks.json"
    path.write_text(json.dumps([{"id": "one", "command": "echo 1", "cores": 1, "timeout": 60}]))
    result = allot.run(path, workdir=campaign_dir / "runs" / "a", check=True)
    assert result.task_file == path
    assert result.output("one") == "1\n"

    # Tasks run where allot starts: cwd=, default this process's directory.
    (campaign_dir / "sub").mkdir()
    pwd = allot.run([allot.Task(id="pwd", command="pwd")], workdir="w", cwd="sub")
    assert pwd.output("pwd").strip() == str(campaign_dir / "sub")
    assert pwd.workdir == campaign_dir / "w"


def test_status_json(campaign_dir):
    result = allot.run([allot.Task(id="a", command="echo a"),
                        allot.Task(id="b", command="sh -c 'exit 4'", depends_on="a"),
                        allot.Task(id="c", command="echo c", depends_on="b")], workdir="w")
    assert result.exit_code == 1

    st = allot.status(workdir="w")
    assert st.total == 3 and len(st) == 3
    assert st.counts["succeeded"] == 1 and st.counts["failed"] == 1 and st.counts["skipped"] == 1
    assert sum(st.counts.values()) == 3 and st.finished
    a, b, c = st["a"], st["b"], st["c"]
    assert (a.state, a.attempts, a.exit_code, a.signal, a.timed_out) == ("succeeded", 1, 0,
                                                                         None, False)
    assert a.wall_seconds >= 0 and a.cpu_seconds >= 0 and a.max_rss_bytes >= 0
    assert (b.state, b.exit_code) == ("failed", 4)
    assert c.state == "skipped" and "b" in c.reason and c.attempts == 0

    only = allot.status(db="w/allot.db", ids=["b"])
    assert only.ids() == ["b"] and only.total == 3
    assert result.status(["c"])["c"].state == "skipped"
    with pytest.raises(allot.BadInputError, match="nope"):
        allot.status(workdir="w", ids=["nope"])
    with pytest.raises(allot.BadInputError, match="journal"):
        allot.status(workdir="elsewhere")


def test_a_tasks_result_reaches_its_dependent_and_status(campaign_dir):
    result = allot.run([
        allot.Task(id="fit", command="echo '{\"chi2\": 1.5}' > \"$ALLOT_RESULT_FILE\""),
        allot.Task(id="use", command="echo '{\"got\": {dep.result.chi2}}' > \"$ALLOT_RESULT_FILE\"",
                   depends_on="fit")], workdir="w")
    assert result.exit_code == 0
    st = allot.status(workdir="w", ids=["fit", "use"])
    assert st["fit"].result == {"chi2": 1.5}
    assert st["use"].result == {"got": 1.5}


def test_a_python_function_task_takes_params_and_its_result_reaches_status(campaign_dir):
    (campaign_dir / "trial.py").write_text(
        "def fit(energy, scale=1):\n    return {'chi2': energy * scale}\n")
    result = allot.run([
        allot.Task(id="fit", python={"module": "trial", "function": "fit"},
                   params={"energy": 3, "scale": 0.5}),
        allot.Task(id="use", depends_on="fit", params={"chi2": "{dep.result.chi2}"},
                   command="cp \"$ALLOT_PARAMS_FILE\" \"$ALLOT_RESULT_FILE\"")], workdir="w")
    assert result.exit_code == 0, result.stderr
    st = allot.status(workdir="w", ids=["fit", "use"])
    assert st["fit"].result == {"chi2": 1.5}
    assert st["use"].result == {"chi2": 1.5}


def test_bad_input_in_a_task_dict_cites_the_run_call(campaign_dir):
    with pytest.raises(allot.BadInputError) as info:
        allot.run([{"id": "d", "command": "true", "coers": 1}], workdir="w")
    call_line = inspect.currentframe().f_lineno - 1
    (diag,) = info.value.diagnostics
    assert (diag.file, diag.line, diag.task, diag.field) == (__file__, call_line, "d", "coers")
    assert str(info.value).startswith(f"{__file__}:{call_line}: task 'd': field 'coers'")


def test_bad_input_names_the_field_and_runs_nothing(campaign_dir):
    tasks = [allot.Task(id="ok", command="touch ran"),
             allot.Task(id="typo", command="true", extra={"coers": 2})]
    typo_line = inspect.currentframe().f_lineno - 1
    with pytest.raises(allot.BadInputError) as info:
        allot.run(tasks, workdir="w")
    err = info.value
    assert err.exit_code == 2
    assert "coers" in str(err) and "w.tasks.json" in str(err) and "typo" in str(err)
    (diag,) = err.diagnostics
    assert (diag.task, diag.field) == ("typo", "coers")
    # The message cites the line that made the task, not the file allot was given.
    assert (diag.file, diag.line) == (__file__, typo_line)
    assert str(err).startswith(f"{__file__}:{typo_line}: task 'typo': field 'coers'")
    assert diag.text.startswith(f"{__file__}:{typo_line}: ")
    lines = (campaign_dir / "w.tasks.json").read_text().splitlines()
    assert diag.generated_file.endswith("w.tasks.json")
    assert '"coers"' in lines[diag.generated_line - 1]
    assert f"[w.tasks.json:{diag.generated_line}]" in diag.text
    assert not (campaign_dir / "w" / "allot.db").exists()
    assert not (campaign_dir / "w" / "ok").exists()

    # A bad flag is bad input too, and so is a dict without "tasks".
    with pytest.raises(allot.BadInputError, match="durability"):
        allot.run([allot.Task(id="a", command="true")], workdir="w2", durability="sometimes")
    with pytest.raises(TypeError):
        allot.run({"id": "a", "command": "true"}, workdir="w3")


def test_bad_input_diagnostics_carry_file_line_column_task_field(campaign_dir):
    (campaign_dir / "broken.json").write_text('[\n  {"id": "a" "command": "true"}\n]\n')
    with pytest.raises(allot.BadInputError) as info:
        allot.run("broken.json", workdir="w")
    [d] = info.value.diagnostics
    assert (d.file, d.line, d.task, d.field) == (str(campaign_dir / "broken.json"), 2, None,
                                                 None)
    assert d.column and d.column > 1 and "syntax error" in d.message

    tasks = [allot.Task(id="a", command="true"),
             allot.Task(id="b", command="true", depends_on=["a", "nope"]),
             allot.Task(id="c", command="true", depends_on=["zz-*"])]
    b_line = inspect.currentframe().f_lineno - 2
    handle = allot.start(tasks, workdir="w")
    diagnostics_file = handle._diagnostics_file  # allot's --diagnostics-json
    with pytest.raises(allot.BadInputError) as info:
        handle.wait()
    assert not diagnostics_file.exists(), "read, then removed"
    b, c = info.value.diagnostics
    lines = (campaign_dir / "w.tasks.json").read_text().splitlines()
    assert (b.task, b.field, b.message, b.column) == ("b", "depends_on", "unknown task 'nope'",
                                                      None)
    assert (b.file, b.line, c.file, c.line) == (__file__, b_line, __file__, b_line + 1)
    assert '"nope"' in lines[b.generated_line - 1]
    assert b.generated_file.endswith("w.tasks.json")
    assert (c.task, c.field, c.message) == ("c", "depends_on", "pattern 'zz-*' matches no task")
    assert b.text in str(info.value) and c.text in str(info.value)


def test_failing_task_with_check_raises(campaign_dir):
    tasks = [allot.Task(id="bad", command="sh -c 'echo oops >&2; exit 3'"),
             allot.Task(id="after", command="echo never", depends_on=["bad"]),
             allot.Task(id="fine", command="echo fine")]
    with pytest.raises(allot.TasksFailedError) as info:
        allot.run(tasks, workdir="w", check=True)
    err = info.value
    assert err.exit_code == 1
    assert {u["id"]: u["state"] for u in err.unsuccessful} == {"bad": "failed",
                                                               "after": "skipped"}
    assert "bad" in str(err)
    assert err.result.output("bad", stream="stderr") == "oops\n"
    assert err.result.output("fine") == "fine\n"

    # Without check the same outcome is a result, and check() raises it later.
    again = allot.run(tasks, workdir="w-nocheck")
    assert again.exit_code == 1 and not again.ok
    assert again.summary["failed"] == 1 and again.summary["skipped"] == 1
    with pytest.raises(allot.TasksFailedError):
        again.check()


def test_resume_adds_new_tasks_and_never_reruns_succeeded_ones(campaign_dir):
    counter = campaign_dir / "a-runs"
    a = allot.Task(id="a", command=f"sh -c 'echo run >> {counter}; echo a'")
    allot.run([a], workdir="w", check=True)

    # The journal exists: a new run there without resume is refused, changing nothing.
    with pytest.raises(allot.BadInputError, match="resume"):
        allot.run([a], workdir="w")

    b = allot.Task(id="b", command="echo b", depends_on=[a])
    result = allot.run([a, b], workdir="w", resume=True, check=True)
    assert result.output("b") == "b\n"
    assert counter.read_text() == "run\n"
    st = result.status()
    assert st["a"].attempts == 1 and st["b"].state == "succeeded" and st.total == 2

    # Resuming a finished campaign from its journal alone runs nothing.
    assert allot.run(workdir="w", resume=True, check=True).ok
    assert counter.read_text() == "run\n"
    with pytest.raises(ValueError):
        allot.run(workdir="w")


def _blocking_task(go_file):
    # Writes its attempt, then waits for go_file; time_limit bounds it if a test goes wrong.
    return allot.Task(
        id="block", time_limit=120,
        command=f"sh -c 'echo attempt $ALLOT_ATTEMPT; "
                f"while [ ! -e {go_file} ]; do sleep 0.05; done; echo done'")


def _wait_started(db, task_id="block"):
    def started():
        try:
            st = allot.status(db=db, ids=[task_id])
        except allot.BadInputError:  # no journal yet
            return False
        out = Path(db).parent / task_id / "stdout"
        return st[task_id].state == "running" and out.exists() and "attempt" in out.read_text()
    wait_for(started, what=f"task {task_id} to run")


def test_stop_then_resume_runs_the_interrupted_task_again(campaign_dir):
    go = campaign_dir / "go"
    with allot.start([_blocking_task(go), allot.Task(id="quick", command="echo q")],
                     workdir="w") as handle:
        _wait_started(str(handle.db))
        assert handle.running
        assert handle.status(["quick", "block"])["block"].state == "running"
        handle.stop()
        result = handle.wait()
    assert result.exit_code == 128 + signal.SIGTERM
    assert result.interrupted_by == signal.SIGTERM
    assert result.summary["interrupted_by"] == "SIGTERM" and result.summary["unfinished"] >= 1
    with pytest.raises(allot.RunInterruptedError) as info:
        result.check()
    assert info.value.signal == signal.SIGTERM

    go.touch()
    resumed = allot.run(workdir="w", resume=True, check=True)
    st = resumed.status()
    assert st["block"].attempts == 2 and st["block"].state == "succeeded"
    assert resumed.output("block") == "attempt 2\ndone\n"
    assert resumed.output("block", attempt=1) == "attempt 1\n"
    assert resumed.output("block", attempt=2) == "attempt 2\ndone\n"


def test_keyboard_interrupt_stops_allot_gracefully(campaign_dir):
    go = campaign_dir / "go"
    db = str(campaign_dir / "w" / "allot.db")
    failures = []

    def interrupt_when_running():
        try:
            _wait_started(db)
        except AssertionError as e:  # never started: end the run instead of hanging
            failures.append(e)
            go.touch()
            return
        os.kill(os.getpid(), signal.SIGINT)

    helper = threading.Thread(target=interrupt_when_running)
    helper.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            allot.run([_blocking_task(go)], workdir="w")
    finally:
        helper.join()
    assert not failures, failures
    # allot is gone (run() waited for it) and journaled the stop: resume finishes the task.
    assert allot.status(db=db)["block"].state != "running"
    go.touch()
    resumed = allot.run(workdir="w", resume=True, check=True)
    assert resumed.status()["block"].attempts == 2


def test_not_quiet_passes_allot_output_through(campaign_dir, capfd):
    result = allot.run([allot.Task(id="a", command="true")], workdir="w", quiet=False,
                       progress="plain", cores=1, max_workers=1, durability="full")
    assert result.ok
    assert "summary" in result.stdout or "journal" in result.stdout
    out, _ = capfd.readouterr()
    assert result.stdout.strip().splitlines()[-1] in out


def test_custom_resources_are_offered_with_resources(tmp_path):
    tasks = [allot.Task(id=f"lic{i}", command="true", resources={"licenses": 1}) for i in range(3)]
    with pytest.raises(allot.BadInputError, match="licenses"):
        allot.run(tasks, workdir=tmp_path / "none", cwd=tmp_path)
    result = allot.run(tasks, workdir=tmp_path / "w", cwd=tmp_path, resources={"licenses": 1},
                       check=True)
    assert result.summary["succeeded"] == 3


def test_relative_programs_of_task_objects_are_the_callers_and_of_a_file_the_files(tmp_path):
    project = tmp_path / "project"
    (project / "bin").mkdir(parents=True)
    script = project / "bin" / "hello.sh"
    script.write_text("#!/bin/sh\necho hello from $0\n")
    script.chmod(0o755)
    # Task objects: the generated file lands beside the work directory, elsewhere; ./bin/hello.sh
    # is still the caller's (cwd).
    result = allot.run([allot.Task(id="a", command="./bin/hello.sh")],
                       workdir=tmp_path / "out" / "w", cwd=project, check=True)
    assert result.output("a") == f"hello from {script}\n"
    # A task file: its own directory.
    tasks = project / "tasks.json"
    tasks.write_text(json.dumps([{"id": "b", "command": "bin/hello.sh"}]))
    result = allot.run(tasks, workdir=tmp_path / "out" / "w2", cwd=tmp_path, check=True)
    assert result.output("b") == f"hello from {script}\n"


def test_resume_with_retry_failed_runs_failed_tasks_again(campaign_dir):
    marker = Path(os.path.abspath("marker"))
    tasks = [allot.Task(id="flaky", command=f"test -e {marker}"),
             allot.Task(id="after", command="echo after", depends_on="flaky")]
    assert allot.run(tasks, workdir="w").exit_code == 1
    with pytest.raises(ValueError):
        allot.run(workdir="w", retry_failed=True)
    marker.touch()
    result = allot.run(workdir="w", resume=True, retry_failed=True, check=True)
    assert result.ok
    st = allot.status(workdir="w")
    assert (st["flaky"].state, st["flaky"].attempts) == ("succeeded", 2)
    assert st["after"].state == "succeeded"


def test_plan_checks_tasks_and_says_what_they_amount_to_without_running_them(campaign_dir):
    sim = allot.sweep(allot.Task(id="sim-{x}", command="echo {x} > out", time_estimate="10s",
                                 workdir="runs/{x}"),
                      grid={"x": range(1, 5)})
    total = allot.Task(id="total", depends_on=["sim-*"], command="true", time_estimate="5s")
    plan = allot.plan([sim, total], cores=2)
    assert plan["tasks"] == 5
    assert [s["profile"] for s in plan["stages"]] == ["sim", "total"]
    assert plan["critical_path_s"] == 15
    assert plan["forecast"]["wall_s"] == 25  # 4 x 10 s on 2 cores, then 5 s
    assert list(campaign_dir.iterdir()) == [], "plan ran or wrote something"


def test_plan_of_what_run_would_refuse_raises_bad_input_naming_it(campaign_dir):
    (campaign_dir / "t.json").write_text(json.dumps(
        [{"id": "a", "command": "true", "cores": 99}]))
    with pytest.raises(allot.BadInputError, match="asks for 99 cores"):
        allot.plan("t.json", cores=4)
