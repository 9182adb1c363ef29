package builtins

import (
	"testing"

	"github.com/kairo-dev/kairo/vm/felt"
	"github.com/kairo-dev/kairo/vm/memory"
)

// benchDeduce fills n instances of r's segment with inputs and measures
// deducing output cell out of each.
func benchDeduce(b *testing.B, layout, name string, inputs func(i uint64) []memory.Value, out uint64) {
	l := mustLayout(b, layout)
	b.ReportAllocs()
	var done uint64
	for b.Loop() {
		b.StopTimer()
		r, err := newRunner(&l, name, true)
		if err != nil {
			b.Fatal(err)
		}
		m := setup(b, r)
		const n = 64
		cells := r.CellsPerInstance()
		for i := uint64(0); i < n; i++ {
			for j, v := range inputs(i) {
				set(b, m, r.Base().Add(i*cells+uint64(j)), v)
			}
		}
		b.StartTimer()
		for i := uint64(0); i < n; i++ {
			if _, ok, err := m.Deduce(r.Base().Add(i*cells + out)); !ok || err != nil {
				b.Fatalf("deduce: %v %v", ok, err)
			}
		}
		done += n
	}
	b.ReportMetric(float64(done)/b.Elapsed().Seconds(), "instances/s")
}

func BenchmarkPedersenDeduction(b *testing.B) {
	benchDeduce(b, "small", "pedersen", func(i uint64) []memory.Value {
		return []memory.Value{fv("0x3d937c035c878245caf64531a5756109c53068da139362728feb561405371cb"), uv(i)}
	}, 2)
}

func BenchmarkPoseidonDeduction(b *testing.B) {
	benchDeduce(b, "starknet", "poseidon", func(i uint64) []memory.Value {
		return []memory.Value{uv(i), uv(2), fv("0x103632488bb3633f16c44dc1d14f3a")}
	}, 3)
}

func BenchmarkKeccakDeduction(b *testing.B) {
	benchDeduce(b, "starknet_with_keccak", "keccak", func(i uint64) []memory.Value {
		v := make([]memory.Value, 8)
		for j := range v {
			v[j] = uv(i*8 + uint64(j))
		}
		return v
	}, 8)
}

func BenchmarkEcOpDeduction(b *testing.B) {
	benchDeduce(b, "all_solidity", "ec_op", func(i uint64) []memory.Value {
		return []memory.Value{
			fv("0x49ee3eba8c1600700ee1b87eb599f16716b0b1022947733551fde4050ca6804"),
			fv("0x3ca0cfe4b3bc6ddf346d49d06ea0ed34e621062c0e056c1d0405d266e10268a"),
			fv("0x1ef15c18599971b7beced415a40f0c7deacfd9b0d1819e03d723d8bc943cfca"),
			fv("0x5668060aa49730b7be4801df46ec62de53ecd11abe43a32873000c36e8dc1f"),
			memory.FeltValue(felt.FromUint64(0x123456789abcdef).Mul(felt.FromUint64(i + 3))),
		}
	}, 5)
}

func BenchmarkBitwiseDeduction(b *testing.B) {
	benchDeduce(b, "recursive", "bitwise", func(i uint64) []memory.Value {
		return []memory.Value{uv(i * 0x9e3779b97f4a7c15), fv("0x7ffffffffffffffffffffffffffffffffffffffffffffffff")}
	}, 3)
}

func BenchmarkVerifyECDSA(b *testing.B) {
	pub, msg := felt.MustFromString(sigPub), felt.MustFromString(sigMsg)
	r, s := bigHex(sigR), bigHex(sigS)
	b.ReportAllocs()
	for b.Loop() {
		if ok, err := VerifyECDSA(msg, r, s, pub); !ok || err != nil {
			b.Fatal("invalid")
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "signatures/s")
}

func BenchmarkRangeCheckValidation(b *testing.B) {
	r := NewRangeCheck(mustDef(b, "small", "range_check"), true)
	b.ReportAllocs()
	var done uint64
	for b.Loop() {
		b.StopTimer()
		m := setup(b, r)
		b.StartTimer()
		for i := uint64(0); i < 4096; i++ {
			if err := m.Set(r.Base().Add(i), uv(i*0x9e3779b97f4a7c15)); err != nil {
				b.Fatal(err)
			}
		}
		done += 4096
	}
	b.ReportMetric(float64(done)/b.Elapsed().Seconds(), "cells/s")
}
