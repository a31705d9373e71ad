"""Exceptions raised by the allot client.

Every exception derives from :class:`AllotError`. The exit codes they stand for are the ones of
the ``allot`` binary: 1 some task did not succeed, 2 bad input (nothing was run or changed),
3 internal failure, 128+N stopped by signal N.
"""

from __future__ import annotations

import json
import signal as _signal
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Optional

if TYPE_CHECKING:  # pragma: no cover
    from .results import RunResult

EXIT_OK = 0
EXIT_TASKS_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_INTERNAL = 3


class AllotError(Exception):
    """Base class of every error of this package.

    ``exit_code`` is allot's exit status where one exists, ``stderr`` what allot wrote on its
    standard error, ``args_used`` the command line that ran.
    """

    def __init__(self, message: str, *, exit_code: Optional[int] = None, stderr: str = "",
                 command: Optional[list[str]] = None, result: Optional["RunResult"] = None,
                 http_status: Optional[int] = None, problems: Optional[list[str]] = None):
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code
        self.stderr = stderr
        self.command = list(command) if command else []
        #: The :class:`~allot.RunResult` of the run, when the error comes from one (for a
        #: server :class:`~allot.Client`: the WaitResult or RunSummary so far).
        self.result = result
        #: From a server: the HTTP status of its answer (None when there was no answer).
        self.http_status = http_status
        #: From a server: its ``problems`` list, one ``file:line: ...`` line per problem.
        self.problems: list[str] = list(problems) if problems else []


class BinaryNotFoundError(AllotError, FileNotFoundError):
    """No ``allot`` executable was found (see :func:`allot.find_binary`)."""


@dataclass(frozen=True)
class Diagnostic:
    """One problem allot reported about its input, as allot sent it: a server's ``diagnostics``
    or the lines of ``allot run --diagnostics-json``, never parsed back out of text. ``text``
    is the line allot prints, such as
    ``tasks.json:8: task 'b': field 'coers': unknown field (did you mean 'cores'?)``;
    ``message`` is its last part. Parts allot does not know are None.

    For a task file this package wrote from the user's tasks, ``file`` and ``line`` are where
    the user's code made the task (the ``Task(...)``, or for a task dict the ``run()`` or
    ``submit()`` call) and ``text`` cites that line; ``generated_file`` and ``generated_line``
    are the place in the generated file allot reported (None otherwise)."""

    text: str
    file: Optional[str] = None
    line: Optional[int] = None
    task: Optional[str] = None
    field: Optional[str] = None
    message: str = ""
    column: Optional[int] = None
    generated_file: Optional[str] = None
    generated_line: Optional[int] = None

    @classmethod
    def from_json(cls, obj: Any) -> "Diagnostic":
        """From allot's JSON form ``{file, line, column, task, field, message, text}``;
        anything else becomes a Diagnostic with only a message."""
        if not isinstance(obj, dict):
            text = obj if isinstance(obj, str) else json.dumps(obj)
            return cls(text=text, message=text)

        def string(key: str) -> Optional[str]:
            value = obj.get(key)
            return value if isinstance(value, str) and value else None

        def number(key: str) -> Optional[int]:
            value = obj.get(key)
            ok = isinstance(value, int) and not isinstance(value, bool) and value > 0
            return value if ok else None

        message = string("message") or ""
        return cls(text=string("text") or message, file=string("file"), line=number("line"),
                   task=string("task"), field=string("field"), message=message,
                   column=number("column"))

    @classmethod
    def from_text(cls, text: str) -> "Diagnostic":
        """A problem allot reported without a place (a bad flag, an older allot): the line as
        it is, in ``text`` and ``message``."""
        return cls(text=text, message=text)


def read_diagnostics(lines: str) -> list[Diagnostic]:
    """The diagnostics of ``--diagnostics-json`` output: one JSON object per line (blank or
    unreadable lines are skipped)."""
    out = []
    for line in lines.splitlines():
        if not line.strip():
            continue
        try:
            out.append(Diagnostic.from_json(json.loads(line)))
        except ValueError:
            continue
    return out


class BadInputError(AllotError, ValueError):
    """allot refused its input (exit 2): a malformed task file, an unknown field, a cycle, a
    request larger than the machine, a bad flag, an existing journal without ``resume=True``,
    an unknown task id. Nothing was run or changed.

    ``str(error)`` is allot's own message, which names the file, line, task and field;
    ``diagnostics`` has one :class:`Diagnostic` per problem, with file, line, column, task and
    field as allot sent them (a server's ``diagnostics``, ``allot run --diagnostics-json``).
    Where allot sent none (a bad flag, an unknown id), each line of its message is one
    Diagnostic with only ``text`` and ``message``.
    """

    def __init__(self, message: str, *, diagnostics: Optional[list[Diagnostic]] = None,
                 **kwargs):
        super().__init__(message, **kwargs)
        if not diagnostics:
            source = "\n".join(self.problems) if self.problems else (self.stderr or message)
            diagnostics = [Diagnostic.from_text(line.strip()) for line in source.splitlines()
                           if line.strip()]
        self.diagnostics: list[Diagnostic] = list(diagnostics)


class NotFoundError(BadInputError, LookupError):
    """The server knows no such task, execution or worker (HTTP 404). Nothing was changed."""


class ConflictError(BadInputError):
    """The server cannot do that in the task's current state (HTTP 409): pausing a task that
    is not running, skipping one that has started, naming an attempt that is not the current
    one. Nothing was changed (control requests are all or nothing)."""


class AuthenticationError(AllotError, PermissionError):
    """The server refused the bearer token (HTTP 401), or the access file cannot be read."""


class ServerUnavailableError(AllotError, ConnectionError):
    """No allot server answers: no access file, connection refused, no answer in time, or the
    server is stopping (HTTP 503). The message names the URL and the access file."""


class WaitTimeoutError(AllotError, TimeoutError):
    """A wait (``Client.wait``, ``Client.run``, ``Client.watch``) ran past its timeout; the
    tasks go on. ``result`` is where things stood (a WaitResult, or the RunSummary so far)."""


class TasksFailedError(AllotError):
    """The campaign ended but not every task succeeded (exit 1), raised with ``check=True``.
    ``unsuccessful`` lists ``{"id", "state", "reason"}`` for each such task."""

    @property
    def unsuccessful(self) -> list[dict]:
        if self.result is None or not self.result.summary:
            return []
        return list(self.result.summary.get("unsuccessful", []))


class InternalError(AllotError):
    """allot failed itself (exit 3): the journal could not be written, or the like."""


class RunInterruptedError(AllotError):
    """allot stopped on a signal (exit 128+N) before the campaign finished, raised with
    ``check=True``. Running tasks were stopped and journaled; ``allot.run(...,
    resume=True)`` continues the campaign. ``signal`` is the :class:`signal.Signals`."""

    def __init__(self, message: str, *, signal: int, **kwargs):
        super().__init__(message, **kwargs)
        try:
            self.signal = _signal.Signals(signal)
        except ValueError:
            self.signal = signal


def error_for_exit(exit_code: int, *, what: str, stderr: str, command: list[str],
                   result: Optional["RunResult"] = None,
                   diagnostics: Optional[list[Diagnostic]] = None) -> Optional[AllotError]:
    """The exception standing for an allot exit status, or None for 0. ``diagnostics``: what
    allot wrote with ``--diagnostics-json``, for bad input."""
    detail = stderr.strip()
    kwargs = dict(exit_code=exit_code, stderr=stderr, command=command, result=result)
    if exit_code == EXIT_OK:
        return None
    if exit_code == EXIT_BAD_INPUT:
        return BadInputError(detail or f"{what}: bad input (exit 2)", diagnostics=diagnostics,
                             **kwargs)
    if exit_code == EXIT_TASKS_FAILED:
        bad = []
        if result is not None and result.summary:
            bad = [f"{u.get('id')} ({u.get('state')}: {u.get('reason')})"
                   for u in result.summary.get("unsuccessful", [])]
        msg = f"{what}: {len(bad)} task(s) did not succeed"
        if bad:
            msg += ": " + ", ".join(bad[:5]) + (f" and {len(bad) - 5} more" if len(bad) > 5 else "")
        return TasksFailedError(msg, **kwargs)
    if exit_code == EXIT_INTERNAL:
        return InternalError(f"{what}: internal failure (exit 3)" + (f": {detail}" if detail else ""),
                             **kwargs)
    if exit_code > 128:
        sig = exit_code - 128
        try:
            name = _signal.Signals(sig).name
        except ValueError:
            name = f"signal {sig}"
        return RunInterruptedError(
            f"{what}: stopped by {name} (exit {exit_code}); resume=True continues the campaign",
            signal=sig, **kwargs)
    return AllotError(f"{what}: exit status {exit_code}" + (f": {detail}" if detail else ""),
                      **kwargs)
