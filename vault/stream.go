package vault

import (
	"slices"
	"sync"
)

// A stream is the content of a file: inline bytes in the entry record, or
// a radix tree of block pointers (depth 0: the root is the only data
// block; depth d: stream-map blocks of 125 pointers, d levels). Holes are
// null pointers. The writer keeps changed data blocks in memory and seals
// them in batches; map blocks are rewritten copy-on-write at commit.
type stream struct {
	r  *reader
	tx *Tx // nil: read-only
	e  *entry

	id       uint64
	length   int64
	isInline bool
	inline   []byte
	depth    int
	rootPtr  Pointer
	root     *mnode

	dirty   map[uint64][]byte
	changed bool

	cacheIdx uint64
	cacheBuf []byte

	ra *ahead // sequential large reads (read-only transactions)
}

// mnode is a decoded stream-map block.
type mnode struct {
	owner uint64
	ptr   Pointer
	level int
	kids  [fanout]Pointer
	sub   [fanout]*mnode
}

const dirtyMax = 256 // data blocks (1 MiB) kept before sealing

func newStream(r *reader, tx *Tx, e *entry) *stream {
	s := &stream{r: r, tx: tx, e: e, cacheIdx: ^uint64(0)}
	if e.flags&flagInline != 0 {
		s.isInline, s.inline, s.length = true, slices.Clone(e.inline), int64(len(e.inline))
	} else {
		d := e.desc
		s.id, s.length, s.depth, s.rootPtr = d.id, int64(d.length), int(d.depth), d.root
		if d.flags&descInlineMap != 0 { // a clean root map that lives in the entry
			s.root = &mnode{owner: d.mtxid, level: 1}
			copy(s.root.kids[:], d.ptrs[:])
		}
	}
	if s.id == 0 {
		s.id = counterOf(e.id)
	}
	return s
}

func span(level int) uint64 {
	s := uint64(1)
	for range level - 1 {
		s *= fanout
	}
	return s
}

func capacity(depth int) uint64 { return span(depth + 1) }

func (s *stream) readMap(p Pointer, level int) (*mnode, error) {
	plain := make([]byte, plainSize)
	h, err := s.r.readBlock(plain, p, kindMap)
	if err != nil {
		return nil, err
	}
	if int(h.level) != level || h.obj != s.id {
		return nil, corrupt(p.Block, "stream-map block of stream %d level %d, expected stream %d level %d", h.obj, h.level, s.id, level)
	}
	m := &mnode{owner: p.Txid, ptr: p, level: level}
	for k := range m.kids {
		m.kids[k] = getPointer(plain[headerSize+k*ptrSize:])
	}
	return m, nil
}

// rootNode returns the map root, loading it; nil if the stream is empty.
func (s *stream) rootNode() (*mnode, error) {
	if s.root == nil && !s.rootPtr.IsNull() {
		m, err := s.readMap(s.rootPtr, s.depth)
		if err != nil {
			return nil, err
		}
		s.root = m
	}
	return s.root, nil
}

func (s *stream) subNode(n *mnode, k int) (*mnode, error) {
	if n.sub[k] == nil && !n.kids[k].IsNull() {
		m, err := s.readMap(n.kids[k], n.level-1)
		if err != nil {
			return nil, err
		}
		n.sub[k] = m
	}
	return n.sub[k], nil
}

// lookup returns the pointer of data block idx (null for a hole).
func (s *stream) lookup(idx uint64) (Pointer, error) {
	if s.depth == 0 {
		if idx == 0 {
			return s.rootPtr, nil
		}
		return Pointer{}, nil
	}
	if idx >= capacity(s.depth) {
		return Pointer{}, nil
	}
	n, err := s.rootNode()
	for level := s.depth; n != nil && err == nil; level-- {
		sp := span(level)
		k := int(idx / sp)
		idx %= sp
		if level == 1 {
			return n.kids[k], nil
		}
		n, err = s.subNode(n, k)
	}
	return Pointer{}, err
}

// block returns the content of data block idx, or nil for a hole.
func (s *stream) block(idx uint64) ([]byte, error) {
	if b, ok := s.dirty[idx]; ok {
		return b[headerSize:], nil
	}
	if idx == s.cacheIdx {
		return s.cacheBuf, nil
	}
	p, err := s.lookup(idx)
	if err != nil || p.IsNull() {
		return nil, err
	}
	plain := make([]byte, plainSize)
	h, err := s.r.readBlock(plain, p, kindData)
	if err != nil {
		return nil, err
	}
	if h.obj != s.id || h.index != idx {
		return nil, corrupt(p.Block, "data block %d of stream %d, expected block %d of stream %d", h.index, h.obj, idx, s.id)
	}
	s.cacheIdx, s.cacheBuf = idx, plain[headerSize:]
	return s.cacheBuf, nil
}

// readAt reads like io.ReaderAt, without the EOF convention.
func (s *stream) readAt(p []byte, off int64) (int, error) {
	if off >= s.length {
		return 0, nil
	}
	if int64(len(p)) > s.length-off {
		p = p[:s.length-off]
	}
	if s.isInline {
		return copy(p, s.inline[off:]), nil
	}
	n := 0
	if s.tx == nil && len(p) >= 4*bodySize {
		plain := plainReadPool.Get().(*[]byte)
		defer plainReadPool.Put(plain)
		for n < len(p) {
			first := uint64(off) / bodySize
			last := min(uint64(off+int64(len(p)-n)-1)/bodySize, first|(readBatch-1)) // one chunk
			bodies, err := s.readMany(first, last-first+1, *plain)
			if err != nil {
				return n, err
			}
			for _, b := range bodies {
				bo := int(uint64(off) % bodySize)
				m := min(len(p)-n, bodySize-bo)
				if b == nil {
					clear(p[n : n+m])
				} else {
					copy(p[n:n+m], b[bo:])
				}
				n += m
				off += int64(m)
			}
		}
		return n, nil
	}
	for n < len(p) {
		idx, bo := uint64(off)/bodySize, int(uint64(off)%bodySize)
		b, err := s.block(idx)
		if err != nil {
			return n, err
		}
		m := min(len(p)-n, bodySize-bo)
		if b == nil {
			clear(p[n : n+m])
		} else {
			copy(p[n:n+m], b[bo:])
		}
		n += m
		off += int64(m)
	}
	return n, nil
}

func (s *stream) inlineLimit() int {
	lim := s.tx.db.opts.inlineMax()
	room := maxVal - entryFixed - 3 - len(s.e.user) - len(s.e.group) - len(s.e.name) - 2
	return min(lim, room)
}

// writeAt writes p at off, growing the stream.
func (s *stream) writeAt(p []byte, off int64) error {
	s.changed = true
	s.cacheIdx = ^uint64(0)
	end := off + int64(len(p))
	if s.isInline {
		if end <= int64(s.inlineLimit()) {
			if end > int64(len(s.inline)) {
				s.inline = append(s.inline, make([]byte, end-int64(len(s.inline)))...)
			}
			copy(s.inline[off:], p)
			s.length = int64(len(s.inline))
			return nil
		}
		if err := s.spill(); err != nil {
			return err
		}
	}
	if s.dirty == nil {
		s.dirty = map[uint64][]byte{}
	}
	for len(p) > 0 {
		idx, bo := uint64(off)/bodySize, int(uint64(off)%bodySize)
		m := min(len(p), bodySize-bo)
		buf := s.dirty[idx]
		if buf == nil {
			buf = getPlain() // the block header is filled in by flushData
			if bo != 0 || m != bodySize {
				clear(buf)
			}
			if (bo != 0 || m != bodySize) && int64(idx)*bodySize < s.length {
				old, err := s.block(idx)
				if err != nil {
					return err
				}
				copy(buf[headerSize:], old)
			}
			s.dirty[idx] = buf
		}
		copy(buf[headerSize+bo:], p[:m])
		p = p[m:]
		off += int64(m)
		if len(s.dirty) >= dirtyMax && (bo+m == bodySize || len(p) == 0) {
			// Seal a full slab's worth (the last block is complete or the
			// write ends): sealMany then fills whole slabs.
			s.length = max(s.length, off)
			if err := s.flushData(); err != nil {
				return err
			}
		}
	}
	s.length = max(s.length, end)
	return nil
}

// spill turns inline content into a block stream.
func (s *stream) spill() error {
	data := s.inline
	s.isInline, s.inline, s.length, s.depth, s.rootPtr, s.root = false, nil, 0, 0, Pointer{}, nil
	if len(data) == 0 {
		return nil
	}
	return s.writeAt(data, 0)
}

// flushData seals the dirty data blocks and links them into the map.
func (s *stream) flushData() error {
	if len(s.dirty) == 0 {
		return nil
	}
	idxs := make([]uint64, 0, len(s.dirty))
	for i := range s.dirty {
		idxs = append(idxs, i)
	}
	slices.Sort(idxs)
	jobs := make([]sealJob, len(idxs))
	for j, idx := range idxs {
		plain := s.dirty[idx]
		used := min(s.length-int64(idx)*bodySize, bodySize)
		blockHeader{kind: kindData, used: uint32(max(used, 0)), txid: s.tx.id, obj: s.id, index: idx}.put(plain)
		jobs[j].plain = plain
	}
	if err := s.tx.sealMany(jobs); err != nil {
		return err
	}
	for j, idx := range idxs {
		if err := s.setPtr(idx, Pointer{Block: jobs[j].n, Txid: s.tx.id, Tag: jobs[j].tag}); err != nil {
			return err
		}
	}
	for _, b := range s.dirty {
		putPlain(b)
	}
	clear(s.dirty)
	return nil
}

func (s *stream) mutableM(m *mnode) *mnode {
	if m.owner == s.tx.id {
		return m
	}
	s.tx.release(m.ptr)
	c := *m
	c.owner, c.ptr = s.tx.id, Pointer{}
	return &c
}

// setPtr links data block idx to p, releasing the block it replaces.
func (s *stream) setPtr(idx uint64, p Pointer) error {
	for idx >= capacity(s.depth) {
		if s.root != nil && s.root.ptr.IsNull() {
			s.root = s.mutableM(s.root) // an inline root map must be written now
		}
		nr := &mnode{owner: s.tx.id, level: s.depth + 1}
		nr.kids[0], nr.sub[0] = s.rootPtr, s.root
		if s.depth == 0 {
			nr.sub[0] = nil
		}
		s.root, s.rootPtr = nr, Pointer{}
		s.depth++
	}
	if s.depth == 0 {
		s.tx.release(s.rootPtr)
		s.rootPtr = p
		return nil
	}
	n, err := s.rootNode()
	if err != nil {
		return err
	}
	if n == nil {
		n = &mnode{owner: s.tx.id, level: s.depth}
	}
	n = s.mutableM(n)
	s.root, s.rootPtr = n, Pointer{}
	for level := s.depth; ; level-- {
		sp := span(level)
		k := int(idx / sp)
		idx %= sp
		if level == 1 {
			s.tx.release(n.kids[k])
			n.kids[k] = p
			return nil
		}
		c, err := s.subNode(n, k)
		if err != nil {
			return err
		}
		if c == nil {
			c = &mnode{owner: s.tx.id, level: level - 1}
		}
		c = s.mutableM(c)
		n.sub[k], n.kids[k] = c, Pointer{}
		n = c
	}
}

// truncate sets the length, releasing blocks past it.
func (s *stream) truncate(size int64) error {
	s.changed = true
	s.cacheIdx = ^uint64(0)
	if s.isInline {
		if size <= int64(s.inlineLimit()) {
			if size > int64(len(s.inline)) {
				s.inline = append(s.inline, make([]byte, size-int64(len(s.inline)))...)
			}
			s.inline = s.inline[:size]
			s.length = size
			return nil
		}
		if err := s.spill(); err != nil {
			return err
		}
	}
	if size < s.length {
		nb := (uint64(size) + bodySize - 1) / bodySize
		for idx := range s.dirty {
			if idx >= nb {
				delete(s.dirty, idx)
			}
		}
		if err := s.freeFrom(nb); err != nil {
			return err
		}
		if r := size % bodySize; r != 0 {
			b, err := s.block(nb - 1)
			if err != nil {
				return err
			}
			if b != nil {
				buf, ok := s.dirty[nb-1]
				if !ok {
					buf = make([]byte, plainSize)
					copy(buf[headerSize:], b)
				}
				clear(buf[headerSize+r:])
				if s.dirty == nil {
					s.dirty = map[uint64][]byte{}
				}
				s.dirty[nb-1] = buf
				s.cacheIdx = ^uint64(0)
			}
		}
	}
	s.length = size
	return nil
}

// freeFrom releases every data block with index >= from (and map blocks
// that become empty).
func (s *stream) freeFrom(from uint64) error {
	if s.depth == 0 {
		if from == 0 {
			s.tx.release(s.rootPtr)
			s.rootPtr = Pointer{}
		}
		return nil
	}
	n, err := s.rootNode()
	if err != nil || n == nil {
		return err
	}
	if from == 0 {
		if err := s.freeTree(n); err != nil {
			return err
		}
		s.root, s.rootPtr, s.depth = nil, Pointer{}, 0
		return nil
	}
	n = s.mutableM(n)
	s.root, s.rootPtr = n, Pointer{}
	return s.freeRange(n, 0, from)
}

func (s *stream) freeRange(n *mnode, base, from uint64) error {
	sp := span(n.level)
	for k := range fanout {
		lo := base + uint64(k)*sp
		if lo+sp <= from {
			continue
		}
		if n.level == 1 {
			s.tx.release(n.kids[k])
			n.kids[k] = Pointer{}
			continue
		}
		c, err := s.subNode(n, k)
		if err != nil {
			return err
		}
		if c == nil {
			continue
		}
		if lo >= from {
			if err := s.freeTree(c); err != nil {
				return err
			}
			n.sub[k], n.kids[k] = nil, Pointer{}
			continue
		}
		c = s.mutableM(c)
		n.sub[k], n.kids[k] = c, Pointer{}
		if err := s.freeRange(c, lo, from); err != nil {
			return err
		}
	}
	return nil
}

// freeTree releases a whole map subtree and its data blocks.
func (s *stream) freeTree(n *mnode) error {
	for k := range fanout {
		if n.level == 1 {
			s.tx.release(n.kids[k])
			continue
		}
		c, err := s.subNode(n, k)
		if err != nil {
			return err
		}
		if c != nil {
			if err := s.freeTree(c); err != nil {
				return err
			}
		}
	}
	if n.owner != s.tx.id {
		s.tx.release(n.ptr)
	}
	return nil
}

// commitMap writes the dirty map nodes under n, children first.
func (s *stream) commitMap(n *mnode) (Pointer, error) {
	if n.owner != s.tx.id {
		return n.ptr, nil
	}
	empty := true
	for k := range fanout {
		if c := n.sub[k]; c != nil && c.owner == s.tx.id {
			p, err := s.commitMap(c)
			if err != nil {
				return Pointer{}, err
			}
			n.kids[k] = p
			if p.IsNull() {
				n.sub[k] = nil
			}
		}
		if !n.kids[k].IsNull() {
			empty = false
		}
	}
	if empty {
		return Pointer{}, nil
	}
	plain := make([]byte, plainSize)
	blockHeader{kind: kindMap, level: byte(n.level), txid: s.tx.id, obj: s.id}.put(plain)
	for k := range fanout {
		n.kids[k].put(plain[headerSize+k*ptrSize:])
	}
	p, err := s.tx.writeNew(plain)
	n.ptr = p
	return p, err
}

// commit flushes data and map blocks and stores the result in the entry.
func (s *stream) commit() error {
	e := s.e
	if s.isInline {
		e.flags |= flagInline
		e.inline = s.inline
		e.desc = streamDesc{}
		return nil
	}
	if err := s.flushData(); err != nil {
		return err
	}
	var d streamDesc
	if s.depth == 1 && s.root != nil && s.root.ptr.IsNull() && fitsInline(s.root) {
		// Keep the root map in the entry record instead of a block.
		for k := range s.root.sub {
			s.root.sub[k] = nil
		}
		d.flags |= descInlineMap
		copy(d.ptrs[:], s.root.kids[:inlinePtrs])
		s.rootPtr = Pointer{}
	} else if s.depth > 0 && s.root != nil {
		p, err := s.commitMap(s.root)
		if err != nil {
			return err
		}
		s.rootPtr = p
		if p.IsNull() {
			s.root = nil
		}
	}
	e.flags &^= flagInline
	e.inline = nil
	d.root, d.length, d.depth, d.id, d.mtxid = s.rootPtr, uint64(s.length), byte(s.depth), s.id, s.tx.id
	e.desc = d
	return nil
}

// fitsInline reports whether a depth-1 root map uses only its first
// inlinePtrs pointers (and at least one).
func fitsInline(m *mnode) bool {
	any := false
	for k, p := range m.kids {
		if !p.IsNull() {
			if k >= inlinePtrs {
				return false
			}
			any = true
		}
	}
	return any
}

// Plaintext buffers of dirty data blocks are recycled once sealed. The
// pool holds array pointers, so putting a buffer back allocates nothing.
var plainPool = sync.Pool{New: func() any { return new([plainSize]byte) }}

func getPlain() []byte { return plainPool.Get().(*[plainSize]byte)[:] }

func putPlain(b []byte) {
	if len(b) == plainSize && cap(b) == plainSize {
		plainPool.Put((*[plainSize]byte)(b))
	}
}
