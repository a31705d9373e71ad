"""allot.optuna against a real Optuna (Debian's 3.1, or a venv's 4.x/5.x) and a real server: trials
as tasks with K in flight, intermediate metrics to trial.report, pruning cancels, failures are
FAIL with the reason, multi-objective, and a restarted driver resumes its running trials."""

import sys

import pytest

optuna = pytest.importorskip("optuna")

import allot  # noqa: E402
from allot.optuna import optimize  # noqa: E402
from test_client import client, cluster, prefix  # noqa: E402,F401  (its server, workers, ids)

optuna.logging.set_verbosity(optuna.logging.WARNING)
PY = sys.executable


def quadratic(trial, prefix):
    x = trial.suggest_float("x", -4, 4)
    # Reports "loss" per step, then returns it; runs through the shell for a real process.
    return allot.Task(f"{prefix}-{trial.number}", (
        f"for s in 1 2 3; do allot metric loss $(python3 -c \"print(({x} - 1) ** 2 + 1 / $s)\") "
        f"--step $s; done; python3 -c 'import json, os; json.dump({{\"loss\": ({x} - 1) ** 2}}, "
        f"open(os.environ[\"ALLOT_RESULT_FILE\"], \"w\"))'"))


def test_a_study_runs_its_trials_as_tasks_and_learns_from_their_results(client, prefix):
    study = optuna.create_study(study_name=prefix, sampler=optuna.samplers.RandomSampler(seed=3))
    optimize(study, lambda t: quadratic(t, prefix), client=client, n_trials=6, n_parallel=2,
             objective="loss", report="loss")
    trials = study.get_trials()
    assert len(trials) == 6 and all(t.state == optuna.trial.TrialState.COMPLETE for t in trials)
    for t in trials:
        assert t.value == pytest.approx((t.params["x"] - 1) ** 2)
        assert t.intermediate_values.keys() == {1, 2, 3}
        assert t.user_attrs["allot_tasks"] == [f"{prefix}-{t.number}"]
    assert study.best_value == min(t.value for t in trials)


def test_a_failed_task_is_a_failed_trial_with_its_reason(client, prefix):
    study = optuna.create_study(study_name=prefix)

    def task(trial):
        trial.suggest_int("n", 0, 1)
        return {"id": f"{prefix}-{trial.number}", "command": "exit 3"}

    optimize(study, task, client=client, n_trials=2, n_parallel=2, objective="loss")
    for t in study.get_trials():
        assert t.state == optuna.trial.TrialState.FAIL
        assert t.user_attrs["allot_reason"].startswith(f"{prefix}-{t.number} failed: exit code 3")


def test_a_pruned_trial_is_canceled_and_told_pruned(client, prefix, tmp_path):
    gate = tmp_path / "never"
    study = optuna.create_study(study_name=prefix,
                                pruner=optuna.pruners.ThresholdPruner(upper=10.0))

    def task(trial):
        trial.suggest_int("n", 0, 1)
        # Reports a loss over the threshold, then waits for a gate that never opens.
        return {"id": f"{prefix}-{trial.number}",
                "command": f"allot metric loss 50 --step 1; while [ ! -e {gate} ]; do sleep 0.1; "
                           "done"}

    optimize(study, task, client=client, n_trials=1, objective="loss", report="loss", timeout=60)
    [t] = study.get_trials()
    assert t.state == optuna.trial.TrialState.PRUNED
    assert client.status(f"{prefix}-0")[0].state == "canceled"


def test_a_multi_objective_study_gets_both_values(client, prefix):
    study = optuna.create_study(study_name=prefix, directions=["minimize", "maximize"],
                                sampler=optuna.samplers.NSGAIISampler(seed=1))

    def task(trial):
        a = trial.suggest_float("a", 0, 1)
        return {"id": f"{prefix}-{trial.number}",
                "command": (f"echo '{{\"cost\": {a}, \"gain\": {a * a}}}' > $ALLOT_RESULT_FILE")}

    optimize(study, task, client=client, n_trials=4, n_parallel=2, objective=["cost", "gain"])
    for t in study.get_trials():
        assert t.values == [pytest.approx(t.params["a"]), pytest.approx(t.params["a"] ** 2)]
    assert study.best_trials


def test_a_restarted_driver_picks_up_the_running_trials_of_its_storage(client, prefix, tmp_path):
    storage = f"sqlite:///{tmp_path / 'study.db'}"
    gate = tmp_path / "gate"

    def task(trial):
        x = trial.suggest_int("x", 1, 9)
        return {"id": f"{prefix}-{trial.number}",
                "command": f"while [ ! -e {gate} ]; do sleep 0.1; done; "
                           f"echo '{{\"v\": {x}}}' > $ALLOT_RESULT_FILE"}

    first = optuna.create_study(study_name=prefix, storage=storage)
    optimize(first, task, client=client, n_trials=2, n_parallel=2, objective="v", timeout=2)
    assert [t.state for t in first.get_trials()] == [optuna.trial.TrialState.RUNNING] * 2
    gate.touch()
    again = optuna.load_study(study_name=prefix, storage=storage)
    optimize(again, task, client=client, n_trials=2, n_parallel=2, objective="v")
    trials = again.get_trials()
    assert len(trials) == 2, "no trial was asked anew"
    assert all(t.state == optuna.trial.TrialState.COMPLETE and t.value == t.params["x"]
               for t in trials)
