package vault

import (
	"bytes"
	"crypto/sha1"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"

	"golang.org/x/crypto/nacl/secretbox"
)

// archive7 geometry (docs/format/archive7.md; Angelos base.pyx).
const (
	a7BlockSize  = 4096
	a7NonceSize  = 24
	a7PlainSize  = 4056 // "!iiI16s20s4008s"
	a7DataSize   = 4008
	a7DataOff    = 48
	a7HeaderSize = 344 // "!8scHHbbb16s16s16s16sQ256s"
	a7DescSize   = 38  // "!16siiIQH"
	a7Specials   = 5   // trash, index, entries, paths, listings
	a7EntrySize  = 396 // "!c16s16s16s16sqqQ?256s32s16sH"
	a7TreeMeta   = 21  // "!ciiIII"
	a7NodeHdr    = 9   // "!siI"
	a7RefSize    = 24  // "!ii16s"
	a7MaxBlocks  = math.MaxInt32
)

// Special stream numbers (FileSystemStreamManager).
const (
	a7Trash = iota
	a7Index
	a7Entries
	a7Paths
	a7Listings
)

var a7SpecialNames = [a7Specials]string{"trash", "index", "entries", "paths", "listings"}

// Sentinel errors of the archive7 reader. Test them with errors.Is; the
// errors come as *Archive7Error naming the file, block and field.
var (
	// ErrArchive7Key: block 0 does not open with the key. Either the key
	// (or password) is wrong or the file is not an archive7 file.
	ErrArchive7Key = errors.New("vault: wrong key or not an archive7 file")
	// ErrArchive7Corrupt: a block failed authentication or its checksum,
	// or a structure (header, stream chain, tree page, entry) is invalid.
	ErrArchive7Corrupt = errors.New("vault: corrupt archive7 file")
	// ErrArchive7Version: the header names a version other than 2.0.
	ErrArchive7Version = errors.New("vault: unsupported archive7 version")
)

// Archive7Error locates a problem in an archive7 file.
type Archive7Error struct {
	Path  string // file name ("" for readers)
	Block int64  // block index (file offset / 4096); -1 if not about one block
	Field string // what was being read: "header.major", "stream entries", ...
	What  string // what failed, with the value found
	Err   error  // ErrArchive7Key, ErrArchive7Corrupt or ErrArchive7Version
}

// Error names the file, the block, the field and what failed.
func (e *Archive7Error) Error() string {
	var b bytes.Buffer
	b.WriteString(e.Err.Error())
	if e.Path != "" {
		fmt.Fprintf(&b, ": %s", e.Path)
	}
	if e.Block >= 0 {
		fmt.Fprintf(&b, ": block %d", e.Block)
	}
	if e.Field != "" {
		fmt.Fprintf(&b, ": %s", e.Field)
	}
	if e.What != "" {
		fmt.Fprintf(&b, ": %s", e.What)
	}
	return b.String()
}

// Unwrap returns the sentinel.
func (e *Archive7Error) Unwrap() error { return e.Err }

// a7Desc is a stream descriptor "!16siiIQH".
type a7Desc struct {
	id          [16]byte
	begin, end  int32
	count       uint32
	length      uint64
	compression uint16
}

func parseDesc(b []byte) a7Desc {
	var d a7Desc
	copy(d.id[:], b)
	d.begin = int32(binary.BigEndian.Uint32(b[16:]))
	d.end = int32(binary.BigEndian.Uint32(b[20:]))
	d.count = binary.BigEndian.Uint32(b[24:])
	d.length = binary.BigEndian.Uint64(b[28:])
	d.compression = binary.BigEndian.Uint16(b[36:])
	return d
}

// a7Block is a decrypted block "!iiI16s20s4008s".
type a7Block struct {
	prev, next int32
	index      uint32
	stream     [16]byte
	data       []byte // 4008 bytes, valid until the next read
}

// a7File reads and authenticates archive7 blocks.
type a7File struct {
	r      io.ReaderAt
	path   string
	blocks int64
	key    [32]byte
	plain  []byte

	win              []byte // read-ahead window: blocks winStart..winStart+winLen-1
	winStart, winLen int64
	nextRead, ahead  int64

	scanned map[[16]byte]map[uint32]int64 // salvage: stream -> index -> block
}

func (f *a7File) fail(block int64, field, what string, err error) error {
	return &Archive7Error{Path: f.path, Block: block, Field: field, What: what, Err: err}
}

func (f *a7File) corrupt(block int64, field, format string, args ...any) error {
	return f.fail(block, field, fmt.Sprintf(format, args...), ErrArchive7Corrupt)
}

// block reads, decrypts and checks block n (secretbox MAC, then the SHA-1
// of the data field). field names what the block was read for.
func (f *a7File) block(n int64, field string) (a7Block, error) {
	if n < 0 || n >= f.blocks {
		return a7Block{}, f.corrupt(n, field, "block index out of range (file has %d blocks)", f.blocks)
	}
	raw, err := f.readRaw(n)
	if err != nil {
		return a7Block{}, err
	}
	if f.plain == nil {
		f.plain = make([]byte, 0, a7PlainSize)
	}
	var nonce [a7NonceSize]byte
	copy(nonce[:], raw)
	plain, ok := secretbox.Open(f.plain[:0], raw[a7NonceSize:], &nonce, &f.key)
	if !ok {
		return a7Block{}, f.corrupt(n, field, "secretbox authentication failed")
	}
	if len(plain) != a7PlainSize {
		return a7Block{}, f.corrupt(n, field, "plaintext is %d bytes, want %d", len(plain), a7PlainSize)
	}
	b := a7Block{
		prev:  int32(binary.BigEndian.Uint32(plain[0:])),
		next:  int32(binary.BigEndian.Uint32(plain[4:])),
		index: binary.BigEndian.Uint32(plain[8:]),
		data:  plain[a7DataOff:],
	}
	copy(b.stream[:], plain[12:28])
	if sum := sha1.Sum(b.data); !bytes.Equal(sum[:], plain[28:48]) {
		return a7Block{}, f.corrupt(n, field, "SHA-1 of the data field does not match the block's digest")
	}
	return b, nil
}

// readAheadMax is the most blocks one read fetches (256 KiB).
const readAheadMax = 64

// readRaw returns the raw bytes of block n. Reads that go on where the
// last one ended double a read-ahead window (stream chains are mostly
// contiguous); a jump starts again at one block, so scattered tree blocks
// cost no more than they need.
func (f *a7File) readRaw(n int64) ([]byte, error) {
	if n >= f.winStart && n < f.winStart+f.winLen {
		f.nextRead = n + 1
		return f.win[(n-f.winStart)*a7BlockSize : (n-f.winStart+1)*a7BlockSize], nil
	}
	if n == f.nextRead {
		f.ahead = min(max(2*f.ahead, 2), readAheadMax)
	} else {
		f.ahead = 1
	}
	count := min(f.ahead, f.blocks-n)
	if f.win == nil {
		f.win = make([]byte, min(readAheadMax, f.blocks)*a7BlockSize)
	}
	f.winLen = 0
	if _, err := f.r.ReadAt(f.win[:count*a7BlockSize], n*a7BlockSize); err != nil {
		return nil, fmt.Errorf("archive7 %s: block %d: %w", f.path, n, err)
	}
	f.winStart, f.winLen, f.nextRead = n, count, n+1
	return f.win[:a7BlockSize], nil
}

// walk reads the count blocks of stream d in order and hands each data
// field to fn (the slice is reused). Every link is checked: the block's
// stream id, its index, its previous pointer, and that the last block is
// d.end with next = -1. Because every index must equal its step, a chain
// cannot loop, and the walk is bounded by d.count <= the block count.
// It returns the step it stopped at.
func (f *a7File) walk(d a7Desc, name string, fn func(i uint32, data []byte) error) (uint32, error) {
	field := "stream " + name
	if err := f.checkDesc(d, field); err != nil {
		return 0, err
	}
	pos, prev := int64(d.begin), int64(-1)
	for i := uint32(0); i < d.count; i++ {
		if pos < 1 || pos >= f.blocks {
			return i, f.corrupt(prev, field, "link to block %d out of range 1..%d (step %d)", pos, f.blocks-1, i)
		}
		b, err := f.block(pos, field)
		if err != nil {
			return i, err
		}
		switch {
		case b.stream != d.id:
			return i, f.corrupt(pos, field, "block belongs to stream %s, want %s", uuidString(b.stream), uuidString(d.id))
		case b.index != i:
			return i, f.corrupt(pos, field, "block index field is %d, want %d", b.index, i)
		case int64(b.prev) != prev:
			return i, f.corrupt(pos, field, "previous link is %d, want %d", b.prev, prev)
		case i+1 == d.count && (b.next != -1 || pos != int64(d.end)):
			return i, f.corrupt(pos, field, "last block (next %d) but the descriptor ends at block %d", b.next, d.end)
		}
		if err := fn(i, b.data); err != nil {
			return i, err
		}
		prev, pos = pos, int64(b.next)
	}
	return d.count, nil
}

// read is walk; with salvage, a chain that breaks at step i goes on from
// a scan of every block: steps i.. come from the blocks that name this
// stream and that index (archive7 blocks describe themselves), and the
// ones no block provides are zeros. What was rebuilt goes to problems.
func (f *a7File) read(d a7Desc, name string, salvage bool, problems *[]string, fn func(i uint32, data []byte) error) error {
	var fnErr error
	step, err := f.walk(d, name, func(i uint32, data []byte) error {
		fnErr = fn(i, data)
		return fnErr
	})
	if err == nil || fnErr != nil || !salvage || step >= d.count {
		return err
	}
	if _, ok := err.(*Archive7Error); !ok || f.checkDesc(d, "") != nil {
		return err
	}
	found := f.scan()[d.id]
	zeros := make([]byte, a7DataSize)
	missing := 0
	for i := step; i < d.count; i++ {
		data := zeros
		if n, ok := found[i]; ok {
			if b, err := f.block(n, "stream "+name); err == nil {
				data = b.data
			}
		}
		if &data[0] == &zeros[0] {
			missing++
		}
		if err := fn(i, data); err != nil {
			return err
		}
	}
	*problems = append(*problems, fmt.Sprintf("%v; rebuilt from a scan of every block: %d of the %d blocks from step %d on are missing and read as zeros", err, missing, d.count-step, step))
	return nil
}

// scan maps stream id -> index -> block number for every block that
// authenticates and matches its digest (once per file; salvage only).
func (f *a7File) scan() map[[16]byte]map[uint32]int64 {
	if f.scanned != nil {
		return f.scanned
	}
	f.scanned = make(map[[16]byte]map[uint32]int64)
	for n := int64(1); n < f.blocks; n++ {
		b, err := f.block(n, "scan")
		if err != nil {
			continue
		}
		m := f.scanned[b.stream]
		if m == nil {
			m = make(map[uint32]int64)
			f.scanned[b.stream] = m
		}
		if _, dup := m[b.index]; !dup {
			m[b.index] = n
		}
	}
	return f.scanned
}

// checkDesc bounds a descriptor by the file before anything is read or
// allocated for it.
func (f *a7File) checkDesc(d a7Desc, field string) error {
	if d.count == 0 || int64(d.count) > f.blocks {
		return f.corrupt(-1, field, "block count %d out of range 1..%d", d.count, f.blocks)
	}
	if d.length > uint64(d.count)*a7DataSize {
		return f.corrupt(-1, field, "length %d exceeds its %d blocks", d.length, d.count)
	}
	if d.compression != 0 {
		return f.corrupt(-1, field, "compression %d (only 0, none, exists)", d.compression)
	}
	return nil
}

// readStream returns the first d.length bytes of stream d.
func (f *a7File) readStream(d a7Desc, name string, salvage bool, problems *[]string) ([]byte, error) {
	if err := f.checkDesc(d, "stream "+name); err != nil {
		return nil, err
	}
	out := make([]byte, 0, d.length)
	err := f.read(d, name, salvage, problems, func(i uint32, data []byte) error {
		if rest := d.length - uint64(len(out)); rest < a7DataSize {
			data = data[:rest]
		}
		out = append(out, data...)
		return nil
	})
	return out, err
}

func uuidString(u [16]byte) string {
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}

// a7TreeSpec is what a tree must be: archive7's SimpleBTree configurations.
type a7TreeSpec struct {
	name      string
	order     uint32
	valueSize uint32
}

func (s a7TreeSpec) recordSize() int { return 4 + 16 + int(s.valueSize) + 1 }

// refOrder is SimpleBTree.config: ceil(order * record size / 24).
func (s a7TreeSpec) refOrder() uint32 {
	return uint32((int(s.order)*s.recordSize() + a7RefSize - 1) / a7RefSize)
}

var (
	a7IndexTree   = a7TreeSpec{"index", 67, a7DescSize}
	a7EntriesTree = a7TreeSpec{"entries", 9, a7EntrySize}
)

// a7Record is a leaf record "!i16s{V}sc".
type a7Record struct {
	key   [16]byte
	value []byte
	page  int
}

// readTree returns every record of a SimpleBTree serialized by archive7's
// Pager in data (21-byte meta, then 4008-byte pages), walking from the root
// and checking every node. With salvage a broken walk falls back to
// scanning every page for leaf nodes, and bad records are skipped; what was
// skipped goes to problems.
func readTree(f *a7File, data []byte, spec a7TreeSpec, salvage bool, problems *[]string) ([]a7Record, error) {
	field := spec.name + " tree"
	bad := func(format string, args ...any) error { return f.corrupt(-1, field, format, args...) }
	if len(data) < a7TreeMeta {
		return nil, bad("stream is %d bytes, shorter than the 21-byte tree meta", len(data))
	}
	if (len(data)-a7TreeMeta)%a7DataSize != 0 {
		return nil, bad("%d bytes after the meta is not a whole number of 4008-byte pages", len(data)-a7TreeMeta)
	}
	m := data[:a7TreeMeta]
	kind, root := m[0], int32(binary.BigEndian.Uint32(m[1:]))
	order, refOrder, valueSize := binary.BigEndian.Uint32(m[9:]), binary.BigEndian.Uint32(m[13:]), binary.BigEndian.Uint32(m[17:])
	switch {
	case kind != 'S':
		return nil, bad("meta kind %q, want 'S' (SimpleBTree)", kind)
	case order != spec.order:
		return nil, bad("meta order %d, want %d", order, spec.order)
	case valueSize != spec.valueSize:
		return nil, bad("meta value_size %d, want %d", valueSize, spec.valueSize)
	case refOrder != spec.refOrder():
		return nil, bad("meta ref_order %d, want %d", refOrder, spec.refOrder())
	}
	t := &a7Tree{f: f, spec: spec, pages: data[a7TreeMeta:], field: field}
	recs, err := t.walkFrom(int(root))
	if err == nil || !salvage {
		return recs, err
	}
	*problems = append(*problems, fmt.Sprintf("%s: %v; scanning every page for records instead", field, err))
	return t.scan(problems), nil
}

type a7Tree struct {
	f     *a7File
	spec  a7TreeSpec
	pages []byte
	field string
}

func (t *a7Tree) npages() int { return len(t.pages) / a7DataSize }

func (t *a7Tree) page(p int) []byte { return t.pages[p*a7DataSize : (p+1)*a7DataSize] }

func (t *a7Tree) bad(p int, format string, args ...any) error {
	return t.f.corrupt(-1, fmt.Sprintf("%s page %d", t.field, p), format, args...)
}

// node parses the header of page p and checks its count against kind.
func (t *a7Tree) node(p int) (kind byte, count int, err error) {
	if p < 0 || p >= t.npages() {
		return 0, 0, t.bad(p, "page out of range 0..%d", t.npages()-1)
	}
	b := t.page(p)
	kind, n := b[0], binary.BigEndian.Uint32(b[5:])
	var max uint32
	var size int
	switch kind {
	case 'S', 'L':
		max, size = t.spec.order, t.spec.recordSize()
	case 'R', 'F':
		max, size = t.spec.refOrder(), a7RefSize
	default:
		return kind, 0, t.bad(p, "node kind %q where a tree node was expected", kind)
	}
	if n > max || a7NodeHdr+int(n)*size > a7DataSize {
		return kind, 0, t.bad(p, "node count %d exceeds the order %d", n, max)
	}
	return kind, int(n), nil
}

// records decodes the records of leaf page p, checking each one's
// checksum byte (sum of key and value, mod 256).
func (t *a7Tree) records(p, count int, out []a7Record, skip *[]string) ([]a7Record, error) {
	size, b := t.spec.recordSize(), t.page(p)
	for i := 0; i < count; i++ {
		r := b[a7NodeHdr+i*size : a7NodeHdr+(i+1)*size]
		key, value := r[4:20], r[20:size-1]
		var sum byte
		for _, c := range r[4 : size-1] {
			sum += c
		}
		if sum != r[size-1] {
			err := t.bad(p, "record %d checksum %#02x, want %#02x", i, r[size-1], sum)
			if skip == nil {
				return out, err
			}
			*skip = append(*skip, err.Error()+"; record skipped")
			continue
		}
		out = append(out, a7Record{key: [16]byte(key), value: value, page: p})
	}
	return out, nil
}

// walkFrom visits the tree from its root: a start ('S') or root ('R')
// node, internal ('F') nodes, then leaves ('L'). Each page is visited at
// most once, so the walk is bounded by the page count.
func (t *a7Tree) walkFrom(root int) ([]a7Record, error) {
	seen := make(map[int]bool)
	var out []a7Record
	type item struct {
		page int
		top  bool
	}
	stack := []item{{root, true}}
	for len(stack) > 0 {
		it := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[it.page] {
			return nil, t.bad(it.page, "page referenced twice")
		}
		seen[it.page] = true
		kind, count, err := t.node(it.page)
		if err != nil {
			return nil, err
		}
		if it.top != (kind == 'S' || kind == 'R') {
			return nil, t.bad(it.page, "node kind %q at the wrong level", kind)
		}
		if kind == 'S' || kind == 'L' {
			if out, err = t.records(it.page, count, out, nil); err != nil {
				return nil, err
			}
			continue
		}
		if count == 0 {
			return nil, t.bad(it.page, "internal node without references")
		}
		b := t.page(it.page)
		kids := make([]item, 0, count+1)
		for i := 0; i < count; i++ {
			r := b[a7NodeHdr+i*a7RefSize:]
			if i == 0 {
				kids = append(kids, item{int(int32(binary.BigEndian.Uint32(r))), false})
			}
			kids = append(kids, item{int(int32(binary.BigEndian.Uint32(r[4:]))), false})
		}
		for i := len(kids) - 1; i >= 0; i-- { // leftmost first
			stack = append(stack, kids[i])
		}
	}
	return out, nil
}

// scan collects the records of every leaf-kind page (salvage).
func (t *a7Tree) scan(problems *[]string) []a7Record {
	var out []a7Record
	for p := 0; p < t.npages(); p++ {
		kind, count, err := t.node(p)
		if err != nil || (kind != 'S' && kind != 'L') {
			continue
		}
		out, _ = t.records(p, count, out, problems)
	}
	return out
}
