package vault

import (
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/binary"
	"fmt"

	"golang.org/x/crypto/chacha20poly1305"
)

// Wire constants. Never change them: every vault file depends on them.
const (
	BlockSize  = 4096
	nonceSize  = 24
	tagSize    = 16
	plainSize  = BlockSize - nonceSize - tagSize // 4056
	headerSize = 32
	bodySize   = plainSize - headerSize // 4024
	ptrSize    = 32
	fanout     = 125 // pointers per stream-map block
	descSize   = 64  // stream descriptor

	formatMajor = 1
	formatMinor = 0

	infoBlock = "ringvault/vault/v1/block"
	infoSuper = "ringvault/vault/v1/super"
)

// Block kinds (plaintext header byte 0).
const (
	kindData     = 1
	kindMap      = 2
	kindLeaf     = 3
	kindBranch   = 4
	kindFreeList = 5
)

var kindNames = [...]string{"?", "data", "stream-map", "catalog-leaf", "catalog-branch", "free-list"}

func kindName(k byte) string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind-%d", k)
}

// Cipher suites (superblock byte 32).
const (
	// SuitePlain authenticates without encrypting: tag = SHA-256(AAD‖payload)[:16].
	SuitePlain = 0
	// SuiteXAES is XAES-256-GCM, the default (AES hardware).
	SuiteXAES = 1
	// SuiteXChaCha is XChaCha20-Poly1305.
	SuiteXChaCha = 2
)

// Pointer is a Merkle link to a block: its number, the txid that wrote it
// and its AEAD tag. The zero Pointer is null (a hole).
type Pointer struct {
	Block uint64
	Txid  uint64
	Tag   [tagSize]byte
}

// IsNull reports whether p points nowhere.
func (p Pointer) IsNull() bool { return p.Block == 0 }

func (p Pointer) put(b []byte) {
	binary.BigEndian.PutUint64(b[0:], p.Block)
	binary.BigEndian.PutUint64(b[8:], p.Txid)
	copy(b[16:32], p.Tag[:])
}

func getPointer(b []byte) Pointer {
	var p Pointer
	p.Block = binary.BigEndian.Uint64(b[0:])
	p.Txid = binary.BigEndian.Uint64(b[8:])
	copy(p.Tag[:], b[16:32])
	return p
}

// blockHeader is the first 32 bytes of every plaintext block.
type blockHeader struct {
	kind  byte
	level byte
	flags uint16
	used  uint32
	txid  uint64
	obj   uint64
	index uint64
}

func (h blockHeader) put(b []byte) {
	b[0], b[1] = h.kind, h.level
	binary.BigEndian.PutUint16(b[2:], h.flags)
	binary.BigEndian.PutUint32(b[4:], h.used)
	binary.BigEndian.PutUint64(b[8:], h.txid)
	binary.BigEndian.PutUint64(b[16:], h.obj)
	binary.BigEndian.PutUint64(b[24:], h.index)
}

func getHeader(b []byte) blockHeader {
	return blockHeader{
		kind: b[0], level: b[1],
		flags: binary.BigEndian.Uint16(b[2:]),
		used:  binary.BigEndian.Uint32(b[4:]),
		txid:  binary.BigEndian.Uint64(b[8:]),
		obj:   binary.BigEndian.Uint64(b[16:]),
		index: binary.BigEndian.Uint64(b[24:]),
	}
}

// sealer seals and opens whole blocks for one file (UUID) under one suite.
type sealer struct {
	suite byte
	uuid  [16]byte
	aead  cipher.AEAD // nil for SuitePlain
}

func newAEAD(suite byte, key []byte) (cipher.AEAD, error) {
	switch suite {
	case SuitePlain:
		return nil, nil
	case SuiteXAES:
		return newXAES(key)
	case SuiteXChaCha:
		return chacha20poly1305.NewX(key)
	}
	return nil, fmt.Errorf("vault: unknown cipher suite %d: %w", suite, ErrVersion)
}

// subkey derives a 32-byte key from the master key (HKDF-SHA256, salt = UUID).
func subkey(master []byte, uuid [16]byte, info string) []byte {
	k, err := hkdf.Key(sha256.New, master, uuid[:], info, 32)
	if err != nil {
		panic(err) // unreachable: 32 bytes is always a valid length
	}
	return k
}

func newSealer(suite byte, master []byte, uuid [16]byte, info string) (*sealer, error) {
	a, err := newAEAD(suite, subkey(master, uuid, info))
	if err != nil {
		return nil, err
	}
	return &sealer{suite: suite, uuid: uuid, aead: a}, nil
}

func (s *sealer) aad(block uint64) []byte {
	var ad [24]byte
	copy(ad[:], s.uuid[:])
	binary.BigEndian.PutUint64(ad[16:], block)
	return ad[:]
}

func plainTag(ad, payload []byte) [tagSize]byte {
	h := sha256.New()
	h.Write(ad)
	h.Write(payload)
	var t [tagSize]byte
	copy(t[:], h.Sum(nil))
	return t
}

// seal encrypts plain (plainSize bytes) for block number n into out
// (BlockSize bytes) and returns the tag.
func (s *sealer) seal(out, plain []byte, n uint64) [tagSize]byte {
	return s.sealNonce(out, plain, n, nil, nil)
}

// sealNonce is seal with the nonce given (24 fresh random bytes; nil:
// draw them here). Drawing the nonces of a batch in one call saves a
// getrandom per block. adBuf, if not nil, is 24 bytes of room for the
// associated data (it escapes through the AEAD interface, so a batch
// passes one buffer rather than allocating one per block).
func (s *sealer) sealNonce(out, plain []byte, n uint64, nonce, adBuf []byte) [tagSize]byte {
	var ad []byte
	if adBuf != nil {
		ad = adBuf[:24]
		copy(ad, s.uuid[:])
		binary.BigEndian.PutUint64(ad[16:], n)
	} else {
		ad = s.aad(n)
	}
	var tag [tagSize]byte
	if s.aead == nil {
		clear(out[:nonceSize])
		copy(out[nonceSize:], plain)
		tag = plainTag(ad, plain)
		copy(out[BlockSize-tagSize:], tag[:])
		return tag
	}
	if nonce != nil {
		copy(out[:nonceSize], nonce)
	} else if _, err := rand.Read(out[:nonceSize]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	s.aead.Seal(out[nonceSize:nonceSize], out[:nonceSize], plain, ad)
	copy(tag[:], out[BlockSize-tagSize:])
	return tag
}

// open authenticates and decrypts a sealed block into plain.
func (s *sealer) open(plain, raw []byte, n uint64) error {
	ad := s.aad(n)
	if s.aead == nil {
		tag := plainTag(ad, raw[nonceSize:BlockSize-tagSize])
		if subtle.ConstantTimeCompare(tag[:], raw[BlockSize-tagSize:]) != 1 {
			return corrupt(n, "checksum mismatch")
		}
		copy(plain, raw[nonceSize:BlockSize-tagSize])
		return nil
	}
	if _, err := s.aead.Open(plain[:0], raw[:nonceSize], raw[nonceSize:], ad); err != nil {
		return corrupt(n, "authentication failed (modified, moved or torn block)")
	}
	return nil
}

// decodeBlock opens raw (BlockSize bytes read from block p.Block) and checks
// it against the pointer (tag, birth txid) and the expected kind.
func (s *sealer) decodeBlock(plain, raw []byte, p Pointer, kind byte) (blockHeader, error) {
	if len(raw) != BlockSize || len(plain) < plainSize {
		return blockHeader{}, corrupt(p.Block, "short block")
	}
	if subtle.ConstantTimeCompare(raw[BlockSize-tagSize:], p.Tag[:]) != 1 {
		// Authenticate first so the error says whether the block is damaged
		// or a valid but different version (rolled back, swapped).
		if err := s.open(plain, raw, p.Block); err != nil {
			return blockHeader{}, err
		}
		return blockHeader{}, corrupt(p.Block, "tag does not match its pointer (block rolled back or replaced by another valid version)")
	}
	if err := s.open(plain, raw, p.Block); err != nil {
		return blockHeader{}, err
	}
	h := getHeader(plain)
	if h.txid != p.Txid {
		return h, corrupt(p.Block, "birth txid %d, pointer expects %d", h.txid, p.Txid)
	}
	if kind != 0 && h.kind != kind {
		return h, corrupt(p.Block, "is a %s block, expected %s", kindName(h.kind), kindName(kind))
	}
	return h, nil
}
