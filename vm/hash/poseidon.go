package hash

import (
	"crypto/sha256"
	"strconv"

	"github.com/consensys/gnark-crypto/ecc/stark-curve/fp"

	"github.com/kairo-dev/kairo/vm/felt"
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

const (
	poseidonFullRounds    = 8
	poseidonPartialRounds = 83
	poseidonRounds        = poseidonFullRounds + poseidonPartialRounds
)

// poseidonConstants are the folded round constants, in Montgomery form.
type poseidonConstants struct {
	// full[r] are the constants of the r-th full round (0..7); the fifth
	// one (r = 4) also carries what the partial rounds pushed forward.
	full [poseidonFullRounds][3]fp.Element
	// partial[r] is the single constant added to s2 in partial round r.
	partial [poseidonPartialRounds]fp.Element
}

// poseidonK is computed once at start-up from sha256; it never changes.
var poseidonK = foldRoundConstants(roundConstants())

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

// mds applies the MDS matrix to s in place.
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
	for r := 0; r < half; r++ {
		k.full[r] = ark[r]
	}
	var carry [3]fp.Element
	for r := 0; r < poseidonPartialRounds; r++ {
		c := ark[half+r]
		for j := range 3 {
			c[j].Add(&c[j], &carry[j])
		}
		k.partial[r] = c[2]
		carry = [3]fp.Element{c[0], c[1], {}}
		mds(&carry)
	}
	for r := half; r < poseidonFullRounds; r++ {
		k.full[r] = ark[poseidonPartialRounds+r]
	}
	for j := range 3 {
		k.full[half][j].Add(&k.full[half][j], &carry[j])
	}
	return k
}

func cube(x *fp.Element) {
	var t fp.Element
	t.Square(x)
	x.Mul(x, &t)
}

func fullRound(s *[3]fp.Element, c *[3]fp.Element) {
	s[0].Add(&s[0], &c[0])
	s[1].Add(&s[1], &c[1])
	s[2].Add(&s[2], &c[2])
	cube(&s[0])
	cube(&s[1])
	cube(&s[2])
	mds(s)
}

func permute(s *[3]fp.Element) {
	k := poseidonK
	half := poseidonFullRounds / 2
	for r := 0; r < half; r++ {
		fullRound(s, &k.full[r])
	}
	for r := range k.partial {
		s[2].Add(&s[2], &k.partial[r])
		cube(&s[2])
		mds(s)
	}
	for r := half; r < poseidonFullRounds; r++ {
		fullRound(s, &k.full[r])
	}
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
