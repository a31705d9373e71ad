#!/bin/sh
# How long a metric takes from a task's write to the scheduler (the journal's time_us is when
# the worker read it, in the turn the scheduler saw it) and to a client long-polling a server.
# Usage: bench/metric_latency.sh [POINTS] [BUILD_BIN_DIR]
#   POINTS: metrics the task writes, 10 ms apart (default 500)
set -eu
points=${1:-500}
bin=${2:-$(cd "$(dirname "$0")/.." && pwd)/build/bin}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cd "$dir"
cat > writer.py <<PY
import json, os, time
with open(os.environ["ALLOT_METRICS_FILE"], "a") as f:
    for i in range($points):
        f.write(json.dumps({"name": "sent", "value": time.time(), "step": i}) + "\n")
        f.flush()
        time.sleep(0.01)
PY
printf 'tasks:\n  - id: writer\n    command: python3 %s/writer.py\n' "$dir" > campaign.yaml
"$bin/allot" run campaign.yaml -q
python3 - "$dir/allot-work/allot.db" <<'PY'
import sqlite3, statistics, sys
rows = sqlite3.connect(sys.argv[1]).execute("SELECT value, time_us FROM metrics").fetchall()
lat = sorted((t / 1e6 - v) * 1000 for v, t in rows)
q = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))]
print(f"allot run: {len(lat)} metrics, write -> scheduler: median {statistics.median(lat):.2f} ms,"
      f" p99 {q(0.99):.2f} ms, max {lat[-1]:.2f} ms")
PY

# The same task on a server's worker, read by a client long-polling GET /api/v1/events.
export ALLOT_SERVER_DIR="$dir/server"
"$bin/allot" server start --dir "$ALLOT_SERVER_DIR" > server.log 2>&1 &
server=$!
while [ ! -s "$ALLOT_SERVER_DIR/access.json" ]; do sleep 0.05; done
"$bin/allot" worker start --cores 1 > worker.log 2>&1 &
worker=$!
sleep 1
"$bin/allot" submit campaign.yaml > /dev/null
python3 - "$ALLOT_SERVER_DIR/access.json" "$points" <<'PY'
import json, statistics, sys, time, urllib.request
access = json.load(open(sys.argv[1]))
want, after, lat = int(sys.argv[2]), 0, []
while len(lat) < want:
    req = urllib.request.Request(
        f"{access['http']['url']}/api/v1/events?after={2**62}&after_metric={after}&timeout_s=10",
        headers={"Authorization": "Bearer " + access["http"]["token"]})
    answer = json.load(urllib.request.urlopen(req, timeout=30))
    now = time.time()
    for m in answer["metrics"]:
        lat.append((now - m["value"]) * 1000)
    after = answer["last_metric"]
lat.sort()
q = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))]
print(f"server: {len(lat)} metrics, write -> client long poll: median {statistics.median(lat):.2f}"
      f" ms, p99 {q(0.99):.2f} ms, max {lat[-1]:.2f} ms")
PY
"$bin/allot" server stop > /dev/null 2>&1 || true
wait $server $worker 2>/dev/null || true
