#!/usr/bin/env bash
# Installs the Debian packages Allot needs to build, test and benchmark. Idempotent: does
# nothing when everything is present. As a non-root user it prints the exact apt line.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  nlohmann-json3-dev libsimdjson-dev libyaml-cpp-dev libsqlite3-dev sqlite3 libcli11-dev
  libspdlog-dev libfmt-dev libcpp-httplib-dev libzmq3-dev cppzmq-dev libsodium-dev libhwloc-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  python3 python3-pytest parallel procps
  python3-prometheus-client  # tests/e2e/test_metrics.py parses /metrics with its parser
  slurm-wlm munge  # tests/e2e/test_slurm_cluster.py, via scripts/local-slurm.sh
  slurmdbd mariadb-server  # its accounting (sacct) for per-task Slurm jobs: tests/e2e/test_slurm_jobs.py
  chromium  # tests/e2e/test_report.py renders `allot report --format html` headless
  clang-14 libclang-rt-14-dev  # libFuzzer, ASan and UBSan: `make fuzz`, the fuzz_smoke test
  patchelf  # `make dist` points the binary and its libraries at the tarball's lib/
  debootstrap  # tests/dist/test_dist.sh runs the tarball in a minimal Debian root
  # tests/e2e/test_job_types.py runs container tasks for real: podman, an image imported from
  # busybox-static, catatonit for --init; runc because crun refuses hybrid cgroups (v1 + v2),
  # which containers such as CI machines often have. About 30 MB, seconds to install.
  podman catatonit runc busybox-static
  mpich  # python/tests/test_multinode.py runs a 2-node MPI task through allot node-exec
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

line="apt-get update && apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing packages: ${missing[*]}" >&2
  echo "install-deps: run as root:  $line" >&2
  exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
