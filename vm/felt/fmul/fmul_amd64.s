//go:build !purego

#include "textflag.h"

#include "mont_amd64.h"

// FINALSUB subtracts P from R12..R15 unless that borrows. Needs DX = P3.
// Clobbers AX, BX, CX, DI, flags.
#define FINALSUB \
	MOVQ    R12, AX  \
	SUBQ    $1, AX   \
	MOVQ    R13, BX  \
	SBBQ    $0, BX   \
	MOVQ    R14, CX  \
	SBBQ    $0, CX   \
	MOVQ    R15, DI  \
	SBBQ    DX, DI   \
	CMOVQCC AX, R12  \
	CMOVQCC BX, R13  \
	CMOVQCC CX, R14  \
	CMOVQCC DI, R15

// STORE writes R12..R15 to 0(DI).
#define STORE \
	MOVQ R12, 0(DI)  \
	MOVQ R13, 8(DI)  \
	MOVQ R14, 16(DI) \
	MOVQ R15, 24(DI)

// func Mul(z, x, y *fp.Element)
TEXT ·Mul(SB), NOSPLIT, $0-24
	CMPB ·useADX(SB), $0
	JEQ  mulFallback
	MOVQ x+8(FP), SI
	MOVQ y+16(FP), DI
	MOVQ 0(DI), DX
	MULROW0
	MOVQ 8(DI), DX
	MULROW(R9, R10, R11, R12, R13)
	MOVQ 16(DI), DX
	MULROW(R10, R11, R12, R13, R14)
	MOVQ 24(DI), DX
	MULROW(R11, R12, R13, R14, R15)
	MONTRED
	FINALSUB
	MOVQ z+0(FP), DI
	STORE
	RET

mulFallback:
	JMP ·mulGeneric(SB)

// func Square(z, x *fp.Element)
TEXT ·Square(SB), NOSPLIT, $0-16
	CMPB ·useADX(SB), $0
	JEQ  squareFallback
	MOVQ x+8(FP), SI
	SQRPRODUCT
	MONTRED
	FINALSUB
	MOVQ z+0(FP), DI
	STORE
	RET

squareFallback:
	JMP ·squareGeneric(SB)

// func Cube(z, x *fp.Element)
//
// x^2 stays in R12..R15, below 2P; each row of the second product takes
// its multiplier digit out of the register its top word then overwrites.
TEXT ·Cube(SB), NOSPLIT, $0-16
	CMPB ·useADX(SB), $0
	JEQ  cubeFallback
	MOVQ x+8(FP), SI
	CUBE
	FINALSUB
	MOVQ z+0(FP), DI
	STORE
	RET

cubeFallback:
	JMP ·cubeGeneric(SB)
