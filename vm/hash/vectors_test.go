package hash

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/kairo-dev/kairo/internal/shared"

	"github.com/kairo-dev/kairo/vm/felt"
)

// stateVectors is the hash part of ../shared/vectors/starknet-state.json.
type stateVectors struct {
	Pedersen []struct {
		A, B, Hash string
	} `json:"pedersen"`
	PoseidonPermutation []struct {
		Input, Output []string
	} `json:"poseidon_permutation"`
	PoseidonHash []struct {
		A, B, Hash string
	} `json:"poseidon_hash"`
	PoseidonHashMany []struct {
		Input []string
		Hash  string
	} `json:"poseidon_hash_many"`
}

func loadVectors(t *testing.T) *stateVectors {
	t.Helper()
	path := shared.Vector(t, "starknet-state.json")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var v stateVectors
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatalf("parse %s: %v", path, err)
	}
	if len(v.Pedersen) == 0 || len(v.PoseidonHash) == 0 || len(v.PoseidonPermutation) == 0 || len(v.PoseidonHashMany) == 0 {
		t.Fatalf("%s: a vector section is empty", path)
	}
	return &v
}

func f(t testing.TB, s string) felt.Felt {
	t.Helper()
	v, err := felt.FromString(s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func felts(t testing.TB, ss []string) []felt.Felt {
	out := make([]felt.Felt, len(ss))
	for i, s := range ss {
		out[i] = f(t, s)
	}
	return out
}

func TestVectors(t *testing.T) {
	v := loadVectors(t)
	t.Run("pedersen", func(t *testing.T) {
		for _, c := range v.Pedersen {
			if got, want := Pedersen(f(t, c.A), f(t, c.B)), f(t, c.Hash); got != want {
				t.Errorf("Pedersen(%s, %s) = %s, want %s", c.A, c.B, got, want)
			}
		}
	})
	t.Run("poseidon_permutation", func(t *testing.T) {
		for _, c := range v.PoseidonPermutation {
			s := [3]felt.Felt(felts(t, c.Input))
			PoseidonPermute(&s)
			if want := [3]felt.Felt(felts(t, c.Output)); s != want {
				t.Errorf("hades(%v) = %v, want %v", c.Input, s, want)
			}
		}
	})
	t.Run("poseidon_hash", func(t *testing.T) {
		for _, c := range v.PoseidonHash {
			if got, want := PoseidonHash(f(t, c.A), f(t, c.B)), f(t, c.Hash); got != want {
				t.Errorf("PoseidonHash(%s, %s) = %s, want %s", c.A, c.B, got, want)
			}
		}
	})
	t.Run("poseidon_hash_many", func(t *testing.T) {
		for _, c := range v.PoseidonHashMany {
			if got, want := PoseidonHashMany(felts(t, c.Input)), f(t, c.Hash); got != want {
				t.Errorf("PoseidonHashMany(%v) = %s, want %s", c.Input, got, want)
			}
		}
	})
}
