#!/usr/bin/env bash
# Whole-process spawn benchmark: N empty tasks through `allot run` (journal on) against
# `xargs -P <cores>` (the spawn limit) and GNU parallel, on the same machine in one run.
# Usage: bench/spawn_bench.sh [N] [CORES] [ROUNDS]   (defaults: 5000, nproc, 3)
# Prints one line per tool with the best-of-ROUNDS rate, and the ratios.
set -euo pipefail
N=${1:-5000}
CORES=${2:-$(nproc)}
ROUNDS=${3:-3}
ALLOT=${ALLOT:-$(cd "$(dirname "$0")/.." && pwd)/build/bin/allot}
TRUE=$(command -v true)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

python3 - "$N" "$tmp/tasks.json" <<'PY'
import json, sys
n, path = int(sys.argv[1]), sys.argv[2]
json.dump([{"id": f"t{i}", "command": "true", "cores": 1} for i in range(n)], open(path, "w"))
PY

now() { date +%s.%N; }
best_rate() {  # best_rate NAME CMD...: runs CMD ROUNDS times, prints the best tasks/s
  local name=$1; shift
  local best=0
  for r in $(seq "$ROUNDS"); do
    rm -rf "$tmp/work"
    local t0 t1
    t0=$(now)
    "$@" >/dev/null 2>&1
    t1=$(now)
    best=$(python3 -c "print(max($best, $N / ($t1 - $t0)))")
  done
  printf '%-28s %10.0f tasks/s\n' "$name" "$best" >&2
  echo "$best"
}

echo "spawn benchmark: $N empty tasks, $CORES cores, best of $ROUNDS ($(nproc) CPUs, $(uname -r))" >&2
xargs_rate=$(best_rate "xargs -P $CORES" sh -c "seq $N | xargs -P $CORES -n 1 $TRUE")
parallel_rate=$(best_rate "GNU parallel -j $CORES" sh -c "seq $N | parallel --will-cite -j $CORES $TRUE")
allot_rate=$(best_rate "allot run (durability normal)" "$ALLOT" run "$tmp/tasks.json" --cores "$CORES" --workdir "$tmp/work" -q)
allot_full_rate=$(best_rate "allot run (durability full)" "$ALLOT" run "$tmp/tasks.json" --cores "$CORES" --workdir "$tmp/work" -q --durability full)

python3 - "$xargs_rate" "$parallel_rate" "$allot_rate" "$allot_full_rate" <<'PY'
import sys
x, p, a, f = map(float, sys.argv[1:])
print(f"allot(normal)/xargs   = {a / x:.2f}x   (target >= 0.9x)")
print(f"allot(full)/xargs     = {f / x:.2f}x")
print(f"allot(normal)/parallel = {a / p:.2f}x   (target >= 4x)")
PY
