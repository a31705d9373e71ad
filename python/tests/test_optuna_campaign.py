"""Issue 14's Optuna acceptance: a study of 40 trials, 4 in flight (asked, not yet told; they
run as the worker's cores allow), on a private server
(allot.LocalServer) that is killed with SIGKILL mid-study and restarted; trials prune on
streamed metrics, failures are FAIL with their reason, and each trial may be a 3-step DAG."""

import threading
import time

import pytest

optuna = pytest.importorskip("optuna")

import allot  # noqa: E402
from allot.optuna import optimize  # noqa: E402

optuna.logging.set_verbosity(optuna.logging.WARNING)
TrialState = optuna.trial.TrialState
N_TRIALS, K = 40, 4

# A step function the driver can prune: reports loss per step, slowly enough for the driver to
# see it; x > 3.2 is a broken configuration that exits 5.
STEPS = r"""
import json, os, subprocess, sys, time
x = float(sys.argv[1])
if x > 3.2:
    sys.exit("unphysical geometry: x = %g" % x)
for step in range(1, 6):
    loss = (x - 1) ** 2 + 1.0 / step
    subprocess.run(["allot", "metric", "loss", repr(loss), "--step", str(step)], check=True)
    time.sleep(0.15)
json.dump({"loss": (x - 1) ** 2}, open(os.environ["ALLOT_RESULT_FILE"], "w"))
"""


@pytest.fixture
def server(tmp_path):
    s = allot.LocalServer(tmp_path / "server")  # all this machine's cores (2 on CI)
    s.start()
    yield s
    s.stop()


def max_overlap(client, ids):
    spans = []
    for i in ids:
        for a in client.task(i).attempts:
            if a.started_us and a.ended_us:
                spans += [(a.started_us, 1), (a.ended_us, -1)]
    now = peak = 0
    for _, d in sorted(spans):
        now += d
        peak = max(peak, now)
    return peak


def test_forty_trials_four_in_flight_prune_fail_and_survive_a_kill_9_of_the_server(
        server, tmp_path):
    script = tmp_path / "steps.py"
    script.write_text(STEPS)
    storage = f"sqlite:///{tmp_path / 'study.db'}"
    study = optuna.create_study(
        study_name="detector", storage=storage, sampler=optuna.samplers.RandomSampler(seed=11),
        pruner=optuna.pruners.MedianPruner(n_startup_trials=4, n_warmup_steps=1))

    def task(trial):
        x = trial.suggest_float("x", -3, 4)
        return allot.Task(f"t{trial.number}", f"python3 {script} {x!r}", cores=1)

    errors = []

    def drive():
        try:
            optimize(study, task, client=server.client, n_trials=N_TRIALS, n_parallel=K,
                     objective="loss", report="loss", poll=0.1)
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    driver = threading.Thread(target=drive)
    driver.start()
    deadline = time.monotonic() + 120
    in_flight = []  # trials asked and not yet told, sampled
    while len([t for t in study.get_trials(deepcopy=False) if t.state.is_finished()]) < 12:
        assert time.monotonic() < deadline and driver.is_alive(), errors
        in_flight.append(len(study.get_trials(deepcopy=False, states=(TrialState.RUNNING,))))
        time.sleep(0.05)
    running_before = [t.number for t in study.get_trials(states=(TrialState.RUNNING,))]
    server.kill_server()
    time.sleep(1.5)  # the driver meets a dead server meanwhile
    server.start_server()
    driver.join(timeout=300)
    assert not driver.is_alive() and not errors, errors

    trials = study.get_trials()
    assert len(trials) == N_TRIALS, "the restart made the driver ask no trial twice"
    states = {s: [t for t in trials if t.state == s] for s in TrialState}
    assert not states[TrialState.RUNNING] and running_before
    assert states[TrialState.COMPLETE] and states[TrialState.PRUNED] and states[TrialState.FAIL]
    for t in states[TrialState.COMPLETE]:
        assert t.value == pytest.approx((t.params["x"] - 1) ** 2)
        # Every step reached the trial, also for those running while the server was dead:
        # their workers sent their metrics again once the server was back.
        assert sorted(t.intermediate_values) == [1, 2, 3, 4, 5], (t.number, running_before)
    for t in states[TrialState.FAIL]:
        assert t.params["x"] > 3.2
        assert t.user_attrs["allot_reason"] == f"t{t.number} failed: exit code 1", t.user_attrs
    for t in states[TrialState.PRUNED]:
        assert server.client.status(f"t{t.number}")[0].state == "canceled"
        assert max(t.intermediate_values) < 5
    assert study.best_value == min(t.value for t in states[TrialState.COMPLETE])
    assert max(in_flight) == K, in_flight
    # 4 in flight, as many running at once as the worker has cores, never more.
    cores = sum(w.cores for w in server.client.workers())
    assert max_overlap(server.client, [f"t{t.number}" for t in trials]) <= cores


DETECTOR = """
def simulate(thickness, layers):
    return {"hits": layers * 100}

def reconstruct(hits):
    return {"eff": hits / 1000}

def analyse(thickness, layers, eff):
    return {"cost": thickness * layers, "eff": eff}
"""


def test_a_trial_as_a_three_step_dag_passes_results_down_and_ends_with_the_last(server,
                                                                                tmp_path):
    module = tmp_path / "detector.py"
    module.write_text(DETECTOR)
    study = optuna.create_study(study_name="dag", directions=["minimize", "maximize"],
                                sampler=optuna.samplers.NSGAIISampler(seed=2))

    def trial_tasks(trial):
        t = trial.suggest_float("thickness", 1, 10)
        n = trial.suggest_int("layers", 2, 8)
        p = f"d{trial.number}"
        fn = lambda name: {"module": str(module), "function": name}  # noqa: E731
        return [
            {"id": f"{p}-simulate", "python": fn("simulate"),
             "params": {"thickness": t, "layers": n}},
            {"id": f"{p}-reconstruct", "depends_on": [f"{p}-simulate"],
             "python": fn("reconstruct"), "params": {"hits": "{dep.result.hits}"}},
            {"id": f"{p}-analyse", "depends_on": [f"{p}-reconstruct"], "python": fn("analyse"),
             "params": {"thickness": t, "layers": n, "eff": "{dep.result.eff}"}},
        ]

    optimize(study, trial_tasks, client=server.client, n_trials=6, n_parallel=3,
             objective=["cost", "eff"])
    trials = study.get_trials()
    assert [t.state for t in trials] == [TrialState.COMPLETE] * 6, [t.user_attrs for t in trials]
    for t in trials:
        assert t.values == [pytest.approx(t.params["thickness"] * t.params["layers"]),
                            pytest.approx(t.params["layers"] / 10)]
        assert t.user_attrs["allot_tasks"] == [f"d{t.number}-{s}" for s in
                                               ("simulate", "reconstruct", "analyse")]
    assert study.best_trials

