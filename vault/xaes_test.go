package vault

import (
	"bytes"
	"encoding/hex"
	"testing"

	"golang.org/x/crypto/chacha20poly1305"
)

// TestXAESVectors checks the C2SP XAES-256-GCM test vectors.
func TestXAESVectors(t *testing.T) {
	for _, v := range []struct {
		key        byte
		aad, ctHex string
	}{
		{1, "", "ce546ef63c9cc60765923609b33a9a1974e96e52daf2fcf7075e2271"},
		{3, "c2sp.org/XAES-256-GCM", "986ec1832593df5443a179437fd083bf3fdb41abd740a21f71eb769d"},
	} {
		x, err := newXAES(bytes.Repeat([]byte{v.key}, 32))
		if err != nil {
			t.Fatal(err)
		}
		nonce := []byte("ABCDEFGHIJKLMNOPQRSTUVWX")
		ct := x.Seal(nil, nonce, []byte("XAES-256-GCM"), []byte(v.aad))
		if got := hex.EncodeToString(ct); got != v.ctHex {
			t.Errorf("key %#x: got %s want %s", v.key, got, v.ctHex)
		}
		pt, err := x.Open(nil, nonce, ct, []byte(v.aad))
		if err != nil || string(pt) != "XAES-256-GCM" {
			t.Errorf("open: %q %v", pt, err)
		}
		ct[0] ^= 1
		if _, err := x.Open(nil, nonce, ct, []byte(v.aad)); err == nil {
			t.Errorf("tampered ciphertext opened")
		}
	}
}

// BenchmarkSeal measures sealing one 4056-byte block per suite: the
// figure behind the default cipher choice (docs/format/vault.md).
func BenchmarkSeal(b *testing.B) {
	key := bytes.Repeat([]byte{9}, 32)
	plain := make([]byte, plainSize)
	for _, s := range []struct {
		name  string
		suite byte
	}{{"XAES-256-GCM", SuiteXAES}, {"XChaCha20-Poly1305", SuiteXChaCha}, {"plain-SHA256", SuitePlain}} {
		sl, err := newSealer(s.suite, key, [16]byte{}, infoBlock)
		if err != nil {
			b.Fatal(err)
		}
		out := make([]byte, BlockSize)
		b.Run("seal/"+s.name, func(b *testing.B) {
			b.SetBytes(plainSize)
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				sl.seal(out, plain, uint64(i))
			}
		})
		sl.seal(out, plain, 7)
		b.Run("open/"+s.name, func(b *testing.B) {
			b.SetBytes(plainSize)
			b.ReportAllocs()
			for b.Loop() {
				if err := sl.open(plain, out, 7); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	_ = chacha20poly1305.NonceSizeX
}
