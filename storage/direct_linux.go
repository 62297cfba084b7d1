package storage

import (
	"fmt"
	"io"

	"golang.org/x/sys/unix"
)

// openDirect opens the file f refers to again, with f's access mode and
// O_DIRECT, through /proc/self/fd (so a rename or a change of directory
// since f was opened does not matter). -1 if that is not possible.
func openDirect(f *OSFile) int {
	fd := int(f.f.Fd())
	fl, err := unix.FcntlInt(uintptr(fd), unix.F_GETFL, 0)
	if err != nil {
		return -1
	}
	for {
		dfd, err := unix.Open(fmt.Sprintf("/proc/self/fd/%d", fd), fl&unix.O_ACCMODE|unix.O_DIRECT|unix.O_CLOEXEC, 0)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return -1
		}
		var a, b unix.Stat_t
		if unix.Fstat(fd, &a) != nil || unix.Fstat(dfd, &b) != nil || a.Dev != b.Dev || a.Ino != b.Ino {
			unix.Close(dfd)
			return -1
		}
		return dfd
	}
}

// pwriteDirect writes all of p at off on the O_DIRECT descriptor fd.
// errDirectUnsupported (with the bytes written so far) means the file
// system refused direct I/O (EINVAL); the caller falls back.
func pwriteDirect(fd int, p []byte, off int64) (int, error) {
	n := 0
	for n < len(p) {
		m, err := sysPwrite(fd, p[n:], off+int64(n))
		switch {
		case err == unix.EINTR:
			continue
		case err == unix.EINVAL:
			return n, errDirectUnsupported
		case err != nil:
			return n, err
		case m == 0:
			return n, fmt.Errorf("short write: %w", unix.EIO)
		}
		n += m
		if n%DirectAlign != 0 && n < len(p) {
			return n, errFinishBuffered // a short write left the rest unaligned
		}
	}
	return n, nil
}

// The system calls of direct transfers; tests replace them to make the
// kernel refuse direct I/O.
var (
	sysPread   = unix.Pread
	sysPwrite  = unix.Pwrite
	sysPwritev = unix.Pwritev
)

// preadDirect reads p at off on the O_DIRECT descriptor fd, until p is
// full or the end of the file (io.EOF).
func preadDirect(fd int, p []byte, off int64) (int, error) {
	n := 0
	for n < len(p) {
		m, err := sysPread(fd, p[n:], off+int64(n))
		switch {
		case err == unix.EINTR:
			continue
		case err == unix.EINVAL:
			return n, errDirectUnsupported
		case err != nil:
			return n, err
		case m == 0:
			return n, io.EOF
		}
		n += m
		if n%DirectAlign != 0 && n < len(p) {
			return n, errFinishBuffered // a short, unaligned read
		}
	}
	return n, nil
}

// pwritevDirect writes all of bufs at off on the O_DIRECT descriptor fd,
// in pwritev calls of at most iovMax buffers.
func pwritevDirect(fd int, bufs [][]byte, off int64) (int, error) {
	const iovMax = 1024
	n := 0
	for len(bufs) > 0 {
		vec := bufs[:min(len(bufs), iovMax)]
		m, err := sysPwritev(fd, vec, off+int64(n))
		switch {
		case err == unix.EINTR:
			continue
		case err == unix.EINVAL:
			return n, errDirectUnsupported
		case err != nil:
			return n, err
		case m == 0:
			return n, fmt.Errorf("short write: %w", unix.EIO)
		}
		n += m
		for len(bufs) > 0 && m >= len(bufs[0]) {
			m -= len(bufs[0])
			bufs = bufs[1:]
		}
		if m > 0 {
			if m%DirectAlign != 0 {
				return n, errFinishBuffered
			}
			bufs = append([][]byte{bufs[0][m:]}, bufs[1:]...)
		}
	}
	return n, nil
}

func closeDirect(fd int) error {
	if fd < 0 {
		return nil
	}
	return unix.Close(fd)
}
