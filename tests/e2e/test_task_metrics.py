"""Intermediate metrics (issue 13, point 3): from inside a task, `allot metric NAME VALUE
[--step N]` (allot need not be on PATH: the worker puts its own directory last on the task's
PATH) or JSON lines appended to $ALLOT_METRICS_FILE. They are journaled (the metrics table and
its task_metrics view) and streamed by `allot events` while the task still runs. Bad names and
values are exit 2 and write nothing; a bad line in the file is skipped and logged."""

import json
import sqlite3
import subprocess
import time

from conftest import wait_for


LIVE = """
tasks:
  - id: train
    command: >-
      allot metric loss 0.5 --step 1 &&
      echo '{"name": "acc", "value": 0.75, "step": 1}' >> "$ALLOT_METRICS_FILE" &&
      while [ ! -e release ]; do sleep 0.05; done &&
      "$ALLOT_BIN" metric loss 0.25 --step 2 &&
      echo 'not a metric' >> "$ALLOT_METRICS_FILE"
"""


def metric_lines(text):
    return [json.loads(line) for line in text.splitlines() if '"metric"' in line]


def test_metrics_stream_while_the_task_runs_and_are_journaled(allot, tmp_path):
    run = allot.start("run", allot.write("live.yaml", LIVE))
    wait_for(lambda: (tmp_path / "allot-work/allot.db").exists(), what="the journal")
    follow = subprocess.Popen([str(allot.bin), "events", "--follow", "--workdir", "allot-work"],
                              cwd=tmp_path,
                              stdout=subprocess.PIPE, text=True, start_new_session=True)
    try:
        seen = []
        started = time.monotonic()
        while len(seen) < 2:
            line = follow.stdout.readline()
            assert line, "allot events --follow ended before the metrics came"
            if '"metric"' in line:
                seen.append(json.loads(line))
        latency = time.monotonic() - started
        # The task is still blocked: they were streamed while it runs.
        assert not (tmp_path / "release").exists()
        assert [(m["metric"], m["value"], m["step"], m["task"]) for m in seen] == [
            ("loss", 0.5, 1, "train"), ("acc", 0.75, 1, "train")]
        print(f"first metrics reached the follower {latency:.2f}s after it started")
        (tmp_path / "release").touch()
        rc, _, err = allot.finish(run)
        assert rc == 0, err
        assert "metrics.jsonl: line 4: not a JSON object" in err
    finally:
        follow.kill()
        follow.wait()
    rows = sqlite3.connect(tmp_path / "allot-work/allot.db").execute(
        "SELECT task_id, attempt, name, step, value FROM task_metrics ORDER BY seq").fetchall()
    assert rows == [("train", 1, "loss", 1, 0.5), ("train", 1, "acc", 1, 0.75),
                    ("train", 1, "loss", 2, 0.25)]
    everything = allot.run("events")
    assert [m["value"] for m in metric_lines(everything.stdout)] == [0.5, 0.75, 0.25]
    latest = allot.status_json("allot-work", "train")["tasks"][0]["metrics"]
    assert {k: (v["value"], v.get("step")) for k, v in latest.items()} == {
        "loss": (0.25, 2), "acc": (0.75, 1)}
    assert "metrics: acc 0.75 (step 1), loss 0.25 (step 2)" in allot.run("status", "train").stdout
    only_events = allot.run("events", "--no-metrics")
    assert only_events.stdout and not metric_lines(only_events.stdout)


def test_bad_metric_names_and_values_are_refused_and_write_nothing(allot, tmp_path):
    metrics = tmp_path / "m.jsonl"
    env_run = lambda *args: subprocess.run(  # noqa: E731
        [str(allot.bin), "metric", *args], capture_output=True, text=True,
        env={"ALLOT_METRICS_FILE": str(metrics), "PATH": "/usr/bin:/bin"})
    for args, says in [(("bad name", "1"), "' ' is not allowed"),
                       (("9lives", "1"), "must start with a letter"),
                       (("loss", "fast"), "not a finite number"),
                       (("loss", "inf"), "not a finite number"),
                       (("loss", "1", "--step", "-2"), "--step")]:
        r = env_run(*args)
        assert r.returncode == 2, (args, r.stderr)
        assert says in r.stderr, (args, r.stderr)
    assert not metrics.exists()
    outside = allot.run("metric", "loss", "1")
    assert outside.returncode == 2 and "ALLOT_METRICS_FILE is not set" in outside.stderr
    assert env_run("eff/barrel", "0.9", "--step", "3").returncode == 0
    assert json.loads(metrics.read_text()) == {"name": "eff/barrel", "value": 0.9, "step": 3}


def test_metrics_of_each_attempt_are_kept_apart(allot, tmp_path):
    f = allot.write("retry.yaml", """
tasks:
  - id: flaky
    max_retries: 1
    command: allot metric tries 1 && test -e again || (touch again; exit 3)
""")
    r = allot.run("run", f)
    assert r.returncode == 0, r.stderr
    rows = sqlite3.connect(tmp_path / "allot-work/allot.db").execute(
        "SELECT attempt, name FROM task_metrics ORDER BY seq").fetchall()
    assert rows == [(1, "tries"), (2, "tries")]


def test_a_servers_workers_send_metrics_that_a_client_long_polls_while_the_task_runs(
        allot, tmp_path):
    from cluster_support import Cluster
    c = Cluster(tmp_path)
    c.start_server()
    c.start_worker("--cores", "1")
    try:
        c.cli("submit", allot.write("live.yaml", LIVE))
        c.wait_state("train", "running")
        got = []
        after = 0
        started = time.monotonic()
        while len(got) < 2 and time.monotonic() - started < 30:
            answer = c.api("GET", f"/api/v1/events?after=0&after_metric={after}&timeout_s=10")
            got += answer["metrics"]
            after = answer["last_metric"]
        assert [(m["metric"], m["value"], m["task"]) for m in got] == [
            ("loss", 0.5, "train"), ("acc", 0.75, "train")]
        assert c.state("train") == "running"  # streamed while it runs
        old_client = c.api("GET", "/api/v1/events?after=0&timeout_s=0")
        assert "metrics" not in old_client and old_client["events"]
        (tmp_path / "release").touch()
        c.wait_state("train", "succeeded")
        assert c.task("train")["metrics"]["loss"]["value"] == 0.25
        lines = metric_lines(c.cli("events").stdout)
        assert [m["value"] for m in lines] == [0.5, 0.75, 0.25]
    finally:
        c.close()
