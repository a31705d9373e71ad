"""What allot reports: a task's status, a campaign's status, the result of a run.

The status classes are built from the JSON of ``allot status --json`` by ``from_json``, which
keeps keys it does not know in ``extra``, so the same classes serve a later server API.
"""

from __future__ import annotations

import dataclasses
import signal as _signal
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Mapping, Optional, Sequence

from .errors import error_for_exit

#: Task states, as allot names them.
STATES = ("waiting", "ready", "running", "paused", "preempted", "lost", "succeeded", "failed",
          "canceled", "skipped", "held")
#: States a task does not leave.
FINAL_STATES = frozenset({"succeeded", "failed", "canceled", "skipped"})


@dataclass(frozen=True)
class TaskStatus:
    """One task as ``allot status --json`` reports it. ``exit_code``, ``signal`` and
    ``timed_out`` describe the last attempt; the times add up all attempts. ``reason`` says why
    a task is not running (waiting for what, why it failed)."""

    id: str
    state: str
    attempts: int = 0
    exit_code: Optional[int] = None
    signal: Optional[int] = None
    timed_out: bool = False
    reason: str = ""
    wall_seconds: float = 0.0
    cpu_seconds: float = 0.0
    max_rss_bytes: int = 0
    #: What the task returned (its ``$ALLOT_RESULT_FILE``), when asked for by id; else None.
    result: Any = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> "TaskStatus":
        names = {f.name for f in dataclasses.fields(cls)} - {"extra"}
        known = {k: v for k, v in obj.items() if k in names and v is not None}
        return cls(**known, extra={k: v for k, v in obj.items() if k not in names})

    @property
    def succeeded(self) -> bool:
        return self.state == "succeeded"

    @property
    def finished(self) -> bool:
        """True once the task is in a state it does not leave."""
        return self.state in FINAL_STATES


@dataclass(frozen=True)
class CampaignStatus:
    """Where a campaign stands: its tasks (all of them, or those asked for), the number of
    tasks in each state, and the total number of tasks. Indexable by task id."""

    tasks: list[TaskStatus]
    counts: dict[str, int]
    total: int
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @classmethod
    def from_json(cls, obj: Mapping[str, Any]) -> "CampaignStatus":
        tasks = [TaskStatus.from_json(t) for t in obj.get("tasks", [])]
        counts = {k: int(v) for k, v in dict(obj.get("counts", {})).items()}
        total = int(obj.get("total", len(tasks)))
        extra = {k: v for k, v in obj.items() if k not in ("tasks", "counts", "total")}
        return cls(tasks=tasks, counts=counts, total=total, extra=extra)

    def __getitem__(self, task_id: str) -> TaskStatus:
        for t in self.tasks:
            if t.id == task_id:
                return t
        raise KeyError(task_id)

    def get(self, task_id: str, default: Optional[TaskStatus] = None) -> Optional[TaskStatus]:
        try:
            return self[task_id]
        except KeyError:
            return default

    def __iter__(self) -> Iterator[TaskStatus]:
        return iter(self.tasks)

    def __len__(self) -> int:
        return len(self.tasks)

    def __contains__(self, task_id: object) -> bool:
        return any(t.id == task_id for t in self.tasks)

    @property
    def allot_running(self) -> Optional[bool]:
        """Whether an ``allot run`` drives the campaign now; None when its journal has no
        ``allot run`` lock to ask (a server's). False while tasks show ``running`` means they
        were interrupted (``allot run`` was killed): ``resume`` says how to go on."""
        return self.extra.get("allot_running")

    @property
    def resume(self) -> Optional[str]:
        """The command that continues an interrupted campaign (see ``allot_running``)."""
        return self.extra.get("resume")

    def ids(self, state: Optional[str] = None) -> list[str]:
        """The ids of the listed tasks, or of those in ``state``."""
        return [t.id for t in self.tasks if state is None or t.state == state]

    @property
    def finished(self) -> bool:
        """True when every task of the campaign is in a final state."""
        return sum(self.counts.get(s, 0) for s in FINAL_STATES) == self.total


@dataclass
class RunResult:
    """The outcome of one ``allot run``.

    ``exit_code``: 0 every task succeeded, 1 some did not, 3 internal failure, 128+N stopped by
    signal N (bad input, 2, raises :class:`~allot.BadInputError` instead of returning).
    ``summary`` is ``<workdir>/summary.json`` as a dict (None where allot wrote none);
    ``stdout``/``stderr`` are what allot itself printed.
    """

    exit_code: int
    workdir: Path
    db: Path
    summary: Optional[dict[str, Any]]
    stdout: str
    stderr: str
    command: list[str]
    task_file: Optional[Path] = None
    cwd: Optional[Path] = None
    binary: Optional[str] = None

    @property
    def ok(self) -> bool:
        """True when every task succeeded."""
        return self.exit_code == 0

    @property
    def unsuccessful(self) -> list[dict[str, Any]]:
        """``{"id", "state", "reason"}`` for each task that failed, was skipped or canceled."""
        return list((self.summary or {}).get("unsuccessful", []))

    @property
    def interrupted_by(self) -> Optional[_signal.Signals]:
        """The signal that stopped allot before the campaign finished, else None."""
        if self.exit_code > 128:
            try:
                return _signal.Signals(self.exit_code - 128)
            except ValueError:
                return None
        return None

    def check(self) -> "RunResult":
        """Raises the error standing for the exit status (TasksFailedError for 1, ...); returns
        self when every task succeeded."""
        err = error_for_exit(self.exit_code, what="allot run", stderr=self.stderr,
                             command=self.command, result=self)
        if err is not None:
            raise err
        return self

    def task_dir(self, task_id: str) -> Path:
        """``<workdir>/<task id>``: where the task's stdout and stderr are."""
        if not task_id or "/" in task_id or task_id in (".", ".."):
            raise ValueError(f"not a task id: {task_id!r}")
        return self.workdir / task_id

    def output(self, task_id: str, *, stream: str = "stdout",
               attempt: Optional[int] = None) -> str:
        """What the task wrote on ``stream`` (``"stdout"`` or ``"stderr"``) in its last attempt,
        or in ``attempt`` (1-based). FileNotFoundError if it has no such output (it never
        started, or the id is unknown)."""
        if stream not in ("stdout", "stderr"):
            raise ValueError(f"stream must be 'stdout' or 'stderr', got {stream!r}")
        path = self.task_dir(task_id) / stream
        if attempt is not None:
            # Earlier attempts are kept as stdout.1, stdout.2, ...; the last one is stdout.
            numbered = path.with_name(f"{stream}.{attempt}")
            if numbered.exists():
                path = numbered
            elif not (attempt >= 1 and self.status([task_id])[task_id].attempts == attempt):
                raise FileNotFoundError(f"task '{task_id}' has no {stream} of attempt {attempt}")
        try:
            return path.read_text(errors="replace")
        except FileNotFoundError:
            raise FileNotFoundError(
                f"no {stream} for task '{task_id}' at {path} (never started, or not a task of "
                f"this campaign)") from None

    def status(self, ids: Optional[Sequence[str]] = None) -> CampaignStatus:
        """The campaign's status from its journal (``allot status --json``)."""
        from .local import status

        return status(db=self.db, ids=ids, binary=self.binary, cwd=self.cwd)

    def __repr__(self) -> str:
        counts = ""
        if self.summary:
            counts = ", " + ", ".join(f"{k}={self.summary.get(k)}" for k in
                                      ("tasks", "succeeded", "failed", "skipped", "canceled",
                                       "unfinished"))
        return f"RunResult(exit_code={self.exit_code}, workdir='{self.workdir}'{counts})"


__all__ = ["CampaignStatus", "FINAL_STATES", "RunResult", "STATES", "TaskStatus"]
