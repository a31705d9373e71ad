"""The allocation-scheduler format (a JSON array of tasks) runs unchanged: every field is
honoured, outputs land in <workdir>/<id>/, and each task sees its environment and affinity."""

from pathlib import Path

from conftest import summary_of


def parse_output(text):
    """'NAME=value' lines (from --print-env / --print-affinity) into a dict."""
    values = {}
    for line in text.splitlines():
        if "=" in line:
            key, value = line.split("=", 1)
            values[key] = value
    return values


def cores_of(text):
    return [int(c) for c in text.split(",")] if text else []


ENV_NAMES = ["ALLOT_TASK_ID", "ALLOT_ATTEMPT", "ALLOT_EXECUTION_ID", "ALLOT_CORES",
             "ALLOT_WORKDIR", "OMP_NUM_THREADS", "MY_VAR", "SECOND"]


def print_env_args():
    args = []
    for name in ENV_NAMES:
        args += ["--print-env", name]
    return args + ["--print-affinity"]


def test_allocation_format_runs_unchanged(allot, tmp_path):
    (tmp_path / "runs").mkdir()
    tasks = [
        {"id": "two-cores", "command": allot.tt(*print_env_args(), "--touch", "cwd-marker-a"),
         "cores": 2, "timeout": 120, "priority": 5, "max_retries": 0,
         "env": {"MY_VAR": "hello world", "SECOND": "2"},
         "tags": {"project": "epic", "scenario": "a"}, "workdir": "runs"},
        {"id": "one-core", "command": allot.tt(*print_env_args(), "--touch", "cwd-marker-b",
                                               "--stderr-bytes", "100"),
         "cores": 1, "timeout": 120, "priority": 1, "max_retries": 1,
         "env": {"MY_VAR": "x"}, "tags": {"project": "epic"}},
        {"id": "flaky", "command": allot.tt("--fail-first", "1", "--state-file",
                                            str(tmp_path / "flaky.state"),
                                            "--print-env", "ALLOT_ATTEMPT"),
         "cores": 1, "timeout": 120, "priority": 0, "max_retries": 2, "env": {},
         "tags": {}},
    ]
    allot.write("tasks.json", tasks)

    r = allot.run("run", "tasks.json", "--cores", "2")
    assert r.returncode == 0, r.stderr
    assert "3 tasks: 3 succeeded" in r.stdout

    work = tmp_path / "allot-work"
    summary = summary_of(work)
    assert summary["tasks"] == 3
    assert summary["succeeded"] == 3
    assert summary["failed"] == summary["skipped"] == summary["canceled"] == 0
    assert summary["unfinished"] == 0
    assert summary["interrupted_by"] is None
    assert summary["journal_error"] is None
    assert summary["unsuccessful"] == []
    for key in ("wall_seconds", "cpu_seconds", "task_seconds", "speedup"):
        assert isinstance(summary[key], (int, float)), key
    assert (work / "allot.db").exists()

    # two-cores: every variable, exact affinity, cwd = its workdir (relative to the start dir).
    out = parse_output((work / "two-cores" / "stdout").read_text())
    assert out["ALLOT_TASK_ID"] == "two-cores"
    assert out["ALLOT_ATTEMPT"] == "1"
    assert out["ALLOT_EXECUTION_ID"] == "two-cores@1"
    cores = cores_of(out["ALLOT_CORES"])
    assert len(cores) == 2 and len(set(cores)) == 2, out["ALLOT_CORES"]
    assert sorted(cores_of(out["affinity"])) == sorted(cores)
    assert out["OMP_NUM_THREADS"] == "2"
    assert Path(out["ALLOT_WORKDIR"]).resolve() == (work / "two-cores").resolve()
    assert out["MY_VAR"] == "hello world"
    assert out["SECOND"] == "2"
    assert (tmp_path / "runs" / "cwd-marker-a").exists(), "workdir 'runs' was not the task's cwd"
    assert (work / "two-cores" / "stderr").exists()

    # one-core: one core, affinity = that core, default cwd = its task directory.
    out = parse_output((work / "one-core" / "stdout").read_text())
    assert out["ALLOT_TASK_ID"] == "one-core"
    assert out["ALLOT_EXECUTION_ID"] == "one-core@1"
    cores = cores_of(out["ALLOT_CORES"])
    assert len(cores) == 1
    assert cores_of(out["affinity"]) == cores
    assert out["OMP_NUM_THREADS"] == "1"
    assert out["MY_VAR"] == "x"
    assert "unset SECOND" in (work / "one-core" / "stdout").read_text()
    # Issue 10: as pilot.py runs it, in its own task directory (was: where allot started).
    assert (work / "one-core" / "cwd-marker-b").exists(), (
        "a task without workdir should run in its task directory")
    assert len((work / "one-core" / "stderr").read_text()) == 100

    # flaky: max_retries honoured; the first attempt's output kept.
    states = allot.task_states()
    assert states["flaky"]["state"] == "succeeded"
    assert states["flaky"]["attempts"] == 2
    assert (work / "flaky" / "stdout.1").read_text() == "ALLOT_ATTEMPT=1\n"
    assert (work / "flaky" / "stdout").read_text() == "ALLOT_ATTEMPT=2\n"
    for t in ("two-cores", "one-core"):
        assert states[t]["state"] == "succeeded"
        assert states[t]["attempts"] == 1
        assert states[t]["exit_code"] == 0


def test_allocation_format_timeout_is_a_time_limit(allot, tmp_path):
    allot.write("tasks.json", [
        {"id": "slow", "command": allot.tt("--sleep", "300"), "cores": 1, "timeout": 1,
         "priority": 0, "max_retries": 0, "env": {}, "tags": {}},
        {"id": "quick", "command": allot.tt(), "cores": 1, "timeout": 60},
    ])
    r = allot.run("run", "tasks.json", "--cores", "2", timeout=90)
    assert r.returncode == 1, r.stderr
    states = allot.task_states()
    assert states["slow"]["state"] == "failed"
    assert states["slow"]["timed_out"] is True
    assert states["quick"]["state"] == "succeeded"
    summary = summary_of(tmp_path / "allot-work")
    assert summary["failed"] == 1 and summary["succeeded"] == 1
    assert [u["id"] for u in summary["unsuccessful"]] == ["slow"]


def test_workdir_and_db_flags(allot, tmp_path):
    allot.write("tasks.json", [{"id": "a", "command": allot.tt("--print-env", "ALLOT_WORKDIR")}])
    (tmp_path / "journal").mkdir()
    r = allot.run("run", "--tasks", "tasks.json", "--workdir", "out/dir", "--db",
                  "journal/j.db", "-q")
    assert r.returncode == 0, r.stderr
    assert r.stdout == "", "-q prints no summary"
    assert (tmp_path / "journal" / "j.db").exists()
    assert not (tmp_path / "out" / "dir" / "allot.db").exists()
    assert (tmp_path / "out" / "dir" / "a" / "stdout").read_text().strip() == (
        f"ALLOT_WORKDIR={(tmp_path / 'out' / 'dir' / 'a')}")
    assert summary_of(tmp_path / "out" / "dir")["succeeded"] == 1
    st = allot.run("status", "--db", "journal/j.db", "--json")
    assert st.returncode == 0, st.stderr
