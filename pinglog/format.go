package pinglog

// Wire constants of the PING formats. Never change them.
const (
	magic = "PING"

	// Version 3: 24-byte header, little-endian.
	v3HeaderLen   = 24
	v3OffVersion  = 4
	v3OffDataLen  = 5
	v3OffOffset   = 8
	v3OffNumber   = 16
	v3DefaultData = 2
	// DefaultMaxRecords is datafile.py's DEFAULT_MAX_RECORDS: 7 days at 1/s.
	DefaultMaxRecords = 86400 * 7

	// Version 2: "PING", a format-string length byte (2), the struct format.
	v2HeaderLen = 7
)

// Record is one version 2/3 record: epoch seconds and the stored latency
// integer (data_length bytes; for 2-byte logs see ShortToSeconds).
type Record struct {
	Time  uint32
	Value uint64
}

// Version returns the version byte of a PING log: the fifth byte, after
// the magic (2 for the prototype, 3, or 4).
func Version(head []byte) (int, error) {
	if len(head) < 5 {
		return 0, corrupt(int64(len(head)), "magic", "file is %d bytes, shorter than a PING header", len(head))
	}
	if string(head[:4]) != magic {
		return 0, corrupt(0, "magic", "got %q, want %q", head[:4], magic)
	}
	return int(head[4]), nil
}
