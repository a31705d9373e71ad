"""Task objects, sweeps, workflow documents and the parsing of allot's JSON and messages.
None of these run allot."""

import datetime
import json
from pathlib import Path

import pytest

import allot
from allot.errors import Diagnostic, error_for_exit, read_diagnostics
from allot.local import _gpus_flag


def test_task_writes_only_set_fields_in_file_format():
    sim = allot.Task(id="sim", command="./sim")
    t = allot.Task(id="ana", command=["python3", "ana.py", "--out", "a b"], cores=(2, 4),
                   memory="2G", time_limit=datetime.timedelta(minutes=90), grace_period=5,
                   retry_backoff={"initial": datetime.timedelta(seconds=30), "factor": 2},
                   env={"SEED": 3}, depends_on=[sim, "reco-*"], workdir="runs",
                   extra={"checkpoint": {"signal": "USR1"}})
    d = t.to_dict()
    assert d == {
        "id": "ana", "command": "python3 ana.py --out 'a b'", "cores": {"min": 2, "max": 4},
        "memory": "2G", "time_limit": 5400, "grace_period": 5,
        "retry_backoff": {"initial": 30, "factor": 2}, "env": {"SEED": 3}, "workdir": "runs",
        "depends_on": ["sim", "reco-*"], "checkpoint": {"signal": "USR1"},
    }
    assert allot.Task(id="x", depends_on=sim).to_dict()["depends_on"] == ["sim"]
    assert allot.Task.from_dict(d).to_dict() == d
    assert allot.Task.from_dict(d).extra == {"checkpoint": {"signal": "USR1"}}


def test_a_multi_node_task_writes_nodes_and_reads_it_back():
    t = allot.Task(id="mpi", command="mpiexec ./ring", cores=2, nodes=2)
    assert t.to_dict() == {"id": "mpi", "command": "mpiexec ./ring", "cores": 2, "nodes": 2}
    assert allot.Task.from_dict(t.to_dict()).nodes == 2
    assert "nodes" not in allot.Task(id="one", command="true").to_dict()


def test_job_types_and_params_are_written_as_the_file_format_has_them():
    py = allot.Task(id="fit", python=("trial", "fit"), params={"energy": 5, "tags": ["a"]})
    assert py.to_dict() == {"id": "fit", "python": {"module": "trial", "function": "fit"},
                            "params": {"energy": 5, "tags": ["a"]}}
    sh = allot.Task(id="reco", script=Path("steps/reco.sh"))
    assert sh.to_dict() == {"id": "reco", "script": "steps/reco.sh"}
    box = allot.Task(id="box", container={"image": "localhost/sim", "command": ["./sim", "1"]})
    assert box.to_dict()["container"] == {"image": "localhost/sim", "command": ["./sim", "1"]}
    assert allot.Task.from_dict(py.to_dict()).to_dict() == py.to_dict()
    with pytest.raises(ValueError, match="module, function"):
        allot.Task(id="x", python=("trial",)).to_dict()


def test_task_rejects_empty_id_and_extra_repeating_a_field():
    with pytest.raises(ValueError):
        allot.Task(id="")
    with pytest.raises(ValueError, match="cores"):
        allot.Task(id="a", extra={"cores": 2})


def test_sweep_returns_a_copy_with_plain_lists():
    template = allot.Task(id="sim-{e}-{seed}", command="./sim {e} {seed}")
    s = allot.sweep(template, grid={"e": (1, 5), "seed": range(3)}, zip={"a": [1], "b": ["x"]})
    assert template.sweep is None
    assert s.to_dict()["sweep"] == {"grid": {"e": [1, 5], "seed": [0, 1, 2]},
                                    "zip": {"a": [1], "b": ["x"]}}
    with pytest.raises(ValueError):
        allot.sweep(template)
    with pytest.raises(TypeError):
        allot.sweep(template, grid={"e": "15"})


def test_workflow_document_has_one_field_per_line():
    doc = allot.workflow([allot.Task(id="a", command="true", cores=1), {"id": "b", "command": "x"}],
                         defaults={"time_limit": datetime.timedelta(hours=2), "max_retries": 1})
    assert doc == {"defaults": {"time_limit": 7200, "max_retries": 1},
                   "tasks": [{"id": "a", "command": "true", "cores": 1},
                             {"id": "b", "command": "x"}]}
    text = allot.dumps(doc)
    assert json.loads(text) == doc
    assert any(line.strip() == '"cores": 1' for line in text.splitlines())
    with pytest.raises(TypeError):
        allot.workflow([42])


def test_diagnostics_come_from_allots_json_not_from_text():
    lines = ('{"file": "t.json", "line": 8, "column": null, "task": "b", "field": "coers", '
             '"message": "unknown field (did you mean \'cores\'?)", '
             '"text": "t.json:8: task \'b\': field \'coers\': unknown field (did you mean '
             '\'cores\'?)"}\n'
             '\n'
             '{"file": "t.json", "line": 2, "column": 14, "task": null, "field": null, '
             '"message": "JSON syntax error at column 14: x", "text": "t.json:2: JSON syntax '
             'error at column 14: x"}\n')
    d = read_diagnostics(lines)
    assert len(d) == 2
    assert (d[0].file, d[0].line, d[0].column, d[0].task, d[0].field) == ("t.json", 8, None,
                                                                         "b", "coers")
    assert d[0].message.startswith("unknown field") and d[0].text.startswith("t.json:8: ")
    assert (d[1].line, d[1].column, d[1].task, d[1].field) == (2, 14, None, None)
    # What is not an object is a message, nothing more.
    assert Diagnostic.from_json("just text") == Diagnostic(text="just text", message="just text")
    # Without diagnostics from allot (a bad flag), the message's lines stand as they are.
    bad = error_for_exit(2, what="x", stderr="t.json:3: task 'a': field 'x': bad\n", command=[])
    [only] = bad.diagnostics
    assert (only.text, only.message, only.file, only.line) == (
        "t.json:3: task 'a': field 'x': bad", "t.json:3: task 'a': field 'x': bad", None, None)
    given = error_for_exit(2, what="x", stderr="t.json: 1 problem\n", command=[],
                           diagnostics=d[:1])
    assert given.diagnostics == d[:1]


def test_no_error_text_is_parsed_back_in_the_package():
    import inspect
    package = Path(allot.__file__).parent
    assert not hasattr(allot.errors, "parse_diagnostics")
    # What turns allot's answers into exceptions uses no regular expressions.
    for name in ("errors.py", "local.py", "results.py", "_binary.py"):
        assert "import re" not in (package / name).read_text(), name
    assert "re." not in inspect.getsource(allot.Client._error)


def test_exit_codes_map_to_errors():
    assert error_for_exit(0, what="x", stderr="", command=[]) is None
    assert isinstance(error_for_exit(1, what="x", stderr="", command=[]), allot.TasksFailedError)
    bad = error_for_exit(2, what="x", stderr="f.json:3: field 'x': bad\n", command=[])
    assert isinstance(bad, allot.BadInputError) and isinstance(bad, ValueError)
    assert str(bad) == "f.json:3: field 'x': bad" and bad.exit_code == 2
    assert isinstance(error_for_exit(3, what="x", stderr="", command=[]), allot.InternalError)
    stopped = error_for_exit(130, what="x", stderr="", command=[])
    assert isinstance(stopped, allot.RunInterruptedError) and stopped.signal.name == "SIGINT"
    assert all(issubclass(e, allot.AllotError) for e in (
        allot.BadInputError, allot.TasksFailedError, allot.InternalError,
        allot.RunInterruptedError, allot.BinaryNotFoundError))


def test_status_json_parsing_keeps_unknown_keys():
    status = allot.CampaignStatus.from_json({
        "tasks": [{"id": "a", "state": "succeeded", "attempts": 1, "exit_code": 0,
                   "signal": None, "timed_out": False, "reason": "", "wall_seconds": 0.1,
                   "cpu_seconds": 0.0, "max_rss_bytes": 10, "node": "n1"},
                  {"id": "b", "state": "waiting", "reason": "waiting for a (running)"}],
        "counts": {"succeeded": 1, "waiting": 1}, "total": 2, "campaign": "c1"})
    assert status["a"].succeeded and status["a"].finished and status["a"].extra == {"node": "n1"}
    assert status["b"].exit_code is None and not status["b"].finished
    assert status.ids("waiting") == ["b"] and "a" in status and len(status) == 2
    assert not status.finished and status.extra == {"campaign": "c1"}
    assert status.allot_running is None and status.resume is None
    with pytest.raises(KeyError):
        status["zzz"]


def test_status_says_when_nothing_drives_the_campaign():
    status = allot.CampaignStatus.from_json({
        "tasks": [{"id": "a", "state": "running"}], "counts": {"running": 1}, "total": 1,
        "allot_running": False, "resume": "allot run --resume --workdir w"})
    assert status.allot_running is False
    assert status.resume == "allot run --resume --workdir w"


def test_gpus_flag():
    assert _gpus_flag(2) == "2"
    assert _gpus_flag("0,3") == "0,3"
    assert _gpus_flag([0, 3]) == "0,3"
    assert _gpus_flag([0]) == "0,"
    assert _gpus_flag([3]) == "3,"  # one device id, not a count


def test_find_binary_reports_a_missing_one(tmp_path):
    with pytest.raises(allot.BinaryNotFoundError):
        allot.find_binary(tmp_path / "no-such-allot")


def test_executor_slurm_is_written_and_read_back():
    t = allot.Task(id="sim", command="./sim", cores=4, memory="8G", executor="slurm",
                   tags={"partition": "gpu"})
    d = t.to_dict()
    assert d["executor"] == "slurm"
    assert allot.Task.from_dict(d) == t
    assert allot.workflow([allot.Task(id="a", command="x")],
                          defaults={"executor": "slurm"})["defaults"] == {"executor": "slurm"}
    assert "executor" not in allot.Task(id="b", command="x").to_dict()
    with pytest.raises(ValueError, match="executor must be 'local' or 'slurm'"):
        allot.Task(id="c", command="x", executor="pbs")
