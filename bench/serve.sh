#!/usr/bin/env bash
# Compares "ringvault serve" with Python carbon-cache (Debian's
# graphite-carbon 1.1.7, installed with apt-get when missing) on the same
# carbon plaintext stream and pickle frames over TCP loopback, in one run: N metrics x P
# points, each server on a temporary data directory with the same
# storage-schemas.conf (60s:1d). Prints points/s received and points/s
# persisted to whisper files for both, and the ratios.
#   bench/serve.sh [-metrics 2000] [-points 100] [-protocols plaintext,pickle]
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v carbon-cache >/dev/null 2>&1; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends graphite-carbon >/dev/null 2>&1 ||
    echo "could not install graphite-carbon; measuring ringvault alone" >&2
fi
bin=$(mktemp -d)
trap 'rm -rf "$bin"' EXIT
go build -o "$bin/ringvault" ./cmd/ringvault
go build -o "$bin/servebench" ./bench/cmd/servebench
carbon=$(command -v carbon-cache || true)
"$bin/servebench" -ringvault "$bin/ringvault" -carbon "$carbon" -python "${RINGVAULT_PYTHON:-/usr/bin/python3}" -check bench/serve_check.py "$@"
