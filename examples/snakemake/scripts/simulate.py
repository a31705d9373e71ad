"""Simulates showers for one seed: deposited energies of 200 events (toy)."""
import json, os, random, sys

seed, out = int(sys.argv[1]), sys.argv[2]
rng = random.Random(seed)
events = [max(0.0, rng.gauss(10.0, 1.5)) for _ in range(200)]
with open(out, "w") as f:
    json.dump({"seed": seed, "events": events,
               "task": os.environ.get("ALLOT_TASK_ID", "")}, f)
