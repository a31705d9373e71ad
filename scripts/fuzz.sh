#!/usr/bin/env bash
# Builds Allot's libFuzzer targets with clang, AddressSanitizer and UndefinedBehaviorSanitizer in
# build-fuzz/, and runs each for SECONDS; prints one line per target (executions, rate, corpus,
# result) and appends it to build-fuzz/fuzz-results.tsv. Exits 1 when any target found a crash,
# a hang (>10 s on one input), a leak or a sanitizer report; the input is kept in
# build-fuzz/findings/ (reproduce: build-fuzz/bin/<target>_fuzzer <file>).
#
#   scripts/fuzz.sh [--build-only | --no-build] [SECONDS] [TARGET...]   (default 60 s, all)
#
# The working corpus (build-fuzz/corpus/<target>) grows across runs, starting from the seeds in
# fuzz/seeds/ and examples/. FUZZ_JOBS=2 runs two targets at a time; FUZZ_TIMEOUT (seconds, default
# 10) is how long one input may take before it counts as a hang (raise it on a loaded machine).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${FUZZ_BUILD:-build-fuzz}
jobs=${FUZZ_JOBS:-1}
mode=run
case "${1:-}" in
  --build-only) mode=build; shift ;;
  --no-build) mode=nobuild; shift ;;
esac
seconds=${1:-60}
shift || true
all=(json_task_file yaml_task_file allocation_task_file worker_message http_request http_server)
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=("${all[@]}")

if [ "$mode" != nobuild ]; then
  cxx=$(command -v clang++-14 || command -v clang++ || true)
  cc=$(command -v clang-14 || command -v clang || true)
  if [ -z "$cxx" ]; then
    echo "fuzz: clang++ not found (scripts/install-deps.sh installs clang-14)" >&2
    exit 1
  fi
  launcher=()
  command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  [ -f "$build/build.ninja" ] || CC=$cc CXX=$cxx cmake -S . -B "$build" -G Ninja \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo -DALLOT_FUZZ=ON "${launcher[@]}" >/dev/null
  cmake --build "$build" --target allot_fuzzers -j "$(nproc)"
fi
[ "$mode" = build ] && exit 0
if [ ! -x "$build/bin/json_task_file_fuzzer" ]; then
  echo "fuzz: no fuzz build in $build (run scripts/fuzz.sh --build-only)" >&2
  exit 77
fi

mkdir -p "$build/findings" "$build/logs"
seeds_for() {
  local t=$1 dir=$build/seeds/$1
  rm -rf "$dir"; mkdir -p "$dir"
  [ -d "fuzz/seeds/$t" ] && cp fuzz/seeds/"$t"/* "$dir"/
  case $t in
    yaml_task_file) find examples -name '*.yaml' -exec cp {} "$dir"/ \; ;;
    worker_message) "$build/bin/worker_message_seeds" "$dir" ;;
  esac
  echo "$dir"
}

run_one() {
  local t=$1 log=$build/logs/$1.log corpus=$build/corpus/$1 seeds dict=()
  mkdir -p "$corpus"
  seeds=$(seeds_for "$t")
  case $t in
    *task_file|http_request) dict=(-dict=fuzz/task_file.dict) ;;
    http_server) dict=(-dict=fuzz/http.dict) ;;
  esac
  local rc=0
  ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 UBSAN_OPTIONS=print_stacktrace=1 \
    "$build/bin/${t}_fuzzer" -max_total_time="$seconds" -timeout="${FUZZ_TIMEOUT:-10}" -rss_limit_mb=2048 \
    -max_len=65536 -print_final_stats=1 "${dict[@]}" \
    -artifact_prefix="$build/findings/$t-" "$corpus" "$seeds" >"$log" 2>&1 || rc=$?
  local execs rate units
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  units=$(find "$corpus" -type f | wc -l)
  local result=ok
  [ "$rc" -ne 0 ] && result="FOUND (exit $rc, see $log)"
  printf '%s\t%ss\t%s execs\t%s/s\t%s inputs\t%s\n' "$t" "$seconds" "${execs:-?}" "${rate:-?}" \
    "$units" "$result" | tee -a "$build/fuzz-results.tsv"
  [ "$rc" -eq 0 ]
}

failed=0
if [ "$jobs" -gt 1 ]; then
  pids=()
  for t in "${targets[@]}"; do
    run_one "$t" & pids+=($!)
    while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do sleep 1; done
  done
  for p in "${pids[@]}"; do wait "$p" || failed=1; done
else
  for t in "${targets[@]}"; do run_one "$t" || failed=1; done
fi
exit $failed
