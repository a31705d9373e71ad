#!/usr/bin/env bash
# Makespan on real processes: the issue's mixed workload (bench/policy_workloads.h,
# MixedSmall: 120 sleep tasks of 1-2 cores, priorities 0-3, no estimates) through
# `allot run --cores 2`, and through the allocation scheduler's pilot.py (greedy first-fit)
# when PILOT points to it, alternating, ROUNDS times each. Prints every run's wall time and
# the lower bound (core-seconds of the sleeps / 2).
# Usage: bench/mixed_makespan.sh [ROUNDS]   (default 3)
set -euo pipefail
ROUNDS=${1:-3}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${BIN:-$ROOT/build/bin}
PILOT=${PILOT:-/work/ref/allocation-scheduler/pilot.py}
tmp=$(mktemp -d -p "${WORKROOT:-/dev/shm}")
trap 'rm -rf "$tmp"' EXIT
"$BIN/allot_policy_bench" --write-mixed "$tmp/tasks.json"
python3 - "$tmp/tasks.json" <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))
cs = sum(x["cores"] * float(x["command"].split()[1]) for x in t)
print(f"tasks {len(t)}, core-seconds {cs:.2f}, lower bound on 2 cores {cs / 2:.2f} s")
PY
now() { date +%s.%N; }
for r in $(seq "$ROUNDS"); do
  t0=$(now)
  "$BIN/allot" run "$tmp/tasks.json" --cores 2 --workdir "$tmp/allot-$r" -q
  t1=$(now)
  echo "round $r allot run: $(echo "$t1 - $t0" | bc) s"
  if [ -f "$PILOT" ]; then
    t0=$(now)
    python3 "$PILOT" --cores 2 --tasks "$tmp/tasks.json" --workdir "$tmp/pilot-$r" >/dev/null 2>&1
    t1=$(now)
    echo "round $r pilot.py:  $(echo "$t1 - $t0" | bc) s"
  fi
done
