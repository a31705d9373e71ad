#!/bin/sh
# test_dist.sh BUILD_DIR: the `make dist` tarball (scripts/make-dist.sh) runs the demo campaign
# in a minimal Debian root (debootstrap --variant=minbase: none of allot's build dependencies,
# no Python) as an unprivileged user, and its Python client finds its binary.
#
# The minimal root is built once and kept in $ALLOT_DIST_ROOT (default
# /var/cache/allot/bookworm-minbase); each run unpacks the tarball into a fresh copy of it.
# Needs root (chroot, mounts in a private namespace). Exits 77 (skipped) when the Debian
# mirror cannot be reached to build the root.
set -eu

build=$(cd "${1:?usage: test_dist.sh BUILD_DIR}" && pwd)
src=$(cd "$(dirname "$0")/../.." && pwd)
cache=${ALLOT_DIST_ROOT:-/var/cache/allot/bookworm-minbase}
work=$(mktemp -d /var/tmp/allot-dist-test.XXXXXX)
trap 'rm -rf "$work"' EXIT
fail() { echo "test_dist.sh: FAIL: $*" >&2; exit 1; }

# 1. The tarball.
tarball=$("$src/scripts/make-dist.sh" "$build" "$work/out")
[ -f "$tarball" ] || fail "make-dist.sh made no tarball"
name=$(basename "$tarball" .tar.gz)

# 2. A minimal Debian root, once.
if [ ! -x "$cache/bin/sh" ]; then
  command -v debootstrap >/dev/null || fail "debootstrap is missing (scripts/install-deps.sh installs it)"
  mirror=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  mirror=${mirror:-http://deb.debian.org/debian}
  echo "test_dist.sh: building a minimal Debian root in $cache from $mirror (once)" >&2
  rm -rf "$cache.tmp"
  mkdir -p "$(dirname "$cache")"
  if ! debootstrap --variant=minbase bookworm "$cache.tmp" "$mirror" > "$work/debootstrap.log" 2>&1; then
    tail -5 "$work/debootstrap.log" >&2
    rm -rf "$cache.tmp"
    echo "test_dist.sh: SKIPPED: could not build a Debian root from $mirror" >&2
    exit 77
  fi
  mv "$cache.tmp" "$cache"
fi

# 3. A fresh copy of it, which must lack what allot links against: the tarball's own
#    libraries are then the ones used.
root="$work/root"
cp -a "$cache" "$root"
for lib in libzmq.so libsqlite3.so libyaml-cpp.so libfmt.so libsodium.so libcpp-httplib.so \
           libhwloc.so; do
  found=$(find "$root/usr" "$root/lib" -name "$lib*" 2>/dev/null | head -1)
  [ -z "$found" ] || fail "the minimal root already has $found"
done
[ ! -e "$root/usr/bin/python3" ] || fail "the minimal root has python3"
tar -C "$root/opt" -xzf "$tarball"

# 4. The demo, as nobody, from a directory of its own, with /proc and /dev in a private mount
#    namespace (gone when it ends); /sys too, for the CPU topology.
unshare --mount --fork /bin/sh -eu -c '
  root=$1 name=$2
  mount -t proc proc "$root/proc"
  mount --rbind /dev "$root/dev"
  mount --rbind /sys "$root/sys"
  chroot --userspec=65534:65534 "$root" /usr/bin/env -i HOME=/tmp PATH=/usr/bin:/bin \
    /bin/sh -eu -c "
      cd /tmp && cp -R /opt/$name/examples . &&
      /opt/$name/bin/allot --version &&
      /opt/$name/bin/allot run examples/demo/workflow.yaml --workdir /tmp/demo-run &&
      /opt/$name/bin/allot status --workdir /tmp/demo-run --json > /tmp/status.json"
' sh "$root" "$name" > "$work/run.log" 2>&1 || { cat "$work/run.log" >&2; fail "the demo did not run in the minimal root"; }
cat "$work/run.log"
grep -q '"succeeded": *13' "$root/tmp/status.json" ||
  { cat "$root/tmp/status.json" >&2; fail "the demo did not end with 13 succeeded tasks"; }
[ -s "$root/tmp/demo-run/aggregate/result.txt" ] || fail "the aggregate wrote no result"
uid=$(stat -c %u "$root/tmp/demo-run/aggregate/result.txt")
[ "$uid" = 65534 ] || fail "the demo's output belongs to uid $uid, not nobody"

# 5. The Python client of the tarball finds the tarball's binary (host python3: the minimal
#    root has none), with no allot on PATH.
env -u ALLOT_BIN_DIR PATH=/usr/bin:/bin PYTHONPATH="$root/opt/$name/python" /usr/bin/python3 -c "
import allot, sys
b = allot.find_binary()
assert b == '$root/opt/$name/bin/allot', b
print('python client finds', b)
"
echo "test_dist.sh: PASS: $name runs the demo in a minimal Debian root"
