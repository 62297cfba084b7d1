//go:build amd64 && !purego

#include "textflag.h"
#include "shuffle8_amd64.h"

// Bit transposes for bitshuffle (see bitshuffle_amd64.go). Each 8-byte word
// is the 8x8 bit matrix of transposeBits8x8, transposed two words per
// register with the same three exchange steps (shift, xor, mask); the
// words move between one row and eight rows through the typesize-8 byte
// unpack network of shuffle_amd64.s.

DATA bitmask<>+0(SB)/8, $0x00AA00AA00AA00AA
DATA bitmask<>+8(SB)/8, $0x00AA00AA00AA00AA
DATA bitmask<>+16(SB)/8, $0x0000CCCC0000CCCC
DATA bitmask<>+24(SB)/8, $0x0000CCCC0000CCCC
DATA bitmask<>+32(SB)/8, $0x00000000F0F0F0F0
DATA bitmask<>+40(SB)/8, $0x00000000F0F0F0F0
GLOBL bitmask<>(SB), RODATA|NOPTR, $48

// TBITS transposes the 8x8 bit matrices of both words of X, with T as
// scratch and the masks in X13, X14, X15.
#define TBITS(X, T) \
	MOVO X, T; PSRLQ $7, T; PXOR X, T; PAND X13, T; PXOR T, X; PSLLQ $7, T; PXOR T, X; \
	MOVO X, T; PSRLQ $14, T; PXOR X, T; PAND X14, T; PXOR T, X; PSLLQ $14, T; PXOR T, X; \
	MOVO X, T; PSRLQ $28, T; PXOR X, T; PAND X15, T; PXOR T, X; PSLLQ $28, T; PXOR T, X

#define LOADMASKS \
	MOVOU bitmask<>+0(SB), X13; MOVOU bitmask<>+16(SB), X14; MOVOU bitmask<>+32(SB), X15

#define TBITS8 \
	LOADMASKS; \
	TBITS(X0, X8); TBITS(X1, X9); TBITS(X2, X10); TBITS(X3, X11); \
	TBITS(X4, X8); TBITS(X5, X9); TBITS(X6, X10); TBITS(X7, X11)

// func bitshuffle8SSE2(dst, src *byte, n, groups int)
TEXT ·bitshuffle8SSE2(SB), NOSPLIT, $0-32
	ROWS8ARGS
	TESTQ CX, CX
	JZ   bs8done
bs8loop:
	LOADBLOCK8
	TBITS8
	ZIPA
	ZIPB
	ZIPA
	ZIPB
	STOREROWS8
	ADDQ $128, SI
	ADDQ $16, DI
	DECQ CX
	JNZ  bs8loop
bs8done:
	RET

// func bitunshuffle8SSE2(dst, src *byte, n, groups int)
TEXT ·bitunshuffle8SSE2(SB), NOSPLIT, $0-32
	ROWS8ARGS
	TESTQ CX, CX
	JZ   bu8done
bu8loop:
	LOADROWS8
	ZIPA
	ZIPB
	ZIPA
	MOVO X8, X0
	MOVO X9, X1
	MOVO X10, X2
	MOVO X11, X3
	MOVO X12, X4
	MOVO X13, X5
	MOVO X14, X6
	MOVO X15, X7
	TBITS8
	MOVOU X0, 0(DI)
	MOVOU X1, 16(DI)
	MOVOU X2, 32(DI)
	MOVOU X3, 48(DI)
	MOVOU X4, 64(DI)
	MOVOU X5, 80(DI)
	MOVOU X6, 96(DI)
	MOVOU X7, 112(DI)
	ADDQ $16, SI
	ADDQ $128, DI
	DECQ CX
	JNZ  bu8loop
bu8done:
	RET

// AVX2 versions: the same steps on four words per register, and the byte
// network in three-operand VEX form (no register copies).

#define TBITSY(Y, T) \
	VPSRLQ $7, Y, T; VPXOR Y, T, T; VPAND Y13, T, T; VPXOR T, Y, Y; VPSLLQ $7, T, T; VPXOR T, Y, Y; \
	VPSRLQ $14, Y, T; VPXOR Y, T, T; VPAND Y14, T, T; VPXOR T, Y, Y; VPSLLQ $14, T, T; VPXOR T, Y, Y; \
	VPSRLQ $28, Y, T; VPXOR Y, T, T; VPAND Y15, T, T; VPXOR T, Y, Y; VPSLLQ $28, T, T; VPXOR T, Y, Y

#define LOADMASKSY \
	VPBROADCASTQ bitmask<>+0(SB), Y13; VPBROADCASTQ bitmask<>+16(SB), Y14; VPBROADCASTQ bitmask<>+32(SB), Y15

// ZIPA, ZIPB, LOADROWS8 and STOREROWS8 of shuffle8_amd64.h in VEX form
// (three operands, no register copies), for the AVX2 and GFNI kernels.
#define VZIPA \
	VPUNPCKLBW X4, X0, X8; VPUNPCKHBW X4, X0, X9; VPUNPCKLBW X5, X1, X10; VPUNPCKHBW X5, X1, X11; \
	VPUNPCKLBW X6, X2, X12; VPUNPCKHBW X6, X2, X13; VPUNPCKLBW X7, X3, X14; VPUNPCKHBW X7, X3, X15

#define VZIPB \
	VPUNPCKLBW X12, X8, X0; VPUNPCKHBW X12, X8, X1; VPUNPCKLBW X13, X9, X2; VPUNPCKHBW X13, X9, X3; \
	VPUNPCKLBW X14, X10, X4; VPUNPCKHBW X14, X10, X5; VPUNPCKLBW X15, X11, X6; VPUNPCKHBW X15, X11, X7

#define VLOADROWS8 \
	VMOVDQU (SI), X0; VMOVDQU (SI)(BX*1), X1; VMOVDQU (SI)(BX*2), X2; VMOVDQU (SI)(DX*1), X3; \
	VMOVDQU (SI)(BX*4), X4; VMOVDQU (SI)(R8*1), X5; VMOVDQU (SI)(R9*1), X6; VMOVDQU (SI)(R10*1), X7

#define VSTOREROWS8 \
	VMOVDQU X0, (DI); VMOVDQU X1, (DI)(BX*1); VMOVDQU X2, (DI)(BX*2); VMOVDQU X3, (DI)(DX*1); \
	VMOVDQU X4, (DI)(BX*4); VMOVDQU X5, (DI)(R8*1); VMOVDQU X6, (DI)(R9*1); VMOVDQU X7, (DI)(R10*1)

// func bitshuffle8AVX2(dst, src *byte, n, groups int)
TEXT ·bitshuffle8AVX2(SB), NOSPLIT, $0-32
	ROWS8ARGS
	TESTQ CX, CX
	JZ   bs8ydone
bs8yloop:
	VMOVDQU 0(SI), Y0
	VMOVDQU 32(SI), Y2
	VMOVDQU 64(SI), Y4
	VMOVDQU 96(SI), Y6
	LOADMASKSY
	TBITSY(Y0, Y8)
	TBITSY(Y2, Y9)
	TBITSY(Y4, Y10)
	TBITSY(Y6, Y11)
	VEXTRACTI128 $1, Y0, X1
	VEXTRACTI128 $1, Y2, X3
	VEXTRACTI128 $1, Y4, X5
	VEXTRACTI128 $1, Y6, X7
	VZIPA
	VZIPB
	VZIPA
	VZIPB
	VSTOREROWS8
	ADDQ $128, SI
	ADDQ $16, DI
	DECQ CX
	JNZ  bs8yloop
bs8ydone:
	VZEROUPPER
	RET

// func bitunshuffle8AVX2(dst, src *byte, n, groups int)
TEXT ·bitunshuffle8AVX2(SB), NOSPLIT, $0-32
	ROWS8ARGS
	TESTQ CX, CX
	JZ   bu8ydone
bu8yloop:
	VLOADROWS8
	VZIPA
	VZIPB
	VZIPA
	VINSERTI128 $1, X9, Y8, Y8
	VINSERTI128 $1, X11, Y10, Y10
	VINSERTI128 $1, X13, Y12, Y12
	VINSERTI128 $1, X15, Y14, Y7
	LOADMASKSY
	TBITSY(Y8, Y0)
	TBITSY(Y10, Y1)
	TBITSY(Y12, Y2)
	TBITSY(Y7, Y3)
	VMOVDQU Y8, 0(DI)
	VMOVDQU Y10, 32(DI)
	VMOVDQU Y12, 64(DI)
	VMOVDQU Y7, 96(DI)
	ADDQ $16, SI
	ADDQ $128, DI
	DECQ CX
	JNZ  bu8yloop
bu8ydone:
	VZEROUPPER
	RET

// GFNI versions: GF2P8AFFINEQB with the word as matrix A and the bytes
// 1<<b as x gives byte m = bit m of the 8 bytes of A, read from the last
// byte to the first (bit i from byte 7-i). Unshuffling loads the 8 rows in
// reverse order, so the words come out of the network reversed and one
// step transposes them; shuffling instead reverses the bits of each byte
// with a second step, the constant now as A (row r = 1<<r).
DATA bitident<>+0(SB)/8, $0x8040201008040201
GLOBL bitident<>(SB), RODATA|NOPTR, $8

// func bitshuffle8GFNI(dst, src *byte, n, groups int)
TEXT ·bitshuffle8GFNI(SB), NOSPLIT, $0-32
	ROWS8ARGS
	TESTQ CX, CX
	JZ   bs8gdone
bs8gloop:
	VMOVDQU 0(SI), Y0
	VMOVDQU 32(SI), Y2
	VMOVDQU 64(SI), Y4
	VMOVDQU 96(SI), Y6
	VPBROADCASTQ bitident<>(SB), Y15
	VGF2P8AFFINEQB $0, Y0, Y15, Y0
	VGF2P8AFFINEQB $0, Y2, Y15, Y2
	VGF2P8AFFINEQB $0, Y4, Y15, Y4
	VGF2P8AFFINEQB $0, Y6, Y15, Y6
	VGF2P8AFFINEQB $0, Y15, Y0, Y0
	VGF2P8AFFINEQB $0, Y15, Y2, Y2
	VGF2P8AFFINEQB $0, Y15, Y4, Y4
	VGF2P8AFFINEQB $0, Y15, Y6, Y6
	VEXTRACTI128 $1, Y0, X1
	VEXTRACTI128 $1, Y2, X3
	VEXTRACTI128 $1, Y4, X5
	VEXTRACTI128 $1, Y6, X7
	VZIPA
	VZIPB
	VZIPA
	VZIPB
	VSTOREROWS8
	ADDQ $128, SI
	ADDQ $16, DI
	DECQ CX
	JNZ  bs8gloop
bs8gdone:
	VZEROUPPER
	RET

// func bitunshuffle8GFNI(dst, src *byte, n, groups int)
TEXT ·bitunshuffle8GFNI(SB), NOSPLIT, $0-32
	ROWS8ARGS
	TESTQ CX, CX
	JZ   bu8gdone
bu8gloop:
	VMOVDQU (SI), X7
	VMOVDQU (SI)(BX*1), X6
	VMOVDQU (SI)(BX*2), X5
	VMOVDQU (SI)(DX*1), X4
	VMOVDQU (SI)(BX*4), X3
	VMOVDQU (SI)(R8*1), X2
	VMOVDQU (SI)(R9*1), X1
	VMOVDQU (SI)(R10*1), X0
	VZIPA
	VZIPB
	VZIPA
	VINSERTI128 $1, X9, Y8, Y8
	VINSERTI128 $1, X11, Y10, Y10
	VINSERTI128 $1, X13, Y12, Y12
	VINSERTI128 $1, X15, Y14, Y7
	VPBROADCASTQ bitident<>(SB), Y0
	VGF2P8AFFINEQB $0, Y8, Y0, Y8
	VGF2P8AFFINEQB $0, Y10, Y0, Y10
	VGF2P8AFFINEQB $0, Y12, Y0, Y12
	VGF2P8AFFINEQB $0, Y7, Y0, Y7
	VMOVDQU Y8, 0(DI)
	VMOVDQU Y10, 32(DI)
	VMOVDQU Y12, 64(DI)
	VMOVDQU Y7, 96(DI)
	ADDQ $16, SI
	ADDQ $128, DI
	DECQ CX
	JNZ  bu8gloop
bu8gdone:
	VZEROUPPER
	RET
