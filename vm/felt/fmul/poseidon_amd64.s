//go:build !purego

#include "textflag.h"

// The 83 partial rounds of the Poseidon permutation in one function, for
// amd64 with ADX and BMI2. Each round is
//
//	x   = s2^3
//	s2' = s0 + s1 + c - 2x
//	s0' = 3*s0 + s1 + x
//	s1' = s0 - s1 + x
//
// with c the next round's (folded) constant. The rounds form one dependent
// chain through s2: the cube (two Montgomery products, CUBE from
// mont_amd64.h, as Cube computes them), then s2'. The rest is computed after
// s2' and overlaps with the next cube; it competes with the cube for the
// ports that execute carry-flag instructions, so it is kept short. The
// loop tracks u = s0 + s1 instead of s1:
//
//	v   = 2*s0 + x
//	s0' = v + u
//	u'  = 2*v
//	s2' = u + c - 2x
//
// and converts back (s1 = u - s0) after the last round.
//
// Montgomery arithmetic modulo P = 2^251 + 17*2^192 + 1 = 2^251 + D, R =
// 2^256, P's limbs (1, 0, 0, P3). A Montgomery product of two inputs
// below 2P is below 2P (4P < 2^256; see docs/field-arithmetic.md), so the
// chain keeps its values below 2P and never reduces them fully. The bounds
// the loop keeps, as plain integers below 2^256:
//
//   - s2 < 2P on entry to each cube (s2 < P in the first round), hence
//     x = s2^2 * s2 / R^2 < 2P (neither product fully reduced);
//   - s0 < 2P, u < 12P (both start below P and 2P);
//   - v = 2*s0 + x < 6P, u' = 2v < 12P;
//   - s0' = v + u < 18P, brought back below 2P by subtracting k'P with
//     k = s0' >> 251 and k' = max(k-1, 0): for k >= 1 that leaves
//     (s0' mod 2^251) + 2^251 - (k-1)*D, in (0, 2^252) since k <= 18, and
//     for k = 0 it leaves s0' < 2^251;
//   - A = u + (c + 5P - 2^251) with c < P (the table holds c + 5P - 2^251,
//     poseidonConstants.partialBiased) lies in [4P, 18P), so w = A - 2x
//     lies in [0, 18P) and equals s0 + s1 + c - 2x - 2^251 mod P. With
//     k = w >> 251 (at most 18) and l = w mod 2^251, s2' = l + 2^251 - k*D
//     = w + 2^251 - k*P lies in (0, 2^252), inside [0, 2P). Computing it
//     takes a mask of the top word, setting bit 251 and subtracting k and
//     17k (k*D = k + 17k*2^192).
//
// After the last round s2 gets one conditional subtraction of P and s0 and
// s1 = u + P - s0 (below 13P) a full reduction, so that the state leaves
// fully reduced, as it came in.

#include "mont_amd64.h"

// REDUCE sets v0..v3 = v mod P, fully reduced, for v < 2^255 (reduceLazy
// in field.go): with k = v >> 251, v - k*P lies in [-k*D, 2^251), and one
// conditional addition of P finishes. Clobbers k, t, m, flags.
#define REDUCE(v0, v1, v2, v3, k, t, m) \
	MOVQ v3, k    \
	SHRQ $59, k   \
	MOVQ k, t     \
	SHLQ $4, t    \
	ADDQ k, t     \
	SHLQ $5, v3   \
	SHRQ $5, v3   \
	SUBQ k, v0    \
	SBBQ $0, v1   \
	SBBQ $0, v2   \
	SBBQ t, v3    \
	SBBQ m, m     \
	MOVQ m, k     \
	ANDQ $1, k    \
	MOVQ P3, t    \
	ANDQ m, t     \
	ADDQ k, v0    \
	ADCQ $0, v1   \
	ADCQ $0, v2   \
	ADCQ t, v3

// PREDUCE brings v < 2^256 below 2P: with k = v >> 251, it subtracts
// max(k-1, 0) * P. Clobbers k, t, flags.
#define PREDUCE(v0, v1, v2, v3, k, t) \
	MOVQ  v3, k  \
	SHRQ  $59, k \
	SUBQ  $1, k  \
	ADCQ  $0, k  \
	MOVQ  P3, t  \
	IMULQ k, t   \
	SUBQ  k, v0  \
	SBBQ  $0, v1 \
	SBBQ  $0, v2 \
	SBBQ  t, v3

// Stack frame: A at 0(SP)..24(SP), the table pointer at 32(SP), the
// rounds left at 40(SP). s[0] holds s0 and s[1] holds u during the loop.

// func PoseidonPartialRounds(s *[3]fp.Element, c *[84][4]uint64)
TEXT ·PoseidonPartialRounds(SB), NOSPLIT, $48-16
	MOVQ s+0(FP), SI
	ADDQ $64, SI          // SI = &s[2]: s0 at -64(SI), s1 (then u) at -32(SI)
	MOVQ c+8(FP), DX
	MOVQ DX, 32(SP)
	MOVQ $83, 40(SP)

	// u = s0 + s1, A = u + c[0]
	MOVQ -64(SI), AX
	MOVQ -56(SI), BX
	MOVQ -48(SI), CX
	MOVQ -40(SI), DI
	ADDQ -32(SI), AX
	ADCQ -24(SI), BX
	ADCQ -16(SI), CX
	ADCQ -8(SI), DI
	MOVQ AX, -32(SI)
	MOVQ BX, -24(SI)
	MOVQ CX, -16(SI)
	MOVQ DI, -8(SI)
	ADDQ 0(DX), AX
	ADCQ 8(DX), BX
	ADCQ 16(DX), CX
	ADCQ 24(DX), DI
	MOVQ AX, 0(SP)
	MOVQ BX, 8(SP)
	MOVQ CX, 16(SP)
	MOVQ DI, 24(SP)

round:
	// x = s2^3 in R12..R15, below 2P.
	CUBE

	// w = A - 2x in R8..R11
	MOVQ $0x07ffffffffffffff, CX
	MOVQ $0x0800000000000000, DX
	MOVQ 0(SP), R8
	MOVQ 8(SP), R9
	MOVQ 16(SP), R10
	MOVQ 24(SP), R11
	SUBQ R12, R8
	SBBQ R13, R9
	SBBQ R14, R10
	SBBQ R15, R11
	SUBQ R12, R8
	SBBQ R13, R9
	SBBQ R14, R10
	SBBQ R15, R11

	// s2' = l + 2^251 - k - 17k*2^192, with k = w >> 251 and l the low 251
	// bits of w
	MOVQ R11, AX
	SHRQ $59, AX
	MOVQ AX, BX
	SHLQ $4, BX
	ADDQ AX, BX
	ANDQ CX, R11
	ORQ  DX, R11
	SUBQ AX, R8
	SBBQ $0, R9
	SBBQ $0, R10
	SBBQ BX, R11
	MOVQ R8, 0(SI)
	MOVQ R9, 8(SI)
	MOVQ R10, 16(SI)
	MOVQ R11, 24(SI)

	// Off the chain. v = 2*s0 + x in AX, BX, CX, DI.
	MOVQ -64(SI), AX
	MOVQ -56(SI), BX
	MOVQ -48(SI), CX
	MOVQ -40(SI), DI
	ADDQ AX, AX
	ADCQ BX, BX
	ADCQ CX, CX
	ADCQ DI, DI
	ADDQ R12, AX
	ADCQ R13, BX
	ADCQ R14, CX
	ADCQ R15, DI

	// s0' = v + u, below 2P.
	MOVQ    -32(SI), R8
	MOVQ    -24(SI), R9
	MOVQ    -16(SI), R10
	MOVQ    -8(SI), R11
	ADDQ    AX, R8
	ADCQ    BX, R9
	ADCQ    CX, R10
	ADCQ    DI, R11
	PREDUCE(R8, R9, R10, R11, R12, R13)
	MOVQ    R8, -64(SI)
	MOVQ    R9, -56(SI)
	MOVQ    R10, -48(SI)
	MOVQ    R11, -40(SI)

	// u' = 2v; the next round's A = u' + c[r+1] (c[83] is padding).
	ADDQ AX, AX
	ADCQ BX, BX
	ADCQ CX, CX
	ADCQ DI, DI
	MOVQ AX, -32(SI)
	MOVQ BX, -24(SI)
	MOVQ CX, -16(SI)
	MOVQ DI, -8(SI)
	MOVQ 32(SP), DX
	ADDQ $32, DX
	MOVQ DX, 32(SP)
	ADDQ 0(DX), AX
	ADCQ 8(DX), BX
	ADCQ 16(DX), CX
	ADCQ 24(DX), DI
	MOVQ AX, 0(SP)
	MOVQ BX, 8(SP)
	MOVQ CX, 16(SP)
	MOVQ DI, 24(SP)

	DECQ 40(SP)
	JNZ  round

	// s2 = s2 mod P: subtract P unless that borrows.
	MOVQ    0(SI), R8
	MOVQ    8(SI), R9
	MOVQ    16(SI), R10
	MOVQ    24(SI), R11
	MOVQ    R8, AX
	SUBQ    $1, AX
	MOVQ    R9, BX
	SBBQ    $0, BX
	MOVQ    R10, CX
	SBBQ    $0, CX
	MOVQ    R11, DI
	MOVQ    P3, DX
	SBBQ    DX, DI
	CMOVQCC AX, R8
	CMOVQCC BX, R9
	CMOVQCC CX, R10
	CMOVQCC DI, R11
	MOVQ    R8, 0(SI)
	MOVQ    R9, 8(SI)
	MOVQ    R10, 16(SI)
	MOVQ    R11, 24(SI)

	// s0 mod P in AX, BX, CX, DI.
	MOVQ   -64(SI), AX
	MOVQ   -56(SI), BX
	MOVQ   -48(SI), CX
	MOVQ   -40(SI), DI
	REDUCE(AX, BX, CX, DI, R12, R13, R14)
	MOVQ   AX, -64(SI)
	MOVQ   BX, -56(SI)
	MOVQ   CX, -48(SI)
	MOVQ   DI, -40(SI)

	// s1 = (u + P - s0) mod P.
	MOVQ   -32(SI), R8
	MOVQ   -24(SI), R9
	MOVQ   -16(SI), R10
	MOVQ   -8(SI), R11
	MOVQ   P3, DX
	ADDQ   $1, R8
	ADCQ   $0, R9
	ADCQ   $0, R10
	ADCQ   DX, R11
	SUBQ   AX, R8
	SBBQ   BX, R9
	SBBQ   CX, R10
	SBBQ   DI, R11
	REDUCE(R8, R9, R10, R11, R12, R13, R14)
	MOVQ   R8, -32(SI)
	MOVQ   R9, -24(SI)
	MOVQ   R10, -16(SI)
	MOVQ   R11, -8(SI)
	RET

// STORE4 writes R12..R15 to 0(p).
#define STORE4(p) \
	MOVQ R12, 0+p  \
	MOVQ R13, 8+p  \
	MOVQ R14, 16+p \
	MOVQ R15, 24+p

// Four full rounds: cube the three elements, then
//
//	s0' = 3*x0 + x1 + x2 + c0      (below 11P)
//	s1' = x0 + 2P - x1 + x2 + c1   (below 7P)
//	s2' = x0 + x1 + 4P - 2*x2 + c2 (below 9P)
//
// each reduced fully (REDUCE, for sums below 2^255). The cubes x_j are
// below 2P and c below P. The three cubes are independent: the processor
// overlaps them. Stack frame: x0, x1, x2 at 0(SP), 32(SP), 64(SP), the
// constants' pointer at 96(SP), the rounds left at 104(SP).

// func PoseidonFullRounds(s *[3]fp.Element, c *[4][3]fp.Element)
TEXT ·PoseidonFullRounds(SB), NOSPLIT, $112-16
	MOVQ c+8(FP), DX
	MOVQ DX, 96(SP)
	MOVQ $4, 104(SP)

full:
	MOVQ s+0(FP), SI
	CUBE
	STORE4(0(SP))
	ADDQ $32, SI
	CUBE
	STORE4(32(SP))
	ADDQ $32, SI
	CUBE
	STORE4(64(SP))

	MOVQ s+0(FP), SI
	MOVQ 96(SP), DX

	// s0'
	MOVQ   0(SP), AX
	MOVQ   8(SP), BX
	MOVQ   16(SP), CX
	MOVQ   24(SP), DI
	ADDQ   AX, AX
	ADCQ   BX, BX
	ADCQ   CX, CX
	ADCQ   DI, DI
	ADDQ   0(SP), AX
	ADCQ   8(SP), BX
	ADCQ   16(SP), CX
	ADCQ   24(SP), DI
	ADDQ   32(SP), AX
	ADCQ   40(SP), BX
	ADCQ   48(SP), CX
	ADCQ   56(SP), DI
	ADDQ   64(SP), AX
	ADCQ   72(SP), BX
	ADCQ   80(SP), CX
	ADCQ   88(SP), DI
	ADDQ   0(DX), AX
	ADCQ   8(DX), BX
	ADCQ   16(DX), CX
	ADCQ   24(DX), DI
	REDUCE(AX, BX, CX, DI, R8, R9, R10)
	MOVQ   AX, 0(SI)
	MOVQ   BX, 8(SI)
	MOVQ   CX, 16(SI)
	MOVQ   DI, 24(SI)

	// s1'
	MOVQ   0(SP), AX
	MOVQ   8(SP), BX
	MOVQ   16(SP), CX
	MOVQ   24(SP), DI
	MOVQ   $0x1000000000000022, R11 // 2*P3
	ADDQ   $2, AX
	ADCQ   $0, BX
	ADCQ   $0, CX
	ADCQ   R11, DI
	SUBQ   32(SP), AX
	SBBQ   40(SP), BX
	SBBQ   48(SP), CX
	SBBQ   56(SP), DI
	ADDQ   64(SP), AX
	ADCQ   72(SP), BX
	ADCQ   80(SP), CX
	ADCQ   88(SP), DI
	ADDQ   32(DX), AX
	ADCQ   40(DX), BX
	ADCQ   48(DX), CX
	ADCQ   56(DX), DI
	REDUCE(AX, BX, CX, DI, R8, R9, R10)
	MOVQ   AX, 32(SI)
	MOVQ   BX, 40(SI)
	MOVQ   CX, 48(SI)
	MOVQ   DI, 56(SI)

	// s2'
	MOVQ   0(SP), AX
	MOVQ   8(SP), BX
	MOVQ   16(SP), CX
	MOVQ   24(SP), DI
	MOVQ   $0x2000000000000044, R11 // 4*P3
	ADDQ   $4, AX
	ADCQ   $0, BX
	ADCQ   $0, CX
	ADCQ   R11, DI
	ADDQ   32(SP), AX
	ADCQ   40(SP), BX
	ADCQ   48(SP), CX
	ADCQ   56(SP), DI
	SUBQ   64(SP), AX
	SBBQ   72(SP), BX
	SBBQ   80(SP), CX
	SBBQ   88(SP), DI
	SUBQ   64(SP), AX
	SBBQ   72(SP), BX
	SBBQ   80(SP), CX
	SBBQ   88(SP), DI
	ADDQ   64(DX), AX
	ADCQ   72(DX), BX
	ADCQ   80(DX), CX
	ADCQ   88(DX), DI
	REDUCE(AX, BX, CX, DI, R8, R9, R10)
	MOVQ   AX, 64(SI)
	MOVQ   BX, 72(SI)
	MOVQ   CX, 80(SI)
	MOVQ   DI, 88(SI)

	ADDQ $96, DX
	MOVQ DX, 96(SP)
	DECQ 104(SP)
	JNZ  full
	RET
