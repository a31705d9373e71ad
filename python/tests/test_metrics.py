"""allot.report_metric: the Python form of `allot metric`, for a function running as a task."""

import json

import pytest

from allot import report_metric


def test_report_metric_appends_one_line_per_call(tmp_path, monkeypatch):
    path = tmp_path / "metrics.jsonl"
    monkeypatch.setenv("ALLOT_METRICS_FILE", str(path))
    report_metric("loss", 0.5, step=1)
    report_metric("eff/barrel", 3)
    assert [json.loads(x) for x in path.read_text().splitlines()] == [
        {"name": "loss", "value": 0.5, "step": 1}, {"name": "eff/barrel", "value": 3.0}]


@pytest.mark.parametrize("name,value,step", [("bad name", 1, None), ("9x", 1, None),
                                             ("loss", float("nan"), None), ("loss", "1", None),
                                             ("loss", True, None), ("loss", 1, -1),
                                             ("x" * 65, 1, None)])
def test_bad_metrics_are_refused_and_write_nothing(tmp_path, monkeypatch, name, value, step):
    path = tmp_path / "metrics.jsonl"
    monkeypatch.setenv("ALLOT_METRICS_FILE", str(path))
    with pytest.raises(ValueError):
        report_metric(name, value, step=step)
    assert not path.exists()


def test_outside_a_task_it_says_so(monkeypatch):
    monkeypatch.delenv("ALLOT_METRICS_FILE", raising=False)
    with pytest.raises(RuntimeError, match="ALLOT_METRICS_FILE is not set"):
        report_metric("loss", 1)
