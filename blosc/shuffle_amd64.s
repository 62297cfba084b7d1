//go:build amd64 && !purego

#include "textflag.h"
#include "shuffle8_amd64.h"

// Byte shuffles for typesizes 2, 4 and 8 as networks of SSE2 byte unpacks
// (SSE2 is part of every amd64). With m = typesize registers of 16 bytes, a
// tile holds 16 elements; one round interleaves the low and the high halves
// of register pairs (k, k+m/2), which rotates the index of a byte in the
// tile (register, position) left by one bit. log2(m) rounds take m rows of
// 16 bytes to 16 elements (unshuffle), four rounds take them back (shuffle).

// func unshuffle2SSE2(dst, src *byte, n, groups int)
TEXT ·unshuffle2SSE2(SB), NOSPLIT, $0-32
	ROWS8ARGS
	TESTQ CX, CX
	JZ   u2done
u2loop:
	MOVOU (SI), X0
	MOVOU (SI)(BX*1), X1
	MOVO X0, X2
	PUNPCKLBW X1, X2
	MOVO X0, X3
	PUNPCKHBW X1, X3
	MOVOU X2, 0(DI)
	MOVOU X3, 16(DI)
	ADDQ $16, SI
	ADDQ $32, DI
	DECQ CX
	JNZ  u2loop
u2done:
	RET

// func shuffle2SSE2(dst, src *byte, n, groups int)
TEXT ·shuffle2SSE2(SB), NOSPLIT, $0-32
	ROWS8ARGS
	TESTQ CX, CX
	JZ   s2done
s2loop:
	MOVOU 0(SI), X0
	MOVOU 16(SI), X1
	MOVO X0, X2
	PUNPCKLBW X1, X2
	MOVO X0, X3
	PUNPCKHBW X1, X3
	MOVO X2, X0
	PUNPCKLBW X3, X0
	MOVO X2, X1
	PUNPCKHBW X3, X1
	MOVO X0, X2
	PUNPCKLBW X1, X2
	MOVO X0, X3
	PUNPCKHBW X1, X3
	MOVO X2, X0
	PUNPCKLBW X3, X0
	MOVO X2, X1
	PUNPCKHBW X3, X1
	MOVOU X0, (DI)
	MOVOU X1, (DI)(BX*1)
	ADDQ $32, SI
	ADDQ $16, DI
	DECQ CX
	JNZ  s2loop
s2done:
	RET

// func unshuffle4SSE2(dst, src *byte, n, groups int)
TEXT ·unshuffle4SSE2(SB), NOSPLIT, $0-32
	ROWS8ARGS
	TESTQ CX, CX
	JZ   u4done
u4loop:
	MOVOU (SI), X0
	MOVOU (SI)(BX*1), X1
	MOVOU (SI)(BX*2), X2
	MOVOU (SI)(DX*1), X3
	MOVO X0, X4
	PUNPCKLBW X2, X4
	MOVO X0, X5
	PUNPCKHBW X2, X5
	MOVO X1, X6
	PUNPCKLBW X3, X6
	MOVO X1, X7
	PUNPCKHBW X3, X7
	MOVO X4, X0
	PUNPCKLBW X6, X0
	MOVO X4, X1
	PUNPCKHBW X6, X1
	MOVO X5, X2
	PUNPCKLBW X7, X2
	MOVO X5, X3
	PUNPCKHBW X7, X3
	MOVOU X0, 0(DI)
	MOVOU X1, 16(DI)
	MOVOU X2, 32(DI)
	MOVOU X3, 48(DI)
	ADDQ $16, SI
	ADDQ $64, DI
	DECQ CX
	JNZ  u4loop
u4done:
	RET

// func shuffle4SSE2(dst, src *byte, n, groups int)
TEXT ·shuffle4SSE2(SB), NOSPLIT, $0-32
	ROWS8ARGS
	TESTQ CX, CX
	JZ   s4done
s4loop:
	MOVOU 0(SI), X0
	MOVOU 16(SI), X1
	MOVOU 32(SI), X2
	MOVOU 48(SI), X3
	MOVO X0, X4
	PUNPCKLBW X2, X4
	MOVO X0, X5
	PUNPCKHBW X2, X5
	MOVO X1, X6
	PUNPCKLBW X3, X6
	MOVO X1, X7
	PUNPCKHBW X3, X7
	MOVO X4, X0
	PUNPCKLBW X6, X0
	MOVO X4, X1
	PUNPCKHBW X6, X1
	MOVO X5, X2
	PUNPCKLBW X7, X2
	MOVO X5, X3
	PUNPCKHBW X7, X3
	MOVO X0, X4
	PUNPCKLBW X2, X4
	MOVO X0, X5
	PUNPCKHBW X2, X5
	MOVO X1, X6
	PUNPCKLBW X3, X6
	MOVO X1, X7
	PUNPCKHBW X3, X7
	MOVO X4, X0
	PUNPCKLBW X6, X0
	MOVO X4, X1
	PUNPCKHBW X6, X1
	MOVO X5, X2
	PUNPCKLBW X7, X2
	MOVO X5, X3
	PUNPCKHBW X7, X3
	MOVOU X0, (DI)
	MOVOU X1, (DI)(BX*1)
	MOVOU X2, (DI)(BX*2)
	MOVOU X3, (DI)(DX*1)
	ADDQ $64, SI
	ADDQ $16, DI
	DECQ CX
	JNZ  s4loop
s4done:
	RET

// func unshuffle8SSE2(dst, src *byte, n, groups int)
TEXT ·unshuffle8SSE2(SB), NOSPLIT, $0-32
	ROWS8ARGS
	TESTQ CX, CX
	JZ   u8done
u8loop:
	LOADROWS8
	ZIPA
	ZIPB
	ZIPA
	MOVOU X8, 0(DI)
	MOVOU X9, 16(DI)
	MOVOU X10, 32(DI)
	MOVOU X11, 48(DI)
	MOVOU X12, 64(DI)
	MOVOU X13, 80(DI)
	MOVOU X14, 96(DI)
	MOVOU X15, 112(DI)
	ADDQ $16, SI
	ADDQ $128, DI
	DECQ CX
	JNZ  u8loop
u8done:
	RET

// func shuffle8SSE2(dst, src *byte, n, groups int)
TEXT ·shuffle8SSE2(SB), NOSPLIT, $0-32
	ROWS8ARGS
	TESTQ CX, CX
	JZ   s8done
s8loop:
	LOADBLOCK8
	ZIPA
	ZIPB
	ZIPA
	ZIPB
	STOREROWS8
	ADDQ $128, SI
	ADDQ $16, DI
	DECQ CX
	JNZ  s8loop
s8done:
	RET
