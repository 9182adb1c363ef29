package txn

import (
	"encoding/json"
	"testing"

	"github.com/kairo-dev/kairo/internal/shared"

	"github.com/kairo-dev/kairo/vm/felt"
)

func f(s string) felt.Felt { return felt.MustFromString(s) }

func felts(ss ...string) []felt.Felt {
	out := make([]felt.Felt, len(ss))
	for i, s := range ss {
		out[i] = f(s)
	}
	return out
}

var sepolia = shortString("SN_SEPOLIA")

// TestHashV3 checks v3 hashes against transactions accepted on Starknet
// Sepolia (their hashes are the transaction ids).
func TestHashV3(t *testing.T) {
	l1data := ResourceBound{MaxAmount: 0x186a0, MaxPricePerUnit: f("0x2d79883d20000")}
	l1dataDA := ResourceBound{MaxAmount: 0x210, MaxPricePerUnit: f("0x97c")}
	tests := []struct {
		name string
		tx   Tx
		addr string
		want string
	}{
		{
			name: "invoke",
			tx: Tx{Type: Invoke, Version: 3, Nonce: f("0x9803"),
				Sender:   f("0x745d525a3582e91299d8d7c71730ffc4b1f191f5b219d800334bc0edad0983b"),
				Calldata: felts("0x1", "0x4138fd51f90d171df37e9d4419c8cdb67d525840c58f8a5c347be93a1c5277d", "0x2468d193cd15b621b24c2a602b8dbcfa5eaa14f88416c40c09d7fd12592cb4b", "0x0"),
				ResourceBounds: ResourceBounds{
					L1Gas:     ResourceBound{MaxAmount: 0x186a0, MaxPricePerUnit: f("0x2d79883d20000")},
					L2Gas:     ResourceBound{MaxAmount: 0x5f5e100, MaxPricePerUnit: f("0xba43b7400")},
					L1DataGas: &l1data,
				}},
			want: "0x76b52e17bc09064bd986ead34263e6305ef3cecfb3ae9e19b86bf4f1a1a20ea",
		},
		{
			name: "deploy_account",
			tx: Tx{Type: DeployAccount, Version: 3,
				ClassHash: f("0x61dac032f228abef9c6626f995015233097ae253a7f72d68552db02f2971b8f"),
				Salt:      f("0x2e94ba2293dfa45f86dfcf9952d7a33dc50ce2b00b932999fbe0844772604f3"),
				Calldata:  felts("0x2e94ba2293dfa45f86dfcf9952d7a33dc50ce2b00b932999fbe0844772604f3"),
				ResourceBounds: ResourceBounds{
					L1Gas:     ResourceBound{MaxAmount: 0, MaxPricePerUnit: f("0x1597b3274d88")},
					L2Gas:     ResourceBound{MaxAmount: 0xe6fa0, MaxPricePerUnit: f("0x1920d1317")},
					L1DataGas: &l1dataDA,
				}},
			addr: "0x48419d3cc27f158917b45255d5376c06a9524484e19a1102279cbdc715c5522",
			want: "0x32413f8cee053089d6d7026a72e4108262ca3cfe868dd9159bc1dd160aec975",
		},
		{
			name: "deploy_account_v1",
			tx: Tx{Type: DeployAccount, Version: 1, MaxFee: f("0x1d2109b99cf94"),
				ClassHash: f("0x1e60c8722677cfb7dd8dbea5be86c09265db02cdfe77113e77da7d44c017388"),
				Salt:      f("0x15d621f9515c6197d3117eb1a25c7a4a669317be8f49831e03fcc00d855352e"),
				Calldata:  felts("0x960532cfba33384bbec41aa669727a9c51e995c87e101c86706aaf244f7e4e")},
			addr: "0x5dd5faeddd4a9e01231f3bb9b95ec93426d08977b721c222e45fd98c5f353ff",
			want: "0x66d1d9d50d308a9eb16efedbad208b0672769a545a0b828d357757f444e9188",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.addr != "" && tc.tx.Address().String() != tc.addr {
				t.Errorf("address %s, want %s", tc.tx.Address(), tc.addr)
			}
			h, err := tc.tx.Hash(sepolia)
			if err != nil {
				t.Fatal(err)
			}
			if h.String() != tc.want {
				t.Errorf("hash %s, want %s", h, tc.want)
			}
		})
	}
}

func TestHashRejectsUnknownVersions(t *testing.T) {
	for _, tx := range []Tx{{Type: Invoke, Version: 2}, {Type: DeployAccount, Version: 0}, {Type: Deploy, Version: 3}, {Type: L1Handler, Version: 3}, {Type: Invoke, Version: 4}} {
		if _, err := tx.Hash(sepolia); err == nil {
			t.Errorf("%s v%d: no error", tx.Type, tx.Version)
		}
	}
}

// TestSignReference signs the reference scenario's transaction hashes and
// compares the signatures with those cairo-lang recorded.
func TestSignReference(t *testing.T) {
	b := shared.ReadFixture(t, "starknet-reference", "scenario_account_erc20_fee.json")
	var sc struct {
		Setup struct {
			Key    string `json:"account_private_key"`
			Public string `json:"account_public_key"`
		} `json:"setup"`
		Transactions []struct {
			Label     string   `json:"label"`
			Hash      string   `json:"tx_hash"`
			Signature []string `json:"signature"`
		} `json:"transactions"`
	}
	if err := json.Unmarshal(b, &sc); err != nil {
		t.Fatal(err)
	}
	priv := f(sc.Setup.Key)
	if got := PublicKey(priv); got.String() != sc.Setup.Public {
		t.Errorf("public key %s, want %s", got, sc.Setup.Public)
	}
	n := 0
	for _, tx := range sc.Transactions {
		if len(tx.Signature) != 2 || tx.Label == "bad_signature_fails" {
			continue
		}
		r, s, err := Sign(f(tx.Hash), priv)
		if err != nil {
			t.Fatal(err)
		}
		if r.String() != tx.Signature[0] || s.String() != tx.Signature[1] {
			t.Errorf("%s: signature (%s, %s), want %v", tx.Label, r, s, tx.Signature)
		}
		n++
	}
	if n < 5 {
		t.Errorf("only %d signatures checked", n)
	}
}
