"""Allot from Python: run simulation campaigns and follow them.

    import allot

    sim = allot.sweep(allot.Task(id="sim-{seed}", command="./simulate --seed {seed}", cores=2),
                      grid={"seed": range(10)})
    ana = allot.Task(id="analyse", command="./analyse", depends_on=["sim-*"])
    result = allot.run([sim, ana], workdir="runs/a", check=True)
    print(result.output("analyse"))
    print(allot.status(workdir="runs/a").counts)

:func:`run` and :func:`status` drive the ``allot`` binary on this machine (``allot run``,
``allot status``). :class:`Client` talks to a long-lived allot server (cluster mode) over HTTP:
submit, status, wait, control, logs, the event stream, and :meth:`Client.run` for campaigns
whose next tasks depend on the results of the last ones::

    client = allot.Client()            # the server in $ALLOT_SERVER_DIR or ~/.allot/server
    def refine(result):
        x, y = map(float, result.stdout().split())
        if abs(y) > 1e-3:
            return allot.Task(f"f-{x / 2}", f"./f {x / 2}")
    client.run([allot.Task(f"f-{x}", f"./f {x}") for x in (1, 2, 3, 4)], on_complete=refine)
"""

from ._binary import find_binary
from .client import (Attempt, Client, Event, LogChunk, Metric, RunSummary, TaskDetail, TaskInfo,
                     TaskList, TaskResult, Unsuccessful, WaitResult, WorkerInfo)
from .errors import (AllotError, AuthenticationError, BadInputError, BinaryNotFoundError,
                     ConflictError, Diagnostic, InternalError, NotFoundError,
                     RunInterruptedError, ServerUnavailableError, TasksFailedError,
                     WaitTimeoutError)
from .local import RunHandle, plan, run, start, status
from .local_server import LocalServer
from .metrics import report_metric
from .results import FINAL_STATES, STATES, CampaignStatus, RunResult, TaskStatus
from .task import Task, dumps, sweep, workflow

__version__ = "0.1.0"

__all__ = [
    "AllotError", "Attempt", "AuthenticationError", "BadInputError", "BinaryNotFoundError",
    "CampaignStatus", "Client", "ConflictError", "Diagnostic", "Event", "FINAL_STATES", "Metric",
    "InternalError", "LocalServer", "LogChunk", "NotFoundError", "RunHandle", "RunInterruptedError",
    "RunResult", "RunSummary", "STATES", "ServerUnavailableError", "Task", "TaskDetail",
    "TaskInfo", "TaskList", "TaskResult", "TaskStatus", "TasksFailedError", "Unsuccessful",
    "WaitResult", "WaitTimeoutError", "WorkerInfo", "dumps", "find_binary", "plan", "run",
    "report_metric", "start", "status", "sweep", "workflow",
]
