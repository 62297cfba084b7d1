package whisper

import (
	"encoding/binary"
	"fmt"
	"math"
)

// ArchiveInfo is one archive of an open file, as python's info() lists it.
type ArchiveInfo struct {
	Offset          uint32 // absolute byte offset of the archive's first point
	SecondsPerPoint uint32
	Points          uint32
	Retention       uint32 // SecondsPerPoint × Points
	Size            uint32 // Points × 12
}

// end returns the offset one past the archive's last byte.
func (a *ArchiveInfo) end() int64 { return int64(a.Offset) + int64(a.Size) }

// Header is a file's header: python's info() dictionary.
type Header struct {
	AggregationMethod AggregationMethod
	MaxRetention      uint32  // as stored (create writes the largest archive retention)
	XFilesFactor      float32 // stored as float32: 0.1 reads back as 0.10000000149011612
	Archives          []ArchiveInfo
}

// Size returns the header's length in bytes: 16 + 12 × archives.
func (h *Header) Size() int64 { return metadataSize + archiveInfoSize*int64(len(h.Archives)) }

// FileSize returns the length of a complete file with this header: the end
// of the last archive (header size + 12 × all points for files whose
// archives are contiguous, as create writes them).
func (h *Header) FileSize() int64 {
	end := h.Size()
	for i := range h.Archives {
		if e := h.Archives[i].end(); e > end {
			end = e
		}
	}
	return end
}

// AppendBinary appends the header's encoding (metadata and archive infos).
func (h *Header) AppendBinary(b []byte) ([]byte, error) {
	b = appendMetadata(b, uint32(h.AggregationMethod), h.MaxRetention, h.XFilesFactor, uint32(len(h.Archives)))
	for _, a := range h.Archives {
		b = binary.BigEndian.AppendUint32(b, a.Offset)
		b = binary.BigEndian.AppendUint32(b, a.SecondsPerPoint)
		b = binary.BigEndian.AppendUint32(b, a.Points)
	}
	return b, nil
}

func appendMetadata(b []byte, aggType, maxRetention uint32, xff float32, count uint32) []byte {
	b = binary.BigEndian.AppendUint32(b, aggType)
	b = binary.BigEndian.AppendUint32(b, maxRetention)
	b = binary.BigEndian.AppendUint32(b, math.Float32bits(xff))
	return binary.BigEndian.AppendUint32(b, count)
}

// maxArchives bounds the archive count read from a header, so a corrupt
// count cannot make a reader allocate gigabytes (python would try to read
// that many infos and fail on the short read).
const maxArchives = 1 << 16

// ParseHeader decodes a header from the start of b, with python's
// __readHeader checks: a short metadata block, an aggregation type outside
// 1..8 or an xFilesFactor outside [0, 1] is "Unable to read header"; a
// short archive info is "Unable to read archive%d metadata". name is used in
// errors. ParseHeader does not check the archives against a file size; see
// Header.Check.
func ParseHeader(b []byte, name string) (*Header, error) {
	bad := func(off int64, field, msg, detail string) error {
		return &CorruptError{Path: name, Offset: off, Field: field, Msg: msg, Detail: detail}
	}
	if len(b) < metadataSize {
		return nil, bad(0, "metadata", "Unable to read header",
			fmt.Sprintf("need %d bytes of metadata, the file has %d", metadataSize, len(b)))
	}
	agg := binary.BigEndian.Uint32(b[0:])
	maxRet := binary.BigEndian.Uint32(b[4:])
	xff := math.Float32frombits(binary.BigEndian.Uint32(b[8:]))
	count := binary.BigEndian.Uint32(b[12:])
	if !AggregationMethod(agg).Valid() {
		return nil, bad(0, "aggregationType", "Unable to read header",
			fmt.Sprintf("aggregation type %d is not one of 1..8", agg))
	}
	if !(xff >= 0 && xff <= 1) {
		return nil, bad(8, "xFilesFactor", "Unable to read header",
			fmt.Sprintf("xFilesFactor %v is not within [0, 1]", xff))
	}
	h := &Header{AggregationMethod: AggregationMethod(agg), MaxRetention: maxRet, XFilesFactor: xff}
	avail := (len(b) - metadataSize) / archiveInfoSize
	if int64(count) > int64(avail) || count > maxArchives {
		i := avail
		if i > maxArchives {
			i = maxArchives
		}
		return nil, bad(metadataSize+int64(i)*archiveInfoSize, fmt.Sprintf("archive %d info", i),
			fmt.Sprintf("Unable to read archive%d metadata", i),
			fmt.Sprintf("archiveCount is %d but the file holds only %d archive infos", count, avail))
	}
	h.Archives = make([]ArchiveInfo, count)
	for i := range h.Archives {
		p := b[metadataSize+i*archiveInfoSize:]
		a := ArchiveInfo{
			Offset:          binary.BigEndian.Uint32(p[0:]),
			SecondsPerPoint: binary.BigEndian.Uint32(p[4:]),
			Points:          binary.BigEndian.Uint32(p[8:]),
		}
		off := int64(metadataSize + i*archiveInfoSize)
		ret := uint64(a.SecondsPerPoint) * uint64(a.Points)
		size := uint64(a.Points) * pointSize
		if ret > math.MaxUint32 || size > math.MaxUint32 {
			return nil, bad(off+8, fmt.Sprintf("archive %d points", i), "Unable to read header",
				fmt.Sprintf("%d points of %d seconds do not fit in 32 bits", a.Points, a.SecondsPerPoint))
		}
		a.Retention, a.Size = uint32(ret), uint32(size)
		h.Archives[i] = a
	}
	return h, nil
}

// Check verifies what python does not: maxRetention is the longest archive
// retention (as create writes it), every archive lies after the header and
// inside a file of fileSize bytes and has a non-zero precision,
// so reads and writes never fall beyond the end of a truncated file
// (python returns zeros or garbage there, or divides by zero).
func (h *Header) Check(name string, fileSize int64) error {
	var maxRet uint32
	for i := range h.Archives {
		maxRet = max(maxRet, h.Archives[i].Retention)
	}
	if len(h.Archives) > 0 && h.MaxRetention != maxRet {
		return &CorruptError{Path: name, Offset: 4, Field: "maxRetention", Msg: "Unable to read header",
			Detail: fmt.Sprintf("maxRetention %d is not the longest archive retention %d", h.MaxRetention, maxRet)}
	}
	for i := range h.Archives {
		a := &h.Archives[i]
		off := int64(metadataSize + i*archiveInfoSize)
		if a.SecondsPerPoint == 0 {
			return &CorruptError{Path: name, Offset: off + 4, Field: fmt.Sprintf("archive %d secondsPerPoint", i),
				Msg: "Unable to read header", Detail: "secondsPerPoint is 0"}
		}
		if a.Points > 0 && int64(a.Offset) < h.Size() {
			return &CorruptError{Path: name, Offset: off, Field: fmt.Sprintf("archive %d offset", i),
				Msg: "Unable to read header", Detail: fmt.Sprintf("offset %d lies inside the %d-byte header", a.Offset, h.Size())}
		}
		if a.end() > fileSize {
			return &CorruptError{Path: name, Offset: off, Field: fmt.Sprintf("archive %d", i),
				Msg: "Truncated file", Detail: fmt.Sprintf("archive %d ends at byte %d but the file has %d bytes (truncated file?)", i, a.end(), fileSize)}
		}
	}
	return nil
}

// clone returns a deep copy.
func (h *Header) clone() *Header {
	c := *h
	c.Archives = append([]ArchiveInfo(nil), h.Archives...)
	return &c
}

// sameArchives is python's headerFrom['archives'] == headerTo['archives'].
func sameArchives(a, b *Header) bool {
	if len(a.Archives) != len(b.Archives) {
		return false
	}
	for i := range a.Archives {
		if a.Archives[i] != b.Archives[i] {
			return false
		}
	}
	return true
}
