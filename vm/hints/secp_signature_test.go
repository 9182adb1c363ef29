package hints

import (
	"math/big"
	"strings"
	"testing"
)

func TestSecpDivModN(t *testing.T) {
	a := bigHex("4c0f5fa4e1f1dbbbb1bfbb1f1e5b63f26b8f1c3a9f3a5bb2e9d2b1a4c3d2e1f0")
	b := bigHex("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")
	for _, tt := range []struct {
		name  string
		code  string
		n     *big.Int
		scope map[string]any
	}{
		{"k1", secpCode(t, secpSignatureHints, "import N, pack"), secpK1N, nil},
		{"r1 through the scope", secpCode(t, secpSignatureHints, "import pack\nfrom starkware.python.math_utils import div_mod, safe_div\n\na = pack"), secpR1N, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newSecpEnv(t, map[string]string{"a": "BigInt3", "b": "BigInt3"})
			if tt.n == secpR1N {
				e.mustRun("from starkware.cairo.common.cairo_secp.secp256r1_utils import SECP256R1_N as N")
			}
			e.setBigInt3("a", a)
			e.setBigInt3("b", b)
			e.mustRun(tt.code)
			res := e.scope("res")
			if chk := new(big.Int).Mul(res, b); chk.Sub(chk, a).Mod(chk, tt.n).Sign() != 0 {
				t.Fatal("res * b != a (mod N)")
			}
			if e.scope("value").Cmp(res) != 0 {
				t.Fatal("value != res")
			}
			// k = (res * b - a) / N, exactly.
			e.mustRun("value = k = safe_div(res * b - a, N)")
			k := e.scope("k")
			want := new(big.Int).Mul(res, b)
			want.Sub(want, a)
			if new(big.Int).Mul(k, tt.n).Cmp(want) != 0 {
				t.Fatal("k * N != res * b - a")
			}
			e.mustRun("value = k_plus_one = safe_div(res * b - a, N) + 1")
			if e.scope("k_plus_one").Cmp(new(big.Int).Add(k, big.NewInt(1))) != 0 {
				t.Fatal("k_plus_one != k + 1")
			}
		})
	}

	// safe_div with a remainder reports both operands.
	e := newHintEnv(t, nil, nil, nil)
	for k, v := range map[string]any{"res": big.NewInt(3), "b": big.NewInt(5), "a": big.NewInt(1), "N": big.NewInt(7)} {
		e.RT.Scopes[0][k] = v
	}
	e.RT.Scopes[0]["a"] = big.NewInt(0)
	if err := e.run("value = k = safe_div(res * b - a, N)"); err == nil || !strings.HasSuffix(err.Error(), "AssertionError: 15 is not divisible by 7.") {
		t.Fatalf("error = %v", err)
	}
}

func TestSecpMulSInv(t *testing.T) {
	x := new(big.Int).Add(secpK1N, big.NewInt(1234567)) // reduced modulo N by the hint
	s := bigHex("7a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9")
	for _, tt := range []struct {
		name string
		code string
		recv bool
	}{
		{"signature", secpCode(t, secpSignatureHints, "N = 0xffff"), false},
		{"ec_recover", secpCode(t, secpRecoverHints, "N = pack(ids.n, PRIME)"), true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := newSecpEnv(t, map[string]string{"x": "BigInt3", "s": "BigInt3", "n": "BigInt3"})
			e.setBigInt3("x", x)
			e.setBigInt3("s", s)
			if tt.recv {
				e.setBigInt3("n", secpK1N)
			}
			e.mustRun(tt.code)
			res := e.scope("res")
			if chk := new(big.Int).Mul(res, s); chk.Sub(chk, big.NewInt(1234567)).Mod(chk, secpK1N).Sign() != 0 {
				t.Fatal("res * s != x (mod N)")
			}
			if e.scope("x").Int64() != 1234567 || e.scope("N").Cmp(secpK1N) != 0 {
				t.Fatal("x or N not stored reduced in the scope")
			}
			if !tt.recv {
				e.mustRun("value = k = safe_div(res * s - x, N)")
				want := new(big.Int).Mul(res, s)
				want.Sub(want, big.NewInt(1234567))
				if new(big.Int).Mul(e.scope("k"), secpK1N).Cmp(want) != 0 {
					t.Fatal("k * N != res * s - x")
				}
			}
		})
	}
}

func TestSecpGetPointFromX(t *testing.T) {
	code := secpCode(t, secpSignatureHints, "x_cube_int = pack(ids.x_cube, PRIME) % SECP_P")
	xCube := new(big.Int).Exp(k1G[0], big.NewInt(3), secpK1P)
	for _, tt := range []struct {
		v    int64
		want *big.Int
	}{
		{int64(k1G[1].Bit(0)), k1G[1]},
		{int64(1 - k1G[1].Bit(0)), new(big.Int).Sub(secpK1P, k1G[1])},
	} {
		e := newSecpEnv(t, map[string]string{"x_cube": "BigInt3", "v": "felt", "is_on_curve": "felt"})
		e.setBigInt3("x_cube", xCube)
		e.set("v", big.NewInt(tt.v))
		e.mustRun(code)
		if got := e.scope("value"); got.Cmp(tt.want) != 0 {
			t.Fatalf("v=%d: value = %x, want %x", tt.v, got, tt.want)
		}
		e.mustRun("ids.is_on_curve = (y * y) % SECP_P == y_square_int")
		if e.get("is_on_curve", 0).Int64() != 1 {
			t.Fatal("G is not on the curve")
		}
	}
	// x = 5 is not the x of a secp256k1 point: 5^3 + 7 = 132 is a non-residue.
	e := newSecpEnv(t, map[string]string{"x_cube": "BigInt3", "v": "felt", "is_on_curve": "felt"})
	e.setBigInt3("x_cube", big.NewInt(125))
	e.set("v", big.NewInt(0))
	e.mustRun(code)
	e.mustRun("ids.is_on_curve = (y * y) % SECP_P == y_square_int")
	if e.get("is_on_curve", 0).Sign() != 0 {
		t.Fatal("is_on_curve = 1 for x = 5")
	}

	// secp256r1 library variant, with P-256's generator.
	code = secpCode(t, secpSignatureHints, "y_squared_from_x(")
	for _, tt := range []struct {
		v    int64
		neg  bool
		want int64
	}{{0, false, 1}, {1, true, 1}} {
		e := newSecpEnv(t, map[string]string{"x": "BigInt3", "v": "felt", "is_on_curve": "felt"})
		gx, gy := secpTestR1G()
		e.setBigInt3("x", gx)
		e.set("v", big.NewInt(int64(gy.Bit(0))^tt.v))
		e.mustRun(code)
		want := gy
		if tt.neg {
			want = new(big.Int).Sub(secpR1P, gy)
		}
		if got := e.scope("value"); got.Cmp(want) != 0 {
			t.Fatalf("value = %x, want %x", got, want)
		}
		e.mustRun("ids.is_on_curve = (y * y) % SECP256R1.prime == y_square_int")
		if e.get("is_on_curve", 0).Int64() != tt.want {
			t.Fatal("P-256 generator is not on the curve")
		}
	}
}

func secpTestR1G() (*big.Int, *big.Int) {
	return bigHex("6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296"),
		bigHex("4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5")
}

func TestSecpRecoverHints(t *testing.T) {
	a := bigHex("fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210")
	b := bigHex("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")
	m := bigHex("ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff61")

	e := newSecpEnv(t, map[string]string{"a": "BigInt3", "b": "BigInt3", "m": "BigInt3"})
	e.setBigInt3("a", a)
	e.setBigInt3("b", b)
	e.setBigInt3("m", m)
	e.mustRun(secpCode(t, secpRecoverHints, "value = res = a - b"))
	if e.scope("res").Cmp(new(big.Int).Sub(a, b)) != 0 {
		t.Fatal("res != a - b")
	}
	e.mustRun(secpCode(t, secpRecoverHints, "value = res = product % m"))
	product := new(big.Int).Mul(a, b)
	if e.scope("res").Cmp(new(big.Int).Mod(product, m)) != 0 || e.scope("product").Cmp(product) != 0 {
		t.Fatal("res != a * b % m")
	}
	e.mustRun("value = k = product // m")
	if e.scope("k").Cmp(new(big.Int).Div(product, m)) != 0 {
		t.Fatal("k != product // m")
	}

	// A negative difference and floor division of a negative product.
	f := newSecpEnv(t, map[string]string{"a": "BigInt3", "b": "BigInt3", "m": "BigInt3"})
	f.set("a", big.NewInt(-7), big.NewInt(0), big.NewInt(0))
	f.set("b", big.NewInt(2), big.NewInt(0), big.NewInt(0))
	f.set("m", big.NewInt(4), big.NewInt(0), big.NewInt(0))
	f.mustRun(secpCode(t, secpRecoverHints, "value = res = product % m"))
	f.mustRun("value = k = product // m")
	if f.scope("res").Int64() != 2 || f.scope("k").Int64() != -4 {
		t.Fatalf("-14 %% 4 = %s, -14 // 4 = %s; want 2, -4", f.scope("res"), f.scope("k"))
	}
}

func TestECBigint(t *testing.T) {
	code := secpCode(t, ecBigintHints, "as_int(ids.x.d3, PRIME)")
	p := secpK1P
	// x is a BigInt5 product with a negative top limb.
	limbs := []*big.Int{big.NewInt(11), big.NewInt(22), big.NewInt(33), big.NewInt(44), big.NewInt(-5)}
	x := new(big.Int)
	for i := len(limbs) - 1; i >= 0; i-- {
		x.Lsh(x, 86).Add(x, limbs[i])
	}
	y := bigHex("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")
	e := newSecpEnv(t, map[string]string{"P": "BigInt3", "x": "BigInt5", "y": "BigInt3", "flag": "felt"})
	e.setBigInt3("P", p)
	e.set("x", limbs...)
	e.setBigInt3("y", y)
	e.mustRun(code)
	res := e.scope("res")
	if chk := new(big.Int).Mul(res, y); chk.Sub(chk, x).Mod(chk, p).Sign() != 0 {
		t.Fatal("res * y != x (mod p)")
	}
	e.mustRun(secpCode(t, ecBigintHints, "safe_div(res * y - x, p)"))
	k := new(big.Int).Mul(res, y)
	k.Sub(k, x).Div(k, p)
	if e.scope("value").Cmp(new(big.Int).Abs(k)) != 0 {
		t.Fatal("value != |k|")
	}
	if got, want := e.get("flag", 0).Int64(), int64(k.Sign()+1)/2; got != want {
		t.Fatalf("flag = %d, want %d (k = %s)", got, want, k)
	}
}
