#!/usr/bin/env bash
# The Python environment allot.panda is tested in (issue 15): panda-client from PyPI, with its
# dependencies, in a venv of Debian's /usr/bin/python3 (never the system site-packages).
# Idempotent. No PanDA server is involved: python/tests/test_panda.py points the real client at
# a local HTTP stub of the server's REST API.
#
# Usage: scripts/panda-venv.sh [DIR]   (default build/panda-venv)
set -euo pipefail
dir=${1:-build/panda-venv}
wheels=(panda-client==2.2.0 pytest)
stamp="$dir/.allot-panda"
want="${wheels[*]}"
[ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && exit 0
if ! /usr/bin/python3 -c 'import ensurepip, venv' 2>/dev/null; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "panda-venv: run as root: apt-get install -y --no-install-recommends python3-venv" >&2
    exit 1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-venv >/dev/null
fi
rm -rf "$dir"
/usr/bin/python3 -m venv "$dir"
"$dir/bin/pip" install -q --disable-pip-version-check "${wheels[@]}"
PANDA_BEHIND_REAL_LB=1 "$dir/bin/python" -c 'import pandaclient.Client'
echo "$want" > "$stamp"
echo "panda-venv: $dir: panda-client $("$dir/bin/pip" show panda-client 2>/dev/null | sed -n 's/^Version: //p')"
