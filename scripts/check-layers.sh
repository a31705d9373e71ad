#!/usr/bin/env bash
# Enforces the one-way layer dependencies of DESIGN.md on #include lines: a file in layer X may
# include only headers of the layers X may depend on (tests may also include src/testing).
set -euo pipefail
cd "$(dirname "$0")/../src"

declare -A allowed=(
  [common]="common"
  [model]="common model"
  [core]="common model core"
  [journal]="common model journal"
  [report]="common model journal report"
  [exec]="common model exec"
  [monitor]="common monitor"
  [protocol]="common model protocol"
  [worker]="common model exec monitor protocol worker"
  [server]="common model core journal exec monitor protocol worker server"
  [client]="common model protocol client"
  [learn]="common model core journal report learn"
  [cli]="common model core journal exec monitor protocol worker server client report learn cli"
  [testing]="common model core journal exec monitor protocol worker server client testing"
)
bad=0
for layer in "${!allowed[@]}"; do
  [ -d "$layer" ] || continue
  while IFS= read -r line; do
    file=${line%%:*}
    inc=$(sed -E 's/.*#include "([a-z_]+)\/.*/\1/' <<<"$line")
    ok=0
    for a in ${allowed[$layer]}; do [ "$inc" = "$a" ] && ok=1; done
    case "$file" in *_test.cc|*_itest.cc) [ "$inc" = testing ] && ok=1 ;; esac
    if [ $ok -eq 0 ]; then echo "layering: $line  ($layer may not include $inc/)"; bad=1; fi
  done < <(grep -rnE '#include "[a-z_]+/' "$layer" || true)
done
# The core does no I/O: no SQLite, sockets, processes or wall clock.
if grep -rnE '#include <(sqlite3\.h|sys/socket\.h|spawn\.h|unistd\.h|sys/wait\.h|thread)>' core; then
  echo "layering: core must not do I/O"; bad=1
fi
[ $bad -eq 0 ] && echo "layering: OK"
exit $bad
