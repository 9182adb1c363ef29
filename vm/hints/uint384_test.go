package hints

import (
	"math/big"
	"strings"
	"testing"
)

// p384 is the NIST P-384 field prime, a 384-bit prime for the field hints.
var p384 = bigHex("fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffff")

func TestUint384DivRem(t *testing.T) {
	a := bigHex("123456789abcdef0fedcba9876543210123456789abcdef0fedcba9876543210123456789abcdef0fedcba9876543210")
	div := bigHex("fedcba98765432100123456789abcdef")
	a768 := new(big.Int).Mul(a, bigHex("1111111111111111111111111111111111111111111111111111111111111111111111111111111111111111"))
	x512 := new(big.Int).Mul(bigHex("abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789"), bigHex("123456789"))
	div256 := bigHex("fedcba9876543210fedcba98765432100123456789")
	for _, tt := range []struct {
		name               string
		code               string
		in                 string
		a, div             *big.Int
		aT, divT, qT, remT string
		aN, divN, qN, remN int
	}{
		{"uint384", secpCode(t, uint384Hints, "assert len(quotient_split) == 3"), "a", a, div, "Uint384", "Uint384", "Uint384", "Uint384", 3, 3, 3, 3},
		{"uint768 by uint384", secpCode(t, uint384Hints, "length=6"), "a", a768, a, "Uint768", "Uint384", "Uint768", "Uint384", 6, 3, 6, 3},
		{"uint512 by uint256", secpCode(t, vrfHints, "quotient, remainder = divmod(x, div)"), "x", x512, div256, "Uint512", "Uint256", "Uint512", "Uint256", 4, 2, 4, 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newSecpEnv(t, map[string]string{tt.in: tt.aT, "div": tt.divT, "quotient": tt.qT, "remainder": tt.remT})
			e.set(tt.in, secpTestSplit(tt.a, 128, tt.aN)...)
			e.set("div", secpTestSplit(tt.div, 128, tt.divN)...)
			e.mustRun(tt.code)
			q, r := new(big.Int).DivMod(tt.a, tt.div, new(big.Int))
			if got := e.getLimbs("quotient", tt.qN, 128); got.Cmp(q) != 0 {
				t.Fatalf("quotient = %x, want %x", got, q)
			}
			if got := e.getLimbs("remainder", tt.remN, 128); got.Cmp(r) != 0 {
				t.Fatalf("remainder = %x, want %x", got, r)
			}
			z := newSecpEnv(t, map[string]string{tt.in: tt.aT, "div": tt.divT, "quotient": tt.qT, "remainder": tt.remT})
			z.set(tt.in, secpTestSplit(tt.a, 128, tt.aN)...)
			z.set("div", secpTestSplit(new(big.Int), 128, tt.divN)...)
			if err := z.run(tt.code); err == nil || !strings.Contains(err.Error(), "ZeroDivisionError") {
				t.Fatalf("division by zero: %v", err)
			}
		})
	}
}

func TestUint384Arithmetic(t *testing.T) {
	// split_128
	e := newSecpEnv(t, map[string]string{"a": "felt", "low": "felt", "high": "felt"})
	v := bigHex("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde")
	e.set("a", v)
	e.mustRun("ids.low = ids.a & ((1<<128) - 1)\nids.high = ids.a >> 128")
	if e.get("low", 0).Cmp(new(big.Int).And(v, secpMask128)) != 0 || e.get("high", 0).Cmp(new(big.Int).Rsh(v, 128)) != 0 {
		t.Fatal("split_128")
	}

	// add_no_uint384_check: carries propagate limb by limb.
	shift := new(big.Int).Lsh(big.NewInt(1), 128)
	max := new(big.Int).Sub(shift, big.NewInt(1))
	for _, tt := range []struct {
		a, b    [3]*big.Int
		carries [3]int64
	}{
		{[3]*big.Int{max, max, big.NewInt(1)}, [3]*big.Int{big.NewInt(1), big.NewInt(0), big.NewInt(2)}, [3]int64{1, 1, 0}},
		{[3]*big.Int{big.NewInt(5), max, max}, [3]*big.Int{big.NewInt(6), big.NewInt(0), big.NewInt(1)}, [3]int64{0, 0, 1}},
	} {
		e := newSecpEnv(t, map[string]string{"a": "Uint384", "b": "Uint384", "carry_d0": "felt", "carry_d1": "felt", "carry_d2": "felt"})
		e.set("a", tt.a[:]...)
		e.set("b", tt.b[:]...)
		e.mustRun(secpCode(t, uint384Hints, "ids.carry_d0 = 1 if sum_d0"))
		for i, want := range tt.carries {
			if got := e.get("carry_d"+string(rune('0'+i)), 0).Int64(); got != want {
				t.Fatalf("carry_d%d = %d, want %d", i, got, want)
			}
		}
	}

	// vrf's uint256 low-limb carry.
	e = newSecpEnv(t, map[string]string{"a": "Uint256", "b": "Uint256", "carry_low": "felt"})
	e.set("a", max, big.NewInt(0))
	e.set("b", big.NewInt(1), big.NewInt(0))
	e.mustRun("sum_low = ids.a.low + ids.b.low\nids.carry_low = 1 if sum_low >= ids.SHIFT else 0")
	if e.get("carry_low", 0).Int64() != 1 {
		t.Fatal("carry_low")
	}

	// uint384_sqrt
	root := bigHex("fedcba9876543210fedcba9876543210fedcba9876543210")
	sq := new(big.Int).Mul(root, root)
	sq.Add(sq, big.NewInt(12345)) // not a perfect square: isqrt floors
	e = newSecpEnv(t, map[string]string{"a": "Uint384", "root": "Uint384"})
	e.set("a", secpTestSplit(sq, 128, 3)...)
	e.mustRun(secpCode(t, uint384Hints, "root = isqrt(a)"))
	if got := e.getLimbs("root", 3, 128); got.Cmp(root) != 0 {
		t.Fatalf("root = %x, want %x", got, root)
	}
	e = newSecpEnv(t, map[string]string{"a": "Uint384", "root": "Uint384"})
	// Limbs are felts, so a can exceed 2**384: a = 2**384 has root 2**192.
	e.set("a", big.NewInt(0), big.NewInt(0), shift)
	if err := e.run(secpCode(t, uint384Hints, "root = isqrt(a)")); err == nil || !strings.HasSuffix(err.Error(), "AssertionError") {
		t.Fatalf("root >= 2**192: %v", err)
	}

	// uint384_signed_nn
	for _, tt := range []struct {
		d2   *big.Int
		want int64
	}{{big.NewInt(5), 1}, {new(big.Int).Lsh(big.NewInt(1), 127), 0}, {big.NewInt(-1), 0}} {
		e := newSecpEnv(t, map[string]string{"a": "Uint384"})
		e.set("a", big.NewInt(0), big.NewInt(0), tt.d2)
		e.mustRun("memory[ap] = 1 if 0 <= (ids.a.d2 % PRIME) < 2 ** 127 else 0")
		if got := e.Mem.Get(e.VM.AP).Felt().BigInt().Int64(); got != tt.want {
			t.Errorf("d2 = %s: [ap] = %d, want %d", tt.d2, got, tt.want)
		}
	}

	// sub_reduced_a_and_reduced_b: (a - b) % p is nonnegative.
	a, b := big.NewInt(3), bigHex("123456789abcdef")
	e = newSecpEnv(t, map[string]string{"a": "Uint384", "b": "Uint384", "p": "Uint384", "res": "Uint384"})
	e.set("a", secpTestSplit(a, 128, 3)...)
	e.set("b", secpTestSplit(b, 128, 3)...)
	e.set("p", secpTestSplit(p384, 128, 3)...)
	e.mustRun(secpCode(t, uint384Hints, "res = (a - b) % p"))
	want := new(big.Int).Sub(a, b)
	want.Mod(want, p384)
	if got := e.getLimbs("res", 3, 128); got.Cmp(want) != 0 {
		t.Fatalf("res = %x, want %x", got, want)
	}
}

func TestUint384InvModP(t *testing.T) {
	b := bigHex("0123456789abcdef0123456789abcdef0123456789abcdef")
	for _, tt := range []struct {
		name string
		code string
		ty   string
		n    int
		p    *big.Int
	}{
		{"uint384", secpCode(t, uint384Hints, "b_inverse_mod_p_split = split(b_inverse_mod_p, num_bits_shift=128, length=3)"), "Uint384", 3, p384},
		{"uint256", secpCode(t, vrfHints, "b_inverse_mod_p_split = split(b_inverse_mod_p)\n"), "Uint256", 2, secpK1P},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newSecpEnv(t, map[string]string{"a": tt.ty, "b": tt.ty, "p": tt.ty, "b_inverse_mod_p": tt.ty})
			e.set("a", secpTestSplit(big.NewInt(1), 128, tt.n)...)
			e.set("b", secpTestSplit(b, 128, tt.n)...)
			e.set("p", secpTestSplit(tt.p, 128, tt.n)...)
			e.mustRun(tt.code)
			inv := e.getLimbs("b_inverse_mod_p", tt.n, 128)
			if new(big.Int).Mod(new(big.Int).Mul(inv, b), tt.p).Int64() != 1 || inv.Cmp(tt.p) >= 0 {
				t.Fatalf("b_inverse_mod_p = %x is not the inverse", inv)
			}
			z := newSecpEnv(t, map[string]string{"a": tt.ty, "b": tt.ty, "p": tt.ty, "b_inverse_mod_p": tt.ty})
			z.set("a", secpTestSplit(big.NewInt(1), 128, tt.n)...)
			z.set("b", secpTestSplit(tt.p, 128, tt.n)...)
			z.set("p", secpTestSplit(tt.p, 128, tt.n)...)
			if err := z.run(tt.code); err == nil || !strings.HasSuffix(err.Error(), "AssertionError") {
				t.Fatalf("non-invertible b: %v", err)
			}
		})
	}

	// inv_mod_p_uint512 with pow(x, -1, p).
	x := new(big.Int).Mul(bigHex("fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"), big.NewInt(977))
	e := newSecpEnv(t, map[string]string{"x": "Uint512", "p": "Uint256", "x_inverse_mod_p": "Uint256"})
	e.set("x", secpTestSplit(x, 128, 4)...)
	e.set("p", secpTestSplit(secpK1N, 128, 2)...)
	e.mustRun(secpCode(t, vrfHints, "pow(x,-1, p)"))
	inv := e.getLimbs("x_inverse_mod_p", 2, 128)
	if new(big.Int).Mod(new(big.Int).Mul(inv, x), secpK1N).Int64() != 1 {
		t.Fatal("x_inverse_mod_p is not the inverse")
	}
	e = newSecpEnv(t, map[string]string{"x": "Uint512", "p": "Uint256", "x_inverse_mod_p": "Uint256"})
	e.set("x", secpTestSplit(big.NewInt(6), 128, 4)...)
	e.set("p", secpTestSplit(big.NewInt(9), 128, 2)...)
	if err := e.run(secpCode(t, vrfHints, "pow(x,-1, p)")); err == nil || !strings.HasSuffix(err.Error(), "ValueError: base is not invertible for the given modulus") {
		t.Fatalf("non-invertible x: %v", err)
	}
}

func TestUint384GetSquareRoot(t *testing.T) {
	for _, tt := range []struct {
		name string
		code string
		ty   string
		n    int
		p    *big.Int
		g    int64
	}{
		// 3 is a quadratic non-residue modulo secp256k1's P (P = 7 mod 12)
		// and 19 one modulo P-384.
		{"uint384", secpCode(t, uint384Hints, "success_gx = is_quad_residue"), "Uint384", 3, p384, 19},
		{"uint256", secpCode(t, vrfHints, "success_gx = is_quad_residue"), "Uint256", 2, secpK1P, 3},
	} {
		t.Run(tt.name, func(t *testing.T) {
			g := big.NewInt(tt.g)
			if ok, _ := secpIsQuadResidue(g, tt.p); ok {
				t.Fatal("generator is a residue")
			}
			r := bigHex("123456789abcdef0123456789abcdef")
			square := new(big.Int).Mul(r, r)
			nonSquare := new(big.Int).Mul(square, g) // g * r^2 has no root
			for _, c := range []struct {
				x        *big.Int
				successX int64
			}{{square, 1}, {nonSquare, 0}, {new(big.Int), 1}} {
				e := newSecpEnv(t, map[string]string{"generator": tt.ty, "x": tt.ty, "p": tt.ty, "success_x": "felt", "success_gx": "felt", "sqrt_x": tt.ty, "sqrt_gx": tt.ty})
				e.set("generator", secpTestSplit(g, 128, tt.n)...)
				e.set("x", secpTestSplit(c.x, 128, tt.n)...)
				e.set("p", secpTestSplit(tt.p, 128, tt.n)...)
				e.mustRun(tt.code)
				if e.get("success_x", 0).Int64() != c.successX {
					t.Fatalf("success_x = %s, want %d", e.get("success_x", 0), c.successX)
				}
				target, root := c.x, e.getLimbs("sqrt_x", tt.n, 128)
				if c.successX == 0 {
					target, root = new(big.Int).Mul(g, c.x), e.getLimbs("sqrt_gx", tt.n, 128)
					if e.getLimbs("sqrt_x", tt.n, 128).Sign() != 0 {
						t.Fatal("sqrt_x != 0 without a root")
					}
				}
				if new(big.Int).Mod(new(big.Int).Sub(new(big.Int).Mul(root, root), target), tt.p).Sign() != 0 {
					t.Fatal("root squared is not the target")
				}
				if other := new(big.Int).Sub(tt.p, root); root.Sign() != 0 && other.Cmp(root) < 0 {
					t.Fatal("root is not the smaller one")
				}
			}
			// A generator that is a residue: for a residue x both succeed.
			e := newSecpEnv(t, map[string]string{"generator": tt.ty, "x": tt.ty, "p": tt.ty, "success_x": "felt", "success_gx": "felt", "sqrt_x": tt.ty, "sqrt_gx": tt.ty})
			e.set("generator", secpTestSplit(big.NewInt(4), 128, tt.n)...)
			e.set("x", secpTestSplit(square, 128, tt.n)...)
			e.set("p", secpTestSplit(tt.p, 128, tt.n)...)
			if err := e.run(tt.code); err == nil || !strings.HasSuffix(err.Error(), "AssertionError") {
				t.Fatalf("both roots: %v", err)
			}
		})
	}
}

func TestVrfEd25519Sqrt(t *testing.T) {
	code := secpCode(t, vrfHints, "II = pow(2, (PRIME - 1) // 4, PRIME)")
	p := secpEd25519P
	for _, r := range []*big.Int{big.NewInt(2), bigHex("1234567890abcdef1234567890abcdef1234567890abcdef1234567890abcde"), big.NewInt(3)} {
		xx := new(big.Int).Mul(r, r)
		xx.Mod(xx, p)
		e := newSecpEnv(t, map[string]string{"xx": "Uint256", "x": "Uint256"})
		e.set("xx", secpTestSplit(xx, 128, 2)...)
		e.mustRun(code)
		x := e.getLimbs("x", 2, 128)
		if new(big.Int).Mod(new(big.Int).Mul(x, x), p).Cmp(xx) != 0 {
			t.Fatalf("x^2 != xx for r = %s", r)
		}
		if x.Bit(0) != 0 {
			t.Fatal("x is odd")
		}
	}
}
