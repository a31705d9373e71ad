"""allot.Client against a real server and two real workers (cluster mode, docs/CLUSTER.md).

One server and two one-core workers serve the whole module; each test names its tasks with its
own prefix and waits on its own ids, so the tests do not see each other's tasks. Real
processes: pause is checked in /proc (state T), cancel by the process disappearing.
"""

import inspect
import json
import os
import re
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

import allot
from conftest import wait_for

SERVER_START_TIMEOUT = 30
WORKERS = 2


@dataclass
class Cluster:
    dir: Path
    client: allot.Client
    server: subprocess.Popen
    workers: list
    log_dir: Path

    def logs(self) -> str:
        out = []
        for f in sorted(self.log_dir.glob("*.log")):
            out.append(f"--- {f.name}\n{f.read_text(errors='replace')[-4000:]}")
        return "\n".join(out)


def _start(command, log_path):
    log = open(log_path, "wb")
    try:
        # Own session: a Ctrl-C on pytest's terminal does not reach them; teardown ends them.
        return subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)
    finally:
        log.close()


def _end(processes, timeout=10.0):
    deadline = time.monotonic() + timeout
    for p in processes:
        try:
            p.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            pass
    for p in processes:
        if p.poll() is None:
            try:
                os.killpg(p.pid, signal.SIGKILL)  # the group we started (start_new_session)
            except ProcessLookupError:
                pass
            p.wait(5)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, allot_binary):
    server_dir = tmp_path_factory.mktemp("server")
    log_dir = tmp_path_factory.mktemp("logs")
    server = _start([allot_binary, "server", "start", "--dir", str(server_dir),
                     "--worker-timeout", "5s"], log_dir / "server.log")
    workers = []
    try:
        def connected():
            if server.poll() is not None:
                raise AssertionError(f"allot server exited with {server.returncode}: "
                                     f"{(log_dir / 'server.log').read_text()}")
            try:
                c = allot.Client(server_dir, timeout=20)
                c.server_info()
                return c
            except allot.ServerUnavailableError:
                return None

        client = wait_for(connected, timeout=SERVER_START_TIMEOUT, what="the server's access file")
        for i in range(WORKERS):
            workers.append(_start([allot_binary, "worker", "start", "--server-dir",
                                   str(server_dir), "--cores", "1", "--name", f"w{i}"],
                                  log_dir / f"worker-{i}.log"))
        wait_for(lambda: len([w for w in client.workers() if w.state == "active"]) == WORKERS,
                 timeout=SERVER_START_TIMEOUT, what="the workers to join")
        yield Cluster(server_dir, client, server, workers, log_dir)
    finally:
        try:
            if server.poll() is None:
                allot.Client(server_dir, timeout=5).stop_server(kill=True)
        except allot.AllotError:
            pass
        _end([server] + workers)


@pytest.fixture
def client(cluster):
    return cluster.client


@pytest.fixture
def prefix(request):
    """A task id prefix of this test's own."""
    return re.sub(r"[^a-z0-9]+", "-", request.node.name.lower().removeprefix("test_")).strip("-")


def proc_state(pid):
    """The state letter of /proc/<pid>/stat (R, S, T, Z...), None once the process is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return text[text.rindex(")") + 2]


def running_pid(client, task_id):
    """The pid a task printed first thing (`echo $$; exec ...`), once it has."""
    def printed():
        out = client.log(task_id)
        return int(out.split()[0]) if out.strip() else None
    return wait_for(printed, timeout=30, what=f"{task_id} to print its pid")


# Submit, status, wait, log -------------------------------------------------------------------

def test_submit_status_wait_log(client, prefix):
    a, b = f"{prefix}-a", f"{prefix}-b"
    ids = client.submit([allot.Task(a, "echo hello"),
                         {"id": b, "command": "echo oops >&2; exit 3"}])
    assert ids == [a, b]

    result = client.wait(ids, timeout=30)
    assert result.done and not result.ok
    assert [(u.id, u.state, u.exit_code) for u in result.unsuccessful] == [(b, "failed", 3)]
    with pytest.raises(allot.TasksFailedError, match=f"{b} \\(failed, exit 3"):
        result.check()

    listed = client.status(ids)
    assert [t.id for t in listed] == ids
    ta, tb = listed.by_id()[a], listed.by_id()[b]
    assert (ta.state, ta.attempt, ta.execution, ta.exit_code, ta.worker) == \
        ("succeeded", 1, f"{a}@1", 0, None)
    assert (tb.state, tb.exit_code) == ("failed", 3)
    assert ta.finished and ta.succeeded and not tb.succeeded
    assert listed.counts["succeeded"] >= 1 and set(listed.counts) >= set(allot.STATES)
    assert a in client.status(states="succeeded").ids()
    assert b not in client.status(states=["succeeded", "running"]).ids()

    assert client.log(a) == "hello\n"
    assert client.log(b, "stderr") == "oops\n"
    assert client.log(f"{a}@1") == "hello\n"

    detail = client.task(a)
    assert detail.command == "echo hello" and detail.state == "succeeded"
    assert [(x.attempt, x.execution, x.state, x.exit_code) for x in detail.attempts] == \
        [(1, f"{a}@1", "succeeded", 0)]
    assert detail.attempts[0].worker in {w.name for w in client.workers()}
    assert [e.to for e in detail.events][-1] == "succeeded"

    with pytest.raises(allot.NotFoundError, match=f"no task or execution '{prefix}-nope'"):
        client.status([a, f"{prefix}-nope"])
    with pytest.raises(allot.NotFoundError):
        client.log(f"{a}@7")


def test_workers(client):
    workers = [w for w in client.workers() if w.state == "active"]
    assert sorted(w.name for w in workers) == ["w0", "w1"]
    assert all(w.cores == 1 and w.memory > 0 for w in workers)
    info = client.server_info()
    assert info["workers"] == WORKERS and "counts" in info


def test_many_refs_are_sent_in_several_requests(client, prefix):
    """The server takes URIs of up to 8 KiB; a long list of refs must still work."""
    task_id = f"{prefix}-{'x' * 40}"
    client.submit([allot.Task(task_id, "true")])
    refs = [task_id] * 1000  # ~45 KB of refs
    assert client.wait(refs, timeout=30).ok
    listed = client.status(refs)
    assert len(listed) == 1000 and {t.state for t in listed} == {"succeeded"}
    assert len(client.status(refs, limit=10)) == 10


# Arrays and dependencies ---------------------------------------------------------------------

def test_array_sweep_and_dependencies(client, prefix):
    arr = client.submit_command(["sh", "-c", "echo $ALLOT_ARRAY_INDEX {index}"],
                                name=f"{prefix}-arr", array="1-5:2", tags={"kind": "arr-{index}"})
    assert arr == [f"{prefix}-arr-1", f"{prefix}-arr-3", f"{prefix}-arr-5"]
    sweep = allot.sweep(allot.Task(f"{prefix}-sq-{{n}}", "echo $(({n} * {n}))"),
                        grid={"n": [2, 3]})
    # The aggregate reads its dependencies' output files: they exist once they succeeded.
    agg = allot.Task(f"{prefix}-agg", " ".join(f"cat $ALLOT_WORKDIR/../{i}/stdout;" for i in arr)
                     + f" cat $ALLOT_WORKDIR/../{prefix}-sq-3/stdout",
                     depends_on=arr + [f"{prefix}-sq-*"])
    ids = client.submit(allot.workflow([sweep, agg], defaults={"max_retries": 0}),
                        name="sweep.json")
    assert ids == [f"{prefix}-sq-2", f"{prefix}-sq-3", f"{prefix}-agg"]
    # A later submission may depend on tasks submitted earlier.
    post = client.submit(allot.Task(f"{prefix}-post", "echo post", depends_on=agg))
    fails = client.submit([allot.Task(f"{prefix}-fails", "exit 1"),
                           allot.Task(f"{prefix}-after-fails", "echo never",
                                      depends_on=f"{prefix}-fails")])

    result = client.wait(arr + ids + post + fails, timeout=30)
    assert {(u.id, u.state) for u in result.unsuccessful} == \
        {(f"{prefix}-fails", "failed"), (f"{prefix}-after-fails", "skipped")}
    assert client.log(f"{prefix}-agg") == "1 1\n3 3\n5 5\n9\n"
    assert client.log(f"{prefix}-sq-2") == "4\n"
    assert client.task(f"{prefix}-arr-3").tags == {"kind": "arr-3"}
    agg_start = client.task(f"{prefix}-agg").attempts[0].started_us
    assert all(client.task(i).attempts[0].ended_us <= agg_start for i in arr)
    assert client.task(f"{prefix}-post").depends_on == [f"{prefix}-agg"]

    with pytest.raises(allot.BadInputError, match=rf"task '{prefix}-orphan': field "
                                                  rf"'depends_on': unknown task '{prefix}-none'"):
        client.submit([allot.Task(f"{prefix}-orphan", "true", depends_on=f"{prefix}-none")])


def test_glob_dependency_on_earlier_submission(client, prefix):
    arr = client.submit_command("true", name=f"{prefix}-arr", array="1-2")
    [agg] = client.submit_command("true", name=f"{prefix}-agg", after=f"{prefix}-arr-*")
    assert client.wait(arr + [agg], timeout=30).ok
    assert client.task(agg).depends_on == arr


def test_submitted_task_file_resolves_relative_programs_against_its_directory(client, prefix,
                                                                              tmp_path):
    campaign = tmp_path / "campaign"
    campaign.mkdir()
    script = campaign / "hello.sh"
    script.write_text("#!/bin/sh\necho hello from $0\n")
    script.chmod(0o755)
    path = campaign / "tasks.yaml"
    path.write_text(f"tasks:\n  - {{id: {prefix}-h, command: ./hello.sh}}\n")
    # base_dir (where tasks run) is elsewhere; ./hello.sh is still the file's neighbour.
    ids = client.submit(path, base_dir=tmp_path)
    result = client.wait(ids, timeout=30)
    assert result.ok, result.unsuccessful
    assert client.log(f"{prefix}-h") == f"hello from {script}\n"


def test_submit_command_default_name_and_options(client, prefix):
    [task_id] = client.submit_command(["printf", "%s|", "a b", "{x}"], cores="1", priority=3,
                                      env={"GREETING": "hi"}, time_limit=60, max_retries=1)
    assert re.fullmatch(r"printf-[0-9a-f]{6}", task_id)
    assert client.wait([task_id], timeout=30).ok
    assert client.log(task_id) == "a b|{x}|"
    detail = client.task(task_id)
    assert detail.priority == 3 and detail.command == "printf '%s|' 'a b' '{x}'"
    [env_id] = client.submit_command("echo $GREETING", name=f"{prefix}-env",
                                      env={"GREETING": "hi"})
    assert client.wait([env_id], timeout=30).ok and client.log(env_id) == "hi\n"


# Control with real processes -----------------------------------------------------------------

def test_pause_resume_cancel_real_process(client, prefix):
    [task_id] = client.submit_command("echo $$; exec sleep 30", name=f"{prefix}-sleep")
    pid = running_pid(client, task_id)
    assert "sleep" in Path(f"/proc/{pid}/cmdline").read_text()
    assert proc_state(pid) in ("S", "R")

    [paused] = client.pause(f"{task_id}@1")  # by execution id
    assert (paused.id, paused.state) == (task_id, "paused")
    wait_for(lambda: proc_state(pid) == "T", timeout=10, what="SIGSTOP to reach the process")
    assert client.status([task_id])[0].state == "paused"
    with pytest.raises(allot.WaitTimeoutError) as timed_out:
        client.wait([task_id], timeout=0.5)
    assert isinstance(timed_out.value, TimeoutError)
    assert timed_out.value.result.done is False

    # All or nothing: one bad ref and nothing changes.
    with pytest.raises(allot.NotFoundError, match=f"no task or execution '{prefix}-nope'"):
        client.resume(task_id, f"{prefix}-nope")
    assert client.status([task_id])[0].state == "paused"
    with pytest.raises(allot.ConflictError, match="current attempt is 1"):
        client.resume(f"{task_id}@2")
    with pytest.raises(allot.ConflictError, match="cancel it instead"):
        client.skip(task_id)

    [resumed] = client.resume(task_id)  # by task id
    assert resumed.state == "running"
    wait_for(lambda: proc_state(pid) in ("S", "R"), timeout=10, what="SIGCONT")
    with pytest.raises(allot.ConflictError) as not_paused:
        client.resume(task_id)
    assert not_paused.value.http_status == 409 and isinstance(not_paused.value,
                                                              allot.BadInputError)

    client.cancel(f"{task_id}@1")  # by execution id
    result = client.wait([task_id], timeout=20)
    assert [(u.id, u.state) for u in result.unsuccessful] == [(task_id, "canceled")]
    wait_for(lambda: proc_state(pid) is None, timeout=10, what="the process to end")
    assert client.task(task_id).attempts[0].state == "canceled"


def test_cancel_paused_and_skip_waiting(client, prefix):
    blocker, skipped, after_skipped, canceled = (f"{prefix}-{n}" for n in
                                                 ("blocker", "skipped", "after", "canceled"))
    client.submit([
        allot.Task(blocker, "echo $$; exec sleep 30"),
        allot.Task(skipped, "echo should-not-run", depends_on=blocker),
        allot.Task(after_skipped, "echo ran", depends_on=skipped),
        allot.Task(canceled, "echo should-not-run", depends_on=blocker),
    ])
    pid = running_pid(client, blocker)
    states = client.status([skipped, after_skipped, canceled]).by_id()
    assert {t.state for t in states.values()} == {"waiting"}
    assert blocker in states[skipped].why

    # Skip by task id: its dependent runs as if it had succeeded.
    [s] = client.skip(skipped)
    assert s.state == "skipped"
    assert client.wait([after_skipped], timeout=20).ok
    assert client.log(after_skipped) == "ran\n"
    # Cancel a waiting task: at once.
    [c] = client.cancel(canceled)
    assert c.state == "canceled"
    # Cancel a paused one: SIGCONT and SIGTERM reach it.
    client.pause(blocker)
    wait_for(lambda: proc_state(pid) == "T", timeout=10, what="SIGSTOP")
    client.cancel(blocker)
    result = client.wait([blocker, skipped, after_skipped, canceled], timeout=20)
    assert {(u.id, u.state) for u in result.unsuccessful} == \
        {(blocker, "canceled"), (skipped, "skipped"), (canceled, "canceled")}
    wait_for(lambda: proc_state(pid) is None, timeout=10, what="the paused process to end")
    assert client.log(skipped) == "" and client.task(skipped).attempts == []


def test_requeue_runs_a_failed_task_again(client, prefix, tmp_path):
    flaky, after = f"{prefix}-flaky", f"{prefix}-after"
    marker = tmp_path / "marker"
    client.submit([allot.Task(flaky, f"test -e {marker}"),
                   allot.Task(after, "echo after", depends_on=flaky)])
    client.wait([flaky, after], timeout=20)
    assert client.status([flaky]).by_id()[flaky].state == "failed"
    with pytest.raises(allot.NotFoundError):
        client.requeue(f"{prefix}-nosuch")
    marker.touch()
    back = {t.id: t.state for t in client.requeue(f"{prefix}-fla*")}
    assert back == {flaky: "ready", after: "waiting"}
    assert client.wait([flaky, after], timeout=20).ok
    assert [a.attempt for a in client.task(flaky).attempts] == [1, 2]
    with pytest.raises(allot.ConflictError):
        client.requeue(flaky)


def test_follow_log(client, prefix):
    [task_id] = client.submit_command("for i in 1 2 3; do echo line $i; sleep 0.2; done; "
                                      "printf 'caf\\303\\251'", name=f"{prefix}-lines")
    chunks = list(client.follow_log(task_id, timeout=30))
    assert "".join(chunks) == "line 1\nline 2\nline 3\ncafé"
    assert client.status([task_id])[0].state == "succeeded"


# Errors --------------------------------------------------------------------------------------

def test_bad_input_names_file_line_and_field(client, prefix):
    bad = allot.Task(f"{prefix}-x", "true", extra={"coers": 2})
    bad_line = inspect.currentframe().f_lineno - 1
    text = allot.dumps(allot.workflow([allot.Task(f"{prefix}-ok", "true"), bad]))
    line = 1 + next(i for i, s in enumerate(text.splitlines()) if '"coers"' in s)
    with pytest.raises(allot.BadInputError) as e:
        client.submit([allot.Task(f"{prefix}-ok", "true"), bad], name="campaign.json")
    err = e.value
    # The user's line that made the task, then the generated document's.
    expected = (f"{__file__}:{bad_line}: task '{prefix}-x': field 'coers': unknown field "
                f"(did you mean 'cores'?) [campaign.json:{line}]")
    assert expected in str(err) and err.problems == [expected]
    assert err.http_status == 400 and err.exit_code == 2
    [d] = err.diagnostics
    assert (d.file, d.line, d.task, d.field) == (__file__, bad_line, f"{prefix}-x", "coers")
    assert (d.generated_file, d.generated_line) == ("campaign.json", line)
    # Nothing was submitted, not even the good task.
    with pytest.raises(allot.NotFoundError):
        client.status([f"{prefix}-ok"])

    # A task file by path: the server cites it by that path.
    path = Path(client.server_dir.parent) / f"{prefix}.yaml"
    path.write_text(f"tasks:\n  - id: {prefix}-y\n    command: \"true\"\n    cores: lots\n")
    with pytest.raises(allot.BadInputError) as e:
        client.submit(path)
    [d] = e.value.diagnostics
    assert (d.file, d.line, d.task, d.field) == (str(path), 4, f"{prefix}-y", "cores")

    # The same id twice.
    client.submit([allot.Task(f"{prefix}-dup", "true")])
    with pytest.raises(allot.BadInputError, match=f"{prefix}-dup"):
        client.submit([allot.Task(f"{prefix}-dup", "true")])
    with pytest.raises(allot.BadInputError, match="unknown action|refs"):
        client._json("POST", "/api/v1/control", body={"action": "explode", "refs": ["x"]})
    with pytest.raises(ValueError):
        client.submit([])


def test_diagnostics_of_a_server_answer_are_its_objects(client, prefix):
    client.submit([allot.Task(f"{prefix}-sim-1", "true")])
    text = allot.dumps(allot.workflow([
        allot.Task(f"{prefix}-ok", "true", depends_on=[f"{prefix}-sim-1", f"{prefix}-sim-*"]),
        allot.Task(f"{prefix}-a", "true", depends_on=[f"{prefix}-nope"]),
        allot.Task(f"{prefix}-b", "true", depends_on=[f"{prefix}-sims-*"])]))
    lines = text.splitlines()
    with pytest.raises(allot.BadInputError) as e:
        client.submit(json.loads(text), name="later.json")
    call_line = inspect.currentframe().f_lineno - 1
    a, b = e.value.diagnostics
    # Task dicts: the message cites the submit() call, then the line of the document sent.
    assert (a.file, a.line, a.task, a.field, a.column) == (
        __file__, call_line, f"{prefix}-a", "depends_on", None)
    assert a.generated_file == "later.json"
    assert f'"{prefix}-nope"' in lines[a.generated_line - 1]
    assert a.message.startswith(f"unknown task '{prefix}-nope'")
    assert a.text == (f"{__file__}:{call_line}: task '{prefix}-a': field 'depends_on': "
                      f"{a.message} [later.json:{a.generated_line}]")
    assert (b.file, b.task, b.field, b.generated_file) == (
        __file__, f"{prefix}-b", "depends_on", "later.json")
    assert f'"{prefix}-sims-*"' in lines[b.generated_line - 1]
    assert b.message == f"pattern '{prefix}-sims-*' matches no task"
    assert e.value.problems == [a.text, b.text]
    # Patterns match the tasks submitted earlier too.
    [ok] = client.submit([allot.Task(f"{prefix}-ok", "true",
                                     depends_on=[f"{prefix}-sim-*"])])
    assert client.task(ok).depends_on == [f"{prefix}-sim-1"]


def test_wrong_token_is_an_authentication_error(cluster, tmp_path):
    access = json.loads((cluster.dir / "access.json").read_text())
    access["http"]["token"] = "0" * 64
    (tmp_path / "access.json").write_text(json.dumps(access))
    other = allot.Client(tmp_path)
    with pytest.raises(allot.AuthenticationError) as e:
        other.status()
    assert str(tmp_path / "access.json") in str(e.value) and "refused the token" in str(e.value)
    assert e.value.http_status == 401 and isinstance(e.value, PermissionError)


def test_no_server_is_server_unavailable(tmp_path, monkeypatch):
    with pytest.raises(allot.ServerUnavailableError, match="allot server start --dir"):
        allot.Client(tmp_path / "nothing-here")
    monkeypatch.setenv("ALLOT_SERVER_DIR", str(tmp_path / "from-env"))
    with pytest.raises(allot.ServerUnavailableError, match="from-env"):
        allot.Client()
    # An access file whose port nobody listens on.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    (tmp_path / "access.json").write_text(json.dumps({"http": {"url": url, "token": "t"}}))
    client = allot.Client(tmp_path)
    with pytest.raises(allot.ServerUnavailableError) as e:
        client.status()
    assert url in str(e.value) and str(tmp_path / "access.json") in str(e.value)
    assert "connection refused" in str(e.value) and isinstance(e.value, ConnectionError)


# Events and dynamic campaigns ----------------------------------------------------------------

def test_event_stream(client, prefix):
    start = client.last_event()
    ok, bad = f"{prefix}-ok", f"{prefix}-bad"
    client.submit([allot.Task(ok, "true"), allot.Task(bad, "exit 4")])
    seen = []
    deadline = time.monotonic() + 30
    for event in client.events(after=start, timeout=2):
        seen.append(event)
        ends = {e.task for e in seen if e.finished}
        if {ok, bad} <= ends or time.monotonic() > deadline:
            break
    seqs = [e.seq for e in seen]
    assert seqs == sorted(set(seqs)) and seqs[0] > start
    mine = [e for e in seen if e.task in (ok, bad)]
    ok_events = [(e["from"], e.to, e.execution) for e in mine if e.task == ok]
    assert ok_events[-2:] == [("ready", "running", f"{ok}@1"),
                              ("running", "succeeded", f"{ok}@1")]
    [end] = [e for e in mine if e.task == bad and e.finished]
    assert (end.to, end.exit_code, end.attempt) == ("failed", 4, 1)
    assert end.worker is None or end.worker in ("w0", "w1")
    # The same events again, without following.
    replay = [e for e in client.events(after=start, follow=False) if e.seq <= seqs[-1]]
    assert replay == seen
    assert client.last_event() >= seqs[-1]


def test_metrics_of_a_running_task_reach_the_client(client, prefix, tmp_path):
    gate = tmp_path / f"{prefix}-gate"
    name = f"{prefix}-train"
    client.submit([allot.Task(name, f"allot metric loss 0.5 --step 1 && "
                                    f"while [ ! -e {gate} ]; do sleep 0.05; done && "
                                    f"allot metric loss 0.25 --step 2")])
    stream = client.metrics(task=name, timeout=2)
    first = next(stream)
    assert (first.task, first.name, first.value, first.step, first.attempt) == (
        name, "loss", 0.5, 1, 1)
    assert client.status(name)[0].state == "running"  # while it runs
    gate.touch()
    second = next(stream)
    assert (second.value, second.step) == (0.25, 2) and second.metric_seq > first.metric_seq
    again = [m for m in client.metrics(follow=False, task=name)]
    assert [m.value for m in again] == [0.5, 0.25]


def test_adaptive_sweep(client, prefix):
    """THE acceptance test: each completion reads its task's output and submits refined tasks.

    Root finding of f(x) = x*x - 1000 on [0, 64): four intervals first; every first-round
    interval is split in two; from then on only an interval whose ends differ in sign is split,
    until it is one wide. The tasks compute f (shell arithmetic); the callback reads their
    stdout to decide."""

    def task(lo, hi):
        return allot.Task(f"{prefix}-{lo}-{hi}", f"echo {lo} {hi} $(({lo}*{lo}-1000)) "
                                                f"$(({hi}*{hi}-1000))")

    calls = {}

    def refine(result):
        calls[result.id] = calls.get(result.id, 0) + 1
        assert result.ok, result
        lo, hi, f_lo, f_hi = map(int, result.stdout().split())
        first_round = hi - lo == 16
        if hi - lo > 1 and (first_round or (f_lo < 0) != (f_hi < 0)):
            mid = (lo + hi) // 2
            children = [task(lo, mid), task(mid, hi)]
            # The callback may return a list, one Task, or task dicts.
            return children if lo % 2 == 0 else [c.to_dict() for c in children]
        return None

    summary = client.run([task(lo, lo + 16) for lo in (0, 16, 32, 48)], on_complete=refine,
                         timeout=50)

    # What should have run, computed here.
    expected, todo = set(), [(lo, lo + 16) for lo in (0, 16, 32, 48)]
    while todo:
        lo, hi = todo.pop()
        expected.add(f"{prefix}-{lo}-{hi}")
        if hi - lo > 1 and (hi - lo == 16 or (lo * lo < 1000) != (hi * hi < 1000)):
            todo += [(lo, (lo + hi) // 2), ((lo + hi) // 2, hi)]
    assert len(expected) == 4 + 8 + 2 + 2 + 2
    assert set(summary.results) == expected
    assert sorted(summary.submitted) == sorted(expected)
    assert summary.submitted[:4] == [f"{prefix}-{lo}-{lo + 16}" for lo in (0, 16, 32, 48)]
    assert calls == {i: 1 for i in expected} and summary.callbacks == len(expected)
    assert summary.ok and summary.counts == {"succeeded": len(expected)}
    assert summary.check() is summary
    assert summary[f"{prefix}-31-32"].stdout() == "31 32 -39 24\n"
    # Every task succeeded exactly once: one attempt, on the server too.
    listed = client.status(sorted(expected))
    assert {(t.state, t.attempt) for t in listed} == {("succeeded", 1)}


def test_run_on_failure_resubmits_and_watch(client, prefix):
    good, bad, fixed = f"{prefix}-good", f"{prefix}-bad", f"{prefix}-fixed"
    completed, failed = [], []

    def on_complete(result):
        completed.append((result.id, result.state, result.exit_code))

    def on_failure(result):
        failed.append((result.id, result.state, result.exit_code, result.stderr()))
        return allot.Task(fixed, "echo fixed")

    summary = client.run([allot.Task(good, "true"), allot.Task(bad, "echo nope >&2; exit 5")],
                         on_complete=on_complete, on_failure=on_failure, timeout=30)
    assert failed == [(bad, "failed", 5, "nope\n")]
    assert sorted(completed) == [(fixed, "succeeded", 0), (good, "succeeded", 0)]
    assert summary.counts == {"succeeded": 2, "failed": 1} and not summary.ok
    with pytest.raises(allot.TasksFailedError, match=bad):
        summary.check()

    # watch(): tasks already finished are handed over at once, the others as they end.
    [slow] = client.submit_command("sleep 0.5", name=f"{prefix}-slow")
    seen = []
    watched = client.watch([good, f"{bad}@1", slow], on_complete=lambda r: seen.append(r.id),
                           timeout=30)
    assert sorted(seen) == sorted([good, bad, slow]) and seen[-1] == slow
    assert watched[slow].ok and watched[bad].state == "failed"


def test_run_survives_a_missing_end_event(cluster, prefix):
    """Were the stream ever to lose an end, run() takes it from the task's status after a quiet
    poll (with a warning) instead of waiting forever."""
    lost = f"{prefix}-lost"

    class LossyClient(allot.Client):
        def _json(self, method, path, **kwargs):
            answer = super()._json(method, path, **kwargs)
            if path == "/api/v1/events":
                answer["events"] = [e for e in answer["events"]
                                    if not (e["task"] == lost and e["to"] == "succeeded")]
            return answer

    lossy = LossyClient(cluster.dir)
    with pytest.warns(RuntimeWarning, match=f"task '{lost}' is succeeded"):
        summary = lossy.run([allot.Task(lost, "true"), allot.Task(f"{prefix}-kept", "true")],
                            poll=0.5, timeout=30)
    assert summary.ok and set(summary.results) == {lost, f"{prefix}-kept"}


def test_run_times_out(client, prefix):
    with pytest.raises(allot.WaitTimeoutError) as e:
        client.run([allot.Task(f"{prefix}-sleep", "sleep 30")], timeout=1)
    assert e.value.result.submitted == [f"{prefix}-sleep"]
    client.cancel(f"{prefix}-sleep")
    assert client.wait([f"{prefix}-sleep"], timeout=20).unsuccessful[0].state == "canceled"


def test_hold_release_and_patterns_are_the_servers(client, prefix, tmp_path):
    flag = tmp_path / "go"
    gate = f"{prefix}-gate"
    sims = [f"{prefix}-sim-{i}" for i in (1, 2)]
    client.submit([allot.Task(gate, f"while [ ! -e {flag} ]; do sleep 0.05; done"),
                   *(allot.Task(s, "echo ran", depends_on=gate) for s in sims)])
    held = client.hold(f"{prefix}-sim-*")
    assert [(t.id, t.state) for t in held] == [(s, "held") for s in sims]
    with pytest.raises(allot.NotFoundError, match=rf"pattern '{prefix}-nope-\*' matches no task"):
        client.release(sims[0], f"{prefix}-nope-*")
    assert client.status([sims[0]])[0].state == "held", "all or nothing"
    with pytest.raises(allot.ConflictError, match="only a held task can be released"):
        client.release(gate)

    flag.touch()
    assert client.wait([gate], timeout=30).ok
    assert {t.state for t in client.status(f"{prefix}-sim-?")} == {"held"}
    assert client.task(sims[0]).attempts == []
    released = client.release(f"{prefix}-sim-?")
    assert [(t.id, t.state) for t in released] == [(s, "ready") for s in sims]
    assert client.wait(f"{prefix}-sim-*", timeout=30).ok
    assert client.log(sims[1]) == "ran\n"


def test_checkpoint_asks_a_checkpointing_task_and_it_restarts_from_its_set(client, prefix,
                                                                          tmp_path):
    """Client.checkpoint (allot checkpoint): the task's checkpoint signal; a task that writes
    into $ALLOT_CHECKPOINT_OUT and exits with its checkpoint exit code runs again from the set,
    which it finds in $ALLOT_CHECKPOINT_DIR."""
    script = tmp_path / "ckpt.sh"
    script.write_text(
        "#!/bin/sh\n"
        'if [ -n "$ALLOT_CHECKPOINT_DIR" ]; then cat "$ALLOT_CHECKPOINT_DIR/state"; exit 0; fi\n'
        "trap 'echo resumed-state > \"$ALLOT_CHECKPOINT_OUT/state\"; exit 85' USR1\n"
        f"touch {tmp_path}/trapped\n"  # a signal before its handler would end it
        "while :; do sleep 0.05; done\n")
    script.chmod(0o755)
    tid, _ = client.submit([{"id": f"{prefix}-ckpt", "command": str(script),
                            "checkpoint": {"signal": "USR1"}},
                           {"id": f"{prefix}-plain", "command": "sleep 30"}])
    wait_for(lambda: (tmp_path / "trapped").exists(), timeout=20,
             what="the task to run with its handler")
    with pytest.raises(allot.ConflictError, match="declares no checkpoint"):
        client.checkpoint(f"{prefix}-plain")
    [asked] = client.checkpoint(tid)
    assert asked.id == tid
    result = client.wait([tid], timeout=20)
    assert result.done and not result.unsuccessful
    attempts = client.task(tid).attempts
    assert [a.state for a in attempts][-1] == "succeeded" and len(attempts) == 2
    assert client.log(tid).strip() == "resumed-state"
    client.cancel(f"{prefix}-plain")


def test_zz_stop_server(cluster):
    """Last: stopping the server ends it and its workers."""
    cluster.client.stop_server()
    for p in [cluster.server] + cluster.workers:
        p.wait(15)
    assert cluster.server.returncode == 0, cluster.logs()
    with pytest.raises(allot.ServerUnavailableError):
        cluster.client.status()


# Without a server ----------------------------------------------------------------------------

def test_array_specs_and_command_lines():
    from allot.client import _array_command_line, _array_indices, _escape_braces

    assert _array_indices("1-5:2,9") == [1, 3, 5, 9]
    assert _array_indices(range(3)) == [0, 1, 2]
    for bad in ("", "5-1", "1-4:0", "x", "1,1"):
        with pytest.raises(ValueError):
            _array_indices(bad)
    assert _escape_braces("a{b}{index}}") == "a{{b}}{index}}}"
    assert _array_command_line(["./sim", "--seed={index}", "echo {index} {x}", "a=b"]) == \
        "./sim --seed={index} 'echo {index} {{x}}' a=b"
    assert _array_command_line(["A={index}", "run"]) == "'A={index}' run"


