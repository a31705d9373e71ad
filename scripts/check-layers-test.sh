#!/usr/bin/env bash
# Tests scripts/check-layers.sh on copies of src/: it passes on the tree as it is, and fails on
# each kind of violation it exists to catch.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0

check() {  # check NAME EXPECTED(pass|fail) MUTATION...
  local name=$1 expected=$2
  shift 2
  rm -rf "$work/src"
  cp -r "$here/../src" "$work/src"
  (cd "$work/src" && eval "$@")
  if SRC_DIR="$work/src" "$here/check-layers.sh" >"$work/out" 2>&1; then got=pass; else got=fail; fi
  if [ "$got" = "$expected" ]; then
    echo "ok: $name"
  else
    echo "FAILED: $name (expected $expected, got $got)"; cat "$work/out"; failures=1
  fi
}

check "the tree as it is" pass true
check "epoll in the core" fail "sed -i '1i #include <sys/epoll.h>' core/scheduler.cc"
check "fstream in the core" fail "sed -i '1i #include <fstream>' core/task_graph.cc"
check "a thread in a core header" fail "sed -i '1i #include <thread>' core/outbox.h"
check "SQLite in the core" fail "sed -i '1i #include <sqlite3.h>' core/event_fold.cc"
check "a wall-clock read in the core" fail \
  "sed -i 's|^namespace allot {|namespace allot {\nstatic auto t0 = std::chrono::system_clock::now();|' core/task_table.cc"
check "the core including the journal" fail "sed -i '1i #include \"journal/journal_store.h\"' core/scheduler.cc"
check "the model including the core" fail "sed -i '1i #include \"core/outbox.h\"' model/task_spec.cc"
check "an undeclared folder" fail "mkdir plugins && echo 'int x;' > plugins/p.cc"
check "a socket in the model" fail "sed -i '1i #include <sys/socket.h>' model/glob.cc"
exit $failures
