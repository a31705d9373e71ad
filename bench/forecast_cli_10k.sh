#!/bin/bash
# Times `allot forecast` on a journal of 10,000 unfinished tasks: 5,000 sim -> ana chains
# (elastic 1-2 core sims, 2-core anas with a 30 s estimate) after 30 quick sims ended.
# Usage: bench/forecast_cli_10k.sh [BUILD_DIR]   (default: build)
set -euo pipefail
A=$(realpath "${1:-build}")/bin/allot
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
python3 - "$dir/c.json" <<'PY'
import json, sys
tasks = [{"id": f"warm-{i}", "command": "sleep 0.01", "tags": {"profile": "sim"}} for i in range(30)]
for i in range(5000):
    tasks.append({"id": f"sim-{i}", "command": "sleep 1000", "tags": {"profile": "sim"},
                  "cores": {"min": 1, "max": 2}})
    tasks.append({"id": f"ana-{i}", "command": "sleep 1000", "cores": 2,
                  "depends_on": [f"sim-{i}"], "time_estimate": 30})
json.dump({"tasks": tasks}, open(sys.argv[1], "w"))
PY
"$A" run "$dir/c.json" --cores 2 --workdir "$dir/w" -q &
pid=$!
for _ in $(seq 1 300); do
  n=$(sqlite3 "file:$dir/w/allot.db?mode=ro" \
        "select count(*) from events where to_state = 6" 2>/dev/null || echo 0)
  [ "${n:-0}" -ge 30 ] && break
  sleep 0.2
done
kill -TERM "$pid"; wait "$pid" || true
for cores in 2 64; do
  /usr/bin/time -f "allot forecast --cores $cores: %e s wall, %M KiB peak" \
    "$A" forecast --workdir "$dir/w" --cores "$cores" --json > "$dir/out.json"
  python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print({k: d[k] for k in ('unfinished_tasks', 'runs', 'finish_p50_s', 'lower_bound_s')})" "$dir/out.json"
done
