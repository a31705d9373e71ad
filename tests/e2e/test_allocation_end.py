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


def test_a_worker_whose_allocation_ends_checkpoints_ahead_and_another_continues(allot,
                                                                              tmp_path):
    """`allot worker start --end-time`: the server starts nothing there that would not end in
    time; the checkpointing simulation gets its last checkpoint signal ahead of the end (by what
    its checkpoints took), is not started there again, and the worker stops and exits 75; a
    worker of the next allocation continues it from that checkpoint, bit-exact, with no step
    computed twice."""
    import os
    import subprocess
    from cluster_support import Cluster
    from conftest import wait_for
    steps = 700
    progress = tmp_path / "progress-sim"
    sim = allot.tt("--simulate", steps, "--step-seconds", 0.01, "--state-mib", 1,
                   "--checkpoint-signal", "USR2", "--progress", progress)
    f = allot.write("tasks.yaml", "tasks:\n  - id: sim\n    command: " + json.dumps(sim) +
                    "\n    checkpoint: {signal: USR2, every: 1s, files: [state.bin]}\n"
                    "  - id: long\n    command: 'sleep 0.2'\n    time_estimate: 1h\n")
    c = Cluster(tmp_path)
    c.start_server()
    try:
        ending = c.start_worker("--cores", "2", "--end-time", "+6s", "--end-margin", "2s")
        first = c.active_workers()[0]["name"]
        c.cli("submit", f)
        assert ending.wait(timeout=30) == 75, (tmp_path / "worker0.log").read_text()
        log = (tmp_path / "worker0.log").read_text()
        assert "stopping (its allocation ends): nothing runs" in log, log
        assert c.state("long") == "ready", "an hour's estimate does not fit in 4 seconds"
        assert c.state("sim") == "ready"
        done_before = progress.read_text().count(".")
        assert 0 < done_before < steps

        c.start_worker("--cores", "2")
        c.wait_state("sim", "succeeded", timeout=60)
        c.wait_state("long", "succeeded", timeout=30)
        task = c.task("sim")
        outcomes = [a["outcome"] for a in task["attempts"]]
        assert outcomes[-1] == "succeeded" and set(outcomes[:-1]) == {"preempted"}, task
        # Attempts on the ending worker, then (from its last set) on the next one.
        on_first = [a["worker"] == first for a in task["attempts"]]
        n = on_first.index(False)
        assert n > 0 and not any(on_first[n:]), task
        assert task["attempts"][n]["checkpoint"]["restored"] == \
            task["attempts"][n - 1]["checkpoint"]["sealed"]["set"], task
        assert c.task("long")["attempts"][0]["worker"] != first
        assert progress.read_text().count(".") == steps, "nothing was computed twice"
        env = dict(os.environ, ALLOT_TASK_ID="sim")
        want = subprocess.run([str(allot.test_task), "--simulate", str(steps), "--step-seconds",
                               "0", "--state-mib", "1"], env=env, capture_output=True,
                              text=True, check=True).stdout
        assert c.cli("log", "sim").stdout == want
    finally:
        c.close()


def test_bad_worker_end_times_exit_2_naming_the_flag(allot, tmp_path):
    for args, says in [(["--end-time", "tomorrow"], "--end-time 'tomorrow'"),
                       (["--end-time", "+10s", "--end-margin", "1min"], "within --end-margin"),
                       (["--end-time", "+1h", "--end-margin", "soon"], "--end-margin soon")]:
        r = allot.run("worker", "start", "--server-dir", str(tmp_path / "none"), *args)
        assert r.returncode == 2 and says in r.stderr, (args, r.stderr)
