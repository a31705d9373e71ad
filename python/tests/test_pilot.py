"""allot.pilot: the allocation scheduler's Pilot/Task/on_complete surface on allot.

Every test runs the real allot binary (one embedded ``allot run --feed``). The tasks record
what they see (how many cores are in use, in which order they started, how often they ran)
in files under the test's directory; no assertion is about how long anything took.
The tests that need allot's pilot task directories (cwd <workdir>/<id>, PILOT_* env) are in
test_pilot_task_dirs.py.
"""

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from allot import BadInputError
from allot.pilot import Pilot, Task, TaskResult
from conftest import wait_for

PYTHON_DIR = str(Path(__file__).resolve().parent.parent)


def in_use_probe(d: Path, cores: int) -> str:
    """A command that adds its cores to a shared counter while it runs (under flock) and
    records every value the counter takes."""
    counter, seen, lock = d / "in_use", d / "seen", d / "lock"
    add = (f"flock {lock} sh -c 'n=$(cat {counter} 2>/dev/null || echo 0); "
           f"n=$((n+{cores})); echo $n > {counter}; echo $n >> {seen}'")
    sub = (f"flock {lock} sh -c 'n=$(cat {counter}); echo $((n-{cores})) > {counter}'")
    return f"{add}; sleep 0.2; {sub}"


def test_more_tasks_than_cores_all_run_and_never_more_cores_in_use_than_total(campaign_dir):
    pilot = Pilot(total_cores=2, workdir=campaign_dir / "runs")
    tasks = [Task(id=f"t{i}", command=in_use_probe(campaign_dir, 1) + f"; echo done {i}")
             for i in range(6)]
    tasks += [Task(id=f"wide{i}", command=in_use_probe(campaign_dir, 2), cores=2)
              for i in range(2)]
    pilot.add_tasks(tasks)
    summary = pilot.run()
    assert summary["completed"] == 8 and summary["failed"] == 0
    assert {"completed", "failed", "wall_time", "cpu_time", "speedup"} <= set(summary)
    seen = [int(v) for v in (campaign_dir / "seen").read_text().split()]
    assert len(seen) == 8 and max(seen) <= 2
    assert sorted(pilot.completed) == sorted(t.id for t in tasks)
    result = pilot.completed["t3"]
    assert isinstance(result, TaskResult) and result.success and result.returncode == 0
    assert Path(result.stdout_file).read_text() == "done 3\n"
    assert not pilot.running and pilot.pending.qsize() == 0


def test_higher_priority_tasks_start_first(campaign_dir):
    order = campaign_dir / "order"
    pilot = Pilot(total_cores=1, workdir=campaign_dir / "runs")
    priorities = {"low": 0, "high": 10, "mid": 5, "top": 20, "neg": -3}
    pilot.add_tasks([Task(id=tid, command=f"echo {tid} >> {order}", priority=p)
                     for tid, p in priorities.items()])
    assert pilot.run()["completed"] == 5
    assert order.read_text().split() == ["top", "high", "mid", "low", "neg"]


def test_a_callback_reads_stdout_and_its_new_tasks_join_the_running_campaign(campaign_dir):
    pilot = Pilot(total_cores=2, workdir=campaign_dir / "runs")
    pilot.add_tasks([Task(id="a", command="echo 'VALUE 1'", tags={"depth": 0}),
                     Task(id="b", command="echo 'VALUE 2'", tags={"depth": 0})])
    seen = []

    def refine(task, result, p):
        assert p is pilot and result.task_id == task.id
        value = int(Path(result.stdout_file).read_text().split()[1])
        seen.append((task.id, value, task.tags["depth"]))
        if task.tags["depth"] < 2:
            child = f"{task.id}{value * 2}"
            return [Task(id=child, command=f"echo 'VALUE {value * 2}'",
                         tags={"depth": task.tags["depth"] + 1})]
        return None

    pilot.on_complete(refine)
    summary = pilot.run()
    assert summary["completed"] == 6 and summary["failed"] == 0
    assert sorted(seen) == [("a", 1, 0), ("a2", 2, 1), ("a24", 4, 2),
                            ("b", 2, 0), ("b4", 4, 1), ("b48", 8, 2)]
    # One campaign: every generated task is in the same journal.
    from allot import status
    assert status(db=campaign_dir / "runs" / "allot.db").total == 6


def test_add_task_from_a_callback_joins_at_once(campaign_dir):
    pilot = Pilot(total_cores=2, workdir=campaign_dir / "runs")
    pilot.add_task(Task(id="first", command="true"))

    def more(task, result, p):
        if task.id == "first":
            p.add_task(Task(id="second", command="echo two"))

    pilot.on_complete(more)
    assert pilot.run()["completed"] == 2
    assert Path(pilot.completed["second"].stdout_file).read_text() == "two\n"


def test_a_failing_task_runs_again_up_to_max_retries(campaign_dir):
    count = campaign_dir / "count"
    # Fails on its first two attempts, succeeds on the third.
    flaky = f"n=$(cat {count} 2>/dev/null || echo 0); n=$((n+1)); echo $n > {count}; [ $n -ge 3 ]"
    pilot = Pilot(total_cores=1, workdir=campaign_dir / "runs")
    pilot.add_tasks([Task(id="flaky", command=flaky, max_retries=2),
                     Task(id="hopeless", command="exit 7", max_retries=1)])
    ended = {}
    pilot.on_complete(lambda t, r, p: ended.setdefault(t.id, r) and None)
    summary = pilot.run()
    assert summary["completed"] == 1 and summary["failed"] == 1
    assert count.read_text().strip() == "3"
    assert ended["flaky"].success and ended["flaky"].attempts == 3
    assert not ended["hopeless"].success
    assert ended["hopeless"].returncode == 7 and ended["hopeless"].attempts == 2
    assert pilot.failed["hopeless"].state == "failed"


def test_a_bad_task_added_while_running_raises_bad_input_naming_task_and_field(campaign_dir):
    pilot = Pilot(total_cores=1, workdir=campaign_dir / "runs")
    pilot.add_task(Task(id="a", command="true"))
    caught = []

    def add_bad(task, result, p):
        if task.id != "a":
            return None
        try:
            p.add_task(Task(id="bad", command="true", cores=1000))
        except BadInputError as e:
            caught.append(e)
        p.add_task({"id": "typo", "command": "true", "env": {"X": ["not", "text"]}})

    pilot.on_complete(add_bad)
    summary = pilot.run()
    assert summary["completed"] == 1  # the bad tasks changed nothing
    assert len(caught) == 1
    assert [d.task for d in caught[0].diagnostics] == ["bad"]
    assert "bad" in str(caught[0]) and "cores" in str(caught[0])
    # An error a callback lets out is logged and kept, as pilot.py does; the campaign goes on.
    assert len(pilot.callback_errors) == 1
    err = pilot.callback_errors[0]
    assert isinstance(err, BadInputError)
    assert err.diagnostics[0].task == "typo" and err.diagnostics[0].field.startswith("env")


def test_bad_initial_tasks_raise_before_anything_runs(campaign_dir):
    pilot = Pilot(total_cores=1, workdir=campaign_dir / "runs")
    pilot.add_tasks([Task(id="ok", command="touch ran"), Task(id="big", command="true",
                                                              cores=1000)])
    with pytest.raises(BadInputError) as info:
        pilot.run()
    assert [d.task for d in info.value.diagnostics] == ["big"]
    assert not (campaign_dir / "ran").exists()


def test_load_json_reads_the_allocation_schedulers_task_file(campaign_dir):
    path = campaign_dir / "tasks.json"
    path.write_text(json.dumps([{"id": "x", "command": "echo x", "cores": 1, "priority": 2},
                                {"id": "y", "command": "echo y", "tags": {"k": "v"}}]))
    pilot = Pilot(total_cores=1, workdir=campaign_dir / "runs", db_path=campaign_dir / "s.db")
    assert pilot.load_json(path) == 2
    assert pilot.pending.qsize() == 2
    assert pilot.run()["completed"] == 2
    assert (campaign_dir / "s.db").exists()


def test_task_round_trips_through_to_dict_and_from_dict():
    t = Task(id="t", command="c", cores=2, timeout=5, tags={"a": 1}, max_retries=3)
    assert Task.from_dict(dict(t.to_dict(), unknown=1)) == t
    assert sorted([Task(id="l", command="", priority=1), Task(id="h", command="", priority=9)]
                  )[0].id == "h"


def processes_mentioning(text):
    """The pids of the processes whose command line contains `text`."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                if text.encode() in f.read():
                    found.append(int(entry))
        except OSError:  # gone meanwhile
            pass
    return found


DRIVER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from allot.pilot import Pilot, Task
    here = Path(sys.argv[1])
    log = here / "runs.log"
    pilot = Pilot(total_cores=2, workdir=here / "runs", db=here / "state.db")

    def note(task, result, p):
        if task.id == "q0":
            return [Task(id="child", command=f"echo child >> {log}")]
        if len(p.completed) >= 4:
            (here / "four-done").touch()

    pilot.on_complete(note)
    if sys.argv[2] == "resume":
        print(pilot.resume())
    else:
        quick = [Task(id=f"q{i}", command=f"echo q{i} >> {log}", priority=10) for i in range(4)]
        # Held until the test releases them (after the driver was killed).
        held = [Task(id=f"h{i}", command=f"echo h{i}-start >> {log}; "
                     f"while [ ! -e {here}/release ]; do sleep 0.05; done; echo h{i} >> {log}")
                for i in range(2)]
        pilot.add_tasks(quick + held)
    print(pilot.run())
""")


def test_kill_9_of_the_driver_then_resume_loses_nothing_finished_and_reruns_nothing(
        campaign_dir):
    driver = campaign_dir / "driver.py"
    driver.write_text(DRIVER)
    env = dict(os.environ, PYTHONPATH=PYTHON_DIR)
    first = subprocess.Popen([sys.executable, str(driver), str(campaign_dir), "new"], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        wait_for(lambda: (campaign_dir / "four-done").exists() or first.poll() is not None,
                 what="four tasks done")
        assert first.poll() is None, first.communicate()
    finally:
        first.send_signal(signal.SIGKILL)
        first.communicate()
    # The driver's death stops its allot and the tasks allot was running (the feed's end is
    # SIGTERM to each); only then are the held tasks released, so none of them finishes as an
    # orphan of the first run.
    wait_for(lambda: not processes_mentioning(str(campaign_dir)),
             what="the first run's allot and its tasks to be gone")
    log = campaign_dir / "runs.log"
    (campaign_dir / "release").touch()
    second = subprocess.run([sys.executable, str(driver), str(campaign_dir), "resume"], env=env,
                            capture_output=True, text=True, timeout=120)
    assert second.returncode == 0, second.stderr
    lines = log.read_text().split()
    summary = eval(second.stdout.strip().splitlines()[-1])  # the dict the driver printed
    assert summary["completed"] == 7 and summary["failed"] == 0
    # Finished before the kill: not run again. The child q0's callback added: not lost.
    for tid in ("q0", "q1", "q2", "q3", "child", "h0", "h1"):
        assert lines.count(tid) == 1, (tid, lines)
