package vault

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/subtle"
	"sync"
)

// xaes is XAES-256-GCM (C2SP XAES-256-GCM.md): AES-256-GCM under a key
// derived per message from the first 96 bits of a 192-bit nonce with the
// NIST SP 800-108 counter KDF over AES-256-CMAC. The standard library has
// it only internally (crypto/internal/fips140/aes/gcm), so the 30 lines of
// derivation live here; xaes_test.go checks the C2SP vectors.
type xaes struct {
	block cipher.Block
	k1    [aes.BlockSize]byte
}

func newXAES(key []byte) (*xaes, error) {
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	x := &xaes{block: b}
	b.Encrypt(x.k1[:], x.k1[:])
	// Left shift by one bit, xor 0x87 into the last byte if the top bit was set.
	msb := x.k1[0] >> 7
	for i := 0; i < len(x.k1)-1; i++ {
		x.k1[i] = x.k1[i]<<1 | x.k1[i+1]>>7
	}
	x.k1[len(x.k1)-1] = x.k1[len(x.k1)-1]<<1 ^ byte(subtle.ConstantTimeSelect(int(msb), 0x87, 0))
	return x, nil
}

// xaesScratch holds the derivation's inputs and the derived key; pooled
// because they escape to the heap through the cipher.Block interface (one
// derivation per sealed or opened block).
type xaesScratch struct{ m1, m2, key [32]byte }

var xaesScratchPool = sync.Pool{New: func() any { return new(xaesScratch) }}

func (x *xaes) gcm(nonce []byte) (cipher.AEAD, error) {
	sc := xaesScratchPool.Get().(*xaesScratch)
	defer func() {
		clear(sc.key[:]) // no key material left in the pool
		xaesScratchPool.Put(sc)
	}()
	m1, m2, key := sc.m1[:16], sc.m2[:16], sc.key[:]
	clear(m1)
	clear(m2)
	m1[1], m1[2] = 1, 'X'
	m2[1], m2[2] = 2, 'X'
	copy(m1[4:16], nonce[:12])
	copy(m2[4:16], nonce[:12])
	subtle.XORBytes(m1, m1, x.k1[:])
	subtle.XORBytes(m2, m2, x.k1[:])
	x.block.Encrypt(key[:16], m1)
	x.block.Encrypt(key[16:], m2)
	b, err := aes.NewCipher(key) // expands the key into its own schedule
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(b)
}

func (x *xaes) NonceSize() int { return 24 }
func (x *xaes) Overhead() int  { return 16 }

func (x *xaes) Seal(dst, nonce, plaintext, ad []byte) []byte {
	g, err := x.gcm(nonce)
	if err != nil {
		panic(err) // unreachable: the key is always 32 bytes
	}
	return g.Seal(dst, nonce[12:], plaintext, ad)
}

func (x *xaes) Open(dst, nonce, ciphertext, ad []byte) ([]byte, error) {
	g, err := x.gcm(nonce)
	if err != nil {
		return nil, err
	}
	return g.Open(dst, nonce[12:], ciphertext, ad)
}
