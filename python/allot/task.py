"""Tasks and workflow documents, as the ``allot`` task-file format defines them.

A :class:`Task` is what a user writes in a task file, field for field; ``to_dict`` gives the
JSON object and :func:`workflow` the whole document. Nothing here talks to allot, so a later
server client (``Client(server_dir)``) submits the same objects.

Validation is light and local (types that cannot be written as JSON, an empty id): allot's own
validation is the authority and reports every problem with file, line and field.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
import os
import shlex
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Optional, Union

from ._origin import caller_origin

#: A duration: seconds (int or float), a string allot parses (``"90s"``, ``"10min"``,
#: ``"1h30m"``, ``"01:30:00"``), or a :class:`datetime.timedelta`.
Duration = Union[int, float, str, datetime.timedelta]

# The order fields are written in (and the order of Task's fields).
TASK_FIELDS = (
    "id", "command", "python", "script", "container", "params", "cores", "memory", "gpus", "resources", "time_limit", "time_estimate",
    "grace_period", "priority", "max_retries", "retry_backoff", "env", "tags", "workdir",
    "depends_on", "sweep", "executor", "nodes",
)
_DURATION_FIELDS = ("time_limit", "time_estimate", "grace_period")


@dataclass
class Task:
    """One task (or, with ``sweep``, a template for many) of a campaign.

    Fields left None are not written, so allot's defaults (and a workflow's ``defaults``)
    apply. A task runs one of ``command``, ``python`` (``{"module": ..., "function": ...,
    "args": [...]}``, or a ``(module, function)`` pair), ``script`` (a path) and ``container``
    (``{"image": ..., "command": ..., "engine": ..., "mounts": [...]}``); ``params`` (a mapping)
    is written to its ``params.json`` and is a python function's keyword arguments.
    ``command`` may be a list of arguments, which is shell-quoted. ``executor="slurm"`` runs
    each attempt as its own Slurm job. ``nodes`` (cluster mode) spans several workers at
    once, MPI style. ``depends_on`` takes
    ids, glob patterns (``"sim-*"``) or :class:`Task` objects. ``extra`` is written into the task
    object as is, for fields this client does not know yet (allot rejects unknown ones).
    """

    id: str
    command: Union[str, Sequence[Any], None] = None
    python: Union[Mapping[str, Any], tuple[str, str], None] = None
    script: Union[str, os.PathLike, None] = None
    container: Optional[Mapping[str, Any]] = None
    params: Optional[Mapping[str, Any]] = None
    cores: Union[int, Mapping[str, int], tuple[int, int], None] = None
    memory: Union[int, str, None] = None
    gpus: Optional[int] = None
    resources: Optional[Mapping[str, Union[int, float]]] = None
    time_limit: Optional[Duration] = None
    time_estimate: Optional[Duration] = None
    grace_period: Optional[Duration] = None
    priority: Optional[int] = None
    max_retries: Optional[int] = None
    retry_backoff: Optional[Mapping[str, Any]] = None
    env: Optional[Mapping[str, Any]] = None
    tags: Optional[Mapping[str, Any]] = None
    workdir: Union[str, os.PathLike, None] = None
    depends_on: Union[str, "Task", Sequence[Union[str, "Task"]], None] = None
    sweep: Optional[Mapping[str, Any]] = None
    #: ``"slurm"``: each attempt runs as a Slurm job of its own, on a worker started with
    #: ``allot worker start --executor slurm`` (its resources become sbatch options, its
    #: ``tags`` partition/account/qos too); ``"local"`` or None: a worker's own processes.
    executor: Optional[str] = None
    #: Workers the task spans at once, each giving it ``cores``, ``memory``, ``gpus`` and
    #: ``resources`` (``nodes: N`` of the task file); it runs on the first with ALLOT_NODES,
    #: ALLOT_HOSTFILE and ALLOT_NODE_EXEC for mpiexec. None: one.
    nodes: Optional[int] = None
    extra: dict[str, Any] = field(default_factory=dict)
    # Where the user's code made it (file, line), for messages about generated task files.
    _origin: Optional[tuple[str, int]] = field(default=None, init=False, repr=False,
                                               compare=False)

    def __post_init__(self):
        # Frame 1 is the __init__ dataclasses generated; the user's code is beyond it.
        self._origin = caller_origin(sys._getframe(2))
        if not isinstance(self.id, str) or not self.id:
            raise ValueError(f"Task id must be a non-empty string, got {self.id!r}")
        if self.executor not in (None, "local", "slurm"):
            raise ValueError(f"task '{self.id}': executor must be 'local' or 'slurm', "
                             f"got {self.executor!r}")
        clash = set(self.extra) & set(TASK_FIELDS)
        if clash:
            raise ValueError(f"task '{self.id}': extra repeats the field(s) {sorted(clash)}; "
                             f"set them as arguments")

    def to_dict(self) -> dict[str, Any]:
        """The task as a JSON-ready object of the task-file format."""
        out = {name: _encode(name, getattr(self, name), self.id)
               for name in TASK_FIELDS if getattr(self, name) is not None}
        out.update(self.extra)
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Task":
        """A Task from a task-file object; fields this client does not know go to ``extra``."""
        known = {k: v for k, v in data.items() if k in TASK_FIELDS}
        extra = {k: v for k, v in data.items() if k not in TASK_FIELDS}
        if "id" not in known:
            raise ValueError(f"task object without an id: {dict(data)!r}")
        return cls(**known, extra=extra)

    def replace(self, **changes: Any) -> "Task":
        """A copy with some fields changed."""
        return dataclasses.replace(self, **changes)


def sweep(template: Task, grid: Optional[Mapping[str, Iterable[Any]]] = None,
          zip: Optional[Mapping[str, Iterable[Any]]] = None) -> Task:  # noqa: A002 (the file's word)
    """A copy of ``template`` that allot expands over parameters.

    ``grid`` takes the cartesian product of its lists; ``zip`` takes its lists together (same
    length); with both, every zip row is combined with every grid point. ``{name}`` in the id,
    command, env, tags, workdir and depends_on is replaced by the parameter's value, so the id
    needs a placeholder for each parameter that varies::

        sim = allot.sweep(allot.Task(id="sim-{e}-{seed}", command="./sim {e} {seed}"),
                          grid={"e": [1, 5, 10], "seed": range(3)})
    """
    if not isinstance(template, Task):
        raise TypeError(f"sweep() takes a Task, got {type(template).__name__}")
    if not grid and not zip:
        raise ValueError("sweep() needs grid= or zip= parameters")
    spec: dict[str, Any] = {}
    for key, params in (("grid", grid), ("zip", zip)):
        if params:
            if not isinstance(params, Mapping):
                raise TypeError(f"sweep {key}= must map parameter names to lists of values")
            spec[key] = {name: _values(name, values) for name, values in params.items()}
    return dataclasses.replace(template, sweep=spec)


def workflow(tasks: Iterable[Union[Task, Mapping[str, Any]]],
             defaults: Optional[Mapping[str, Any]] = None) -> dict[str, Any]:
    """The workflow document (``{"defaults": ..., "tasks": [...]}``) for these tasks."""
    items = []
    for t in tasks:
        if isinstance(t, Task):
            items.append(t.to_dict())
        elif isinstance(t, Mapping):
            items.append(dict(t))
        else:
            raise TypeError(f"expected a Task or a dict, got {type(t).__name__}: {t!r}")
    doc: dict[str, Any] = {}
    if defaults:
        doc["defaults"] = {k: _encode(k, v, "defaults") if k in TASK_FIELDS else v
                           for k, v in defaults.items() if v is not None}
    doc["tasks"] = items
    return doc


def dumps(document: Any) -> str:
    """JSON text for a task file: one field per line, so allot's line numbers point at it."""
    return json.dumps(document, indent=2, default=_json_default) + "\n"


# Helpers ---------------------------------------------------------------------------------------

def _encode(name: str, value: Any, task_id: str) -> Any:
    """One field's value as the task-file format writes it."""
    if name == "command" and not isinstance(value, str):
        return shlex.join(str(os.fspath(a) if isinstance(a, os.PathLike) else a) for a in value)
    if name == "python" and isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(f"task '{task_id}': python as a sequence must be (module, function)")
        return {"module": os.fspath(value[0]), "function": value[1]}
    if name == "script":
        return os.fspath(value)
    if name == "cores" and isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(f"task '{task_id}': cores as a sequence must be (min, max)")
        return {"min": value[0], "max": value[1]}
    if name in _DURATION_FIELDS:
        return _duration(value)
    if name == "retry_backoff" and isinstance(value, Mapping):
        return {k: _duration(v) for k, v in value.items()}
    if name == "workdir":
        return os.fspath(value)
    if name == "depends_on":
        deps = [value] if isinstance(value, (str, Task)) else list(value)
        return [d.id if isinstance(d, Task) else d for d in deps]
    return _plain(value)


def _duration(value: Any) -> Any:
    if isinstance(value, datetime.timedelta):
        seconds = value.total_seconds()
        return int(seconds) if seconds == int(seconds) else seconds
    return value


def _values(name: str, values: Any) -> list[Any]:
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise TypeError(f"sweep parameter '{name}' must be a list of values, got {values!r}")
    return [_plain(v) for v in values]


def _plain(value: Any) -> Any:
    """Containers made JSON-ready (ranges, tuples, sets, numpy arrays become lists)."""
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (str, bytes, int, float, bool)) or value is None:
        return value
    if hasattr(value, "tolist"):  # numpy arrays and scalars, without importing numpy
        return value.tolist()
    if isinstance(value, (list, tuple, range, set, frozenset)):
        return [_plain(v) for v in value]
    return value


def _json_default(obj: Any) -> Any:
    if isinstance(obj, os.PathLike):
        return os.fspath(obj)
    if isinstance(obj, datetime.timedelta):
        return _duration(obj)
    if hasattr(obj, "tolist"):
        return obj.tolist()
    if isinstance(obj, (set, frozenset, range)):
        return list(obj)
    if isinstance(obj, Task):
        return obj.to_dict()
    raise TypeError(f"{type(obj).__name__} cannot be written to a task file: {obj!r}")
