#!/usr/bin/env bash
# ringvault's whole test suite, as CI runs it: installs the test oracles
# (python3-whisper, python3-blosc) when missing, checks formatting and vet,
# runs every test (differential tests against the oracles included) and a
# short run of every fuzz target.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-oracles.sh
export RINGVAULT_REQUIRE_ORACLES=1 # differential tests fail, not skip, without their oracle
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then echo "gofmt needed: $unformatted" >&2; exit 1; fi
go vet ./...
go test -count=1 -timeout 15m ./...
scripts/fuzz.sh "${FUZZTIME:-4s}"
echo "all tests passed"
