#!/usr/bin/env bash
# Enforces the layers of DESIGN.md on #include lines, for every folder under src/:
#   1. a file in layer X may include only headers of the layers X may depend on (tests may also
#      include src/testing);
#   2. every folder directly under src/ must be declared below (a new layer is a decision);
#   3. the core does no I/O: no files, sockets, epoll, processes, threads, ZeroMQ, SQLite, HTTP,
#      and no wall-clock or steady-clock reads (time comes from the injected Clock);
#   4. the model reads no files and opens no sockets either (it parses text it is given).
# SRC_DIR overrides the tree checked (scripts/check-layers-test.sh uses it).
set -euo pipefail
src=${SRC_DIR:-"$(dirname "$0")/../src"}
cd "$src"

declare -A allowed=(
  [common]="common"
  [model]="common model"
  [study]="common model study"
  [core]="common model core"
  [journal]="common model journal"
  [report]="common model core journal study report"
  [exec]="common model exec"
  [monitor]="common monitor"
  [protocol]="common model protocol"
  [worker]="common model exec monitor protocol worker"
  [server]="common model core journal exec monitor protocol worker server"
  [client]="common model protocol client"
  [learn]="common model core journal study report learn"
  [cli]="common model study core journal exec monitor protocol worker server client report learn cli"
  [testing]="common model core journal exec monitor protocol worker server client testing"
)
bad=0
for dir in */; do
  layer=${dir%/}
  if [ -z "${allowed[$layer]+x}" ]; then
    echo "layering: src/$layer is not a declared layer (add it to scripts/check-layers.sh, DESIGN.md and the README's layout)"
    bad=1
  fi
done
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

io_headers='sqlite3\.h|zmq\.h|zmq\.hpp|httplib\.h|fstream|iostream|cstdio|stdio\.h|filesystem|thread|mutex|condition_variable|future|unistd\.h|fcntl\.h|dirent\.h|poll\.h|spawn\.h|netdb\.h|sys/[a-z_]+\.h|netinet/[a-z_]+\.h|arpa/[a-z_]+\.h|hwloc\.h'
# Tests of the core may use files and threads (fixtures); the core itself may not.
core_io=$(grep -rnE "#include <($io_headers)>" core --include=*.cc --include=*.h |
          grep -vE '_(i)?test\.cc:' || true)
if [ -n "$core_io" ]; then
  echo "$core_io"
  echo "layering: the core must not do I/O (files, sockets, epoll, processes, threads, SQLite, ZeroMQ, HTTP)"
  bad=1
fi
core_clock=$(grep -rnE '(system_clock|steady_clock|high_resolution_clock)::now|\btime\(|gettimeofday|clock_gettime' \
               core --include=*.cc --include=*.h | grep -vE '_(i)?test\.cc:' || true)
if [ -n "$core_clock" ]; then
  echo "$core_clock"
  echo "layering: the core reads time only from the injected Clock"
  bad=1
fi
model_io=$(grep -rnE "#include <(sqlite3\.h|zmq\.h|zmq\.hpp|httplib\.h|thread|sys/socket\.h|sys/epoll\.h|spawn\.h)>" \
             model --include=*.cc --include=*.h | grep -vE '_(i)?test\.cc:' || true)
if [ -n "$model_io" ]; then
  echo "$model_io"
  echo "layering: the model parses and validates; it opens no sockets, databases or processes"
  bad=1
fi
[ $bad -eq 0 ] && echo "layering: OK"
exit $bad
