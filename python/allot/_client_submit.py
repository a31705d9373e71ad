"""Helpers of Client: building submission documents, ref lists and array commands."""

from __future__ import annotations

import os
import re
import shlex
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Mapping
from typing import Any, Optional, Union

from .task import Task, _plain, workflow

from .client_types import TaskInfo, TaskResult

# Refs are sent in the query string; the server takes URIs of up to 8 KiB, so longer lists go
# in several requests.
_MAX_REFS_CHARS = 6000
PathLike = Union[str, "os.PathLike[str]"]
Refs = Union[str, Iterable[str], None]


# Helpers ---------------------------------------------------------------------------------------

def _document(tasks: Any) -> dict[str, Any]:
    """A workflow document from what submit() was given."""
    if isinstance(tasks, Task):
        return workflow([tasks])
    if isinstance(tasks, Mapping):
        if "tasks" in tasks:
            doc = dict(tasks)
            doc["tasks"] = workflow(doc["tasks"])["tasks"]
            return doc
        if "id" in tasks:
            return workflow([tasks])
        raise TypeError("a dict given to submit() must be a task (with an 'id') or a workflow "
                        "document (with a 'tasks' list)")
    if isinstance(tasks, (bytes, bytearray)):
        raise TypeError("submit() takes a path, a workflow dict, or tasks; not bytes")
    if isinstance(tasks, Iterable):
        doc = workflow(tasks)
        if not doc["tasks"]:
            raise ValueError("submit(): no tasks")
        return doc
    raise TypeError(f"submit() cannot use {type(tasks).__name__} as tasks")


def _ref_list(refs: Any) -> list[str]:
    """Refs as a flat list of strings: a string, Tasks, TaskInfos, or lists of them."""
    if refs is None:
        return []
    if isinstance(refs, (str, Task, TaskInfo, TaskResult)):
        refs = [refs]
    out: list[str] = []
    for r in refs:
        if isinstance(r, (Task, TaskInfo, TaskResult)):
            out.append(r.id)
        elif isinstance(r, str):
            out.append(r)
        elif isinstance(r, Iterable):
            out.extend(_ref_list(r))
        else:
            raise TypeError(f"not a task ref: {r!r}")
    for r in out:
        if not r or "," in r:
            raise ValueError(f"not a task ref: {r!r} (refs are ids or id@attempt, no commas)")
    return out


def _chunks(refs: list[str]) -> list[list[str]]:
    """Refs in groups whose query string stays well under the server's URI limit."""
    out: list[list[str]] = []
    current: list[str] = []
    size = 0
    for r in refs:
        n = len(urllib.parse.quote(r, safe="")) + 1
        if current and size + n > _MAX_REFS_CHARS:
            out.append(current)
            current, size = [], 0
        current.append(r)
        size += n
    if current:
        out.append(current)
    return out


def _segment(ref: str) -> str:
    if not isinstance(ref, str) or not ref:
        raise ValueError(f"not a task ref: {ref!r}")
    return urllib.parse.quote(ref, safe="")


def _remaining(deadline: Optional[float], poll: float) -> float:
    if deadline is None:
        return float(poll)
    return max(0.0, min(float(poll), deadline - time.monotonic()))


def _seconds(s: float) -> str:
    return f"{s:.3f}".rstrip("0").rstrip(".") or "0"


def _escape_braces(text: str) -> str:
    """Doubles every brace except those of ``{index}`` (sweep templates)."""
    return "{index}".join(part.replace("{", "{{").replace("}", "}}")
                          for part in text.split("{index}"))


def _array_command_line(words: list[str]) -> str:
    """The command line of an array task: a word whose only special characters are in
    ``{index}`` stays as it is (``{index}`` becomes digits), others are quoted and their other
    braces escaped (as ``allot submit --array`` does)."""
    out = []
    for i, word in enumerate(words):
        probe = word.replace("{index}", "0")
        if shlex.quote(probe) == probe and not (i == 0 and "=" in probe):
            out.append(word)
        else:
            out.append(_escape_braces(shlex.quote(word)))
    return " ".join(out)


def _array_indices(array: Union[str, Iterable[int]]) -> list[int]:
    """``"1-1000"``, ``"1-100:2"``, ``"1,5,7"`` or indices, as ``allot submit --array``."""
    if isinstance(array, str):
        indices: list[int] = []
        for item in array.split(","):
            m = re.fullmatch(r"\s*(\d+)(?:-(\d+)(?::(\d+))?)?\s*", item)
            if not m:
                raise ValueError(f"array: {item!r} is not an index, a range A-B or a stepped "
                                 f"range A-B:S (e.g. 1-100:2)")
            first = int(m.group(1))
            last = int(m.group(2)) if m.group(2) is not None else first
            step = int(m.group(3)) if m.group(3) is not None else 1
            if last < first:
                raise ValueError(f"array: range {item!r} ends before it starts")
            if step < 1:
                raise ValueError(f"array: step in {item!r} must be >= 1")
            indices.extend(range(first, last + 1, step))
    else:
        indices = []
        for i in array:
            if isinstance(i, bool) or not isinstance(_plain(i), int) or _plain(i) < 0:
                raise ValueError(f"array: indices must be integers >= 0, got {i!r}")
            indices.append(int(_plain(i)))
    if not indices:
        raise ValueError("array: no indices")
    seen: set[int] = set()
    for i in indices:
        if i in seen:
            raise ValueError(f"array: index {i} appears twice")
        seen.add(i)
    return indices


def _cores_field(cores: Any) -> Any:
    if isinstance(cores, (tuple, list)) and len(cores) == 2:
        return {"min": int(cores[0]), "max": int(cores[1])}
    if isinstance(cores, str):
        m = re.fullmatch(r"(\d+)(?:-(\d+))?", cores.strip())
        if not m:
            raise ValueError(f"cores: expected N or MIN-MAX (e.g. 4 or 2-8), got {cores!r}")
        if m.group(2) is None:
            return int(m.group(1))
        return {"min": int(m.group(1)), "max": int(m.group(2))}
    if isinstance(cores, int) and not isinstance(cores, bool):
        return cores
    raise ValueError(f"cores: expected N, 'MIN-MAX' or (min, max), got {cores!r}")


def _default_task_name(first_word: str, suffix: str) -> str:
    base = first_word.rsplit("/", 1)[-1]
    name = re.sub(r"[^A-Za-z0-9._-]", "_", base) or "task"
    return f"{name}-{suffix}"
