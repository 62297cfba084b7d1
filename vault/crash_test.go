package vault

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"ringvault/storage"
	"ringvault/storage/faulty"
)

// crashModes draws the random modes twice per cut.
var crashModes = []faulty.Mode{faulty.DropAll, faulty.KeepAll, faulty.Prefix, faulty.Reorder, faulty.Tear,
	faulty.Prefix, faulty.Reorder, faulty.Tear, faulty.Tear}

// crashCut is where the simulated machine dies during a transaction.
type crashCut struct {
	op faulty.Op
	n  int // FailFrom(op, n); n == 0: no fault, the crash comes after Update returns
}

// TestCrash runs random transactions and, for every transaction, crashes
// it at every write and sync, in every crash mode (unsynced writes
// dropped, kept, kept as a prefix, reordered, torn into sectors). Reopening
// must give exactly the state before the transaction or the state after
// it (after it whenever Update returned nil): never a mixture, never an
// error. Check runs on a sample of the images.
func TestCrash(t *testing.T) {
	txs := 45
	if testing.Short() {
		txs = 25
	}
	total := 0
	for seed := range uint64(5) {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			n := txs
			if seed == 4 {
				n = txs / 3 // large files: fewer transactions
			}
			total += crashRun(t, seed, n)
		})
	}
	t.Logf("%d crash points verified", total)
	if min := 10_000; !testing.Short() && total < min {
		t.Errorf("only %d crash points, want at least %d", total, min)
	}
}

func crashRun(t *testing.T, seed uint64, txs int) int {
	rng := rand.New(rand.NewPCG(seed, 99))
	opts := keyOpts()
	if seed%2 == 1 {
		opts = testOpts() // a password slot
	}
	w := &workload{rng: rng, large: seed == 4}
	db, f := newMem(t, opts)
	m := newModel()
	mustUpdate(t, db, func(tx *Tx) error { return setupModel(tx, m) })
	db.Close()
	base := f.Current()
	points := 0
	// Identical images (DropAll after any early cut, for example) are
	// opened and read once; every crash point is still checked against
	// the states allowed for its own transaction.
	verified := map[[32]byte]string{}
	for k := range txs {
		steps := w.steps(m)
		next := applySteps(m, steps)
		before, after := m.digest(), next.digest()
		batch := 0
		if k%3 == 0 {
			batch = 4 // write the batch out mid-transaction too
		}
		// A clean run counts the writes and syncs of this transaction.
		clean := faulty.New(base)
		cdb := reopen(t, clean, opts)
		cdb.testBatch = batch
		if err := cdb.Update(runSteps(steps)); err != nil {
			t.Fatalf("tx %d: %v", k, err)
		}
		writes, syncs := clean.Calls(faulty.OpWrite), clean.Calls(faulty.OpSync)
		var cuts []crashCut
		for n := 1; n <= writes; n++ {
			cuts = append(cuts, crashCut{faulty.OpWrite, n})
		}
		for n := 1; n <= syncs; n++ {
			cuts = append(cuts, crashCut{faulty.OpSync, n})
		}
		cuts = append(cuts, crashCut{})
		for ci, cut := range cuts {
			ff := faulty.New(base)
			cdb := reopen(t, ff, opts)
			cdb.testBatch = batch
			if cut.n > 0 {
				ff.FailFrom(cut.op, cut.n, faulty.ErrCrashed)
			}
			err := cdb.Update(runSteps(steps))
			if cut.n == 0 && err != nil {
				t.Fatalf("tx %d: %v", k, err)
			}
			if err != nil && !errors.Is(err, faulty.ErrCrashed) {
				t.Fatalf("tx %d cut %v: unexpected error %v", k, cut, err)
			}
			for mi, mode := range crashModes {
				img := ff.Crash(rng, mode)
				sum := sha256.Sum256(img)
				got, seen := verified[sum]
				if !seen {
					rdb, err := OpenFile(storage.NewMemFile(img), opts)
					if err != nil {
						t.Fatalf("tx %d cut %v mode %v: reopen: %v", k, cut, mode, err)
					}
					if got, err = dbDigest(rdb); err != nil {
						t.Fatalf("tx %d cut %v mode %v: read: %v", k, cut, mode, err)
					}
					if (ci+mi+k)%17 == 0 {
						if err := rdb.Check(); err != nil {
							t.Fatalf("tx %d cut %v mode %v: check: %v", k, cut, mode, err)
						}
					}
					verified[sum] = got
				}
				switch {
				case got == after:
				case got == before && cut.n == 0:
					t.Fatalf("tx %d mode %v: committed transaction lost", k, mode)
				case got == before:
				default:
					t.Fatalf("tx %d cut %v mode %v: state is neither before nor after the transaction\n got: %s\nwant: %s\n  or: %s", k, cut, mode, got, before, after)
				}
				points++
			}
		}
		// Continue from the committed state; reopen now and then so the
		// free list round-trips through the file.
		base = clean.Current()
		m = next
	}
	t.Logf("final image %d KiB", len(base)/1024)
	return points
}
