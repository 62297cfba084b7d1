package vault

import (
	"bytes"
	"crypto/sha1"
	"encoding/binary"
	"testing"

	"golang.org/x/crypto/nacl/secretbox"
)

var fuzzA7Key = [32]byte{1, 2, 3, 4, 5, 6, 7, 8}

// a7Plaintexts decrypts every block of a golden file: the fuzz input is
// the concatenated 4056-byte plaintext blocks.
func a7Plaintexts(t testing.TB, name string) []byte {
	img, key, _ := a7Golden(t, name)
	var out []byte
	for n := 0; n < len(img)/a7BlockSize; n++ {
		out = append(out, a7Open(t, img, key, n)...)
	}
	return out
}

// a7Image seals plaintext blocks into an archive7 image under fuzzA7Key,
// fixing each block's SHA-1 so that mutations reach the structures behind
// it (the MAC and the digest are covered by the tamper tests).
func a7Image(plain []byte) []byte {
	n := (len(plain) + a7PlainSize - 1) / a7PlainSize
	img := make([]byte, 0, n*a7BlockSize)
	p := make([]byte, a7PlainSize)
	var nonce [24]byte
	for i := 0; i < n; i++ {
		clear(p)
		copy(p, plain[i*a7PlainSize:])
		s := sha1.Sum(p[a7DataOff:])
		copy(p[28:48], s[:])
		nonce[0], nonce[1] = byte(i), byte(i>>8)
		img = append(img, nonce[:]...)
		img = secretbox.Seal(img, p, &nonce, &fuzzA7Key)
	}
	return img
}

// a7Patch is one fuzz seed patch: bytes written at (block, offset) of the
// plaintext; no bytes cuts the image after block.
func a7Patch(block, off int, b ...byte) []byte {
	return append([]byte{byte(block >> 8), byte(block), byte(off >> 8), byte(off), byte(len(b))}, b...)
}

// applyA7Patches applies patches to a copy of base (plaintext blocks).
// Each patch is block u16, offset u16 (both taken modulo the image), a
// length byte and that many bytes; length 0 cuts the image after block.
func applyA7Patches(base, patches []byte) []byte {
	plain := bytes.Clone(base)
	for len(patches) >= 5 {
		blocks := len(plain) / a7PlainSize
		if blocks == 0 {
			break
		}
		blk := (int(patches[0])<<8 | int(patches[1])) % blocks
		off := (int(patches[2])<<8 | int(patches[3])) % a7PlainSize
		n := min(int(patches[4]), len(patches)-5)
		if n == 0 {
			plain = plain[:(blk+1)*a7PlainSize]
		} else {
			copy(plain[blk*a7PlainSize+off:(blk+1)*a7PlainSize], patches[5:5+n])
		}
		patches = patches[5+n:]
	}
	return plain
}

// FuzzImportArchive7 patches the plaintext blocks of a golden file made by
// archive7 (links, counts, tree pages, entry records: the harness seals
// the blocks and fixes their SHA-1) and runs OpenArchive7 and ImportTo:
// each input must fail with an error or import a vault that passes Check,
// and never panic. Patch lists keep inputs small, so the fuzzer mutates
// and minimizes quickly; every walk is bounded by the block count.
func FuzzImportArchive7(f *testing.F) {
	bases := [][]byte{a7Plaintexts(f, "empty.ar7"), a7Plaintexts(f, "basic.ar7")}
	desc := func(base []byte, i int) (begin int) { // special stream i's first block
		off := a7DataOff + a7DataSize - a7DescSize*(a7Specials-i) + 16
		return int(binary.BigEndian.Uint32(base[off:]))
	}
	for b, base := range bases {
		entries, index := desc(base, a7Entries), desc(base, a7Index)
		last := len(base)/a7PlainSize - 1
		for _, p := range [][]byte{
			nil,
			a7Patch(0, a7DataOff+9, 0, 3), // header major
			a7Patch(0, a7DataOff+a7DataSize-3*a7DescSize+24, 0, 0, 3, 0xe8),    // entries block count
			a7Patch(0, a7DataOff+a7DataSize-3*a7DescSize+28+7, 0x30),           // entries length
			a7Patch(entries, a7DataOff+1, 0, 0, 0, 5),                          // entries tree root page
			a7Patch(entries, a7DataOff+a7TreeMeta, 'E'),                        // entries root node kind
			a7Patch(entries, a7DataOff+a7TreeMeta+5, 0, 0, 0, 10),              // entries root count
			a7Patch(entries, a7DataOff+a7TreeMeta+a7NodeHdr+20, 'x'),           // first entry's type
			a7Patch(entries, a7DataOff+a7TreeMeta+a7NodeHdr+20+17+15, 1),       // first entry's parent
			a7Patch(entries, a7DataOff+a7TreeMeta+a7NodeHdr+a7EntrySize+20, 0), // first record's checksum
			a7Patch(index, a7DataOff+9, 0, 0, 0, 9),                            // index tree order
			a7Patch(entries, 4, 0, 0, 0, byte(entries)),                        // entries chain loops on itself
			a7Patch(last, 0, 0, 0, 0, 1),                                       // last block's previous link
			a7Patch(last/2, 0),                                                 // cut the file in half
		} {
			f.Add(uint8(b), p, false)
			f.Add(uint8(b), p, true)
		}
	}
	f.Fuzz(func(t *testing.T, base uint8, patches []byte, salvage bool) {
		if len(patches) > 4096 {
			return
		}
		img := a7Image(applyA7Patches(bases[int(base)%len(bases)], patches))
		a, err := OpenArchive7(bytes.NewReader(img), int64(len(img)), "fuzz.ar7", fuzzA7Key, salvage)
		if err != nil {
			return
		}
		db, _ := a7Vault(t)
		err = db.Update(func(tx *Tx) error {
			_, err := a.ImportTo(tx, &Archive7Options{Salvage: salvage, Deleted: len(patches)%2 == 0})
			return err
		})
		if err == nil {
			if err := db.Check(); err != nil {
				t.Fatalf("import passed but the vault fails Check: %v", err)
			}
		}
	})
}
