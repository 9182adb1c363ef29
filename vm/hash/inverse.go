package hash

import (
	"math/bits"

	"github.com/consensys/gnark-crypto/ecc/stark-curve/fp"

	"github.com/kairo-dev/kairo/vm/felt/fmul"
)

// Variable-time modular inversion by Bernstein and Yang's "safegcd"
// (https://gcd.cr.yp.to/safegcd-20190413.pdf) in the form of
// libsecp256k1's modinv64_var: batches of 62 division steps computed on the
// low 64 bits of f and g alone (with the trailing zeros of g skipped at
// once and several bits of g cleared per step), each batch applied to the
// full numbers as a 2x2 matrix of 64-bit integers, the numbers shortened as
// they shrink. Pedersen ends with one inversion, and on small inputs that
// inversion is most of the hash: fp.Element.Inverse (an optimised binary
// GCD) branches on every bit, and those branches are unpredictable.
//
// Nothing here depends on secrets (hash inputs are public), so variable
// time is fine.

// signed62 is the integer sum v[i]*2^(62*i): limbs 0..3 in [0, 2^62) once
// normalised (in (-2^62, 2^62) during updates), the top limb signed.
type signed62 [5]int64

const m62 = 1<<62 - 1

// modulus62 is P = 2^251 + 17*2^192 + 1 in signed62 form; P^-1 mod 2^62 is
// 1 since P = 1 mod 2^64.
var modulus62 = signed62{1, 0, 0, 17 << 6, 1 << 3}

// trans2x2 is the matrix [u v; q r] of a batch of 62 division steps,
// scaled by 2^62.
type trans2x2 struct{ u, v, q, r int64 }

// divsteps62 runs 62 division steps on the low bits f0, g0 (f0 odd) from
// eta (minus delta), and returns the new eta and the matrix.
func divsteps62(eta int64, f0, g0 uint64) (int64, trans2x2) {
	u, v, q, r := uint64(1), uint64(0), uint64(0), uint64(1)
	f, g := f0, g0
	// finv is -1/f mod 2^6 (f*(f^2-2) for odd f), recomputed only when f
	// changes, so that clearing bits of g costs one multiplication.
	finv := f * (f*f - 2)
	i := 62
	for {
		// Skip the trailing zeros of g (each a step that halves g). The
		// shift counts are below 64; masking them says so to the
		// compiler.
		zeros := bits.TrailingZeros64(g|(^uint64(0)<<uint(i))) & 63
		g >>= uint(zeros)
		u <<= uint(zeros)
		v <<= uint(zeros)
		eta -= int64(zeros)
		i -= zeros
		if i == 0 {
			break
		}
		// g is odd. If eta < 0, swap f and g, negating the old f (and
		// the matrix rows alike).
		if eta < 0 {
			eta = -eta
			f, g = g, -f
			u, q = q, -u
			v, r = r, -v
			finv = f * (f*f - 2)
		}
		// The next min(eta+1, i) steps add f to g or halve it, never
		// swap: clear up to that many (at most 6) low bits of g at once by
		// adding w*f, w = -g/f mod 2^6.
		limit := min(int(eta)+1, i)
		m := (^uint64(0) >> (uint(64-limit) & 63)) & 63
		w := (g * finv) & m
		g += f * w
		q += u * w
		r += v * w
	}
	return eta, trans2x2{int64(u), int64(v), int64(q), int64(r)}
}

// i128 is a signed 128-bit integer.
type i128 struct {
	hi int64
	lo uint64
}

// mul128 returns a*b.
func mul128(a, b int64) i128 {
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	// signed correction of the high word
	hi -= uint64(a>>63)&uint64(b) + uint64(b>>63)&uint64(a)
	return i128{int64(hi), lo}
}

// mul128u returns a*b for 0 <= b < 2^63 (one sign correction fewer).
func mul128u(a int64, b uint64) i128 {
	hi, lo := bits.Mul64(uint64(a), b)
	hi -= uint64(a>>63) & b
	return i128{int64(hi), lo}
}

func (x i128) add(y i128) i128 {
	lo, c := bits.Add64(x.lo, y.lo, 0)
	return i128{x.hi + y.hi + int64(c), lo}
}

// shr62 returns x >> 62 (arithmetic).
func (x i128) shr62() i128 {
	return i128{x.hi >> 62, x.lo>>62 | uint64(x.hi)<<2}
}

// low62 returns the low 62 bits of x.
func (x i128) low62() int64 { return int64(x.lo & m62) }

// updateDE sets d, e = (u*d + v*e)/2^62, (q*d + r*e)/2^62 mod P, adding
// multiples of P to make the divisions exact. d and e stay in (-2P, P);
// their limbs 0..3 are non-negative.
func updateDE(d, e *signed62, t trans2x2) {
	// md, me: the multiples of P to add, starting from the corrections
	// that keep the results above -2P.
	sd, se := d[4]>>63, e[4]>>63
	md := (t.u & sd) + (t.v & se)
	me := (t.q & sd) + (t.r & se)
	d0, e0 := uint64(d[0]), uint64(e[0])
	cd := mul128u(t.u, d0).add(mul128u(t.v, e0))
	ce := mul128u(t.q, d0).add(mul128u(t.r, e0))
	// Make the low 62 bits of cd + md*P zero (P = 1 mod 2^62).
	md -= int64((cd.lo + uint64(md)) & m62)
	me -= int64((ce.lo + uint64(me)) & m62)
	cd = cd.add(i128{md >> 63, uint64(md)}).shr62()
	ce = ce.add(i128{me >> 63, uint64(me)}).shr62()
	// limbs 1 and 2 of P are zero
	d1, e1 := uint64(d[1]), uint64(e[1])
	cd = cd.add(mul128u(t.u, d1)).add(mul128u(t.v, e1))
	ce = ce.add(mul128u(t.q, d1)).add(mul128u(t.r, e1))
	d[0], e[0] = cd.low62(), ce.low62()
	cd, ce = cd.shr62(), ce.shr62()
	d2, e2 := uint64(d[2]), uint64(e[2])
	cd = cd.add(mul128u(t.u, d2)).add(mul128u(t.v, e2))
	ce = ce.add(mul128u(t.q, d2)).add(mul128u(t.r, e2))
	d[1], e[1] = cd.low62(), ce.low62()
	cd, ce = cd.shr62(), ce.shr62()
	d3, e3 := uint64(d[3]), uint64(e[3])
	cd = cd.add(mul128u(t.u, d3)).add(mul128u(t.v, e3)).add(mul128u(md, uint64(modulus62[3])))
	ce = ce.add(mul128u(t.q, d3)).add(mul128u(t.r, e3)).add(mul128u(me, uint64(modulus62[3])))
	d[2], e[2] = cd.low62(), ce.low62()
	cd, ce = cd.shr62(), ce.shr62()
	cd = cd.add(mul128(t.u, d[4])).add(mul128(t.v, e[4])).add(mul128u(md, uint64(modulus62[4])))
	ce = ce.add(mul128(t.q, d[4])).add(mul128(t.r, e[4])).add(mul128u(me, uint64(modulus62[4])))
	d[3], e[3] = cd.low62(), ce.low62()
	cd, ce = cd.shr62(), ce.shr62()
	d[4], e[4] = int64(cd.lo), int64(ce.lo)
}

// updateFG sets f, g = (u*f + v*g)/2^62, (q*f + r*g)/2^62 on their first n
// limbs (the divisions are exact). Limbs below n-1 are non-negative.
func updateFG(n int, f, g *signed62, t trans2x2) {
	top := n - 1
	var cf, cg i128
	if top == 0 {
		cf = mul128(t.u, f[0]).add(mul128(t.v, g[0])).shr62()
		cg = mul128(t.q, f[0]).add(mul128(t.r, g[0])).shr62()
	} else {
		f0, g0 := uint64(f[0]), uint64(g[0])
		cf = mul128u(t.u, f0).add(mul128u(t.v, g0)).shr62()
		cg = mul128u(t.q, f0).add(mul128u(t.r, g0)).shr62()
	}
	for i := 1; i < top; i++ {
		fi, gi := uint64(f[i]), uint64(g[i])
		cf = cf.add(mul128u(t.u, fi)).add(mul128u(t.v, gi))
		cg = cg.add(mul128u(t.q, fi)).add(mul128u(t.r, gi))
		f[i-1], g[i-1] = cf.low62(), cg.low62()
		cf, cg = cf.shr62(), cg.shr62()
	}
	if top > 0 {
		cf = cf.add(mul128(t.u, f[top])).add(mul128(t.v, g[top]))
		cg = cg.add(mul128(t.q, f[top])).add(mul128(t.r, g[top]))
		f[top-1], g[top-1] = cf.low62(), cg.low62()
		cf, cg = cf.shr62(), cg.shr62()
	}
	f[top], g[top] = int64(cf.lo), int64(cg.lo)
}

// normalize brings r from (-2P, P) to [0, P), negating it first when sign
// is negative.
func normalize(r *signed62, sign int64) {
	// add P if negative, then negate if asked: (-P, P)
	addPIfNegative(r)
	neg := sign >> 63
	for i := range r {
		r[i] = (r[i] ^ neg) - neg
	}
	carry62(r)
	// add P if still negative: [0, P)
	addPIfNegative(r)
	carry62(r)
}

// addPIfNegative adds P to r, limb by limb without carries, when r's top
// limb is negative.
func addPIfNegative(r *signed62) {
	add := r[4] >> 63
	for i := range r {
		r[i] += modulus62[i] & add
	}
}

// carry62 moves each limb's bits above the 62nd into the next limb.
func carry62(r *signed62) {
	for i := range 4 {
		r[i+1] += r[i] >> 62
		r[i] &= m62
	}
}

// invertRaw returns the inverse modulo P of the integer with limbs x
// (0 < x < P).
func invertRaw(x [4]uint64) [4]uint64 {
	var d signed62
	e := signed62{1}
	f := modulus62
	g := signed62{
		int64(x[0] & m62),
		int64((x[0]>>62 | x[1]<<2) & m62),
		int64((x[1]>>60 | x[2]<<4) & m62),
		int64((x[2]>>58 | x[3]<<6) & m62),
		int64(x[3] >> 56),
	}
	n := 5
	eta := int64(-1) // eta = -delta; delta starts at 1
	for {
		var t trans2x2
		eta, t = divsteps62(eta, uint64(f[0]), uint64(g[0]))
		updateDE(&d, &e, t)
		updateFG(n, &f, &g, t)
		if g[0] == 0 {
			zero := int64(0)
			for j := 1; j < n; j++ {
				zero |= g[j]
			}
			if zero == 0 {
				break
			}
		}
		// Shorten f and g when both top limbs are 0 or -1.
		fn, gn := f[n-1], g[n-1]
		cond := (int64(n) - 2) >> 63
		cond |= fn ^ (fn >> 63)
		cond |= gn ^ (gn >> 63)
		if cond == 0 {
			f[n-2] |= int64(uint64(fn) << 62)
			g[n-2] |= int64(uint64(gn) << 62)
			n--
		}
	}
	// g = 0 and f = ±1: d is ±1/x.
	normalize(&d, f[n-1])
	return [4]uint64{
		uint64(d[0]) | uint64(d[1])<<62,
		uint64(d[1])>>2 | uint64(d[2])<<60,
		uint64(d[2])>>4 | uint64(d[3])<<58,
		uint64(d[3])>>6 | uint64(d[4])<<56,
	}
}

// rCubed is R^3 mod P (R = 2^256) as raw Montgomery limbs: the Montgomery
// product with it turns the raw inverse of a Montgomery representation
// a*R into the representation of 1/a.
var rCubed = fp.Element{
	0xcc7177d1406df18e, 0x7545706677ffcc06, 0xf47d84f836300018, 0x038e5f79873c0a6d,
}

// inverse sets z = 1/x in the field (0 for x = 0), as fp.Element.Inverse.
func inverse(z, x *fp.Element) {
	if x.IsZero() {
		z.SetZero()
		return
	}
	// x holds a*R; invertRaw gives 1/(a*R), and the Montgomery product
	// with R^3 divides by R once: R/a, the representation of 1/a.
	inv := fp.Element(invertRaw([4]uint64(*x)))
	fmul.Mul(z, &inv, &rCubed)
}
