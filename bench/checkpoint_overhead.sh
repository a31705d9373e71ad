#!/usr/bin/env bash
# What checkpoints cost and what failures lose, measured with allot-test-task --simulate
# (scaled time) through `allot run`:
#   (a) per checkpoint, for states of 1, 16 and 64 MiB: one simulation of 200 steps that
#       checkpoints every 20 steps by itself (write, exit 85, seal: SHA-256 + fsync, journal,
#       restart, verify, load: 10 checkpoints) against the same without checkpoints; the
#       difference over 10 is the cost of one, and that cost over 600 s is the overhead of
#       checkpointing every 10 minutes of compute;
#   (b) per worker failure: 20 simulations checkpointing every second, with the worker killed
#       at random (--inject-failures workers=6/min): steps computed beyond those needed, per
#       failure, and the time from each lost attempt to its next start (from the journal).
# Usage: bench/checkpoint_overhead.sh [ROUNDS]   (default 3; medians)
set -euo pipefail
ROUNDS=${1:-3}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
ALLOT=${ALLOT:-$ROOT/build/bin/allot}
TT=${TT:-$ROOT/build/bin/allot-test-task}
tmp=$(mktemp -d -p "${WORKROOT:-/tmp}")
trap 'rm -rf "$tmp"' EXIT
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
wall() {  # wall seconds of `allot run FILE` in a fresh directory
  local dir=$1 file=$2
  rm -rf "$dir/w"
  local t0 t1
  t0=$(date +%s.%N)
  "$ALLOT" run "$file" --workdir "$dir/w" --progress none >/dev/null 2>&1
  t1=$(date +%s.%N)
  echo "$t1 - $t0" | bc -l
}

echo "(a) cost of one checkpoint (10 per run; medians of $ROUNDS)"
printf "%8s %12s %12s %14s %22s\n" "STATE" "PLAIN s" "CKPT s" "PER CKPT s" "OVERHEAD @ 10 min"
for mib in 1 16 64; do
  d=$tmp/a$mib; mkdir -p "$d"
  cat > "$d/plain.yaml" <<Y
tasks:
  - id: sim
    command: $TT --simulate 200 --step-seconds 0.01 --state-mib $mib
Y
  cat > "$d/ckpt.yaml" <<Y
tasks:
  - id: sim
    command: $TT --simulate 200 --step-seconds 0.01 --state-mib $mib --checkpoint-every-steps 20
    checkpoint: {files: [state.bin, step.txt]}
Y
  plain=(); ckpt=()
  for r in $(seq "$ROUNDS"); do plain+=("$(wall "$d" "$d/plain.yaml")"); ckpt+=("$(wall "$d" "$d/ckpt.yaml")"); done
  p=$(printf "%s\n" "${plain[@]}" | median); c=$(printf "%s\n" "${ckpt[@]}" | median)
  per=$(echo "($c - $p) / 9" | bc -l)  # 9 checkpoints: the 10th step-20 boundary is the end
  printf "%6s MiB %12.3f %12.3f %14.4f %21.4f%%\n" "$mib" "$p" "$c" "$per" "$(echo "100 * $per / 600" | bc -l)"
done

echo
echo "(b) lost work and recovery per worker failure (20 simulations, checkpoint every 1 s of"
echo "    100 steps; medians of $ROUNDS)"
d=$tmp/b; mkdir -p "$d"
cat > "$d/wf.yaml" <<Y
defaults: {workdir: .}
tasks:
  - id: "sim-{n}"
    sweep: {grid: {n: [$(seq -s, 0 19)]}}
    command: $TT --simulate 600 --step-seconds 0.01 --state-kib 256 --progress $d/p-{n}
    checkpoint: {every: 1s}
Y
lost_per=(); back=()
for r in $(seq "$ROUNDS"); do
  rm -rf "$d/w" "$d"/p-*
  "$ALLOT" run "$d/wf.yaml" --workdir "$d/w" --cores 20 --progress none \
    --inject-failures "workers=6/min,seed=$r" >/dev/null 2>&1
  failures=$(sqlite3 "$d/w/allot.db" "SELECT COUNT(*) FROM task_events WHERE to_state='lost'")
  steps=$(cat "$d"/p-* | tr -cd . | wc -c)
  if [ "$failures" -gt 0 ]; then
    lost_per+=("$(echo "($steps - 20 * 600) / $failures" | bc -l)")
    back+=("$(sqlite3 "$d/w/allot.db" "SELECT AVG(s.time_us - l.time_us) / 1000.0 FROM events l
      JOIN events s ON s.task = l.task AND s.attempt = l.attempt + 1 AND s.to_state = 2
      WHERE l.to_state = 5")")
  fi
done
printf "lost steps per attempt lost: %.1f (an interval is 100 steps; uniform failures lose 50)\n" \
  "$(printf "%s\n" "${lost_per[@]}" | median)"
printf "from lost to running again: %.1f ms (embedded worker; a cluster adds --worker-timeout)\n" \
  "$(printf "%s\n" "${back[@]}" | median)"
