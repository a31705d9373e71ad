"""`allot run --end-time`: an allocation that ends mid-campaign loses nothing. Tasks whose
expected run time (estimate, learned, else time_limit) would reach past the end are not started; a margin before the end
the run stops as SIGTERM stops it (running attempts preempted, not failed), exits 75, and
`--resume` (in the next allocation) finishes the campaign without running again anything that
had finished. The same on the local Slurm cluster with SLURM_JOB_END_TIME:
test_slurm_cluster.py."""

import json
import time

from conftest import RUN_TIMEOUT


def log_lines(path):
    return path.read_text().split() if path.exists() else []


def test_the_run_stops_before_the_end_and_resume_finishes_without_recomputing(allot, tmp_path):
    log = tmp_path / "log"
    step = f'echo "$ALLOT_TASK_ID" >> {log}.start; sleep {{s}}; echo "$ALLOT_TASK_ID" >> {log}'
    tasks = [{"id": f"quick-{i}", "command": step.format(s=0.3), "time_estimate": "1s",
              "time_limit": "1min"} for i in range(4)]
    tasks.append({"id": "endless", "command": step.format(s=30)})  # no limit: it starts
    tasks.append({"id": "long", "command": step.format(s=0.5), "time_limit": "1h"})
    tasks.append({"id": "after", "command": step.format(s=0.2), "time_estimate": "1s",
                  "depends_on": ["endless"]})
    f = allot.write("tasks.json", json.dumps(tasks))

    t0 = time.monotonic()
    r = allot.run("run", f, "--cores", "2", "--end-time", "+8s", "--end-margin", "3s",
                  "--progress", "plain")
    took = time.monotonic() - t0
    assert r.returncode == 75, f"exit {r.returncode}\n{r.stderr}"
    assert 4.5 < took < 5 + 10 + 3, took  # stopped at ~5 s, the endless one within its grace
    assert "the allocation ends in" in r.stderr
    assert "run again with --resume" in r.stdout
    summary = json.loads((tmp_path / "allot-work" / "summary.json").read_text())
    assert summary["allocation_ended"] is True
    assert summary["succeeded"] == 4 and summary["failed"] == 0 and summary["unfinished"] == 3
    assert sorted(log_lines(log)) == [f"quick-{i}" for i in range(4)]
    assert "long" not in log_lines(tmp_path / "log.start"), "a 1h limit cannot fit in 5 s"
    # (The quick ones have a 1 min limit too: their 1 s estimate says they fit.)
    status = json.loads(allot.run("status", "--json", "long", "endless").stdout)
    states = {t["id"]: t["state"] for t in status["tasks"]}
    assert states["long"] == "ready" and states["endless"] in ("ready", "preempted"), states

    # The next allocation: no end this time.
    r = allot.run("run", f, "--cores", "2", "--resume", timeout=RUN_TIMEOUT + 60)
    assert r.returncode == 0, r.stderr
    done = log_lines(log)
    assert sorted(done) == sorted(t["id"] for t in tasks), "every task finished exactly once"
    starts = log_lines(tmp_path / "log.start")
    assert starts.count("endless") == 2 and all(starts.count(f"quick-{i}") == 1
                                                for i in range(4))


def test_bad_end_times_are_refused_naming_the_flag(allot, tmp_path):
    f = allot.write("tasks.json", json.dumps([{"id": "a", "command": "true"}]))
    r = allot.run("run", f, "--end-time", "tomorrow")
    assert r.returncode == 2 and "--end-time 'tomorrow': expected +DURATION" in r.stderr
    r = allot.run("run", f, "--end-time", "+30s", "--end-margin", "1min")
    assert r.returncode == 2 and "within --end-margin 1m00s" in r.stderr
    r = allot.run("run", f, "--end-margin", "soon")
    assert r.returncode == 2 and "--end-margin soon" in r.stderr
    assert not (tmp_path / "allot-work" / "allot.db").exists()


def test_when_nothing_left_can_end_before_the_end_the_run_stops_at_once(allot, tmp_path):
    f = allot.write("tasks.json", json.dumps([
        {"id": "quick", "command": "true", "time_limit": "5s"},
        {"id": "day", "command": "true", "time_limit": "24h"}]))
    t0 = time.monotonic()
    r = allot.run("run", f, "--cores", "2", "--end-time", "+1h", "--end-margin", "1min")
    assert r.returncode == 75, r.stderr
    assert time.monotonic() - t0 < 20, "it waited for the end with nothing to do"
    assert "no task left could end before then: stopping now" in r.stderr
    status = json.loads(allot.run("status", "--json").stdout)
    assert status["counts"]["succeeded"] == 1 and status["counts"]["ready"] == 1, status
