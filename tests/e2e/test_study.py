"""`allot study`: parameter studies from one YAML file, run through allot run's engine.

Each trial here is a python3 one-liner (or two), so the file runs in well under a minute on a
loaded 2-core machine. What is pinned: a Sobol study finds the optimum region of a known
function within its budget; a two-objective study's Pareto front is non-dominated and lies on
the known front; a trial workflow passes a result down and the last result is the objective;
kill -9 then the same command again finishes without rerunning finished trials; bad study
files are refused naming line and field, creating nothing; a changed study is refused on
resume; the HTML report draws the study.
"""

import json
import math
import signal
import time
from pathlib import Path

from conftest import wait_for

# A trial writes {"KEY": value, ...} to $ALLOT_RESULT_FILE from Python expressions of {x}, {y}.
RESULT = ("python3 -c 'import json, math, os; x, y = {{x}}, {{y}}; "
          "json.dump(dict({fields}), open(os.environ[\"ALLOT_RESULT_FILE\"], \"w\"))'")


def trial_command(fields, prefix=""):
    return json.dumps(prefix + RESULT.format(fields=fields).replace("{{", "{").replace("}}", "}"))


def study_yaml(name, objectives, command, trials, space=None, extra=""):
    space = space or "  x: {type: float, low: -2, high: 2}\n  y: {type: float, low: -2, high: 2}\n"
    return (f"study: {name}\nspace:\n{space}objectives:\n{objectives}"
            f"sampler: sobol\nseed: 1\ntrials: {trials}\nparallel: 4\n{extra}"
            f"trial:\n  command: {command}\n")


def status(allot, workdir):
    r = allot.run("study", "status", "--workdir", workdir, "--json", timeout=60)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_sobol_study_finds_the_optimum_region_of_a_known_function(allot):
    allot.write("study.yaml", study_yaml(
        "quadratic", "  - {name: f, goal: minimize}\n",
        trial_command("f=(x - 0.7) ** 2 + (y + 0.3) ** 2"), 48))
    r = allot.run("study", "run", "study.yaml", "--workdir", "w", "--cores", "4",
                  "--progress", "none")
    assert r.returncode == 0, r.stderr
    assert "best t00" in r.stdout

    s = status(allot, "w")
    assert s["study"] == "quadratic"
    assert s["counts"]["done"] == 48 and s["counts"]["total"] == 48
    assert len({t["trial"] for t in s["trials"]}) == 48
    best = s["best"]
    x, y = best["params"]["x"], best["params"]["y"]
    assert math.hypot(x - 0.7, y + 0.3) < 0.3, best
    assert best["value"] == min(t["objectives"]["f"] for t in s["trials"])
    # Parameters are the sampled ones, and the value is the trial's own.
    for t in s["trials"]:
        p = t["params"]
        assert -2 <= p["x"] < 2 and -2 <= p["y"] < 2
        assert abs(t["objectives"]["f"] - ((p["x"] - 0.7) ** 2 + (p["y"] + 0.3) ** 2)) < 1e-9

    text = allot.run("study", "status", "--workdir", "w").stdout
    assert f"best: {best['trial']}" in text and "48 trials: 48 done" in text

    html = allot.run("report", "--workdir", "w", "--format", "html").stdout
    assert '<svg id="study"' in html
    assert html.count('class="trial') == 48
    assert 'class="best-so-far"' in html


def test_two_objective_study_gives_a_non_dominated_front_on_the_known_front(allot):
    # f1 = x, f2 = 1 - sqrt(x) + y^2: the true front is y = 0, f2 = 1 - sqrt(f1).
    space = "  x: {type: float, low: 0, high: 1}\n  y: {type: float, low: -1, high: 1}\n"
    allot.write("study.yaml", study_yaml(
        "zdt", "  - {name: f1, goal: minimize}\n  - {name: f2, goal: minimize}\n",
        trial_command("f1=x, f2=1 - math.sqrt(x) + y * y"), 48, space=space))
    r = allot.run("study", "run", "study.yaml", "--workdir", "w", "--cores", "4",
                  "--progress", "none")
    assert r.returncode == 0, r.stderr
    s = status(allot, "w")
    front = s["pareto_front"]
    assert len(front) >= 4, front
    points = [(p["objectives"]["f1"], p["objectives"]["f2"]) for p in front]
    assert points == sorted(points)
    for a in points:
        for b in points:
            assert not (b[0] <= a[0] and b[1] <= a[1] and b != a), (a, b)
    # Nothing done dominates a front point, and front points lie near y = 0.
    done = [(t["objectives"]["f1"], t["objectives"]["f2"]) for t in s["trials"]
            if t["state"] == "done"]
    for a in points:
        assert not any(b[0] <= a[0] and b[1] <= a[1] and b != a for b in done)
    # Near f1 = 0 the true front is steep (1 - sqrt(f1)), so a trial of tiny f1 is on the
    # sampled front whatever its y; beyond that, front points have y near 0, where the true
    # front is (f2 is off it by y^2).
    for p in front:
        if p["objectives"]["f1"] >= 0.1:
            assert abs(p["params"]["y"]) < 0.35, p
    ys = sorted(abs(p["params"]["y"]) for p in front)
    assert ys[len(ys) // 2] < 0.25, ys  # uniform y would give 0.5

    html = allot.run("report", "--workdir", "w", "--format", "html").stdout
    assert '<svg id="study"' in html
    assert html.count('class="trial front"') == len(front)


def test_trial_workflow_passes_a_result_down_and_the_last_result_is_the_objective(allot):
    allot.write("sim.py", "def simulate(x, n):\n    return {'v': 2 * x + n, 'score': -1}\n")
    allot.write("study.yaml", """study: chain
space:
  x: {type: float, low: 0, high: 1}
  n: {type: int, low: 1, high: 3}
objectives: [{name: score, goal: maximize}]
sampler: random
seed: 5
trials: 4
parallel: 2
trial:
  tasks:
    - {id: simulate, python: {module: sim.py, function: simulate}}
    - id: analyse
      depends_on: simulate
      command: >-
        python3 -c 'import json, os, sys; json.dump(dict(score=float(sys.argv[1]) + 1),
        open(os.environ["ALLOT_RESULT_FILE"], "w"))' {dep.result.v}
""")
    r = allot.run("study", "run", "study.yaml", "--workdir", "w", "--progress", "none")
    assert r.returncode == 0, r.stderr
    s = status(allot, "w")
    assert s["counts"]["done"] == 4
    for t in s["trials"]:
        p = t["params"]
        assert isinstance(p["n"], int) and 1 <= p["n"] <= 3
        # simulate's score (-1) is overridden by analyse's, which finished later.
        assert abs(t["objectives"]["score"] - (2 * p["x"] + p["n"] + 1)) < 1e-9
    tasks = {t["id"] for t in allot.status_json("w")["tasks"]}
    assert tasks == {f"t000{i}-{step}" for i in range(4) for step in ("simulate", "analyse")}
    assert s["best"]["value"] == max(t["objectives"]["score"] for t in s["trials"])


def test_kill9_then_the_same_command_finishes_without_rerunning_finished_trials(allot, tmp_path):
    log = tmp_path / "trials.log"
    command = trial_command("f=x * x + y * y", prefix=f"echo {{trial}} >> {log} && sleep 0.3 && ")
    allot.write("study.yaml", study_yaml(
        "resumable", "  - {name: f, goal: minimize}\n", command, 24).replace(
            "parallel: 4", "parallel: 2"))
    proc = allot.start("study", "run", "study.yaml", "--workdir", "w", "--progress", "plain")
    wait_for(lambda: (log.exists() and len(log.read_text().split()) >= 8) or
             proc.poll() is not None, timeout=60, what="8 trials to have started")
    assert proc.poll() is None, "the study ended before it could be killed"
    time.sleep(0.4)  # at least one of them finished
    proc.send_signal(signal.SIGKILL)
    rc, _, _ = allot.finish(proc, timeout=30)
    assert rc == -signal.SIGKILL
    time.sleep(0.5)  # orphaned trials end (resume kills what is left of them anyway)

    # allot status says how to go on: the study's own command (it offers the trials' resource).
    plain = allot.status_json("w")
    if "resume" in plain:
        assert plain["resume"].startswith("allot study run STUDY.yaml --workdir w"), plain["resume"]
    before = status(allot, "w")
    finished = {t["trial"] for t in before["trials"] if t["state"] == "done"}
    assert 1 <= len(finished) < 24, before["counts"]
    runs_before = log.read_text().split()

    r = allot.run("study", "run", "study.yaml", "--workdir", "w", "--progress", "none")
    assert r.returncode == 0, r.stderr
    assert "resuming" in r.stdout
    after = status(allot, "w")
    assert after["counts"]["done"] == 24
    for t in after["trials"]:
        if t["trial"] in finished:
            assert t["attempts"] == 1, t
    runs = log.read_text().split()
    for trial in finished:
        assert runs.count(trial) == 1, (trial, runs)
    assert len(runs) > len(runs_before)


def test_bad_study_files_are_refused_naming_line_and_field_and_create_nothing(allot, tmp_path):
    good = study_yaml("ok", "  - {name: f, goal: minimize}\n", trial_command("f=x"), 4)
    cases = {
        # (replace, with): the expected "LINE: field 'FIELD'" and a word of the message
        ("high: 2}\n  y", "high: two}\n  y"): ("study.yaml:3: field 'space.x.high'", "finite"),
        ("goal: minimize", "goal: minimise"): ("study.yaml:6: field 'objectives[0].goal'",
                                               "did you mean 'minimize'?"),
        ("sampler: sobol", "samplr: sobol"): ("study.yaml:7: field 'samplr'",
                                              "did you mean 'sampler'?"),
        ("trials: 4", "trials: 0"): ("study.yaml:9: field 'trials'", "from 1"),
        ("  command:", "  id: x\n  command:"): ("study.yaml:12: field 'trial.id'", "set by the study"),
        ("  command:", "  cores: lots\n  command:"): ("study.yaml:12: field 'trial.cores'", "cores"),
        ("f=x", "f={z}"): ("study.yaml:12: field 'trial.command'", "'{z}' is not a sweep parameter"),
    }
    for (old, new), (place, words) in cases.items():
        assert old in good
        allot.write("study.yaml", good.replace(old, new, 1))
        r = allot.run("study", "run", "study.yaml", "--workdir", "w")
        assert r.returncode == 2, (new, r.stderr)
        assert place in r.stderr and words in r.stderr, (place, r.stderr)
        assert "nothing was run" in r.stderr
        assert not (tmp_path / "w").exists()

    # A study that ran is not resumed with another file; its journal stays as it was.
    allot.write("study.yaml", good)
    assert allot.run("study", "run", "study.yaml", "--workdir", "w",
                     "--progress", "none").returncode == 0
    allot.write("study.yaml", good.replace("seed: 1", "seed: 2"))
    r = allot.run("study", "run", "study.yaml", "--workdir", "w")
    assert r.returncode == 2
    assert "differs from the study" in r.stderr and "changed: seed" in r.stderr
    assert status(allot, "w")["counts"]["done"] == 4

    # status of a journal that is no study's, or of none.
    r = allot.run("study", "status", "--workdir", "nowhere")
    assert r.returncode == 2 and "no journal" in r.stderr


def test_scenario_policy_passes_through_and_stops_poor_trials(allot):
    # Each trial reports loss q + 1/step at steps 1..3; ASHA (eta 3) stops the poor ones.
    metric = (f"for s in 1 2 3; do {allot.bin} metric loss "
              "$(python3 -c \"print({q} + 1.0 / $s)\") --step $s; done; ")
    command = json.dumps(metric + "python3 -c 'import json, os; json.dump(dict(loss={q}), "
                         "open(os.environ[\"ALLOT_RESULT_FILE\"], \"w\"))'")
    allot.write("study.yaml", study_yaml(
        "asha", "  - {name: loss, goal: minimize}\n", command, 9,
        space="  q: {type: float, low: 0, high: 1}\n",
        extra="scenarios: {policy: asha, metric: loss, mode: min, reduction_factor: 3, "
              "max_step: 3}\n").replace("parallel: 4", "parallel: 3"))
    r = allot.run("study", "run", "study.yaml", "--workdir", "w", "--progress", "none")
    assert r.returncode == 1, r.stderr  # as allot run: scenarios were stopped
    s = status(allot, "w")
    assert s["counts"]["stopped"] >= 1 and s["counts"]["done"] >= 1, s["counts"]
    assert s["counts"]["done"] + s["counts"]["stopped"] == 9
    stopped = [t for t in s["trials"] if t["state"] == "stopped"]
    assert all("asha" in t["reason"] for t in stopped), stopped
    assert s["best"]["value"] == min(t["params"]["q"] for t in s["trials"]
                                     if t["state"] == "done")


def test_the_readme_example_runs_as_it_is(allot):
    example = Path(__file__).resolve().parents[2] / "examples" / "study" / "study.yaml"
    r = allot.run("study", "run", example, "--workdir", "w", "--progress", "none")
    assert r.returncode == 0, r.stderr
    s = status(allot, "w")
    assert s["counts"]["done"] == 40
    assert len(s["pareto_front"]) >= 3
    materials = {t["params"]["material"] for t in s["trials"]}
    assert materials == {"lead", "tungsten"}
