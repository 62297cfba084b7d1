package vault

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"

	"ringvault/storage"
)

// SalvageReport says what Salvage found and rebuilt.
type SalvageReport struct {
	Blocks   uint64   // blocks scanned
	Damaged  []uint64 // blocks that failed authentication (free blocks left over from crashes count too)
	Entries  int      // entries rebuilt
	Lost     int      // entries put under lost+found (their directory was gone)
	Holes    int      // data blocks missing from files (read as zeros)
	Restored uint64   // newest transaction seen in the surviving blocks
}

type blockRef struct {
	n    uint64
	txid uint64
}

type cellRef struct {
	txid uint64
	val  []byte
}

// Salvage rebuilds a vault from its self-describing blocks, without
// trusting superblock commit records, catalog branches or pointers: every
// block that still authenticates (under the file's key and its own block
// number) is read; for each catalog key the newest version wins, and each
// file is reassembled from its data blocks (stream id, index) with the
// newest birth txid not after the file's last change. The result is
// written to dst as a new vault with the same identity and keys. Entries
// whose directory is gone land in lost+found. Salvage can bring back
// entries deleted long ago if their old blocks survive; it never invents
// data.
func Salvage(src storage.File, opts *Options, dst storage.File) (SalvageReport, error) {
	var rep SalvageReport
	if opts == nil || (opts.Password == nil && opts.Key == nil) {
		return rep, ErrNoKey
	}
	db := &DB{f: src, opts: *opts, readers: map[uint64]int{}}
	found := false
	for slot := range 2 {
		b := make([]byte, BlockSize)
		if err := storage.ReadFull(src, b, int64(slot)*BlockSize); err != nil {
			continue
		}
		s, _ := parseSuperblock(b, slot)
		if s == nil {
			continue
		}
		found = true
		if m := unwrapAny(s, opts.Password, opts.Key, map[keySlot]bool{}); m != nil {
			db.hdr, db.master = *s, m
			break
		}
	}
	if !found {
		return rep, ErrNotVault
	}
	if db.master == nil {
		return rep, ErrWrongKey
	}
	db.hdr.raw = nil
	if err := db.initSealers(); err != nil {
		return rep, err
	}
	size, err := src.Size()
	if err != nil {
		return rep, err
	}
	cells := map[string]cellRef{}
	data := map[uint64]map[uint64][]blockRef{}
	raw := make([]byte, BlockSize)
	plain := make([]byte, plainSize)
	for n := uint64(2); int64(n+1)*BlockSize <= size; n++ {
		rep.Blocks++
		if err := storage.ReadFull(src, raw, int64(n)*BlockSize); err != nil {
			return rep, err
		}
		if db.blk.open(plain, raw, n) != nil {
			rep.Damaged = append(rep.Damaged, n)
			continue
		}
		h := getHeader(plain)
		rep.Restored = max(rep.Restored, h.txid)
		switch h.kind {
		case kindLeaf:
			nd, err := decodeNode(plain[headerSize:], true, 0)
			if err != nil {
				continue
			}
			for i, k := range nd.keys {
				if c, ok := cells[string(k)]; !ok || h.txid > c.txid {
					cells[string(k)] = cellRef{h.txid, nd.vals[i]}
				}
			}
		case kindData:
			m := data[h.obj]
			if m == nil {
				m = map[uint64][]blockRef{}
				data[h.obj] = m
			}
			m[h.index] = append(m[h.index], blockRef{n, h.txid})
		}
	}
	out := &DB{f: dst, opts: *opts, readers: map[uint64]int{}, hdr: db.hdr, master: db.master, blk: db.blk, sup: db.sup}
	out.opts.ReadOnly = false
	out.state = &snapshot{rec: commitRecord{hwm: 2}, tree: btree{root: &node{leaf: true}, height: 1}}
	err = out.Update(func(tx *Tx) error { return rebuild(tx, db, cells, data, &rep) })
	return rep, err
}

func rebuild(tx *Tx, db *DB, cells map[string]cellRef, data map[uint64]map[uint64][]blockRef, rep *SalvageReport) error {
	entries := map[[16]byte]*entry{}
	dirents := map[string][16]byte{}
	for k, c := range cells {
		switch {
		case len(k) == 17 && k[0] == keyEntry:
			if e, err := decodeEntry(c.val); err == nil && bytes.Equal(e.id[:], []byte(k[1:])) {
				entries[e.id] = e
			}
		case len(k) > 17 && k[0] == keyDirent && len(c.val) == 17:
			dirents[k] = [16]byte(c.val[:16])
		}
	}
	if root, ok := entries[rootID]; !ok || root.typ != typeDir {
		entries[rootID] = &entry{typ: typeDir, mode: 0o755}
	}
	for id := range entries {
		tx.rec.nextID = max(tx.rec.nextID, counterOf(id))
	}
	ids := slices.SortedFunc(maps.Keys(entries), func(a, b [16]byte) int { return bytes.Compare(a[:], b[:]) })
	// An entry keeps its place if its primary directory entry survived and
	// its parent chain reaches the root; otherwise it moves to lost+found
	// (a lost directory takes its children with it).
	placed := func(e *entry) bool {
		for hops := 0; e.id != rootID; hops++ {
			p, ok := entries[e.parent]
			if !ok || p.typ != typeDir || hops > len(entries) || dirents[string(direntKey(e.parent, e.name))] != e.id {
				return false
			}
			e = p
		}
		return true
	}
	var lf *entry
	for pass := 0; pass < 2; pass++ {
		for _, id := range ids {
			e := entries[id]
			if id == rootID || placed(e) {
				continue
			}
			p, ok := entries[e.parent]
			own := ok && p.typ == typeDir && dirents[string(direntKey(e.parent, e.name))] == e.id
			if pass == 0 && own {
				continue // may be placed once its directory is
			}
			if lf == nil {
				tx.rec.nextID++
				lf = &entry{typ: typeDir, mode: 0o700, id: idFromCounter(tx.rec.nextID), parent: rootID, name: "lost+found"}
				entries[lf.id] = lf
				dirents[string(direntKey(rootID, lf.name))] = lf.id
				ids = append(ids, lf.id)
			}
			e.parent, e.name = lf.id, hex.EncodeToString(e.id[8:])
			dirents[string(direntKey(e.parent, e.name))] = e.id
			rep.Lost++
		}
	}
	for _, id := range ids {
		e := entries[id]
		e.nlink = 1
		if id != rootID {
			if err := tx.tree.put(tx, direntKey(e.parent, e.name), append(e.id[:], e.typ)); err != nil {
				return err
			}
		}
		if e.typ == typeLink {
			if _, ok := entries[e.link]; !ok {
				e.typ, e.target = typeSymlink, "(salvage: entry link target lost)"
			}
		}
		if err := tx.putEntry(e); err != nil {
			return err
		}
		tx.rec.entries++
		rep.Entries++
		if e.typ == typeFile && e.flags&flagInline == 0 {
			if err := salvageStream(tx, db, e, data[e.desc.id], rep); err != nil {
				return err
			}
		}
	}
	return nil
}

// salvageStream rebuilds a file from the newest surviving data blocks not
// newer than the file's last change.
func salvageStream(tx *Tx, db *DB, e *entry, blocks map[uint64][]blockRef, rep *SalvageReport) error {
	ne := *e
	ne.desc = streamDesc{id: e.desc.id}
	s := newStream(&tx.r, tx, &ne)
	tx.streams[e.id] = s
	r := &reader{db: db}
	plain := make([]byte, plainSize)
	for idx := uint64(0); idx*bodySize < e.desc.length; idx++ {
		var best *blockRef
		for i, c := range blocks[idx] {
			if c.txid <= e.desc.mtxid && (best == nil || c.txid > best.txid) {
				best = &blocks[idx][i]
			}
		}
		if best == nil {
			rep.Holes++
			continue
		}
		raw := make([]byte, BlockSize)
		if err := storage.ReadFull(r.db.f, raw, int64(best.n)*BlockSize); err != nil {
			return err
		}
		if err := db.blk.open(plain, raw, best.n); err != nil {
			return fmt.Errorf("vault: salvage: block %d changed during the scan: %w", best.n, err)
		}
		n := min(int64(e.desc.length)-int64(idx)*bodySize, bodySize)
		if err := s.writeAt(plain[headerSize:headerSize+n], int64(idx)*bodySize); err != nil {
			return err
		}
	}
	return s.truncate(int64(e.desc.length))
}
