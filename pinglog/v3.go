package pinglog

import (
	"encoding/binary"
	"fmt"
	"sort"

	"ringvault/storage"
)

// Header3 is the 24-byte version-3 header.
type Header3 struct {
	Version    uint8  // 3
	DataLength uint8  // bytes per latency value, usually 2
	Unused     uint16 // bytes 6-7, written as zero
	// Offset is the byte offset of the chronologically first record: 24
	// until the ring wraps.
	Offset uint64
	// NumberOfRecords is how many records the ring holds.
	NumberOfRecords uint64
}

// Options3 configures Create3 and Open3. A nil *Options3 means defaults.
type Options3 struct {
	// DataLength is the latency field size for Create3 (1..8, default 2).
	DataLength int
	// MaxRecords is the ring capacity the writer keeps (version 3 headers
	// do not store it); default DefaultMaxRecords, as datafile.py.
	MaxRecords uint64
	// ReadOnly refuses every write.
	ReadOnly bool
}

func (o *Options3) norm() Options3 {
	var n Options3
	if o != nil {
		n = *o
	}
	if n.DataLength == 0 {
		n.DataLength = v3DefaultData
	}
	if n.MaxRecords == 0 {
		n.MaxRecords = DefaultMaxRecords
	}
	return n
}

// Log3 is an open version-3 log on a storage.File. Its methods are not
// safe for concurrent use; see the package comment for version 3's crash
// behaviour (none: use version 4 where that matters).
type Log3 struct {
	f    storage.File
	h    Header3
	rl   uint64 // record length, 4 + data_length
	max  uint64
	ro   bool
	rbuf []byte
}

// EncodeHeader3 returns the 24 header bytes.
func EncodeHeader3(h Header3) []byte {
	b := make([]byte, v3HeaderLen)
	copy(b, magic)
	b[v3OffVersion] = h.Version
	b[v3OffDataLen] = h.DataLength
	binary.LittleEndian.PutUint16(b[6:], h.Unused)
	binary.LittleEndian.PutUint64(b[v3OffOffset:], h.Offset)
	binary.LittleEndian.PutUint64(b[v3OffNumber:], h.NumberOfRecords)
	return b
}

// DecodeHeader3 decodes and checks a version-3 header against the file
// size: the records it promises must be in the file, and offset must point
// at a record boundary inside them.
func DecodeHeader3(b []byte, size int64) (Header3, error) {
	ver, err := Version(b)
	if err != nil {
		return Header3{}, err
	}
	if ver != 3 {
		return Header3{}, fmt.Errorf("%w: version byte %d, want 3", ErrVersion, ver)
	}
	if len(b) < v3HeaderLen || size < v3HeaderLen {
		return Header3{}, corrupt(int64(len(b)), "header", "file is %d bytes, shorter than the 24-byte header", size)
	}
	h := Header3{
		Version:         b[v3OffVersion],
		DataLength:      b[v3OffDataLen],
		Unused:          binary.LittleEndian.Uint16(b[6:]),
		Offset:          binary.LittleEndian.Uint64(b[v3OffOffset:]),
		NumberOfRecords: binary.LittleEndian.Uint64(b[v3OffNumber:]),
	}
	if h.DataLength < 1 || h.DataLength > 8 {
		return h, corrupt(v3OffDataLen, "data_length", "%d, want 1..8", h.DataLength)
	}
	rl := uint64(4 + h.DataLength)
	data := uint64(size) - v3HeaderLen
	if h.NumberOfRecords > data/rl {
		return h, corrupt(v3OffNumber, "number_of_records", "%d records of %d bytes need %d bytes, file has %d after the header",
			h.NumberOfRecords, rl, h.NumberOfRecords*rl, data)
	}
	end := v3HeaderLen + h.NumberOfRecords*rl
	if h.Offset < v3HeaderLen || (h.Offset-v3HeaderLen)%rl != 0 || (h.Offset >= end && h.Offset != v3HeaderLen) {
		return h, corrupt(v3OffOffset, "offset", "%d, want 24 + k×%d below %d", h.Offset, rl, end)
	}
	return h, nil
}

// Create3 is Datafile.create_new_datafile: it truncates f and writes an
// empty header (offset 24, no records).
func Create3(f storage.File, opts *Options3) (*Log3, error) {
	o := opts.norm()
	if o.DataLength < 1 || o.DataLength > 8 {
		return nil, fmt.Errorf("%w: data_length %d, want 1..8", ErrRange, o.DataLength)
	}
	l := &Log3{f: f, max: o.MaxRecords,
		h: Header3{Version: 3, DataLength: uint8(o.DataLength), Offset: v3HeaderLen}}
	l.rl = uint64(4 + o.DataLength)
	if err := f.Truncate(0); err != nil {
		return nil, err
	}
	if _, err := f.WriteAt(EncodeHeader3(l.h), 0); err != nil {
		return nil, err
	}
	return l, nil
}

// Open3 is Datafile.open_datafile: it reads and checks the header.
func Open3(f storage.File, opts *Options3) (*Log3, error) {
	o := opts.norm()
	size, err := f.Size()
	if err != nil {
		return nil, err
	}
	b := make([]byte, v3HeaderLen)
	if err := storage.ReadFull(f, b[:min(size, v3HeaderLen)], 0); err != nil {
		return nil, err
	}
	h, err := DecodeHeader3(b[:min(size, v3HeaderLen)], size)
	if err != nil {
		return nil, err
	}
	return &Log3{f: f, h: h, rl: uint64(4 + h.DataLength), max: o.MaxRecords, ro: o.ReadOnly}, nil
}

// Header returns the current header.
func (l *Log3) Header() Header3 { return l.h }

// MaxRecords returns the capacity the writer keeps.
func (l *Log3) MaxRecords() uint64 { return l.max }

// Len returns the number of records.
func (l *Log3) Len() int { return int(l.h.NumberOfRecords) }

// slot returns the file offset of chronological record i (the reading
// rule: the ring spans number_of_records slots after the header).
func (l *Log3) slot(i uint64) int64 {
	n := l.h.NumberOfRecords
	first := (l.h.Offset - v3HeaderLen) / l.rl
	return int64(v3HeaderLen + ((first+i)%n)*l.rl)
}

func (l *Log3) maxValue() uint64 {
	if l.h.DataLength >= 8 {
		return ^uint64(0)
	}
	return 1<<(8*l.h.DataLength) - 1
}

func (l *Log3) encode(dst []byte, r Record) []byte {
	dst = binary.LittleEndian.AppendUint32(dst, r.Time)
	var v [8]byte
	binary.LittleEndian.PutUint64(v[:], r.Value)
	return append(dst, v[:l.h.DataLength]...)
}

func (l *Log3) decode(p []byte) Record {
	var v [8]byte
	copy(v[:], p[4:l.rl])
	return Record{Time: binary.LittleEndian.Uint32(p), Value: binary.LittleEndian.Uint64(v[:])}
}

// Append is Datafile.record_datum with an already encoded latency: it
// writes the record after the newest one (wrapping at MaxRecords), then
// updates number_of_records or, once full, offset. Like the original it
// does not sync; call Sync.
func (l *Log3) Append(t uint32, value uint64) error {
	if l.ro {
		return ErrReadOnly
	}
	if value > l.maxValue() {
		return fmt.Errorf("%w: latency %d does not fit data_length %d", ErrRange, value, l.h.DataLength)
	}
	maxFile := v3HeaderLen + l.max*l.rl
	seek := l.h.Offset + l.h.NumberOfRecords*l.rl
	if seek >= maxFile {
		seek -= l.max * l.rl
	}
	if _, err := l.f.WriteAt(l.encode(nil, Record{t, value}), int64(seek)); err != nil {
		return err
	}
	var field [8]byte
	if l.h.NumberOfRecords < l.max {
		l.h.NumberOfRecords++
		binary.LittleEndian.PutUint64(field[:], l.h.NumberOfRecords)
		_, err := l.f.WriteAt(field[:], v3OffNumber)
		return err
	}
	l.h.Offset += l.rl
	if l.h.Offset >= maxFile {
		l.h.Offset -= l.max * l.rl
	}
	binary.LittleEndian.PutUint64(field[:], l.h.Offset)
	_, err := l.f.WriteAt(field[:], v3OffOffset)
	return err
}

// WriteAll is Datafile.write_all_records: it overwrites the records from
// the start of the data area with recs (older slots beyond them stay in
// the file), then sets number_of_records and offset 24.
func (l *Log3) WriteAll(recs []Record) error {
	if l.ro {
		return ErrReadOnly
	}
	buf := make([]byte, 0, len(recs)*int(l.rl))
	for i, r := range recs {
		if r.Value > l.maxValue() {
			return fmt.Errorf("%w: record %d latency %d does not fit data_length %d", ErrRange, i, r.Value, l.h.DataLength)
		}
		buf = l.encode(buf, r)
	}
	if _, err := l.f.WriteAt(buf, v3HeaderLen); err != nil {
		return err
	}
	l.h.Offset = v3HeaderLen
	l.h.NumberOfRecords = uint64(len(recs))
	var field [8]byte
	binary.LittleEndian.PutUint64(field[:], l.h.NumberOfRecords)
	if _, err := l.f.WriteAt(field[:], v3OffNumber); err != nil {
		return err
	}
	binary.LittleEndian.PutUint64(field[:], l.h.Offset)
	_, err := l.f.WriteAt(field[:], v3OffOffset)
	return err
}

// Resize changes the capacity: the newest min(n, max) records are
// rewritten in time order from the start of the data area, offset becomes
// 24 and the file is cut after them. It is not crash safe on its own; the
// CLI writes a copy and renames it.
func (l *Log3) Resize(max uint64) error {
	if max == 0 {
		return fmt.Errorf("%w: capacity 0", ErrRange)
	}
	recs, err := l.Records()
	if err != nil {
		return err
	}
	if uint64(len(recs)) > max {
		recs = recs[uint64(len(recs))-max:]
	}
	l.max = max
	if err := l.WriteAll(recs); err != nil {
		return err
	}
	return l.f.Truncate(int64(v3HeaderLen + uint64(len(recs))*l.rl))
}

// Record returns chronological record i.
func (l *Log3) Record(i int) (Record, error) {
	if i < 0 || uint64(i) >= l.h.NumberOfRecords {
		return Record{}, fmt.Errorf("%w: record %d of %d", ErrRange, i, l.h.NumberOfRecords)
	}
	var b [12]byte
	off := l.slot(uint64(i))
	if err := storage.ReadFull(l.f, b[:l.rl], off); err != nil {
		return Record{}, fmt.Errorf("pinglog: record %d at byte %d: %w", i, off, err)
	}
	return l.decode(b[:]), nil
}

// Records is Datafile.read_all_values: every record in chronological
// order (two reads at most, split where the ring wraps).
func (l *Log3) Records() ([]Record, error) {
	n := l.h.NumberOfRecords
	out := make([]Record, 0, n)
	if n == 0 {
		return out, nil
	}
	first := (l.h.Offset - v3HeaderLen) / l.rl
	for _, part := range [][2]uint64{{first, n}, {0, first}} {
		cnt := part[1] - part[0]
		if cnt == 0 {
			continue
		}
		if uint64(cap(l.rbuf)) < cnt*l.rl {
			l.rbuf = make([]byte, cnt*l.rl)
		}
		b := l.rbuf[:cnt*l.rl]
		off := int64(v3HeaderLen + part[0]*l.rl)
		if err := storage.ReadFull(l.f, b, off); err != nil {
			return nil, fmt.Errorf("pinglog: records at byte %d: %w", off, err)
		}
		for p := uint64(0); p < cnt; p++ {
			out = append(out, l.decode(b[p*l.rl:]))
		}
	}
	return out, nil
}

// Search returns the chronological index of the first record with Time >=
// t, by binary search across the ring (log n reads); Len() if none. Times
// must be non-decreasing for the answer to mean anything, as the writer
// keeps them.
func (l *Log3) Search(t uint32) (int, error) {
	var err error
	i := sort.Search(l.Len(), func(i int) bool {
		if err != nil {
			return true
		}
		var r Record
		r, err = l.Record(i)
		return r.Time >= t
	})
	return i, err
}

// Range returns the records with start <= Time <= end, found by binary
// search.
func (l *Log3) Range(start, end uint32) ([]Record, error) {
	i, err := l.Search(start)
	if err != nil {
		return nil, err
	}
	var out []Record
	for ; i < l.Len(); i++ {
		r, err := l.Record(i)
		if err != nil {
			return nil, err
		}
		if r.Time > end {
			break
		}
		out = append(out, r)
	}
	return out, nil
}

// ReadRecords is Datafile.read_records(start, end) with its exact
// results, quirks included: a linear scan in chronological order from the
// first record with Time >= start up to (not including) the first later
// record with Time > end — so the first match is returned even when it is
// after end, and out-of-order times are taken as they come. An empty log
// gives ErrEmpty (the original raises IndexError).
func (l *Log3) ReadRecords(start, end uint32) ([]Record, error) {
	recs, err := l.Records()
	if err != nil {
		return nil, err
	}
	return readRecordsCompat(recs, start, end)
}

func readRecordsCompat(recs []Record, start, end uint32) ([]Record, error) {
	if len(recs) == 0 {
		return nil, ErrEmpty
	}
	if recs[0].Time > end || recs[len(recs)-1].Time < start {
		return []Record{}, nil
	}
	first := 0
	for i, r := range recs {
		if r.Time >= start {
			first = i
			break
		}
	}
	last := len(recs)
	for i := first + 1; i < len(recs); i++ {
		if recs[i].Time > end {
			last = i
			break
		}
	}
	return recs[first:last], nil
}

// Slots returns every whole record slot in the file in file order,
// including stale ones beyond number_of_records (for dumps and checks).
func (l *Log3) Slots() ([]Record, error) {
	size, err := l.f.Size()
	if err != nil {
		return nil, err
	}
	n := (uint64(size) - v3HeaderLen) / l.rl
	b := make([]byte, n*l.rl)
	if err := storage.ReadFull(l.f, b, v3HeaderLen); err != nil {
		return nil, err
	}
	out := make([]Record, n)
	for i := range out {
		out[i] = l.decode(b[uint64(i)*l.rl:])
	}
	return out, nil
}

// Sync flushes the file to stable storage.
func (l *Log3) Sync() error { return l.f.Sync() }

// Close closes the underlying file.
func (l *Log3) Close() error { return l.f.Close() }
