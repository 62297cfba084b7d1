package store

import (
	"container/list"
	"sync"

	"ringvault/whisper"
)

// handles keeps recently written whisper files open, so that a metric
// written every few seconds costs no open, header parse and close per
// flush (python carbon reopens the file for every update_many). Least
// recently used handles beyond max are closed once nobody uses them.
type handles struct {
	mu  sync.Mutex
	max int
	m   map[string]*handle
	lru list.List // front = most recently used
}

type handle struct {
	name    string
	w       *whisper.File
	refs    int
	elem    *list.Element
	evicted bool
}

func newHandles(max int) *handles {
	return &handles{max: max, m: map[string]*handle{}}
}

// get returns the open handle of name (referenced; release it), or nil.
func (hs *handles) get(name string) *handle {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	h := hs.m[name]
	if h == nil {
		return nil
	}
	h.refs++
	hs.lru.MoveToFront(h.elem)
	return h
}

// add registers a newly opened file (referenced once) and evicts the
// least recently used idle handles beyond the bound.
func (hs *handles) add(name string, w *whisper.File) *handle {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	if old := hs.m[name]; old != nil { // lost a race: keep the first
		old.refs++
		hs.lru.MoveToFront(old.elem)
		w.Close()
		return old
	}
	h := &handle{name: name, w: w, refs: 1}
	h.elem = hs.lru.PushFront(h)
	hs.m[name] = h
	for e := hs.lru.Back(); e != nil && hs.lru.Len() > hs.max; {
		prev := e.Prev()
		v := e.Value.(*handle)
		hs.lru.Remove(e)
		delete(hs.m, v.name)
		v.evicted = true
		if v.refs == 0 {
			v.w.Close()
		}
		e = prev
	}
	return h
}

// release drops a reference taken by get or add.
func (hs *handles) release(h *handle) {
	hs.mu.Lock()
	h.refs--
	closeIt := h.evicted && h.refs == 0
	hs.mu.Unlock()
	if closeIt {
		h.w.Close()
	}
}

// closeAll closes every idle handle (at Close, when no writer runs).
func (hs *handles) closeAll() {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	for e := hs.lru.Front(); e != nil; e = e.Next() {
		v := e.Value.(*handle)
		v.evicted = true
		if v.refs == 0 {
			v.w.Close()
		}
	}
	hs.lru.Init()
	hs.m = map[string]*handle{}
}
