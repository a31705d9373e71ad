"""Ax experiments with their trials run as Allot tasks.

Two ways in:

* **scheduler_epic's surface**, with an import change::

      from allot.ax import AxScheduler, JobLibRunner     # was: from scheduler import ...
      scheduler = AxScheduler(ax_client, JobLibRunner(n_jobs=4))
      scheduler.set_objective_function(objective)         # objective(x, y) -> {"loss": ...}
      best = scheduler.run_optimization(max_trials=20)

  Trials run in parallel (``n_jobs`` in flight; scheduler_epic ran one at a time), each as an
  Allot task on a private server and worker on this machine (:class:`JobLibRunner`) or on an
  existing server (:class:`ServerRunner`); a failed trial is told to Ax as FAILED with its
  reason; ``save_experiment``/``load_experiment`` (or the ``experiment_file`` config key) let a
  new driver continue an experiment, following the trials still running.

* **Ax's own Orchestrator**, with :class:`AllotRunner` and :class:`AllotMetric` (Ax 1.x; the
  0.3/0.4 ``Scheduler`` uses the same Runner and Metric classes).

Needs Ax (``pip install 'allot[ax]'``; the project's ``scripts/optimizer-venv.sh`` installs the
versions it is tested with); stdlib otherwise.
"""

from __future__ import annotations

import contextlib
import inspect
import json
import math
import os
import sys
import time
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Optional, Sequence, Union

from .client import Client
from ._trials import submit_idempotent, trial_tasks  # noqa: F401 (allot.ax.trial_tasks)
from .errors import AllotError, NotFoundError
from .local_server import LocalServer
from .task import Task

try:
    import pandas as pd
    from ax.core.base_trial import BaseTrial, TrialStatus
    from ax.core.data import Data
    from ax.core.metric import Metric
    from ax.core.runner import Runner
    from ax.service.ax_client import AxClient
    from ax.storage.json_store.decoder import object_from_json
    from ax.storage.json_store.encoder import object_to_json
    from ax.utils.common.result import Err, Ok
except ImportError as e:  # pragma: no cover - exercised where Ax is missing
    raise ImportError("allot.ax needs Ax: pip install 'allot[ax]' (see README "
                      "'From an optimizer' for an install without CUDA wheels)") from e

try:
    from ax.core.metric import MetricFetchE
except ImportError:  # pragma: no cover - Ax 0.3
    MetricFetchE = None

FINAL = ("succeeded", "failed", "canceled", "skipped")
TaskLike = Union[Task, Mapping[str, Any]]
#: What builds a trial's work: ``(parameters, trial_index) -> task or list of tasks`` (a small
#: DAG whose last task's result holds the metrics).
TaskBuilder = Callable[[dict, int], Union[TaskLike, Sequence[TaskLike]]]


# ---------------------------------------------------------------------------------------------
# Ax's Runner and Metric
# ---------------------------------------------------------------------------------------------

class AllotRunner(Runner):
    """Deploys Ax trials as Allot tasks on the server ``client`` talks to.

    ``build(parameters, trial_index)`` returns the trial's task or tasks (see
    :func:`function_tasks`, :func:`command_tasks`); ids default to
    ``<prefix>-<trial index>[-<step>]``. ``trial_cores``: the cores one trial takes, for
    :meth:`poll_available_capacity`."""

    def __init__(self, client: Client, build: TaskBuilder, *, prefix: str = "ax-trial",
                 trial_cores: int = 1, n_parallel: Optional[int] = None):
        super().__init__()
        self.client = client
        self.build = build
        self.prefix = prefix
        self.trial_cores = max(1, int(trial_cores))
        self.n_parallel = n_parallel
        self._reasons: dict[int, str] = {}

    # Ax calls these.
    def run(self, trial: "BaseTrial") -> dict[str, Any]:
        return self.run_multiple([trial])[trial.index]

    def run_multiple(self, trials: Iterable["BaseTrial"]) -> dict[int, dict[str, Any]]:
        """One submission for all of them."""
        trials = list(trials)
        tasks, metadata = [], {}
        for trial in trials:
            made = trial_tasks(self.build, _parameters(trial), trial.index, self.prefix)
            tasks += made
            metadata[trial.index] = {"allot_tasks": [t["id"] for t in made],
                                     "allot_server": str(self.client.server_dir)}
        submit_idempotent(self.client, tasks)
        return metadata

    def poll_available_capacity(self) -> int:
        free = sum(w.free_cores for w in self.client.workers() if w.state == "active")
        capacity = free // self.trial_cores
        if self.n_parallel is not None:
            running = len(self.client.status(states=("queued", "ready", "running")))
            capacity = min(capacity, max(0, self.n_parallel - running))
        return capacity

    def poll_trial_status(self, trials: Iterable["BaseTrial"]) -> dict["TrialStatus", set[int]]:
        out: dict[TrialStatus, set[int]] = {}
        for trial in trials:
            ids = trial.run_metadata.get("allot_tasks") or []
            state, reason = trial_state(self.client, ids)
            if state == "failed":
                self._reasons[trial.index] = reason
                status = TrialStatus.FAILED
            elif state == "succeeded":
                status = TrialStatus.COMPLETED
            else:
                status = TrialStatus.RUNNING
            out.setdefault(status, set()).add(trial.index)
        return out

    def poll_exception(self, trial: "BaseTrial") -> str:
        return self._reasons.get(trial.index, "")

    def stop(self, trial: "BaseTrial", reason: Optional[str] = None) -> dict[str, Any]:
        """Early stopping: cancels the trial's unfinished tasks (running ones get SIGTERM)."""
        ids = trial.run_metadata.get("allot_tasks") or []
        unfinished = [t.id for t in self.client.status(ids) if t.state not in FINAL]
        if unfinished:
            self.client.cancel(*unfinished)
        return {"allot_stop_reason": reason or "stopped by Ax"}

    @property
    def staging_required(self) -> bool:
        return False


class AllotMetric(Metric):
    """An Ax metric read from the result of a trial's last task: the result's key ``key``
    (default: the metric's name), a number or ``{"mean": m, "sem": s}`` / ``[m, s]``."""

    def __init__(self, name: str, key: Optional[str] = None,
                 lower_is_better: Optional[bool] = None, **kwargs: Any):
        super().__init__(name=name, lower_is_better=lower_is_better, **kwargs)
        self.key = key or name

    @classmethod
    def is_available_while_running(cls) -> bool:
        return False

    def fetch_trial_data(self, trial: "BaseTrial", **kwargs: Any):
        try:
            ids = trial.run_metadata.get("allot_tasks") or []
            if not ids:
                raise AllotError(f"trial {trial.index} has no Allot task", exit_code=1)
            client = _client_for(trial.run_metadata.get("allot_server"))
            result = client.task(ids[-1]).result
            mean, sem = metric_value(result, self.key)
            return Ok(value=metric_data(trial, self, mean, sem))
        except Exception as e:  # noqa: BLE001 - Ax wants the failure as a value
            if MetricFetchE is None:
                raise
            return Err(MetricFetchE(message=f"{self.name}: {e}", exception=e))


_CLIENTS: dict[str, Client] = {}


def _client_for(server_dir: Optional[str]) -> Client:
    key = server_dir or ""
    if key not in _CLIENTS:
        _CLIENTS[key] = Client(server_dir) if server_dir else Client()
    return _CLIENTS[key]


# ---------------------------------------------------------------------------------------------
# scheduler_epic's AxScheduler and its runners
# ---------------------------------------------------------------------------------------------

class JobLibRunner:
    """Trials on this machine: a private allot server and worker (:class:`allot.LocalServer`)
    in ``<job_output_dir>/allot-server`` (or ``server_dir``), alive while the driver is.
    ``n_jobs`` trials in flight (-1: as many as this machine has cores); each trial's task
    takes ``cores_per_trial`` cores. ``backend`` is accepted for scheduler_epic's signature
    and ignored: every trial is its own process."""

    def __init__(self, n_jobs: int = -1, backend: Optional[str] = None, *,
                 cores_per_trial: int = 1, cores: Optional[int] = None,
                 server_dir: Optional[Union[str, os.PathLike]] = None,
                 config: Optional[Mapping[str, Any]] = None):
        self.n_jobs = n_jobs
        self.cores_per_trial = cores_per_trial
        self.cores = cores
        self.server_dir = server_dir
        self.config = dict(config or {})
        self._server: Optional[LocalServer] = None

    @property
    def n_parallel(self) -> int:
        return self.n_jobs if self.n_jobs and self.n_jobs > 0 else (os.cpu_count() or 1)

    def connect(self, job_output_dir: Path) -> Client:
        if self._server is None:
            directory = Path(self.server_dir or Path(job_output_dir) / "allot-server")
            self._server = LocalServer(directory, cores=self.cores)
            self._server.start()
        return self._server.client

    def close(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None

    def __repr__(self) -> str:
        return f"JobLibRunner(n_jobs={self.n_jobs})"


class ServerRunner:
    """Trials on an existing allot server (``allot server start``, its workers on this
    machine, other nodes or in Slurm allocations): ``client`` or ``server_dir``; ``n_parallel``
    trials in flight."""

    def __init__(self, client: Optional[Client] = None, *, server_dir=None, n_parallel: int = 4,
                 cores_per_trial: int = 1):
        self.client = client or Client(server_dir)
        self.n_parallel = n_parallel
        self.cores_per_trial = cores_per_trial

    def connect(self, job_output_dir: Path) -> Client:
        return self.client

    def close(self) -> None:
        pass


class AxScheduler:
    """scheduler_epic's ``AxScheduler`` on Allot. ``runner``: :class:`JobLibRunner` (default),
    :class:`ServerRunner` or an :class:`allot.Client`. ``config`` keys: ``monitoring_interval``
    (seconds between polls, default 10 as in scheduler_epic), ``job_output_dir`` (the trials'
    working directories, default ``~/ax_scheduler_output``), ``synchronous`` (one trial at a
    time), ``cleanup_after_completion`` (remove a finished trial's directory), and Allot's own
    ``experiment_file`` (saved after every change and loaded when it exists, so a restarted
    driver continues) and ``task_prefix`` (task ids ``<prefix>-<index>``, default the
    experiment's name)."""

    def __init__(self, ax_client_or_experiment, runner=None,
                 config: Optional[Mapping[str, Any]] = None):
        self.config = dict(config or {})
        if isinstance(ax_client_or_experiment, AxClient):
            self.ax_client: Optional[AxClient] = ax_client_or_experiment
            self.experiment = ax_client_or_experiment.experiment
        else:
            self.ax_client = None
            self.experiment = ax_client_or_experiment
        if isinstance(runner, Client):
            runner = ServerRunner(runner)
        self.runner = runner if runner is not None else JobLibRunner()
        self.monitoring_interval = float(self.config.get("monitoring_interval", 10))
        self.job_output_dir = Path(os.path.expanduser(
            self.config.get("job_output_dir", "~/ax_scheduler_output"))).absolute()
        self.synchronous = bool(self.config.get("synchronous", False))
        self.cleanup_after_completion = bool(self.config.get("cleanup_after_completion", False))
        self.experiment_file = self.config.get("experiment_file")
        self.job_output_dir.mkdir(parents=True, exist_ok=True)
        self.trials: dict[int, list[str]] = {}  # in flight: index -> task ids
        self._build: Optional[TaskBuilder] = None
        self._client: Optional[Client] = None
        if self.experiment_file and os.path.exists(self.experiment_file):
            self.load_experiment(self.experiment_file)

    @property
    def client(self) -> Client:
        if self._client is None:
            self._client = self.runner.connect(self.job_output_dir)
        return self._client

    @property
    def prefix(self) -> str:
        return str(self.config.get("task_prefix") or self.experiment.name or "ax") + "-trial"

    # -- what a trial runs ---------------------------------------------------------------------

    def set_objective_function(self, objective_fn: Callable[..., Mapping[str, Any]]) -> None:
        """``objective_fn(**parameters)`` returns ``{metric: value}`` (or ``(mean, sem)``);
        it must be a module-level function: Allot runs it in its own process
        (the ``python`` job type)."""
        self._build = function_tasks(objective_fn, workdir=self.job_output_dir)

    def set_script_objective(self, script_path: str) -> None:
        """The script reads the trial's parameters from ``$JOB_PARAMS_FILE`` (``params.json``)
        and writes its metrics as JSON to ``result.json`` beside it (``$ALLOT_RESULT_FILE``)."""
        if not os.path.exists(script_path):
            raise ValueError(f"Script path '{script_path}' does not exist")
        self._build = script_tasks(script_path, workdir=self.job_output_dir)

    def set_container_objective(self, container_image: str,
                                container_command: Optional[str] = None,
                                engine: Optional[str] = None) -> None:
        """Runs ``container_command`` in ``container_image`` (podman by default); parameters
        in ``$JOB_PARAMS_FILE``, metrics written to ``$ALLOT_RESULT_FILE``."""
        self._build = container_tasks(container_image, container_command, engine,
                                      workdir=self.job_output_dir)

    def set_task_objective(self, build: TaskBuilder) -> None:
        """Allot's own: ``build(parameters, trial_index)`` returns the trial's task or a list
        of tasks (a small DAG); the last one's result holds the metrics."""
        self._build = build

    # -- trials --------------------------------------------------------------------------------

    def get_next_trial(self) -> Optional[int]:
        if self.ax_client is None:
            raise ValueError("An AxClient is required to generate new trials")
        try:
            _, index = self.ax_client.get_next_trial()
            return index
        except Exception as e:  # noqa: BLE001 - Ax: more data needed, parallelism reached
            if _is_wait_for_data(e):
                return None
            raise

    def run_trial(self, trial_index: int) -> int:
        """Submits the trial's task(s); with ``synchronous``, waits for it and completes it."""
        self.run_trials([trial_index])
        if self.synchronous:
            while trial_index in self.trials:
                self.monitor_trials()
                if trial_index in self.trials:
                    time.sleep(self.monitoring_interval)
        return trial_index

    def run_trials(self, indices: Sequence[int]) -> None:
        if self._build is None:
            raise ValueError("no objective: call set_objective_function, set_script_objective, "
                             "set_container_objective or set_task_objective first")
        tasks, ids = [], {}
        for i in indices:
            trial = self.experiment.trials[i]
            made = trial_tasks(self._build, _parameters(trial), i, self.prefix)
            ids[i] = [t["id"] for t in made]
            trial.update_run_metadata({"allot_tasks": ids[i],
                                       "allot_server": str(self.client.server_dir)})
            tasks += made
        self._autosave()  # before submitting: a driver restarted after this follows them
        _retry(self.client, lambda: submit_idempotent(self.client, tasks))
        self.trials.update(ids)

    def complete_trial(self, trial_index: int,
                       raw_data: Optional[Mapping[str, Any]] = None) -> None:
        if raw_data is None:
            ids = self.trials.get(trial_index) or \
                self.experiment.trials[trial_index].run_metadata.get("allot_tasks")
            raw_data = _metrics_of(self.client.task(ids[-1]).result, self._metric_names())
        if self.ax_client is not None:
            self.ax_client.complete_trial(trial_index=trial_index, raw_data=dict(raw_data))
        else:
            trial = self.experiment.trials[trial_index]
            self.experiment.attach_data(_data_frame(trial, raw_data))
            trial.mark_completed()
        self.trials.pop(trial_index, None)
        self._autosave()

    def fail_trial(self, trial_index: int, reason: str) -> None:
        """Tells Ax the trial FAILED, with ``reason`` (the trial's status reason and its
        run metadata's ``allot_reason``)."""
        trial = self.experiment.trials[trial_index]
        trial.update_run_metadata({"allot_reason": reason})
        try:
            trial.mark_failed(reason=reason)
        except TypeError:  # Ax 0.3: no reason
            trial.mark_failed()
        self.trials.pop(trial_index, None)
        self._autosave()

    def monitor_trials(self) -> None:
        """Completes or fails every trial in flight whose tasks ended."""
        def poll():
            for index, ids in list(self.trials.items()):
                state, reason = trial_state(self.client, ids)
                if state == "succeeded":
                    result = self.client.task(ids[-1]).result
                    try:
                        raw = _metrics_of(result, self._metric_names())
                    except ValueError as e:
                        self.fail_trial(index, f"{ids[-1]}: {e}")
                        continue
                    self.complete_trial(index, raw)
                    if self.cleanup_after_completion:
                        self._cleanup(ids)
                elif state == "failed":
                    self.fail_trial(index, reason)
        _retry(self.client, poll)

    def run_optimization(self, max_trials: int = 10) -> Any:
        """Runs trials until the experiment has ``max_trials`` (those a loaded experiment
        already has count), as many in flight as the runner allows; returns the best
        parameters (the Pareto-optimal ones for several objectives)."""
        if self.ax_client is None:
            raise ValueError("An AxClient is required to run optimization")
        n_parallel = 1 if self.synchronous else max(1, int(self.runner.n_parallel))
        while True:
            self.monitor_trials()
            total = len(self.experiment.trials)
            new = []
            while len(self.trials) + len(new) < n_parallel and total + len(new) < max_trials:
                index = self.get_next_trial()
                if index is None:
                    break
                new.append(index)
            if new:
                self.run_trials(new)
            if not self.trials and len(self.experiment.trials) >= max_trials:
                break
            if not self.trials and not new:
                raise AllotError("Ax proposes no trial and none is running: its generation "
                                 "strategy waits for data no trial will bring (failed trials?)",
                                 exit_code=1)
            time.sleep(self.monitoring_interval)
        return self.best()

    def best(self) -> Any:
        if self.is_multi_objective():
            return self.ax_client.get_pareto_optimal_parameters()
        best = self.ax_client.get_best_parameters()
        return best[0] if best else None

    def is_multi_objective(self) -> bool:
        config = self.experiment.optimization_config
        if hasattr(config, "is_moo_problem"):  # Ax 0.3 to 1.x
            return bool(config.is_moo_problem)
        objective = config.objective
        return len(getattr(objective, "objectives", [objective])) > 1

    @contextlib.contextmanager
    def batch_trial_context(self):
        """``with scheduler.batch_trial_context() as batch: batch.add_trial({...})``: the
        trials are attached to Ax, run together, and completed (or failed) on leaving."""
        batch = _TrialBatch(self)
        yield batch
        batch.run()

    # -- saving --------------------------------------------------------------------------------

    def save_experiment(self, path: str) -> None:
        """Saves the experiment (with the AxClient's generation strategy when there is one)
        as JSON; the trials' Allot tasks are in their run metadata."""
        if not path.endswith(".json"):
            path += ".json"
        if self.ax_client is not None:
            data = {"ax_client": self.ax_client.to_json_snapshot()}
        else:
            data = {"experiment": object_to_json(self.experiment)}
        tmp = path + ".tmp"
        with open(tmp, "w") as f:
            json.dump(data, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)

    def load_experiment(self, path: str) -> None:
        """Loads a saved experiment; its trials still RUNNING are followed again (their tasks
        ran on, or run again after a server restart), not asked anew."""
        with open(path) as f:
            data = json.load(f)
        if "ax_client" in data:
            self.ax_client = AxClient.from_json_snapshot(data["ax_client"])
            self.experiment = self.ax_client.experiment
        else:
            self.experiment = object_from_json(data.get("experiment", data))
            if self.ax_client is not None:
                self.ax_client._experiment = self.experiment
        self.trials = {}
        for index, trial in self.experiment.trials.items():
            ids = trial.run_metadata.get("allot_tasks")
            if trial.status == TrialStatus.RUNNING and ids:
                self.trials[index] = list(ids)
        self._resubmit_missing()

    # -- internals -----------------------------------------------------------------------------

    def _resubmit_missing(self) -> None:
        """Trials saved as running whose tasks the server never got (the driver died between
        saving and submitting) are submitted now."""
        if not self.trials or self._build is None:
            return
        for index, ids in list(self.trials.items()):
            try:
                self.client.status(ids)
            except NotFoundError:
                made = trial_tasks(self._build, _parameters(self.experiment.trials[index]),
                                   index, self.prefix)
                submit_idempotent(self.client, made)

    def _metric_names(self) -> list[str]:
        return list(self.experiment.metrics.keys())

    def _autosave(self) -> None:
        if self.experiment_file:
            self.save_experiment(self.experiment_file)

    def _cleanup(self, ids: Sequence[str]) -> None:
        import shutil
        for i in ids:
            shutil.rmtree(self.job_output_dir / i, ignore_errors=True)

    def close(self) -> None:
        self.runner.close()
        self._client = None


class _TrialBatch:
    def __init__(self, scheduler: AxScheduler):
        self.scheduler = scheduler
        self.parameters_list: list[dict] = []
        self.trial_indices: list[int] = []

    def add_trial(self, parameters: Mapping[str, Any]) -> None:
        self.parameters_list.append(dict(parameters))

    def run(self) -> None:
        s = self.scheduler
        if s.ax_client is None:
            raise ValueError("An AxClient is required to run a batch of trials")
        todo = self.parameters_list[len(self.trial_indices):]
        self.trial_indices += [s.ax_client.attach_trial(p)[1] for p in todo]
        s.run_trials(self.trial_indices[-len(todo):] if todo else [])
        while any(i in s.trials for i in self.trial_indices):
            s.monitor_trials()
            if any(i in s.trials for i in self.trial_indices):
                time.sleep(s.monitoring_interval)


# ---------------------------------------------------------------------------------------------
# Trial tasks
# ---------------------------------------------------------------------------------------------

def function_tasks(fn: Callable[..., Any], *, workdir: Optional[os.PathLike] = None,
                   cores: int = 1) -> TaskBuilder:
    """A trial as one ``python`` task calling ``fn(**parameters)`` in its own process."""
    module, function = _importable(fn)
    env = _python_env()

    def build(parameters: dict, index: int) -> dict:
        t = {"python": {"module": module, "function": function}, "params": parameters,
             "cores": cores, "env": env}
        if workdir is not None:
            t["workdir"] = str(workdir)
        return t
    return build


def script_tasks(path: str, *, workdir: Optional[os.PathLike] = None,
                 cores: int = 1) -> TaskBuilder:
    """A trial as one ``script`` task: parameters in ``$JOB_PARAMS_FILE``."""
    script = os.path.abspath(path)

    def build(parameters: dict, index: int) -> dict:
        t = {"script": script, "params": parameters, "cores": cores, "env": _python_env()}
        if workdir is not None:
            t["workdir"] = str(workdir)
        return t
    return build


def container_tasks(image: str, command: Optional[str] = None, engine: Optional[str] = None, *,
                    workdir: Optional[os.PathLike] = None, cores: int = 1) -> TaskBuilder:
    """A trial as one ``container`` task: parameters in ``$JOB_PARAMS_FILE``."""
    def build(parameters: dict, index: int) -> dict:
        c: dict[str, Any] = {"image": image}
        if command:
            c["command"] = command
        if engine:
            c["engine"] = engine
        t = {"container": c, "params": parameters, "cores": cores}
        if workdir is not None:
            t["workdir"] = str(workdir)
        return t
    return build


def trial_state(client: Client, ids: Sequence[str]) -> tuple[str, str]:
    """``running``, ``succeeded`` (all tasks did) or ``failed`` (one failed, was canceled or
    skipped, and none still runs), with the reason."""
    if not ids:
        return "failed", "no Allot task"
    try:
        infos = client.status(list(ids))
    except NotFoundError:
        return "running", ""  # not yet submitted again after a restart
    if any(i.state not in FINAL for i in infos):
        return "running", ""
    bad = [i for i in infos if i.state != "succeeded"]
    if not bad:
        return "succeeded", ""
    i = bad[0]
    why = i.why or (f"exit code {i.exit_code}" if i.exit_code is not None else "")
    return "failed", f"{i.id} {i.state}: {why}" if why else f"{i.id} {i.state}"


def metric_value(result: Any, key: str) -> tuple[float, float]:
    """(mean, sem) of ``result[key]``: a number, ``{"mean"|"value": m, "sem": s}`` or
    ``[m, s]``; sem is NaN (unknown) when not given. ValueError naming what is wrong."""
    if not isinstance(result, Mapping):
        raise ValueError(f"its result {result!r} is not a JSON object with {key!r}")
    if key not in result:
        raise ValueError(f"its result has no {key!r} (it has {sorted(result)})")
    v = result[key]
    mean, sem = v, float("nan")
    if isinstance(v, Mapping):
        mean, sem = v.get("mean", v.get("value")), v.get("sem", float("nan"))
    elif isinstance(v, (list, tuple)) and len(v) == 2:
        mean, sem = v
    if not _finite(mean):
        raise ValueError(f"its result's {key!r} is {v!r}, not a finite number")
    return float(mean), float("nan") if sem is None else float(sem)


def metric_data(trial: "BaseTrial", metric: "Metric", mean: float, sem: float) -> "Data":
    row = {"arm_name": trial.arm.name, "metric_name": metric.name, "mean": mean, "sem": sem,
           "trial_index": trial.index}
    if "metric_signature" in _data_columns():
        row["metric_signature"] = getattr(metric, "signature", metric.name)
    return Data(df=pd.DataFrame([row]))


def _data_frame(trial, raw: Mapping[str, Any]) -> "Data":
    rows = []
    for name, v in raw.items():
        mean, sem = (v if isinstance(v, tuple) else (v, float("nan")))
        row = {"arm_name": trial.arm.name, "metric_name": name, "mean": mean, "sem": sem,
               "trial_index": trial.index}
        if "metric_signature" in _data_columns():
            row["metric_signature"] = name
        rows.append(row)
    return Data(df=pd.DataFrame(rows))


def _data_columns() -> set:
    cols = getattr(Data, "REQUIRED_COLUMNS", None) or getattr(Data, "required_columns", None)
    if callable(cols):
        cols = cols()
    return set(cols or ())


def _metrics_of(result: Any, names: Sequence[str]) -> dict[str, Any]:
    """The experiment's metrics from a trial's result: ``{name: mean}``, or ``(mean, sem)``
    where the result gives a sem. ValueError naming a missing or non-number metric."""
    out: dict[str, Any] = {}
    for name in names or (list(result) if isinstance(result, Mapping) else []):
        mean, sem = metric_value(result, name)
        out[name] = mean if math.isnan(sem) else (mean, sem)
    return out


def _parameters(trial: "BaseTrial") -> dict:
    return dict(trial.arm.parameters)


def _importable(fn: Callable[..., Any]) -> tuple[str, str]:
    qualname = getattr(fn, "__qualname__", "")
    if not qualname or "<lambda>" in qualname or "<locals>" in qualname:
        raise ValueError(f"{fn!r} must be a function defined at the top level of a module: "
                         "Allot runs it in its own process (the python job type)")
    module = sys.modules.get(fn.__module__)
    path = getattr(module, "__file__", None) or inspect.getsourcefile(fn)
    if fn.__module__ != "__main__" and _importable_by_name(fn.__module__):
        return fn.__module__, qualname
    if not path:
        raise ValueError(f"{fn!r}: cannot find the file it is defined in")
    return os.path.abspath(path), qualname


def _importable_by_name(module: str) -> bool:
    """A module found by name from the worker's python too (installed, not a local file)."""
    m = sys.modules.get(module)
    path = getattr(m, "__file__", "") or ""
    return "site-packages" in path or "dist-packages" in path


def _python_env() -> dict:
    """This interpreter's directory first on PATH: the task's python3 is the driver's (a
    venv's, with Ax and numpy), wherever the worker runs with the same file system."""
    return {"PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")}


def _finite(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _is_wait_for_data(e: Exception) -> bool:
    names = {c.__name__ for c in type(e).__mro__}
    return bool(names & {"MaxParallelismReachedException", "DataRequiredError",
                         "GenerationStrategyCompleted", "OptimizationComplete"})


def _retry(client: Client, call: Callable[[], Any]) -> Any:
    """Calls ``call``, waiting out a server that cannot be reached for client.reconnect s."""
    return client._retrying(call)
