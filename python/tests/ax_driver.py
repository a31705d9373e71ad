"""A user's scheduler_epic script with the import changed (tests/test_ax.py runs it, kills it
with SIGKILL mid-way and runs it again): 20 trials of a two-parameter detector model, 4 in
flight, a broken configuration in trial 3, the experiment saved after every change."""

import os
import sys

from ax.service.ax_client import AxClient, ObjectiveProperties

from allot.ax import AxScheduler, JobLibRunner  # was: from scheduler import AxScheduler, ...
from ax_objectives import detector_resolution  # in a module of its own: each trial imports it


if __name__ == "__main__":
    out = sys.argv[1]
    ax_client = AxClient(random_seed=5, verbose_logging=False)
    ax_client.create_experiment(
        name="detector",
        parameters=[{"name": "field", "type": "range", "bounds": [0.5, 3.0]},
                    {"name": "length", "type": "range", "bounds": [3.0, 8.0]}],
        objectives={"resolution": ObjectiveProperties(minimize=True)},
        choose_generation_strategy_kwargs={"max_parallelism_override": 4,
                                           "num_initialization_trials": 6})
    scheduler = AxScheduler(ax_client, JobLibRunner(n_jobs=4), config={
        "monitoring_interval": 0.2, "job_output_dir": out,
        "experiment_file": os.path.join(out, "experiment.json")})
    scheduler.set_objective_function(detector_resolution)
    best = scheduler.run_optimization(max_trials=20)
    print("BEST", best)
    scheduler.close()
