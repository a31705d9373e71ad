"""Step 1 of a trial: a Python function. allot calls simulate(**params) in a fresh interpreter
pinned to the task's cores; the dict it returns is the task's result."""

import os
import random


def simulate(energy, seed):
    rng = random.Random(seed)
    events = 1000 + int(energy * 100)
    hits = sum(rng.random() < 0.8 for _ in range(events))
    return {"events": events, "hits": hits, "cores": os.environ["ALLOT_CORES"]}
