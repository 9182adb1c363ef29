package builtins

import (
	"math/big"
	"math/rand/v2"
	"testing"

	starkcurve "github.com/consensys/gnark-crypto/ecc/stark-curve"
	"github.com/consensys/gnark-crypto/ecc/stark-curve/ecdsa"
	"github.com/consensys/gnark-crypto/ecc/stark-curve/fp"

	"github.com/kairo-dev/kairo/vm/felt"
	"github.com/kairo-dev/kairo/vm/hash"
	"github.com/kairo-dev/kairo/vm/memory"
)

func TestRangeCheckValidation(t *testing.T) {
	tests := []struct {
		layout, name string
		v            memory.Value
		want         string
	}{
		{"small", "range_check", uv(0), ""},
		{"small", "range_check", fv("0xffffffffffffffffffffffffffffffff"), ""},
		{"small", "range_check", fv("0x100000000000000000000000000000000"),
			"Value 340282366920938463463374607431768211456, in range check builtin 0, is out of range [0, 340282366920938463463374607431768211456)."},
		{"small", "range_check", fv("-1"),
			"Value 3618502788666131213697322783095070105623107215331596699973092056135872020480, in range check builtin 0, is out of range [0, 340282366920938463463374607431768211456)."},
		{"small", "range_check", memory.RelocValue(memory.Relocatable{Segment: 2}),
			"Range-check builtin: Expected value at address 2:0 to be an integer. Got: 2:0."},
		{"all_cairo", "range_check96", fv("0xffffffffffffffffffffffff"), ""},
		{"all_cairo", "range_check96", fv("0x1000000000000000000000000"),
			"in range check builtin 0, is out of range [0, 79228162514264337593543950336)."},
	}
	for _, tc := range tests {
		r := NewRangeCheck(mustDef(t, tc.layout, tc.name), true)
		m := setup(t, r)
		err := m.Set(r.Base(), tc.v)
		if tc.want == "" {
			if err != nil {
				t.Errorf("%s %s: %v", tc.name, tc.v, err)
			}
			continue
		}
		wantErr(t, err, tc.want)
	}
}

func TestRangeCheckUsageAndPrivateInput(t *testing.T) {
	r := NewRangeCheck(mustDef(t, "small", "range_check"), true)
	m := setup(t, r)
	env := &Env{Mem: m}
	if _, _, ok := r.RangeCheckUsage(env); ok {
		t.Fatal("usage of an empty segment")
	}
	set(t, m, r.Base().Add(1), fv("0x50003"))
	set(t, m, r.Base(), fv("0x7fff000000000000000000000000ffff"))
	lo, hi, ok := r.RangeCheckUsage(env)
	if !ok || lo != 0 || hi != 0xffff {
		t.Fatalf("usage %d %d %v", lo, hi, ok)
	}
	got := mustJSON(t, must(r.AirPrivateInput(env)))
	want := `{"range_check":[{"index":0,"value":"0x7fff000000000000000000000000ffff"},{"index":1,"value":"0x50003"}]}`
	if got != want {
		t.Fatalf("private input %s", got)
	}
	r2 := NewRangeCheck(mustDef(t, "small", "range_check"), true)
	m2 := setup(t, r2)
	set(t, m2, r2.Base(), fv("0x10000000200000003"))
	lo, hi, _ = r2.RangeCheckUsage(&Env{Mem: m2})
	if lo != 0 || hi != 3 {
		t.Fatalf("usage %d %d", lo, hi)
	}
}

func must(v map[string]any, err error) map[string]any {
	if err != nil {
		panic(err)
	}
	return v
}

func TestFinalStackAndSecurity(t *testing.T) {
	b := NewBitwise(mustDef(t, "recursive", "bitwise"), true)
	m := setup(t, b)
	set(t, m, b.Base(), uv(12))
	set(t, m, b.Base().Add(1), uv(10))
	deduce(t, m, b.Base().Add(3))
	exec := memory.Relocatable{Segment: 1}
	env := &Env{Mem: m}
	set(t, m, exec, memory.RelocValue(b.Base().Add(4)))
	_, err := b.FinalStack(env, exec.Add(1))
	wantErr(t, err, "Invalid stop pointer for bitwise. Expected: 2:5, found: 2:4")
	set(t, m, exec.Add(1), memory.RelocValue(b.Base().Add(5)))
	p, err := b.FinalStack(env, exec.Add(2))
	if err != nil || p != exec.Add(1) {
		t.Fatalf("final stack %s %v", p, err)
	}
	sa := b.SegmentAddresses()["bitwise"]
	if !sa.HasStop || sa.Stop != b.Base().Add(5) || sa.Begin != b.Base() {
		t.Fatalf("segment addresses %+v", sa)
	}
	if err := b.RunSecurityChecks(env); err != nil {
		t.Fatal(err)
	}
	// Instances with missing inputs.
	for _, off := range []uint64{5, 7, 8, 11} {
		set(t, m, b.Base().Add(off), uv(1))
	}
	wantErr(t, b.RunSecurityChecks(env), "Missing memory cells for bitwise: 6, 10.")
	// Too few cells for the instances spanned.
	set(t, m, b.Base().Add(40), uv(1))
	wantErr(t, b.RunSecurityChecks(env), "Missing memory cells for bitwise.")

	// An excluded builtin keeps the pointer.
	ex := NewBitwise(mustDef(t, "recursive", "bitwise"), false)
	setup(t, ex)
	if p, err := ex.FinalStack(env, exec.Add(2)); err != nil || p != exec.Add(2) || len(ex.InitialStack()) != 0 {
		t.Fatal("excluded builtin")
	}
}

func TestBitwise(t *testing.T) {
	b := NewBitwise(mustDef(t, "recursive", "bitwise"), true)
	m := setup(t, b)
	base := b.Base()
	if _, ok, _ := m.Deduce(base.Add(2)); ok {
		t.Fatal("deduced without inputs")
	}
	set(t, m, base.Add(1), uv(10)) // y first
	set(t, m, base, uv(12))
	for i, want := range []uint64{8, 6, 14} {
		if got := deduce(t, m, base.Add(uint64(2+i))); got != uv(want) {
			t.Fatalf("cell %d = %s, want %d", 2+i, got, want)
		}
	}
	if _, ok, _ := m.Deduce(base.Add(1)); ok {
		t.Fatal("deduced an input cell")
	}
	tooBig := fv("0x800000000000000000000000000000000000000000000000000000000000000") // 2^251
	set(t, m, base.Add(5), tooBig)
	set(t, m, base.Add(6), uv(1))
	_, _, err := m.Deduce(base.Add(7))
	wantErr(t, err, "bitwise builtin: Expected integer at address 2:5 to be smaller than 2^251. Got: 3618502788666131106986593281521497120414687020801267626233049500247285301248.")
	pi := mustJSON(t, must(b.AirPrivateInput(&Env{Mem: m})))
	if pi != `{"bitwise":[{"index":0,"y":"0xa","x":"0xc"},{"index":1,"x":"0x800000000000000000000000000000000000000000000000000000000000000","y":"0x1"}]}` {
		t.Fatalf("private input %s", pi)
	}
	set(t, m, base.Add(10), uv(1))
	set(t, m, base.Add(11), memory.RelocValue(base))
	_, _, err = m.Deduce(base.Add(12))
	wantErr(t, err, "bitwise builtin: Expected integer at address 2:11. Got: 2:0.")

	max := fv("0x7ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff")
	b2 := NewBitwise(mustDef(t, "recursive", "bitwise"), true)
	m2 := setup(t, b2)
	set(t, m2, b2.Base(), max)
	set(t, m2, b2.Base().Add(1), fv("0x5555555555555555555555555555555555555555555555555555555555555555"[:65]))
	got := deduce(t, m2, b2.Base().Add(3))
	want := felt.FromBigInt(new(big.Int).Xor(bigHex("0x7ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"),
		bigHex("0x5555555555555555555555555555555555555555555555555555555555555555"[:65])))
	if got.Felt() != want {
		t.Fatalf("xor %s", got)
	}

	b3 := NewBitwise(mustDef(t, "recursive", "bitwise"), true)
	m3 := setup(t, b3)
	set(t, m3, b3.Base().Add(5), uv(1))
	_, err = b3.AirPrivateInput(&Env{Mem: m3})
	wantErr(t, err, "Missing second input of bitwise instance 1.")
	if got := b.UsedDilutedCheckUnits(4, 16); got != 68 {
		t.Fatalf("diluted units %d", got)
	}
}

func TestPedersen(t *testing.T) {
	p := NewPedersen(mustDef(t, "small", "pedersen"), true)
	m := setup(t, p)
	base := p.Base()
	set(t, m, base, uv(1))
	set(t, m, base.Add(1), uv(2))
	got := deduce(t, m, base.Add(2))
	if want := fv("0x5bb9440e27889a364bcb678b1f679ecd1347acdedcbf36e83494f857cc58026"); got != want {
		t.Fatalf("pedersen(1, 2) = %s", got.Felt())
	}
	// Once verified, the rule no longer answers for the cell.
	if _, ok, _ := m.Deduce(base.Add(2)); ok {
		t.Fatal("deduced a verified cell again")
	}
	set(t, m, base.Add(4), uv(0))
	set(t, m, base.Add(3), uv(0))
	if got := deduce(t, m, base.Add(5)); got.Felt() != hash.Pedersen(felt.Zero, felt.Zero) {
		t.Fatal("pedersen(0, 0)")
	}
	pi := mustJSON(t, must(p.AirPrivateInput(&Env{Mem: m})))
	if pi != `{"pedersen":[{"index":0,"x":"0x1","y":"0x2"},{"index":1,"y":"0x0","x":"0x0"}]}` {
		t.Fatalf("private input %s", pi)
	}
	set(t, m, base.Add(6), memory.RelocValue(base))
	set(t, m, base.Add(7), uv(0))
	_, _, err := m.Deduce(base.Add(8))
	wantErr(t, err, "pedersen builtin: Expected integer at address 2:6. Got: 2:0.")
	if ad := mustJSON(t, p.AdditionalData()); ad != "[[2,2],[2,5]]" {
		t.Fatalf("additional data %s", ad)
	}
	q := NewPedersen(mustDef(t, "small", "pedersen"), true)
	setup(t, q)
	if err := q.ExtendAdditionalData([]any{[]any{2.0, 8.0}}, nil, true); err != nil {
		t.Fatal(err)
	}
	if err := q.ExtendAdditionalData([]any{[]any{3.0, 8.0}}, nil, false); err != nil {
		t.Fatal(err)
	}
	if ad := mustJSON(t, q.AdditionalData()); ad != "[[2,8]]" {
		t.Fatalf("extended additional data %s", ad)
	}
}

func TestPoseidon(t *testing.T) {
	p := NewPoseidon(mustDef(t, "starknet", "poseidon"), true)
	m := setup(t, p)
	base := p.Base()
	set(t, m, base.Add(0), fv("0x103632488bb3633f16c44dc1d14f3a"))
	set(t, m, base.Add(2), uv(0))
	if _, ok, _ := m.Deduce(base.Add(4)); ok {
		t.Fatal("deduced with a missing input")
	}
	set(t, m, base.Add(1), fv("0x17ebd0d4f89091090ed42288e1f5411474ae443b4581606b2"))
	want := []string{
		"0x1eeeb0e339a6b72b23c395a0b7ba0faee90c4c90a9c3304361752b50f8ffde2",
		"0x5d95da6bb5af1d22f37cdeb97200c8e4820b53a8de238c0231de237b7d6f99",
		"0x7fcf464c69e559d55ac24d10150f521d5d5526fa8ebd76096fed0e9086221e9",
	}
	for _, i := range []uint64{4, 3, 5} {
		if got := deduce(t, m, base.Add(i)); got != fv(want[i-3]) {
			t.Fatalf("output %d = %s", i-3, got.Felt())
		}
	}
	pi := mustJSON(t, must(p.AirPrivateInput(&Env{Mem: m})))
	if pi != `{"poseidon":[{"index":0,"input_s0":"0x103632488bb3633f16c44dc1d14f3a","input_s2":"0x0","input_s1":"0x17ebd0d4f89091090ed42288e1f5411474ae443b4581606b2"}]}` {
		t.Fatalf("private input %s", pi)
	}
	set(t, m, base.Add(6), memory.RelocValue(base))
	set(t, m, base.Add(7), uv(0))
	set(t, m, base.Add(8), uv(0))
	_, _, err := m.Deduce(base.Add(9))
	wantErr(t, err, "poseidon builtin: Expected integer at address 2:6. Got: 2:0.")
	p2 := NewPoseidon(mustDef(t, "starknet", "poseidon"), true)
	m2 := setup(t, p2)
	set(t, m2, p2.Base().Add(12), uv(0))
	_, err = p2.AirPrivateInput(&Env{Mem: m2})
	wantErr(t, err, "Missing input #1 of poseidon instance 2.")
}

func TestKeccak(t *testing.T) {
	k := NewKeccak(mustDef(t, "starknet_with_keccak", "keccak"), true)
	m := setup(t, k)
	base := k.Base()
	for i, v := range []uint64{0x44, 0x15, 0x23, 0x4a, 0x2b, 0xd, 0x1f, 0x25} {
		set(t, m, base.Add(uint64(i)), uv(v))
	}
	want := []string{
		"0xcfc16e3eb5867068dad4297a7ddcda41c72ae46fb08a41c69c",
		"0x6db95bbf04052508b4299ff93a74182c1a77e4484f7f2bd8fb",
		"0x9d3154b1420f4043cb949f187119d4ce2bce0a97774a9cad8d",
		"0xbcbe29584cacdc8eba2f6d3d314fbe468b0838b77a0968d9dd",
		"0x729479aafb9dd61f19290c79db79436e0d1c68a578ff78d51f",
		"0xf5d1afd9cca19e835a348ceeed072ce0f12b442655758ff45c",
		"0xa23a2f3371027da7a291fd129a2a46fdae0dae289a3178670",
		"0x8c1a9d3c2f3dacdc313b0aef5484b92eb909d3b94feeb84d01",
	}
	for i := 7; i >= 0; i-- {
		if got := deduce(t, m, base.Add(uint64(8+i))); got != fv(want[i]) {
			t.Fatalf("output %d = %s", i, got.Felt())
		}
	}
	pi := mustJSON(t, must(k.AirPrivateInput(&Env{Mem: m})))
	if pi != `{"keccak":[{"index":0,"input_s0":"0x44","input_s1":"0x15","input_s2":"0x23","input_s3":"0x4a","input_s4":"0x2b","input_s5":"0xd","input_s6":"0x1f","input_s7":"0x25"}]}` {
		t.Fatalf("private input %s", pi)
	}
	for i := uint64(0); i < 8; i++ {
		set(t, m, base.Add(16+i), uv(0))
	}
	if got := deduce(t, m, base.Add(16+8)); got != fv("0x4dd598261ea65aa9ee84d5ccf933c0478af1258f7940e1dde7") {
		// Keccak-f[1600] of the zero state, first 25 bytes little-endian:
		// lanes F1258F7940E1DDE7, 84D5CCF933C0478A, D598261EA65AA9EE and
		// the low byte of BD1547306F80494D.
		t.Fatalf("zero state output %s", got.Felt())
	}
	set(t, m, base.Add(32), fv("0x100000000000000000000000000000000000000000000000000"))
	for i := uint64(1); i < 8; i++ {
		set(t, m, base.Add(32+i), uv(0))
	}
	_, _, err := m.Deduce(base.Add(40))
	wantErr(t, err, "Keccak builtin: Expected integer at address 2:32 to be smaller than 2^200. Got: 1606938044258990275541962092341162602522202993782792835301376.")
	if got := k.UsedDilutedCheckUnits(4, 16); got != 16384 {
		t.Fatalf("diluted units %d", got)
	}
}

func TestEcOp(t *testing.T) {
	type pt [2]string
	shift := pt{"0x49ee3eba8c1600700ee1b87eb599f16716b0b1022947733551fde4050ca6804",
		"0x3ca0cfe4b3bc6ddf346d49d06ea0ed34e621062c0e056c1d0405d266e10268a"}
	minusShift := pt{shift[0], "-" + shift[1]}
	gen := pt{"0x1ef15c18599971b7beced415a40f0c7deacfd9b0d1819e03d723d8bc943cfca",
		"0x5668060aa49730b7be4801df46ec62de53ecd11abe43a32873000c36e8dc1f"}
	double := pt{"0x50df063bade89786afe17108abf861503fc71361ec7b32a5de621cdd54e5a68",
		"0x71c9ab15bee8f3821a57f58a352bf859b6e549bfb24f4b0cdf899f0f672024b"}
	tests := []struct {
		name    string
		p, q    pt
		m       string
		want    pt
		wantErr string
	}{
		{"golden", pt{"0x354c86a1c7bd63edd3461f6206848a2a2e783b4bbd7dd7168e20ff99b5bd75e", "0x55671d5a7769edd48bfc9ba004dd7494d46a58352dbeab2ed1df1723f1e81f1"},
			pt{"0x654fd7e67a123dd13868093b3b7777f1ffef596c2e324f25ceaf9146698482c", "0x4fad269cbf860980e38768fe9cb6b0b9ab03ee3fe84cfde2eccce597c874fd8"},
			"0x22", pt{"0x7cddaa2992380f3f485ac348d79bd7c131133276a6f367d8582f1b518556e39", "0x13786202eef75fb8ff2540f3030f58a18b46a58390ea1b3ad90e56271843e19"}, ""},
		{"shift + 3G", shift, gen, "3",
			pt{"0x7e7981dbdcab7a12e82a71563265fe17d1e468def04dc824c342bd113b8a6ba", "0x74af28209b54a0943e10972953ae3acc93ca2d74caf5b07c0a833fbb9aba0ff"}, ""},
		{"m = 0", shift, gen, "0", shift, ""},
		{"q not on curve", shift, pt{"123", "456"}, "3", pt{}, "ec_op builtin: point (123, 456) is not on the curve."},
		{"p not on curve", pt{"123", "456"}, shift, "3", pt{}, "ec_op builtin: point (123, 456) is not on the curve."},
		{"q = -p", shift, minusShift, "3", pt{}, "Cannot apply EC operation: computation reached two points with the same x coordinate.\nAttempting to compute P + m * Q where:\nP = (2089986280348253421170679821480865132823066470938446095505822317253594081284, 1713931329540660377023406109199410414810705867260802078187082345529207694986)\nm = 3\nQ = (2089986280348253421170679821480865132823066470938446095505822317253594081284, 1904571459125470836673916673895659690812401348070794621786009710606664325495)."},
		{"q = p", shift, shift, "3", pt{}, "Cannot apply EC operation"},
		{"2p + 8p", double, shift, "8", pt{}, "Cannot apply EC operation"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := NewEcOp(mustDef(t, "all_solidity", "ec_op"), true)
			m := setup(t, e)
			base := e.Base()
			for i, s := range []string{tc.p[0], tc.p[1], tc.q[0], tc.q[1], tc.m} {
				set(t, m, base.Add(uint64(i)), fv(s))
			}
			v, ok, err := m.Deduce(base.Add(6))
			if tc.wantErr != "" {
				wantErr(t, err, tc.wantErr)
				return
			}
			if err != nil || !ok {
				t.Fatalf("deduce: %v %v", ok, err)
			}
			if v != fv(tc.want[1]) {
				t.Fatalf("y = %s", v.Felt())
			}
			if x := deduce(t, m, base.Add(5)); x != fv(tc.want[0]) {
				t.Fatalf("x = %s", x.Felt())
			}
		})
	}
	// Private input keys follow the write order.
	e := NewEcOp(mustDef(t, "all_solidity", "ec_op"), true)
	m := setup(t, e)
	for _, i := range []uint64{0, 1, 4, 2, 3} {
		set(t, m, e.Base().Add(i), uv(i+1))
	}
	pi := mustJSON(t, must(e.AirPrivateInput(&Env{Mem: m})))
	if pi != `{"ec_op":[{"index":0,"p_x":"0x1","p_y":"0x2","m":"0x5","q_x":"0x3","q_y":"0x4"}]}` {
		t.Fatalf("private input %s", pi)
	}
	set(t, m, e.Base().Add(7), uv(1))
	_, err := e.AirPrivateInput(&Env{Mem: m})
	wantErr(t, err, "Missing input 'p_y' of ec_op instance 1.")
	set(t, m, e.Base().Add(8), memory.RelocValue(e.Base()))
	for i := uint64(9); i < 12; i++ {
		set(t, m, e.Base().Add(i), uv(1))
	}
	_, _, err = m.Deduce(e.Base().Add(12))
	wantErr(t, err, "ec_op builtin: Expected integer at address 2:8.Got: 2:0.")
}

// Signature made with private key 0x1234567890abcdef1234567890abcdef.
const (
	sigPub = "0x31b88d91e173d70b5bd284f7a898d99005d9ade236ee671e0db0078996aa599"
	sigMsg = "0x2c55f1f61e8f0ff4a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f607"
	sigR   = "0x65f07c75a633a769fcaf6d59aba95c9b1386b5f27f3ae41f7ebf2130bf2b655"
	sigS   = "0x4cc90e8dbc3fd8977e0821f18daff7f39f7ac40f020d7b452f7e770f8b75117"
	sigW   = "0x2a03c2c5f5385f8d4755e5359b7b1ca4a35773ecfd0e24b651f0353cfa8d9db"
)

func TestEcdsa(t *testing.T) {
	e := NewEcdsa(mustDef(t, "small", "ecdsa"), true)
	m := setup(t, e)
	base := e.Base()
	if err := e.AddSignature(memory.RelocValue(base), bigHex(sigR), bigHex(sigS)); err != nil {
		t.Fatal(err)
	}
	set(t, m, base.Add(1), fv(sigMsg)) // message first: no check yet
	set(t, m, base, fv(sigPub))

	// Wrong message.
	if err := e.AddSignature(memory.RelocValue(base.Add(2)), bigHex(sigR), bigHex(sigS)); err != nil {
		t.Fatal(err)
	}
	set(t, m, base.Add(2), fv(sigPub))
	err := m.Set(base.Add(3), uv(5))
	wantErr(t, err, "Signature ("+bigHex(sigR).String()+", "+bigHex(sigS).String()+"), is invalid, with respect to the public key "+
		bigHex(sigPub).String()+", and the message hash 5.")

	// No signature registered.
	set(t, m, base.Add(4), fv(sigPub))
	wantErr(t, m.Set(base.Add(5), uv(5)), "Signature hint is missing for ECDSA builtin at address 2:4. Add it using 'ecdsa_builtin.add_signature'.")
	// Address as public key.
	if err := e.AddSignature(memory.RelocValue(base.Add(6)), bigHex(sigR), bigHex(sigS)); err != nil {
		t.Fatal(err)
	}
	set(t, m, base.Add(7), uv(5))
	wantErr(t, m.Set(base.Add(6), memory.RelocValue(base)), "ECDSA builtin: Expected public key at address 2:6 to be an integer. Got: 2:0.")

	wantErr(t, e.AddSignature(uv(3), big.NewInt(1), big.NewInt(1)), "Expected memory address to be relocatable value. Found: 3.")
	wantErr(t, e.AddSignature(memory.RelocValue(memory.Relocatable{Segment: 1}), big.NewInt(1), big.NewInt(1)),
		"Signature hint must point to the signature builtin segment, not 1:0.")
	wantErr(t, e.AddSignature(memory.RelocValue(base.Add(1)), big.NewInt(1), big.NewInt(1)),
		"Signature hint must point to the public key cell, not 2:1.")

	e2 := NewEcdsa(mustDef(t, "small", "ecdsa"), true)
	m2 := setup(t, e2)
	if err := e2.AddSignature(memory.RelocValue(e2.Base().Add(2)), bigHex(sigR), bigHex(sigS)); err != nil {
		t.Fatal(err)
	}
	set(t, m2, e2.Base().Add(2), fv(sigPub))
	set(t, m2, e2.Base().Add(3), fv(sigMsg))
	pi := mustJSON(t, must(e2.AirPrivateInput(&Env{Mem: m2})))
	want := `{"ecdsa":[{"index":1,"pubkey":"` + sigPub + `","msg":"` + sigMsg + `","signature_input":{"r":"` + sigR + `","w":"` + sigW + `"}}]}`
	if pi != want {
		t.Fatalf("private input\n%s\nwant\n%s", pi, want)
	}
	ad := mustJSON(t, e2.AdditionalData())
	if ad != "[[[2,2],["+bigHex(sigR).String()+","+bigHex(sigS).String()+"]]]" {
		t.Fatalf("additional data %s", ad)
	}
}

func TestVerifyECDSA(t *testing.T) {
	pub, msg := felt.MustFromString(sigPub), felt.MustFromString(sigMsg)
	r, s := bigHex(sigR), bigHex(sigS)
	tests := []struct {
		name    string
		msg     felt.Felt
		r, s    *big.Int
		pub     felt.Felt
		valid   bool
		wantErr string
	}{
		{"valid", msg, r, s, pub, true, ""},
		{"other message", felt.FromUint64(7), r, s, pub, false, ""},
		{"zero message", felt.Zero, r, s, pub, false, ""},
		{"public key off the curve", msg, r, s, felt.FromUint64(0), false, ""},
		{"s = 0", msg, r, big.NewInt(0), pub, false, "s = 0"},
		{"s = order", msg, r, new(big.Int).Set(ecOrder), pub, false, "s = " + ecOrder.String()},
		{"r = 0", msg, big.NewInt(0), s, pub, false, "r = 0"},
		{"r too big", msg, new(big.Int).Lsh(big.NewInt(1), 251), s, pub, false, "r = " + new(big.Int).Lsh(big.NewInt(1), 251).String()},
		{"w too big", msg, r, big.NewInt(1), pub, false, ""},
		{"message too big", felt.MustFromString("0x800000000000000000000000000000000000000000000000000000000000000"), r, s, pub, false, "msg_hash = "},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ok, err := VerifyECDSA(tc.msg, tc.r, tc.s, tc.pub)
			if tc.wantErr != "" {
				wantErr(t, err, tc.wantErr)
				return
			}
			if err != nil || ok != tc.valid {
				t.Fatalf("valid %v err %v, want %v", ok, err, tc.valid)
			}
		})
	}
}

func TestOutput(t *testing.T) {
	o := NewOutput(true)
	m := setup(t, o)
	base := o.Base()
	for i := uint64(0); i < 5; i++ {
		set(t, m, base.Add(i), uv(i))
	}
	if err := o.AddPage(1, memory.RelocValue(base.Add(1)), 2); err != nil {
		t.Fatal(err)
	}
	wantErr(t, o.AddPage(1, memory.RelocValue(base), 1), "Page 1 was already assigned.")
	wantErr(t, o.AddPage(2, uv(1), 1), "page_start must be in the output segment.")
	if err := o.AddPage(3, memory.RelocValue(base.Add(4)), 1); err != nil {
		t.Fatal(err)
	}
	o.AddAttribute("gps_fact_topology", []int{1, 2})
	env := &Env{Mem: m}
	exec := memory.Relocatable{Segment: 1}
	set(t, m, exec, memory.RelocValue(base.Add(4)))
	_, err := o.FinalStack(env, exec.Add(1))
	wantErr(t, err, "Invalid stop pointer for output. Expected: 2:5, found: 2:4")
	if err := o.FinalizeSegments(env); err != nil {
		t.Fatal(err)
	}
	pub := m.PublicMemory(base.Segment)
	pages := make([]uint64, len(pub))
	for i, c := range pub {
		pages[i] = c.Page
	}
	if mustJSON(t, pages) != "[0,1,1,0,3]" || m.Size(base.Segment) != 5 {
		t.Fatalf("public pages %v size %d", pages, m.Size(base.Segment))
	}
	if ad := mustJSON(t, o.AdditionalData()); ad != `{"pages":{"1":[1,2],"3":[4,1]},"attributes":{"gps_fact_topology":[1,2]}}` {
		t.Fatalf("additional data %s", ad)
	}
	if n, _ := o.AllocatedMemoryUnits(env); n != 0 {
		t.Fatal("output allocates memory units")
	}

	o2 := NewOutput(true)
	m2 := setup(t, o2)
	set(t, m2, o2.Base().Add(2), uv(1))
	_ = o2.AddPage(1, memory.RelocValue(o2.Base()), 2)
	_ = o2.AddPage(2, memory.RelocValue(o2.Base().Add(1)), 2)
	wantErr(t, o2.FinalizeSegments(&Env{Mem: m2}), "Offset 1 was already assigned a page.")
	o3 := NewOutput(true)
	m3 := setup(t, o3)
	_ = o3.AddPage(7, memory.RelocValue(o3.Base()), 2)
	wantErr(t, o3.FinalizeSegments(&Env{Mem: m3}), "Page 7 is out of bounds.")

	o4 := NewOutput(true)
	setup(t, o4)
	data := map[string]any{"pages": map[string]any{"2": []any{1.0, 3.0}}, "attributes": map[string]any{"a": 1.0}}
	if err := o4.ExtendAdditionalData(data, nil, true); err != nil {
		t.Fatal(err)
	}
	if p := o4.Pages()[2]; p.Start != 1 || p.Size != 3 {
		t.Fatalf("pages %+v", o4.Pages())
	}
	bad := map[string]any{"pages": map[string]any{"2": []any{0.0, 3.0}}, "attributes": map[string]any{}}
	wantErr(t, o4.ExtendAdditionalData(bad, nil, true), "Invalid output builtin pages field.")
	wantErr(t, o4.ExtendAdditionalData(map[string]any{"pages": 1}, nil, true), "Invalid output builtin data.")

	st := o4.State()
	o4.NewState(memory.Relocatable{Segment: 9})
	if len(o4.Pages()) != 0 || o4.Base().Segment != 9 {
		t.Fatal("new state")
	}
	o4.SetState(st)
	if len(o4.Pages()) != 1 || o4.Base() != st.Base {
		t.Fatal("set state")
	}
}

func TestSegmentArena(t *testing.T) {
	s := NewSegmentArena(true)
	m := setup(t, s)
	if s.Base() != (memory.Relocatable{Segment: 3, Offset: 3}) {
		t.Fatalf("base %s", s.Base())
	}
	if v := m.Get(memory.Relocatable{Segment: 3}); v != memory.RelocValue(memory.Relocatable{Segment: 2}) {
		t.Fatalf("infos pointer %s", v)
	}
	env := &Env{Mem: m, Steps: 100}
	if s.UsedCells(env) != 0 || len(s.InitialStack()) != 1 {
		t.Fatal("initial usage")
	}
	for i := uint64(0); i < 3; i++ {
		set(t, m, s.Base().Add(i), uv(i))
	}
	if s.UsedCells(env) != 3 || s.UsedInstances(env) != 1 {
		t.Fatalf("used %d", s.UsedCells(env))
	}
	exec := memory.Relocatable{Segment: 1}
	set(t, m, exec, memory.RelocValue(s.Base().Add(3)))
	if p, err := s.FinalStack(env, exec.Add(1)); err != nil || p != exec {
		t.Fatalf("final stack %s %v", p, err)
	}
	if n, err := s.AllocatedInstances(env); err != nil || n != 1 {
		t.Fatalf("allocated %d %v", n, err)
	}
	if err := s.RunSecurityChecks(env); err != nil {
		t.Fatal(err)
	}
	marked := 0
	if err := s.MemoryAccesses(env, func(memory.Relocatable) { marked++ }); err != nil || marked != 0 {
		t.Fatal("segment arena marks accesses")
	}
}

// verifyPlain is the AIR's verification done the direct way, one
// candidate point after the other with airMul for every product: the
// reference VerifyECDSA's shared doublings must agree with.
func verifyPlain(z, r felt.Felt, w [4]uint64, pubX felt.Felt) bool {
	y, ok := pubX.Square().Mul(pubX).Add(pubX).Add(curveBeta).Sqrt()
	if !ok || z.IsZero() {
		return false
	}
	for _, cand := range [2]felt.Felt{y, y.Neg()} {
		q := starkcurve.G1Affine{X: fp.Element(pubX), Y: fp.Element(cand)}
		zG, ok := airMulAffine(minusShiftPoint, ecGen, z.Limbs())
		if !ok {
			continue
		}
		rQ, ok := airMulAffine(shiftPoint, q, r.Limbs())
		if ok && finishVerify(zG, rQ, w, r) {
			return true
		}
	}
	return false
}

// TestVerifyECDSADifferential signs random messages with random keys and
// checks VerifyECDSA against verifyPlain on the signature, on the
// signature with the other candidate's sign, and on tampered ones.
func TestVerifyECDSADifferential(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	n := 12
	if testing.Short() {
		n = 3
	}
	valid := 0
	for i := 0; i < n; i++ {
		priv, err := ecdsa.GenerateKey(rngReader{rng})
		if err != nil {
			t.Fatal(err)
		}
		msg := felt.FromUint64(rng.Uint64()).Mul(felt.FromUint64(rng.Uint64()))
		mb := msg.BytesBE()
		sig, err := priv.Sign(mb[:], nil)
		if err != nil {
			t.Fatal(err)
		}
		var parsed ecdsa.Signature
		if _, err := parsed.SetBytes(sig); err != nil {
			t.Fatal(err)
		}
		r, s := new(big.Int).SetBytes(parsed.R[:]), new(big.Int).SetBytes(parsed.S[:])
		pub := felt.Felt(priv.PublicKey.A.X)
		cases := []struct {
			msg  felt.Felt
			r, s *big.Int
		}{
			{msg, r, s},
			{msg.Add(felt.One), r, s},
			{msg, r, new(big.Int).Sub(ecOrder, s)},
			{msg, new(big.Int).Add(r, big.NewInt(1)), s},
		}
		for j, c := range cases {
			got, err := VerifyECDSA(c.msg, c.r, c.s, pub)
			if err != nil {
				continue // out of range: both reject before computing
			}
			w := new(big.Int).ModInverse(c.s, ecOrder)
			want := verifyPlain(c.msg, felt.FromBigInt(c.r), felt.FromBigInt(w).Limbs(), pub)
			if got != want {
				t.Fatalf("key %d case %d: VerifyECDSA %v, plain verification %v", i, j, got, want)
			}
			if j == 0 && got {
				valid++
			}
		}
	}
	if valid == 0 {
		t.Fatal("no signature verified: the test checks nothing")
	}
}

type rngReader struct{ r *rand.Rand }

func (g rngReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(g.r.Uint32())
	}
	return len(p), nil
}
