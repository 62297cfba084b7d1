#!/usr/bin/env bash
# Installs the reference implementations the differential tests compare
# against: Debian's python3-whisper and python3-blosc (with numpy),
# graphite-carbon (carbon's own line and pickle receivers) and graphite-web
# (its render functions), and sqlite3 for the vault benchmark. Does nothing
# when they are present. Installing graphite-carbon starts no daemon here:
# Debian ships carbon-cache disabled.
set -euo pipefail
PY=${RINGVAULT_PYTHON:-/usr/bin/python3}
need=()
"$PY" -c 'import whisper' 2>/dev/null || need+=(python3-whisper)
"$PY" -c 'import blosc, numpy' 2>/dev/null || need+=(python3-blosc python3-numpy)
"$PY" -c 'import carbon.protocols' 2>/dev/null || need+=(graphite-carbon)
"$PY" -c 'import graphite.render, django, pytz' 2>/dev/null || need+=(graphite-web python3-django python3-tz)
command -v sqlite3 >/dev/null 2>&1 || need+=(sqlite3)
[ ${#need[@]} -eq 0 ] && exit 0
echo "installing test oracles: ${need[*]}"
SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends python3 "${need[@]}" >/dev/null
"$PY" -c 'import whisper, blosc, numpy, carbon.protocols, graphite.render, django, pytz' || { echo "test oracles did not install" >&2; exit 1; }
