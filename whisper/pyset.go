package whisper

// pySet reproduces the iteration order of CPython 3.11's set(list) for
// non-negative integer keys below 2⁶¹−1 (whose hash is the value itself).
//
// python whisper's __archive_update_many propagates the coarser intervals a
// batch touched by iterating set(lowerIntervals); when the coarser archive
// is still empty, the first interval in that order that propagates becomes
// the archive's base (its first slot), which decides where every later
// point of that archive lands in the file. Reproducing the order makes the
// files byte-identical; the algorithm follows Objects/setobject.c
// (set_add_entry, set_table_resize, set_insert_clean): linear probing of up
// to 9 slots, then perturbed probing i = (i*5 + 1 + perturb) & mask with
// perturb >>= 5; the table (8 slots at first) grows to the smallest power of
// two above used*4 (used*2 past 50,000 keys) once fill*5 >= mask*3.
type pySet struct {
	table []int64 // -1 = empty
	order []int64
}

const (
	pySetLinearProbes = 9
	pySetPerturbShift = 5
	pySetMinSize      = 8
)

// iterate returns the keys of set(keys) in CPython's iteration order. The
// result aliases s's scratch space and is valid until the next call.
func (s *pySet) iterate(keys []int64) []int64 {
	s.order = s.order[:0]
	if len(keys) == 1 {
		return append(s.order, keys[0])
	}
	s.table = resetTable(s.table, pySetMinSize)
	mask := uint64(pySetMinSize - 1)
	used := 0
	for _, k := range keys {
		if !insert(s.table, mask, k, false) {
			continue
		}
		used++ // fill == used: a fresh set has no deleted (dummy) slots
		if uint64(used)*5 >= mask*3 {
			minused := used * 4
			if used > 50000 {
				minused = used * 2
			}
			size := pySetMinSize
			for size <= minused {
				size <<= 1
			}
			old := append(s.order[:0], s.table...) // borrow order as the old table
			s.table = resetTable(s.table, size)
			mask = uint64(size - 1)
			for _, ok := range old {
				if ok >= 0 {
					insert(s.table, mask, ok, true)
				}
			}
			s.order = old[:0]
		}
	}
	for _, k := range s.table {
		if k >= 0 {
			s.order = append(s.order, k)
		}
	}
	return s.order
}

func resetTable(t []int64, size int) []int64 {
	if cap(t) < size {
		t = make([]int64, size)
	}
	t = t[:size]
	for i := range t {
		t[i] = -1
	}
	return t
}

// insert adds key to table unless present (clean: known absent); it
// reports whether the key was added.
func insert(table []int64, mask uint64, key int64, clean bool) bool {
	hash := uint64(key)
	perturb := hash
	i := hash & mask
	for {
		probes := 0
		if i+pySetLinearProbes <= mask {
			probes = pySetLinearProbes
		}
		j := i
		for {
			if table[j] < 0 {
				table[j] = key
				return true
			}
			if !clean && table[j] == key {
				return false
			}
			if probes == 0 {
				break
			}
			probes--
			j++
		}
		perturb >>= pySetPerturbShift
		i = (i*5 + 1 + perturb) & mask
	}
}
