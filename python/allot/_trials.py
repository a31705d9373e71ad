"""What the optimizer drivers (allot.optuna, allot.ax) and allot.panda share about a trial's
tasks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .client import Client
from .errors import BadInputError, NotFoundError
from .task import Task


def submit_idempotent(client: Client, tasks: list) -> None:
    """Submits; a resubmission after a lost answer (a server restart: it had them) is no
    error."""
    if not tasks:
        return
    try:
        client.submit(tasks)
    except BadInputError as e:
        if "duplicate id" not in str(e):
            raise
        try:
            client.status([t["id"] for t in tasks])
        except NotFoundError:
            raise e from None


def trial_tasks(build: Callable[[dict, int], Any], parameters: dict, index: int,
                prefix: str) -> list[dict]:
    """The trial's tasks as dicts, with ids (``<prefix>-<index>[-<step>]`` when they have
    none) and tags (``trial``, ``scenario``: ASHA and promise policies group by it)."""
    made = build(parameters, index)
    items = list(made) if isinstance(made, (list, tuple)) else [made]
    if not items:
        raise ValueError(f"the trial builder made no task for trial {index}")
    out = []
    for step, t in enumerate(items):
        d = t.to_dict() if isinstance(t, Task) else dict(t)
        if not d.get("id"):
            d["id"] = f"{prefix}-{index}" + (f"-{step}" if len(items) > 1 else "")
        tags = dict(d.get("tags") or {})
        tags.setdefault("trial", str(index))
        tags.setdefault("scenario", f"{prefix}-{index}")
        d["tags"] = tags
        out.append(d)
    return out
