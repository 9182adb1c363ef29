package fmul

import (
	"testing"

	"github.com/consensys/gnark-crypto/ecc/stark-curve/fp"
)

// The benchmarks run dependent chains (each result feeds the next
// operation), the shape of Poseidon's partial rounds, so that they measure
// latency rather than throughput. The gnark variants are the baseline.

func benchElements() (x, y fp.Element) {
	x.SetString("0x3d937c035c878245caf64531a5756109c53068da139362728feb561405371cb")
	y.SetString("0x208a0a10250e382e1e4bbe2880906c2791bf6275695e02fbbc6aeff9cd8b31a")
	return x, y
}

// reportMuls reports the rate of field multiplications, counting a cube as
// two.
func reportMuls(b *testing.B, perOp int) {
	b.ReportMetric(float64(b.N*perOp)/b.Elapsed().Seconds(), "muls/s")
}

func BenchmarkMul(b *testing.B) {
	x, y := benchElements()
	for b.Loop() {
		Mul(&x, &x, &y)
	}
	reportMuls(b, 1)
	sink = x
}

func BenchmarkMulGnark(b *testing.B) {
	x, y := benchElements()
	for b.Loop() {
		x.Mul(&x, &y)
	}
	reportMuls(b, 1)
	sink = x
}

func BenchmarkSquare(b *testing.B) {
	x, _ := benchElements()
	for b.Loop() {
		Square(&x, &x)
	}
	reportMuls(b, 1)
	sink = x
}

func BenchmarkSquareGnark(b *testing.B) {
	x, _ := benchElements()
	for b.Loop() {
		x.Square(&x)
	}
	reportMuls(b, 1)
	sink = x
}

func BenchmarkCube(b *testing.B) {
	x, _ := benchElements()
	for b.Loop() {
		Cube(&x, &x)
	}
	reportMuls(b, 2)
	sink = x
}

func BenchmarkCubeGnark(b *testing.B) {
	x, _ := benchElements()
	for b.Loop() {
		var t fp.Element
		t.Square(&x)
		x.Mul(&x, &t)
	}
	reportMuls(b, 2)
	sink = x
}

// sink keeps the chains' results alive.
var sink fp.Element
