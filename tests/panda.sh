#!/usr/bin/env bash
# CTest's `panda`: allot.panda (python/tests/test_panda.py) with the real panda-client from PyPI,
# in the venv of scripts/panda-venv.sh, against a local HTTP stub of the PanDA server (no real
# PanDA). Exit 77 (CTest: Skipped) when that venv is missing, e.g. PyPI could not be reached.
set -euo pipefail
venv=$1
[ -d "$venv" ] && venv=$(cd "$venv" && pwd)
here=$(cd "$(dirname "$0")/.." && pwd)
if [ ! -x "$venv/bin/python" ] || [ ! -f "$venv/.allot-panda" ]; then
  echo "panda: SKIPPED: no $venv (make test creates it with scripts/panda-venv.sh)"
  exit 77
fi
cd "$here/python"
exec "$venv/bin/python" -m pytest -q -rs -p no:cacheprovider tests/test_panda.py
