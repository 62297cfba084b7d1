package vault

import (
	"fmt"
	"slices"

	"ringvault/storage"
)

// Tx is a transaction: read-only (View) or the single writer (Update).
// A Tx and the Files opened in it must not be used after fn returns.
type Tx struct {
	db       *DB
	snap     *snapshot
	writable bool
	closed   bool
	r        reader

	tree btree // the writer's working catalog

	// Writer state.
	id        uint64
	rec       commitRecord
	startHWM  uint64
	allocated map[uint64]bool      // blocks allocated by this tx
	freed     []uint64             // committed blocks this tx stopped using
	streams   map[[16]byte]*stream // open file streams by entry id
	batch     map[uint64]slabRef   // sealed blocks not yet written
	slab      []byte               // the slab new sealed blocks go into
	slabUsed  int                  // blocks of slab handed out
	slabs     [][]byte             // slabs the batch points into
	io        []*inflight          // batches being written in the background, oldest first
	unsynced  int64                // bytes written since the last background sync
}

func (tx *Tx) txid() uint64 { return tx.id }

func (tx *Tx) readNode(p Pointer, level byte) (*node, error) { return tx.r.readNode(p, level) }

// release frees block p.Block: at once if this tx allocated it, otherwise
// once this commit is durable and no reader can still see it.
func (tx *Tx) release(p Pointer) {
	if p.IsNull() {
		return
	}
	if tx.allocated[p.Block] {
		delete(tx.allocated, p.Block)
		delete(tx.batch, p.Block)
		tx.db.smu.Lock()
		tx.db.setFree(p.Block)
		tx.db.smu.Unlock()
		return
	}
	tx.freed = append(tx.freed, p.Block)
}

// alloc takes the lowest free block, or extends the high-water mark.
func (tx *Tx) alloc() uint64 {
	db := tx.db
	db.smu.Lock()
	n, ok := db.free.first(max(2, db.freeHint))
	if ok && n < tx.rec.hwm {
		db.free.clear(n)
		db.freeHint = n + 1
	} else {
		db.freeHint = uint64(len(db.free)) * 64
		n = tx.rec.hwm
		tx.rec.hwm++
	}
	db.smu.Unlock()
	tx.allocated[n] = true
	return n
}

func (tx *Tx) end() {
	if tx.closed {
		return
	}
	tx.closed = true
	if !tx.writable {
		db := tx.db
		db.smu.Lock()
		t := tx.snap.rec.txid
		if db.readers[t]--; db.readers[t] <= 0 {
			delete(db.readers, t)
		}
		db.smu.Unlock()
	}
}

// rollback forgets everything the writer did: blocks it allocated become
// free again and the committed state is untouched.
func (tx *Tx) rollback() {
	db := tx.db
	tx.waitIO()
	tx.dropBatch()
	db.smu.Lock()
	for b := range tx.allocated {
		if b < tx.startHWM {
			db.setFree(b)
		}
	}
	db.free.truncate(tx.startHWM)
	db.smu.Unlock()
	tx.closed = true
}

// commit writes streams, catalog and free list, syncs, then writes the
// superblock of slot txid%2 and syncs again.
func (tx *Tx) commit() error {
	db := tx.db
	if err := tx.flushStreams(); err != nil {
		tx.rollback()
		return err
	}
	root, err := tx.writeNode(tx.tree.root)
	if err != nil {
		tx.rollback()
		return err
	}
	tx.rec.catalog, tx.rec.height = root, byte(tx.tree.height)
	tx.rec.time = db.opts.now().UnixNano()
	if err := tx.writeFreeList(); err != nil {
		tx.rollback()
		return err
	}
	if err := tx.flushBatch(); err != nil {
		return err
	}
	if err := tx.waitIO(); err != nil {
		return err
	}
	if err := db.poisoned(); err != nil {
		// A write of this transaction failed and the caller went on.
		return fmt.Errorf("vault: commit %d refused after a failed write: %w", tx.id, err)
	}
	if !db.opts.NoSync {
		if err := db.f.Sync(); err != nil {
			return db.poison(fmt.Errorf("vault: sync before commit %d: %w", tx.id, err))
		}
	}
	slot := int(tx.id % 2)
	sb := encodeSuperblock(&db.hdr, slot, &tx.rec, db.sup)
	if _, err := db.f.WriteAt(sb, int64(slot)*BlockSize); err != nil {
		return db.poison(fmt.Errorf("vault: write superblock %d: %w", slot, err))
	}
	if !db.opts.NoSync {
		if err := db.f.Sync(); err != nil {
			return db.poison(fmt.Errorf("vault: sync superblock %d: %w", slot, err))
		}
	}
	db.smu.Lock()
	db.pending = append(db.pending, pendingFree{txid: tx.id, blocks: tx.freed})
	db.state = &snapshot{rec: tx.rec, tree: tx.tree}
	db.smu.Unlock()
	tx.closed = true
	return nil
}

// writeNode writes the dirty nodes under n (children first) and returns
// n's pointer.
func (tx *Tx) writeNode(n *node) (Pointer, error) {
	if n.owner != tx.id {
		return n.ptr, nil
	}
	if !n.leaf {
		for _, k := range n.kids {
			c := k.n.Load()
			if c == nil || c.owner != tx.id {
				continue
			}
			p, err := tx.writeNode(c)
			if err != nil {
				return Pointer{}, err
			}
			k.ptr = p
		}
	}
	plain := make([]byte, plainSize)
	kind := byte(kindLeaf)
	if !n.leaf {
		kind = kindBranch
	}
	blockHeader{kind: kind, level: n.level, used: uint32(len(n.keys)), txid: tx.id}.put(plain)
	n.encode(plain[headerSize:])
	p, err := tx.writeNew(plain)
	if err != nil {
		return Pointer{}, err
	}
	n.ptr = p
	return p, nil
}

// writeFreeList writes the free set as a chain of free-list blocks. The
// set is everything free in the committed state this tx makes: the free
// bitmap, blocks waiting for readers, and blocks this tx released
// (including the old free-list chain).
func (tx *Tx) writeFreeList() error {
	db := tx.db
	old := tx.snap.rec.freeList
	for !old.IsNull() {
		plain := make([]byte, plainSize)
		if _, err := tx.r.readBlock(plain, old, kindFreeList); err != nil {
			return err
		}
		tx.release(old)
		old = getPointer(plain[headerSize:])
	}
	var chain []uint64
	var ex []extent
	for {
		db.smu.Lock()
		set := slices.Clone(db.free)
		for _, p := range db.pending {
			for _, b := range p.blocks {
				set.set(b)
			}
		}
		db.smu.Unlock()
		for _, b := range tx.freed {
			set.set(b)
		}
		set.truncate(tx.rec.hwm)
		ex = set.extents()
		need := (len(ex) + extentsPerBlock - 1) / extentsPerBlock
		if need <= len(chain) {
			break
		}
		for len(chain) < need {
			chain = append(chain, tx.alloc())
		}
	}
	var next Pointer
	var count uint64
	for _, e := range ex {
		count += e.count
	}
	for i := len(chain) - 1; i >= 0; i-- {
		lo := min(i*extentsPerBlock, len(ex))
		hi := min(lo+extentsPerBlock, len(ex))
		plain := make([]byte, plainSize)
		blockHeader{kind: kindFreeList, used: uint32(hi - lo), txid: tx.id, index: uint64(i)}.put(plain)
		encodeFreeBlock(plain[headerSize:], next, ex[lo:hi])
		ref := tx.rawBlocks(1)
		tag := db.blk.seal(ref.raw(), plain, chain[i])
		tx.batch[chain[i]] = ref
		next = Pointer{Block: chain[i], Txid: tx.id, Tag: tag}
	}
	tx.rec.freeList, tx.rec.freeBlks, tx.rec.freeCount = next, uint64(len(chain)), count
	return nil
}

var _ storage.File = (*File)(nil)
