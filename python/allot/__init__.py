"""Allot from Python: run simulation campaigns and follow them.

    import allot

    sim = allot.sweep(allot.Task(id="sim-{seed}", command="./simulate --seed {seed}", cores=2),
                      grid={"seed": range(10)})
    ana = allot.Task(id="analyse", command="./analyse", depends_on=["sim-*"])
    result = allot.run([sim, ana], workdir="runs/a", check=True)
    print(result.output("analyse"))
    print(allot.status(workdir="runs/a").counts)

Today this drives the ``allot`` binary on this machine (``allot run``, ``allot status``).
Task, the status and result classes and the errors are independent of how a campaign is run,
so a client of a long-lived allot server can be added beside :func:`run` and :func:`status`.
"""

from ._binary import find_binary
from .errors import (AllotError, BadInputError, BinaryNotFoundError, Diagnostic, InternalError,
                     RunInterruptedError, TasksFailedError)
from .local import RunHandle, run, start, status
from .results import FINAL_STATES, STATES, CampaignStatus, RunResult, TaskStatus
from .task import Task, dumps, sweep, workflow

__version__ = "0.1.0"

__all__ = [
    "AllotError", "BadInputError", "BinaryNotFoundError", "CampaignStatus", "Diagnostic",
    "FINAL_STATES", "InternalError", "RunHandle", "RunInterruptedError", "RunResult", "STATES",
    "Task", "TaskStatus", "TasksFailedError", "dumps", "find_binary", "run", "start", "status",
    "sweep", "workflow",
]
