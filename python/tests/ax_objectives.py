"""Objective functions that tests/test_ax.py's trials import (each trial is its own process,
so the module is kept light: no Ax, no allot)."""

import math
import os


def detector_resolution(field, length):
    # Trial 3's task stands for a crashed simulation.
    if os.environ.get("ALLOT_TASK_ID", "").endswith("-trial-3"):
        raise RuntimeError("geometry overlap in volume 'barrel'")
    return {"resolution": 0.1 / field * (1 + math.exp(-length)) + 0.01 * (field - 2.2) ** 2}


def bowl(x, y):
    return {"loss": (x - 0.3) ** 2 + (y - 0.6) ** 2}
