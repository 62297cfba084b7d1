package vault

import (
	"crypto/rand"
	"fmt"
	"runtime"
	"slices"
	"sync"

	"ringvault/storage"
)

// The write path of a transaction. Sealed blocks go into slabs (1 MiB,
// page-aligned, recycled through slabPool) in the order they are
// allocated, so blocks with consecutive numbers usually sit side by side
// in memory. The batch maps block numbers to their place in a slab. When
// it holds batchLimit blocks, flushBatch cuts it into runs of consecutive
// blocks that are also adjacent in memory and hands them to a background
// goroutine that writes each run with one WriteAt straight from the slab
// (no copy; past the page cache on a real file, see storage.DirectIO)
// while the writer goes on sealing the next batch. Up to maxInflight
// batches are in flight; writes reach the file in the order they were
// submitted, so a block rewritten later in the transaction ends with its
// newest content. Before the transaction reads a block from the file,
// before commit's first fsync and before it ends, every batch in flight is
// waited for.

const (
	batchMax   = 2048 // blocks (8 MiB) buffered before writing
	slabBlocks = 256  // blocks per slab, and at most per WriteAt (1 MiB)
)

// slabRef locates a sealed block: block at of slab.
type slabRef struct {
	slab []byte
	at   int
}

func (r slabRef) raw() []byte {
	return r.slab[r.at*BlockSize : (r.at+1)*BlockSize : (r.at+1)*BlockSize]
}

// Slabs are page-aligned so that runs in them can bypass the page cache.
var slabPool = sync.Pool{New: func() any { b := storage.AlignedBuffer(slabBlocks * BlockSize); return &b }}

// rawBlocks returns room for n sealed blocks, adjacent in memory, and
// where they start. n is at most slabBlocks except for oversized jobs.
func (tx *Tx) rawBlocks(n int) slabRef {
	if n > slabBlocks {
		return slabRef{slab: storage.AlignedBuffer(n * BlockSize)}
	}
	if tx.slab == nil || tx.slabUsed+n > slabBlocks {
		tx.slab, tx.slabUsed = *slabPool.Get().(*[]byte), 0
		tx.slabs = append(tx.slabs, tx.slab)
	}
	r := slabRef{slab: tx.slab, at: tx.slabUsed}
	tx.slabUsed += n
	return r
}

// writeNew seals plain into a newly allocated block and returns its pointer.
func (tx *Tx) writeNew(plain []byte) (Pointer, error) {
	n := tx.alloc()
	ref := tx.rawBlocks(1)
	tag := tx.db.blk.seal(ref.raw(), plain, n)
	tx.batch[n] = ref
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
	tag   [tagSize]byte
}

// sealMany allocates and seals blocks in parallel (the hot path of large
// writes) and queues them in the batch.
func (tx *Tx) sealMany(jobs []sealJob) error {
	ref := tx.rawBlocks(len(jobs))
	for i := range jobs {
		jobs[i].n = tx.alloc()
	}
	var nonces [slabBlocks * nonceSize]byte
	nb := nonces[:]
	if len(jobs) > slabBlocks {
		nb = make([]byte, nonceSize*len(jobs))
	}
	if _, err := rand.Read(nb[:nonceSize*len(jobs)]); err != nil {
		return err
	}
	raw := func(i int) []byte { return slabRef{slab: ref.slab, at: ref.at + i}.raw() }
	ads := make([]byte, 24*len(jobs))
	seal := func(w, workers int) {
		for i := w; i < len(jobs); i += workers {
			jobs[i].tag = tx.db.blk.sealNonce(raw(i), jobs[i].plain, jobs[i].n, nb[i*nonceSize:(i+1)*nonceSize], ads[24*i:24*i+24])
		}
	}
	workers := min(runtime.GOMAXPROCS(0), 1+len(jobs)/8)
	var wg sync.WaitGroup
	for w := 1; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			seal(w, workers)
		}()
	}
	seal(0, workers) // this goroutine takes a share too
	wg.Wait()
	for i := range jobs {
		tx.batch[jobs[i].n] = slabRef{slab: ref.slab, at: ref.at + i}
	}
	if len(tx.batch) >= tx.db.batchLimit() {
		return tx.flushBatch()
	}
	return nil
}

// run is one WriteAt: consecutive blocks, adjacent in a slab.
type run struct {
	off int64
	buf []byte
}

// inflight is a batch being written in the background. Each batch has its
// own goroutine, which waits for the previous batch before writing, so the
// writes reach the file in order; if an earlier batch failed, later ones
// are not written and carry its error.
type inflight struct {
	done  chan struct{} // closed once written (or skipped)
	err   error         // set before done is closed
	slabs [][]byte      // returned to slabPool once written
}

// maxInflight batches (8 MiB each) may be queued for the disk, so that it
// keeps writing while sealing is slowed down (a shared machine) and the
// sealers keep working while a write or the device is slow.
var maxInflight = 4

// flushBatch hands the batch, sorted by block number and cut into runs,
// to the background writer (waiting first while maxInflight batches are
// queued).
func (tx *Tx) flushBatch() error {
	if len(tx.batch) == 0 {
		return nil
	}
	for len(tx.io) >= maxInflight {
		if err := tx.waitOldest(); err != nil {
			return err
		}
	}
	keys := make([]uint64, 0, len(tx.batch))
	for k := range tx.batch {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var runs []run
	var first, last slabRef
	start, count := uint64(0), 0
	for _, k := range keys {
		r := tx.batch[k]
		if count > 0 && k == start+uint64(count) && count < slabBlocks &&
			&r.slab[0] == &last.slab[0] && r.at == last.at+1 {
			count++
			last = r
			continue
		}
		if count > 0 {
			runs = append(runs, run{int64(start) * BlockSize, first.slab[first.at*BlockSize : (last.at+1)*BlockSize]})
		}
		first, last, start, count = r, r, k, 1
	}
	runs = append(runs, run{int64(start) * BlockSize, first.slab[first.at*BlockSize : (last.at+1)*BlockSize]})
	clear(tx.batch)
	tx.unsynced += int64(len(keys)) * BlockSize
	sync := !tx.db.opts.NoSync && tx.unsynced >= backgroundSyncBytes && !tx.db.direct()
	if sync {
		tx.unsynced = 0
	}
	io := &inflight{done: make(chan struct{}), slabs: tx.slabs}
	tx.slab, tx.slabUsed, tx.slabs = nil, 0, nil
	var prev *inflight
	if n := len(tx.io); n > 0 {
		prev = tx.io[n-1]
	}
	tx.io = append(tx.io, io)
	db, id := tx.db, tx.id
	go func() {
		defer close(io.done)
		if prev != nil {
			if <-prev.done; prev.err != nil {
				io.err = prev.err
				return
			}
		}
		io.err = db.writeRuns(runs, sync, id)
	}()
	return nil
}

// writeRuns writes runs in order, then syncs if asked.
func (db *DB) writeRuns(runs []run, sync bool, txid uint64) error {
	if db.dio != nil {
		// Runs that follow each other on disk go in one vectored write.
		var bufs [][]byte
		for i := 0; i < len(runs); {
			off, n := runs[i].off, int64(0)
			bufs = bufs[:0]
			for ; i < len(runs) && runs[i].off == off+n; i++ {
				bufs = append(bufs, runs[i].buf)
				n += int64(len(runs[i].buf))
			}
			if _, err := db.dio.WriteVecAt(bufs, off); err != nil {
				return fmt.Errorf("vault: write blocks %d+%d: %w", off/BlockSize, n/BlockSize, err)
			}
		}
	} else {
		for _, r := range runs {
			if _, err := db.f.WriteAt(r.buf, r.off); err != nil {
				return fmt.Errorf("vault: write blocks %d+%d: %w", r.off/BlockSize, len(r.buf)/BlockSize, err)
			}
		}
	}
	if sync {
		if err := db.f.Sync(); err != nil {
			return fmt.Errorf("vault: sync during transaction %d: %w", txid, err)
		}
	}
	return nil
}

// backgroundSyncBytes: a large transaction written through the page
// cache syncs its blocks every so often, right after writing a batch and
// while the next one is sealed, so the disk works during the transaction
// instead of all at the commit's first fsync. The blocks are not
// referenced by any superblock yet, so syncing them early is harmless.
// Writes past the page cache are on the device when WriteAt returns, so
// there is nothing to start early (each sync would only flush the
// device's cache and the journal, and stall the next batch).
const backgroundSyncBytes = 64 << 20

// waitIO waits for every batch in flight; a failed write or sync poisons
// the handle.
func (tx *Tx) waitIO() error {
	var first error
	for len(tx.io) > 0 {
		if err := tx.waitOldest(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// waitOldest waits for the oldest batch in flight and recycles its slabs.
func (tx *Tx) waitOldest() error {
	io := tx.io[0]
	<-io.done
	tx.io[0] = nil
	tx.io = tx.io[1:]
	for _, s := range io.slabs {
		s := s[:cap(s)]
		if len(s) == slabBlocks*BlockSize {
			slabPool.Put(&s)
		}
	}
	if io.err != nil {
		return tx.db.poison(io.err)
	}
	return nil
}

// dropBatch forgets blocks not yet handed to the writer (rollback).
func (tx *Tx) dropBatch() {
	clear(tx.batch)
	for _, s := range tx.slabs {
		slabPool.Put(&s)
	}
	tx.slab, tx.slabUsed, tx.slabs = nil, 0, nil
}

// direct reports whether aligned runs bypass the page cache.
func (db *DB) direct() bool { return db.dio != nil && db.dio.IsDirect() }
