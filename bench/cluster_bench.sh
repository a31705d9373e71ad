#!/usr/bin/env bash
# Cluster-mode throughput: N empty tasks through a server and W workers (one CPU each, pinned
# with taskset) against `allot run` with the same W cores, on this machine, in one run.
# Usage: bench/cluster_bench.sh [N] [WORKERS] [ROUNDS]   (defaults: 20000, 2, 3)
# Time counted for the cluster: from `allot submit` of the task file to the end of
# `allot wait` (server and workers already up: they are long-lived). For `allot run`: the
# whole command. Everything (journals, task output) lives under WORKROOT (default /dev/shm,
# like node-local scratch) for both, so the comparison is about scheduling, not disks.
set -euo pipefail
N=${1:-20000}
W=${2:-2}
ROUNDS=${3:-3}
ALLOT=${ALLOT:-$(cd "$(dirname "$0")/.." && pwd)/build/bin/allot}
WORKROOT=${WORKROOT:-/dev/shm}
[ -w "$WORKROOT" ] || WORKROOT=/tmp
tmp=$(mktemp -d -p "$WORKROOT")
pids=()
cleanup() { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done; rm -rf "$tmp"; }
trap cleanup EXIT

python3 - "$N" "$tmp/tasks.json" <<'PY'
import json, sys
n, path = int(sys.argv[1]), sys.argv[2]
json.dump([{"id": f"t{i}", "command": "true", "cores": 1} for i in range(n)], open(path, "w"))
PY
now() { date +%s.%N; }
cpus=$(seq -s, 0 $((W - 1)))

run_best=0
for r in $(seq "$ROUNDS"); do
  d=$(mktemp -d -p "$tmp")
  t0=$(now)
  taskset -c "$cpus" "$ALLOT" run "$tmp/tasks.json" --cores "$W" --workdir "$d/work" -q >/dev/null
  t1=$(now)
  run_best=$(python3 -c "print(max($run_best, $N / ($t1 - $t0)))")
done
printf 'allot run --cores %d             %8.0f tasks/s\n' "$W" "$run_best" >&2

cluster_best=0
for r in $(seq "$ROUNDS"); do
  d=$(mktemp -d -p "$tmp")
  export ALLOT_SERVER_DIR=$d/server
  "$ALLOT" server start --dir "$ALLOT_SERVER_DIR" 2>"$d/server.log" &
  pids+=($!)
  until [ -s "$ALLOT_SERVER_DIR/access.json" ] && "$ALLOT" workers >/dev/null 2>&1; do sleep 0.05; done
  for w in $(seq 0 $((W - 1))); do
    taskset -c "$w" "$ALLOT" worker start --cores 1 2>"$d/worker$w.log" &
    pids+=($!)
  done
  until [ "$("$ALLOT" workers --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["workers"]))')" = "$W" ]; do sleep 0.05; done
  t0=$(now)
  "$ALLOT" submit "$tmp/tasks.json" >/dev/null
  "$ALLOT" wait >/dev/null
  t1=$(now)
  cluster_best=$(python3 -c "print(max($cluster_best, $N / ($t1 - $t0)))")
  "$ALLOT" server stop >/dev/null
  wait "${pids[@]}" 2>/dev/null || true
  pids=()
done
printf 'server + %d workers (1 core each) %8.0f tasks/s\n' "$W" "$cluster_best" >&2
python3 -c "print(f'cluster/run = {$cluster_best / $run_best:.2f}x   (target >= 0.85x)')"
