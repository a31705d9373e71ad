#!/usr/bin/env bash
# CTest's `optimizers`: the Optuna and Ax integrations (python/tests/test_optuna*.py,
# test_ax.py) on the venv of scripts/optimizer-venv.sh (Optuna 5.1, Ax 1.3.1). Exit 77
# (CTest: Skipped) when that venv is missing, e.g. PyPI could not be reached by `make test`.
# Debian's Optuna 3.1 runs the same Optuna tests under ctest `python`.
set -euo pipefail
venv=$1
here=$(cd "$(dirname "$0")/.." && pwd)
if [ ! -x "$venv/bin/python" ] || [ ! -f "$venv/.allot-optimizers" ]; then
  echo "optimizers: SKIPPED: no $venv (make test creates it with scripts/optimizer-venv.sh)"
  exit 77
fi
cd "$here/python"
exec "$venv/bin/python" -m pytest -q -rs -p no:cacheprovider -W ignore::DeprecationWarning \
  tests/test_optuna.py tests/test_optuna_campaign.py tests/test_ax.py tests/test_examples.py
