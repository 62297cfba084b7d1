package vault

import (
	"bytes"
	"encoding/binary"
	"errors"
	"sync/atomic"
)

// Catalog B+tree nodes. A node is immutable once committed; a write
// transaction clones the nodes on the path it changes (owner = its txid)
// and writes them to fresh blocks at commit, children first, so every
// parent carries its children's tags (a Merkle tree).
//
// Body encoding (after the 32-byte block header; used = key count):
//
//	leaf:   count u16 | { klen u16 | vlen u16 | key | value } * count
//	branch: count u16 | child0 ptr(32) | { klen u16 | key | child ptr(32) } * count
//
// In a branch, keys[i] is the smallest key of child i+1.
type node struct {
	owner uint64  // txid that may still mutate this node
	ptr   Pointer // where it is on disk; null while dirty
	leaf  bool
	level byte // 0 for leaves
	keys  [][]byte
	vals  [][]byte // leaves
	kids  []*kid   // branches: len(keys)+1
}

type kid struct {
	ptr Pointer
	n   atomic.Pointer[node] // decoded child, loaded lazily
}

const (
	maxKey     = 512
	maxVal     = 1400
	nodeMax    = bodySize
	nodeMinFil = bodySize / 4
)

func (n *node) size() int {
	s := 2
	if n.leaf {
		for i := range n.keys {
			s += 4 + len(n.keys[i]) + len(n.vals[i])
		}
		return s
	}
	s += ptrSize
	for i := range n.keys {
		s += 2 + len(n.keys[i]) + ptrSize
	}
	return s
}

// encode writes the node body into body (bodySize bytes).
func (n *node) encode(body []byte) {
	clear(body)
	binary.BigEndian.PutUint16(body, uint16(len(n.keys)))
	o := 2
	if n.leaf {
		for i, k := range n.keys {
			binary.BigEndian.PutUint16(body[o:], uint16(len(k)))
			binary.BigEndian.PutUint16(body[o+2:], uint16(len(n.vals[i])))
			o += 4
			o += copy(body[o:], k)
			o += copy(body[o:], n.vals[i])
		}
		return
	}
	n.kids[0].ptr.put(body[o:])
	o += ptrSize
	for i, k := range n.keys {
		binary.BigEndian.PutUint16(body[o:], uint16(len(k)))
		o += 2
		o += copy(body[o:], k)
		n.kids[i+1].ptr.put(body[o:])
		o += ptrSize
	}
}

var errNode = errors.New("malformed catalog node")

// decodeNode parses a node body. It validates every length against the
// body and checks that keys are strictly increasing.
func decodeNode(body []byte, leaf bool, level byte) (*node, error) {
	if len(body) < 2 {
		return nil, errNode
	}
	cnt := int(binary.BigEndian.Uint16(body))
	n := &node{leaf: leaf, level: level}
	o := 2
	if !leaf {
		if o+ptrSize > len(body) {
			return nil, errNode
		}
		n.kids = append(n.kids, &kid{ptr: getPointer(body[o:])})
		o += ptrSize
	}
	for i := 0; i < cnt; i++ {
		var k, v []byte
		if leaf {
			if o+4 > len(body) {
				return nil, errNode
			}
			kl, vl := int(binary.BigEndian.Uint16(body[o:])), int(binary.BigEndian.Uint16(body[o+2:]))
			o += 4
			if kl > maxKey || vl > maxVal || o+kl+vl > len(body) {
				return nil, errNode
			}
			k, v = bytes.Clone(body[o:o+kl]), bytes.Clone(body[o+kl:o+kl+vl])
			o += kl + vl
			n.vals = append(n.vals, v)
		} else {
			if o+2 > len(body) {
				return nil, errNode
			}
			kl := int(binary.BigEndian.Uint16(body[o:]))
			o += 2
			if kl > maxKey || o+kl+ptrSize > len(body) {
				return nil, errNode
			}
			k = bytes.Clone(body[o : o+kl])
			o += kl
			n.kids = append(n.kids, &kid{ptr: getPointer(body[o:])})
			o += ptrSize
		}
		if len(n.keys) > 0 && bytes.Compare(n.keys[len(n.keys)-1], k) >= 0 {
			return nil, errNode
		}
		n.keys = append(n.keys, k)
	}
	if !leaf {
		for _, c := range n.kids {
			if c.ptr.IsNull() {
				return nil, errNode
			}
		}
	}
	return n, nil
}

// clone returns a mutable copy of n owned by txid.
func (n *node) clone(txid uint64) *node {
	c := &node{owner: txid, leaf: n.leaf, level: n.level}
	c.keys = append(make([][]byte, 0, len(n.keys)+1), n.keys...)
	if n.leaf {
		c.vals = append(make([][]byte, 0, len(n.vals)+1), n.vals...)
	} else {
		c.kids = make([]*kid, len(n.kids), len(n.kids)+1)
		for i, k := range n.kids {
			nk := &kid{ptr: k.ptr}
			nk.n.Store(k.n.Load())
			c.kids[i] = nk
		}
	}
	return c
}
