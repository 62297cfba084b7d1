//go:build !(amd64 || arm64 || ppc64le || riscv64 || loong64 || 386 || arm || mipsle || mips64le || wasm)

package blosc

// Big-endian and other targets use the portable loops only.
const fastShuffle = false

func unshuffleFast8x(ts, n, nn int, dst, src []byte) {}
func shuffleFast8x(ts, n, nn int, dst, src []byte)   {}

func lzMatchEnd(in []byte, ip, ref, bound int) int { return lzMatchEndSafe(in, ip, ref, bound) }
