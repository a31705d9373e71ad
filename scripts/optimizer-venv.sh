#!/usr/bin/env bash
# The Python environment the optimizer integrations are tested in (issue 14): Optuna 5.1 and
# Ax 1.3.1 from PyPI in a venv over Debian's scientific stack. Idempotent; ~1 min the first time.
#
# Why this shape: PyPI's default resolution of ax-platform pulls torch 2.x with ~5.9 GB of
# nvidia-* CUDA wheels. Debian's python3-torch (1.13, CPU) and numpy/pandas/scipy/sklearn/plotly
# come from apt; the venv sees them (--system-site-packages) and adds only pure-Python wheels,
# pinned, with no dependency resolution by pip (--no-deps): ~230 MB, most of it a newer scipy than Debian's. Ax 1.3.1 and BoTorch 0.18.1
# declare torch>=2.4 but import and fit their GP models on torch 1.13 here: what the tests
# exercise (python/tests/test_ax.py) runs on it; anything else of Ax on this torch is untested.
# Debian's own python3-optuna (3.1) is tested too, by Debian's /usr/bin/python3 (ctest python).
#
# Usage: scripts/optimizer-venv.sh [DIR]   (default build/optimizer-venv). As a non-root user
# without the Debian packages it prints the apt line and exits 1.
set -euo pipefail
dir=${1:-build/optimizer-venv}
packages=(python3-venv python3-pip python3-torch python3-pandas python3-scipy python3-sklearn
          python3-plotly python3-jinja2 python3-sympy python3-ipython python3-ipywidgets
          python3-threadpoolctl python3-optuna)
wheels=(optuna==5.1.0 ax-platform==1.3.1 botorch==0.18.1 gpytorch==1.15.2 linear_operator==0.6.1
        jaxtyping==0.3.11 pyre-extensions==0.0.32 typing-inspect==0.9.0 mypy-extensions==1.2.0
        multipledispatch==1.0.0 graphviz==0.21 Markdown==3.11.3
        scipy==1.13.1)  # BoTorch 0.18 fits multi-output models with scipy >= 1.11 (Debian: 1.10)
stamp="$dir/.allot-optimizers"
want="${wheels[*]}"
[ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && exit 0

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "optimizer-venv: run as root: apt-get install -y --no-install-recommends ${missing[*]}" >&2
    exit 1
  fi
  echo "optimizer-venv: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
rm -rf "$dir"
/usr/bin/python3 -m venv --system-site-packages "$dir"
"$dir/bin/pip" install -q --disable-pip-version-check --no-deps "${wheels[@]}"
"$dir/bin/python" -c 'import optuna, ax, botorch; from ax.service.ax_client import AxClient'
echo "$want" > "$stamp"
echo "optimizer-venv: $dir: optuna $("$dir/bin/python" -c 'import optuna; print(optuna.__version__)'), ax $("$dir/bin/python" -c 'import ax; print(ax.__version__)' 2>/dev/null | tail -1)"
