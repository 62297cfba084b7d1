//go:build amd64 && !purego

package blosc

// SSE2 byte shuffles for typesizes 2, 4 and 8; see shuffle_amd64.s.
const haveShuffleAsm = true

//go:noescape
func unshuffle2SSE2(dst, src *byte, n, groups int)

//go:noescape
func shuffle2SSE2(dst, src *byte, n, groups int)

//go:noescape
func unshuffle4SSE2(dst, src *byte, n, groups int)

//go:noescape
func shuffle4SSE2(dst, src *byte, n, groups int)

//go:noescape
func unshuffle8SSE2(dst, src *byte, n, groups int)

//go:noescape
func shuffle8SSE2(dst, src *byte, n, groups int)

// unshuffleAsm unshuffles the first n&^15 elements of a block of
// typesize ts (2, 4 or 8; src: ts rows of n bytes) and returns how many it
// did; 0 for other typesizes.
func unshuffleAsm(ts, n int, dst, src []byte) int {
	g := n / 16
	if g == 0 || (ts != 2 && ts != 4 && ts != 8) {
		return 0
	}
	_ = src[ts*n-1]
	_ = dst[16*ts*g-1]
	switch ts {
	case 2:
		unshuffle2SSE2(&dst[0], &src[0], n, g)
	case 4:
		unshuffle4SSE2(&dst[0], &src[0], n, g)
	default:
		unshuffle8SSE2(&dst[0], &src[0], n, g)
	}
	return 16 * g
}

// shuffleAsm is the inverse of unshuffleAsm.
func shuffleAsm(ts, n int, dst, src []byte) int {
	g := n / 16
	if g == 0 || (ts != 2 && ts != 4 && ts != 8) {
		return 0
	}
	_ = dst[ts*n-1]
	_ = src[16*ts*g-1]
	switch ts {
	case 2:
		shuffle2SSE2(&dst[0], &src[0], n, g)
	case 4:
		shuffle4SSE2(&dst[0], &src[0], n, g)
	default:
		shuffle8SSE2(&dst[0], &src[0], n, g)
	}
	return 16 * g
}
