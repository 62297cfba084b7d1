package pinglog

import (
	"errors"
	"fmt"
	"slices"
	"sort"

	"ringvault/storage"
)

// Options4 configures Open4. A nil *Options4 means defaults.
type Options4 struct {
	// ReadOnly opens the log for reading only: the writer may be another
	// process.
	ReadOnly bool
	// NoSync skips the Sync after each block write: readers in other
	// processes still never see a torn block, but a machine crash may lose
	// more than the unfinished block. For tmpfs and tests.
	NoSync bool
}

// Log4 is an open version-4 log.
//
// # Crash and concurrency protocol
//
// The header is written once, at creation, and never again. The ring is
// Capacity slots of BlockSize bytes; block number seq (1, 2, 3, ...) lives
// in slot (seq-1) mod Capacity. Every block write is one WriteAt of the
// whole block image (48-byte block header with a CRC32C over the header
// and payload, then the payload) followed by Sync. The writer keeps the
// records of the unfinished block in memory; Flush rewrites that block in
// its slot (same seq, more records, not sealed); when it is full it is
// written sealed and the next records start block seq+1 in the next slot,
// which overwrites the oldest block (roll-over by whole blocks). So at any
// moment at most one write is unsynced, and it is to the newest block's
// slot.
//
// A reader (in any process, without locks) reads each slot with one
// ReadAt, accepts a block only if its magic, CRC32C, and seq-to-slot
// relation hold, and uses the run of consecutive sequence numbers that
// ends at the highest one. A block being rewritten fails its CRC and is
// skipped (the reader sees the previous blocks only); any version of block
// seq that passes its CRC holds a prefix of that block's final records, so
// a reader sees a prefix of what was appended, never a torn block or wrong
// data (the chance that a torn image passes CRC32C is 2^-32). A read that
// meets the unfinished block in the middle of its rewrite sees the blocks
// before it only, so successive reads may end up to one unfinished block
// earlier than a previous one. When a
// reader re-reads a block that the writer has since replaced, the seq
// check fails and the block is dropped at that end of the window.
//
// After a crash, Open4 finds the same state: sealed blocks whose write was
// synced survive; the unfinished block survives as last flushed, or is
// lost if the crash tore its rewrite. A crash loses at most the unfinished
// block.
//
// Methods are not safe for concurrent use within one process; use one
// Log4 per goroutine (they may share the file).
type Log4 struct {
	f      storage.File
	h      Header4
	ro     bool
	nosync bool
	blocks []blockInfo // valid blocks, oldest first
	c      blockCodec
	slot   []byte

	pending    []Record4 // records of the unfinished block (writer)
	pendingSeq uint64
	flushed    int // how many of pending are on disk
	nextCheck  int // len(pending) at which Append re-encodes to check the size

	sealedRecords uint64 // records in sealed blocks written and synced
}

// Create4 makes a new, empty version-4 log on f: it writes the header,
// sizes the file for the whole ring (sparse where the file system allows)
// and syncs.
func Create4(f storage.File, h Header4) (*Log4, error) {
	hb, err := EncodeHeader4(h)
	if err != nil {
		return nil, err
	}
	if err := f.Truncate(0); err != nil {
		return nil, err
	}
	if _, err := f.WriteAt(hb, 0); err != nil {
		return nil, err
	}
	if err := f.Truncate(v4HeaderLen + int64(h.Capacity)*int64(h.BlockSize)); err != nil {
		return nil, err
	}
	if err := f.Sync(); err != nil {
		return nil, err
	}
	return &Log4{f: f, h: h, pendingSeq: 1}, nil
}

// Open4 opens a version-4 log: it checks the header and scans the ring.
// A writer (not ReadOnly) continues the unfinished block if one was
// flushed.
func Open4(f storage.File, opts *Options4) (*Log4, error) {
	size, err := f.Size()
	if err != nil {
		return nil, err
	}
	hb := make([]byte, min(size, v4HeaderLen))
	if err := storage.ReadFull(f, hb, 0); err != nil {
		return nil, err
	}
	h, err := DecodeHeader4(hb, size)
	if err != nil {
		return nil, err
	}
	l := &Log4{f: f, h: h, ro: opts != nil && opts.ReadOnly, nosync: opts != nil && opts.NoSync}
	if err := l.Refresh(); err != nil {
		return nil, err
	}
	l.pendingSeq = 1
	if n := len(l.blocks); n > 0 {
		head := l.blocks[n-1]
		l.pendingSeq = head.Seq + 1
		if !head.Sealed && !l.ro {
			recs, err := l.readBlock(head, nil)
			if err != nil {
				return nil, err
			}
			l.blocks = l.blocks[:n-1]
			l.pending, l.pendingSeq, l.flushed = recs, head.Seq, len(recs)
		}
	}
	return l, nil
}

// Header returns the header.
func (l *Log4) Header() Header4 { return l.h }

func (l *Log4) slotOffset(slot uint32) int64 {
	return v4HeaderLen + int64(slot)*int64(l.h.BlockSize)
}

func (l *Log4) readSlot(slot uint32) ([]byte, error) {
	if cap(l.slot) < int(l.h.BlockSize) {
		l.slot = make([]byte, l.h.BlockSize)
	}
	b := l.slot[:l.h.BlockSize]
	if err := storage.ReadFull(l.f, b, l.slotOffset(slot)); err != nil {
		return nil, fmt.Errorf("pinglog: block slot %d at byte %d: %w", slot, l.slotOffset(slot), err)
	}
	return b, nil
}

// Refresh rescans the ring for blocks written since the log was opened
// (by another process). The writer's unfinished block is unaffected.
//
// It reads only the 48-byte block headers, then verifies the CRC of the
// blocks at both ends of the run: a write cut by a crash or in progress can
// only be in the slot being written, which holds the newest block or the
// oldest one. Every block's CRC is checked again when it is read.
func (l *Log4) Refresh() error {
	all, err := l.scanHeads()
	if err != nil {
		return err
	}
	// Keep the run of consecutive sequence numbers ending at the newest.
	start := len(all) - 1
	for start > 0 && all[start-1].Seq+1 == all[start].Seq {
		start--
	}
	run := all[max(start, 0):]
	for len(run) > 0 {
		now, ok, err := l.verify(run[len(run)-1])
		if err != nil {
			return err
		}
		if ok {
			run[len(run)-1] = now
			break
		}
		run = run[:len(run)-1]
	}
	for len(run) > 0 {
		now, ok, err := l.verify(run[0])
		if err != nil {
			return err
		}
		if ok {
			run[0] = now
			break
		}
		run = run[1:]
	}
	if len(run) == 0 && len(all) > 0 {
		// Every candidate block failed its check. If the headers are
		// unchanged on a second look, no writer is replacing them: the
		// newest block is damaged.
		again, err := l.scanHeads()
		if err != nil {
			return err
		}
		if slices.Equal(again, all) {
			newest := all[len(all)-1]
			return corrupt(l.slotOffset(newest.Slot), "block", "block %d in slot %d fails its CRC or length checks, and so does every older block", newest.Seq, newest.Slot)
		}
		return fmt.Errorf("pinglog: the writer replaced the blocks while they were scanned; retry: %w", errStale)
	}
	l.blocks = run
	l.retryHead()
	if !l.ro && len(l.pending) > 0 && len(l.blocks) > 0 && l.blocks[len(l.blocks)-1].Seq == l.pendingSeq {
		l.blocks = l.blocks[:len(l.blocks)-1] // our own flushed partial block
	}
	return nil
}

// scanHeads reads every slot's 48-byte block header and returns the blocks
// whose headers parse, oldest sequence number first.
func (l *Log4) scanHeads() ([]blockInfo, error) {
	var all []blockInfo
	var head [v4BlockHead]byte
	for s := uint32(0); s < l.h.Capacity; s++ {
		if err := storage.ReadFull(l.f, head[:], l.slotOffset(s)); err != nil {
			return nil, fmt.Errorf("pinglog: block slot %d at byte %d: %w", s, l.slotOffset(s), err)
		}
		if bi, ok := parseHead(l.h, s, head[:]); ok {
			all = append(all, bi)
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Seq < all[j].Seq })
	return all, nil
}

// retryHead re-reads, a few times, the slot after the newest block when it
// holds a block image that fails its checks: a writer is probably in the
// middle of rewriting it.
func (l *Log4) retryHead() {
	next := uint64(1)
	if n := len(l.blocks); n > 0 {
		next = l.blocks[n-1].Seq + 1
	}
	slot := uint32((next - 1) % uint64(l.h.Capacity))
	for try := 0; try < 3; try++ {
		b, err := l.readSlot(slot)
		if err != nil || string(b[:4]) != v4BlockMagic {
			return
		}
		if bi, ok := parseBlock(l.h, slot, b); ok {
			if bi.Seq == next {
				l.blocks = append(l.blocks, bi)
			}
			return
		}
	}
}

// verify reads a block's whole slot and checks it still holds the block
// the header scan found (or a grown version of it) with a valid CRC, and
// returns what it holds.
func (l *Log4) verify(bi blockInfo) (blockInfo, bool, error) {
	b, err := l.readSlot(bi.Slot)
	if err != nil {
		return bi, false, err
	}
	now, ok := parseBlock(l.h, bi.Slot, b)
	return now, ok && now.Seq == bi.Seq && now.Count >= bi.Count, nil
}

// errStale: a block changed between the scan and the read.
var errStale = errors.New("pinglog: block rolled over while reading")

// readBlock re-reads and re-verifies a block and appends its records.
func (l *Log4) readBlock(bi blockInfo, out []Record4) ([]Record4, error) {
	b, err := l.readSlot(bi.Slot)
	if err != nil {
		return out, err
	}
	now, ok := parseBlock(l.h, bi.Slot, b)
	if !ok || now.Seq != bi.Seq || now.Count < bi.Count {
		return out, errStale
	}
	// The block may have grown since the scan (an unfinished block the
	// writer rewrote or sealed): all of it is used, since a block that was
	// unfinished at scan time and has a successor by now is sealed.
	return l.c.decode(now, b, out)
}

// Len returns the number of records: on disk, plus the writer's
// unflushed ones.
func (l *Log4) Len() int {
	n := 0
	for _, b := range l.blocks {
		n += int(b.Count)
	}
	return n + len(l.pending)
}

// Records returns every record in order. A reader whose view went stale
// (the writer rolled over blocks it scanned) gets the records that are
// still consistent: blocks that rolled away at the old end are dropped.
func (l *Log4) Records() ([]Record4, error) {
	out := make([]Record4, 0, l.Len())
	for i, bi := range l.blocks {
		var err error
		out, err = l.readBlock(bi, out)
		if errors.Is(err, errStale) {
			if len(out) == 0 {
				continue // rolled away at the old end
			}
			if i == len(l.blocks)-1 {
				break
			}
			return nil, fmt.Errorf("pinglog: block %d changed while reading; call Refresh and retry: %w", bi.Seq, err)
		}
		if err != nil {
			return nil, err
		}
	}
	if len(out) == 0 && len(l.blocks) > 0 {
		return nil, fmt.Errorf("pinglog: every block rolled over while reading; call Refresh and retry: %w", errStale)
	}
	return append(out, l.pending...), nil
}

// Scan calls fn for each record with start <= Time <= end, in order,
// until fn returns false. It finds the first block by binary search over
// the blocks' time ranges (times are expected to be non-decreasing), so
// the cost is O(log blocks) reads plus the blocks it visits.
func (l *Log4) Scan(start, end int64, fn func(Record4) bool) error {
	i := sort.Search(len(l.blocks), func(i int) bool { return l.blocks[i].MaxTime >= start })
	var buf []Record4
	for ; i < len(l.blocks) && l.blocks[i].MinTime <= end; i++ {
		var err error
		buf, err = l.readBlock(l.blocks[i], buf[:0])
		if errors.Is(err, errStale) {
			continue
		}
		if err != nil {
			return err
		}
		for _, r := range buf {
			if r.Time >= start && r.Time <= end && !fn(r) {
				return nil
			}
		}
	}
	for _, r := range l.pending {
		if r.Time >= start && r.Time <= end && !fn(r) {
			return nil
		}
	}
	return nil
}

// Find returns the first record with Time >= t (binary search over blocks,
// then within the block) and false if there is none.
func (l *Log4) Find(t int64) (Record4, bool, error) {
	var found Record4
	ok := false
	err := l.Scan(t, 1<<63-1, func(r Record4) bool { found, ok = r, true; return false })
	return found, ok, err
}

// blockBytes is the bytes the valid blocks use (headers and payloads).
func (l *Log4) blockBytes() int {
	n := 0
	for _, b := range l.blocks {
		n += v4BlockHead + int(b.Payload)
	}
	return n
}

// Stats describes the blocks of a log, for info output.
type Stats struct {
	Blocks      int     // valid blocks on disk
	Records     int     // records in them (plus the writer's unflushed ones)
	Lost        int     // lost probes among the records on disk
	BlockBytes  int     // bytes of block headers and payloads
	FirstSeq    uint64  // oldest block's sequence number
	LastSeq     uint64  // newest block's sequence number
	MinTime     int64   // oldest record time
	MaxTime     int64   // newest record time
	Unfinished  bool    // the newest block is not sealed
	FileBytes   int64   // header and ring, preallocated
	RecordBytes float64 // BlockBytes per record
}

// Stats returns a summary of the blocks found by the last scan.
func (l *Log4) Stats() Stats {
	s := Stats{Blocks: len(l.blocks), Records: l.Len(), BlockBytes: l.blockBytes(),
		FileBytes: v4HeaderLen + int64(l.h.Capacity)*int64(l.h.BlockSize)}
	for _, b := range l.blocks {
		s.Lost += int(b.Lost)
	}
	if n := len(l.blocks); n > 0 {
		s.FirstSeq, s.LastSeq = l.blocks[0].Seq, l.blocks[n-1].Seq
		s.MinTime, s.MaxTime = l.blocks[0].MinTime, l.blocks[n-1].MaxTime
		s.Unfinished = !l.blocks[n-1].Sealed
	}
	if s.Records > 0 {
		s.RecordBytes = float64(s.BlockBytes) / float64(s.Records)
	}
	return s
}
