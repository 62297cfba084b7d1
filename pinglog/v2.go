package pinglog

import (
	"encoding/binary"
	"fmt"
)

// V2 is a decoded version-2 ("prototype") log: "PING", the byte 2 (length
// of the Python struct format that follows), the format "IB" or "IH", then
// records of a little-endian u32 epoch and a u8 or u16 latency, in file
// order. It has no record count and no roll-over.
type V2 struct {
	// Format is the struct format, "IB" (5-byte records) or "IH" (6).
	Format  string
	Records []Record
}

// DataLength is the size of the latency field: 1 for "IB", 2 for "IH".
func (v *V2) DataLength() int {
	if v.Format == "IB" {
		return 1
	}
	return 2
}

// DecodeV2 decodes a whole version-2 file, as binary_tests.test_read reads
// it. A trailing partial record is an error.
func DecodeV2(data []byte) (*V2, error) {
	ver, err := Version(data)
	if err != nil {
		return nil, err
	}
	if ver != 2 {
		return nil, fmt.Errorf("%w: version byte %d, want 2", ErrVersion, ver)
	}
	if len(data) < v2HeaderLen {
		return nil, corrupt(int64(len(data)), "struct format", "file ends inside the 7-byte header")
	}
	format := string(data[5:7])
	var dl int
	switch format {
	case "IB":
		dl = 1
	case "IH":
		dl = 2
	default:
		return nil, corrupt(5, "struct format", "got %q, want \"IB\" or \"IH\"", format)
	}
	rl := 4 + dl
	body := data[v2HeaderLen:]
	if len(body)%rl != 0 {
		return nil, corrupt(int64(len(data)-len(body)%rl), "records",
			"%d trailing bytes after %d whole %d-byte records", len(body)%rl, len(body)/rl, rl)
	}
	v := &V2{Format: format, Records: make([]Record, len(body)/rl)}
	for i := range v.Records {
		p := body[i*rl:]
		r := Record{Time: binary.LittleEndian.Uint32(p)}
		if dl == 1 {
			r.Value = uint64(p[4])
		} else {
			r.Value = uint64(binary.LittleEndian.Uint16(p[4:]))
		}
		v.Records[i] = r
	}
	return v, nil
}

// AppendV2 appends a version-2 file holding recs to dst, with format "IB"
// or "IH" (test_write's layout).
func AppendV2(dst []byte, format string, recs []Record) ([]byte, error) {
	var max uint64
	switch format {
	case "IB":
		max = 0xff
	case "IH":
		max = 0xffff
	default:
		return dst, fmt.Errorf("%w: version 2 struct format %q, want \"IB\" or \"IH\"", ErrRange, format)
	}
	dst = append(dst, magic...)
	dst = append(dst, 2)
	dst = append(dst, format...)
	for i, r := range recs {
		if r.Value > max {
			return dst, fmt.Errorf("%w: record %d value %d does not fit format %q", ErrRange, i, r.Value, format)
		}
		dst = binary.LittleEndian.AppendUint32(dst, r.Time)
		if max == 0xff {
			dst = append(dst, byte(r.Value))
		} else {
			dst = binary.LittleEndian.AppendUint16(dst, uint16(r.Value))
		}
	}
	return dst, nil
}
