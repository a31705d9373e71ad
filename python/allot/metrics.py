"""Reporting intermediate metrics from inside a task, without the ``allot`` executable.

    from allot import report_metric
    for epoch in range(100):
        loss = train_one_epoch()
        report_metric("loss", loss, step=epoch)

Each call appends one JSON line to ``$ALLOT_METRICS_FILE`` (what ``allot metric NAME VALUE
--step N`` writes), which the worker running the task reads as it is written. The same rules as
there: a name of 1 to 64 characters of letters, digits and ``_ . : / -`` starting with a letter
or ``_``; a finite number; a non-negative integer step.
"""

from __future__ import annotations

import json
import math
import os
import re
from typing import Optional

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.:/-]{0,63}")


def report_metric(name: str, value: float, step: Optional[int] = None) -> None:
    """Appends the metric to ``$ALLOT_METRICS_FILE``. ValueError for a bad name, value or step
    (nothing is written); RuntimeError outside a task that allot started."""
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise ValueError(f"metric name {name!r}: 1 to 64 characters of letters, digits and "
                         "_ . : / -, starting with a letter or _")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or \
            not math.isfinite(value):
        raise ValueError(f"value {value!r} of metric {name!r} is not a finite number")
    if step is not None and (isinstance(step, bool) or not isinstance(step, int) or step < 0):
        raise ValueError(f"step {step!r} of metric {name!r} is not a non-negative integer")
    path = os.environ.get("ALLOT_METRICS_FILE")
    if not path:
        raise RuntimeError("$ALLOT_METRICS_FILE is not set: report_metric runs inside a task "
                           "that allot started")
    line = {"name": name, "value": float(value)}
    if step is not None:
        line["step"] = step
    data = (json.dumps(line) + "\n").encode()
    # One write of one line with O_APPEND: lines of processes that report at once never mix.
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)
