package bloscpack

import "sync"

// chunkBufs recycles populated chunk buffers (chunkBuf) of one size among
// the workers of one call, and releases them all when it ends.
type chunkBufs struct {
	size  int
	mu    sync.Mutex
	free  [][]byte
	frees []func()
}

// get returns a buffer of b.size bytes.
func (b *chunkBufs) get() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	if n := len(b.free); n > 0 {
		p := b.free[n-1]
		b.free = b.free[:n-1]
		return p
	}
	p, release := chunkBuf(b.size, true)
	b.frees = append(b.frees, release)
	return p[:b.size:b.size]
}

// put hands a buffer from get back.
func (b *chunkBufs) put(p []byte) {
	b.mu.Lock()
	b.free = append(b.free, p[:b.size:b.size])
	b.mu.Unlock()
}

// release unmaps every buffer; none may be used afterwards.
func (b *chunkBufs) release() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, f := range b.frees {
		f()
	}
	b.frees, b.free = nil, nil
}
