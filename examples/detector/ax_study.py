#!/usr/bin/env python3
"""Detector design with Ax on Allot, through scheduler_epic's AxScheduler surface: two
objectives, each trial a 3-step DAG, 4 trials in flight on a private allot server on this
machine. Run it again with the same --workdir to continue (<workdir>/experiment.json).

    PYTHONPATH=python build/optimizer-venv/bin/python examples/detector/ax_study.py --trials 12
"""

import argparse
import sys
from pathlib import Path

from ax.service.ax_client import AxClient, ObjectiveProperties

from allot.ax import AxScheduler, JobLibRunner

sys.path.insert(0, str(Path(__file__).resolve().parent))
from trial_dag import trial_tasks  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--trials", type=int, default=12)
    ap.add_argument("--parallel", type=int, default=4)
    ap.add_argument("--workdir", default="detector-ax")
    args = ap.parse_args()
    work = Path(args.workdir).absolute()
    ax_client = AxClient(random_seed=4, verbose_logging=False)
    ax_client.create_experiment(
        name="detector",
        parameters=[{"name": "thickness", "type": "range", "bounds": [1.0, 10.0]},
                    {"name": "layers", "type": "range", "bounds": [2, 12], "value_type": "int"}],
        objectives={"resolution": ObjectiveProperties(minimize=True, threshold=0.5),
                    "cost": ObjectiveProperties(minimize=True, threshold=300.0)},
        choose_generation_strategy_kwargs={"max_parallelism_override": args.parallel,
                                           "num_initialization_trials": 6})
    scheduler = AxScheduler(ax_client, JobLibRunner(n_jobs=args.parallel), config={
        "monitoring_interval": 0.5, "job_output_dir": str(work),
        "experiment_file": str(work / "experiment.json")})
    scheduler.set_task_objective(
        lambda p, i: trial_tasks(f"ax-{i}", p["thickness"], p["layers"]))
    try:
        front = scheduler.run_optimization(max_trials=args.trials)
    finally:
        scheduler.close()
    print(f"{len(scheduler.experiment.trials)} trials, {len(front)} on the Pareto front:")
    for index, (params, (means, _)) in sorted(front.items(), key=lambda kv: kv[1][1][0]["cost"]):
        print(f"  trial {index:3d}  thickness {params['thickness']:5.2f} mm  "
              f"layers {params['layers']:2d}  resolution {means['resolution']:.4f}  "
              f"cost {means['cost']:7.2f}")


if __name__ == "__main__":
    main()
