#!/usr/bin/env bash
# Compares ringvault's tscodec with Prometheus' XOR chunks (tsdb/chunkenc)
# on the shipped NOAA hourly normals and a 1 Hz latency series, in one run,
# and prints bytes/sample, encode/decode samples/s (one core) and ratios.
# bench/tscodec is its own Go module so the main module does not depend on
# Prometheus.
set -euo pipefail
cd "$(dirname "$0")/tscodec"
exec go run . "$@"
