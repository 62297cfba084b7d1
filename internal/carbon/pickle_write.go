package carbon

import (
	"encoding/binary"
	"math"
)

// AppendPickle appends metrics as a protocol-2 pickle of
// [(path, (timestamp, value)), ...], the payload carbon relays send on
// port 2004 (without the length prefix; see AppendFrame).
func AppendPickle(dst []byte, metrics []Metric) []byte {
	dst = append(dst, 0x80, 2, ']', '(') // PROTO 2, EMPTY_LIST, MARK
	for _, m := range metrics {
		dst = append(dst, 'X') // BINUNICODE
		dst = binary.LittleEndian.AppendUint32(dst, uint32(len(m.Name)))
		dst = append(dst, m.Name...)
		if m.Timestamp >= math.MinInt32 && m.Timestamp <= math.MaxInt32 {
			dst = append(dst, 'J') // BININT
			dst = binary.LittleEndian.AppendUint32(dst, uint32(int32(m.Timestamp)))
		} else {
			dst = append(dst, 'G')
			dst = binary.BigEndian.AppendUint64(dst, math.Float64bits(float64(m.Timestamp)))
		}
		dst = append(dst, 'G') // BINFLOAT
		dst = binary.BigEndian.AppendUint64(dst, math.Float64bits(m.Value))
		dst = append(dst, 0x86, 0x86) // TUPLE2 (ts, value), TUPLE2 (name, point)
	}
	return append(dst, 'e', '.') // APPENDS, STOP
}
