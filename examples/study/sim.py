"""A toy calorimeter for examples/study/study.yaml: more material (thicker plates, more layers,
a denser metal) improves the energy resolution and costs more."""

import math

DENSITY = {"lead": 11.3, "tungsten": 19.3}   # g/cm^3
PRICE = {"lead": 1.0, "tungsten": 6.0}       # per plate-cm


def simulate(thickness, layers, material):
    depth = thickness * layers * DENSITY[material] / 10   # radiation lengths, roughly
    resolution = 0.1 / math.sqrt(depth) + 0.004 * layers  # sampling term + per-layer noise
    cost = thickness * layers * PRICE[material]
    return {"resolution": resolution, "cost": cost}
