"""Fair share on real processes: `allot run --share a=2 --share b=1` with two projects whose
tasks have different lengths gives them 2:1 of the core-seconds while both have work waiting,
and `allot share` shows weights, shares, usage and factors."""

import json
import sqlite3

from conftest import RUN_TIMEOUT


def core_seconds_until(db, until_us):
    """Per project (the id's first letter): core-seconds of attempts overlapping [start, until]."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    rows = con.execute("SELECT t.id, e.attempt, e.to_state, e.time_us FROM events e "
                       "JOIN tasks t ON t.idx = e.task ORDER BY e.seq").fetchall()
    first = min(r[3] for r in rows)
    starts, used = {}, {"a": 0.0, "b": 0.0}
    for tid, attempt, to_state, t in rows:
        if to_state == 2:  # running
            starts[(tid, attempt)] = t
        elif (tid, attempt) in starts:
            s = starts.pop((tid, attempt))
            used[tid[0]] += max(0, min(t, until_us) - max(s, first)) / 1e6
    for (tid, _), s in starts.items():
        used[tid[0]] += max(0, until_us - s) / 1e6
    return used


def test_two_projects_weighted_2_to_1_get_2_to_1_of_the_core_seconds(allot, tmp_path):
    tasks = [{"id": f"b-{i}", "command": "sleep 0.5", "tags": {"project": "b"}}
             for i in range(60)]  # first in the file: first come, first served would run them
    tasks += [{"id": f"a-{i}", "command": "sleep 0.1", "tags": {"project": "a"}}
              for i in range(150)]
    f = allot.write("tasks.json", {"tasks": tasks})
    r = allot.run("run", f, "--cores", "2", "--share", "a=2", "--share", "b=1",
                  timeout=RUN_TIMEOUT)
    assert r.returncode == 0, r.stderr
    db = tmp_path / "allot-work" / "allot.db"
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    (last_a_start,) = con.execute(
        "SELECT MAX(e.time_us) FROM events e JOIN tasks t ON t.idx = e.task "
        "WHERE t.id LIKE 'a-%' AND e.to_state = 2").fetchone()
    used = core_seconds_until(db, last_a_start)  # while both projects had tasks waiting
    ratio = used["a"] / used["b"]
    print(f"core-seconds while both waited: a {used['a']:.2f}, b {used['b']:.2f} ({ratio:.3f}:1)")
    assert abs(ratio - 2) <= 0.1, used

    share = json.loads(allot.run("share", "--json").stdout)
    assert share["fair_share"] is True and share["half_life_s"] == 3600
    rows = {p["project"]: p for p in share["projects"]}
    assert rows["a"]["weight"] == 2 and abs(rows["a"]["share"] - 2 / 3) < 1e-9
    assert rows["b"]["usage_core_hours"] > 0 and 0 < rows["b"]["factor"] < 1
    text = allot.run("share").stdout
    assert "PROJECT" in text and "FACTOR" in text and "\na " in text


def test_bad_share_flags_exit_2(allot, tmp_path):
    f = allot.write("t.yaml", "tasks:\n  - id: a\n    command: 'true'\n")
    for args, says in [(["--share", "a"], "--share a: expected PROJECT=WEIGHT"),
                       (["--share", "a=0"], "with a positive weight"),
                       (["--share", "=2"], "expected PROJECT=WEIGHT"),
                       (["--share-half-life", "0"], "--share-half-life 0: expected a positive")]:
        r = allot.run("run", f, *args)
        assert r.returncode == 2 and says in r.stderr, (args, r.stderr)
    assert not (tmp_path / "server").exists(), "a refused start changes nothing"
    assert not (tmp_path / "allot-work").exists()
    r = allot.run("share")
    assert r.returncode == 2 and "no journal" in r.stderr, r.stderr
    # The server reads them the same way, before it starts anything.
    for args, says in [(["--share", "a=-1"], "--share a=-1: expected PROJECT=WEIGHT"),
                       (["--share-half-life", "soon"], "--share-half-life soon"),
                       (["--preempt-after", "later"], "--preempt-after later: expected")]:
        r = allot.run("server", "start", "--dir", tmp_path / "server", *args, timeout=30)
        assert r.returncode == 2 and says in r.stderr, (args, r.stderr)
    assert not (tmp_path / "server").exists(), "a refused start changes nothing"
