#!/usr/bin/env python3
"""Detector design with Optuna on Allot: NSGA-II over (thickness, layers), two objectives,
each trial a 3-step DAG, 4 trials in flight on a private allot server on this machine.
Run it again with the same --workdir to continue (the study is in <workdir>/study.db).

    PYTHONPATH=python python3 examples/detector/optuna_study.py --trials 24
"""

import argparse
import sys
from pathlib import Path

import optuna

import allot
from allot.optuna import optimize

sys.path.insert(0, str(Path(__file__).resolve().parent))
from trial_dag import trial_tasks  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trials", type=int, default=24)
    ap.add_argument("--parallel", type=int, default=4)
    ap.add_argument("--workdir", default="detector-optuna")
    args = ap.parse_args()
    work = Path(args.workdir).absolute()
    work.mkdir(parents=True, exist_ok=True)
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(
        study_name="detector", storage=f"sqlite:///{work / 'study.db'}", load_if_exists=True,
        directions=["minimize", "minimize"], sampler=optuna.samplers.NSGAIISampler(seed=4))

    def tasks(trial):
        return trial_tasks(f"optuna-{trial.number}", trial.suggest_float("thickness", 1, 10),
                           trial.suggest_int("layers", 2, 12))

    # --trials is the study's size: a second run adds what is missing (optimize's n_trials,
    # like study.optimize's, counts this run's trials, those it resumes included).
    done = len([t for t in study.trials if t.state.is_finished()])
    with allot.LocalServer(work / "server") as client:
        optimize(study, tasks, client=client, n_trials=max(0, args.trials - done),
                 n_parallel=args.parallel, objective=["resolution", "cost"])
    front = sorted(study.best_trials, key=lambda t: t.values[1])
    print(f"{len(study.trials)} trials, {len(front)} on the Pareto front:")
    for t in front:
        print(f"  trial {t.number:3d}  thickness {t.params['thickness']:5.2f} mm  "
              f"layers {t.params['layers']:2d}  resolution {t.values[0]:.4f}  "
              f"cost {t.values[1]:7.2f}")


if __name__ == "__main__":
    main()
