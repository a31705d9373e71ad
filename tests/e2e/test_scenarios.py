"""Scenario priority (issue 13, point 4): a workflow's `scenarios:` block makes the campaign act on
its tasks' metrics. Under ASHA, in a seeded campaign of 16 scenarios of known quality, the best
quarter gets at least twice the core-hours of the worst half (`allot report --by scenario`); the
stopped ones are canceled with the rung's reason, and `allot scenarios` ranks them. Under
promise-proportional, the scenarios that scored best run their remaining work first. A bad
block is exit 2 and starts nothing."""

import json
import random

TRIAL = """#!/bin/sh
# $1: the scenario's quality (its loss tends to it; lower is better), $2: the seed of its noise
i=1
while [ $i -le 27 ]; do
  loss=$(awk -v q=$1 -v i=$i -v s=$2 'BEGIN{srand(s*100+i); print q + 1.0/i + (rand()-0.5)*0.05}')
  allot metric loss $loss --step $i
  sleep 0.05
  i=$((i+1))
done
"""


def asha_campaign(allot, seed=7):
    allot.write("trial.sh", TRIAL).chmod(0o755)
    qualities = list(range(16))
    random.Random(seed).shuffle(qualities)
    lines = ["scenarios:", "  policy: asha", "  metric: loss", "  mode: min",
             "  reduction_factor: 3", "  grace: 1", "  max_step: 27", "  action: stop",
             "tasks:"]
    for s, q in enumerate(qualities):
        lines.append(f'  - id: "trial-{s}"\n    command: ./trial.sh {q / 10} {s}\n'
                     f'    tags: {{scenario: "s{s:02d}"}}')
    return allot.write("asha.yaml", "\n".join(lines) + "\n"), qualities


def test_asha_gives_the_best_quarter_twice_the_core_hours_of_the_worst_half(allot):
    f, quality = asha_campaign(allot)
    r = allot.run("run", f, "--cores", "2")
    assert r.returncode == 1, r.stderr  # the stopped scenarios' tasks are canceled
    report = json.loads(allot.run("report", "--by", "scenario", "--format", "json").stdout)
    hours = {g["group"]: g["core_hours_allocated"] for g in report["groups"]}
    q_of = {f"s{s:02d}": q for s, q in enumerate(quality)}
    best_quarter = sum(h for s, h in hours.items() if q_of[s] < 4)
    worst_half = sum(h for s, h in hours.items() if q_of[s] >= 8)
    print(f"best quarter {best_quarter * 3600:.2f} core-s, worst half {worst_half * 3600:.2f}")
    assert best_quarter >= 2 * worst_half, (hours, q_of)
    states = allot.task_states()
    canceled = [t for t in states.values() if t["state"] == "canceled"]
    assert len(canceled) >= 8
    for t in canceled:
        assert t["reason"].startswith("asha: rung "), t
        assert "stopped" in t["reason"], t
    # Every decision is an event with its reason, in the order made.
    lines = [json.loads(x) for x in allot.run("events").stdout.splitlines()]
    decisions = [x for x in lines if "decision_seq" in x]
    assert [d["decision_seq"] for d in decisions] == list(range(1, len(decisions) + 1))
    stops = {d["scenario"] for d in decisions if d["stopped"]}
    assert len(stops) == len(canceled)  # one task per scenario
    assert all(d["reason"].startswith("asha: rung ") for d in decisions)
    assert any(d["priority_offset"] >= 2 and not d["stopped"] for d in decisions)
    ranked = json.loads(allot.run("scenarios", "--json").stdout)
    assert ranked["policy"]["policy"] == "asha"
    rows = ranked["scenarios"]
    assert len(rows) == 16
    assert q_of[rows[0]["scenario"]] <= 1, rows[0]  # the best loss at the top rung
    assert not rows[0]["stopped"] and rows[0]["rung"] == 3
    assert sum(1 for row in rows if row["stopped"]) == len(canceled)
    text = allot.run("scenarios").stdout
    assert "RANK" in text and "asha: rung" in text
    # The HTML report plots the metric, a line per scenario.
    html = allot.run("report", "--by", "scenario", "--format", "html").stdout
    chart = html[html.index('<svg id="metric-1"'):]
    chart = chart[:chart.index("</svg>")]
    assert "Metric loss by scenario" in chart
    assert chart.count('class="series"') == 16 and chart.count('class="series-end"') == 16


def test_promise_runs_the_best_scoring_scenarios_remaining_work_first(allot, tmp_path):
    accuracy = {"a": 0.2, "b": 0.9, "c": 0.5, "d": 0.7}
    # The probes outrank any offset (0 to 100): all four are scored before the rest starts.
    tasks = [{"id": f"probe-{s}", "priority": 1000, "command": f"allot metric accuracy {a}",
              "tags": {"scenario": s}} for s, a in accuracy.items()]
    tasks += [{"id": f"more-{s}-{n}", "command": "true", "tags": {"scenario": s}}
              for s in accuracy for n in (1, 2)]
    f = allot.write("promise.json", {"scenarios": {"policy": "promise", "mode": "max",
                                                   "score": {"accuracy": 1}},
                                     "tasks": tasks})
    r = allot.run("run", f, "--cores", "1")
    assert r.returncode == 0, r.stderr
    events = [json.loads(line) for line in allot.run("events", "--no-metrics").stdout.splitlines()]
    started = [e["task"] for e in events if e["to"] == "running" and e["task"].startswith("more")]
    assert [t.split("-")[1] for t in started] == ["b", "b", "d", "d", "c", "c", "a", "a"], started
    ranked = json.loads(allot.run("scenarios", "--json").stdout)["scenarios"]
    assert [(row["scenario"], row["priority_offset"]) for row in ranked] == [
        ("b", 100), ("d", 71), ("c", 43), ("a", 0)]


def test_a_bad_scenarios_block_is_refused_before_anything_runs(allot, tmp_path):
    f = allot.write("bad.yaml", """
scenarios:
  policy: ahsa
  metric: loss
tasks:
  - id: t
    command: touch ran
""")
    r = allot.run("run", f)
    assert r.returncode == 2, r.stderr
    assert "bad.yaml" in r.stderr and "scenarios.policy" in r.stderr and "asha" in r.stderr
    assert not (tmp_path / "ran").exists() and not (tmp_path / "allot-work").exists()


def test_a_server_takes_the_policy_from_a_submission_and_keeps_it_across_a_restart(
        allot, tmp_path):
    from cluster_support import Cluster
    accuracy = {"a": 0.2, "b": 0.9, "c": 0.5, "d": 0.7}
    policy = {"policy": "promise", "mode": "max", "score": {"accuracy": 1}}
    probes = [{"id": f"probe-{s}", "priority": 1000, "command": f"allot metric accuracy {a}",
               "tags": {"scenario": s}} for s, a in accuracy.items()]
    c = Cluster(tmp_path)
    c.start_server()
    c.start_worker("--cores", "1")
    try:
        c.cli("submit", allot.write("probes.json", {"scenarios": policy, "tasks": probes}))
        for s in accuracy:
            c.wait_state(f"probe-{s}", "succeeded")
        other = dict(policy, mode="min")
        refused = c.cli("submit", allot.write("other.json", {"scenarios": other, "tasks": [
            {"id": "x", "command": "true"}]}), check=False)
        assert refused.returncode == 2 and "scenarios" in refused.stderr, refused.stderr
        assert "a submission may repeat it, not change it" in refused.stderr
        c.kill9_server()
        c.start_server()
        # Submitted after the restart, in the worst scenario's order first: the restored
        # offsets run the best scenario's task first.
        gate = tmp_path / "gate"
        more = [{"id": "hold", "priority": 2000,
                 "command": f"while [ ! -e {gate} ]; do sleep 0.05; done"}]
        more += [{"id": f"more-{s}", "command": "true", "tags": {"scenario": s}}
                 for s in ["a", "c", "d", "b"]]
        c.cli("submit", allot.write("more.json", {"tasks": more}))
        c.wait_state("hold", "running")
        gate.touch()
        for s in accuracy:
            c.wait_state(f"more-{s}", "succeeded")
        started = [row[0] for row in c.events("to_state = 'running' AND task_id LIKE 'more-%'")]
        assert started == ["more-b", "more-d", "more-c", "more-a"], started
        ranked = json.loads(c.cli("scenarios", "--json").stdout)
        assert ranked["policy"]["policy"] == "promise"
        assert ranked["scenarios"][0]["scenario"] == "b"
    finally:
        c.close()
