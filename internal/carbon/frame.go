package carbon

import (
	"encoding/binary"
	"fmt"
	"io"
)

// ReadFrame reads one length-prefixed frame as Twisted's
// Int32StringReceiver does for carbon's pickle and protobuf receivers: a
// 4-byte unsigned big-endian length, then that many bytes. A length above
// max is refused with ErrFrameTooLarge before anything is allocated
// (carbon closes the connection). buf is reused when it is large enough.
// At a clean end of stream it returns io.EOF; a stream cut inside a frame
// gives io.ErrUnexpectedEOF.
func ReadFrame(r io.Reader, buf []byte, max int) ([]byte, error) {
	var hdr [4]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return buf[:0], err
	}
	n := binary.BigEndian.Uint32(hdr[:])
	if uint64(n) > uint64(max) {
		return buf[:0], fmt.Errorf("%w: length prefix %d above the limit %d", ErrFrameTooLarge, n, max)
	}
	if cap(buf) < int(n) {
		buf = make([]byte, n)
	}
	buf = buf[:n]
	if _, err := io.ReadFull(r, buf); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return buf[:0], err
	}
	return buf, nil
}

// AppendFrame appends the 4-byte big-endian length of payload and payload.
func AppendFrame(dst, payload []byte) []byte {
	dst = binary.BigEndian.AppendUint32(dst, uint32(len(payload)))
	return append(dst, payload...)
}
