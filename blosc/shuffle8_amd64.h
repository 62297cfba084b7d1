// The typesize-8 byte shuffle network of shuffle_amd64.s and
// bitshuffle_amd64.s (SSE2): eight rows of 16 bytes, n bytes apart, hold
// the bytes 0..7 of 16 eight-byte elements. ZIPA and ZIPB are one stage
// each: ZIPA ZIPB ZIPA turns eight rows (in X0..X7) into 128 bytes of
// elements (in X8..X15); ZIPA ZIPB ZIPA ZIPB turns 128 bytes of elements
// (in X0..X7) into eight rows (in X0..X7).

// ROWS8ARGS loads the arguments (dst, src *byte, n, groups int) into DI,
// SI, BX and CX, and the row offsets 3n, 5n, 6n and 7n into DX, R8, R9
// and R10.
#define ROWS8ARGS \
	MOVQ dst+0(FP), DI; MOVQ src+8(FP), SI; MOVQ n+16(FP), BX; MOVQ groups+24(FP), CX; \
	LEAQ (BX)(BX*2), DX; LEAQ (BX)(BX*4), R8; LEAQ (DX)(DX*1), R9; LEAQ (R8)(BX*2), R10

// LOADROWS8 loads 16 bytes of each of the eight rows at SI into X0..X7.
#define LOADROWS8 \
	MOVOU (SI), X0; MOVOU (SI)(BX*1), X1; MOVOU (SI)(BX*2), X2; MOVOU (SI)(DX*1), X3; \
	MOVOU (SI)(BX*4), X4; MOVOU (SI)(R8*1), X5; MOVOU (SI)(R9*1), X6; MOVOU (SI)(R10*1), X7

// STOREROWS8 stores X0..X7 as 16 bytes of each of the eight rows at DI.
#define STOREROWS8 \
	MOVOU X0, (DI); MOVOU X1, (DI)(BX*1); MOVOU X2, (DI)(BX*2); MOVOU X3, (DI)(DX*1); \
	MOVOU X4, (DI)(BX*4); MOVOU X5, (DI)(R8*1); MOVOU X6, (DI)(R9*1); MOVOU X7, (DI)(R10*1)

// LOADBLOCK8 loads the 128 bytes at SI into X0..X7.
#define LOADBLOCK8 \
	MOVOU 0(SI), X0; MOVOU 16(SI), X1; MOVOU 32(SI), X2; MOVOU 48(SI), X3; \
	MOVOU 64(SI), X4; MOVOU 80(SI), X5; MOVOU 96(SI), X6; MOVOU 112(SI), X7

// ZIPA interleaves the bytes of X0 with X4, X1 with X5, X2 with X6 and X3
// with X7 into X8..X15 (low halves into even, high halves into odd).
#define ZIPA \
	MOVO X0, X8; PUNPCKLBW X4, X8; MOVO X0, X9; PUNPCKHBW X4, X9; \
	MOVO X1, X10; PUNPCKLBW X5, X10; MOVO X1, X11; PUNPCKHBW X5, X11; \
	MOVO X2, X12; PUNPCKLBW X6, X12; MOVO X2, X13; PUNPCKHBW X6, X13; \
	MOVO X3, X14; PUNPCKLBW X7, X14; MOVO X3, X15; PUNPCKHBW X7, X15

// ZIPB is ZIPA from X8..X15 back into X0..X7.
#define ZIPB \
	MOVO X8, X0; PUNPCKLBW X12, X0; MOVO X8, X1; PUNPCKHBW X12, X1; \
	MOVO X9, X2; PUNPCKLBW X13, X2; MOVO X9, X3; PUNPCKHBW X13, X3; \
	MOVO X10, X4; PUNPCKLBW X14, X4; MOVO X10, X5; PUNPCKHBW X14, X5; \
	MOVO X11, X6; PUNPCKLBW X15, X6; MOVO X11, X7; PUNPCKHBW X15, X7
