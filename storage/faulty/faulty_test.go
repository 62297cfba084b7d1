package faulty

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"syscall"
	"testing"
)

func TestSyncMakesDurable(t *testing.T) {
	f := New([]byte("hello"))
	if _, err := f.WriteAt([]byte("J"), 0); err != nil {
		t.Fatal(err)
	}
	if got := f.Crash(rand.New(rand.NewPCG(1, 2)), DropAll); string(got) != "hello" {
		t.Fatalf("drop-all crash before sync = %q, want hello", got)
	}
	if got := f.Crash(nil, KeepAll); string(got) != "Jello" {
		t.Fatalf("keep-all crash = %q, want Jello", got)
	}
	if err := f.Sync(); err != nil {
		t.Fatal(err)
	}
	if got := f.Crash(nil, DropAll); string(got) != "Jello" {
		t.Fatalf("crash after sync = %q, want Jello", got)
	}
}

func TestReadSeesUnsyncedAndExtends(t *testing.T) {
	f := New(nil)
	if _, err := f.WriteAt([]byte("xy"), 4); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 8)
	n, err := f.ReadAt(buf, 0)
	if n != 6 || err != io.EOF || !bytes.Equal(buf[:6], []byte{0, 0, 0, 0, 'x', 'y'}) {
		t.Fatalf("ReadAt = %d %v %q", n, err, buf[:n])
	}
	if sz, _ := f.Size(); sz != 6 {
		t.Fatalf("size %d, want 6", sz)
	}
	if err := f.Truncate(2); err != nil {
		t.Fatal(err)
	}
	if got := f.Current(); len(got) != 2 {
		t.Fatalf("after truncate len %d", len(got))
	}
}

// Every crash image must be the durable image plus a subset of sectors of
// the pending writes: each sector holds either old or new bytes.
func TestTearKeepsWholeSectors(t *testing.T) {
	old := bytes.Repeat([]byte{0xAA}, 4096)
	f := New(old)
	newData := bytes.Repeat([]byte{0x55}, 3000)
	if _, err := f.WriteAt(newData, 100); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(7, 7))
	sawPartial := false
	for range 200 {
		img := f.Crash(rng, Tear)
		if len(img) != 4096 {
			t.Fatalf("len %d", len(img))
		}
		kept := 0
		for s := 0; s < 4096; s += SectorSize {
			sec := img[s : s+SectorSize]
			lo, hi := max(s, 100), min(s+SectorSize, 3100)
			if lo >= hi {
				if !bytes.Equal(sec, old[s:s+SectorSize]) {
					t.Fatalf("untouched sector %d changed", s/SectorSize)
				}
				continue
			}
			inNew := bytes.Equal(img[lo:hi], newData[:hi-lo])
			inOld := bytes.Equal(img[lo:hi], old[lo:hi])
			if !inNew && !inOld {
				t.Fatalf("sector %d is a mixture", s/SectorSize)
			}
			if inNew {
				kept++
			}
		}
		if kept > 0 && kept < 7 {
			sawPartial = true
		}
	}
	if !sawPartial {
		t.Fatal("tear never produced a partially persisted write")
	}
}

func TestPrefixAndReorder(t *testing.T) {
	f := New(make([]byte, 3))
	for i := range 3 {
		if _, err := f.WriteAt([]byte{1}, int64(i)); err != nil {
			t.Fatal(err)
		}
	}
	rng := rand.New(rand.NewPCG(3, 4))
	sawOutOfOrder := false
	for range 200 {
		p := f.Crash(rng, Prefix)
		// A prefix is 1..1 then 0..0.
		seenZero := false
		for _, b := range p {
			if b == 0 {
				seenZero = true
			} else if seenZero {
				t.Fatalf("prefix crash %v is not a prefix", p)
			}
		}
		r := f.Crash(rng, Reorder)
		if r[0] == 0 && r[2] == 1 {
			sawOutOfOrder = true
		}
	}
	if !sawOutOfOrder {
		t.Fatal("reorder never kept a later write without an earlier one")
	}
}

func TestFailOnAndFrom(t *testing.T) {
	f := New(nil)
	f.FailOn(OpWrite, 2, syscall.ENOSPC)
	if _, err := f.WriteAt([]byte("a"), 0); err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt([]byte("b"), 1); !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("2nd write err %v, want ENOSPC", err)
	}
	if _, err := f.WriteAt([]byte("c"), 1); err != nil {
		t.Fatalf("3rd write err %v", err)
	}
	if string(f.Current()) != "ac" {
		t.Fatalf("current %q: a failed write must change nothing", f.Current())
	}
	f.FailFrom(OpSync, 1, syscall.EIO)
	for range 3 {
		if err := f.Sync(); !errors.Is(err, syscall.EIO) {
			t.Fatalf("sync err %v, want EIO", err)
		}
	}
	if f.Calls(OpWrite) != 3 || f.Calls(OpSync) != 3 {
		t.Fatalf("calls write %d sync %d", f.Calls(OpWrite), f.Calls(OpSync))
	}
	if len(f.Durable()) != 0 {
		t.Fatal("failed syncs made data durable")
	}
}

func TestClosed(t *testing.T) {
	f := New([]byte("x"))
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := f.ReadAt(make([]byte, 1), 0); err == nil {
		t.Fatal("read after close succeeded")
	}
}
