"""`allot events`: the transitions as JSON lines, from a server (--follow streams them as they
are committed) and from an `allot run` journal."""

import json
import subprocess

from cluster_support import Cluster
from conftest import RUN_TIMEOUT, bin_dir


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
