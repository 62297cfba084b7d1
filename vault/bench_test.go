package vault

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
)

// benchMiB is the size of the file the stream benchmarks use
// (VAULT_BENCH_MIB; bench/vault.sh sets 1024).
func benchMiB() int64 {
	if v, err := strconv.Atoi(os.Getenv("VAULT_BENCH_MIB")); err == nil && v > 0 {
		return int64(v)
	}
	return 32
}

func benchDB(b *testing.B) *DB {
	b.Helper()
	// Start from a synced file system: an earlier benchmark's deleted
	// 1 GiB file would otherwise be written back or trimmed (discard) at
	// this one's first fsync.
	syscall.Sync()
	db, err := Create(filepath.Join(b.TempDir(), "bench.vault"), keyOpts())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return db
}

// BenchmarkSmallFiles adds 1000 files of 1-8 KiB per transaction (one
// commit, two fsyncs, per 1000 files), on a real file.
func BenchmarkSmallFiles(b *testing.B) {
	db := benchDB(b)
	rng := rand.New(rand.NewPCG(1, 1))
	data := make([]byte, 8192)
	fill(rng, data)
	var bytes int64
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		err := db.Update(func(tx *Tx) error {
			dir := fmt.Sprintf("d%d", n)
			if err := tx.Mkdir(dir, 0o755); err != nil {
				return err
			}
			for i := range 1000 {
				sz := 1024 + rng.IntN(7*1024)
				bytes += int64(sz)
				if err := tx.WriteFile(fmt.Sprintf("%s/file%04d.txt", dir, i), data[:sz], 0o644); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.ReportMetric(float64(n*1000)/b.Elapsed().Seconds(), "files/s")
	b.SetBytes(bytes / int64(n))
}

func writeBig(b *testing.B, db *DB, name string, size int64) {
	buf := make([]byte, 1<<20)
	fill(rand.New(rand.NewPCG(2, 2)), buf)
	err := db.Update(func(tx *Tx) error {
		f, err := tx.Create(name)
		if err != nil {
			return err
		}
		for off := int64(0); off < size; off += int64(len(buf)) {
			if _, err := f.Write(buf); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

// BenchmarkWrite writes VAULT_BENCH_MIB MiB sequentially in one
// transaction (sealed, written, committed with two fsyncs).
func BenchmarkWrite(b *testing.B) {
	db := benchDB(b)
	size := benchMiB() << 20
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		writeBig(b, db, "big", size)
	}
}

// BenchmarkRead reads the file back sequentially.
func BenchmarkRead(b *testing.B) {
	db := benchDB(b)
	size := benchMiB() << 20
	writeBig(b, db, "big", size)
	buf := make([]byte, 1<<20)
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		err := db.View(func(tx *Tx) error {
			f, err := tx.Open("big")
			if err != nil {
				return err
			}
			for off := int64(0); off < size; off += int64(len(buf)) {
				if _, err := f.ReadAt(buf, off); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRandomRead4K reads 4 KiB at random offsets of the big file,
// with the file in the page cache (the write went past it, so the file is
// first read once through it, in 4 KiB pieces).
func BenchmarkRandomRead4K(b *testing.B) {
	db := benchDB(b)
	size := benchMiB() << 20
	writeBig(b, db, "big", size)
	rng := rand.New(rand.NewPCG(3, 3))
	buf := make([]byte, 4096)
	err := db.View(func(tx *Tx) error {
		f, err := tx.Open("big")
		if err != nil {
			return err
		}
		for off := int64(0); off < size; off += int64(len(buf)) {
			if _, err := f.ReadAt(buf, off); err != nil {
				return err
			}
		}
		b.SetBytes(4096)
		b.ReportAllocs()
		b.ResetTimer()
		for b.Loop() {
			if _, err := f.ReadAt(buf, rng.Int64N(size-4096)); err != nil {
				return err
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "reads/s")
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

// BenchmarkCommit is the latency of a transaction that changes one small
// file: two fsyncs on a real file.
func BenchmarkCommit(b *testing.B) {
	db := benchDB(b)
	msg := []byte("a small record\n")
	b.ReportAllocs()
	for b.Loop() {
		err := db.Update(func(tx *Tx) error { return tx.WriteFile("log", msg, 0o644) })
		if err != nil {
			b.Fatal(err)
		}
	}
}
