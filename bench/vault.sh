#!/usr/bin/env bash
# bench/vault.sh — ringvault vault against sqlite3 -A (SQLite Archive, the
# closest installed peer of an archive container) in one run:
#   1. 10,000 small files (1-8 KiB) added and committed: ringvault vault
#      create+add vs sqlite3 -Ac (target: >= 2x faster);
#   2. 1 GiB sequential encrypted write (vault add) and read (vault cat)
#      (target: >= 0.5 GB/s), with two dd baselines (through and past the
#      page cache; the vault writes its data past it, so the read that
#      follows finds nothing cached);
#   3. random 4 KiB reads in a 1 GiB vault file and commit latency (two
#      fsyncs per transaction), from the Go benchmarks.
# Usage: bench/vault.sh [WORKDIR]   (SKIP_BIG=1 skips the 1 GiB parts)
set -euo pipefail
cd "$(dirname "$0")/.."
work=${1:-$(mktemp -d /tmp/vault-bench.XXXXXX)}
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT
rv="$work/ringvault"
go build -o "$rv" ./cmd/ringvault
command -v sqlite3 >/dev/null || { echo "sqlite3 not installed" >&2; exit 1; }

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN{printf "%.3f", b-a}'; }

# The key file avoids timing Argon2id (the password KDF runs once per open
# by design; with the default t=3 m=64MiB it costs ~0.1-0.3 s).
head -c 32 /dev/urandom >"$work/key"

echo "== 10,000 small files (1-8 KiB) in 100 directories"
python3 - "$work/tree" <<'PY'
import os, random, sys
random.seed(7)
root = sys.argv[1]
for d in range(100):
    p = os.path.join(root, "dir%03d" % d)
    os.makedirs(p)
    for f in range(100):
        with open(os.path.join(p, "file%03d.txt" % f), "wb") as fh:
            fh.write(os.urandom(random.randint(1024, 8192)))
PY
du -sh --apparent-size "$work/tree" | awk '{print "input: " $1}'
sync
cd "$work"
t0=$(now)
"$rv" vault create --key-file key small.vault
"$rv" vault add --key-file key small.vault tree
t1=$(now)
sqlite3 small.sqlar -Ac tree
t2=$(now)
cd - >/dev/null
rv_s=$(secs "$t0" "$t1"); sq_s=$(secs "$t1" "$t2")
printf "ringvault vault create+add: %ss  (%s bytes)\n" "$rv_s" "$(stat -c %s "$work/small.vault")"
printf "sqlite3 -Ac (sqlar):        %ss  (%s bytes)\n" "$sq_s" "$(stat -c %s "$work/small.sqlar")"
awk -v a="$rv_s" -v b="$sq_s" 'BEGIN{printf "ratio: ringvault is %.2fx faster than sqlite3 -A\n", b/a}'
"$rv" vault check --key-file "$work/key" "$work/small.vault"

if [ "${SKIP_BIG:-0}" != 1 ]; then
  echo "== 1 GiB sequential encrypted write and read"
  head -c 1073741824 /dev/urandom >"$work/big.bin"
  cat "$work/big.bin" >/dev/null   # into the page cache: time the vault, not the source disk
  sync   # and not the source's writeback (ext4 would make the vault's fsync wait for it)
  # Every timed run starts after a sync: the file system (mounted with
  # discard here) trims a deleted file's blocks at the next journal commit,
  # which would otherwise land in the next run's fsync.
  t0=$(now)
  dd if="$work/big.bin" of="$work/dd.out" bs=1M conv=fsync status=none
  t1=$(now)
  rm -f "$work/dd.out"; sync
  t2=$(now)
  dd if="$work/big.bin" of="$work/dd.out" bs=8M oflag=direct conv=fsync status=none
  t3=$(now)
  rm -f "$work/dd.out"; sync
  awk -v a="$(secs "$t0" "$t1")" 'BEGIN{printf "disk baseline (dd 1 GiB, conv=fsync, no encryption): %.3fs = %.2f GB/s\n", a, 1.073741824/a}'
  awk -v a="$(secs "$t2" "$t3")" 'BEGIN{printf "disk baseline past the page cache (dd bs=8M oflag=direct conv=fsync): %.3fs = %.2f GB/s\n", a, 1.073741824/a}'
  "$rv" vault create --key-file "$work/key" "$work/big.vault"
  sync
  t0=$(now)
  "$rv" vault add --key-file "$work/key" "$work/big.vault" "$work/big.bin"
  t1=$(now)
  "$rv" vault cat --key-file "$work/key" "$work/big.vault" "$(echo "$work/big.bin" | sed 's,^/,,')" >/dev/null
  t2=$(now)
  awk -v a="$(secs "$t0" "$t1")" 'BEGIN{printf "write (vault add, incl. 2 fsyncs): %.3fs = %.2f GB/s\n", a, 1.073741824/a}'
  awk -v a="$(secs "$t1" "$t2")" 'BEGIN{printf "read  (vault cat > /dev/null):     %.3fs = %.2f GB/s\n", a, 1.073741824/a}'
  rm -f "$work/big.bin" "$work/big.vault"
fi

echo "== random 4 KiB reads in a 1 GiB file; commit latency (go test -bench)"
mib=1024
[ "${SKIP_BIG:-0}" = 1 ] && mib=64
VAULT_BENCH_MIB=$mib TMPDIR="$work" go test -run '^$' -bench 'RandomRead4K|Commit' -benchtime 2s ./vault | grep -E '^Benchmark'
echo "== in-process sequential write and read of $mib MiB (no source file, no pipe)"
VAULT_BENCH_MIB=$mib TMPDIR="$work" go test -run '^$' -bench 'Write$|Read$' -benchtime 2x ./vault | grep -E '^Benchmark'
echo "(the machine may be shared: compare figures from one run only)"
