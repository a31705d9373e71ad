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
from ._trials import submit_idempotent
from .errors import AllotError, NotFoundError, ServerUnavailableError
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
    one resumes) as tasks, ``n_parallel`` at a time; returns the study.

    ``task_for_trial(trial)`` returns the trial's task, or a list of tasks forming a small DAG
    (their ``depends_on`` naming each other's ids); the last one's result gives the objective
    and metrics of any of them are reported. A server that goes away (a restart, a kill -9)
    is waited for up to ``client.reconnect`` seconds at a time."""
    if n_parallel < 1:
        raise ValueError("n_parallel must be at least 1")
    return _Driver(study, task_for_trial, client, objective, report).run(
        n_trials, n_parallel, poll, timeout)


class _Driver:
    def __init__(self, study, task_for_trial, client: Client, objective, report):
        self.study = study
        self.task_for_trial = task_for_trial
        self.client = client
        self.objective = objective
        self.report_name = report
        self.in_flight: dict[str, _Flight] = {}  # by the trial's final task
        self.metric_cursor = 0

    def run(self, n_trials: int, n_parallel: int, poll: float, timeout: Optional[float]):
        deadline = None if timeout is None else time.monotonic() + timeout
        for frozen in self.study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
            ids = frozen.user_attrs.get("allot_tasks") or (
                [frozen.user_attrs["allot_task"]] if frozen.user_attrs.get("allot_task") else [])
            if ids:  # a previous driver's: follow its tasks
                trial = optuna.trial.Trial(self.study, frozen._trial_id)
                self.in_flight[ids[-1]] = _Flight(trial, list(ids))
        started = len(self.in_flight)
        self.metric_cursor = self._retry(lambda: _last_metric(self.client))
        # Metrics of resumed trials reported before this driver: replay them (one per step).
        if self.in_flight and self.report_name:
            for flight in self.in_flight.values():
                for task_id in flight.task_ids:
                    for m in self._retry(lambda: self.client.metrics(follow=False, task=task_id)):
                        flight.report(m, self.report_name)
        while self.in_flight or started < n_trials:
            while len(self.in_flight) < n_parallel and started < n_trials:
                self._start_trial()
                started += 1
            self._retry(self._follow)
            if deadline is not None and time.monotonic() > deadline:
                break
            if self.in_flight:
                time.sleep(poll)
        return self.study

    def _start_trial(self) -> None:
        trial = self.study.ask()
        made = self.task_for_trial(trial)
        tasks = [_as_dict(t) for t in (made if isinstance(made, (list, tuple)) else [made])]
        if not tasks:
            raise ValueError(f"task_for_trial returned no task for trial {trial.number}")
        tasks = [_tagged(t, self.study, trial, i, len(tasks)) for i, t in enumerate(tasks)]
        ids = [t["id"] for t in tasks]
        # Remembered before submitting: a driver restarted after a crash between the two
        # finds the tasks (or learns they never arrived, below).
        trial.set_user_attr("allot_task", ids[-1])
        trial.set_user_attr("allot_tasks", ids)
        self._retry(lambda: submit_idempotent(self.client, tasks))
        self.in_flight[ids[-1]] = _Flight(trial, ids)

    def _follow(self) -> None:
        if self.report_name:
            for m in self.client.metrics(after=self.metric_cursor, follow=False):
                self.metric_cursor = max(self.metric_cursor, m.metric_seq)
                flight = self._flight_of(m.task)
                if flight is None or flight.pruned or not flight.report(m, self.report_name):
                    continue
                if flight.trial.should_prune():
                    flight.pruned = True
                    try:
                        self.client.cancel(*flight.task_ids)
                    except AllotError as e:  # it ended meanwhile: its end decides below
                        if isinstance(e, ServerUnavailableError):
                            raise
        if not self.in_flight:
            return
        ids = [i for f in self.in_flight.values() for i in f.task_ids]
        try:
            states = {t.id: t for t in self.client.status(ids)}
        except NotFoundError:  # some trial's tasks never reached the server: find which
            states = {}
            for flight in self.in_flight.values():
                try:
                    states.update((t.id, t) for t in self.client.status(flight.task_ids))
                except NotFoundError:
                    pass
        for final_id, flight in list(self.in_flight.items()):
            infos = [states.get(i) for i in flight.task_ids]
            if any(i is None for i in infos):  # submitted by a driver that died before the
                self._resubmit(flight)          # server had them: ask the trial's tasks again
                continue
            final = infos[-1]
            if final.state not in (FINISHED_OK,) + FINISHED_BAD:
                continue
            if any(i.state not in (FINISHED_OK,) + FINISHED_BAD for i in infos):
                continue  # a failed final task's siblings still run: wait for them
            del self.in_flight[final_id]
            self._tell(flight, infos)

    def _resubmit(self, flight: "_Flight") -> None:
        made = self.task_for_trial(flight.trial)
        tasks = [_as_dict(t) for t in (made if isinstance(made, (list, tuple)) else [made])]
        tasks = [_tagged(t, self.study, flight.trial, i, len(tasks)) for i, t in enumerate(tasks)]
        if [t["id"] for t in tasks] != flight.task_ids:
            raise ValueError(f"trial {flight.trial.number}: task_for_trial now gives tasks "
                             f"{[t['id'] for t in tasks]}, not {flight.task_ids}")
        submit_idempotent(self.client, tasks)

    def _flight_of(self, task_id: str) -> Optional["_Flight"]:
        for flight in self.in_flight.values():
            if task_id in flight.task_ids:
                return flight
        return None

    def _tell(self, flight: "_Flight", infos) -> None:
        trial = flight.trial
        bad = [i for i in infos if i.state != FINISHED_OK]
        if self.report_name and not bad:  # those that came with the end (pruned too late or not)
            self._catch_up_metrics(flight)
        if flight.pruned and bad:
            self.study.tell(trial, state=TrialState.PRUNED)
            return
        if bad:
            info = bad[0]
            why = info.why or (f"exit code {info.exit_code}" if info.exit_code is not None
                               else "")
            reason = f"{info.id} {info.state}: {why}" if why else f"{info.id} {info.state}"
            trial.set_user_attr("allot_reason", reason)
            self.study.tell(trial, state=TrialState.FAIL)
            return
        result = self.client.task(flight.task_ids[-1]).result
        values, why = _objective_values(result, self.objective)
        if values is None:
            trial.set_user_attr("allot_reason", why)
            self.study.tell(trial, state=TrialState.FAIL)
            return
        self.study.tell(trial, values if len(values) > 1 else values[0])

    def _catch_up_metrics(self, flight: "_Flight", wait: float = 10.0) -> None:
        """Reports the metrics that came with the trial's end. A task's state is the server's
        at once, its metrics readable once journaled (a group commit later): the task's
        latest step, which the server knows, is waited for."""
        for task_id in flight.task_ids:
            latest = (self.client.task(task_id).extra.get("metrics") or {}).get(
                self.report_name) or {}
            step = latest.get("step")
            deadline = time.monotonic() + wait
            while True:
                for m in self.client.metrics(follow=False, task=task_id):
                    flight.report(m, self.report_name)
                if step is None or step in flight.steps or time.monotonic() > deadline:
                    break
                time.sleep(0.05)

    def _retry(self, call):
        """Calls ``call``, waiting out a server that cannot be reached for client.reconnect s."""
        return self.client._retrying(call)


class _Flight:
    def __init__(self, trial: "optuna.trial.Trial", task_ids: list):
        self.trial = trial
        self.task_ids = task_ids
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


def _as_dict(task: Union[Task, Mapping[str, Any]]) -> dict:
    return task.to_dict() if isinstance(task, Task) else dict(task)


def _tagged(d: dict, study, trial, index: int, count: int) -> dict:
    if not d.get("id"):
        d["id"] = f"{study.study_name}-trial-{trial.number}" + (
            f"-{index}" if count > 1 else "")
    tags = dict(d.get("tags") or {})
    tags.setdefault("study", study.study_name)
    tags.setdefault("trial", str(trial.number))
    tags.setdefault("scenario", f"trial-{trial.number}")
    d["tags"] = tags
    return d


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
