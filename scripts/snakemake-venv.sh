#!/usr/bin/env bash
# The Python environments the Snakemake integration is tested in (issue 15): Snakemake 9 with
# the executor-plugin interface packages from PyPI (for python/snakemake_executor_plugin_allot),
# or Snakemake 7 (for --cluster with python -m allot.snakemake). Plain venvs of Debian's
# /usr/bin/python3 (3.11), nothing in the system Python; idempotent; ~1 min the first time.
#
# Usage: scripts/snakemake-venv.sh [9|7] [DIR]
#   9 (default): DIR defaults to build/snakemake-venv
#   7:           DIR defaults to build/snakemake7-venv (Snakemake 7.32.4 needs PuLP < 2.8)
# The tests (python/tests/test_snakemake.py) use these two directories and say SKIPPED when
# one is missing. The plugin and the allot client are not installed into the venv: the tests
# put the checkout's python/ on PYTHONPATH (Snakemake finds plugins on sys.path by their
# module name); to install them instead: DIR/bin/pip install ./python ./python/snakemake-executor-plugin-allot
set -euo pipefail
major=${1:-9}
case "$major" in
  9) dir=${2:-build/snakemake-venv}
     wheels=(snakemake==9.27.1 snakemake-interface-executor-plugins==9.4.0
             snakemake-interface-common==1.23.0) ;;
  7) dir=${2:-build/snakemake7-venv}
     wheels=(snakemake==7.32.4 pulp==2.7.0) ;;
  *) echo "usage: $0 [9|7] [DIR]" >&2; exit 2 ;;
esac
stamp="$dir/.allot-snakemake"
want="${wheels[*]}"
[ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && exit 0
if ! /usr/bin/python3 -c 'import ensurepip' 2>/dev/null; then
  echo "snakemake-venv: needs python3-venv: apt-get install -y --no-install-recommends python3-venv" >&2
  exit 1
fi
rm -rf "$dir"
/usr/bin/python3 -m venv "$dir"
"$dir/bin/pip" install -q --disable-pip-version-check "${wheels[@]}"
"$dir/bin/snakemake" --version >/dev/null
echo "$want" > "$stamp"
echo "snakemake-venv: $dir: snakemake $("$dir/bin/snakemake" --version)"
