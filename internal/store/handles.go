package store

import (
	"container/list"
	"sync"
	"time"

	"ringvault/whisper"
)

// handles keeps recently written whisper files open, so that a metric
// written every few seconds costs no open, header parse and close per
// flush (python carbon reopens the file for every update_many). Least
// recently used handles beyond max are closed once nobody uses them.
type handles struct {
	mu  sync.Mutex
	max int
	// maxAge closes a handle this long after it was opened, so that a
	// file an operator deleted or replaced (whisper-resize, rm) is
	// reopened by path, as carbon does on every write.
	maxAge time.Duration
	m      map[string]*handle
	lru    list.List // front = most recently used
}

type handle struct {
	name    string
	w       *whisper.File
	refs    int
	elem    *list.Element
	evicted bool
	opened  time.Time
}

func newHandles(max int, maxAge time.Duration) *handles {
	return &handles{max: max, maxAge: maxAge, m: map[string]*handle{}}
}

// get returns the open handle of name (referenced; release it), or nil.
func (hs *handles) get(name string) *handle {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	h := hs.m[name]
	if h == nil {
		return nil
	}
	if time.Since(h.opened) > hs.maxAge {
		hs.drop(h)
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
	h := &handle{name: name, w: w, refs: 1, opened: time.Now()}
	h.elem = hs.lru.PushFront(h)
	hs.m[name] = h
	for e := hs.lru.Back(); e != nil && hs.lru.Len() > hs.max; {
		prev := e.Prev()
		hs.drop(e.Value.(*handle))
		e = prev
	}
	return h
}

// drop removes h from the cache; it is closed now or by its last release.
func (hs *handles) drop(h *handle) {
	hs.lru.Remove(h.elem)
	delete(hs.m, h.name)
	h.evicted = true
	if h.refs == 0 {
		h.w.Close()
	}
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
