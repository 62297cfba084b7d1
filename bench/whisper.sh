#!/usr/bin/env bash
# Compares ringvault's whisper package with Debian's python3-whisper 1.1.4
# on the same files, points and now, in one run: single update() on
# 10s:1d,1m:30d,1h:5y, update_many() in batches of 1,000 and of 10, fetch()
# of 1 day and of 30 days, and the start-up of whisper-info/whisper-fetch
# against "ringvault whisper info/fetch". Prints µs/op, the ratios, the
# targets (>=30x update, >=20x update_many, >=50x 1-day fetch) and whether
# both sides wrote byte-identical files.
#   bench/whisper.sh [-scale 0.2] [-runs 20]
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
go build -o "$bin/whisperbench" ./bench/cmd/whisperbench
go build -o "$bin/ringvault" ./cmd/ringvault
"$bin/whisperbench" -python "${RINGVAULT_PYTHON:-/usr/bin/python3}" -script bench/whisper_py.py -ringvault "$bin/ringvault" "$@"
