package txn

import (
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"math/big"

	starkcurve "github.com/consensys/gnark-crypto/ecc/stark-curve"

	"github.com/kairo-dev/kairo/vm/felt"
)

// ecOrder is the order of the STARK curve's group (EC_ORDER).
var ecOrder, _ = new(big.Int).SetString("3618502788666131213697322783095070105526743751716087489154079457884512865583", 10)

var two251 = new(big.Int).Lsh(big.NewInt(1), 251)

// ErrNotSignable is returned for a message hash of 251 bits or more.
var ErrNotSignable = errors.New("message not signable")

// PublicKey returns the public key (the x coordinate of priv·G) of a
// STARK-curve private key.
func PublicKey(priv felt.Felt) felt.Felt {
	var p starkcurve.G1Affine
	p.ScalarMultiplicationBase(priv.BigInt())
	return felt.Felt(p.X)
}

// Sign signs a message hash with a private key exactly as
// starkware.crypto.signature.sign does (no seed): k is RFC 6979's
// deterministic nonce with HMAC-SHA256 over the curve order, from the
// message hash padded like elliptic.js when it is one nibble short, and a
// counter seed (1, 2, ...) as extra entropy for the rare k that gives an
// invalid r or w.
func Sign(msgHash, priv felt.Felt) (r, s felt.Felt, err error) {
	z := msgHash.BigInt()
	if z.Cmp(two251) >= 0 {
		return felt.Zero, felt.Zero, fmt.Errorf("%w: %s", ErrNotSignable, msgHash)
	}
	d := priv.BigInt()
	if d.Sign() == 0 || d.Cmp(ecOrder) >= 0 {
		return felt.Zero, felt.Zero, fmt.Errorf("private key out of range")
	}
	var seed *big.Int
	for {
		k := rfc6979K(z, d, seed)
		if seed == nil {
			seed = big.NewInt(1)
		} else {
			seed = new(big.Int).Add(seed, big.NewInt(1))
		}
		var p starkcurve.G1Affine
		p.ScalarMultiplicationBase(k)
		rb := felt.Felt(p.X).BigInt()
		if rb.Sign() == 0 || rb.Cmp(two251) >= 0 {
			continue
		}
		t := new(big.Int).Mul(rb, d)
		t.Add(t, z).Mod(t, ecOrder)
		if t.Sign() == 0 {
			continue
		}
		// w = k / (z + r·d) mod n; s = 1/w.
		w := new(big.Int).ModInverse(t, ecOrder)
		w.Mul(w, k).Mod(w, ecOrder)
		if w.Sign() == 0 || w.Cmp(two251) >= 0 {
			continue
		}
		sb := new(big.Int).ModInverse(w, ecOrder)
		return felt.FromBigInt(rb), felt.FromBigInt(sb), nil
	}
}

// rfc6979K is generate_k_rfc6979: python-ecdsa's generate_k(EC_ORDER,
// priv, sha256, msg_hash bytes, extra_entropy=seed bytes).
func rfc6979K(z, d, seed *big.Int) *big.Int {
	// Pad the message hash, for consistency with the elliptic.js library.
	if bl := z.BitLen(); bl >= 248 && bl%8 >= 1 && bl%8 <= 4 {
		z = new(big.Int).Lsh(z, 4)
	}
	data := z.Bytes() // ceil(bit_length / 8) bytes; empty for 0
	var extra []byte
	if seed != nil {
		extra = seed.Bytes()
	}
	qlen := ecOrder.BitLen()
	const rolen = 32
	// bits2octets(data): bits2int, reduced once by the order, 32 bytes.
	h1 := bits2int(data, qlen)
	if h1.Cmp(ecOrder) >= 0 {
		h1.Sub(h1, ecOrder)
	}
	x := make([]byte, rolen)
	d.FillBytes(x)
	hb := make([]byte, rolen)
	h1.FillBytes(hb)

	mac := func(key []byte, parts ...[]byte) []byte {
		m := hmac.New(sha256.New, key)
		for _, p := range parts {
			m.Write(p)
		}
		return m.Sum(nil)
	}
	v := make([]byte, 32)
	for i := range v {
		v[i] = 1
	}
	k := make([]byte, 32)
	k = mac(k, v, []byte{0}, x, hb, extra)
	v = mac(k, v)
	k = mac(k, v, []byte{1}, x, hb, extra)
	v = mac(k, v)
	for {
		var t []byte
		for len(t) < rolen {
			v = mac(k, v)
			t = append(t, v...)
		}
		secret := bits2int(t, qlen)
		if secret.Sign() > 0 && secret.Cmp(ecOrder) < 0 {
			return secret
		}
		k = mac(k, v, []byte{0})
		v = mac(k, v)
	}
}

// bits2int is RFC 6979's bits2int: the leftmost qlen bits of data.
func bits2int(data []byte, qlen int) *big.Int {
	x := new(big.Int).SetBytes(data)
	if l := len(data) * 8; l > qlen {
		x.Rsh(x, uint(l-qlen))
	}
	return x
}
