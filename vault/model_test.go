package vault

import (
	"crypto/sha256"
	"fmt"
	"io/fs"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
)

// model is the in-memory reference a random workload is checked against.
type model struct {
	files map[string][]byte
	dirs  map[string]bool
}

func newModel() *model { return &model{files: map[string][]byte{}, dirs: map[string]bool{}} }

func (m *model) clone() *model {
	c := newModel()
	for k, v := range m.files {
		c.files[k] = slices.Clone(v)
	}
	maps.Copy(c.dirs, m.dirs)
	return c
}

// digest is a canonical description of a state.
func (m *model) digest() string {
	var lines []string
	for d := range m.dirs {
		lines = append(lines, "d "+d)
	}
	for f, b := range m.files {
		lines = append(lines, fmt.Sprintf("f %s %d %x", f, len(b), sha256.Sum256(b)))
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}

// dbDigest describes the state of a vault the same way.
func dbDigest(db *DB) (string, error) {
	var lines []string
	err := db.View(func(tx *Tx) error {
		return fs.WalkDir(tx.FS(), ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if p == "." {
				return nil
			}
			if d.IsDir() {
				lines = append(lines, "d "+p)
				return nil
			}
			if d.Type()&fs.ModeSymlink != 0 {
				t, err := tx.Readlink(p)
				lines = append(lines, "l "+p+" "+t)
				return err
			}
			b, err := tx.ReadFile(p)
			if err != nil {
				return err
			}
			lines = append(lines, fmt.Sprintf("f %s %d %x", p, len(b), sha256.Sum256(b)))
			return nil
		})
	})
	slices.Sort(lines)
	return strings.Join(lines, "\n"), err
}

// workload makes random transactions valid for the model.
type workload struct {
	rng   *rand.Rand
	large bool
}

var modelDirs = []string{"a", "a/b", "c"}

func (w *workload) name() string {
	dirs := append([]string{""}, modelDirs...)
	d := dirs[w.rng.IntN(len(dirs))]
	n := fmt.Sprintf("f%d", w.rng.IntN(12))
	if d == "" {
		return n
	}
	return d + "/" + n
}

func (w *workload) content() []byte {
	var n int
	switch r := w.rng.IntN(100); {
	case r < 55:
		n = w.rng.IntN(1200)
	case r < 90:
		n = w.rng.IntN(9_000)
	case w.large:
		n = 480_000 + w.rng.IntN(100_000) // depth 2 streams
	default:
		n = w.rng.IntN(40_000)
	}
	b := make([]byte, n)
	fill(w.rng, b)
	return b
}

// step is one operation applied to both the vault and the model.
type step func(tx *Tx, m *model) error

func (w *workload) steps(m *model) []step {
	k := 1 + w.rng.IntN(4)
	out := make([]step, 0, k)
	// Decide on a scratch copy so later steps see earlier ones.
	scratch := m.clone()
	for range k {
		s := w.pick(scratch)
		if err := s(nil, scratch); err != nil {
			panic(err)
		}
		out = append(out, s)
	}
	return out
}

func (w *workload) pick(m *model) step {
	names := slices.Sorted(maps.Keys(m.files))
	r := w.rng.IntN(100)
	if len(names) == 0 || r < 40 {
		name, data := w.name(), w.content()
		return func(tx *Tx, m *model) error {
			m.files[name] = slices.Clone(data)
			if tx == nil {
				return nil
			}
			return tx.WriteFile(name, data, 0o644)
		}
	}
	name := names[w.rng.IntN(len(names))]
	cur := m.files[name]
	switch {
	case r < 60: // overwrite / extend in place
		off := w.rng.IntN(len(cur) + 5000)
		data := make([]byte, w.rng.IntN(9000))
		fill(w.rng, data)
		return func(tx *Tx, m *model) error {
			c := m.files[name]
			if end := off + len(data); end > len(c) {
				c = append(c, make([]byte, end-len(c))...)
			}
			copy(c[off:], data)
			m.files[name] = c
			if tx == nil {
				return nil
			}
			f, err := tx.OpenFile(name, 2, 0) // O_RDWR
			if err != nil {
				return err
			}
			_, err = f.WriteAt(data, int64(off))
			return err
		}
	case r < 70:
		size := w.rng.IntN(len(cur) + 3000)
		return func(tx *Tx, m *model) error {
			c := m.files[name]
			if size <= len(c) {
				c = c[:size]
			} else {
				c = append(c, make([]byte, size-len(c))...)
			}
			m.files[name] = c
			if tx == nil {
				return nil
			}
			return tx.Truncate(name, int64(size))
		}
	case r < 85:
		return func(tx *Tx, m *model) error {
			delete(m.files, name)
			if tx == nil {
				return nil
			}
			return tx.Remove(name)
		}
	default:
		to := w.name()
		return func(tx *Tx, m *model) error {
			if to != name {
				m.files[to] = m.files[name]
				delete(m.files, name)
			}
			if tx == nil {
				return nil
			}
			return tx.Rename(name, to)
		}
	}
}

func setupModel(tx *Tx, m *model) error {
	for _, d := range modelDirs {
		m.dirs[d] = true
		if tx != nil {
			if err := tx.Mkdir(d, 0o755); err != nil {
				return err
			}
		}
	}
	return nil
}

func runSteps(steps []step) func(tx *Tx) error {
	return func(tx *Tx) error {
		m := newModel() // the vault-side calls ignore the model
		for _, s := range steps {
			if err := s(tx, m); err != nil {
				return err
			}
		}
		return nil
	}
}

func applySteps(m *model, steps []step) *model {
	c := m.clone()
	for _, s := range steps {
		s(nil, c)
	}
	return c
}
