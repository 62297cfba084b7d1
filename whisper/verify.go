package whisper

import "fmt"

// Verify checks the points of every archive against the ring rules python
// writes by: each stored timestamp (other than 0, never written) is
// aligned to its archive's step and sits in the slot the archive's base
// assigns to it. Files python and this package write always pass; a point
// torn by a crash across a sector boundary, or bytes damaged otherwise,
// usually do not (the format has no checksum, so a value torn while its
// timestamp survived cannot be detected). It returns nil or a
// *CorruptError naming the first bad point and how many there are.
func (w *File) Verify() (err error) {
	w.mu.RLock()
	defer w.mu.RUnlock()
	defer w.recoverFault(&err, w.armFault())
	var first *CorruptError
	bad := 0
	buf := make([]byte, 0)
	for ai := range w.hdr.Archives {
		a := &w.hdr.Archives[ai]
		P := int64(a.Points)
		if P == 0 {
			continue
		}
		if cap(buf) < int(P)*pointSize {
			buf = make([]byte, P*pointSize)
		}
		raw := buf[:P*pointSize]
		if err := w.readRing(a, 0, P, raw); err != nil {
			return err
		}
		base := int64(0)
		for k := int64(0); k < P; k++ {
			ts, _ := pointAt(raw, int(k))
			if k == 0 {
				base = int64(ts)
			}
			if ts == 0 {
				continue
			}
			why := ""
			switch {
			case ts%a.SecondsPerPoint != 0:
				why = fmt.Sprintf("timestamp %d is not a multiple of the archive's %d s step", ts, a.SecondsPerPoint)
			case base == 0:
				why = fmt.Sprintf("timestamp %d in an archive whose first slot is empty", ts)
			case slotPos(a, base, int64(ts)) != k:
				why = fmt.Sprintf("timestamp %d belongs in slot %d, not %d (base %d)", ts, slotPos(a, base, int64(ts)), k, base)
			}
			if why == "" {
				continue
			}
			bad++
			if first == nil {
				first = &CorruptError{Path: w.name, Offset: int64(a.Offset) + k*pointSize,
					Field: fmt.Sprintf("archive %d point %d", ai, k), Msg: "Corrupt point", Detail: why}
			}
		}
	}
	if first != nil {
		first.Detail += fmt.Sprintf(" (%d bad points in all)", bad)
		return first
	}
	return nil
}
