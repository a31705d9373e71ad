"""What the optimizer drivers (allot.optuna, allot.ax) share about a trial's tasks."""

from __future__ import annotations

from .client import Client
from .errors import BadInputError, NotFoundError


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
