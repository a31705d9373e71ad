#!/usr/bin/env bash
# Side by side with the allocation scheduler: the same task files (its JSON array format)
# through `pilot.py` and `allot run`, runs alternating, on this machine.
#   (a) N empty tasks (`true`, 1 core each);
#   (b) a mixed workload: 120 tasks of 1-2 cores, priorities 0-3, `sleep` 0.05-0.5 s, no time
#       estimates (seeded, the same file every time).
# Both get --cores CORES. Prints each run's wall time, the medians and pilot/allot (above 1:
# allot is faster), and for (b) the lower bound core-seconds / cores.
# Usage: bench/pilot_compat.sh PATH/TO/pilot.py [N] [ROUNDS] [CORES]   (defaults 3000, 3, 2)
#   (or ALLOT_PILOT_PY=PATH/TO/pilot.py). pilot.py is never copied: it runs where it is.
# Wall time is the whole command for both (start-up, loading the file, the journal or its
# SQLite db off: pilot.py runs without --db, allot with its journal, as each runs by default).
set -euo pipefail
PILOT=${1:-${ALLOT_PILOT_PY:-}}
N=${2:-3000}
ROUNDS=${3:-3}
CORES=${4:-2}
if [ -z "$PILOT" ] || [ ! -f "$PILOT" ]; then
  echo "SKIPPED: give the allocation scheduler's pilot.py: bench/pilot_compat.sh PATH/TO/pilot.py" >&2
  exit 77
fi
PILOT=$(cd "$(dirname "$PILOT")" && pwd)/$(basename "$PILOT")
ALLOT=${ALLOT:-$(cd "$(dirname "$0")/.." && pwd)/build/bin/allot}
PYTHON=${PYTHON:-/usr/bin/python3}
WORKROOT=${WORKROOT:-/tmp}
tmp=$(mktemp -d -p "$WORKROOT")
trap 'rm -rf "$tmp"' EXIT

"$PYTHON" - "$N" "$tmp" <<'PY'
import json, random, sys
n, out = int(sys.argv[1]), sys.argv[2]
def task(id, command, cores=1, priority=0):  # pilot.py's Task.to_dict()
    return {"id": id, "command": command, "cores": cores, "timeout": None,
            "priority": priority, "workdir": None, "env": {}, "tags": {},
            "max_retries": 0, "retries": 0}
json.dump([task(f"t{i}", "true") for i in range(n)], open(f"{out}/empty.json", "w"), indent=2)
rng = random.Random(10)
mixed, core_seconds = [], 0.0
for i in range(120):
    cores, seconds = rng.choice([1, 2]), round(rng.uniform(0.05, 0.5), 2)
    mixed.append(task(f"m{i}", f"sleep {seconds}", cores, rng.randint(0, 3)))
    core_seconds += cores * seconds
json.dump(mixed, open(f"{out}/mixed.json", "w"), indent=2)
open(f"{out}/mixed.core_seconds", "w").write(f"{core_seconds:.2f}")
PY

now() { date +%s.%N; }
# run_one KIND FILE -> seconds
run_one() {
  local kind=$1 file=$2 d t0 t1
  d=$(mktemp -d -p "$tmp")
  t0=$(now)
  if [ "$kind" = pilot ]; then
    (cd "$d" && "$PYTHON" "$PILOT" --cores "$CORES" --tasks "$file" --workdir "$d/runs" \
       >"$d/out" 2>&1) || { echo "pilot.py failed; see below" >&2; tail -5 "$d/out" >&2; }
  else
    (cd "$d" && "$ALLOT" run "$file" --cores "$CORES" --workdir "$d/runs" -q --progress none \
       >"$d/out" 2>&1) || { echo "allot failed; see below" >&2; tail -5 "$d/out" >&2; }
  fi
  t1=$(now)
  rm -rf "$d"
  "$PYTHON" -c "print(f'{$t1 - $t0:.2f}')"
}
median() { "$PYTHON" -c "import statistics,sys; print(f'{statistics.median(map(float, sys.argv[1:])):.2f}')" "$@"; }

echo "machine: $(nproc) CPUs available, load $(cut -d' ' -f1-3 /proc/loadavg); --cores $CORES"
for workload in empty mixed; do
  file=$tmp/$workload.json
  p=() a=()
  for r in $(seq "$ROUNDS"); do
    p+=("$(run_one pilot "$file")")
    a+=("$(run_one allot "$file")")
    echo "  $workload round $r: pilot.py ${p[-1]} s, allot ${a[-1]} s"
  done
  mp=$(median "${p[@]}") ma=$(median "${a[@]}")
  ratio=$("$PYTHON" -c "print(f'{$mp / $ma:.1f}')")
  if [ "$workload" = empty ]; then
    echo "(a) $N empty tasks: pilot.py $mp s, allot $ma s (medians of $ROUNDS): pilot/allot ${ratio}x"
  else
    bound=$("$PYTHON" -c "print(f'{$(cat "$tmp/mixed.core_seconds") / $CORES:.2f}')")
    echo "(b) 120 mixed tasks: pilot.py $mp s, allot $ma s (medians of $ROUNDS): pilot/allot ${ratio}x; lower bound $bound s"
  fi
done
