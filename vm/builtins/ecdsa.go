package builtins

import (
	"encoding/json"
	"fmt"
	"math/big"
	"sort"
	"sync"

	starkcurve "github.com/consensys/gnark-crypto/ecc/stark-curve"
	"github.com/consensys/gnark-crypto/ecc/stark-curve/fp"

	"github.com/kairo-dev/kairo/vm/felt"
	"github.com/kairo-dev/kairo/vm/felt/fmul"
	"github.com/kairo-dev/kairo/vm/memory"
)

// ecOrder is the order of the stark curve's group (EC_ORDER).
var ecOrder, _ = new(big.Int).SetString("3618502788666131213697322783095070105526743751716087489154079457884512865583", 10)

// Signature is an ECDSA signature (r, s), as hints register it.
type Signature struct {
	R, S *big.Int
}

func (s Signature) String() string { return fmt.Sprintf("(%s, %s)", s.R, s.S) }

// Ecdsa is the ecdsa (signature) builtin: instances of a public key (x
// coordinate) and a message hash; writing both checks the signature the
// program registered for the instance with AddSignature.
type Ecdsa struct {
	simple
	signatures map[uint64]Signature // by public-key offset
}

// NewEcdsa returns an ecdsa runner for def.
func NewEcdsa(def BuiltinDef, included bool) *Ecdsa {
	return &Ecdsa{simple: newSimple(def, included, cellsPerSignature, cellsPerSignature), signatures: map[uint64]Signature{}}
}

// AddSignature registers the signature of the instance whose public key is
// at addr (ecdsa_builtin.add_signature(addr, (r, s)) in hints).
func (e *Ecdsa) AddSignature(addr memory.Value, r, s *big.Int) error {
	if !addr.IsReloc() {
		return fmt.Errorf("Expected memory address to be relocatable value. Found: %s.", addr)
	}
	a := addr.Reloc()
	if a.Segment != e.base.Segment {
		return fmt.Errorf("Signature hint must point to the signature builtin segment, not %s.", a)
	}
	if a.Offset%cellsPerSignature != 0 {
		return fmt.Errorf("Signature hint must point to the public key cell, not %s.", a)
	}
	e.signatures[a.Offset] = Signature{R: new(big.Int).Set(r), S: new(big.Int).Set(s)}
	return nil
}

// Signatures returns the registered signatures by public-key address.
func (e *Ecdsa) Signatures() map[memory.Relocatable]Signature {
	out := make(map[memory.Relocatable]Signature, len(e.signatures))
	for off, s := range e.signatures {
		out[memory.Relocatable{Segment: e.base.Segment, Offset: off}] = s
	}
	return out
}

func (e *Ecdsa) AddValidationRules(m *memory.Memory) {
	m.SetValidationRule(e.base.Segment, func(m *memory.Memory, addr memory.Relocatable) error {
		var pubAddr memory.Relocatable
		switch addr.Offset % cellsPerSignature {
		case 0:
			if !m.Get(addr.Add(1)).IsSet() {
				return nil
			}
			pubAddr = addr
		default:
			prev := memory.Relocatable{Segment: addr.Segment, Offset: addr.Offset - 1}
			if !m.Get(prev).IsSet() {
				return nil
			}
			pubAddr = prev
		}
		msgAddr := pubAddr.Add(1)
		pub, msg := m.Get(pubAddr), m.Get(msgAddr)
		if !pub.IsFelt() {
			return fmt.Errorf("ECDSA builtin: Expected public key at address %s to be an integer. Got: %s.", pubAddr, pub)
		}
		if !msg.IsFelt() {
			return fmt.Errorf("ECDSA builtin: Expected message hash at address %s to be an integer. Got: %s.", msgAddr, msg)
		}
		sig, ok := e.signatures[pubAddr.Offset]
		if !ok {
			return fmt.Errorf("Signature hint is missing for ECDSA builtin at address %s. Add it using 'ecdsa_builtin.add_signature'.", pubAddr)
		}
		valid, err := VerifyECDSA(msg.Felt(), sig.R, sig.S, pub.Felt())
		if err != nil {
			return err
		}
		if !valid {
			return fmt.Errorf("Signature %s, is invalid, with respect to the public key %s, and the message hash %s.",
				sig, pyStr(pub), pyStr(msg))
		}
		return nil
	})
}

var two251 = new(big.Int).Lsh(big.NewInt(1), 251)

// VerifyECDSA is cairo-lang's signature.verify with the public key given by
// its x coordinate: the message hash, r and w = s^-1 must be in range
// (an error, as cairo-lang's assertions), and the signature is valid when
// the AIR's computation of w*(z*G + r*Q) succeeds for one of the two
// points with that x and gives x-coordinate r.
func VerifyECDSA(msgHash felt.Felt, r, s *big.Int, pubX felt.Felt) (bool, error) {
	if s.Sign() < 1 || s.Cmp(ecOrder) >= 0 {
		return false, fmt.Errorf("s = %s", s)
	}
	w := new(big.Int).ModInverse(s, ecOrder)
	if w == nil {
		return false, fmt.Errorf("s = %s", s)
	}
	if r.Sign() < 1 || r.Cmp(two251) >= 0 {
		return false, fmt.Errorf("r = %s", r)
	}
	if w.Sign() < 1 || w.Cmp(two251) >= 0 {
		return false, fmt.Errorf("w = %s", w)
	}
	if msgHash.BitLen() > 251 {
		return false, fmt.Errorf("msg_hash = %s", msgHash.BigInt().String())
	}
	ySq := pubX.Square().Mul(pubX).Add(pubX).Add(curveBeta)
	y, ok := ySq.Sqrt()
	if !ok {
		return false, nil
	}
	rf := felt.FromBigInt(r)
	wl := felt.FromBigInt(w).Limbs()
	q := starkcurve.G1Affine{X: fp.Element(pubX), Y: fp.Element(y)}
	return verifyCandidates(msgHash, rf, wl, q), nil
}

// verifyCandidates runs the AIR's verification w*(z*G + r*Q) for Q and
// then -Q, the two points with the public key's x coordinate. z*G is
// computed once from the generator's precomputed doublings, and the
// doublings of Q serve -Q negated, so the second candidate costs only
// its additions and the final multiplication.
func verifyCandidates(z, r felt.Felt, w [4]uint64, q starkcurve.G1Affine) bool {
	if z.IsZero() {
		return false // mimic_ec_mult_air requires 0 < m
	}
	zG, ok := airMulDoublings(minusShiftPoint, genDoublings().jac[:], &genDoublings().z2, z.Limbs(), false)
	if !ok {
		return false
	}
	zGa := jacToAffine(zG)
	var d doublings
	d.fill(q)
	rl := r.Limbs()
	for _, neg := range [2]bool{false, true} {
		rQ, ok := airMulDoublings(shiftPoint, d.jac[:], &d.z2, rl, neg)
		if !ok {
			continue
		}
		if finishVerify(zGa, jacToAffine(rQ), w, r) {
			return true
		}
	}
	return false
}

// finishVerify is the end of the AIR's verification from z*G and r*Q (both
// with their shifts): w*(z*G + r*Q) has x-coordinate r.
func finishVerify(zG, rQ starkcurve.G1Affine, w [4]uint64, r felt.Felt) bool {
	sum, ok := addDistinct(zG, rQ)
	if !ok {
		return false
	}
	wB, ok := airMulAffine(shiftPoint, sum, w)
	if !ok {
		return false
	}
	x, ok := addDistinct(wB, minusShiftPoint)
	return ok && felt.Felt(x.X) == r
}

// doublings are 2^i * P for i < 251, in Jacobian coordinates, with the
// square of each Z for the AIR's same-x test.
type doublings struct {
	jac [251]starkcurve.G1Jac
	z2  [251]fp.Element
}

func (d *doublings) fill(p starkcurve.G1Affine) {
	d.jac[0].FromAffine(&p)
	for i := 1; i < len(d.jac); i++ {
		d.jac[i] = d.jac[i-1]
		jacDouble(&d.jac[i])
	}
	for i := range d.jac {
		fmul.Square(&d.z2[i], &d.jac[i].Z)
	}
}

// genDoublings are the generator's doublings, computed on first use.
var genDoublings = sync.OnceValue(func() *doublings {
	d := new(doublings)
	d.fill(ecGen)
	return d
})

// airMulDoublings is airMul over precomputed doublings of the point (or of
// its negation when neg is set: the same x coordinates, y negated).
func airMulDoublings(partial starkcurve.G1Affine, dbl []starkcurve.G1Jac, z2 *[251]fp.Element, m [4]uint64, neg bool) (starkcurve.G1Jac, bool) {
	var acc starkcurve.G1Jac
	acc.FromAffine(&partial)
	var accZ2, l, rr fp.Element
	for i := range dbl {
		// The AIR's test: the accumulator and the doubled point share
		// no x coordinate (X1*Z2^2 != X2*Z1^2).
		fmul.Square(&accZ2, &acc.Z)
		fmul.Mul(&l, &acc.X, &z2[i])
		fmul.Mul(&rr, &dbl[i].X, &accZ2)
		if l.Equal(&rr) {
			return acc, false
		}
		if m[i/64]>>(i%64)&1 != 0 {
			if neg {
				p := dbl[i]
				p.Y.Neg(&p.Y)
				jacAdd(&acc, &p)
			} else {
				jacAdd(&acc, &dbl[i])
			}
		}
	}
	return acc, true
}

// airMulAffine is mimic_ec_mult_air: shift + m*point over 251 rounds.
func airMulAffine(shift, point starkcurve.G1Affine, m [4]uint64) (starkcurve.G1Affine, bool) {
	acc, ok := airMul(shift, point, m, 251)
	if !ok {
		return starkcurve.G1Affine{}, false
	}
	return jacToAffine(acc), true
}

func jacToAffine(j starkcurve.G1Jac) starkcurve.G1Affine {
	var a starkcurve.G1Affine
	a.FromJacobian(&j)
	return a
}

func (e *Ecdsa) sortedOffsets() []uint64 {
	offs := make([]uint64, 0, len(e.signatures))
	for o := range e.signatures {
		offs = append(offs, o)
	}
	sort.Slice(offs, func(a, b int) bool { return offs[a] < offs[b] })
	return offs
}

// AirPrivateInput lists every signed instance: index, pubkey, msg and the
// signature as {"r", "w"} with w = s^-1 mod the curve order.
func (e *Ecdsa) AirPrivateInput(env *Env) (map[string]any, error) {
	offs := e.sortedOffsets()
	out := make([]Object, 0, len(offs))
	for _, off := range offs {
		sig := e.signatures[off]
		addr := memory.Relocatable{Segment: e.base.Segment, Offset: off}
		pub, err := env.Mem.Read(addr)
		if err != nil {
			return nil, fmt.Errorf("ecdsa private input: %w", err)
		}
		msg, err := env.Mem.Read(addr.Add(1))
		if err != nil {
			return nil, fmt.Errorf("ecdsa private input: %w", err)
		}
		if !pub.IsFelt() || !msg.IsFelt() {
			return nil, fmt.Errorf("ecdsa private input: instance %d holds an address", (off-e.base.Offset)/cellsPerSignature)
		}
		w := new(big.Int).ModInverse(new(big.Int).Mod(sig.S, ecOrder), ecOrder)
		if w == nil {
			return nil, fmt.Errorf("ecdsa private input: s = %s has no inverse modulo the curve order", sig.S)
		}
		out = append(out, Object{
			{"index", (off - e.base.Offset) / cellsPerSignature},
			{"pubkey", pub.Felt().String()},
			{"msg", msg.Felt().String()},
			{"signature_input", Object{{"r", "0x" + sig.R.Text(16)}, {"w", "0x" + w.Text(16)}}},
		})
	}
	return map[string]any{e.name: out}, nil
}

// AdditionalData is [[[segment, offset], [r, s]], ...] sorted by address.
func (e *Ecdsa) AdditionalData() any {
	offs := e.sortedOffsets()
	out := make([][2]any, len(offs))
	for i, off := range offs {
		sig := e.signatures[off]
		out[i] = [2]any{
			[2]int64{int64(e.base.Segment), int64(off)},
			[2]json.Number{json.Number(sig.R.String()), json.Number(sig.S.String())},
		}
	}
	return out
}

// ExtendAdditionalData loads signatures of a Cairo PIE; decode its JSON
// with UseNumber so that r and s keep their precision.
func (e *Ecdsa) ExtendAdditionalData(data any, relocate func(memory.Relocatable) memory.Relocatable, _ bool) error {
	list, ok := data.([]any)
	if !ok {
		return fmt.Errorf("invalid ecdsa additional data: expected a list")
	}
	for _, item := range list {
		pair, ok := item.([]any)
		if !ok || len(pair) != 2 {
			return fmt.Errorf("invalid ecdsa additional data entry %v", item)
		}
		addr, err := addrFromJSON(pair[0])
		if err != nil {
			return fmt.Errorf("invalid ecdsa additional data: %w", err)
		}
		sig, ok := pair[1].([]any)
		if !ok || len(sig) != 2 {
			return fmt.Errorf("invalid ecdsa additional data signature %v", pair[1])
		}
		r, ok1 := jsonBig(sig[0])
		s, ok2 := jsonBig(sig[1])
		if !ok1 || !ok2 {
			return fmt.Errorf("invalid ecdsa additional data signature %v", pair[1])
		}
		rel := addr
		if relocate != nil {
			rel = relocate(addr)
		}
		if rel.Segment != e.base.Segment {
			return fmt.Errorf("Error while loading ECDSA builtin additional data: Signature hint must point to the signature builtin segment. Found: (%d, %d) (after relocation: %s).",
				addr.Segment, addr.Offset, rel)
		}
		e.signatures[rel.Offset] = Signature{R: r, S: s}
	}
	return nil
}

func jsonBig(x any) (*big.Int, bool) {
	switch v := x.(type) {
	case json.Number:
		return new(big.Int).SetString(string(v), 10)
	case float64:
		if v != float64(int64(v)) {
			return nil, false
		}
		return big.NewInt(int64(v)), true
	}
	return nil, false
}
