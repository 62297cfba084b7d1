package vault

import (
	"bytes"
	"errors"
	"fmt"
)

// Check verifies the last committed snapshot, like bbolt's Tx.Check:
// every block below the high-water mark is reachable exactly once or free
// (never both); every tag and birth txid verifies (reading proves it);
// catalog keys are in order within their separators and all leaves are at
// the same depth; streams have no pointers past their length; directory
// entries and entry records agree (types, link counts, parents). It
// returns nil or every problem found (errors.Join), each matching
// ErrCorrupt.
func (db *DB) Check() error {
	return db.View(func(tx *Tx) error { return tx.Check() })
}

// Check verifies the snapshot this transaction reads (see DB.Check).
func (tx *Tx) Check() error {
	c := &checker{tx: tx, rec: tx.snap.rec, r: &reader{db: tx.db}}
	c.used = make([]byte, c.rec.hwm)
	c.used[0], c.used[1] = 1, 1
	c.dirents = map[[16]byte][]direntRef{}
	c.entries = map[[16]byte]*entry{}
	c.walkNode(tx.snap.rec.catalog, byte(tx.snap.rec.height-1), nil, nil)
	c.checkFree()
	c.crossRef()
	for b := uint64(2); b < c.rec.hwm && len(c.errs) < 100; b++ {
		if c.used[b] == 0 {
			c.fail(b, "leaked: neither referenced nor free")
		}
	}
	return errors.Join(c.errs...)
}

type direntRef struct {
	parent [16]byte
	name   string
	typ    byte
}

type checker struct {
	tx      *Tx
	r       *reader
	rec     commitRecord
	used    []byte // 0 unseen, 1 referenced, 2 free
	errs    []error
	dirents map[[16]byte][]direntRef
	entries map[[16]byte]*entry
}

func (c *checker) fail(block uint64, format string, args ...any) {
	if len(c.errs) < 100 {
		c.errs = append(c.errs, corrupt(block, format, args...))
	}
}

func (c *checker) failErr(err error) {
	if len(c.errs) < 100 {
		c.errs = append(c.errs, err)
	}
}

// mark records a reference to p and reports whether it is new and valid.
func (c *checker) mark(p Pointer, what string) bool {
	if p.Block < 2 || p.Block >= c.rec.hwm {
		c.fail(p.Block, "%s pointer outside [2,%d)", what, c.rec.hwm)
		return false
	}
	if p.Txid > c.rec.txid {
		c.fail(p.Block, "%s born in txid %d, after commit %d", what, p.Txid, c.rec.txid)
	}
	if c.used[p.Block] != 0 {
		c.fail(p.Block, "%s block referenced twice", what)
		return false
	}
	c.used[p.Block] = 1
	return true
}

func (c *checker) walkNode(p Pointer, level byte, lo, hi []byte) {
	if !c.mark(p, "catalog") {
		return
	}
	n, err := c.r.readNode(p, level)
	if err != nil {
		c.failErr(err)
		return
	}
	for i, k := range n.keys {
		if lo != nil && bytes.Compare(k, lo) < 0 || hi != nil && bytes.Compare(k, hi) >= 0 {
			c.fail(p.Block, "key %x outside its separators", k)
		}
		if n.leaf {
			c.leafCell(p.Block, k, n.vals[i])
		}
	}
	if n.leaf {
		return
	}
	for i, k := range n.kids {
		l, h := lo, hi
		if i > 0 {
			l = n.keys[i-1]
		}
		if i < len(n.keys) {
			h = n.keys[i]
		}
		c.walkNode(k.ptr, level-1, l, h)
	}
}

func (c *checker) leafCell(block uint64, k, v []byte) {
	switch {
	case len(k) == 17 && k[0] == keyEntry:
		e, err := decodeEntry(v)
		if err != nil {
			c.fail(block, "entry %x: %v", k[1:], err)
			return
		}
		if !bytes.Equal(e.id[:], k[1:]) {
			c.fail(block, "entry key %x holds id %x", k[1:], e.id)
		}
		c.entries[e.id] = e
		if e.typ == typeFile && e.flags&flagInline == 0 {
			c.stream(e)
		}
	case len(k) > 17 && k[0] == keyDirent:
		if len(v) != 17 {
			c.fail(block, "directory entry %q: value is %d bytes", k[17:], len(v))
			return
		}
		id := [16]byte(v[:16])
		c.dirents[id] = append(c.dirents[id], direntRef{parent: [16]byte(k[1:17]), name: string(k[17:]), typ: v[16]})
	default:
		c.fail(block, "unknown catalog key %x", k)
	}
}

// stream walks a file's map tree and data blocks.
func (c *checker) stream(e *entry) {
	d := e.desc
	s := &stream{r: c.r, e: e, id: d.id, depth: int(d.depth), length: int64(d.length)}
	nblocks := (d.length + bodySize - 1) / bodySize
	var walk func(p Pointer, level int, base uint64)
	walk = func(p Pointer, level int, base uint64) {
		if p.IsNull() || !c.mark(p, "stream") {
			return
		}
		if base >= nblocks {
			c.fail(p.Block, "stream %d: block index %d past the length %d", d.id, base, d.length)
		}
		if level == 0 {
			plain := make([]byte, plainSize)
			h, err := c.r.readBlock(plain, p, kindData)
			if err != nil {
				c.failErr(err)
			} else if h.obj != d.id || h.index != base {
				c.fail(p.Block, "data block of stream %d index %d, expected stream %d index %d", h.obj, h.index, d.id, base)
			}
			return
		}
		m, err := s.readMap(p, level)
		if err != nil {
			c.failErr(err)
			return
		}
		sp := span(level)
		for k := range fanout {
			walk(m.kids[k], level-1, base+uint64(k)*sp)
		}
	}
	if d.flags&descInlineMap != 0 {
		for k, p := range d.ptrs {
			walk(p, 0, uint64(k))
		}
		return
	}
	walk(d.root, s.depth, 0)
}

func (c *checker) checkFree() {
	p, blocks, listed := c.rec.freeList, uint64(0), uint64(0)
	for !p.IsNull() {
		if !c.mark(p, "free-list") {
			return
		}
		plain := make([]byte, plainSize)
		h, err := c.r.readBlock(plain, p, kindFreeList)
		if err != nil {
			c.failErr(err)
			return
		}
		next, ex, ok := decodeFreeBlock(plain[headerSize:], int(h.used))
		if !ok {
			c.fail(p.Block, "free-list block holds %d extents", h.used)
			return
		}
		for _, e := range ex {
			for b := e.start; b < e.start+e.count && b < c.rec.hwm; b++ {
				if c.used[b] != 0 {
					c.fail(b, "listed free but in use (or listed twice)")
					continue
				}
				c.used[b] = 2
			}
			if e.start < 2 || e.start+e.count > c.rec.hwm {
				c.fail(p.Block, "free extent %d+%d outside [2,%d)", e.start, e.count, c.rec.hwm)
			}
			listed += e.count
		}
		blocks++
		p = next
	}
	if blocks != c.rec.freeBlks || listed != c.rec.freeCount {
		c.fail(c.rec.freeList.Block, "free list: %d blocks, %d free; commit record says %d, %d", blocks, listed, c.rec.freeBlks, c.rec.freeCount)
	}
}

func (c *checker) crossRef() {
	root, ok := c.entries[rootID]
	if !ok || root.typ != typeDir {
		c.failErr(fmt.Errorf("vault: catalog has no root directory: %w", ErrCorrupt))
		return
	}
	if uint64(len(c.entries)) != c.rec.entries {
		c.failErr(fmt.Errorf("vault: catalog holds %d entries, commit record says %d: %w", len(c.entries), c.rec.entries, ErrCorrupt))
	}
	for id, refs := range c.dirents {
		e, ok := c.entries[id]
		if !ok {
			c.failErr(fmt.Errorf("vault: directory entry %q points at missing entry %x: %w", refs[0].name, id, ErrCorrupt))
			continue
		}
		for _, r := range refs {
			if r.typ != e.typ {
				c.failErr(fmt.Errorf("vault: directory entry %q has type %d, entry has %d: %w", r.name, r.typ, e.typ, ErrCorrupt))
			}
			if p, ok := c.entries[r.parent]; !ok || p.typ != typeDir {
				c.failErr(fmt.Errorf("vault: directory entry %q lives in %x, which is not a directory: %w", r.name, r.parent, ErrCorrupt))
			}
		}
		if e.typ == typeDir && (len(refs) != 1 || refs[0].parent != e.parent || refs[0].name != e.name) {
			c.failErr(fmt.Errorf("vault: directory %x (%q) has %d names or a wrong parent: %w", id, e.name, len(refs), ErrCorrupt))
		}
	}
	for id, e := range c.entries {
		n := len(c.dirents[id])
		if id == rootID {
			n = 1
		}
		if uint32(n) != e.nlink {
			c.failErr(fmt.Errorf("vault: entry %x (%q) has link count %d but %d names: %w", id, e.name, e.nlink, n, ErrCorrupt))
		}
		if e.typ == typeLink {
			if _, ok := c.entries[e.link]; !ok {
				c.failErr(fmt.Errorf("vault: entry link %q points at missing entry %x: %w", e.name, e.link, ErrCorrupt))
			}
		}
		if e.typ == typeDir && id != rootID { // reachable from the root, no cycles
			a, hops := e, 0
			for a.id != rootID && hops <= len(c.entries) {
				p, ok := c.entries[a.parent]
				if !ok {
					break
				}
				a, hops = p, hops+1
			}
			if a.id != rootID {
				c.failErr(fmt.Errorf("vault: directory %x (%q) is not reachable from the root: %w", id, e.name, ErrCorrupt))
			}
		}
	}
}
