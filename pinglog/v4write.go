package pinglog

import (
	"fmt"
	"math"
)

// Append adds a record to the unfinished block. It reaches the disk when
// the block fills (written sealed and synced) or at the next Flush.
// Records should come in time order; out-of-order times are kept as given
// but make Scan and Find unreliable.
func (l *Log4) Append(r Record4) error {
	if l.ro {
		return ErrReadOnly
	}
	if r.Lost || r.Timeout {
		r.Lost, r.Value = true, 0
	} else if math.IsNaN(r.Value) {
		return fmt.Errorf("%w: NaN latency at time %d (use Lost)", ErrRange, r.Time)
	}
	l.pending = append(l.pending, r)
	n := len(l.pending)
	if n < int(l.h.MaxPerBlock) && n < l.nextCheck {
		return nil
	}
	fit, size := l.fit()
	if fit < n || n >= int(l.h.MaxPerBlock) {
		return l.seal(fit)
	}
	// Re-encode when the block could be about half-way to full at the
	// bytes per record seen so far: a few encodes per block.
	perRecord := size/n + 1
	l.nextCheck = n + max(16, (int(l.h.BlockSize)-size)/(2*perRecord))
	return nil
}

// fit returns how many of the pending records fit one block slot, and the
// encoded size of all of them when they all fit.
func (l *Log4) fit() (int, int) {
	room := int(l.h.BlockSize)
	if size := len(l.c.encode(l.h.order(), 0, l.pending, false)); size <= room {
		return len(l.pending), size
	}
	lo, hi := 1, len(l.pending) // lo fits (BlockSize >= 512 holds one record)
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if len(l.c.encode(l.h.order(), 0, l.pending[:mid], false)) <= room {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo, 0
}

// seal writes the first n pending records as the sealed block pendingSeq,
// syncs, and starts the next block with the rest.
func (l *Log4) seal(n int) error {
	if err := l.writeBlock(l.pending[:n], true); err != nil {
		return err
	}
	rest := copy(l.pending, l.pending[n:])
	l.pending = l.pending[:rest]
	l.pendingSeq++
	l.flushed = 0
	l.nextCheck = len(l.pending) + 16
	return nil
}

// writeBlock writes recs as block pendingSeq in its slot, and syncs.
func (l *Log4) writeBlock(recs []Record4, sealed bool) error {
	img := l.c.encode(l.h.order(), l.pendingSeq, recs, sealed)
	if len(img) > int(l.h.BlockSize) {
		return fmt.Errorf("%w: block of %d records is %d bytes, slot is %d", ErrRange, len(recs), len(img), l.h.BlockSize)
	}
	slot := uint32((l.pendingSeq - 1) % uint64(l.h.Capacity))
	if _, err := l.f.WriteAt(img, l.slotOffset(slot)); err != nil {
		return fmt.Errorf("pinglog: writing block %d: %w", l.pendingSeq, err)
	}
	if !l.nosync {
		if err := l.f.Sync(); err != nil {
			return fmt.Errorf("pinglog: syncing block %d: %w", l.pendingSeq, err)
		}
	}
	bi, _ := parseBlock(l.h, slot, img)
	// The slot's previous block (the oldest) is gone.
	for len(l.blocks) > 0 && l.blocks[0].Slot == slot {
		l.blocks = l.blocks[1:]
	}
	if sealed {
		l.blocks = append(l.blocks, bi)
		l.sealedRecords += uint64(len(recs))
	}
	return nil
}

// Flush writes the unfinished block (rewriting its slot) and syncs, so
// every record appended so far survives a crash unless the crash tears a
// later rewrite of this same block.
func (l *Log4) Flush() error {
	if l.ro || len(l.pending) == l.flushed {
		return nil
	}
	for {
		n, _ := l.fit()
		if n == len(l.pending) {
			break
		}
		if err := l.seal(n); err != nil {
			return err
		}
	}
	if len(l.pending) == 0 {
		return nil
	}
	if err := l.writeBlock(l.pending, false); err != nil {
		return err
	}
	l.flushed = len(l.pending)
	return nil
}

// Close flushes (for a writer) and closes the file.
func (l *Log4) Close() error {
	err := l.Flush()
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	return err
}
