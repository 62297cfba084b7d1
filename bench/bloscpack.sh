#!/usr/bin/env bash
# Compares "ringvault blpk" with bloscpack 0.16's blpk end to end on a
# 160 MB float64 linspace file (np.linspace(0, 100, 2e7), bloscpack's own
# benchmark input), with blpk's defaults (blosclz, clevel 7, shuffle, 1 MiB
# chunks, adler32, offsets), in one run: compress and decompress times
# (best of RUNS), the output sizes, whether the .blp files are identical,
# and the speed ratios.
#
# The peer is bloscpack run from its source: BLOSCPACK_SRC names a folder
# holding its bloscpack/ package (tag v0.16.0; python3-blosc must be
# installed). bloscpack 0.16 needs collections.MutableMapping, gone since
# Python 3.10, and the 'deprecated' package; a wrapper in a temporary folder
# restores the alias and stands in for 'deprecated', the source is not
# touched. Without BLOSCPACK_SRC (no network needed) the peer is
# bench/bloscpack_loop.py, the same chunk loop on python3-blosc.
#   BLOSCPACK_SRC=/tmp/bloscpack-src bench/bloscpack.sh [RUNS] [NTHREADS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
nthreads=${2:-2}
py=${RINGVAULT_PYTHON:-/usr/bin/python3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/ringvault" ./cmd/ringvault
ln -s ringvault "$tmp/blpk"

"$py" -c "import numpy as np; np.linspace(0, 100, int(2e7)).astype('<f8').tofile('$tmp/in.bin')"
size=$(stat -c %s "$tmp/in.bin")

if [ -n "${BLOSCPACK_SRC:-}" ] && [ -d "$BLOSCPACK_SRC/bloscpack" ]; then
  mkdir -p "$tmp/shim"
  printf 'def deprecated(func=None, **kw):\n    return (lambda f: f) if func is None else func\n' > "$tmp/shim/deprecated.py"
  cat > "$tmp/peer" <<PEER
#!/bin/sh
exec "$py" -c "
import sys, collections, collections.abc
collections.MutableMapping = collections.abc.MutableMapping
sys.path[:0] = ['$tmp/shim', '$BLOSCPACK_SRC']
sys.argv[0] = 'blpk'
from bloscpack.cli import main
main()
" "\$@"
PEER
  chmod +x "$tmp/peer"
  peer_name="bloscpack 0.16.0 from $BLOSCPACK_SRC"
  peer_c() { "$tmp/peer" -f -n "$nthreads" compress "$1" "$2" >/dev/null; }
  peer_d() { "$tmp/peer" -f -n "$nthreads" decompress "$1" "$2" >/dev/null; }
else
  peer_name="python3-blosc chunk loop (bench/bloscpack_loop.py; set BLOSCPACK_SRC for bloscpack itself)"
  peer_c() { "$py" bench/bloscpack_loop.py compress "$nthreads" "$1" "$2"; }
  peer_d() { "$py" bench/bloscpack_loop.py decompress "$nthreads" "$1" "$2"; }
fi
rv_c() { "$tmp/blpk" -f -n "$nthreads" compress "$1" "$2" >/dev/null; }
rv_d() { "$tmp/blpk" -f -n "$nthreads" decompress "$1" "$2" >/dev/null; }

# best wall time of $runs runs of "$@" and the CPU time (user+sys) of that
# run, in seconds: "wall cpu". The output (the last argument) is removed
# before every run, untimed: each run writes a new file, as the first does
# (replacing a 160 MB file first frees its blocks, which on this VM's ext4
# costs 0.1-1 s and varies too much to compare anything).
best() {
  local b="1e9 0"
  for _ in $(seq "$runs"); do
    rm -f "${@: -1}"
    TIMEFORMAT='%R %U %S'
    { time "$@" 2>"$tmp/err" || { cat "$tmp/err" >&2; exit 1; }; } 2>"$tmp/time"
    b=$(echo "$(cat "$tmp/time") $b" | awk '{w=$1; c=$2+$3; print (w<$4)?w" "c:$4" "$5}')
  done
  echo "$b"
}

sync
read -r pc pcc < <(best peer_c "$tmp/in.bin" "$tmp/peer.blp")
read -r rc rcc < <(best rv_c "$tmp/in.bin" "$tmp/rv.blp")
read -r pd pdc < <(best peer_d "$tmp/peer.blp" "$tmp/peer.out")
read -r rd rdc < <(best rv_d "$tmp/rv.blp" "$tmp/rv.out")
cmp -s "$tmp/in.bin" "$tmp/peer.out" || { echo "peer round trip differs" >&2; exit 1; }
cmp -s "$tmp/in.bin" "$tmp/rv.out" || { echo "ringvault round trip differs" >&2; exit 1; }
"$tmp/blpk" -n "$nthreads" decompress "$tmp/peer.blp" "$tmp/cross.out" >/dev/null
cmp -s "$tmp/in.bin" "$tmp/cross.out" || { echo "ringvault cannot read the peer's file" >&2; exit 1; }
same=no; cmp -s "$tmp/peer.blp" "$tmp/rv.blp" && same=yes
# fixed cost: compressing a 1-byte file (process start, imports/init)
printf 'x' > "$tmp/one.bin"
read -r pf _ < <(best peer_c "$tmp/one.bin" "$tmp/one.peer.blp")
read -r rf _ < <(best rv_c "$tmp/one.bin" "$tmp/one.rv.blp")
psz=$(stat -c %s "$tmp/peer.blp"); rsz=$(stat -c %s "$tmp/rv.blp")

echo "input: $size bytes float64 linspace; -n $nthreads; best of $runs; $(nproc) cores (shared machine)"
echo "peer:  $peer_name"
awk -v pc="$pc" -v rc="$rc" -v pd="$pd" -v rd="$rd" -v pcc="$pcc" -v rcc="$rcc" -v pdc="$pdc" -v rdc="$rdc" \
    -v n="$size" -v ps="$psz" -v rs="$rsz" -v same="$same" -v pf="$pf" -v rf="$rf" 'BEGIN {
  printf "%-10s %9s %9s %9s %9s %8s %8s %8s\n", "", "peer s", "rv s", "peer MB/s", "rv MB/s", "speedup", "peer cpu", "rv cpu"
  printf "%-10s %9.3f %9.3f %9.1f %9.1f %7.2fx %8.2f %8.2f\n", "compress", pc, rc, n/pc/1e6, n/rc/1e6, pc/rc, pcc, rcc
  printf "%-10s %9.3f %9.3f %9.1f %9.1f %7.2fx %8.2f %8.2f\n", "decompress", pd, rd, n/pd/1e6, n/rd/1e6, pd/rd, pdc, rdc
  printf "%-10s %9.3f %9.3f %9.1f %9.1f %7.2fx %8.2f %8.2f\n", "total", pc+pd, rc+rd, 2*n/(pc+pd)/1e6, 2*n/(rc+rd)/1e6, (pc+pd)/(rc+rd), pcc+pdc, rcc+rdc
  printf "(wall seconds of the best of the runs and the CPU seconds, user+sys, of that run)\n"
  printf "output: peer %d bytes (ratio %.2f), ringvault %d bytes (ratio %.2f); identical .blp: %s\n", ps, n/ps, rs, n/rs, same
  printf "fixed cost (compress of a 1-byte file, included above): peer %.3f s, ringvault %.3f s\n", pf, rf
}'
