"""`allot plan FILE`: everything `allot run` would check, without running anything or writing a
journal, plus the stages, the critical path, the core-hours and the wall time from the tasks'
estimates through the scheduler's own policy."""

import json


def chains(n, sim="10s", reco="4s", ana="1s"):
    tasks = []
    for i in range(n):
        tasks.append({"id": f"sim-{i}", "command": "false", "time_estimate": sim})
        tasks.append({"id": f"reco-{i}", "command": "false", "cores": 2, "time_estimate": reco,
                      "depends_on": [f"sim-{i}"]})
        tasks.append({"id": f"ana-{i}", "command": "false", "time_limit": ana,
                      "depends_on": [f"reco-{i}"]})
    return {"tasks": tasks}


def test_a_workflow_is_planned_without_running_or_writing_anything(allot, tmp_path):
    f = allot.write("chains.json", json.dumps(chains(4)))
    r = allot.run("plan", f, "--cores", "2", "--json")
    assert r.returncode == 0, r.stderr
    plan = json.loads(r.stdout)
    assert plan["tasks"] == 12
    assert [s["profile"] for s in plan["stages"]] == ["sim", "reco", "ana"]
    assert plan["stages"][1]["after"] == ["sim"] and plan["stages"][1]["cores_min"] == 2
    assert plan["critical_path_s"] == 15 and plan["critical_chain"] == ["sim-0", "reco-0", "ana-0"]
    assert abs(plan["core_hours"] - 4 * (10 + 8 + 1) / 3600) < 1e-9
    # 76 core-seconds on 2 cores: at least 38 s; the policy's schedule of the chains.
    assert plan["forecast"]["lower_bound_s"] == 38
    assert 38 <= plan["forecast"]["wall_s"] <= 38 + 15
    assert sorted(p.name for p in tmp_path.iterdir()) == ["chains.json"], "plan wrote something"


def test_the_text_names_stages_critical_path_and_wall_time(allot):
    f = allot.write("chains.json", json.dumps(chains(2)))
    r = allot.run("plan", f, "--cores", "4")
    assert r.returncode == 0, r.stderr
    assert "6 tasks in 3 stages; allot run would accept it on 4 cores" in r.stdout
    assert "critical path: 15s (sim-0 -> reco-0 -> ana-0)" in r.stdout
    assert "wall time on 4 cores:" in r.stdout


def test_without_estimates_there_is_no_forecast_and_the_plan_says_why(allot):
    f = allot.write("t.json", json.dumps([{"id": "a", "command": "true"},
                                          {"id": "b", "command": "true", "time_estimate": "1h",
                                           "depends_on": ["a"]}]))
    r = allot.run("plan", f, "--cores", "2", "--json")
    assert r.returncode == 0, r.stderr
    plan = json.loads(r.stdout)
    assert plan["forecast"] is None
    assert "1 task with neither time_estimate nor time_limit" in plan["forecast_unavailable"]
    assert plan["without_expected"] == 1


def test_what_allot_run_refuses_plan_refuses_naming_every_problem(allot, tmp_path):
    f = allot.write("bad.json", "[\n" + ",\n".join(json.dumps(t) for t in [
        {"id": "big", "command": "true", "cores": 64},
        {"id": "b", "command": "true", "depends_on": ["nope"]},
        {"id": "c", "command": "true", "time_estimate": "soon"}]) + "\n]\n")
    r = allot.run("plan", f, "--cores", "4")
    assert r.returncode == 2
    assert "bad.json:2: task 'big': asks for 64 cores; this machine has 4" in r.stderr
    assert "bad.json:3: task 'b': field 'depends_on'" in r.stderr
    assert "bad.json:4: task 'c': field 'time_estimate'" in r.stderr
    assert "allot run would run nothing" in r.stderr
    assert not (tmp_path / "allot-work").exists()
    r = allot.run("plan", "missing.json")
    assert r.returncode == 2 and "missing.json" in r.stderr
    r = allot.run("plan", f, "--cores", "0")
    assert r.returncode == 2 and "--cores" in r.stderr


def test_a_sweep_is_expanded_as_allot_run_expands_it(allot):
    f = allot.write("sweep.yaml", """
tasks:
  - id: "sim-e{energy}-s{seed}"
    command: "./sim --e {energy} --s {seed}"
    time_estimate: 2min
    workdir: "runs/{energy}-{seed}"
    sweep:
      grid:
        energy: [1, 2, 3]
        seed: [1, 2, 3]
  - id: merge
    command: ./merge
    time_estimate: 1min
    depends_on: ["sim-*"]
""")
    r = allot.run("plan", f, "--cores", "4", "--json")
    assert r.returncode == 0, r.stderr
    plan = json.loads(r.stdout)
    assert plan["tasks"] == 3 * 3 + 1
    assert [s["tasks"] for s in plan["stages"]] == [9, 1]
    assert plan["critical_path_s"] == 180
