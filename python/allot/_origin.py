"""Where the user's code made each task of a task file this package generated, so that allot's
messages about that file (``w.tasks.json:9: task 'b': field 'coers': ...``) cite the user's
line (``sweep.py:14: ...``) instead, keeping the generated file's line at the end."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from types import FrameType
from typing import Any, Optional

from .errors import BadInputError, Diagnostic

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep

#: (file, line) of a place in the user's code.
Origin = tuple[str, int]


def caller_origin(frame: Optional[FrameType] = None) -> Optional[Origin]:
    """The innermost frame outside this package, from ``frame`` (default: the caller's) out:
    the user's line that led here."""
    frame = frame if frame is not None else sys._getframe(1)
    while frame is not None:
        filename = frame.f_code.co_filename
        if not os.path.abspath(filename).startswith(_PACKAGE_DIR):
            return filename, frame.f_lineno
        frame = frame.f_back
    return None


def task_origins(tasks: Iterable[Any], call: Optional[Origin]) -> list[Optional[Origin]]:
    """The origin of each task: where a :class:`~allot.Task` was made, else (a task dict) the
    call that submitted it."""
    return [getattr(t, "_origin", None) or call for t in tasks]


def _task_line_ranges(text: str) -> list[tuple[int, int]]:
    """The 1-based line ranges of the elements of ``"tasks"`` in a document written by
    :func:`allot.dumps` (indent 2: each task opens with ``    {`` and closes with ``    }``)."""
    ranges: list[tuple[int, int]] = []
    in_tasks = False
    start = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if not in_tasks:
            in_tasks = line.startswith('  "tasks": [')
            continue
        if line == "    {":
            start = number
        elif line in ("    }", "    },") and start:
            ranges.append((start, number))
            start = 0
        elif line.startswith("  ]"):
            break
    return ranges


@dataclass(frozen=True)
class GeneratedFile:
    """A task file this package wrote from the user's tasks: ``name`` is how allot cites it;
    ``origins[i]`` is where task i of ``"tasks"`` came from; ``call`` is the call that
    submitted the lot (for lines outside any task, such as ``defaults``)."""

    name: str
    text: str
    origins: list[Optional[Origin]]
    call: Optional[Origin]

    def origin_of_line(self, line: int) -> Optional[Origin]:
        for (first, last), origin in zip(_task_line_ranges(self.text), self.origins):
            if first <= line <= last:
                return origin or self.call
        return self.call

    def _cites(self, name: str) -> bool:
        return name == self.name or os.path.abspath(name) == os.path.abspath(self.name)

    def relocate_text(self, text: str) -> str:
        """``<name>:<line>[:<col>]: rest`` as ``<user file>:<user line>: rest [<name>:<line>]``;
        any other text as it is."""
        m = re.match(r"^(.*?):(\d+)(?::\d+)?: (.*)$", text, re.S)
        if not m or not self._cites(m.group(1)):
            return text
        origin = self.origin_of_line(int(m.group(2)))
        if origin is None:
            return text
        generated = f"{os.path.basename(self.name)}:{m.group(2)}"
        return f"{origin[0]}:{origin[1]}: {m.group(3)} [{generated}]"

    def relocate(self, d: Diagnostic) -> Diagnostic:
        if d.file is None or d.line is None or not self._cites(d.file):
            return d
        origin = self.origin_of_line(d.line)
        if origin is None:
            return d
        return replace(d, text=self.relocate_text(d.text), file=origin[0], line=origin[1],
                       column=None, generated_file=d.file, generated_line=d.line)

    def relocate_error(self, err: BadInputError) -> BadInputError:
        """The same error citing the user's lines: its message, ``problems`` and
        ``diagnostics`` (the generated file's place kept in each Diagnostic's
        ``generated_file`` and ``generated_line``)."""
        err.diagnostics = [self.relocate(d) for d in err.diagnostics]
        err.problems = [self.relocate_text(p) for p in err.problems]
        message = "\n".join(self.relocate_text(line) for line in str(err).split("\n"))
        err.args = (message,) + tuple(err.args[1:])
        err.message = message
        return err


def generated_file(name: str, text: str, tasks: Any, call: Optional[Origin]) -> GeneratedFile:
    """The GeneratedFile for ``text`` (:func:`allot.dumps` of the document made from
    ``tasks``: a Task, a task dict, a workflow dict or a list of Tasks and dicts)."""
    if isinstance(tasks, Mapping):
        items = tasks.get("tasks", []) if "tasks" in tasks else [tasks]
    elif isinstance(tasks, Iterable) and not isinstance(tasks, (str, bytes)):
        items = list(tasks)
    else:
        items = [tasks]
    return GeneratedFile(name=name, text=text, origins=task_origins(items, call), call=call)
