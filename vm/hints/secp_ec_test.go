package hints

import (
	"crypto/elliptic"
	"math/big"
	"testing"
)

// secpECCodes are the hints of one curve's ec_double / fast_ec_add
// sequence, in the spelling one library version uses.
type secpECCodes struct {
	name                 string
	setup                []string // hints run first (imports of the curve constants)
	doubleSlope, newX    string
	newY                 string
	addSlope, addX, addY string
	alpha, p             *big.Int
}

const (
	secpTestNewYDouble = "value = new_y = (slope * (x - new_x) - y) % SECP_P"
	secpTestNewYAdd    = "value = new_y = (slope * (x0 - new_x) - y0) % SECP_P"
)

func secpTestCurves(t *testing.T) []secpECCodes {
	c := func(fr ...string) string { return secpCode(t, secpECHints, fr...) }
	return []secpECCodes{
		{
			name:        "secp256k1",
			doubleSlope: c("ec_double_slope(point=(x, y), alpha=0, p=SECP_P)"),
			newX:        c("import SECP_P, pack\n\nslope", "ids.point.x", "2 * x"),
			newY:        secpTestNewYDouble,
			addSlope:    c("import SECP_P, pack", "line_slope(point1"),
			addX:        c("import SECP_P, pack\n\nslope", "ids.point0.x", "x0 - x1"),
			addY:        secpTestNewYAdd,
			alpha:       secpK1Alpha, p: secpK1P,
		},
		{
			name:        "secp256k1 pt",
			doubleSlope: c("div_mod(3 * x ** 2, 2 * y, SECP_P)"),
			newX:        c("ids.pt.x", "2 * x"),
			newY:        secpTestNewYDouble,
			addSlope:    c("div_mod(y0 - y1, x0 - x1, SECP_P)"),
			addX:        c("ids.pt0.x", "pow(slope, 2"),
			addY:        secpTestNewYAdd,
			alpha:       secpK1Alpha, p: secpK1P,
		},
		{
			name: "secp256r1 through the scope",
			setup: []string{
				"from starkware.cairo.common.cairo_secp.secp256r1_utils import SECP256R1_P as SECP_P",
				"from starkware.cairo.common.cairo_secp.secp256r1_utils import SECP256R1_ALPHA as ALPHA",
			},
			doubleSlope: c("alpha=ALPHA, p=SECP_P"),
			newX:        "from starkware.cairo.common.cairo_secp.secp_utils import pack\n\nslope = pack(ids.slope, PRIME)\nx = pack(ids.point.x, PRIME)\ny = pack(ids.point.y, PRIME)\n\nvalue = new_x = (pow(slope, 2, SECP_P) - 2 * x) % SECP_P",
			newY:        secpTestNewYDouble,
			addSlope:    "from starkware.cairo.common.cairo_secp.secp_utils import pack\nfrom starkware.python.math_utils import line_slope\n\n# Compute the slope.\nx0 = pack(ids.point0.x, PRIME)\ny0 = pack(ids.point0.y, PRIME)\nx1 = pack(ids.point1.x, PRIME)\ny1 = pack(ids.point1.y, PRIME)\nvalue = slope = line_slope(point1=(x0, y0), point2=(x1, y1), p=SECP_P)",
			addX:        "from starkware.cairo.common.cairo_secp.secp_utils import pack\n\nslope = pack(ids.slope, PRIME)\nx0 = pack(ids.point0.x, PRIME)\nx1 = pack(ids.point1.x, PRIME)\ny0 = pack(ids.point0.y, PRIME)\n\nvalue = new_x = (pow(slope, 2, SECP_P) - x0 - x1) % SECP_P",
			addY:        secpTestNewYAdd,
			alpha:       secpR1Alpha, p: secpR1P,
		},
		{
			name:        "secp256r1 library",
			setup:       []string{"from starkware.cairo.common.cairo_secp.secp256r1_utils import SECP256R1_P as SECP_P"},
			doubleSlope: c("alpha=SECP256R1_ALPHA, p=SECP256R1_P"),
			newX:        c("pow(slope, 2, SECP256R1_P) - 2 * x"),
			newY:        "value = new_y = (slope * (x - new_x) - y) % SECP256R1_P",
			addSlope:    c("line_slope(point1=(x0, y0), point2=(x1, y1), p=SECP256R1_P)"),
			addX:        "from starkware.cairo.common.cairo_secp.secp_utils import pack\n\nslope = pack(ids.slope, PRIME)\nx0 = pack(ids.point0.x, PRIME)\nx1 = pack(ids.point1.x, PRIME)\ny0 = pack(ids.point0.y, PRIME)\n\nvalue = new_x = (pow(slope, 2, SECP_P) - x0 - x1) % SECP_P",
			addY:        secpTestNewYAdd,
			alpha:       secpR1Alpha, p: secpR1P,
		},
		{
			name:        "ed25519 (vrf)",
			doubleSlope: c("alpha=42204101795669822316448953119945047945709099015225996174933988943478124189485"),
			newX:        c("SECP_P = 2**255-19", "2 * x"),
			newY:        secpTestNewYDouble,
			addSlope:    c("SECP_P = 2**255-19", "line_slope(point1"),
			addX:        c("SECP_P = 2**255-19", "x0 - x1"),
			addY:        secpTestNewYAdd,
			alpha:       secpEd25519Alpha, p: secpEd25519P,
		},
	}
}

// secpRefDouble and secpRefAdd are textbook affine formulas, the reference
// the hint sequences are checked against (besides known points).
func secpRefDouble(x, y, alpha, p *big.Int) (*big.Int, *big.Int) {
	num := new(big.Int).Mul(x, x)
	num.Mul(num, big.NewInt(3)).Add(num, alpha)
	den := new(big.Int).ModInverse(new(big.Int).Mod(new(big.Int).Mul(y, big.NewInt(2)), p), p)
	m := num.Mul(num, den).Mod(num, p)
	return secpRefFinish(m, x, x, y, p)
}

func secpRefAdd(x0, y0, x1, y1, p *big.Int) (*big.Int, *big.Int) {
	num := new(big.Int).Sub(y0, y1)
	den := new(big.Int).ModInverse(new(big.Int).Mod(new(big.Int).Sub(x0, x1), p), p)
	m := num.Mul(num, den).Mod(num, p)
	return secpRefFinish(m, x0, x1, y0, p)
}

func secpRefFinish(m, x0, x1, y0, p *big.Int) (*big.Int, *big.Int) {
	nx := new(big.Int).Mul(m, m)
	nx.Sub(nx, x0).Sub(nx, x1).Mod(nx, p)
	ny := new(big.Int).Sub(x0, nx)
	ny.Mul(ny, m).Sub(ny, y0).Mod(ny, p)
	return nx, ny
}

// secpRunDouble runs the ec_double hint sequence of cairo_secp/ec.cairo:
// slope, nondet_bigint3(slope), new_x, nondet_bigint3(new_x), new_y.
func secpRunDouble(e *secpEnv, codes secpECCodes, x, y *big.Int) (slope, nx, ny *big.Int) {
	e.t.Helper()
	nondet := "from starkware.cairo.common.cairo_secp.secp_utils import split\n\nsegments.write_arg(ids.res.address_, split(value))"
	for _, s := range codes.setup {
		e.mustRun(s)
	}
	e.setPoint("point", x, y)
	e.mustRun(codes.doubleSlope)
	e.mustRun(nondet)
	slope = e.getLimbs("res", 3, 86)
	e.setBigInt3("slope", slope)
	e.mustRun(codes.newX)
	nx = e.scope("new_x")
	e.mustRun(codes.newY)
	ny = e.scope("new_y")
	return slope, nx, ny
}

func TestSecpECDoubleAndAdd(t *testing.T) {
	r1 := elliptic.P256().Params()
	known := map[string][3][2]*big.Int{}
	known["secp256k1"] = [3][2]*big.Int{k1G, k12G, k13G}
	known["secp256k1 pt"] = known["secp256k1"]
	// crypto/elliptic's generic arithmetic is an independent reference for
	// P-256 points here, which is exactly what its deprecated API is for.
	r2x, r2y := elliptic.P256().Double(r1.Gx, r1.Gy)        //lint:ignore SA1019 reference implementation
	r3x, r3y := elliptic.P256().Add(r1.Gx, r1.Gy, r2x, r2y) //lint:ignore SA1019 reference implementation
	r1Points := [3][2]*big.Int{{r1.Gx, r1.Gy}, {r2x, r2y}, {r3x, r3y}}
	known["secp256r1 through the scope"] = r1Points
	known["secp256r1 library"] = r1Points

	for _, codes := range secpTestCurves(t) {
		t.Run(codes.name, func(t *testing.T) {
			pts, ok := known[codes.name]
			if !ok {
				// No standard points for the vrf curve: start from an
				// arbitrary point and compare with the reference formulas.
				x := big.NewInt(9)
				y := bigDecimal("14781619447589544791020593568409986887264606134616475288964881837755586237401")
				x2, y2 := secpRefDouble(x, y, codes.alpha, codes.p)
				x3, y3 := secpRefAdd(x, y, x2, y2, codes.p)
				pts = [3][2]*big.Int{{x, y}, {x2, y2}, {x3, y3}}
			}
			e := newSecpEnv(t, map[string]string{
				"point": "EcPoint", "pt": "EcPoint", "slope": "BigInt3", "res": "BigInt3",
			})
			slope, nx, ny := secpRunDouble(e, codes, pts[0][0], pts[0][1])
			if nx.Cmp(pts[1][0]) != 0 || ny.Cmp(pts[1][1]) != 0 {
				t.Fatalf("2P = (%x, %x), want (%x, %x)", nx, ny, pts[1][0], pts[1][1])
			}
			if v := e.scope("value"); v.Cmp(ny) != 0 {
				t.Fatalf("value = %s, want new_y", v)
			}
			// The slope satisfies slope * 2y = 3x^2 + alpha.
			l := new(big.Int).Mul(slope, new(big.Int).Lsh(pts[0][1], 1))
			r := new(big.Int).Mul(pts[0][0], pts[0][0])
			r.Mul(r, big.NewInt(3)).Add(r, codes.alpha)
			if l.Sub(l, r).Mod(l, codes.p).Sign() != 0 {
				t.Fatal("doubling slope does not satisfy its equation")
			}

			// fast_ec_add(P, 2P) = 3P, in a fresh frame (memory is write-once)
			// that keeps the scope.
			f := newSecpEnv(t, map[string]string{
				"point0": "EcPoint", "point1": "EcPoint", "pt0": "EcPoint", "pt1": "EcPoint",
				"slope": "BigInt3", "res": "BigInt3",
			})
			f.RT.Scopes = e.RT.Scopes
			f.setPoint("point0", pts[0][0], pts[0][1])
			f.setPoint("point1", pts[1][0], pts[1][1])
			f.mustRun(codes.addSlope)
			f.mustRun("from starkware.cairo.common.cairo_secp.secp_utils import split\n\nsegments.write_arg(ids.res.address_, split(value))")
			f.setBigInt3("slope", f.getLimbs("res", 3, 86))
			f.mustRun(codes.addX)
			f.mustRun(codes.addY)
			if x3, y3 := f.scope("new_x"), f.scope("new_y"); x3.Cmp(pts[2][0]) != 0 || y3.Cmp(pts[2][1]) != 0 {
				t.Fatalf("3P = (%x, %x), want (%x, %x)", x3, y3, pts[2][0], pts[2][1])
			}
		})
	}
}

func TestSecpECSlopeErrors(t *testing.T) {
	// ec_double_slope refuses y = 0 and line_slope equal x coordinates
	// (bare asserts); the pt variants call div_mod directly, which fails
	// its own assert.
	for _, tt := range []struct {
		code string
		ty   map[string]string
	}{
		{secpCode(t, secpECHints, "alpha=0, p=SECP_P"), map[string]string{"point": "EcPoint"}},
		{secpCode(t, secpECHints, "div_mod(3 * x ** 2, 2 * y, SECP_P)"), map[string]string{"pt": "EcPoint"}},
	} {
		e := newSecpEnv(t, tt.ty)
		e.setPoint("point", big.NewInt(5), new(big.Int).Set(secpK1P))
		if err := e.run(tt.code); err == nil || err.Error() != "Got an exception while executing a hint: AssertionError" {
			t.Errorf("y = 0: %v", err)
		}
	}
	for _, tt := range []struct {
		code string
		ty   map[string]string
	}{
		{secpCode(t, secpECHints, "import SECP_P, pack", "line_slope(point1"), map[string]string{"point0": "EcPoint", "point1": "EcPoint"}},
		{secpCode(t, secpECHints, "div_mod(y0 - y1, x0 - x1, SECP_P)"), map[string]string{"pt0": "EcPoint", "pt1": "EcPoint"}},
	} {
		e := newSecpEnv(t, tt.ty)
		e.setPoint("point0", big.NewInt(5), big.NewInt(1))
		e.setPoint("point1", big.NewInt(5), big.NewInt(2))
		if err := e.run(tt.code); err == nil || err.Error() != "Got an exception while executing a hint: AssertionError" {
			t.Errorf("equal x: %v", err)
		}
	}
	// new_y needs the scope of the preceding hints.
	e := newSecpEnv(t, nil)
	if err := e.run(secpTestNewYDouble); err == nil {
		t.Error("new_y without slope accepted")
	}
}

func TestSecpECNegate(t *testing.T) {
	for _, tt := range []struct {
		frag string
		p    *big.Int
	}{{"import SECP_P, pack\n\ny = pack", secpK1P}, {"SECP_P = 2**255-19\n\ny = pack", secpEd25519P}} {
		e := newSecpEnv(t, map[string]string{"point": "EcPoint"})
		y := new(big.Int).Add(tt.p, big.NewInt(10)) // unreduced
		e.setPoint("point", big.NewInt(1), y)
		e.mustRun(secpCode(t, secpECHints, tt.frag))
		if got, want := e.scope("value"), new(big.Int).Sub(tt.p, big.NewInt(10)); got.Cmp(want) != 0 {
			t.Errorf("value = %s, want %s", got, want)
		}
		if e.scope("y").Int64() != 10 {
			t.Errorf("y = %s, want 10", e.scope("y"))
		}
		if e.scope("SECP_P").Cmp(tt.p) != 0 {
			t.Error("SECP_P not stored in the scope")
		}
	}
}

func TestSecpScalarHints(t *testing.T) {
	for _, tt := range []struct {
		scalar *big.Int
		want   uint64
	}{{big.NewInt(6), 0}, {big.NewInt(7), 1}, {big.NewInt(-1), 0}} { // -1 is P - 1, even
		e := newSecpEnv(t, map[string]string{"scalar": "felt"})
		e.set("scalar", tt.scalar)
		e.mustRun("memory[ap] = (ids.scalar % PRIME) % 2")
		if got := e.Mem.Get(e.VM.AP).Felt().BigInt(); got.Uint64() != tt.want {
			t.Errorf("scalar %s: [ap] = %s, want %d", tt.scalar, got, tt.want)
		}
	}

	// ec_mul_by_uint256: nibbles from the top; first_nibble is the most
	// significant, last_nibble the least, and nondet pops the next ones.
	e := newSecpEnv(t, map[string]string{"scalar": "Uint256", "first_nibble": "felt", "last_nibble": "felt"})
	high := bigHex("a1b2c3d4e5f60718293a4b5c6d7e8f90")
	low := bigHex("0f1e2d3c4b5a69788796a5b4c3d2e1f5")
	e.set("scalar", low, high)
	e.mustRun(secpCode(t, secpECHints, "nibbles = [(num >> i)"))
	if e.get("first_nibble", 0).Uint64() != 0xa || e.get("last_nibble", 0).Uint64() != 0x5 {
		t.Fatalf("first/last nibble = %s, %s", e.get("first_nibble", 0), e.get("last_nibble", 0))
	}
	for i, want := range []uint64{1, 0xb, 2, 0xc} {
		ap := e.VM.AP.Add(uint64(i))
		e.VM.AP = ap
		e.mustRun("memory[ap] = to_felt_or_relocatable(nibbles.pop())")
		if got := e.Mem.Get(ap).Felt().BigInt().Uint64(); got != want {
			t.Fatalf("pop %d = %x, want %x", i, got, want)
		}
	}
	l := e.RT.Scopes[0]["nibbles"].(*secpNibbleList)
	l.v = l.v[:0]
	e.VM.AP = e.VM.AP.Add(1)
	if err := e.run("memory[ap] = to_felt_or_relocatable(nibbles.pop())"); err == nil {
		t.Fatal("pop from an empty list accepted")
	}
}

// BenchmarkSecpECDouble runs cairo_secp's ec_double hint sequence
// (doubling slope, nondet_bigint3, new_x, nondet_bigint3, new_y) on G.
func BenchmarkSecpECDouble(b *testing.B) {
	t := &testing.T{}
	codes := secpTestCurves(t)[0]
	e := newSecpEnv(t, map[string]string{"point": "EcPoint", "slope": "BigInt3", "res": "BigInt3"})
	secpRunDouble(e, codes, k1G[0], k1G[1])
	nondet := "from starkware.cairo.common.cairo_secp.secp_utils import split\n\nsegments.write_arg(ids.res.address_, split(value))"
	seq := []*compiled{}
	for _, code := range []string{codes.doubleSlope, nondet, codes.newX, codes.newY} {
		seq = append(seq, &compiled{rt: e.RT, hint: &e.hint, fn: e.RT.lookup(code)})
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, h := range seq {
			if err := h.Execute(e.VM); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.N*len(seq))/b.Elapsed().Seconds(), "hints/s")
}

// BenchmarkSecpFastECAdd runs fast_ec_add's hints (slope, new_x, new_y).
func BenchmarkSecpFastECAdd(b *testing.B) {
	t := &testing.T{}
	codes := secpTestCurves(t)[0]
	e := newSecpEnv(t, map[string]string{"point0": "EcPoint", "point1": "EcPoint", "slope": "BigInt3"})
	e.setPoint("point0", k1G[0], k1G[1])
	e.setPoint("point1", k12G[0], k12G[1])
	e.mustRun(codes.addSlope)
	e.setBigInt3("slope", e.scope("slope"))
	seq := []*compiled{}
	for _, code := range []string{codes.addSlope, codes.addX, codes.addY} {
		seq = append(seq, &compiled{rt: e.RT, hint: &e.hint, fn: e.RT.lookup(code)})
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, h := range seq {
			if err := h.Execute(e.VM); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.N*len(seq))/b.Elapsed().Seconds(), "hints/s")
}
