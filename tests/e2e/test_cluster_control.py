"""pause / resume / skip / cancel of real processes through a cluster-mode server, by task id
and by execution id (<task>@<attempt>)."""

import pytest

from cluster_support import Cluster
from conftest import pid_alive, read_pid, wait_for, wait_gone


def proc_state(pid):
    stat = open(f"/proc/{pid}/stat").read()
    return stat[stat.rfind(")") + 2]


@pytest.fixture
def cluster(tmp_path):
    c = Cluster(tmp_path)
    c.start_server()
    c.start_worker("--cores", "2")
    yield c
    c.close()


def submit_sleeper(c, name, after=None):
    pidfile = c.root / f"{name}.pid"
    args = ["submit", "--name", name]
    if after:
        args += ["--after", after]
    c.cli(*args, "--", "sh", "-c", f"echo $$ > {pidfile}; exec sleep 60")
    return pidfile


def test_pause_and_resume_by_task_id_and_execution_id_stop_and_continue_the_process(cluster):
    c = cluster
    pidfile = submit_sleeper(c, "sim")
    c.wait_state("sim", "running")
    pid = wait_for(lambda: pidfile.exists() and pidfile.read_text().strip() and read_pid(pidfile))
    c.cli("pause", "sim")
    assert c.state("sim") == "paused"
    wait_for(lambda: proc_state(pid) == "T", what="the process to be stopped")
    workers = c.active_workers()
    assert workers[0]["free_cores"] == 1, "a paused task keeps its core"
    c.cli("resume", "sim@1")
    assert c.state("sim") == "running"
    wait_for(lambda: proc_state(pid) in "SR", what="the process to continue")
    c.cli("pause", "sim@1")
    wait_for(lambda: proc_state(pid) == "T")
    c.cli("resume", "sim")
    wait_for(lambda: proc_state(pid) in "SR")
    task = c.task("sim")
    assert [a["attempt"] for a in task["attempts"]] == [1], "pause/resume is not a new attempt"
    c.cli("cancel", "sim")
    c.wait_state("sim", "canceled")
    wait_gone([pid])


def test_cancel_by_execution_id_kills_the_group_and_skips_dependents(cluster):
    c = cluster
    pidfile = submit_sleeper(c, "first")
    c.cli("submit", "--name", "second", "--after", "first", "--", "true")
    c.wait_state("first", "running")
    pid = wait_for(lambda: pidfile.exists() and pidfile.read_text().strip() and read_pid(pidfile))
    c.cli("cancel", "first@1")
    c.wait_state("first", "canceled")
    wait_gone([pid])
    assert c.state("second") == "skipped"


def test_cancel_of_a_paused_task_ends_it(cluster):
    c = cluster
    pidfile = submit_sleeper(c, "p")
    c.wait_state("p", "running")
    pid = wait_for(lambda: pidfile.exists() and pidfile.read_text().strip() and read_pid(pidfile))
    c.cli("pause", "p")
    wait_for(lambda: proc_state(pid) == "T")
    c.cli("cancel", "p@1")
    c.wait_state("p", "canceled")
    wait_gone([pid])


def test_skip_lets_dependents_run_as_if_it_had_succeeded(cluster):
    c = cluster
    blocker = submit_sleeper(c, "blocker")
    c.cli("submit", "--name", "prep", "--after", "blocker", "--", "sh", "-c", "touch prep-ran")
    c.cli("submit", "--name", "analysis", "--after", "prep", "--", "sh", "-c",
          f"touch {c.root}/analysis-ran")
    c.wait_state("blocker", "running")
    c.cli("skip", "prep")
    assert c.state("prep") == "skipped"
    # analysis waits only for prep, which counts as done.
    c.wait_state("analysis", "succeeded")
    assert (c.root / "analysis-ran").exists()
    assert not (c.root / "prep-ran").exists()
    c.cli("cancel", "blocker")
    c.wait_state("blocker", "canceled")


def test_actions_that_do_not_apply_are_refused_naming_the_ref_and_change_nothing(cluster):
    c = cluster
    submit_sleeper(c, "run")
    c.cli("submit", "--name", "later", "--after", "run", "--", "true")
    c.wait_state("run", "running")
    events_before = c.events()
    p = c.cli("pause", "later", check=False)
    assert p.returncode != 0
    assert "later" in p.stderr and "only a running task can be paused" in p.stderr, p.stderr
    p = c.cli("skip", "run", check=False)
    assert p.returncode != 0 and "cancel it instead" in p.stderr, p.stderr
    p = c.cli("resume", "nosuch", check=False)
    assert p.returncode != 0 and "nosuch" in p.stderr, p.stderr
    # All or nothing: one bad ref and the good one is not canceled either.
    p = c.cli("cancel", "later", "nosuch", check=False)
    assert p.returncode != 0 and "nosuch" in p.stderr
    p = c.cli("pause", "run@2", check=False)
    assert p.returncode != 0 and "run@2" in p.stderr, p.stderr
    assert c.events() == events_before
    assert c.state("later") == "waiting"
    c.cli("cancel", "run")
    c.wait_state("later", "skipped")
