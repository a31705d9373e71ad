"""Cluster mode on a real Slurm: the acceptance test for multi-node campaigns.

scripts/local-slurm.sh runs three Slurm nodes (n1..n3) on this machine. `allot server start`
runs here; one batch job starts one `allot worker start` per node with srun. A 1,000-task
workflow in 4 dependent stages runs on them; after ~30% succeeded, one node dies (its slurmd,
slurmstepds, worker and tasks get SIGKILL: scripts/local-slurm.sh kill-node). Then every task
must have succeeded exactly once, the attempts that were running on the dead node must have
been declared lost and run again as attempt 2 on another node, and nothing that had succeeded
may have run again.

Every task appends "<task id> <ALLOT_EXECUTION_ID> <SLURMD_NODENAME> start|done" to one log
(O_APPEND), the worker's environment telling the task which Slurm node it is on.

Needs root and the packages slurm-wlm and munge (scripts/install-deps.sh installs them); skips
with the reason without them, and fails (with the script's output) when Slurm cannot be
started. Leaves the cluster as it found it: the killed node is brought back to idle, and a
cluster that was not running before is stopped. CTest runs this file alone (RUN_SERIAL).
"""

import collections
import json
import os
import shlex
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from cluster_support import Cluster
from conftest import bin_dir, pid_alive, wait_for

REPO = Path(__file__).resolve().parents[2]
LOCAL_SLURM = REPO / "scripts" / "local-slurm.sh"
NODES = ("n1", "n2", "n3")
JOB_NAME = "allot-e2e-cluster"
STAGES = 4
WIDTH = 250  # tasks per stage
N_TASKS = STAGES * WIDTH
KILL_AT = 300  # succeeded tasks before a node dies
SLURM_TIMEOUT = 30  # any one Slurm client command (they can hang on an unreachable daemon)


def run_cmd(args, timeout, env=None):
    """Runs a command to completion (bounded); returns the CompletedProcess (text)."""
    args = [str(a) for a in args]
    try:
        return subprocess.run(args, capture_output=True, text=True, timeout=timeout, env=env,
                              start_new_session=True)
    except subprocess.TimeoutExpired as e:
        raise AssertionError(f"`{shlex.join(args)}` did not finish in {timeout}s\n"
                             f"stdout: {e.stdout}\nstderr: {e.stderr}") from None


def package_installed(name):
    r = subprocess.run(["dpkg-query", "-W", "-f=${Status}", name], capture_output=True,
                       text=True)
    return r.returncode == 0 and "install ok installed" in r.stdout


class LocalSlurm:
    """The local Slurm cluster, for one test: its client environment and what to undo."""

    def __init__(self, env):
        self.env = env
        self.jobs = []

    def slurm(self, *args, timeout=SLURM_TIMEOUT):
        return run_cmd(args, timeout, env=self.env)

    def script(self, *args, timeout=180):
        return run_cmd(["bash", LOCAL_SLURM, *args], timeout, env=self.env)

    def job_field(self, job, field):
        """A field of `scontrol show job -o` (e.g. JobState, BatchHost); None when not shown."""
        r = self.slurm("scontrol", "show", "job", "-o", job)
        for word in r.stdout.split():
            key, _, value = word.partition("=")
            if key == field:
                return value
        return None

    def cancel_jobs(self):
        problems = []
        for job in self.jobs:
            r = self.slurm("scancel", job)
            if r.returncode != 0:
                problems.append(f"scancel {job}: {r.stderr.strip()}")
        # Cancelled jobs end within KillWait (5 s) on the nodes that are up; one with a dead
        # node completes once its slurmd is back (`start` below), so this wait is bounded and
        # not required to end.
        deadline = time.monotonic() + 20
        while self.jobs and time.monotonic() < deadline:
            r = self.slurm("squeue", "-h", "-j", ",".join(self.jobs), "-o", "%i %T")
            if r.returncode == 0 and not any(s in r.stdout for s in ("RUNNING", "PENDING")):
                break
            time.sleep(0.5)
        return problems


@pytest.fixture
def local_slurm():
    if os.geteuid() != 0:
        pytest.skip("needs root: scripts/local-slurm.sh runs the Slurm and munge daemons")
    missing = [p for p in ("slurm-wlm", "munge") if not package_installed(p)]
    if missing:
        pytest.skip(f"not installed: {' '.join(missing)} (scripts/install-deps.sh installs "
                    f"slurm-wlm and munge)")
    env = dict(os.environ, ALLOT_SLURM_NODES=str(len(NODES)))
    for name in list(env):  # a Slurm job around this test must not leak into these commands
        if name.startswith(("SLURM_", "SBATCH_", "SRUN_", "SALLOC_")):
            del env[name]
    r = run_cmd(["bash", LOCAL_SLURM, "env"], 30, env=env)
    assert r.returncode == 0 and r.stdout.startswith("export SLURM_CONF="), r
    env["SLURM_CONF"] = r.stdout.strip().partition("=")[2]
    cluster = LocalSlurm(env)

    was_running = cluster.script("status", timeout=60).returncode == 0
    r = cluster.script("start")
    if r.returncode != 0:
        pytest.fail(f"the local Slurm cluster did not start (scripts/local-slurm.sh start, exit "
                    f"{r.returncode}):\n{r.stdout}\n{r.stderr}", pytrace=False)
    # Jobs of an earlier run that was itself killed would hold the nodes.
    cluster.slurm("scancel", "--name", JOB_NAME)
    yield cluster

    problems = cluster.cancel_jobs()
    # Restarts the slurmd of a killed node, which Slurm then returns to service (the script
    # resumes it if it stays DOWN), and waits until every node is idle again.
    r = cluster.script("start")
    if r.returncode != 0:
        problems.append(f"local-slurm.sh start (restoring the nodes): {r.stdout}{r.stderr}")
    if not was_running:
        r = cluster.script("stop", timeout=120)
        if r.returncode != 0:
            problems.append(f"local-slurm.sh stop: {r.stdout}{r.stderr}")
    assert not problems, "cleaning up the Slurm cluster:\n" + "\n".join(problems)


def node_of(worker_name):
    """The Slurm node in a worker's default name "<SLURMD_NODENAME>:<pid>:<random>"."""
    return worker_name.split(":")[0]


def workflow(log, test_task):
    """4 stages of 250 tasks; a task of stage k+1 depends on 3 tasks of stage k."""
    def mark(what):
        return (f'echo "$ALLOT_TASK_ID $ALLOT_EXECUTION_ID $SLURMD_NODENAME {what}" '
                f'>> {shlex.quote(str(log))}')

    sleeps = ("0.02", "0.04", "0.07", "0.1", "0.2")
    tasks = []
    for k in range(STAGES):
        for i in range(WIDTH):
            work = f"{shlex.quote(str(test_task))} --spin 0.005 --sleep {sleeps[(i + k) % 5]}"
            task = {"id": f"s{k}-{i:03d}",
                    "command": f"{mark('start')} && {work} && {mark('done')}"}
            if k > 0:
                task["depends_on"] = sorted({f"s{k - 1}-{j % WIDTH:03d}"
                                             for j in (i, i + 1, i + 17)})
            tasks.append(task)
    return {"defaults": {"cores": 1, "time_limit": "60s", "max_retries": 0}, "tasks": tasks}


def read_log(log):
    """[(task, attempt, node, what)] in the order written."""
    entries = []
    for text in log.read_text().splitlines():
        task, execution, node, what = text.split(" ")
        task_of_execution, _, attempt = execution.rpartition("@")
        assert task_of_execution == task, text
        entries.append((task, int(attempt), node, what))
    return entries


def diagnostics(slurm, tmp_path, job):
    """What to print when the workers do not come up or the campaign does not finish."""
    parts = [slurm.slurm("scontrol", "show", "job", job).stdout,
             slurm.slurm("sinfo", "-N", "-l").stdout]
    files = sorted(tmp_path.glob("worker-*.log")) + [tmp_path / "job.out", tmp_path / "server.log"]
    for f in files:
        if f.exists():
            parts.append(f"---- {f.name}\n" + "\n".join(f.read_text().splitlines()[-15:]))
    return "\n".join(parts)


@pytest.fixture
def server(tmp_path):
    """`allot server start` here (cluster_support.Cluster: CLI and HTTP API helpers)."""
    c = Cluster(tmp_path, worker_timeout="6s")
    try:
        c.start_server()
        yield c
    finally:
        c.close()


def workers_of(server):
    return json.loads(server.cli("workers", "--json").stdout)["workers"]


def test_node_death_mid_campaign(local_slurm, server, tmp_path):
    slurm = local_slurm
    t0 = time.monotonic()

    # One worker per node, started by Slurm. --no-kill: when Slurm sets the dead node DOWN it
    # would otherwise end the whole job, the workers on the other nodes with it.
    allot, server_dir = shlex.quote(str(bin_dir() / "allot")), shlex.quote(str(server.dir))
    job_script = tmp_path / "worker-job.sh"
    job_script.write_text(f"""\
#!/bin/bash
exec srun --no-kill --ntasks-per-node=1 --output={tmp_path}/worker-%t.log \\
  {allot} worker start --server-dir {server_dir} --server-timeout 60s
""")
    r = slurm.slurm("sbatch", "--parsable", "-N", len(NODES), "--ntasks-per-node=1",
                    "--no-kill", "--no-requeue", "--time=10", "-J", JOB_NAME,
                    "-o", tmp_path / "job.out", "-D", tmp_path, job_script)
    assert r.returncode == 0, f"sbatch: {r.stderr}"
    job = r.stdout.strip().split(";")[0]
    slurm.jobs.append(job)

    def three_workers():
        if slurm.job_field(job, "JobState") not in ("PENDING", "CONFIGURING", "RUNNING"):
            raise AssertionError("the worker job ended")
        active = [w for w in workers_of(server) if w["state"] == "active"]
        return active if len(active) == len(NODES) else None

    try:
        workers = wait_for(three_workers, timeout=60, interval=0.5, what="3 active workers")
    except AssertionError as e:
        raise AssertionError(f"{e}\n{diagnostics(slurm, tmp_path, job)}") from None
    by_node = {node_of(w["name"]): w for w in workers}
    assert sorted(by_node) == sorted(NODES), [w["name"] for w in workers]
    for w in workers:
        # Slurm gave each 1 CPU of its node (SLURM_CPUS_ON_NODE), though with TaskPlugin=
        # task/none the worker may run on every CPU of the host.
        assert w["cores"] == 1, w
    t_workers = time.monotonic()

    log = tmp_path / "tasks.log"
    tasks = workflow(log, bin_dir() / "allot-test-task")
    (tmp_path / "workflow.json").write_text(json.dumps(tasks))
    r = server.cli("submit", "workflow.json", "--json")
    assert len(json.loads(r.stdout)["ids"]) == N_TASKS

    # The node to kill: not the batch host, where srun runs (its death would end every step).
    batch_host = slurm.job_field(job, "BatchHost")
    victim = [n for n in NODES if n != batch_host][-1]
    victim_worker = by_node[victim]

    def succeeded():
        return server.api("GET", "/api/v1/server")["counts"].get("succeeded", 0)

    wait_for(lambda: succeeded() >= KILL_AT, timeout=90, interval=0.1,
             what=f"{KILL_AT} tasks to have succeeded")
    r = slurm.script("kill-node", victim, timeout=60)
    assert r.returncode == 0, f"local-slurm.sh kill-node {victim}: {r.stdout}{r.stderr}"
    t_kill = time.monotonic()
    lines_at_kill = len(log.read_text().splitlines())
    succeeded_at_kill = succeeded()
    assert succeeded_at_kill < N_TASKS * 0.6, f"{succeeded_at_kill} succeeded already"
    wait_for(lambda: not pid_alive(victim_worker["pid"]), timeout=10,
             what=f"the worker on {victim} to be dead")

    def victim_lost():
        states = {w["name"]: w["state"] for w in workers_of(server)}
        return states.get(victim_worker["name"]) == "lost"

    try:
        wait_for(victim_lost, timeout=30, interval=0.2,
                 what=f"the server to lose {victim}'s worker")
    except AssertionError as e:
        raise AssertionError(f"{e}\nworkers: {json.dumps(workers_of(server), indent=1)}\n"
                             f"{diagnostics(slurm, tmp_path, job)}") from None
    t_lost = time.monotonic()

    r = server.cli("wait", "--timeout", "100s", check=False)
    assert r.returncode == 0, (f"allot wait ({r.returncode}): {r.stdout}{r.stderr}\n"
                               f"{diagnostics(slurm, tmp_path, job)}")
    t_done = time.monotonic()
    server.cli("server", "stop")
    assert server.server.wait(timeout=60) == 0, (tmp_path / "server.log").read_text()[-2000:]
    print(f"workers up {t_workers - t0:.1f}s; node {victim} killed at {succeeded_at_kill} "
          f"succeeded, {t_kill - t_workers:.1f}s after; lost after {t_lost - t_kill:.1f}s; "
          f"all done {t_done - t_kill:.1f}s after the kill")

    con = sqlite3.connect(str(server.dir / "journal.db"))
    try:
        assert con.execute("SELECT count(*) FROM tasks").fetchone()[0] == N_TASKS
        events = con.execute("SELECT task_id, attempt, to_state, worker, reason "
                             "FROM task_events ORDER BY seq").fetchall()
    finally:
        con.close()
    attempts = attempts_of(events)
    check_journal(events, attempts, victim_worker["name"])
    check_log(read_log(log), lines_at_kill, victim, attempts)


def attempts_of(events):
    """{(task, attempt): {"worker": name, "end": state, "reason": ...}} from the journal."""
    attempts = {}
    for task, attempt, to_state, worker, reason in events:
        if to_state == "running":
            attempts.setdefault((task, attempt), {})["worker"] = worker
        elif to_state in ("succeeded", "failed", "canceled", "skipped", "lost", "preempted"):
            attempts.setdefault((task, attempt), {}).update(end=to_state, reason=reason)
    return attempts


def check_journal(events, attempts, victim_worker):
    victim = node_of(victim_worker)
    succeeded = collections.Counter(e[0] for e in events if e[2] == "succeeded")
    assert len(succeeded) == N_TASKS, f"{N_TASKS - len(succeeded)} tasks never succeeded"
    assert set(succeeded.values()) == {1}, {t: n for t, n in succeeded.items() if n != 1}
    unexpected = {e[2] for e in events} - {"waiting", "ready", "running", "succeeded", "lost"}
    assert not unexpected, f"unexpected states in the journal: {unexpected}"

    lost = sorted(key for key, a in attempts.items() if a["end"] == "lost")
    assert lost, f"nothing was running on {victim} when it died"
    for (task, attempt), a in attempts.items():
        on_victim = node_of(a["worker"]) == victim
        if a["end"] == "lost":
            # Lost with the node, then run again on another node as the next attempt.
            assert on_victim and attempt == 1, (task, attempt, a)
            assert victim_worker in a["reason"], (task, a)
            again = attempts.get((task, 2))
            assert again and again["end"] == "succeeded", (task, again)
            assert node_of(again["worker"]) != victim, (task, again)
        else:
            # Everything else ran once, to success; what ran on the dead node had finished.
            assert a["end"] == "succeeded", (task, attempt, a)
            assert attempt == 1 or (task, attempt - 1) in lost, (task, attempt)
    # Nothing ran again after it had succeeded.
    done = set()
    for task, _, to_state, _, _ in events:
        assert not (to_state == "running" and task in done), f"{task} ran again after success"
        if to_state == "succeeded":
            done.add(task)
    nodes = collections.Counter(node_of(a["worker"]) for a in attempts.values())
    assert set(nodes) == set(NODES), f"attempts per node: {dict(nodes)}"
    print(f"{len(lost)} attempts lost on {victim}; attempts per node {dict(nodes)}")


def check_log(entries, lines_at_kill, victim, attempts):
    """The tasks' own record agrees with the journal: which attempt ran where, once each."""
    lost_tasks = {task for (task, _), a in attempts.items() if a["end"] == "lost"}
    late = [e for e in entries[lines_at_kill:] if e[2] == victim]
    assert not late, f"tasks ran on {victim} after it died: {late[:5]}"

    by_task = collections.defaultdict(list)
    position = {}
    for index, (task, attempt, node, what) in enumerate(entries):
        by_task[task].append((attempt, node, what))
        position[(task, attempt, what)] = index
    assert len(by_task) == N_TASKS
    for task, lines in by_task.items():
        final = 2 if task in lost_tasks else 1
        ran_on = node_of(attempts[(task, final)]["worker"])
        # The succeeded attempt: one start and one done, on the node its worker was on.
        assert sorted(l for l in lines if l[0] == final) == [
            (final, ran_on, "done"), (final, ran_on, "start")], (task, lines)
        # A lost attempt ran (or had just started) on the dead node only. It may even have
        # finished its work there, with the exit lost with the worker.
        assert all(node == victim for attempt, node, _ in lines if attempt != final), (task, lines)

    # Dependencies: a task of stage k+1 started after its dependencies' successful attempts
    # were done.
    final_attempt = {t: (2 if t in lost_tasks else 1) for t in by_task}
    for k in range(1, STAGES):
        for i in range(WIDTH):
            task = f"s{k}-{i:03d}"
            start = position[(task, final_attempt[task], "start")]
            for j in (i, i + 1, i + 17):
                dep = f"s{k - 1}-{j % WIDTH:03d}"
                assert position[(dep, final_attempt[dep], "done")] < start, (task, dep)


def wait_job_end(slurm, job, timeout):
    def ended():
        state = slurm.job_field(job, "JobState")
        return state if state not in ("PENDING", "CONFIGURING", "RUNNING", "COMPLETING") else None
    return wait_for(ended, timeout=timeout, interval=1, what=f"job {job} to end")


def test_an_allocation_that_ends_mid_campaign_loses_nothing(local_slurm, tmp_path):
    """`allot run` inside a batch job with a 1-minute limit learns its end from Slurm
    (SLURM_JOB_END_TIME, else squeue), starts nothing that cannot end before it, stops 20 s
    before it (exit 75), asking a checkpointing simulation for its checkpoint; `allot run
    --resume` in a second job finishes the campaign, nothing that finished in the first job
    runs again, and the simulation continues from its checkpoint bit-exact, computing no step
    twice. 20 steps of 4 s and a 50 s simulation on 2 CPUs: 130 s of work, more than the first
    job's 40 s."""
    slurm = local_slurm
    log = tmp_path / "log"
    sim_steps = 5000
    tasks = [{"id": f"step-{i}", "time_limit": "15s",
              "command": f'echo "$ALLOT_TASK_ID" >> {log}.start; sleep 4; '
                         f'echo "$ALLOT_TASK_ID" >> {log}'} for i in range(20)]
    sim_cmd = [str(bin_dir() / "allot-test-task"), "--simulate", str(sim_steps),
               "--step-seconds", "0.01", "--state-mib", "1", "--progress",
               str(tmp_path / "sim.progress")]
    sim = {"id": "sim", "command": shlex.join(sim_cmd), "priority": 1,
           "checkpoint": {"grace": "10s", "files": ["state.bin"]}}
    (tmp_path / "tasks.json").write_text(json.dumps(tasks + [sim]))
    allot = shlex.quote(str(bin_dir() / "allot"))

    def submit(minutes, extra):
        script = tmp_path / f"job-{minutes}{extra.replace(' ', '')}.sh"
        script.write_text(f"""\
#!/bin/bash
{allot} run tasks.json --workdir w --progress plain --end-margin 20s {extra}
echo "rc $?"
""")
        r = slurm.slurm("sbatch", "--parsable", "-N", 1, "-n", 1, "-c", 2, "--no-requeue",
                        f"--time={minutes}", "-J", JOB_NAME, "-o", f"{script}.out",
                        "-D", tmp_path, script)
        assert r.returncode == 0, f"sbatch: {r.stderr}"
        job = r.stdout.strip().split(";")[0]
        slurm.jobs.append(job)
        wait_job_end(slurm, job, timeout=minutes * 60 + 60)
        return Path(f"{script}.out").read_text()

    out = submit(1, "")
    assert "the allocation ends in" in out and "rc 75" in out, out
    done_first = log.read_text().split()
    assert 0 < len(done_first) < len(tasks), out
    # Nothing started that could not end 20 s before the end: every start finished or was
    # stopped by the end itself, and none failed.
    summary = json.loads((tmp_path / "w" / "summary.json").read_text())
    assert summary["allocation_ended"] and summary["failed"] == 0, summary

    out = submit(3, "--resume")
    assert "rc 0" in out, out
    done = log.read_text().split()
    assert sorted(done) == sorted(t["id"] for t in tasks), "every step finished exactly once"
    starts = (tmp_path / "log.start").read_text().split()
    for tid in done_first:
        assert starts.count(tid) == 1, f"{tid} finished in the first job and ran again"
    # The simulation: checkpointed at the first job's end, continued in the second.
    progress = (tmp_path / "sim.progress").read_text()
    assert progress.count("start") >= 2 and "start 0" in progress, progress[:200]
    assert progress.count(".") == sim_steps, "no step of the simulation computed twice"
    want = subprocess.run(sim_cmd[:4] + ["0", "--state-mib", "1"],
                          env=dict(os.environ, ALLOT_TASK_ID="sim"), capture_output=True,
                          text=True, check=True).stdout
    assert (tmp_path / "w" / "sim" / "stdout").read_text() == want
