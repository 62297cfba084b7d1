package vault

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"

	"ringvault/storage"
)

// Options configure Create and Open. The zero value (or nil) means
// defaults; a password or a key is always required.
type Options struct {
	// Password opens (or, for Create, protects) the vault through an
	// Argon2id key slot.
	Password []byte
	// Key is a raw 32-byte key used through a raw key slot.
	Key []byte
	// KDF sets the Argon2id parameters of new password slots (nil:
	// DefaultKDF). Tests use small values.
	KDF *KDFParams
	// Suite is the cipher suite of a new vault (SuiteXAES by default).
	Suite *byte
	// Now is the clock for commit and file times (nil: time.Now).
	Now func() time.Time
	// InlineMax is the largest file content kept inline in the catalog
	// (default 1024; it is also capped by the catalog's cell size).
	InlineMax int
	// ReadOnly opens without the writer lock; Update fails.
	ReadOnly bool
	// NoSync skips fsync (bulk import; not crash safe until Sync).
	NoSync bool
	// AppHeader is stored in every commit record (at most 862 bytes), for
	// the Angelos archive7 header.
	AppHeader []byte
}

func (o *Options) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

func (o *Options) inlineMax() int {
	if o.InlineMax > 0 {
		return o.InlineMax
	}
	return 1024
}

// DB is an open vault: one writer at a time (Update), any number of
// readers on consistent snapshots (View).
type DB struct {
	f      storage.File
	osf    *storage.OSFile   // when opened by path: holds the flock
	dio    *storage.DirectIO // when opened by path: I/O past the page cache
	path   string
	opts   Options
	hdr    superblock
	master []byte
	blk    *sealer
	sup    *sealer

	wmu sync.Mutex // the single writer

	smu       sync.Mutex // guards everything below
	state     *snapshot
	readers   map[uint64]int
	free      bitmap
	pending   []pendingFree
	err       error  // poisoned after a failed commit
	testBatch int    // tests: smaller write batches
	freeHint  uint64 // no free block below this one
	closed    bool
}

type snapshot struct {
	rec  commitRecord
	tree btree
}

type pendingFree struct {
	txid   uint64
	blocks []uint64
}

func (db *DB) opt() *Options { return &db.opts }

// Create makes a new vault at path (it must not exist). The file is built
// under a temporary name, synced and renamed into place, so a crash never
// leaves a half-made vault at path.
func Create(path string, opts *Options) (*DB, error) {
	if _, err := os.Lstat(path); err == nil {
		return nil, &os.PathError{Op: "create", Path: path, Err: os.ErrExist}
	}
	tmp := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".creating")
	f, err := storage.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return nil, err
	}
	db, err := CreateFile(f, opts)
	if err == nil {
		err = db.Close()
	} else {
		f.Close()
	}
	if err == nil {
		err = storage.ReplaceFile(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return nil, fmt.Errorf("vault: create %s: %w", path, err)
	}
	return Open(path, opts)
}

// Open opens the vault at path. Without ReadOnly it takes the writer lock
// (an exclusive flock); with ReadOnly a shared one. Either fails at once
// with ErrLocked when the other kind is held by another open file.
func Open(path string, opts *Options) (*DB, error) {
	if opts == nil {
		opts = &Options{}
	}
	var f *storage.OSFile
	var err error
	if opts.ReadOnly {
		f, err = storage.Open(path)
	} else {
		f, err = storage.OpenRW(path)
	}
	if err != nil {
		return nil, err
	}
	if opts.ReadOnly {
		if err := lockShared(f); err != nil {
			f.Close()
			return nil, err
		}
	} else if err := f.TryLock(); err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w (%v)", path, ErrLocked, err)
	}
	db, err := OpenFile(f, opts)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	db.osf, db.path = f, path
	db.dio = storage.NewDirectIO(f)
	return db, nil
}

// CreateFile writes a new, empty vault (transaction 1: the root directory)
// to f, which should be empty.
func CreateFile(f storage.File, opts *Options) (*DB, error) {
	if opts == nil {
		opts = &Options{}
	}
	if opts.Password == nil && opts.Key == nil {
		return nil, ErrNoKey
	}
	if len(opts.AppHeader) > appHeaderMax {
		return nil, fmt.Errorf("vault: application header is %d bytes, max %d: %w", len(opts.AppHeader), appHeaderMax, ErrTooLarge)
	}
	db := &DB{f: f, opts: *opts, readers: map[uint64]int{}}
	db.hdr.suite = SuiteXAES
	if opts.Suite != nil {
		db.hdr.suite = *opts.Suite
	}
	if _, err := rand.Read(db.hdr.uuid[:]); err != nil {
		return nil, err
	}
	db.master = make([]byte, 32)
	if _, err := rand.Read(db.master); err != nil {
		return nil, err
	}
	kdf := DefaultKDF
	if opts.KDF != nil {
		kdf = *opts.KDF
	}
	s, err := newSlot(db.hdr.uuid, 0, db.master, opts.Password, opts.Key, kdf)
	if err != nil {
		return nil, err
	}
	db.hdr.slots[0] = s
	if err := db.initSealers(); err != nil {
		return nil, err
	}
	// Transaction 1 creates the root directory in an empty catalog.
	db.state = &snapshot{rec: commitRecord{txid: 0, hwm: 2, nextID: 1, appHeader: opts.AppHeader},
		tree: btree{root: &node{leaf: true}, height: 1}}
	err = db.Update(func(tx *Tx) error {
		now := db.opts.now().UnixNano()
		root := &entry{typ: typeDir, mode: 0o755, nlink: 1, created: now, modified: now, changed: now}
		tx.rec.entries = 1
		return tx.putEntry(root)
	})
	if err != nil {
		return nil, err
	}
	return db, nil
}

func (db *DB) initSealers() error {
	var err error
	if db.blk, err = newSealer(db.hdr.suite, db.master, db.hdr.uuid, infoBlock); err != nil {
		return err
	}
	db.sup, err = newSealer(db.hdr.suite, db.master, db.hdr.uuid, infoSuper)
	return err
}

// OpenFile opens the vault stored in f: it reads both superblocks, unwraps
// the master key and picks the newest authentic commit. There is no log to
// replay. Errors: ErrNotVault, ErrWrongKey, ErrVersion, ErrCorrupt.
func OpenFile(f storage.File, opts *Options) (*DB, error) {
	if opts == nil {
		opts = &Options{}
	}
	if opts.Password == nil && opts.Key == nil {
		return nil, ErrNoKey
	}
	var sbs [2]*superblock
	for slot := range 2 {
		b := make([]byte, BlockSize)
		if err := storage.ReadFull(f, b, int64(slot)*BlockSize); err != nil && !isEOF(err) {
			return nil, err
		}
		s, err := parseSuperblock(b, slot)
		if err != nil {
			return nil, err
		}
		sbs[slot] = s
	}
	if sbs[0] == nil && sbs[1] == nil {
		return nil, ErrNotVault
	}
	if sbs[0] != nil && sbs[1] != nil && (sbs[0].uuid != sbs[1].uuid || sbs[0].suite != sbs[1].suite) {
		return nil, corrupt(0, "superblocks 0 and 1 belong to different vaults (file UUID or suite differ)")
	}
	db := &DB{f: f, opts: *opts, readers: map[uint64]int{}}
	tried := map[keySlot]bool{} // both superblocks usually carry the same slots: derive once
	for _, s := range sbs {     // the slots of either superblock may open it (see Rekey)
		if s == nil || db.master != nil {
			continue
		}
		db.hdr = *s
		db.master = unwrapAny(s, opts.Password, opts.Key, tried)
	}
	if db.master == nil {
		return nil, ErrWrongKey
	}
	if err := db.initSealers(); err != nil {
		return nil, err
	}
	var best *commitRecord
	var bestSB *superblock
	for slot, s := range sbs {
		if s == nil {
			continue
		}
		c, err := openCommit(s, slot, db.sup)
		if err != nil {
			return nil, err
		}
		if best == nil || c.txid > best.txid {
			best, bestSB = &c, s
		}
	}
	db.hdr = *bestSB
	db.hdr.raw = nil
	if err := db.load(*best); err != nil {
		return nil, err
	}
	return db, nil
}

func isEOF(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}

// unwrapAny tries every key slot of s.
func unwrapAny(s *superblock, password, key []byte, tried map[keySlot]bool) []byte {
	for i := range s.slots {
		if tried[s.slots[i]] {
			continue
		}
		tried[s.slots[i]] = true
		if m := s.slots[i].unwrap(s.uuid, i, password, key); len(m) == 32 {
			return m
		}
	}
	return nil
}

// load installs commit c: the catalog root and the free list.
func (db *DB) load(c commitRecord) error {
	if sz, err := db.f.Size(); err != nil {
		return err
	} else if uint64(sz) < c.hwm*BlockSize {
		return corrupt(c.hwm-1, "file is %d bytes, commit %d needs %d blocks", sz, c.txid, c.hwm)
	}
	r := &reader{db: db}
	root, err := r.readNode(c.catalog, c.height-1)
	if err != nil {
		return err
	}
	db.free, db.freeHint = nil, 0
	db.free.grow(c.hwm)
	p, blocks, listed := c.freeList, uint64(0), uint64(0)
	for !p.IsNull() {
		plain := make([]byte, plainSize)
		h, err := r.readBlock(plain, p, kindFreeList)
		if err != nil {
			return err
		}
		next, ex, ok := decodeFreeBlock(plain[headerSize:], int(h.used))
		if !ok {
			return corrupt(p.Block, "free-list block holds %d extents", h.used)
		}
		for _, e := range ex {
			if e.start < 2 || e.start+e.count > c.hwm || e.start+e.count < e.start {
				return corrupt(p.Block, "free extent %d+%d outside [2,%d)", e.start, e.count, c.hwm)
			}
			for n := e.start; n < e.start+e.count; n++ {
				if db.free.has(n) {
					return corrupt(p.Block, "block %d listed free twice", n)
				}
				db.free.set(n)
			}
			listed += e.count
		}
		blocks++
		if blocks > c.hwm {
			return corrupt(p.Block, "free list loops")
		}
		p = next
	}
	if blocks != c.freeBlks || listed != c.freeCount {
		return corrupt(c.freeList.Block, "free list has %d blocks listing %d free, commit record says %d and %d", blocks, listed, c.freeBlks, c.freeCount)
	}
	db.state = &snapshot{rec: c, tree: btree{root: root, height: int(c.height)}}
	return nil
}

// Close releases the vault. Open transactions must have ended.
func (db *DB) Close() error {
	db.wmu.Lock()
	defer db.wmu.Unlock()
	db.smu.Lock()
	if db.closed {
		db.smu.Unlock()
		return ErrClosed
	}
	db.closed = true
	db.smu.Unlock()
	if db.dio != nil {
		db.dio.Close()
	}
	if db.osf != nil {
		db.osf.Unlock()
	}
	return db.f.Close()
}

// Txid returns the id of the last committed transaction.
func (db *DB) Txid() uint64 {
	db.smu.Lock()
	defer db.smu.Unlock()
	return db.state.rec.txid
}

// UUID returns the file's random identity.
func (db *DB) UUID() [16]byte { return db.hdr.uuid }

// Suite returns the cipher suite.
func (db *DB) Suite() byte { return db.hdr.suite }

// View runs fn in a read-only transaction on the last committed snapshot.
// Concurrent Updates do not change what fn sees.
func (db *DB) View(fn func(*Tx) error) error {
	tx, err := db.begin(false)
	if err != nil {
		return err
	}
	defer tx.end()
	return fn(tx)
}

// Update runs fn in the write transaction and commits if it returns nil
// (two syncs); on error nothing is written to the committed state.
func (db *DB) Update(fn func(*Tx) error) error {
	if db.opts.ReadOnly {
		return ErrReadOnly
	}
	db.wmu.Lock()
	defer db.wmu.Unlock()
	tx, err := db.begin(true)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.rollback()
		return err
	}
	return tx.commit()
}

func (db *DB) begin(write bool) (*Tx, error) {
	db.smu.Lock()
	defer db.smu.Unlock()
	if db.closed {
		return nil, ErrClosed
	}
	if db.err != nil {
		return nil, fmt.Errorf("vault: unusable after a failed commit, reopen it: %w", db.err)
	}
	s := db.state
	tx := &Tx{db: db, snap: s, writable: write, tree: s.tree, r: reader{db: db}}
	if !write {
		db.readers[s.rec.txid]++
		return tx, nil
	}
	tx.id = s.rec.txid + 1
	tx.rec = s.rec
	tx.rec.prevTxid, tx.rec.txid = s.rec.txid, tx.id
	tx.startHWM = s.rec.hwm
	tx.allocated = map[uint64]bool{}
	tx.streams = map[[16]byte]*stream{}
	tx.batch = map[uint64]slabRef{}
	// Blocks freed by transaction T are reusable once every reader sees T
	// or later.
	min := s.rec.txid
	for t := range db.readers {
		min = minU(min, t)
	}
	keep := db.pending[:0]
	for _, p := range db.pending {
		if p.txid <= min {
			for _, b := range p.blocks {
				db.setFree(b)
			}
		} else {
			keep = append(keep, p)
		}
	}
	db.pending = keep
	tx.r.tx = tx
	return tx, nil
}

func minU(a, b uint64) uint64 {
	if a < b {
		return a
	}
	return b
}

// poisoned returns the error that poisoned the handle, if any.
func (db *DB) poisoned() error {
	db.smu.Lock()
	defer db.smu.Unlock()
	return db.err
}

func (db *DB) poison(err error) error {
	db.smu.Lock()
	defer db.smu.Unlock()
	if db.err == nil {
		db.err = err
	}
	return err
}

// reader reads blocks of the committed file, or of the write transaction's
// not yet flushed batch.
type reader struct {
	db *DB
	tx *Tx
}

func (r *reader) readBlock(plain []byte, p Pointer, kind byte) (blockHeader, error) {
	raw := make([]byte, BlockSize)
	if r.tx != nil {
		if b, ok := r.tx.batch[p.Block]; ok {
			copy(raw, b.raw())
			return r.db.blk.decodeBlock(plain, raw, p, kind)
		}
		if err := r.tx.waitIO(); err != nil { // the block may be in flight
			return blockHeader{}, err
		}
	}
	if p.Block < 2 {
		return blockHeader{}, corrupt(p.Block, "pointer to a superblock")
	}
	if err := storage.ReadFull(r.db.f, raw, int64(p.Block)*BlockSize); err != nil {
		if isEOF(err) {
			return blockHeader{}, corrupt(p.Block, "beyond the end of the file")
		}
		return blockHeader{}, fmt.Errorf("vault: read block %d: %w", p.Block, err)
	}
	return r.db.blk.decodeBlock(plain, raw, p, kind)
}

func (r *reader) readNode(p Pointer, level byte) (*node, error) {
	plain := make([]byte, plainSize)
	h, err := r.readBlock(plain, p, 0)
	if err != nil {
		return nil, err
	}
	if (h.kind != kindLeaf && h.kind != kindBranch) || (h.kind == kindLeaf) != (level == 0) || h.level != level {
		return nil, corrupt(p.Block, "is a %s block at level %d, expected a catalog node at level %d", kindName(h.kind), h.level, level)
	}
	n, err := decodeNode(plain[headerSize:], h.kind == kindLeaf, level)
	if err != nil {
		return nil, corrupt(p.Block, "%v", err)
	}
	if int(h.used) != len(n.keys) {
		return nil, corrupt(p.Block, "header counts %d keys, body has %d", h.used, len(n.keys))
	}
	n.ptr, n.owner = p, p.Txid
	return n, nil
}

func (db *DB) batchLimit() int {
	if db.testBatch > 0 {
		return db.testBatch
	}
	return batchMax
}

// setFree marks block b reusable. db.smu is held.
func (db *DB) setFree(b uint64) {
	db.free.set(b)
	db.freeHint = min(db.freeHint, b)
}

// readRun reads consecutive sealed blocks for a large read: with direct
// set, past the page cache where the file allows it (p aligned, a vault
// opened by path).
func (db *DB) readRun(p []byte, off int64, direct bool) error {
	if direct && db.dio != nil {
		return storage.ReadFull(db.dio, p, off)
	}
	return storage.ReadFull(db.f, p, off)
}
