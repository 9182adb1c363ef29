// Macros for Montgomery arithmetic modulo the Stark prime in amd64 ADX
// and BMI2 assembly, shared by fmul_amd64.s (Mul, Square, Cube) and
// poseidon_amd64.s (the Poseidon rounds).

// Montgomery multiplication modulo P = 2^251 + 17*2^192 + 1, with
// R = 2^256. P's limbs are (1, 0, 0, P3).
//
// The 512-bit product T = t0..t7 is held in R8..R15. Reduction: a
// quotient M below 2^256 makes the low 256 bits of T + M*P vanish, and
// M*P = M + (M*P3)<<192. The assembly uses M = N + 1 where N is the
// word-wise complement of U = t0..t2 + (t3 + v)<<192, v being the low word
// of (N0 + 1)*P3 = lo(N0*P3) + P3 (N0 = NOT t0) and kc the carry out of
// t3 + v: then U + N + 1 = 2^256 exactly, and
//
//	(T + M*P) / 2^256 = t4..t7 + kc + 1 + ((N*P3 + P3) >> 64)
//
// with N's words plain complements (no borrow chain between them) and
// four 64x64 products N_i*P3. The result is below T/2^256 + P, so below
// 2P for T < 4P^2 (4P < 2^256), and one conditional subtraction of P
// reduces it fully. (When U is 0 mod 2^256, M = 2^256 rather than 0; the
// result is then the representative plus P, still below 2P.)

#define P3 $0x0800000000000011

// MULROW adds DX * x (x at 0(SI)) into a0..a3 and sets a4 to the top word,
// with the low halves on the OF chain and the high halves on the CF chain.
// Clobbers AX, BX, CX, flags.
#define MULROW(a0, a1, a2, a3, a4) \
	XORQ  CX, CX         \
	MULXQ 0(SI), AX, BX  \
	ADOXQ AX, a0         \
	ADCXQ BX, a1         \
	MULXQ 8(SI), AX, BX  \
	ADOXQ AX, a1         \
	ADCXQ BX, a2         \
	MULXQ 16(SI), AX, BX \
	ADOXQ AX, a2         \
	ADCXQ BX, a3         \
	MULXQ 24(SI), AX, a4 \
	ADOXQ AX, a3         \
	ADCXQ CX, a4         \
	ADOXQ CX, a4

// MULROW0 sets R8..R12 = DX * x (x at 0(SI)). Clobbers AX, flags.
#define MULROW0 \
	MULXQ 0(SI), R8, R9   \
	MULXQ 8(SI), AX, R10  \
	ADDQ  AX, R9          \
	MULXQ 16(SI), AX, R11 \
	ADCQ  AX, R10         \
	MULXQ 24(SI), AX, R12 \
	ADCQ  AX, R11         \
	ADCQ  $0, R12

// SQRPRODUCT sets R8..R15 = x^2 (x at 0(SI)): the six cross products once,
// doubled, plus the four squares. Clobbers AX, BX, CX, DX, flags.
#define SQRPRODUCT \
	MOVQ  0(SI), DX       \
	MULXQ 8(SI), R9, R10  \
	MULXQ 16(SI), AX, R11 \
	ADDQ  AX, R10         \
	MULXQ 24(SI), AX, R12 \
	ADCQ  AX, R11         \
	ADCQ  $0, R12         \
	MOVQ  8(SI), DX       \
	XORQ  CX, CX          \
	MULXQ 16(SI), AX, BX  \
	ADOXQ AX, R11         \
	ADCXQ BX, R12         \
	MULXQ 24(SI), AX, R13 \
	ADOXQ AX, R12         \
	ADCXQ CX, R13         \
	ADOXQ CX, R13         \
	MOVQ  16(SI), DX      \
	MULXQ 24(SI), AX, R14 \
	ADDQ  AX, R13         \
	ADCQ  $0, R14         \
	MOVQ  0(SI), DX       \
	MULXQ DX, R8, AX      \
	XORQ  CX, CX          \
	ADCXQ R9, R9          \
	ADOXQ AX, R9          \
	MOVQ  8(SI), DX       \
	MULXQ DX, AX, BX      \
	ADCXQ R10, R10        \
	ADOXQ AX, R10         \
	ADCXQ R11, R11        \
	ADOXQ BX, R11         \
	MOVQ  16(SI), DX      \
	MULXQ DX, AX, BX      \
	ADCXQ R12, R12        \
	ADOXQ AX, R12         \
	ADCXQ R13, R13        \
	ADOXQ BX, R13         \
	MOVQ  24(SI), DX      \
	MULXQ DX, AX, R15     \
	ADCXQ R14, R14        \
	ADOXQ AX, R14         \
	ADCXQ CX, R15         \
	ADOXQ CX, R15

// MONTRED reduces R8..R15 to R12..R15 (below 2P, not fully reduced).
// Leaves DX = P3. Clobbers AX, BX, CX, DI, R8..R11, flags.
#define MONTRED \
	MOVQ  P3, DX        \
	MOVQ  R8, AX        \
	NOTQ  AX            \
	MULXQ AX, AX, DI    \
	ADDQ  DX, AX        \
	ADCQ  $1, DI        \
	ADDQ  AX, R11       \
	ADCQ  $0, DI        \
	NOTQ  R9            \
	NOTQ  R10           \
	NOTQ  R11           \
	MULXQ R9, AX, BX    \
	MULXQ R10, CX, R9   \
	MULXQ R11, R10, R11 \
	XORQ  R8, R8        \
	ADCXQ DI, R12       \
	ADOXQ AX, R12       \
	ADCXQ BX, R13       \
	ADOXQ CX, R13       \
	ADCXQ R9, R14       \
	ADOXQ R10, R14      \
	ADCXQ R11, R15      \
	ADOXQ R8, R15

// CUBE sets R12..R15 = x^3 / R^2 (x at 0(SI), below 2P), below 2P, as
// Cube does before its final subtraction: the square stays in
// R12..R15 and each row of the second product takes its digit from the
// register its top word then overwrites. Clobbers AX, BX, CX, DX, DI,
// R8..R11, flags.
#define CUBE \
	SQRPRODUCT                      \
	MONTRED                         \
	MOVQ R12, DX                    \
	MULROW0                         \
	MOVQ R13, DX                    \
	MULROW(R9, R10, R11, R12, R13)  \
	MOVQ R14, DX                    \
	MULROW(R10, R11, R12, R13, R14) \
	MOVQ R15, DX                    \
	MULROW(R11, R12, R13, R14, R15) \
	MONTRED
