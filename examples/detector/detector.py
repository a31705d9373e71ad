"""A toy sampling calorimeter, in three steps as a real design study has them: simulate
(Geant4's place), reconstruct, analyse. Two objectives pull against each other: energy
resolution (lower is better) improves with more and thicker absorber layers, and so does the
cost (lower is better). Pure Python, a fraction of a second per step.

Each step is a function the trial's tasks call (the `python` job type): keyword arguments are
the task's params, the return value is its result, which the next step gets through
{dep.result.KEY}.
"""

import math
import random


def simulate(thickness, layers, seed=1):
    """Events through `layers` absorber plates `thickness` mm thick: the hits they leave."""
    rng = random.Random(seed * 7919 + layers)
    sampling = 1 - math.exp(-thickness / 4.0)
    hits = [sum(rng.random() < sampling for _ in range(layers)) for _ in range(400)]
    for step in range(1, 4):  # progress a scenario policy or a pruner can act on
        report("hits_mean", sum(hits[: step * 130]) / (step * 130), step)
    return {"hits": sum(hits) / len(hits), "events": len(hits)}


def reconstruct(hits, layers):
    """Fraction of the shower's energy seen: from the mean hit count per event."""
    return {"efficiency": 1 - math.exp(-hits / max(1.0, layers / 3.0))}


def analyse(thickness, layers, efficiency):
    """The two objectives: stochastic term over sqrt(sampled fraction), plus a leakage term
    for thin stacks; cost of absorber and readout."""
    depth = thickness * layers
    resolution = 0.12 / math.sqrt(efficiency * layers) + 0.3 * math.exp(-depth / 40.0)
    cost = 0.8 * depth + 12.0 * layers
    return {"resolution": round(resolution, 6), "cost": round(cost, 3)}


def report(name, value, step):
    """allot.report_metric where allot is importable, else nothing (a plain run)."""
    try:
        import allot
    except ImportError:
        return
    allot.report_metric(name, value, step=step)
