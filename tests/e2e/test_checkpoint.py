"""The checkpoint contract end to end, with allot-test-task --simulate (a simulation whose final
digest depends on every step, so a continuation that is not bit-exact shows): checkpoints taken
every interval, on a stop, and after a crash of allot and all its tasks (a node failure); a
corrupted checkpoint is detected, reported and an older one used; lost work is counted from the
simulations' own progress files."""

import json
import os
import signal
import subprocess
import time

from conftest import RUN_TIMEOUT, wait_for

STEPS = 300
STEP_S = 0.01  # scaled time: one step stands for minutes of a real simulation


def expected_digest(allot, task_id, steps=STEPS):
    """What an uninterrupted run of the simulation prints."""
    env = dict(os.environ, ALLOT_TASK_ID=task_id)
    out = subprocess.run([str(allot.test_task), "--simulate", str(steps), "--step-seconds", "0",
                          "--state-mib", "1"], env=env, capture_output=True, text=True, check=True)
    return out.stdout


def sims_file(allot, tmp_path, n, checkpoint, steps=STEPS):
    (tmp_path / "progress").mkdir(exist_ok=True)
    tasks = [{"id": f"sim-{i}",
              "command": allot.tt("--simulate", steps, "--step-seconds", STEP_S, "--state-mib", 1,
                                  "--progress", tmp_path / "progress" / f"sim-{i}"),
              "checkpoint": checkpoint} for i in range(n)]
    return allot.write("tasks.json", tasks)


def work_done(tmp_path, task_id):
    """(steps computed, attempts started) from a simulation's progress file."""
    text = (tmp_path / "progress" / task_id).read_text()
    return text.count("."), text.count("start")


def test_checkpoints_every_interval_continue_bit_exact_without_losing_steps(allot, tmp_path):
    f = sims_file(allot, tmp_path, 4, {"every": "1s", "files": ["state.bin", "step.txt"]})
    r = allot.run("run", f, "--cores", "2", timeout=RUN_TIMEOUT)
    assert r.returncode == 0, r.stderr
    for i in range(4):
        tid = f"sim-{i}"
        assert (tmp_path / "allot-work" / tid / "stdout").read_text() == \
            expected_digest(allot, tid)
        done, starts = work_done(tmp_path, tid)
        assert starts >= 2, f"{tid} was never checkpointed and restarted"
        assert done == STEPS, f"{tid}: a graceful checkpoint loses nothing ({done} steps)"
    t = allot.task_states()["sim-0"]
    assert t["state"] == "succeeded"
    status = allot.run("status", "sim-0")
    assert "checkpoints:" in status.stdout and "left set 1 (2 files, 1 MiB)" in status.stdout
    assert "checkpointed (set 1)" in status.stdout
    # keep: 2 sets retained, each with its manifest.
    sets = sorted(p.name for p in (tmp_path / "allot-work" / "sim-0" / "checkpoints").iterdir())
    assert len(sets) == 2 and all((tmp_path / "allot-work" / "sim-0" / "checkpoints" / s /
                                   "MANIFEST.json").exists() for s in sets), sets


def test_a_stop_checkpoints_and_resume_continues_where_it_stopped(allot, tmp_path):
    f = sims_file(allot, tmp_path, 2, {"signal": "USR1", "grace": "20s"})
    proc = allot.start("run", f, "--cores", "2")
    wait_for(lambda: all((tmp_path / "progress" / f"sim-{i}").exists() and
                         work_done(tmp_path, f"sim-{i}")[0] > 50 for i in range(2)),
             what="both simulations under way")
    os.kill(proc.pid, signal.SIGTERM)
    rc, out, err = allot.finish(proc)
    assert rc != 0, err
    states = allot.task_states()
    assert {states[f"sim-{i}"]["state"] for i in range(2)} <= {"preempted", "ready"}, states
    r = allot.run("run", f, "--cores", "2", "--resume", timeout=RUN_TIMEOUT)
    assert r.returncode == 0, r.stderr
    for i in range(2):
        tid = f"sim-{i}"
        assert (tmp_path / "allot-work" / tid / "stdout").read_text() == \
            expected_digest(allot, tid)
        done, starts = work_done(tmp_path, tid)
        assert (done, starts) == (STEPS, 2), f"{tid}: resumed from its checkpoint exactly"
    assert "resumed at step" in (tmp_path / "allot-work" / "sim-0" / "stderr").read_text()


def test_a_node_failure_loses_at_most_an_interval_and_a_corrupted_set_falls_back(allot, tmp_path):
    steps = 600
    f = sims_file(allot, tmp_path, 2, {"every": "1s"}, steps=steps)
    proc = allot.start("run", f, "--cores", "2")
    ckpt = tmp_path / "allot-work" / "sim-0" / "checkpoints"
    wait_for(lambda: ckpt.exists() and len([p for p in ckpt.iterdir()
                                            if p.name.isdigit()]) >= 2,
             timeout=60, what="two checkpoints of sim-0")
    time.sleep(0.5)
    # The node fails: allot and every task die at once.
    subprocess.run(["pkill", "-KILL", "-s", str(proc.pid)], check=False)
    allot.finish(proc)
    newest = max((p for p in ckpt.iterdir() if p.name.isdigit()), key=lambda p: int(p.name))
    state = newest / "state.bin"
    data = bytearray(state.read_bytes())
    data[12345] ^= 0xFF  # one flipped byte, same size
    state.write_bytes(bytes(data))

    r = allot.run("run", f, "--cores", "2", "--resume", timeout=RUN_TIMEOUT)
    assert r.returncode == 0, r.stderr
    assert f"checkpoint set {newest.name} (state.bin: SHA-256 differs from its manifest)" \
        in r.stderr, r.stderr
    for i in range(2):
        tid = f"sim-{i}"
        want = expected_digest(allot, tid, steps)
        assert (tmp_path / "allot-work" / tid / "stdout").read_text() == want
    # Lost work: steps computed beyond the STEPS needed. An interval is 1 s (~100 steps at
    # 0.01 s, less on a loaded machine); the corrupted sim fell back one set more.
    steps_per_interval = 1.0 / STEP_S
    lost1 = work_done(tmp_path, "sim-1")[0] - steps
    lost0 = work_done(tmp_path, "sim-0")[0] - steps
    print(f"lost work: sim-0 {lost0} steps, sim-1 {lost1} steps "
          f"(an interval is ~{steps_per_interval:.0f})")
    assert 0 <= lost1 <= 1.5 * steps_per_interval, lost1
    assert 0 <= lost0 <= 2.5 * steps_per_interval, lost0
    status = json.loads(allot.run("status", "--json", "sim-0").stdout)
    details = status["tasks"][0]["attempt_details"]
    rejected = [a["checkpoint"].get("rejected") for a in details
                if isinstance(a.get("checkpoint"), dict) and a["checkpoint"].get("rejected")]
    assert rejected and "SHA-256 differs" in rejected[0][0], details
    assert (ckpt / f"{newest.name}.rejected").is_dir(), "kept for a person to look at"


def test_bad_checkpoint_fields_exit_2_naming_the_field_and_run_nothing(allot, tmp_path):
    f = allot.write("tasks.yaml", "tasks:\n  - id: a\n    command: 'true'\n"
                                  "    checkpoint: {signal: KILL, keep: 0}\n")
    r = allot.run("run", f)
    assert r.returncode == 2
    assert "tasks.yaml:4: task 'a': field 'checkpoint.signal': KILL cannot be caught" in r.stderr
    assert "field 'checkpoint.keep': must be a number of sets from 1 to 1000 (got 0)" in r.stderr
    assert not (tmp_path / "allot-work").exists()


def test_allot_checkpoint_through_a_server_restarts_the_task_on_its_worker_from_the_set(
        allot, tmp_path):
    from cluster_support import Cluster
    c = Cluster(tmp_path)
    c.start_server()
    c.start_worker("--cores", "1")
    try:
        steps = 1500
        progress = tmp_path / "progress-sim"
        f = allot.write("tasks.yaml", "tasks:\n  - id: sim\n    command: " + json.dumps(
            allot.tt("--simulate", steps, "--step-seconds", STEP_S, "--state-mib", 1,
                     "--checkpoint-signal", "USR2", "--progress", progress)) +
            "\n    checkpoint: {signal: USR2, files: [state.bin]}\n"
            "  - id: plain\n    command: sleep 30\n    depends_on: [sim]\n")
        c.cli("submit", f)
        c.wait_state("sim", "running")
        wait_for(lambda: progress.exists() and progress.read_text().count(".") > 50,
                 what="the simulation under way")
        refused = c.cli("checkpoint", "plain", check=False)
        assert refused.returncode == 2 and "only a running task" in refused.stderr, refused
        c.cli("checkpoint", "sim")
        wait_for(lambda: progress.read_text().count("start") == 2, timeout=30,
                 what="the simulation to restart from its checkpoint")
        c.wait_state("sim", "succeeded", timeout=60)
        task = c.task("sim")
        assert [a["outcome"] for a in task["attempts"]] == ["preempted", "succeeded"], task
        assert task["attempts"][0]["reason"] == "checkpointed (set 1)"
        assert task["attempts"][1]["checkpoint"]["restored"] == 1
        log = c.cli("log", "sim").stdout
        want = expected_digest(allot, "sim", steps)
        assert log == want
        assert progress.read_text().count(".") == steps, "nothing was computed twice"
    finally:
        c.close()


def test_a_protected_task_is_never_preempted_and_a_preemptible_one_resumes_from_its_checkpoint(
        allot, tmp_path):
    """Three cores: a protected simulation, a preemptible checkpointing one, and a trigger whose
    end releases a flood of higher-priority work. The flood waits --preempt-after 1s, then the
    preemptible simulation is asked for its checkpoint and requeued; the protected one never is.
    Both end with the digests of uninterrupted runs."""
    (tmp_path / "progress").mkdir()

    def sim(tid, steps, **extra):
        return dict({"id": tid, "command": allot.tt(
            "--simulate", steps, "--step-seconds", STEP_S, "--state-mib", 1, "--progress",
            tmp_path / "progress" / tid)}, **extra)
    tasks = [sim("guard", 400, protected=True, checkpoint={"every": "1h"}),
             sim("victim", 400, preemptible=True, checkpoint={"signal": "USR1"}),
             {"id": "trigger", "command": "sleep 0.5"}]
    tasks += [{"id": f"urgent-{i}", "command": "sleep 0.7", "priority": 10,
               "depends_on": ["trigger"]} for i in range(8)]
    f = allot.write("tasks.json", {"tasks": tasks})
    r = allot.run("run", f, "--cores", "3", "--preempt-after", "1s", timeout=RUN_TIMEOUT)
    assert r.returncode == 0, r.stderr
    states = allot.task_states()
    assert states["guard"]["attempts"] == 1, "protected: never preempted"
    assert states["victim"]["attempts"] >= 2, "preemptible: made room for the urgent work"
    victim = allot.status_json("allot-work", "victim")["tasks"][0]["attempt_details"]
    assert victim[0]["outcome"] == "preempted"
    assert victim[0]["reason"].startswith("preempted for 'urgent-"), victim[0]
    assert "(set 1)" in victim[0]["reason"], "it left its checkpoint"
    assert victim[-1]["outcome"] == "succeeded" and victim[-1]["checkpoint"]["restored"] >= 1
    for tid in ("guard", "victim"):
        want = expected_digest(allot, tid, 400)
        assert (tmp_path / "allot-work" / tid / "stdout").read_text() == want, tid
        assert work_done(tmp_path, tid)[0] == 400, f"{tid}: no step computed twice"
    summary = json.loads((tmp_path / "allot-work" / "summary.json").read_text())
    assert summary["failed"] == 0 and summary["succeeded"] == len(tasks)


def test_bad_preemption_fields_and_flags_exit_2(allot, tmp_path):
    f = allot.write("tasks.yaml", "tasks:\n  - id: a\n    command: 'true'\n"
                                  "    protected: true\n    preemptible: true\n"
                                  "    min_runtime: soon\n")
    r = allot.run("run", f)
    assert r.returncode == 2, r.stderr
    assert "task 'a': field 'preemptible': a protected task is never preempted" in r.stderr
    assert "task 'a': field 'min_runtime'" in r.stderr
    ok = allot.write("ok.yaml", "tasks:\n  - id: a\n    command: 'true'\n")
    r = allot.run("run", ok, "--preempt-after", "sometime")
    assert r.returncode == 2 and "--preempt-after sometime: expected a duration" in r.stderr
    assert not (tmp_path / "allot-work").exists()


def test_a_drained_worker_hands_a_checkpointing_task_to_another_worker(allot, tmp_path):
    """`allot worker drain`: the checkpointing simulation on the drained worker checkpoints and
    continues on the other worker from its set (a shared checkpoint dir), bit-exact. (That a
    plain task finishes where it is: SchedulerCheckpointTest.)"""
    from cluster_support import Cluster
    c = Cluster(tmp_path)
    c.start_server()
    try:
        c.start_worker("--cores", "1", cpus="0")  # two workers of one CPU each on this node
        first = c.active_workers()[0]["name"]
        steps = 1200
        progress = tmp_path / "progress-sim"
        sim = allot.tt("--simulate", steps, "--step-seconds", STEP_S, "--state-mib", 1,
                       "--progress", progress)
        f = allot.write("tasks.yaml", "tasks:\n  - id: sim\n    command: " + json.dumps(sim) +
                        f"\n    checkpoint: {{dir: {tmp_path / 'ckpt'}}}\n")
        c.cli("submit", f)
        wait_for(lambda: progress.exists() and progress.read_text().count(".") > 50,
                 what="the simulation under way")
        c.start_worker("--cores", "1", cpus="1")
        c.cli("worker", "drain", first)
        c.wait_state("sim", "succeeded", timeout=60)
        task = c.task("sim")
        assert [a["outcome"] for a in task["attempts"]] == ["preempted", "succeeded"], task
        assert task["attempts"][0]["reason"].startswith(f"its worker {first} is draining (set ")
        assert task["attempts"][1]["worker"] != first
        assert progress.read_text().count(".") == steps, "continued, nothing computed twice"
        want = expected_digest(allot, "sim", steps)
        assert c.cli("log", "sim").stdout == want
    finally:
        c.close()


def test_a_worker_stopped_by_sigterm_lets_its_simulation_checkpoint_and_journal_the_set(
        allot, tmp_path):
    """SIGTERM to `allot worker start` (Slurm's end of a pilot job): the worker sends the task
    its checkpoint signal; the exit with the checkpoint code is `preempted` with its set
    journaled (not `lost`), and a new worker continues from it bit-exact."""
    import signal as sig
    from cluster_support import Cluster
    c = Cluster(tmp_path)
    c.start_server()
    try:
        worker = c.start_worker("--cores", "1")
        steps = 1000
        progress = tmp_path / "progress-sim"
        sim = allot.tt("--simulate", steps, "--step-seconds", STEP_S, "--state-mib", 1,
                       "--checkpoint-signal", "USR1", "--progress", progress)
        f = allot.write("tasks.yaml", "tasks:\n  - id: sim\n    command: " + json.dumps(sim) +
                        "\n    checkpoint: {signal: USR1}\n")
        c.cli("submit", f)
        wait_for(lambda: progress.exists() and progress.read_text().count(".") > 50,
                 what="the simulation under way")
        worker.send_signal(sig.SIGTERM)
        worker.wait(timeout=60)
        first = c.task("sim")["attempts"][0]
        # Preempted, not lost: "its worker NAME is draining (set 1)" (a stopping worker drains).
        assert first["outcome"] == "preempted" and first["reason"].endswith("(set 1)"), first
        assert first["checkpoint"]["sealed"]["set"] == 1
        c.start_worker("--cores", "1")
        c.wait_state("sim", "succeeded", timeout=60)
        assert progress.read_text().count(".") == steps
        want = expected_digest(allot, "sim", steps)
        assert c.cli("log", "sim").stdout == want
    finally:
        c.close()
