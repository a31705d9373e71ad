#!/bin/sh
# WIP (issue 14): the lightest honest Ax install found so far, tried by hand on 2026-12-03.
# PyPI's default resolution pulls torch 2.x with ~5.9 GB of nvidia-* CUDA wheels. Instead:
#   Debian's torch 1.13 (python3-torch, ~29 s of apt) and numpy/pandas/scipy/sklearn/plotly
#   (~27 s), then a venv with --system-site-packages and pinned pure-Python Ax/BoTorch, no deps
#   resolved by pip (56 MB). Ax 0.3.4 + BoTorch 0.9.2 + GPyTorch 1.11 fit GPEI on it (an AxClient
#   loop of 8 trials found x=0.29 for (x-0.3)^2).
#   Ax 0.3.7 fails on numpy 2 (from numpy import NaN); Ax 0.3.4 needs botorch 0.9.x
#   (SampleReducingMCAcquisitionFunction); botorch imports pyro.
# Usage: scripts/ax-venv.sh DIR
set -eu
dir=${1:-build/ax-venv}
apt-get install -y -q python3-torch python3-pandas python3-scipy python3-sklearn python3-plotly \
  python3-jinja2 python3-optuna >/dev/null
/usr/bin/python3 -m venv --system-site-packages "$dir"
"$dir/bin/pip" install -q --no-deps "ax-platform==0.3.4" "botorch==0.9.2" "gpytorch==1.11" \
  "linear_operator==0.5.1" jaxtyping typeguard==2.13.3 pyre-extensions typing-inspect \
  mypy-extensions multipledispatch pyro-ppl==1.8.6 pyro-api opt-einsum
