#!/usr/bin/env bash
# Runs every go fuzz target in the module for a short time each
# (FUZZTIME, default 5s). The seed corpora under testdata/fuzz also run in
# the plain "go test" pass.
set -euo pipefail
cd "$(dirname "$0")/.."
t=${1:-${FUZZTIME:-5s}}
fail=0
for pkg in $(go list ./...); do
  dir=$(go list -f '{{.Dir}}' "$pkg")
  grep -lq '^func Fuzz' "$dir"/*_test.go 2>/dev/null || continue
  for target in $(go test -list '^Fuzz' "$pkg" | grep '^Fuzz' || true); do
    echo "fuzz $pkg $target ($t)"
    if ! go test -run '^$' -fuzz "^${target}\$" -fuzztime "$t" "$pkg" >/tmp/ringvault-fuzz.log 2>&1; then
      cat /tmp/ringvault-fuzz.log
      fail=1
    fi
  done
done
exit $fail
