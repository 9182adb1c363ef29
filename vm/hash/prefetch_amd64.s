//go:build !purego

#include "textflag.h"

// func prefetchPoints(pts []*starkcurve.G1Affine)
TEXT ·prefetchPoints(SB), NOSPLIT, $0-24
	MOVQ pts_base+0(FP), SI
	MOVQ pts_len+8(FP), CX
	TESTQ CX, CX
	JZ   done

loop:
	MOVQ (SI), AX
	PREFETCHT0 (AX)
	PREFETCHT0 32(AX)
	ADDQ $8, SI
	DECQ CX
	JNZ  loop

done:
	RET
