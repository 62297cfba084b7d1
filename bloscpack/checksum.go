package bloscpack

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/binary"
	"fmt"

	"hash/adler32"
	"hash/crc32"
	"strings"
)

// Checksum is a digest type, numbered as bloscpack's CHECKSUMS list (the id
// stored in the header). Never renumber.
type Checksum uint8

// The nine digest types of bloscpack/checksums.py.
const (
	None    Checksum = 0 // no digest
	Adler32 Checksum = 1 // zlib.adler32, 4 bytes little-endian (the default)
	CRC32   Checksum = 2 // zlib.crc32 (IEEE), 4 bytes little-endian
	MD5     Checksum = 3
	SHA1    Checksum = 4
	SHA224  Checksum = 5
	SHA256  Checksum = 6
	SHA384  Checksum = 7
	SHA512  Checksum = 8
)

var checksumNames = [...]string{"None", "adler32", "crc32", "md5", "sha1", "sha224", "sha256", "sha384", "sha512"}
var checksumSizes = [...]int{0, 4, 4, 16, 20, 28, 32, 48, 64}

// Checksums lists every digest type in id order (CHECKSUMS_AVAIL).
var Checksums = []Checksum{None, Adler32, CRC32, MD5, SHA1, SHA224, SHA256, SHA384, SHA512}

// String returns bloscpack's name: "None", "adler32", ... "sha512".
func (c Checksum) String() string {
	if c.Valid() {
		return checksumNames[c]
	}
	return fmt.Sprintf("checksum(%d)", uint8(c))
}

// Valid reports whether c is one of the nine known ids.
func (c Checksum) Valid() bool { return int(c) < len(checksumNames) }

// Size is the digest length in bytes (0 for None).
func (c Checksum) Size() int {
	if c.Valid() {
		return checksumSizes[c]
	}
	return 0
}

// ParseChecksum maps a name from blpk's -k list to its Checksum. Names are
// matched exactly, as argparse's choices are.
func ParseChecksum(name string) (Checksum, error) {
	for i, n := range checksumNames {
		if name == n {
			return Checksum(i), nil
		}
	}
	return 0, fmt.Errorf("%w: checksum '%s' does not exist (want one of %s)", ErrInvalidOptions, name, strings.Join(checksumNames[:], ", "))
}

// Sum appends the digest of data to dst, in the byte order bloscpack
// stores it (adler32 and crc32 little-endian, the others as their raw
// digests).
func (c Checksum) Sum(dst, data []byte) []byte {
	switch c {
	case Adler32:
		return binary.LittleEndian.AppendUint32(dst, adler32.Checksum(data))
	case CRC32:
		return binary.LittleEndian.AppendUint32(dst, crc32.ChecksumIEEE(data))
	case MD5:
		s := md5.Sum(data)
		return append(dst, s[:]...)
	case SHA1:
		s := sha1.Sum(data)
		return append(dst, s[:]...)
	case SHA224:
		s := sha256.Sum224(data)
		return append(dst, s[:]...)
	case SHA256:
		s := sha256.Sum256(data)
		return append(dst, s[:]...)
	case SHA384:
		s := sha512.Sum384(data)
		return append(dst, s[:]...)
	case SHA512:
		s := sha512.Sum512(data)
		return append(dst, s[:]...)
	}
	return dst
}
