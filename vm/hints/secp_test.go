package hints

import (
	"crypto/elliptic"
	"math/big"
	"strings"
	"testing"

	"github.com/kairo-dev/kairo/vm/felt"
)

// Known secp256k1 points: the generator G, 2G and 3G.
var (
	k1G  = [2]*big.Int{bigHex("79BE667EF9DCBBAC55A06295CE870B07029BFCDB2DCE28D959F2815B16F81798"), bigHex("483ADA7726A3C4655DA4FBFC0E1108A8FD17B448A68554199C47D08FFB10D4B8")}
	k12G = [2]*big.Int{bigHex("C6047F9441ED7D6D3045406E95C07CD85C778E4B8CEF3CA7ABAC09B95C709EE5"), bigHex("1AE168FEA63DC339A3C58419466CEAEEF7F632653266D0E1236431A950CFE52A")}
	k13G = [2]*big.Int{bigHex("F9308A019258C31049344F85F89D5229B531C845836F99B08601F113BCE036F9"), bigHex("388F7B0F632DE8140FE337E62A37F3566500A99934C2231B6CB9FD7584B8E672")}
)

// The known points must satisfy y^2 = x^3 + 7 for the tests below to mean
// anything.
func TestSecpKnownPointsOnCurve(t *testing.T) {
	p := bigHex("fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f")
	for i, pt := range [][2]*big.Int{k1G, k12G, k13G} {
		l := new(big.Int).Exp(pt[1], big.NewInt(2), p)
		r := new(big.Int).Exp(pt[0], big.NewInt(3), p)
		r.Add(r, big.NewInt(7)).Mod(r, p)
		if l.Cmp(r) != 0 {
			t.Fatalf("point %d is not on secp256k1", i)
		}
	}
	if secpK1P.Cmp(p) != 0 {
		t.Fatal("SECP_P differs from 2**256 - 2**32 - 977")
	}
	r1 := elliptic.P256().Params()
	if secpR1P.Cmp(r1.P) != 0 || secpR1N.Cmp(r1.N) != 0 || secpR1Beta.Cmp(r1.B) != 0 ||
		new(big.Int).Add(secpR1Alpha, big.NewInt(3)).Cmp(r1.P) != 0 {
		t.Fatal("secp256r1 constants differ from crypto/elliptic P-256")
	}
}

func TestSecpPythonIntegerHelpers(t *testing.T) {
	P := felt.Prime()
	half := new(big.Int).Rsh(P, 1)
	for _, tt := range []struct {
		in   *big.Int
		want *big.Int
	}{
		{big.NewInt(5), big.NewInt(5)},
		{new(big.Int).Sub(P, big.NewInt(1)), big.NewInt(-1)},
		{new(big.Int).Sub(half, big.NewInt(1)), new(big.Int).Sub(half, big.NewInt(1))},
		// as_int takes val < prime // 2 as positive: prime // 2 itself is negative.
		{half, new(big.Int).Sub(half, P)},
	} {
		if got := secpAsInt(felt.FromBigInt(tt.in)); got.Cmp(tt.want) != 0 {
			t.Errorf("as_int(%s) = %s, want %s", tt.in, got, tt.want)
		}
	}

	for _, tt := range []struct{ a, m, q, r int64 }{
		{7, 3, 2, 1}, {-7, 3, -3, 2}, {7, -3, -3, -2}, {-7, -3, 2, -1}, {6, -3, -2, 0},
	} {
		q, r, err := secpDivmod(big.NewInt(tt.a), big.NewInt(tt.m))
		if err != nil || q.Int64() != tt.q || r.Int64() != tt.r {
			t.Errorf("divmod(%d, %d) = %v, %v, %v; want %d, %d", tt.a, tt.m, q, r, err, tt.q, tt.r)
		}
		mod, err := secpMod(big.NewInt(tt.a), big.NewInt(tt.m))
		if err != nil || mod.Int64() != tt.r {
			t.Errorf("%d %% %d = %v, %v; want %d", tt.a, tt.m, mod, err, tt.r)
		}
	}
	if _, _, err := secpDivmod(big.NewInt(1), big.NewInt(0)); err == nil || !strings.Contains(err.Error(), "ZeroDivisionError") {
		t.Errorf("divmod by zero: %v", err)
	}

	for _, tt := range []struct {
		n, m, p int64
		want    int64
		err     string
	}{
		{1, 3, 7, 5, ""},   // 3 * 5 = 15 = 1 mod 7
		{2, -3, 7, 4, ""},  // -3 * 4 = -12 = 2 mod 7
		{4, 2, 7, 2, ""},   // 2 * 2 = 4
		{1, 3, -7, -2, ""}, // result takes the sign of p, like Python's %
		{5, 0, 1, 0, ""},   // igcdex(0, 1) has gcd 1
		{1, 0, 7, 0, "AssertionError"},
		{1, 14, 7, 0, "AssertionError"},
		{1, 2, 0, 0, "AssertionError"},
		{1, 1, 0, 0, "ZeroDivisionError"},
	} {
		got, err := secpDivMod(big.NewInt(tt.n), big.NewInt(tt.m), big.NewInt(tt.p))
		if tt.err != "" {
			if err == nil || !strings.HasPrefix(err.Error(), tt.err) {
				t.Errorf("div_mod(%d, %d, %d) error = %v, want %s", tt.n, tt.m, tt.p, err, tt.err)
			}
			continue
		}
		if err != nil || got.Int64() != tt.want {
			t.Errorf("div_mod(%d, %d, %d) = %v, %v; want %d", tt.n, tt.m, tt.p, got, err, tt.want)
		}
	}

	if _, err := secpSafeDiv(big.NewInt(7), big.NewInt(2)); err == nil || err.Error() != "AssertionError: 7 is not divisible by 2." {
		t.Errorf("safe_div(7, 2) error = %v", err)
	}
	if q, err := secpSafeDiv(big.NewInt(-8), big.NewInt(2)); err != nil || q.Int64() != -4 {
		t.Errorf("safe_div(-8, 2) = %v, %v", q, err)
	}

	limbs, err := secpSplit(secpK1P)
	if err != nil || secpPackLimbs(limbs[0], limbs[1], limbs[2]).Cmp(secpK1P) != 0 {
		t.Fatalf("split/pack round trip of SECP_P: %v", err)
	}
	for _, bad := range []*big.Int{big.NewInt(-1), new(big.Int).Lsh(big.NewInt(1), 258)} {
		if _, err := secpSplit(bad); err == nil {
			t.Errorf("split(%s) accepted", bad)
		}
	}

	// Python's split of a negative number keeps two's-complement limbs.
	neg := secpSplitUnsigned(big.NewInt(-1), 128, 2)
	if neg[0].Cmp(secpMask128) != 0 || neg[1].Cmp(secpMask128) != 0 {
		t.Errorf("split(-1) = %v", neg)
	}

	for _, tt := range []struct{ n, p, want int64 }{
		{4, 7, 2}, {2, 7, 3}, {0, 7, 0}, {1, 2, 1}, {9, 1, 0}, {10, 13, 6},
	} {
		got, err := secpSqrtMod(big.NewInt(tt.n), big.NewInt(tt.p))
		if err != nil || got.Int64() != tt.want {
			t.Errorf("sqrt(%d, %d) = %v, %v; want %d", tt.n, tt.p, got, err, tt.want)
		}
	}
	for _, tt := range []struct {
		a, p int64
		want bool
	}{{3, 7, false}, {2, 7, true}, {0, 7, true}, {1, 9, true}, {5, 2, true}} {
		got, err := secpIsQuadResidue(big.NewInt(tt.a), big.NewInt(tt.p))
		if err != nil || got != tt.want {
			t.Errorf("is_quad_residue(%d, %d) = %v, %v", tt.a, tt.p, got, err)
		}
	}
	if _, err := secpIsQuadResidue(big.NewInt(2), big.NewInt(15)); err == nil {
		t.Error("composite modulus accepted")
	}
}

func TestSecpNondetBigint3(t *testing.T) {
	for _, code := range []string{
		"from starkware.cairo.common.cairo_secp.secp_utils import split\n\nsegments.write_arg(ids.res.address_, split(value))",
		"from starkware.cairo.common.cairo_secp.secp_utils import split\nsegments.write_arg(ids.res.address_, split(value))",
	} {
		e := newSecpEnv(t, map[string]string{"res": "BigInt3"})
		v := new(big.Int).Sub(secpK1P, big.NewInt(12345))
		e.setScope(map[string]any{"value": v})
		e.mustRun(code)
		if got := e.getLimbs("res", 3, 86); got.Cmp(v) != 0 {
			t.Fatalf("res = %s, want %s", got, v)
		}
		if e.get("res", 0).Cmp(secpBase) >= 0 {
			t.Fatal("limb not canonical")
		}
		for _, bad := range []*big.Int{big.NewInt(-1), new(big.Int).Lsh(big.NewInt(1), 258)} {
			e := newSecpEnv(t, map[string]string{"res": "BigInt3"})
			e.setScope(map[string]any{"value": bad})
			if err := e.run(code); err == nil || !strings.Contains(err.Error(), "AssertionError") {
				t.Errorf("split(%s): %v", bad, err)
			}
		}
		e = newSecpEnv(t, map[string]string{"res": "BigInt3"})
		if err := e.run(code); err == nil || !strings.Contains(err.Error(), "name 'value' is not defined") {
			t.Errorf("missing value: %v", err)
		}
	}
}

func TestSecpBigintToUint256(t *testing.T) {
	e := newSecpEnv(t, map[string]string{"x": "BigInt3", "low": "felt"})
	v := bigHex("1234567890abcdef1234567890abcdef1234567890abcdef1234567890abcdef")
	e.setBigInt3("x", v)
	e.mustRun("ids.low = (ids.x.d0 + ids.x.d1 * ids.BASE) & ((1 << 128) - 1)")
	if got, want := e.get("low", 0), new(big.Int).And(v, secpMask128); got.Cmp(want) != 0 {
		t.Fatalf("low = %x, want %x", got, want)
	}
}

func TestSecpVerifyZero(t *testing.T) {
	const (
		head = "q, r = divmod(pack(ids.val, PRIME), SECP_P)\nassert r == 0, f\"verify_zero: Invalid input {ids.val.d0, ids.val.d1, ids.val.d2}.\"\nids.q = q % PRIME"
	)
	for _, tt := range []struct {
		name  string
		code  string
		p     *big.Int
		scope map[string]any
	}{
		{"k1", "from starkware.cairo.common.cairo_secp.secp_utils import SECP_P, pack\n\n" + head, secpK1P, nil},
		{"k1 without pack", "from starkware.cairo.common.cairo_secp.secp_utils import SECP_P\n" + head, secpK1P, nil},
		{"scope r1", "from starkware.cairo.common.cairo_secp.secp_utils import pack\n\n" + head, secpR1P, map[string]any{"SECP_P": secpR1P}},
		{"ed25519", "from starkware.cairo.common.cairo_secp.secp_utils import pack\nSECP_P = 2**255-19\nto_assert = pack(ids.val, PRIME)\n" + head, secpEd25519P, nil},
		{"secp256r1 library", "from starkware.cairo.common.cairo_secp.secp256r1_utils import SECP256R1_P\nfrom starkware.cairo.common.cairo_secp.secp_utils import pack\n\nq, r = divmod(pack(ids.val, PRIME), SECP256R1_P)\nassert r == 0, f\"verify_zero: Invalid input {ids.val.d0, ids.val.d1, ids.val.d2}.\"\nids.q = q % PRIME", secpR1P, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for _, q := range []int64{3, -2, 0} {
				e := newSecpEnv(t, map[string]string{"val": "BigInt3", "q": "felt"})
				e.setScope(tt.scope)
				// val = q * p, with a negative top limb when q < 0.
				v := new(big.Int).Mul(big.NewInt(q), tt.p)
				d0 := new(big.Int).Mod(v, secpBase)
				rest := new(big.Int).Sub(v, d0)
				rest.Rsh(rest, 86)
				d1 := new(big.Int).Mod(rest, secpBase)
				d2 := rest.Sub(rest, d1).Rsh(rest, 86)
				e.set("val", d0, d1, d2)
				e.mustRun(tt.code)
				if got, want := e.get("q", 0), felt.FromInt64(q).BigInt(); got.Cmp(want) != 0 {
					t.Fatalf("q = %s, want %s", got, want)
				}
			}
			e := newSecpEnv(t, map[string]string{"val": "BigInt3", "q": "felt"})
			e.setScope(tt.scope)
			e.set("val", big.NewInt(1), big.NewInt(2), big.NewInt(-3))
			err := e.run(tt.code)
			want := "AssertionError: verify_zero: Invalid input (1, 2, " + felt.FromInt64(-3).BigInt().String() + ")."
			if err == nil || !strings.HasSuffix(err.Error(), want) {
				t.Fatalf("error = %v, want %s", err, want)
			}
		})
	}
}

func TestSecpReduceAndIsZero(t *testing.T) {
	// x = 2p + 5 in unreduced limbs.
	for _, tt := range []struct {
		code  string
		dst   string
		p     *big.Int
		scope map[string]any
	}{
		{"from starkware.cairo.common.cairo_secp.secp_utils import SECP_P, pack\n\nvalue = pack(ids.x, PRIME) % SECP_P", "value", secpK1P, nil},
		{"from starkware.cairo.common.cairo_secp.secp_utils import pack\nvalue = pack(ids.x, PRIME) % SECP_P", "value", secpR1P, map[string]any{"SECP_P": secpR1P}},
		{"from starkware.cairo.common.cairo_secp.secp_utils import pack\nSECP_P=2**255-19\n\nvalue = pack(ids.x, PRIME) % SECP_P", "value", secpEd25519P, nil},
		{"from starkware.cairo.common.cairo_secp.secp256r1_utils import SECP256R1_P\nfrom starkware.cairo.common.cairo_secp.secp_utils import pack\nvalue = pack(ids.x, PRIME) % SECP256R1_P", "value", secpR1P, nil},
		{"from starkware.cairo.common.cairo_secp.secp_utils import SECP_P, pack\n\nx = pack(ids.x, PRIME) % SECP_P", "x", secpK1P, nil},
		{"from starkware.cairo.common.cairo_secp.secp_utils import SECP_P, pack\nx = pack(ids.x, PRIME) % SECP_P", "x", secpK1P, nil},
		{"from starkware.cairo.common.cairo_secp.secp_utils import pack\nx = pack(ids.x, PRIME) % SECP_P", "x", secpEd25519P, map[string]any{"SECP_P": secpEd25519P}},
		{"from starkware.cairo.common.cairo_secp.secp_utils import pack\n\nx = pack(ids.x, PRIME) % SECP_P", "x", secpK1P, map[string]any{"SECP_P": secpK1P}},
		{"from starkware.cairo.common.cairo_secp.secp_utils import pack\nSECP_P=2**255-19\n\nx = pack(ids.x, PRIME) % SECP_P", "x", secpEd25519P, nil},
		{"from starkware.cairo.common.cairo_secp.secp256r1_utils import SECP256R1_P\nfrom starkware.cairo.common.cairo_secp.secp_utils import pack\n\nx = pack(ids.x, PRIME) % SECP256R1_P", "x", secpR1P, nil},
	} {
		e := newSecpEnv(t, map[string]string{"x": "BigInt3"})
		e.setScope(tt.scope)
		v := new(big.Int).Mul(tt.p, big.NewInt(2))
		v.Add(v, big.NewInt(5))
		l := secpTestSplit(v, 86, 3)
		// Move one unit of d1 into d0 so that the limbs are not canonical.
		l[1].Sub(l[1], big.NewInt(1))
		l[0].Add(l[0], secpBase)
		e.set("x", l...)
		e.mustRun(tt.code)
		if got := e.scope(tt.dst); got.Int64() != 5 {
			t.Errorf("%s = %s, want 5\n%s", tt.dst, got, tt.code)
		}
	}

	// A negative value reduces to the nonnegative residue.
	e := newSecpEnv(t, map[string]string{"x": "BigInt3"})
	e.set("x", big.NewInt(-1), big.NewInt(0), big.NewInt(0))
	e.mustRun("from starkware.cairo.common.cairo_secp.secp_utils import SECP_P, pack\n\nx = pack(ids.x, PRIME) % SECP_P")
	if got, want := e.scope("x"), new(big.Int).Sub(secpK1P, big.NewInt(1)); got.Cmp(want) != 0 {
		t.Fatalf("x = %s, want %s", got, want)
	}

	for _, code := range []string{"memory[ap] = to_felt_or_relocatable(x == 0)", "memory[ap] = int(x == 0)"} {
		for _, tt := range []struct {
			x    any
			want uint64
		}{{big.NewInt(0), 1}, {big.NewInt(9), 0}} {
			e := newHintEnv(t, nil, nil, nil)
			e.RT.Scopes[0]["x"] = tt.x
			if err := e.run(code); err != nil {
				t.Fatal(err)
			}
			if got := e.Mem.Get(e.VM.AP); !got.IsFelt() || !got.Felt().Equal(felt.FromUint64(tt.want)) {
				t.Errorf("%s with x=%v: [ap] = %v", code, tt.x, got)
			}
		}
	}

	for _, tt := range []struct {
		code  string
		p     *big.Int
		scope map[string]any
		xInv  bool
	}{
		{"from starkware.cairo.common.cairo_secp.secp_utils import SECP_P\nfrom starkware.python.math_utils import div_mod\n\nvalue = x_inv = div_mod(1, x, SECP_P)", secpK1P, nil, true},
		{"from starkware.python.math_utils import div_mod\n\nvalue = x_inv = div_mod(1, x, SECP_P)", secpR1P, map[string]any{"SECP_P": secpR1P}, true},
		{"SECP_P=2**255-19\nfrom starkware.python.math_utils import div_mod\n\nvalue = x_inv = div_mod(1, x, SECP_P)", secpEd25519P, nil, true},
		{"from starkware.python.math_utils import div_mod\n\nvalue = div_mod(1, x, SECP256R1_P)", secpR1P, map[string]any{"SECP256R1_P": secpR1P}, false},
	} {
		e := newHintEnv(t, nil, nil, nil)
		x := big.NewInt(123456789)
		e.RT.Scopes[0]["x"] = x
		for k, v := range tt.scope {
			e.RT.Scopes[0][k] = v
		}
		if err := e.run(tt.code); err != nil {
			t.Fatal(err)
		}
		inv := e.RT.Scopes[0]["value"].(*big.Int)
		if new(big.Int).Mod(new(big.Int).Mul(inv, x), tt.p).Int64() != 1 {
			t.Errorf("value is not the inverse of x\n%s", tt.code)
		}
		if _, ok := e.RT.Scopes[0]["x_inv"]; ok != tt.xInv {
			t.Errorf("x_inv set = %v\n%s", ok, tt.code)
		}
	}
}

func TestSecpAssert165Bit(t *testing.T) {
	code := secpCode(t, secpFieldHints, "outside of the range [0, 2**165)")
	e := newSecpEnv(t, map[string]string{"value": "felt", "high": "felt", "low": "felt"})
	v := new(big.Int).Add(new(big.Int).Lsh(big.NewInt(7), 150), big.NewInt(99))
	e.set("value", v)
	e.mustRun(code)
	if e.get("high", 0).Cmp(new(big.Int).Rsh(v, 128)) != 0 || e.get("low", 0).Cmp(new(big.Int).And(v, secpMask128)) != 0 {
		t.Fatal("high/low do not split value")
	}
	e = newSecpEnv(t, map[string]string{"value": "felt", "high": "felt", "low": "felt"})
	e.set("value", big.NewInt(-1))
	if err := e.run(code); err == nil || !strings.Contains(err.Error(), "is outside of the range [0, 2**165).") {
		t.Fatalf("out-of-range value: %v", err)
	}
}
