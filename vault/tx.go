package vault

import (
	"crypto/rand"
	"fmt"
	"runtime"
	"slices"
	"sync"

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
	batch     map[uint64][]byte    // sealed blocks not yet written
	slabs     [][]byte             // slabs the batch points into
	spare     [][]byte             // slabs free for reuse
	wbuf      []byte               // coalescing buffer of flushBatch
	unsynced  int64                // bytes written since the last background sync
	syncing   chan error           // a background sync in flight
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

const batchMax = 2048 // blocks (8 MiB) buffered before writing

// writeNew seals plain into a newly allocated block and returns its pointer.
func (tx *Tx) writeNew(plain []byte) (Pointer, error) {
	n := tx.alloc()
	raw := make([]byte, BlockSize)
	tag := tx.db.blk.seal(raw, plain, n)
	tx.batch[n] = raw
	if len(tx.batch) >= tx.db.batchLimit() {
		if err := tx.flushBatch(); err != nil {
			return Pointer{}, err
		}
	}
	return Pointer{Block: n, Txid: tx.id, Tag: tag}, nil
}

// sealJob is one block for sealMany.
type sealJob struct {
	plain []byte
	n     uint64
	raw   []byte
	tag   [tagSize]byte
}

// sealMany allocates and seals blocks in parallel (the hot path of large
// writes) and queues them in the batch.
func (tx *Tx) sealMany(jobs []sealJob) error {
	var slab []byte
	if len(jobs) == dirtyMax {
		if n := len(tx.spare); n > 0 {
			slab, tx.spare = tx.spare[n-1], tx.spare[:n-1]
		} else {
			slab = make([]byte, dirtyMax*BlockSize)
		}
		tx.slabs = append(tx.slabs, slab)
	} else {
		slab = make([]byte, len(jobs)*BlockSize)
	}
	for i := range jobs {
		jobs[i].n = tx.alloc()
		jobs[i].raw = slab[i*BlockSize : (i+1)*BlockSize : (i+1)*BlockSize]
	}
	nonces := make([]byte, nonceSize*len(jobs))
	if _, err := rand.Read(nonces); err != nil {
		return err
	}
	workers := min(runtime.GOMAXPROCS(0), 1+len(jobs)/8)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(jobs); i += workers {
				jobs[i].tag = tx.db.blk.sealNonce(jobs[i].raw, jobs[i].plain, jobs[i].n, nonces[i*nonceSize:(i+1)*nonceSize])
			}
		}()
	}
	wg.Wait()
	for i := range jobs {
		tx.batch[jobs[i].n] = jobs[i].raw
	}
	if len(tx.batch) >= tx.db.batchLimit() {
		return tx.flushBatch()
	}
	return nil
}

// flushBatch writes the batch sorted by block number, coalescing runs.
func (tx *Tx) flushBatch() error {
	if len(tx.batch) == 0 {
		return nil
	}
	keys := make([]uint64, 0, len(tx.batch))
	for k := range tx.batch {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if tx.wbuf == nil {
		tx.wbuf = make([]byte, 0, 256*BlockSize)
	}
	buf := tx.wbuf[:0]
	start := keys[0]
	flush := func() error {
		if len(buf) == 0 {
			return nil
		}
		if _, err := tx.db.f.WriteAt(buf, int64(start)*BlockSize); err != nil {
			return tx.db.poison(fmt.Errorf("vault: write blocks %d+%d: %w", start, len(buf)/BlockSize, err))
		}
		buf = buf[:0]
		return nil
	}
	for _, k := range keys {
		if len(buf) > 0 && (k != start+uint64(len(buf)/BlockSize) || len(buf) >= 256*BlockSize) {
			if err := flush(); err != nil {
				return err
			}
		}
		if len(buf) == 0 {
			start = k
		}
		buf = append(buf, tx.batch[k]...)
	}
	if err := flush(); err != nil {
		return err
	}
	clear(tx.batch)
	tx.spare = append(tx.spare, tx.slabs...) // every block in them is on disk now
	tx.slabs = tx.slabs[:0]
	tx.unsynced += int64(len(keys)) * BlockSize
	return tx.backgroundSync()
}

// backgroundSyncBytes: a large transaction syncs its blocks in the
// background every so often, so the disk writes while the next blocks
// are sealed instead of all at the commit's first fsync. The blocks are
// not referenced by any superblock yet, so syncing them early is harmless.
const backgroundSyncBytes = 64 << 20

func (tx *Tx) backgroundSync() error {
	if tx.db.opts.NoSync || tx.unsynced < backgroundSyncBytes {
		return nil
	}
	if tx.syncing != nil {
		select {
		case err := <-tx.syncing:
			tx.syncing = nil
			if err != nil {
				return tx.db.poison(fmt.Errorf("vault: sync during transaction %d: %w", tx.id, err))
			}
		default:
			return nil // the previous one is still running
		}
	}
	ch := make(chan error, 1)
	f := tx.db.f
	go func() { ch <- f.Sync() }()
	tx.syncing, tx.unsynced = ch, 0
	return nil
}

// waitSync waits for a background sync in flight.
func (tx *Tx) waitSync() error {
	if tx.syncing == nil {
		return nil
	}
	err := <-tx.syncing
	tx.syncing = nil
	if err != nil {
		return tx.db.poison(fmt.Errorf("vault: sync during transaction %d: %w", tx.id, err))
	}
	return nil
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
	tx.waitSync()
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
		tx.waitSync()
		return err
	}
	if err := tx.waitSync(); err != nil {
		return err
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
		raw := make([]byte, BlockSize)
		tag := db.blk.seal(raw, plain, chain[i])
		tx.batch[chain[i]] = raw
		next = Pointer{Block: chain[i], Txid: tx.id, Tag: tag}
	}
	tx.rec.freeList, tx.rec.freeBlks, tx.rec.freeCount = next, uint64(len(chain)), count
	return nil
}

var _ storage.File = (*File)(nil)
