package storage

import (
	"testing"

	"golang.org/x/sys/unix"
)

// refuseDirect makes direct transfers fail as a file system without
// O_DIRECT support does (EINVAL), or (short) move at most half of the
// first buffer, rounded down to DirectAlign but at least one unit, per
// call, until the test ends.
func refuseDirect(t *testing.T, short bool) {
	pr, pw, pwv := sysPread, sysPwrite, sysPwritev
	t.Cleanup(func() { sysPread, sysPwrite, sysPwritev = pr, pw, pwv })
	if short {
		half := func(n int) int { return max(DirectAlign, n/2&^(DirectAlign-1)) }
		sysPread = func(fd int, p []byte, off int64) (int, error) { return pr(fd, p[:half(len(p))], off) }
		sysPwrite = func(fd int, p []byte, off int64) (int, error) { return pw(fd, p[:half(len(p))], off) }
		sysPwritev = func(fd int, bufs [][]byte, off int64) (int, error) { return pw(fd, bufs[0][:half(len(bufs[0]))], off) }
		return
	}
	sysPread = func(int, []byte, int64) (int, error) { return 0, unix.EINVAL }
	sysPwrite = func(int, []byte, int64) (int, error) { return 0, unix.EINVAL }
	sysPwritev = func(int, [][]byte, int64) (int, error) { return 0, unix.EINVAL }
}

// TestDirectIORefused: when the kernel refuses direct I/O (EINVAL), the
// transfer is finished through the file's own descriptor and later ones go
// there directly; short direct transfers are continued. (A short unaligned
// direct read, at the end of a file, is finished buffered: wantDirectRead.)
func TestDirectIORefused(t *testing.T) {
	for _, short := range []bool{false, true} {
		t.Run(map[bool]string{false: "EINVAL", true: "short"}[short], func(t *testing.T) { testRefused(t, short) })
	}
}

func testRefused(t *testing.T, short bool) {
	f, _ := openTemp(t)
	// Each transfer on a fresh DirectIO, so each meets the refusal first.
	fresh := func() *DirectIO {
		w := NewDirectIO(f)
		t.Cleanup(func() { w.Close() })
		if !w.IsDirect() {
			t.Skip("no direct I/O on this file system")
		}
		return w
	}
	refuseDirect(t, short)
	a := alignedCopy(randBytes(20, 5*DirectAlign))
	w := fresh()
	if n, err := w.WriteAt(a, 0); n != len(a) || err != nil {
		t.Fatalf("WriteAt = %d, %v", n, err)
	}
	if w.IsDirect() != short {
		t.Fatalf("IsDirect = %v after the write", w.IsDirect())
	}
	v := [][]byte{alignedCopy(randBytes(21, 2*DirectAlign)), alignedCopy(randBytes(22, DirectAlign))}
	w = fresh()
	if n, err := w.WriteVecAt(v, int64(len(a))); n != 3*DirectAlign || err != nil {
		t.Fatalf("WriteVecAt = %d, %v", n, err)
	}
	if w.IsDirect() != short {
		t.Fatalf("IsDirect = %v after the vectored write", w.IsDirect())
	}
	model := append(append(a, v[0]...), v[1]...)
	wantContent(t, f, model)
	w = fresh()
	wantDirectRead(t, w, model)
	if w.IsDirect() != short {
		t.Fatalf("IsDirect = %v after the reads", w.IsDirect())
	}
}
