"""`allot events`: the transitions as JSON lines, from a server (--follow streams them as they
are committed) and from an `allot run` journal."""

import json
import os
import signal
import subprocess

from cluster_support import Cluster
from conftest import RUN_TIMEOUT, bin_dir, wait_for

# How long `allot events -f` of an `allot run` journal may take to end once nothing drives it.
FOLLOW_END_TIMEOUT = 20


def test_events_follow_streams_transitions_of_a_server_as_json_lines(tmp_path):
    c = Cluster(tmp_path)
    c.start_server()
    try:
        c.start_worker("--cores", "1")
        follow = subprocess.Popen([str(bin_dir() / "allot"), "events", "--follow",
                                   "--server-dir", str(c.dir)],
                                  stdout=subprocess.PIPE, text=True)
        c.cli("submit", "--name", "a", "--", "true")
        c.cli("submit", "--name", "b", "--after", "a", "--", "sh", "-c", "exit 2")
        seen = []
        for line in follow.stdout:
            event = json.loads(line)
            seen.append((event["task"], event["from"], event["to"]))
            if event["task"] == "b" and event["to"] == "failed":
                assert event["exit_code"] == 2 and event["execution"] == "b@1"
                break
        follow.kill()
        assert ("a", "ready", "running") in seen and ("a", "running", "succeeded") in seen
        assert seen.index(("a", "running", "succeeded")) < seen.index(("b", "ready", "running"))
        seqs = [json.loads(l)["seq"] for l in
                c.cli("events").stdout.splitlines()]
        assert seqs == list(range(1, len(seqs) + 1))
    finally:
        c.close()


def test_events_of_an_allot_run_journal(tmp_path):
    tasks = tmp_path / "t.json"
    tasks.write_text(json.dumps([{"id": "x", "command": "true"}]))
    subprocess.run([str(bin_dir() / "allot"), "run", str(tasks), "--workdir",
                    str(tmp_path / "w"), "-q"], check=True, timeout=RUN_TIMEOUT)
    out = subprocess.run([str(bin_dir() / "allot"), "events", "--workdir", str(tmp_path / "w")],
                         capture_output=True, text=True, check=True, timeout=RUN_TIMEOUT).stdout
    events = [json.loads(l) for l in out.splitlines()]
    assert [(e["from"], e["to"]) for e in events] == [("ready", "running"),
                                                       ("running", "succeeded")]


def test_events_follow_of_a_finished_allot_run_prints_its_events_and_ends(tmp_path):
    tasks = tmp_path / "t.json"
    tasks.write_text(json.dumps([{"id": "x", "command": "true"},
                                 {"id": "y", "command": "false", "depends_on": ["x"]}]))
    subprocess.run([str(bin_dir() / "allot"), "run", str(tasks), "--workdir",
                    str(tmp_path / "w"), "-q"], timeout=RUN_TIMEOUT)
    out = subprocess.run([str(bin_dir() / "allot"), "events", "-f", "--workdir",
                          str(tmp_path / "w")], capture_output=True, text=True, check=True,
                         timeout=FOLLOW_END_TIMEOUT).stdout
    events = [(e["task"], e["to"]) for e in map(json.loads, out.splitlines())]
    assert ("x", "succeeded") in events and ("y", "failed") == events[-1]


def test_events_follow_of_an_allot_run_ends_when_the_run_is_killed(tmp_path):
    tasks = tmp_path / "t.json"
    tasks.write_text(json.dumps([{"id": "x", "command": "true"},
                                 {"id": "slow", "depends_on": ["x"],
                                  "command": f"echo $$ > {tmp_path}/slow.pid; exec sleep 60"}]))
    run = subprocess.Popen([str(bin_dir() / "allot"), "run", str(tasks), "--workdir",
                            str(tmp_path / "w"), "-q"])
    try:
        pidfile = tmp_path / "slow.pid"
        wait_for(lambda: pidfile.exists() and pidfile.read_text().strip(), what="slow to run")
        follow = subprocess.Popen([str(bin_dir() / "allot"), "events", "-f", "--workdir",
                                   str(tmp_path / "w")], stdout=subprocess.PIPE, text=True)
        seen = []
        for line in follow.stdout:
            event = json.loads(line)
            seen.append((event["task"], event["to"]))
            if seen[-1] == ("slow", "running"):
                break
        run.send_signal(signal.SIGKILL)
        run.wait(timeout=RUN_TIMEOUT)
        rest, _ = follow.communicate(timeout=FOLLOW_END_TIMEOUT)
        assert follow.returncode == 0
        assert rest == "", "nothing ran after the kill"
    finally:
        run.kill()
        run.wait()
        if pidfile.exists() and pidfile.read_text().strip():
            try:
                os.kill(int(pidfile.read_text()), signal.SIGKILL)
            except ProcessLookupError:
                pass
