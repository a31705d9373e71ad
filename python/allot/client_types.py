"""What a cluster-mode server reports, as the Client hands it out: tasks, attempts, events,
wait results, workers, log chunks, and the results of Client.run."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Optional, Union

from .errors import AllotError, TasksFailedError
from .results import FINAL_STATES

if TYPE_CHECKING:
    from .client import Client


PathLike = Union[str, "os.PathLike[str]"]
Refs = Union[str, Iterable[str], None]


# What the server reports -----------------------------------------------------------------------

def _split(cls, obj: Mapping[str, Any], renames: Optional[Mapping[str, str]] = None):
    """Keyword arguments for dataclass ``cls`` from a JSON object: known keys (renamed where the
    JSON name is a Python keyword), the rest in ``extra``."""
    renames = renames or {}
    names = {f.name for f in dataclasses.fields(cls)} - {"extra"}
    known: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for key, value in obj.items():
        name = renames.get(key, key)
        if name in names:
            if value is not None or name not in ("why", "reason", "command"):
                known[name] = value
        else:
            extra[key] = value
    return known, extra


@dataclass(frozen=True)
class TaskInfo:
    """One task as the server reports it (``GET /api/v1/tasks``).

    ``attempt`` is the number of the current (last) attempt, 0 before the first start;
    ``execution`` is ``"<id>@<attempt>"`` (None before the first start); ``worker`` the worker
    it runs on (None unless running or paused); ``exit_code`` the last attempt's, once it ended
    (negative: killed by that signal); ``why`` why it is not running (waiting for what)."""

    id: str
    state: str
    attempt: int = 0
    execution: Optional[str] = None
    worker: Optional[str] = None
    exit_code: Optional[int] = None
    why: str = ""
    priority: int = 0
    cores: int = 1
    extra: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]):
        known, extra = _split(cls, obj)
        # The server reports a signal apart (exit_code null, signal N); here it stays -N.
        if known.get("exit_code") is None and extra.get("signal"):
            known["exit_code"] = -int(extra["signal"])
        return cls(**known, extra=extra)

    @property
    def finished(self) -> bool:
        """True once the task is in a state it does not leave."""
        return self.state in FINAL_STATES

    @property
    def succeeded(self) -> bool:
        return self.state == "succeeded"


@dataclass(frozen=True)
class Attempt:
    """One attempt of a task (``GET /api/v1/tasks/{ref}``): where and when it ran, how it
    ended. ``state`` is ``running`` while it runs."""

    attempt: int
    execution: str = ""
    worker: Optional[str] = None
    state: str = ""
    started_us: Optional[int] = None
    ended_us: Optional[int] = None
    exit_code: Optional[int] = None
    signal: Optional[int] = None
    wall_s: Optional[float] = None
    cpu_s: Optional[float] = None
    max_rss: Optional[int] = None
    cores: Optional[list[int]] = None
    reason: str = ""
    extra: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> "Attempt":
        known, extra = _split(cls, obj)
        return cls(**known, extra=extra)


@dataclass(frozen=True)
class Event:
    """One state change from the server's event stream (``GET /api/v1/events``).

    ``seq`` orders all events of the server; ``from_`` and ``to`` are the states (the JSON
    names ``"from"``/``"to"`` work too: ``event["from"]``); ``exit_code``, ``signal`` and
    ``wall_s`` are set when an attempt ended."""

    seq: int
    task: str
    to: str
    from_: str = ""
    attempt: int = 0
    execution: Optional[str] = None
    time_us: Optional[int] = None
    exit_code: Optional[int] = None
    signal: Optional[int] = None
    reason: str = ""
    worker: Optional[str] = None
    wall_s: Optional[float] = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> "Event":
        known, extra = _split(cls, obj, {"from": "from_"})
        return cls(**known, extra=extra)

    def __getitem__(self, key: str) -> Any:
        """The event's fields by their JSON names (``event["from"]``, ``event["seq"]``)."""
        if key == "from":
            return self.from_
        if key != "extra" and key in {f.name for f in dataclasses.fields(self)}:
            return getattr(self, key)
        return self.extra[key]

    @property
    def finished(self) -> bool:
        """True when the task reached a state it does not leave."""
        return self.to in FINAL_STATES


@dataclass(frozen=True)
class Metric:
    """One intermediate metric a running task reported (``allot metric NAME VALUE --step N``,
    or a JSON line in ``$ALLOT_METRICS_FILE``), as journaled. ``metric_seq`` orders the
    server's metrics (its own sequence, not the events')."""

    metric_seq: int
    task: str
    metric: str
    value: float
    attempt: int = 0
    step: Optional[int] = None
    time_us: Optional[int] = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def name(self) -> str:
        return self.metric

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> "Metric":
        known, extra = _split(cls, obj, {})
        return cls(**known, extra=extra)


@dataclass(frozen=True)
class TaskDetail(TaskInfo):
    """A task with its command, tags, dependencies, attempts and events
    (``GET /api/v1/tasks/{ref}``)."""

    command: str = ""
    tags: dict[str, Any] = field(default_factory=dict)
    depends_on: list[str] = field(default_factory=list)
    attempts: list[Attempt] = field(default_factory=list)
    events: list[Event] = field(default_factory=list, repr=False)
    #: What the task returned (its ``$ALLOT_RESULT_FILE``, JSON); None when nothing.
    result: Any = None

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> "TaskDetail":
        known, extra = _split(cls, obj)
        known["attempts"] = [Attempt.from_json(a) for a in known.get("attempts") or []]
        known["events"] = [Event.from_json(e) for e in known.get("events") or []]
        known["tags"] = dict(known.get("tags") or {})
        known["depends_on"] = list(known.get("depends_on") or [])
        return cls(**known, extra=extra)


class TaskList(list):
    """The tasks :meth:`Client.status` lists (a list of :class:`TaskInfo`), with the server's
    ``counts`` (tasks per state, over all its tasks)."""

    def __init__(self, tasks: Iterable[TaskInfo] = (), counts: Optional[Mapping[str, int]] = None):
        super().__init__(tasks)
        self.counts: dict[str, int] = dict(counts or {})

    def by_id(self) -> dict[str, TaskInfo]:
        return {t.id: t for t in self}

    def ids(self, state: Optional[str] = None) -> list[str]:
        """The ids of the listed tasks, or of those in ``state``."""
        return [t.id for t in self if state is None or t.state == state]


@dataclass(frozen=True)
class Unsuccessful:
    """A task that ended without succeeding, as ``/wait`` lists it."""

    id: str
    state: str
    exit_code: Optional[int] = None
    reason: str = ""
    extra: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> "Unsuccessful":
        known, extra = _split(cls, obj)
        return cls(**known, extra=extra)


@dataclass(frozen=True)
class WaitResult:
    """What :meth:`Client.wait` found: ``done`` (every task waited for is finished), the
    server's ``counts`` per state, and the finished tasks that did not succeed."""

    done: bool
    counts: dict[str, int]
    unsuccessful: list[Unsuccessful]

    @property
    def ok(self) -> bool:
        """True when every task waited for succeeded."""
        return self.done and not self.unsuccessful

    @property
    def summary(self) -> dict[str, Any]:
        return {"done": self.done, "counts": self.counts,
                "unsuccessful": [{"id": u.id, "state": u.state, "exit_code": u.exit_code,
                                  "reason": u.reason} for u in self.unsuccessful]}

    def check(self) -> "WaitResult":
        """Raises TasksFailedError when a task did not succeed; returns self otherwise."""
        if self.unsuccessful:
            raise TasksFailedError(_failed_message(
                [(u.id, u.state, u.exit_code, u.reason) for u in self.unsuccessful]),
                exit_code=1, result=self)
        return self


@dataclass(frozen=True)
class WorkerInfo:
    """One worker (``GET /api/v1/workers``); ``state`` is active, draining, lost or gone."""

    id: int
    name: str
    host: str = ""
    state: str = ""
    cores: int = 0
    free_cores: int = 0
    memory: int = 0
    gpus: int = 0
    running: int = 0
    pid: Optional[int] = None
    joined_us: Optional[int] = None
    last_seen_us: Optional[int] = None
    reason: str = ""
    extra: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> "WorkerInfo":
        known, extra = _split(cls, obj)
        return cls(**known, extra=extra)


@dataclass(frozen=True)
class LogChunk:
    """Bytes of a task's output from ``offset``, the offset after them, and the task's state
    when they were read (everything the task wrote is in the file once it is finished)."""

    data: bytes
    next_offset: int
    state: str


@dataclass(frozen=True)
class TaskResult:
    """A task that ended, as :meth:`Client.run` hands it to its callbacks.

    ``state`` is succeeded, failed, canceled or skipped; ``exit_code`` is the last attempt's
    (negative: killed by that signal; None when it never ran). ``stdout()`` and ``stderr()``
    read its output from the server."""

    id: str
    state: str
    exit_code: Optional[int] = None
    signal: Optional[int] = None
    attempt: int = 0
    execution: Optional[str] = None
    reason: str = ""
    seq: Optional[int] = None
    client: Optional["Client"] = field(default=None, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        return self.state == "succeeded"

    def stdout(self) -> str:
        """What the task's last attempt wrote on its standard output."""
        return self._client().log(self.id, "stdout")

    def stderr(self) -> str:
        return self._client().log(self.id, "stderr")

    def detail(self) -> TaskDetail:
        """The task with its attempts (:meth:`Client.task`)."""
        return self._client().task(self.id)

    def _client(self) -> "Client":
        if self.client is None:
            raise AllotError(f"task '{self.id}': this result has no client to read from")
        return self.client


@dataclass
class RunSummary:
    """What :meth:`Client.run` / :meth:`Client.watch` followed: ``results`` maps each task id
    to its :class:`TaskResult` in the order the tasks ended; ``submitted`` lists the ids in the
    order they were submitted (the first submission's, then each callback's); ``callbacks``
    counts the callback calls."""

    results: dict[str, TaskResult] = field(default_factory=dict)
    submitted: list[str] = field(default_factory=list)
    callbacks: int = 0

    @property
    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for r in self.results.values():
            out[r.state] = out.get(r.state, 0) + 1
        return out

    @property
    def done(self) -> bool:
        return all(i in self.results for i in self.submitted)

    @property
    def unsuccessful(self) -> list[TaskResult]:
        return [r for r in self.results.values() if not r.ok]

    @property
    def ok(self) -> bool:
        """True when every task followed ended and succeeded."""
        return self.done and not self.unsuccessful

    @property
    def summary(self) -> dict[str, Any]:
        return {"counts": self.counts,
                "unsuccessful": [{"id": r.id, "state": r.state, "exit_code": r.exit_code,
                                  "reason": r.reason} for r in self.unsuccessful]}

    def __getitem__(self, task_id: str) -> TaskResult:
        return self.results[task_id]

    def __len__(self) -> int:
        return len(self.results)

    def check(self) -> "RunSummary":
        """Raises TasksFailedError when a task did not succeed; returns self otherwise."""
        bad = self.unsuccessful
        if bad:
            raise TasksFailedError(_failed_message(
                [(r.id, r.state, r.exit_code, r.reason) for r in bad]), exit_code=1, result=self)
        return self


def _failed_message(bad: list[tuple]) -> str:
    parts = []
    for task_id, state, exit_code, reason in bad[:5]:
        detail = state + (f", exit {exit_code}" if exit_code is not None and state == "failed"
                          else "") + (f": {reason}" if reason else "")
        parts.append(f"{task_id} ({detail})")
    more = f" and {len(bad) - 5} more" if len(bad) > 5 else ""
    return f"{len(bad)} task(s) did not succeed: " + ", ".join(parts) + more
