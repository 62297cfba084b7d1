package vault

import (
	"bytes"
	"sort"
)

// btree is the catalog: one copy-on-write B+tree with byte-string keys.
type btree struct {
	root   *node
	height int // 1 = the root is a leaf
}

// nodeReader loads committed nodes.
type nodeReader interface {
	readNode(p Pointer, level byte) (*node, error)
}

// nodeWriter is what a mutating tree operation needs from the transaction.
type nodeWriter interface {
	nodeReader
	txid() uint64
	release(p Pointer) // the block of a replaced node is free after commit
}

// child returns the decoded child i of branch n, loading it once.
func child(r nodeReader, n *node, i int) (*node, error) {
	k := n.kids[i]
	if c := k.n.Load(); c != nil {
		return c, nil
	}
	c, err := r.readNode(k.ptr, n.level-1)
	if err != nil {
		return nil, err
	}
	k.n.Store(c)
	return c, nil
}

// mutable returns a version of n that tx may change, cloning it (and
// releasing its block) if it belongs to an earlier transaction.
func mutable(w nodeWriter, n *node) *node {
	if n.owner == w.txid() {
		return n
	}
	if !n.ptr.IsNull() {
		w.release(n.ptr)
	}
	return n.clone(w.txid())
}

func childIndex(n *node, key []byte) int {
	return sort.Search(len(n.keys), func(i int) bool { return bytes.Compare(key, n.keys[i]) < 0 })
}

func (t *btree) get(r nodeReader, key []byte) ([]byte, bool, error) {
	n := t.root
	for !n.leaf {
		var err error
		if n, err = child(r, n, childIndex(n, key)); err != nil {
			return nil, false, err
		}
	}
	i := sort.Search(len(n.keys), func(i int) bool { return bytes.Compare(n.keys[i], key) >= 0 })
	if i < len(n.keys) && bytes.Equal(n.keys[i], key) {
		return n.vals[i], true, nil
	}
	return nil, false, nil
}

// mutableChild makes child i of the mutable branch n mutable in place.
func mutableChild(w nodeWriter, n *node, i int) (*node, error) {
	c, err := child(w, n, i)
	if err != nil {
		return nil, err
	}
	m := mutable(w, c)
	if m != c {
		n.kids[i] = &kid{}
		n.kids[i].n.Store(m)
	}
	return m, nil
}

type split struct {
	key   []byte
	right *node
}

func (t *btree) put(w nodeWriter, key, val []byte) error {
	if len(key) > maxKey || len(val) > maxVal {
		return ErrTooLarge
	}
	t.root = mutable(w, t.root)
	s, err := t.insert(w, t.root, key, val)
	if err != nil {
		return err
	}
	if s != nil {
		r := &node{owner: w.txid(), level: t.root.level + 1, keys: [][]byte{s.key}}
		l, rk := &kid{}, &kid{}
		l.n.Store(t.root)
		rk.n.Store(s.right)
		r.kids = []*kid{l, rk}
		t.root = r
		t.height++
	}
	return nil
}

func (t *btree) insert(w nodeWriter, n *node, key, val []byte) (*split, error) {
	if n.leaf {
		i := sort.Search(len(n.keys), func(i int) bool { return bytes.Compare(n.keys[i], key) >= 0 })
		if i < len(n.keys) && bytes.Equal(n.keys[i], key) {
			n.vals[i] = val
		} else {
			n.keys = insertAt(n.keys, i, key)
			n.vals = insertAt(n.vals, i, val)
		}
	} else {
		i := childIndex(n, key)
		c, err := mutableChild(w, n, i)
		if err != nil {
			return nil, err
		}
		s, err := t.insert(w, c, key, val)
		if err != nil || s == nil {
			return nil, err
		}
		k := &kid{}
		k.n.Store(s.right)
		n.keys = insertAt(n.keys, i, s.key)
		n.kids = insertAt(n.kids, i+1, k)
	}
	if n.size() <= nodeMax {
		return nil, nil
	}
	return splitNode(w, n), nil
}

// splitNode moves the upper part of n into a new right sibling, choosing
// the split point nearest the middle (by bytes) at which both halves fit.
func splitNode(w nodeWriter, n *node) *split {
	cell := func(i int) int {
		if n.leaf {
			return 4 + len(n.keys[i]) + len(n.vals[i])
		}
		return 2 + len(n.keys[i]) + ptrSize
	}
	base := 2
	if !n.leaf {
		base += ptrSize
	}
	total := n.size() - base
	// left(m) holds cells [0,m); a branch sends cell m up.
	sizes := func(m int) (l, r int) {
		acc := 0
		for i := 0; i < m; i++ {
			acc += cell(i)
		}
		l, r = base+acc, base+total-acc
		if !n.leaf {
			r -= cell(m)
		}
		return l, r
	}
	lo, hi := 1, len(n.keys)-1
	if n.leaf {
		hi = len(n.keys) - 1
	}
	best, bestMax := lo, 1<<30
	for m := lo; m <= hi; m++ {
		l, r := sizes(m)
		if mx := max(l, r); mx < bestMax {
			best, bestMax = m, mx
		}
	}
	m := best
	r := &node{owner: w.txid(), leaf: n.leaf, level: n.level}
	if n.leaf {
		r.keys = append([][]byte{}, n.keys[m:]...)
		r.vals = append([][]byte{}, n.vals[m:]...)
		n.keys, n.vals = n.keys[:m:m], n.vals[:m:m]
		return &split{key: r.keys[0], right: r}
	}
	up := n.keys[m]
	r.keys = append([][]byte{}, n.keys[m+1:]...)
	r.kids = append([]*kid{}, n.kids[m+1:]...)
	n.keys, n.kids = n.keys[:m:m], n.kids[:m+1:m+1]
	return &split{key: up, right: r}
}

func insertAt[T any](s []T, i int, v T) []T {
	var zero T
	s = append(s, zero)
	copy(s[i+1:], s[i:])
	s[i] = v
	return s
}

func removeAt[T any](s []T, i int) []T {
	copy(s[i:], s[i+1:])
	var zero T
	s[len(s)-1] = zero
	return s[:len(s)-1]
}

// del removes key; it reports whether the key was present.
func (t *btree) del(w nodeWriter, key []byte) (bool, error) {
	if _, ok, err := t.get(w, key); err != nil || !ok {
		return false, err
	}
	t.root = mutable(w, t.root)
	if err := t.remove(w, t.root, key); err != nil {
		return false, err
	}
	for !t.root.leaf && len(t.root.kids) == 1 {
		c, err := mutableChild(w, t.root, 0)
		if err != nil {
			return false, err
		}
		t.root = c
		t.height--
	}
	return true, nil
}

func (t *btree) remove(w nodeWriter, n *node, key []byte) error {
	if n.leaf {
		i := sort.Search(len(n.keys), func(i int) bool { return bytes.Compare(n.keys[i], key) >= 0 })
		if i < len(n.keys) && bytes.Equal(n.keys[i], key) {
			n.keys = removeAt(n.keys, i)
			n.vals = removeAt(n.vals, i)
		}
		return nil
	}
	i := childIndex(n, key)
	c, err := mutableChild(w, n, i)
	if err != nil {
		return err
	}
	if err := t.remove(w, c, key); err != nil {
		return err
	}
	if c.size() >= nodeMinFil || len(n.kids) < 2 {
		return nil
	}
	return rebalance(w, n, i)
}

// rebalance merges child i of n with a sibling, re-splitting if the
// merged node does not fit.
func rebalance(w nodeWriter, n *node, i int) error {
	l := i
	if l == len(n.kids)-1 {
		l--
	}
	a, err := mutableChild(w, n, l)
	if err != nil {
		return err
	}
	b, err := mutableChild(w, n, l+1)
	if err != nil {
		return err
	}
	sep := n.keys[l]
	if a.leaf {
		a.keys = append(a.keys, b.keys...)
		a.vals = append(a.vals, b.vals...)
	} else {
		a.keys = append(append(a.keys, sep), b.keys...)
		a.kids = append(a.kids, b.kids...)
	}
	n.keys = removeAt(n.keys, l)
	n.kids = removeAt(n.kids, l+1)
	if a.size() > nodeMax {
		s := splitNode(w, a)
		k := &kid{}
		k.n.Store(s.right)
		n.keys = insertAt(n.keys, l, s.key)
		n.kids = insertAt(n.kids, l+1, k)
	}
	return nil
}

// scan calls fn for every key >= start in order until fn returns false.
func (t *btree) scan(r nodeReader, start []byte, fn func(k, v []byte) bool) error {
	_, err := scanNode(r, t.root, start, fn)
	return err
}

func scanNode(r nodeReader, n *node, start []byte, fn func(k, v []byte) bool) (bool, error) {
	if n.leaf {
		i := sort.Search(len(n.keys), func(i int) bool { return bytes.Compare(n.keys[i], start) >= 0 })
		for ; i < len(n.keys); i++ {
			if !fn(n.keys[i], n.vals[i]) {
				return false, nil
			}
		}
		return true, nil
	}
	for i := childIndex(n, start); i < len(n.kids); i++ {
		c, err := child(r, n, i)
		if err != nil {
			return false, err
		}
		more, err := scanNode(r, c, start, fn)
		if err != nil || !more {
			return more, err
		}
	}
	return true, nil
}

// scanPrefix calls fn for every key with the given prefix.
func (t *btree) scanPrefix(r nodeReader, prefix []byte, fn func(k, v []byte) bool) error {
	return t.scan(r, prefix, func(k, v []byte) bool {
		if !bytes.HasPrefix(k, prefix) {
			return false
		}
		return fn(k, v)
	})
}
