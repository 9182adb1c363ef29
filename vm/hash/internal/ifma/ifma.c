//go:build cgo && amd64

// Affine additions of Stark-curve points, eight lanes at a time, in
// radix 2^52 with AVX-512 IFMA. See doc.go for the representation and the
// bounds every function keeps.

#include <immintrin.h>
#include <stdint.h>

#include "ifma.h"

// Every function is compiled for AVX-512 (a target attribute rather than
// a pragma, which clang ignores); the caller checks the processor first.
#define KERNEL __attribute__((target("avx512f,avx512ifma,avx512bw,avx512vl")))
#define INLINE static inline __attribute__((always_inline)) KERNEL

#define M52 0xFFFFFFFFFFFFFull
#define M43 0x7FFFFFFFFFFull

typedef struct {
	__m512i l[5];
} fe8;

INLINE __m512i bc(uint64_t v) { return _mm512_set1_epi64((long long)v); }

INLINE fe8 load(const uint64_t *r, int64_t stride, int64_t i, __mmask8 k) {
	fe8 a;
	#pragma GCC unroll 10
	for (int l = 0; l < 5; l++) a.l[l] = _mm512_maskz_loadu_epi64(k, r + l * stride + i);
	return a;
}

INLINE void store(uint64_t *r, int64_t stride, int64_t i, __mmask8 k, fe8 a) {
	#pragma GCC unroll 10
	for (int l = 0; l < 5; l++) _mm512_mask_storeu_epi64(r + l * stride + i, k, a.l[l]);
}

// carry propagates limbs 0..3 into the next, with signed limbs allowed
// (arithmetic shifts): the value must be non-negative, and then limbs 0..3
// end in [0, 2^52).
INLINE void carry(__m512i *t) {
	const __m512i m = bc(M52);
	#pragma GCC unroll 10
	for (int l = 0; l < 4; l++) {
		t[l + 1] = _mm512_add_epi64(t[l + 1], _mm512_srai_epi64(t[l], 52));
		t[l] = _mm512_and_si512(t[l], m);
	}
}

// reduce maps a normalized t below 2^256 to a normalized value below
// 2^252 (< 2p) congruent to it: with q = t >> 251, t - q*2^251 plus
// p - q*(17*2^192 + 1) (2^251 = -(17*2^192 + 1) mod p), which is positive.
INLINE void reduce(__m512i *t) {
	__m512i q = _mm512_srli_epi64(t[4], 43);
	t[4] = _mm512_add_epi64(_mm512_and_si512(t[4], bc(M43)), bc(1ull << 43));
	__m512i s = _mm512_sub_epi64(bc(1), q); // 1 - q, signed
	t[0] = _mm512_add_epi64(t[0], s);
	__m512i s17 = _mm512_add_epi64(_mm512_slli_epi64(s, 4), s);
	t[3] = _mm512_add_epi64(t[3], _mm512_slli_epi64(s17, 36));
	carry(t);
}

// lazy returns a + 4p - b, normalized, for b below 4p: congruent to
// a - b and below a + 4p, fine as an operand of mul.
INLINE fe8 lazy(fe8 a, fe8 b) {
	static const uint64_t p4[5] = {4, 0, 0, 68ull << 36, 1ull << 45};
	fe8 r;
	#pragma GCC unroll 10
	for (int l = 0; l < 5; l++) r.l[l] = _mm512_sub_epi64(_mm512_add_epi64(a.l[l], bc(p4[l])), b.l[l]);
	carry(r.l);
	return r;
}

// sub returns a - b mod p below 2^252 for b below 4p and a below 8p (so
// that a + 4p - b is below 2^256).
INLINE fe8 sub(fe8 a, fe8 b) {
	fe8 r = lazy(a, b);
	reduce(r.l);
	return r;
}

// mul returns the Montgomery product a*b/2^260 mod p, below 2p, for
// normalized a, b below 2^255. p = 1 mod 2^52, so each step's multiplier
// is -t_i mod 2^52 (no product), and p's limbs (1, 0, 0, 17*2^36, 2^43)
// make m*p four multiply-adds: 70 in all, against 100 for a dense
// modulus.
INLINE fe8 mul(fe8 a, fe8 b) {
	const __m512i m52 = bc(M52);
	__m512i t[10];
	#pragma GCC unroll 10
	for (int i = 0; i < 10; i++) t[i] = _mm512_setzero_si512();
	#pragma GCC unroll 10
	for (int i = 0; i < 5; i++) {
		#pragma GCC unroll 10
		for (int j = 0; j < 5; j++) {
			t[i + j] = _mm512_madd52lo_epu64(t[i + j], a.l[i], b.l[j]);
			t[i + j + 1] = _mm512_madd52hi_epu64(t[i + j + 1], a.l[i], b.l[j]);
		}
	}
	const __m512i p3 = bc(17ull << 36), p4 = bc(1ull << 43);
	#pragma GCC unroll 10
	for (int i = 0; i < 5; i++) {
		__m512i m = _mm512_and_si512(_mm512_sub_epi64(_mm512_setzero_si512(), t[i]), m52);
		// t[i] + m is a multiple of 2^52: the carry is t[i] rounded up
		t[i + 1] = _mm512_add_epi64(t[i + 1], _mm512_srli_epi64(_mm512_add_epi64(t[i], m52), 52));
		t[i + 3] = _mm512_madd52lo_epu64(t[i + 3], m, p3);
		t[i + 4] = _mm512_madd52hi_epu64(t[i + 4], m, p3);
		t[i + 4] = _mm512_madd52lo_epu64(t[i + 4], m, p4);
		t[i + 5] = _mm512_madd52hi_epu64(t[i + 5], m, p4);
	}
	carry(t + 5);
	fe8 r;
	#pragma GCC unroll 10
	for (int l = 0; l < 5; l++) r.l[l] = t[5 + l];
	return r;
}

// fromWords cuts four 64-bit words into five 52-bit limbs.
INLINE fe8 fromWords(__m512i w0, __m512i w1, __m512i w2, __m512i w3) {
	const __m512i m = bc(M52);
	fe8 r;
	r.l[0] = _mm512_and_si512(w0, m);
	r.l[1] = _mm512_and_si512(_mm512_or_si512(_mm512_srli_epi64(w0, 52), _mm512_slli_epi64(w1, 12)), m);
	r.l[2] = _mm512_and_si512(_mm512_or_si512(_mm512_srli_epi64(w1, 40), _mm512_slli_epi64(w2, 24)), m);
	r.l[3] = _mm512_and_si512(_mm512_or_si512(_mm512_srli_epi64(w2, 28), _mm512_slli_epi64(w3, 36)), m);
	r.l[4] = _mm512_srli_epi64(w3, 16);
	return r;
}

// quarter returns c/4 mod p (below p) for c below p: (c + k*p)/4 with
// k = -c mod 4 (p = 1 mod 4).
INLINE fe8 quarter(fe8 c) {
	__m512i k = _mm512_and_si512(_mm512_sub_epi64(_mm512_setzero_si512(), c.l[0]), bc(3));
	__m512i t[5];
	t[0] = _mm512_add_epi64(c.l[0], k);
	t[1] = c.l[1];
	t[2] = c.l[2];
	__m512i k17 = _mm512_add_epi64(_mm512_slli_epi64(k, 4), k);
	t[3] = _mm512_add_epi64(c.l[3], _mm512_slli_epi64(k17, 36));
	t[4] = _mm512_add_epi64(c.l[4], _mm512_slli_epi64(k, 43));
	carry(t);
	fe8 r;
	#pragma GCC unroll 10
	for (int l = 0; l < 4; l++) {
		r.l[l] = _mm512_or_si512(_mm512_srli_epi64(t[l], 2), _mm512_slli_epi64(_mm512_and_si512(t[l + 1], bc(3)), 50));
	}
	r.l[4] = _mm512_srli_epi64(t[4], 2);
	return r;
}

// small returns v (below 2^52) in every lane.
INLINE fe8 small(uint64_t v) {
	fe8 r = {{bc(v), _mm512_setzero_si512(), _mm512_setzero_si512(), _mm512_setzero_si512(), _mm512_setzero_si512()}};
	return r;
}

// isZero returns the lanes of a (below 2p) that are 0 mod p: 0 or p.
INLINE __mmask8 isZero(fe8 a) {
	static const uint64_t p[5] = {1, 0, 0, 17ull << 36, 1ull << 43};
	__mmask8 zero = 0xFF, isP = 0xFF;
	#pragma GCC unroll 10
	for (int l = 0; l < 5; l++) {
		zero &= _mm512_cmpeq_epi64_mask(a.l[l], _mm512_setzero_si512());
		isP &= _mm512_cmpeq_epi64_mask(a.l[l], bc(p[l]));
	}
	return zero | isP;
}

INLINE __mmask8 lanes(int64_t i, int64_t n) {
	int64_t left = n - i;
	return left >= 8 ? 0xFF : (__mmask8)((1u << left) - 1);
}

// region returns region r of the workspace.
INLINE uint64_t *region(uint64_t *ws, int64_t stride, int r) { return ws + (int64_t)r * 5 * stride; }

// levels walks the product tree over m leaves as up and down build it:
// level 0 at offset 0, each next level right after the previous one.
// It returns the number of levels and fills off and size.
static int levels(int64_t m, int64_t *off, int64_t *size) {
	int n = 1;
	int64_t o = 0;
	off[0] = 0;
	size[0] = m;
	while (size[n - 1] > 1) {
		o += size[n - 1];
		off[n] = o;
		size[n] = size[n - 1] / 2 + size[n - 1] % 2;
		n++;
	}
	return n;
}

KERNEL int64_t kairo_ifma_up(uint64_t *ws, int64_t stride, int64_t cur, const uint64_t *pts, const uint8_t *neg,
		      uint8_t *failed, int64_t m) {
	uint64_t *x = region(ws, stride, REGION_X + 2 * (int)cur), *y = region(ws, stride, REGION_Y + 2 * (int)cur);
	uint64_t *qx = region(ws, stride, REGION_QX), *qy = region(ws, stride, REGION_QY);
	uint64_t *tree = region(ws, stride, REGION_TREE);
	const fe8 one = small(1);
	for (int64_t i = 0; i < m; i += 8) {
		__mmask8 k = lanes(i, m);
		__m512i at = _mm512_maskz_loadu_epi64(k, pts + i);
		__m512i w[8];
		for (int j = 0; j < 8; j++) {
			w[j] = _mm512_mask_i64gather_epi64(_mm512_setzero_si512(), k,
							   _mm512_add_epi64(at, bc(8 * (uint64_t)j)), (const void *)0, 1);
		}
		fe8 px = fromWords(w[0], w[1], w[2], w[3]);
		fe8 py = quarter(fromWords(w[4], w[5], w[6], w[7]));
		__m128i nb = _mm_maskz_loadu_epi8(k, neg + i);
		__mmask8 kn = _mm512_test_epi64_mask(_mm512_cvtepu8_epi64(nb), _mm512_set1_epi64(1));
		if (kn) {
			fe8 ny = sub(small(0), py);
			#pragma GCC unroll 10
			for (int l = 0; l < 5; l++) py.l[l] = _mm512_mask_mov_epi64(py.l[l], kn, ny.l[l]);
		}
		store(qx, stride, i, k, px);
		store(qy, stride, i, k, py);
		fe8 dx = sub(px, load(x, stride, i, k));
		__mmask8 kz = isZero(dx) & k;
		if (kz) {
			for (int j = 0; j < 8; j++) {
				if (kz & (1u << j)) failed[i + j] = 1;
			}
			#pragma GCC unroll 10
			for (int l = 0; l < 5; l++) dx.l[l] = _mm512_mask_mov_epi64(dx.l[l], kz, one.l[l]);
		}
		store(tree, stride, i, k, dx);
	}
	int64_t off[64], size[64];
	int n = levels(m, off, size);
	for (int k = 0; k + 1 < n; k++) {
		int64_t lo = off[k], h = size[k] / 2;
		for (int64_t i = 0; i < h; i += 8) {
			__mmask8 kk = lanes(i, h);
			store(tree, stride, off[k + 1] + i, kk,
			      mul(load(tree, stride, lo + i, kk), load(tree, stride, lo + h + i, kk)));
		}
		if (size[k] % 2 == 1) {
			#pragma GCC unroll 10
			for (int l = 0; l < 5; l++) tree[l * stride + off[k + 1] + h] = tree[l * stride + lo + 2 * h];
		}
	}
	return off[n - 1];
}

// prefetcher spreads the prefetches of the next round's points over the
// iterations of a call: issued all at once, they would wait on the
// processor's few outstanding misses and stall the arithmetic.
typedef struct {
	const uint64_t *next;
	int64_t n, at, per;
} prefetcher;

// prefetch asks for the points at pts[0..n) (a point is one cache line:
// 64 bytes, aligned).
INLINE void prefetch(const uint64_t *pts, int64_t n) {
	for (int64_t i = 0; i < n; i++) _mm_prefetch((const char *)pts[i], _MM_HINT_T0);
}

INLINE void prefetchSome(prefetcher *p) {
	int64_t k = p->n - p->at < p->per ? p->n - p->at : p->per;
	prefetch(p->next + p->at, k);
	p->at += k;
}

KERNEL void kairo_ifma_down(uint64_t *ws, int64_t stride, int64_t cur, int64_t m, const uint64_t *next, int64_t nnext) {
	// about m/8 iterations come down the tree and 3m/8 finish the
	// additions
	int64_t iters = (m + 7) / 8 * 4;
	prefetcher pf = {next, nnext, 0, (nnext + iters - 1) / iters};
	uint64_t *x = region(ws, stride, REGION_X + 2 * (int)cur), *y = region(ws, stride, REGION_Y + 2 * (int)cur);
	uint64_t *nx = region(ws, stride, REGION_X + 2 * (int)(1 - cur)), *ny = region(ws, stride, REGION_Y + 2 * (int)(1 - cur));
	uint64_t *qx = region(ws, stride, REGION_QX), *qy = region(ws, stride, REGION_QY);
	uint64_t *tree = region(ws, stride, REGION_TREE), *inv = region(ws, stride, REGION_INV);
	int64_t off[64], size[64];
	int n = levels(m, off, size);
	for (int k = n - 2; k >= 0; k--) {
		int64_t lo = off[k], up = off[k + 1], h = size[k] / 2;
		for (int64_t i = 0; i < h; i += 8) {
			__mmask8 kk = lanes(i, h);
			prefetchSome(&pf);
			fe8 iu = load(inv, stride, up + i, kk);
			store(inv, stride, lo + i, kk, mul(iu, load(tree, stride, lo + h + i, kk)));
			store(inv, stride, lo + h + i, kk, mul(iu, load(tree, stride, lo + i, kk)));
		}
		if (size[k] % 2 == 1) {
			#pragma GCC unroll 10
			for (int l = 0; l < 5; l++) inv[l * stride + lo + 2 * h] = inv[l * stride + up + h];
		}
	}
	// The additions, in three passes whose iterations are independent (a
	// whole addition per iteration is one long chain of dependent
	// products), with the intermediate values in the tree's and the
	// inverses' first level, free by now:
	//	lambda = (qy - y) / dx,  x' = lambda^2 - x - qx,
	//	y' = lambda*(x - x') - y.
	uint64_t *lam = tree, *dxx = inv;
	for (int64_t i = 0; i < m; i += 8) {
		__mmask8 k = lanes(i, m);
		prefetchSome(&pf);
		fe8 d = lazy(load(qy, stride, i, k), load(y, stride, i, k));
		store(lam, stride, i, k, mul(d, load(inv, stride, i, k)));
	}
	for (int64_t i = 0; i < m; i += 8) {
		__mmask8 k = lanes(i, m);
		prefetchSome(&pf);
		fe8 l = load(lam, stride, i, k), ax = load(x, stride, i, k);
		fe8 rx = sub(lazy(mul(l, l), ax), load(qx, stride, i, k));
		store(nx, stride, i, k, rx);
		store(dxx, stride, i, k, lazy(ax, rx));
	}
	for (int64_t i = 0; i < m; i += 8) {
		__mmask8 k = lanes(i, m);
		prefetchSome(&pf);
		fe8 ry = sub(mul(load(lam, stride, i, k), load(dxx, stride, i, k)), load(y, stride, i, k));
		store(ny, stride, i, k, ry);
	}
	prefetch(pf.next + pf.at, pf.n - pf.at);
}

KERNEL void kairo_ifma_prefetch(const uint64_t *pts, int64_t n) { prefetch(pts, n); }
