"""`allot status` prints the same rows from a journal (`allot run`) and from a server: a
timed-out task shows `timeout` and why it ended, a task failed after retries its exit code and
'exit code 1 (after 3 attempts)', and each attempt row says how that attempt ended (timeout,
failed), not where its task went next (waiting, ready)."""

import pytest

from cluster_support import Cluster

TASKS = """\
tasks:
  - id: slow
    command: sleep 600
    time_limit: 1s
    grace_period: 1s
  - id: flaky
    command: sh -c 'exit 1'
    max_retries: 2
    retry_backoff: 0s
  - id: fine
    command: "true"
"""


def rows(text, ids):
    """{id: the words of its row} for the task table's rows of `ids`."""
    out = {}
    for line in text.splitlines():
        words = line.split()
        if words and words[0] in ids and len(words) > 1 and words[1] in (
                "failed", "succeeded", "waiting", "ready", "running"):
            out[words[0]] = words
    return out


def attempt_outcomes(text):
    """The OUTCOME column of an attempt table."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.split()[:2] == ["ATTEMPT", "OUTCOME"])
    return [line.split()[1] for line in lines[start + 1:] if line.split()]


@pytest.fixture
def cluster(tmp_path):
    (tmp_path / "cluster").mkdir()
    c = Cluster(tmp_path / "cluster")
    c.start_server()
    c.start_worker("--cores", "2")
    yield c
    c.close()


def test_embedded_and_server_status_show_the_same_outcomes_and_reasons(allot, cluster):
    allot.write("tasks.yaml", TASKS)
    r = allot.run("run", "tasks.yaml", "--cores", "2", timeout=120)
    assert r.returncode == 1, r.stderr
    embedded = allot.run("status", "--workdir", "allot-work", "--all").stdout
    embedded_slow = allot.run("status", "--workdir", "allot-work", "slow").stdout
    embedded_flaky = allot.run("status", "--workdir", "allot-work", "flaky").stdout

    c = cluster
    (c.root / "tasks.yaml").write_text(TASKS)
    c.cli("submit", "tasks.yaml")
    c.cli("wait", check=False)
    server = c.cli("status", "--all").stdout
    server_slow = c.cli("status", "slow").stdout
    server_flaky = c.cli("status", "flaky").stdout

    ids = ("slow", "flaky", "fine")
    e, s = rows(embedded, ids), rows(server, ids)
    assert e == s, f"embedded:\n{embedded}\nserver:\n{server}"
    assert e["slow"][1:4] == ["failed", "1", "timeout"], embedded
    assert " ".join(e["slow"][5:]) == "exceeded its time limit", embedded
    assert e["flaky"][1:4] == ["failed", "3", "1"], embedded
    assert " ".join(e["flaky"][5:]) == "exit code 1 (after 3 attempts)", embedded
    assert e["fine"][1:] == ["succeeded", "1", "0", "-"], "no stale reason: " + embedded

    assert attempt_outcomes(embedded_slow) == attempt_outcomes(server_slow) == ["timeout"]
    assert attempt_outcomes(embedded_flaky) == attempt_outcomes(server_flaky) == \
        ["failed", "failed", "failed"], embedded_flaky
