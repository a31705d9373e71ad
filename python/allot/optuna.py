"""Optuna studies with their trials run as Allot tasks, several at once.

    import optuna
    from allot import Client, Task
    from allot.optuna import optimize

    def trial_task(trial):
        x = trial.suggest_float("x", -10, 10)
        return Task(f"x-{trial.number}", python={"module": "sim.py", "function": "run"},
                    params={"x": x})            # returns {"loss": ...}, reports "loss" per step

    study = optuna.create_study(storage="sqlite:///study.db", study_name="scan",
                                load_if_exists=True, pruner=optuna.pruners.MedianPruner())
    optimize(study, trial_task, client=Client(), n_trials=40, n_parallel=4, objective="loss",
             report="loss")

Each trial is one Allot task, built by ``task_for_trial(trial)`` from the trial's suggestions
(a :class:`allot.Task` or a task dict; an id is made when it has none). Up to ``n_parallel``
run at once on the server ``client`` talks to.
- Its result (``$ALLOT_RESULT_FILE``, a Python function's return value) gives the objective:
  ``objective`` names the key (a list of keys for a multi-objective study); a number result
  is taken as it is.
- Its metric named ``report`` (``allot metric NAME VALUE --step N``) goes to
  ``trial.report(value, step)``; when ``trial.should_prune()`` says so the task is canceled and
  the trial told PRUNED.
- A task that fails, is canceled or skipped, or returns no usable objective is told FAIL, with
  the reason in the trial's user attribute ``allot_reason``.
- The trial remembers its task (user attribute ``allot_task``): a driver restarted on the same
  storage picks up the trials still RUNNING where their tasks are, instead of asking anew.

Needs Optuna (Debian's 3.1 or PyPI's 4.x/5.x); stdlib otherwise.
"""

from __future__ import annotations

import math
import time
from typing import Any, Callable, Mapping, Optional, Sequence, Union

from .client import Client
from .task import Task

try:
    import optuna
    from optuna.trial import TrialState
except ImportError as e:  # pragma: no cover - exercised where Optuna is missing
    raise ImportError("allot.optuna needs Optuna: apt install python3-optuna, or "
                      "pip install 'allot[optuna]'") from e

FINISHED_OK = "succeeded"
FINISHED_BAD = ("failed", "canceled", "skipped")

TaskForTrial = Callable[["optuna.trial.Trial"], Union[Task, Mapping[str, Any]]]


def optimize(study: "optuna.Study", task_for_trial: TaskForTrial, *, client: Client,
             n_trials: int, n_parallel: int = 1, objective: Union[str, Sequence[str], None] = None,
             report: Optional[str] = None, poll: float = 0.5,
             timeout: Optional[float] = None) -> "optuna.Study":
    """Runs ``n_trials`` trials of ``study`` (counting those a previous driver started and this
    one resumes) as tasks, ``n_parallel`` at a time; returns the study."""
    if n_parallel < 1:
        raise ValueError("n_parallel must be at least 1")
    deadline = None if timeout is None else time.monotonic() + timeout
    in_flight: dict[str, _Flight] = {}
    for frozen in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        task_id = frozen.user_attrs.get("allot_task")
        if task_id:  # a previous driver's: follow its task
            in_flight[task_id] = _Flight(optuna.trial.Trial(study, frozen._trial_id), task_id)
    started = len(in_flight)
    metric_cursor = _last_metric(client)
    # Metrics of resumed trials reported before this driver: replay them (report is
    # idempotent per step).
    if in_flight and report:
        for flight in in_flight.values():
            for m in client.metrics(follow=False, task=flight.task_id):
                flight.report(m, report)
    while in_flight or started < n_trials:
        while len(in_flight) < n_parallel and started < n_trials:
            trial = study.ask()
            task = _as_task(task_for_trial(trial), study, trial)
            trial.set_user_attr("allot_task", task["id"])
            client.submit([task])
            in_flight[task["id"]] = _Flight(trial, task["id"])
            started += 1
        if report:
            for m in client.metrics(after=metric_cursor, follow=False):
                metric_cursor = max(metric_cursor, m.metric_seq)
                flight = in_flight.get(m.task)
                if flight is None or not flight.report(m, report):
                    continue
                if flight.trial.should_prune():
                    flight.pruned = True
                    try:
                        client.cancel(flight.task_id)
                    except Exception:  # it ended meanwhile: its end decides below
                        pass
        for task_info in client.status(list(in_flight)) if in_flight else []:
            if task_info.state not in (FINISHED_OK,) + FINISHED_BAD:
                continue
            flight = in_flight.pop(task_info.id)
            _tell(study, flight, task_info, client, objective)
        if deadline is not None and time.monotonic() > deadline:
            break
        if in_flight:
            time.sleep(poll)
    return study


class _Flight:
    def __init__(self, trial: "optuna.trial.Trial", task_id: str):
        self.trial = trial
        self.task_id = task_id
        self.pruned = False
        self.steps: set[int] = set()

    def report(self, metric, name: str) -> bool:
        """Hands the metric to the trial; False when it is not the reported one."""
        if metric.name != name or metric.step is None or metric.step in self.steps:
            return False
        self.steps.add(metric.step)
        try:
            self.trial.report(metric.value, metric.step)
        except NotImplementedError:  # multi-objective studies cannot report
            return False
        return True


def _as_task(task: Union[Task, Mapping[str, Any]], study, trial) -> dict:
    d = task.to_dict() if isinstance(task, Task) else dict(task)
    if not d.get("id"):
        d["id"] = f"{study.study_name}-trial-{trial.number}"
    tags = dict(d.get("tags") or {})
    tags.setdefault("study", study.study_name)
    tags.setdefault("trial", str(trial.number))
    tags.setdefault("scenario", f"trial-{trial.number}")
    d["tags"] = tags
    return d


def _tell(study, flight: _Flight, info, client: Client, objective) -> None:
    trial = flight.trial
    if flight.pruned and info.state != FINISHED_OK:
        study.tell(trial, state=TrialState.PRUNED)
        return
    if info.state != FINISHED_OK:
        why = info.why or (f"exit code {info.exit_code}" if info.exit_code is not None else "")
        trial.set_user_attr("allot_reason", f"{info.state}: {why}" if why else info.state)
        study.tell(trial, state=TrialState.FAIL)
        return
    result = client.task(flight.task_id).result
    values, why = _objective_values(result, objective)
    if values is None:
        trial.set_user_attr("allot_reason", why)
        study.tell(trial, state=TrialState.FAIL)
        return
    study.tell(trial, values if len(values) > 1 else values[0])


def _objective_values(result: Any, objective) -> tuple[Optional[list[float]], str]:
    keys = [objective] if isinstance(objective, str) else list(objective or [])
    if not keys:
        if _number(result):
            return [float(result)], ""
        return None, f"its result {result!r} is not a number (name the key with objective=)"
    if not isinstance(result, Mapping):
        return None, f"its result {result!r} has no key {keys[0]!r}"
    values = []
    for k in keys:
        v = result.get(k)
        if not _number(v):
            return None, f"its result's {k!r} is {v!r}, not a finite number"
        values.append(float(v))
    return values, ""


def _number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _last_metric(client: Client) -> int:
    last = 0
    for m in client.metrics(follow=False):
        last = max(last, m.metric_seq)
    return last
