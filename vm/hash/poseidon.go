package hash

import (
	"crypto/sha256"
	"math/bits"
	"strconv"
	"sync"

	"github.com/consensys/gnark-crypto/ecc/stark-curve/fp"

	"github.com/kairo-dev/kairo/vm/felt"
	"github.com/kairo-dev/kairo/vm/felt/fmul"
)

// Poseidon over the Stark field as cairo-lang defines it (poseidon_utils.py):
// the Hades permutation of width m = 3 (rate 2, capacity 1) with 8 full
// rounds (4 before and 4 after) and 83 partial rounds, S-box x^3, the MDS
// matrix
//
//	[[3, 1, 1], [1, -1, 1], [1, 1, -2]]
//
// and round constants ark[i][j] = sha256("Hades" + str(3*i + j)) mod P.
//
// A partial round cubes only the last element, so the round constants added
// to the first two elements commute with its S-box and can be pushed through
// the (linear) MDS matrix into the next round. After folding, every partial
// round adds a single constant, and the round after the last partial round
// absorbs what is left (see foldRoundConstants). The MDS matrix itself costs
// only additions: with t = s0+s1+s2 it maps (s0, s1, s2) to
// (t+2*s0, t-2*s1, t-3*s2).
//
// A permutation is therefore 8*3 + 83 = 107 cubes, 214 field
// multiplications, and nothing else but additions. A cube is fmul.Cube:
// both Montgomery products in one call, specialised to P, with x^2 kept in
// registers and only partially reduced. The 83 partial rounds
// are one dependent chain of 166 multiplications (each cube needs the
// previous one), which sets the cost of a hash; permute keeps everything
// else off that chain: the new first two elements of a partial round and
// the sum its last element is subtracted from depend only on the round
// before, so the processor computes them while the cube is in flight. The
// linear layer and the next round's constants are summed as plain
// integers and reduced once per element, without branches (field.go), so
// that it costs few instructions and no misprediction throws the
// overlapped work away.
//
// On amd64 with ADX and BMI2 both kinds of rounds run in assembly
// (vm/felt/fmul's poseidon_amd64.s, beside the Montgomery macros it is
// built from): fmul.PoseidonFullRounds does four full rounds per call
// (the three cubes, then the linear layer), and fmul.PoseidonPartialRounds
// all 83 partial rounds in one loop that keeps the last element below 2P
// instead of below P, computes it first after each cube and tracks s0 + s1
// in place of s1, so that fewer instructions compete with the chain. Both compute exactly
// what fullRoundsGeneric and partialRoundsGeneric compute, the code every
// other build runs (and amd64 without those extensions, or with the purego
// tag).

const (
	poseidonFullRounds    = 8
	poseidonPartialRounds = 83
	poseidonRounds        = poseidonFullRounds + poseidonPartialRounds
)

// poseidonConstants are the folded round constants, in Montgomery form,
// arranged as permute adds them: each round's linear layer also adds the
// constants of the round after it.
type poseidonConstants struct {
	// first are the constants of the first round, added to the input.
	first [3]fp.Element
	// next[r] is added after full round r (0..7): the constants of the
	// following full round, (0, 0, first partial constant) after the
	// fourth, and zero after the last.
	next [poseidonFullRounds][3]fp.Element
	// partial[r] is added to s2 after partial round r: the next partial
	// round's single constant, and after the last one the third constant
	// of the fifth full round (which also carries what the partial rounds
	// pushed forward); s0 and s1 then receive the other two, toFull.
	partial [poseidonPartialRounds]fp.Element
	toFull  [2]fp.Element
	// partialBiased[r] is partial[r] + 5P - 2^251 as a plain 256-bit
	// integer (below 6P), the form the amd64 partial rounds add (see
	// fmul.PoseidonPartialRounds). The last row is padding: the assembly loop reads
	// one row past the last round and discards the sum.
	partialBiased [poseidonPartialRounds + 1][4]uint64
}

// poseidonK computes the folded constants once, on first use; they never
// change.
var poseidonK = sync.OnceValue(func() *poseidonConstants { return foldRoundConstants(roundConstants()) })

// roundConstants returns cairo-lang's ark table (unfolded).
func roundConstants() *[poseidonRounds][3]fp.Element {
	var ark [poseidonRounds][3]fp.Element
	for i := range ark {
		for j := range 3 {
			d := sha256.Sum256([]byte("Hades" + strconv.Itoa(3*i+j)))
			ark[i][j].SetBytes(d[:]) // reduces modulo P
		}
	}
	return &ark
}

// mds applies the MDS matrix to s in place (the textbook form, used to fold
// the constants and by the tests).
func mds(s *[3]fp.Element) {
	var t, u fp.Element
	t.Add(&s[0], &s[1])
	t.Add(&t, &s[2])
	// s0 = t + 2*s0
	u.Double(&s[0])
	s[0].Add(&t, &u)
	// s1 = t - 2*s1
	u.Double(&s[1])
	s[1].Sub(&t, &u)
	// s2 = t - 3*s2
	u.Double(&s[2])
	u.Add(&u, &s[2])
	s[2].Sub(&t, &u)
}

// foldRoundConstants moves the constants of the first two elements of every
// partial round forward through the MDS matrix.
func foldRoundConstants(ark *[poseidonRounds][3]fp.Element) *poseidonConstants {
	k := new(poseidonConstants)
	half := poseidonFullRounds / 2
	// full[r] are the constants of full round r after folding.
	var full [poseidonFullRounds][3]fp.Element
	for r := 0; r < half; r++ {
		full[r] = ark[r]
	}
	var partial [poseidonPartialRounds]fp.Element
	var carry [3]fp.Element
	for r := 0; r < poseidonPartialRounds; r++ {
		c := ark[half+r]
		for j := range 3 {
			c[j].Add(&c[j], &carry[j])
		}
		partial[r] = c[2]
		carry = [3]fp.Element{c[0], c[1], {}}
		mds(&carry)
	}
	for r := half; r < poseidonFullRounds; r++ {
		full[r] = ark[poseidonPartialRounds+r]
	}
	for j := range 3 {
		full[half][j].Add(&full[half][j], &carry[j])
	}

	k.first = full[0]
	for r := 0; r+1 < poseidonFullRounds; r++ {
		if r+1 != half {
			k.next[r] = full[r+1]
		}
	}
	k.next[half-1][2] = partial[0]
	for r := 0; r+1 < poseidonPartialRounds; r++ {
		k.partial[r] = partial[r+1]
	}
	k.partial[poseidonPartialRounds-1] = full[half][2]
	k.toFull = [2]fp.Element{full[half][0], full[half][1]}
	for r, c := range k.partial {
		// 5P - 2^251 = 5 + (5*p3 - 2^59) * 2^192
		k.partialBiased[r][0], k.partialBiased[r][1], k.partialBiased[r][2], k.partialBiased[r][3] =
			add4(c[0], c[1], c[2], c[3], 5, 0, 0, 5*p3-1<<59)
	}
	return k
}

// cube sets x = x^3 (textbook form, for the tests).
func cube(x *fp.Element) {
	var t fp.Element
	t.Square(x)
	x.Mul(x, &t)
}

// mixFull applies the MDS matrix to s and adds the constants c of the next
// round:
//
//	s0' = 3*s0 + s1 + s2 + c0
//	s1' = s0 - s1 + s2 + c1      (as s0 + s2 + c1 + (P - s1))
//	s2' = s0 + s1 - 2*s2 + c2    (as s0 + s1 + c2 + 2P - s2 - s2)
//
// each summed as a plain integer (below 6P < 2^255) and reduced once.
func mixFull(s *[3]fp.Element, c *[3]fp.Element) {
	a0, a1, a2, a3 := s[0][0], s[0][1], s[0][2], s[0][3]
	b0, b1, b2, b3 := s[1][0], s[1][1], s[1][2], s[1][3]
	x0, x1, x2, x3 := s[2][0], s[2][1], s[2][2], s[2][3]
	u0, u1, u2, u3 := add4(a0, a1, a2, a3, b0, b1, b2, b3)
	// s0'
	v0, v1, v2, v3 := add4(u0, u1, u2, u3, a0, a1, a2, a3)
	v0, v1, v2, v3 = add4(v0, v1, v2, v3, a0, a1, a2, a3)
	v0, v1, v2, v3 = add4(v0, v1, v2, v3, c[0][0], c[0][1], c[0][2], c[0][3])
	v0, v1, v2, v3 = add4(v0, v1, v2, v3, x0, x1, x2, x3)
	// s1'
	w0, w1, w2, w3 := sub4(1, 0, 0, p3, b0, b1, b2, b3)
	w0, w1, w2, w3 = add4(w0, w1, w2, w3, a0, a1, a2, a3)
	w0, w1, w2, w3 = add4(w0, w1, w2, w3, c[1][0], c[1][1], c[1][2], c[1][3])
	w0, w1, w2, w3 = add4(w0, w1, w2, w3, x0, x1, x2, x3)
	// s2'
	y0, y1, y2, y3 := add4(u0, u1, u2, u3, 2, 0, 0, 2*p3)
	y0, y1, y2, y3 = add4(y0, y1, y2, y3, c[2][0], c[2][1], c[2][2], c[2][3])
	y0, y1, y2, y3 = sub4(y0, y1, y2, y3, x0, x1, x2, x3)
	y0, y1, y2, y3 = sub4(y0, y1, y2, y3, x0, x1, x2, x3)
	reduceLazy(&s[0], v0, v1, v2, v3)
	reduceLazy(&s[1], w0, w1, w2, w3)
	reduceLazy(&s[2], y0, y1, y2, y3)
}

// mixPartial is mixFull for a partial round: x is the cubed last element
// and c the next round's constant, added to the last element only. All but
// the last additions of x are known before x: the processor works on them
// while the cube is in flight.
func mixPartial(s *[3]fp.Element, x *fp.Element, c *fp.Element) {
	a0, a1, a2, a3 := s[0][0], s[0][1], s[0][2], s[0][3]
	b0, b1, b2, b3 := s[1][0], s[1][1], s[1][2], s[1][3]
	u0, u1, u2, u3 := add4(a0, a1, a2, a3, b0, b1, b2, b3)
	v0, v1, v2, v3 := add4(u0, u1, u2, u3, a0, a1, a2, a3)
	v0, v1, v2, v3 = add4(v0, v1, v2, v3, a0, a1, a2, a3)
	w0, w1, w2, w3 := sub4(1, 0, 0, p3, b0, b1, b2, b3)
	w0, w1, w2, w3 = add4(w0, w1, w2, w3, a0, a1, a2, a3)
	y0, y1, y2, y3 := add4(u0, u1, u2, u3, 2, 0, 0, 2*p3)
	y0, y1, y2, y3 = add4(y0, y1, y2, y3, c[0], c[1], c[2], c[3])
	x0, x1, x2, x3 := x[0], x[1], x[2], x[3]
	// The next cube waits for s2: 2x, one subtraction and the reduction
	// (reduceLazy written out) are all that stand between the cubes.
	d0, d1, d2, d3 := add4(x0, x1, x2, x3, x0, x1, x2, x3)
	y0, y1, y2, y3 = sub4(y0, y1, y2, y3, d0, d1, d2, d3)
	k := y3 >> 59
	y0, bw := bits.Sub64(y0, k, 0)
	y1, bw = bits.Sub64(y1, 0, bw)
	y2, bw = bits.Sub64(y2, 0, bw)
	y3, bw = bits.Sub64(y3, k*p3, bw)
	m := -bw
	y0, cy := bits.Add64(y0, 1&m, 0)
	y1, cy = bits.Add64(y1, 0, cy)
	y2, cy = bits.Add64(y2, 0, cy)
	y3, _ = bits.Add64(y3, p3&m, cy)
	s[2] = fp.Element{y0, y1, y2, y3}
	v0, v1, v2, v3 = add4(v0, v1, v2, v3, x0, x1, x2, x3)
	w0, w1, w2, w3 = add4(w0, w1, w2, w3, x0, x1, x2, x3)
	reduceLazy(&s[0], v0, v1, v2, v3)
	reduceLazy(&s[1], w0, w1, w2, w3)
}

// cube3 cubes the three elements: three independent cubes, which the
// processor overlaps.
func cube3(s *[3]fp.Element) {
	fmul.Cube(&s[0], &s[0])
	fmul.Cube(&s[1], &s[1])
	fmul.Cube(&s[2], &s[2])
}

// partialRoundsGeneric runs the 83 partial rounds on s, whose last element
// already holds the first partial round's constant, and leaves the third
// constant of the fifth full round in it. It is the whole implementation
// without the amd64 assembly (fmul.PoseidonPartialRounds), which computes the same
// values.
func partialRoundsGeneric(s *[3]fp.Element, k *poseidonConstants) {
	for r := 0; r < poseidonPartialRounds; r++ {
		var x fp.Element
		fmul.Cube(&x, &s[2])
		mixPartial(s, &x, &k.partial[r])
	}
}

// fullRoundsGeneric runs four full rounds on s: cube3, then mixFull with
// c[r]. It is the whole implementation without the amd64 assembly
// (fmul.PoseidonFullRounds), which computes the same values.
func fullRoundsGeneric(s *[3]fp.Element, c *[poseidonFullRounds / 2][3]fp.Element) {
	for r := range c {
		cube3(s)
		mixFull(s, &c[r])
	}
}

func permute(s *[3]fp.Element) {
	const half = poseidonFullRounds / 2
	k := poseidonK()
	addMod(&s[0], &s[0], &k.first[0])
	addMod(&s[1], &s[1], &k.first[1])
	addMod(&s[2], &s[2], &k.first[2])
	fullRounds(s, (*[half][3]fp.Element)(k.next[:half]))
	partialRounds(s, k)
	addMod(&s[0], &s[0], &k.toFull[0])
	addMod(&s[1], &s[1], &k.toFull[1])
	fullRounds(s, (*[half][3]fp.Element)(k.next[half:]))
}

// PoseidonPermute applies the Hades permutation to s in place (the VM's
// Poseidon builtin).
func PoseidonPermute(s *[3]felt.Felt) {
	e := [3]fp.Element{fp.Element(s[0]), fp.Element(s[1]), fp.Element(s[2])}
	permute(&e)
	*s = [3]felt.Felt{felt.Felt(e[0]), felt.Felt(e[1]), felt.Felt(e[2])}
}

// PoseidonHash returns poseidon_hash(a, b): the first element of
// hades([a, b, 2]).
func PoseidonHash(a, b felt.Felt) felt.Felt {
	s := [3]fp.Element{fp.Element(a), fp.Element(b), {}}
	s[2].SetUint64(2)
	permute(&s)
	return felt.Felt(s[0])
}

// PoseidonHashSingle returns poseidon_hash_single(a): the first element of
// hades([a, 0, 1]).
func PoseidonHashSingle(a felt.Felt) felt.Felt {
	s := [3]fp.Element{fp.Element(a), {}, {}}
	s[2].SetOne()
	permute(&s)
	return felt.Felt(s[0])
}

// PoseidonHashMany returns poseidon_hash_many(values): the sponge that pads
// values with 1 (then 0 to an even length) and absorbs two elements per
// permutation into the rate, starting from the zero state.
func PoseidonHashMany(values []felt.Felt) felt.Felt {
	var s [3]fp.Element
	var one fp.Element
	one.SetOne()
	i := 0
	for ; i+1 < len(values); i += 2 {
		s[0].Add(&s[0], (*fp.Element)(&values[i]))
		s[1].Add(&s[1], (*fp.Element)(&values[i+1]))
		permute(&s)
	}
	if i < len(values) { // one value left: [v, 1]
		s[0].Add(&s[0], (*fp.Element)(&values[i]))
		s[1].Add(&s[1], &one)
	} else { // [1, 0]
		s[0].Add(&s[0], &one)
	}
	permute(&s)
	return felt.Felt(s[0])
}
