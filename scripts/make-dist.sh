#!/bin/sh
# make-dist.sh BUILD_DIR OUT_DIR: the tarball an HPC user copies to a login node and unpacks
# anywhere, without root and without any -dev package:
#
#   allot-<version>-linux-<arch>/
#     bin/allot                 RUNPATH $ORIGIN/../lib
#     lib/*.so*                 every shared library allot needs beyond glibc (ZeroMQ, SQLite,
#                               yaml-cpp, fmt, libstdc++, ...), each with RUNPATH $ORIGIN
#     python/allot/             the Python client (finds ../bin/allot by itself)
#     python/snakemake_executor_plugin_allot/   snakemake --executor allot (Snakemake 8/9)
#     bin/allot-snakemake, bin/allot-snakemake-cancel   Snakemake 7 --cluster (../python)
#     examples/demo/            the demo campaign
#     README.md, README.dist    the project README and how to use this tarball
#
# glibc itself (libc, libm, libpthread, libdl, librt, libresolv, the loader) is the target
# machine's: the tarball runs where glibc is at least the version printed at the end (the
# newest GLIBC_ symbol the binary and its libraries use). Prints the tarball's path last.
set -eu

build=${1:?usage: make-dist.sh BUILD_DIR OUT_DIR}
out=${2:?usage: make-dist.sh BUILD_DIR OUT_DIR}
root=$(cd "$(dirname "$0")/.." && pwd)
binary="$build/bin/allot"
[ -x "$binary" ] || { echo "make-dist.sh: $binary is not built (run make build)" >&2; exit 2; }
command -v patchelf >/dev/null || { echo "make-dist.sh: patchelf is missing (apt-get install patchelf)" >&2; exit 2; }

version=$("$binary" --version | awk '{print $2}')
arch=$(uname -m)
name="allot-$version-linux-$arch"
mkdir -p "$out"
out=$(cd "$out" && pwd)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
dir="$stage/$name"
mkdir -p "$dir/bin" "$dir/lib" "$dir/python" "$dir/examples"

cp "$binary" "$dir/bin/allot"
# The libraries ldd resolves, except glibc's own (the target machine's glibc must be used).
ldd "$binary" | awk '$2 == "=>" && $3 ~ /^\// { print $3 }' | while read -r lib; do
  case "$(basename "$lib")" in
    libc.so.*|libm.so.*|libpthread.so.*|libdl.so.*|librt.so.*|libresolv.so.*|ld-linux*|libutil.so.*)
      continue ;;
  esac
  cp -L "$lib" "$dir/lib/"
done
patchelf --set-rpath '$ORIGIN/../lib' "$dir/bin/allot"
for lib in "$dir"/lib/*; do
  chmod u+w "$lib"
  patchelf --set-rpath '$ORIGIN' "$lib"
done
strip --strip-debug "$dir/bin/allot" "$dir"/lib/* 2>/dev/null || true

# The Python client, without caches.
cp -R "$root/python/allot" "$root/python/snakemake_executor_plugin_allot" "$dir/python/"
cp "$root/scripts/allot-snakemake" "$root/scripts/allot-snakemake-cancel" "$dir/bin/"
find "$dir/python" -name __pycache__ -type d -prune -exec rm -rf {} +
cp -R "$root/examples/demo" "$dir/examples/"
cp "$root/README.md" "$dir/"

glibc=$(for f in "$dir/bin/allot" "$dir"/lib/*; do objdump -T "$f" 2>/dev/null; done |
          grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -uV | tail -1)
cat > "$dir/README.dist" <<EOF
Allot $version for Linux $arch: one binary and the libraries it needs, no root, no -dev
packages. Needs glibc $glibc or newer on the target machine (\`ldd --version\`).

  tar xzf $name.tar.gz
  $name/bin/allot --version
  cd $name && bin/allot run examples/demo/workflow.yaml --workdir demo-run

Put $name/bin on PATH (export PATH=\$PWD/$name/bin:\$PATH). The Python client is in
$name/python (PYTHONPATH=\$PWD/$name/python python3 -c 'import allot'); it finds
$name/bin/allot by itself. Snakemake: with that PYTHONPATH, \`snakemake --executor allot\`
(Snakemake 8/9); for Snakemake 7, bin/allot-snakemake and bin/allot-snakemake-cancel
(README "From Snakemake").
EOF

tarball="$out/$name.tar.gz"
tar -C "$stage" -czf "$tarball" "$name"
echo "glibc >= $glibc; $(du -h "$tarball" | cut -f1) $tarball" >&2
echo "$tarball"
