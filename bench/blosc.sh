#!/usr/bin/env bash
# Compares ringvault's Blosc1 codec with c-blosc 1.21 (python3-blosc) on the
# same 1 MiB chunks (float64 linspace and a float64 random walk), byte
# shuffle, 1 and 2 threads, for blosclz, lz4 and zstd, in one run; prints
# MB/s for both, the speed ratios and the compressed sizes.
#   bench/blosc.sh [-clevel N] [-codecs blosclz,lz4,zstd] [-shuffle byte|bit]
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
go build -o "$bin/bloscbench" ./bench/cmd/bloscbench
"$bin/bloscbench" "$@"
