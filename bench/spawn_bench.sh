#!/usr/bin/env bash
# Whole-process spawn benchmark: N empty tasks through `allot run` (journal on) against
# `xargs -P <cores>` (the spawn limit) and GNU parallel, on the same machine in one run.
# Usage: bench/spawn_bench.sh [N] [CORES] [ROUNDS]   (defaults: 5000, nproc, 3)
# Prints one line per tool with the best-of-ROUNDS rate, and the ratios.
# allot writes <workdir>/<id>/stdout and stderr for every task (3 inodes a task; xargs and
# parallel write none). WORKROOT chooses the filesystem for them (default: /dev/shm, like a
# job's node-local scratch). On ext4, inode allocation is slow for minutes after many files
# were deleted (the kernel's recently_deleted check), so measure disk filesystems on a quiet one.
set -euo pipefail
N=${1:-5000}
CORES=${2:-$(nproc)}
ROUNDS=${3:-3}
ALLOT=${ALLOT:-$(cd "$(dirname "$0")/.." && pwd)/build/bin/allot}
TRUE=$(command -v true)
WORKROOT=${WORKROOT:-/dev/shm}
[ -w "$WORKROOT" ] || WORKROOT=/tmp
tmp=$(mktemp -d -p "$WORKROOT")
# The journal stays on a disk so that --durability full pays for its fsyncs.
DBROOT=${DBROOT:-/var/tmp}
dbtmp=$(mktemp -d -p "$DBROOT")
trap 'rm -rf "$tmp" "$dbtmp"' EXIT

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
    # A fresh directory each round, deleted only at the end: ext4 allocates inodes slowly
    # right after many were deleted (recently_deleted), which would measure rm, not allot.
    WORK=$(mktemp -d -p "$tmp")/work
    export WORK
    export DB="$dbtmp/$(basename "$(dirname "$WORK")").db"
    local t0 t1
    t0=$(now)
    "$@" >/dev/null 2>"$tmp/err" || { echo "$name failed:" >&2; cat "$tmp/err" >&2; exit 1; }
    t1=$(now)
    best=$(python3 -c "print(max($best, $N / ($t1 - $t0)))")
  done
  printf '%-28s %10.0f tasks/s\n' "$name" "$best" >&2
  echo "$best"
}

echo "spawn benchmark: $N empty tasks, $CORES cores, best of $ROUNDS ($(nproc) CPUs, $(uname -r)); task output under $WORKROOT ($(stat -f -c %T "$WORKROOT")), journal under $DBROOT ($(stat -f -c %T "$DBROOT"))" >&2
xargs_rate=$(best_rate "xargs -P $CORES" sh -c "seq $N | xargs -P $CORES -n 1 $TRUE")
parallel_rate=$(best_rate "GNU parallel -j $CORES" sh -c "seq $N | parallel --will-cite -j $CORES $TRUE")
allot_rate=$(best_rate "allot run (durability normal)" sh -c "\"$ALLOT\" run \"$tmp/tasks.json\" --cores $CORES --workdir \"\$WORK\" --db \"\$DB\" -q")
allot_full_rate=$(best_rate "allot run (durability full)" sh -c "\"$ALLOT\" run \"$tmp/tasks.json\" --cores $CORES --workdir \"\$WORK\" --db \"\$DB\" -q --durability full")

python3 - "$xargs_rate" "$parallel_rate" "$allot_rate" "$allot_full_rate" <<'PY'
import sys
x, p, a, f = map(float, sys.argv[1:])
print(f"allot(normal)/xargs   = {a / x:.2f}x   (target >= 0.9x)")
print(f"allot(full)/xargs     = {f / x:.2f}x")
print(f"allot(normal)/parallel = {a / p:.2f}x   (target >= 4x)")
PY
