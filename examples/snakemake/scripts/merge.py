"""Merges the per-seed reconstructions into one summary."""
import json, os, statistics, sys

out, inputs = sys.argv[1], sys.argv[2:]
recos = []
for path in inputs:
    with open(path) as f:
        recos.append(json.load(f))
summary = {"seeds": len(recos), "mean": statistics.fmean(r["mean"] for r in recos),
           "resolution": statistics.fmean(r["sigma"] / r["mean"] for r in recos),
           "task": os.environ.get("ALLOT_TASK_ID", "")}
with open(out, "w") as f:
    json.dump(summary, f, indent=1)
