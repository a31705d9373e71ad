#!/usr/bin/env bash
# What declared outputs cost (README "Declared outputs"), through `allot run`:
#   (a) one task that writes a file of SIZE (default 1 GiB, from /dev/zero) with and without
#       `outputs:` naming it: the difference is the time to match and hash it (SHA-256,
#       libsodium) before the attempt ends;
#   (b) the same task beside 400 tasks of 20 ms at lower priority on 2 cores: how many of them
#       ended while the big one was being hashed, i.e. whether the event loop went on.
# Usage: bench/outputs_hashing.sh [ROUNDS] [SIZE]   (default 3 and 1G; medians)
set -euo pipefail
ROUNDS=${1:-3}
SIZE=${2:-1G}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
ALLOT=${ALLOT:-$ROOT/build/bin/allot}
tmp=$(mktemp -d -p "${WORKROOT:-/tmp}")
trap 'rm -rf "$tmp"' EXIT
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
wall() {
  local file=$1 t0 t1
  rm -rf "$tmp/w" "$tmp/big.bin"
  t0=$(date +%s.%N)
  (cd "$tmp" && "$ALLOT" run "$file" --workdir w --progress none >/dev/null 2>&1)
  t1=$(date +%s.%N)
  echo "$t1 - $t0" | bc -l
}
cat >"$tmp/without.yaml" <<YAML
tasks:
  - id: big
    command: "head -c $SIZE /dev/zero > big.bin"
YAML
sed 's/^    command: .*/&\n    outputs: big.bin/' "$tmp/without.yaml" >"$tmp/with.yaml"
for _ in $(seq "$ROUNDS"); do wall "$tmp/without.yaml"; done | median >"$tmp/without.s"
for _ in $(seq "$ROUNDS"); do wall "$tmp/with.yaml"; done | median >"$tmp/with.s"
echo "(a) $SIZE: without outputs $(printf %.2f "$(cat "$tmp/without.s")") s," \
  "with $(printf %.2f "$(cat "$tmp/with.s")") s: hashing" \
  "$(echo "$(cat "$tmp/with.s") - $(cat "$tmp/without.s")" | bc -l | xargs printf %.2f) s"

python3 - "$tmp/mix.yaml" "$SIZE" <<'PY'
import sys
ids = ",".join(str(i) for i in range(400))
open(sys.argv[1], "w").write(f"""tasks:
  - id: big
    command: "head -c {sys.argv[2]} /dev/zero > big.bin"
    outputs: big.bin
  - id: "small-{{i}}"
    sweep: {{grid: {{i: [{ids}]}}}}
    command: "sleep 0.02"
    priority: -1
""")
PY
rm -rf "$tmp/w"
(cd "$tmp" && "$ALLOT" run mix.yaml --workdir w --cores 2 --progress none >/dev/null 2>&1)
python3 - "$tmp/w/allot.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
t = dict(db.execute("SELECT to_state, time_us FROM events WHERE task = 0 "
                    "AND to_state IN (2, 3)").fetchall())
(start, end), = db.execute("SELECT min(time_us), max(time_us) FROM events WHERE task = 0")
n = db.execute("SELECT count(*) FROM events WHERE task > 0 AND to_state = "
               "(SELECT id FROM states WHERE name = 'succeeded') AND time_us > ? AND time_us < ?",
               (start, end)).fetchone()[0]
print(f"(b) while the big task ran and was hashed ({(end - start) / 1e6:.1f} s): "
      f"{n} of 400 small tasks ended")
PY
