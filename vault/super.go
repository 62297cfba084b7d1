package vault

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"hash/crc32"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/chacha20poly1305"
)

// Superblock layout (blocks 0 and 1, slot = txid mod 2); see
// docs/format/vault.md. Never change these offsets.
const (
	sbMagicOff    = 0
	sbMajorOff    = 8
	sbMinorOff    = 10
	sbBlockOff    = 12
	sbUUIDOff     = 16
	sbSuiteOff    = 32
	sbSlotCntOff  = 33
	sbFeatOff     = 36
	sbSlotsOff    = 64
	slotSize      = 128
	maxSlots      = 4
	sbCommitOff   = 1024
	commitSize    = 1024
	sbSlotNumOff  = 4088
	sbCRCOff      = 4092
	appHeaderMax  = 862
	wrappedKeyLen = 24 + 32 + 16
)

var magic = [8]byte{0x89, 'A', 'R', '7', '\r', '\n', 0x1a, '\n'}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Key slot kinds.
const (
	slotEmpty    = 0
	slotPassword = 1
	slotKey      = 2
)

// KDFParams are the Argon2id parameters of a password key slot.
type KDFParams struct {
	Time      uint32 // passes
	MemoryKiB uint32
	Threads   uint8
}

// DefaultKDF is Argon2id t=3, m=64 MiB, p=4 (RFC 9106, second recommended option).
var DefaultKDF = KDFParams{Time: 3, MemoryKiB: 64 * 1024, Threads: 4}

// Limits on KDF parameters read from a file, so a damaged slot cannot ask
// for absurd work.
const (
	maxKDFTime   = 64
	maxKDFMemKiB = 4 << 20
)

// keySlot is one 128-byte slot wrapping the master key.
type keySlot struct {
	kind    byte
	kdf     KDFParams
	salt    [32]byte
	wrapped [wrappedKeyLen]byte
}

func (s *keySlot) put(b []byte) {
	clear(b[:slotSize])
	b[0] = s.kind
	binary.BigEndian.PutUint32(b[4:], s.kdf.Time)
	binary.BigEndian.PutUint32(b[8:], s.kdf.MemoryKiB)
	b[12] = s.kdf.Threads
	copy(b[16:48], s.salt[:])
	copy(b[48:120], s.wrapped[:])
}

func getSlot(b []byte) keySlot {
	var s keySlot
	s.kind = b[0]
	s.kdf.Time = binary.BigEndian.Uint32(b[4:])
	s.kdf.MemoryKiB = binary.BigEndian.Uint32(b[8:])
	s.kdf.Threads = b[12]
	copy(s.salt[:], b[16:48])
	copy(s.wrapped[:], b[48:120])
	return s
}

func slotAAD(uuid [16]byte, idx int) []byte {
	return append(uuid[:], byte(idx))
}

// kek derives the key-encryption key of a slot from a password or raw key.
func (s *keySlot) kek(password, key []byte) ([]byte, bool) {
	switch s.kind {
	case slotPassword:
		if password == nil || s.kdf.Time == 0 || s.kdf.Time > maxKDFTime ||
			s.kdf.MemoryKiB < 8 || s.kdf.MemoryKiB > maxKDFMemKiB || s.kdf.Threads == 0 {
			return nil, false
		}
		return argon2.IDKey(password, s.salt[:], s.kdf.Time, s.kdf.MemoryKiB, s.kdf.Threads, 32), true
	case slotKey:
		if len(key) != 32 {
			return nil, false
		}
		return key, true
	}
	return nil, false
}

// newSlot wraps master under a password (Argon2id) or a raw 32-byte key.
func newSlot(uuid [16]byte, idx int, master, password, key []byte, kdf KDFParams) (keySlot, error) {
	var s keySlot
	if _, err := rand.Read(s.salt[:]); err != nil {
		return s, err
	}
	switch {
	case key != nil:
		if len(key) != 32 {
			return s, fmt.Errorf("vault: key must be 32 bytes, got %d", len(key))
		}
		s.kind = slotKey
	case password != nil:
		s.kind, s.kdf = slotPassword, kdf
	default:
		return s, ErrNoKey
	}
	k, _ := s.kek(password, key)
	if k == nil {
		return s, fmt.Errorf("vault: invalid KDF parameters %+v", kdf)
	}
	a, err := chacha20poly1305.NewX(k)
	if err != nil {
		return s, err
	}
	if _, err := rand.Read(s.wrapped[:24]); err != nil {
		return s, err
	}
	a.Seal(s.wrapped[24:24], s.wrapped[:24], master, slotAAD(uuid, idx))
	return s, nil
}

// unwrap returns the master key if the slot opens with password or key.
func (s *keySlot) unwrap(uuid [16]byte, idx int, password, key []byte) []byte {
	k, ok := s.kek(password, key)
	if !ok {
		return nil
	}
	a, err := chacha20poly1305.NewX(k)
	if err != nil {
		return nil
	}
	m, err := a.Open(nil, s.wrapped[:24], s.wrapped[24:], slotAAD(uuid, idx))
	if err != nil {
		return nil
	}
	return m
}

// commitRecord is the authenticated state of one transaction.
type commitRecord struct {
	txid      uint64
	hwm       uint64 // blocks in use: [0, hwm)
	time      int64  // unix ns
	catalog   Pointer
	height    byte
	freeList  Pointer // head of the free-list chain
	freeBlks  uint64  // blocks in the free-list chain
	freeCount uint64  // free blocks listed
	entries   uint64
	nextID    uint64
	prevTxid  uint64
	appHeader []byte
}

func (c *commitRecord) encode() []byte {
	b := make([]byte, commitSize)
	binary.BigEndian.PutUint64(b[0:], c.txid)
	binary.BigEndian.PutUint64(b[8:], c.hwm)
	binary.BigEndian.PutUint64(b[16:], uint64(c.time))
	c.catalog.put(b[24:])
	b[56] = c.height
	c.freeList.put(b[64:])
	binary.BigEndian.PutUint64(b[96:], c.freeBlks)
	binary.BigEndian.PutUint64(b[128:], c.freeCount)
	binary.BigEndian.PutUint64(b[136:], c.entries)
	binary.BigEndian.PutUint64(b[144:], c.nextID)
	binary.BigEndian.PutUint64(b[152:], c.prevTxid)
	binary.BigEndian.PutUint16(b[160:], uint16(len(c.appHeader)))
	copy(b[162:], c.appHeader)
	return b
}

func decodeCommit(b []byte) (commitRecord, error) {
	var c commitRecord
	if len(b) != commitSize {
		return c, fmt.Errorf("commit record is %d bytes, expected %d", len(b), commitSize)
	}
	c.txid = binary.BigEndian.Uint64(b[0:])
	c.hwm = binary.BigEndian.Uint64(b[8:])
	c.time = int64(binary.BigEndian.Uint64(b[16:]))
	c.catalog = getPointer(b[24:])
	c.height = b[56]
	c.freeList = getPointer(b[64:])
	c.freeBlks = binary.BigEndian.Uint64(b[96:])
	c.freeCount = binary.BigEndian.Uint64(b[128:])
	c.entries = binary.BigEndian.Uint64(b[136:])
	c.nextID = binary.BigEndian.Uint64(b[144:])
	c.prevTxid = binary.BigEndian.Uint64(b[152:])
	n := int(binary.BigEndian.Uint16(b[160:]))
	if n > appHeaderMax {
		return c, fmt.Errorf("application header length %d exceeds %d", n, appHeaderMax)
	}
	c.appHeader = bytes.Clone(b[162 : 162+n])
	if c.hwm < 2 || c.catalog.IsNull() || c.catalog.Block >= c.hwm || c.freeList.Block >= c.hwm || c.height == 0 || c.height > 32 {
		return c, fmt.Errorf("commit record txid %d: inconsistent fields (hwm %d, catalog block %d, height %d)", c.txid, c.hwm, c.catalog.Block, c.height)
	}
	return c, nil
}

// superblock is the keyless part of a superblock plus its sealed commit record.
type superblock struct {
	major, minor uint16
	uuid         [16]byte
	suite        byte
	features     uint32
	slots        [maxSlots]keySlot
	slotNum      uint32
	raw          []byte // the whole 4096 bytes as read
}

// parseSuperblock checks magic, CRC and version of one superblock image.
// It returns (nil, nil) for a block that is not a valid superblock (torn,
// zero, foreign), and ErrVersion for a newer format.
func parseSuperblock(b []byte, slot int) (*superblock, error) {
	if len(b) != BlockSize || !bytes.Equal(b[:8], magic[:]) {
		return nil, nil
	}
	if crc32.Checksum(b[:sbCRCOff], castagnoli) != binary.BigEndian.Uint32(b[sbCRCOff:]) {
		return nil, nil
	}
	s := &superblock{
		major:    binary.BigEndian.Uint16(b[sbMajorOff:]),
		minor:    binary.BigEndian.Uint16(b[sbMinorOff:]),
		suite:    b[sbSuiteOff],
		features: binary.BigEndian.Uint32(b[sbFeatOff:]),
		slotNum:  binary.BigEndian.Uint32(b[sbSlotNumOff:]),
		raw:      b,
	}
	if s.major > formatMajor {
		return nil, fmt.Errorf("%w: file is version %d.%d, this ringvault reads %d.x", ErrVersion, s.major, s.minor, formatMajor)
	}
	if bs := binary.BigEndian.Uint32(b[sbBlockOff:]); bs != BlockSize {
		return nil, fmt.Errorf("%w: block size %d (this ringvault supports %d)", ErrVersion, bs, BlockSize)
	}
	if s.features&0xFF != 0 { // incompatible feature bits
		return nil, fmt.Errorf("%w: incompatible feature flags %#x", ErrVersion, s.features)
	}
	if int(s.slotNum) != slot {
		return nil, corrupt(uint64(slot), "superblock says slot %d", s.slotNum)
	}
	copy(s.uuid[:], b[sbUUIDOff:])
	for i := range s.slots {
		s.slots[i] = getSlot(b[sbSlotsOff+i*slotSize:])
	}
	return s, nil
}

// encodeSuperblock builds a superblock image for slot with a sealed commit record.
func encodeSuperblock(hdr *superblock, slot int, c *commitRecord, seal *sealer) []byte {
	b := make([]byte, BlockSize)
	copy(b, magic[:])
	binary.BigEndian.PutUint16(b[sbMajorOff:], formatMajor)
	binary.BigEndian.PutUint16(b[sbMinorOff:], formatMinor)
	binary.BigEndian.PutUint32(b[sbBlockOff:], BlockSize)
	copy(b[sbUUIDOff:], hdr.uuid[:])
	b[sbSuiteOff] = hdr.suite
	n := 0
	for i := range hdr.slots {
		if hdr.slots[i].kind != slotEmpty {
			n++
		}
		hdr.slots[i].put(b[sbSlotsOff+i*slotSize:])
	}
	b[sbSlotCntOff] = byte(n)
	binary.BigEndian.PutUint32(b[sbFeatOff:], hdr.features)
	binary.BigEndian.PutUint32(b[sbSlotNumOff:], uint32(slot))
	ad := commitAAD(b, slot)
	nonce := b[sbCommitOff : sbCommitOff+24]
	if _, err := rand.Read(nonce); err != nil {
		panic(err)
	}
	sealCommit(seal, b[sbCommitOff+24:sbCommitOff+24+commitSize+tagSize], nonce, c.encode(), ad)
	binary.BigEndian.PutUint32(b[sbCRCOff:], crc32.Checksum(b[:sbCRCOff], castagnoli))
	return b
}

func commitAAD(b []byte, slot int) []byte {
	ad := make([]byte, 1025)
	copy(ad, b[:1024])
	ad[1024] = byte(slot)
	return ad
}

func sealCommit(s *sealer, out, nonce, plain, ad []byte) {
	if s.aead == nil {
		copy(out, plain)
		t := plainTag(ad, plain)
		copy(out[commitSize:], t[:])
		return
	}
	s.aead.Seal(out[:0], nonce, plain, ad)
}

// openCommit authenticates and decodes the commit record of superblock s.
func openCommit(s *superblock, slot int, seal *sealer) (commitRecord, error) {
	b := s.raw
	ad := commitAAD(b, slot)
	nonce := b[sbCommitOff : sbCommitOff+24]
	ct := b[sbCommitOff+24 : sbCommitOff+24+commitSize+tagSize]
	var plain []byte
	if seal.aead == nil {
		t := plainTag(ad, ct[:commitSize])
		if !bytes.Equal(t[:], ct[commitSize:]) {
			return commitRecord{}, corrupt(uint64(slot), "superblock commit record checksum mismatch")
		}
		plain = ct[:commitSize]
	} else {
		var err error
		plain, err = seal.aead.Open(nil, nonce, ct, ad)
		if err != nil {
			return commitRecord{}, corrupt(uint64(slot), "superblock commit record failed authentication (replaced or forged superblock)")
		}
	}
	c, err := decodeCommit(plain)
	if err != nil {
		return c, corrupt(uint64(slot), "%v", err)
	}
	if c.txid%2 != uint64(slot) {
		return c, corrupt(uint64(slot), "txid %d in slot %d", c.txid, slot)
	}
	return c, nil
}
