package kvtx

import (
	"sync"
	"sync/atomic"
	"time"
)

// Spin performs n rounds of a 64-bit mixing function (splitmix64's
// finalizer), each depending on the last: the CPU work of a transaction.
// The result is folded into a counter in the rare case it is zero, so the
// loop can never be optimized away.
//
//go:noinline
func Spin(n uint64) {
	x := n ^ 0x9e3779b97f4a7c15
	for i := uint64(0); i < n; i++ {
		x ^= x >> 30
		x *= 0xbf58476d1ce4e5b9
		x ^= x >> 27
		x *= 0x94d049bb133111eb
		x ^= x >> 31
	}
	if x == 0 {
		spinZeros.Add(1)
	}
}

var spinZeros atomic.Uint64

var calibration struct {
	once      sync.Once
	nsPerIter float64
}

// NsPerIteration is the measured cost of one Spin round on this machine:
// the fastest of several timed runs, measured once per process.
func NsPerIteration() float64 {
	calibration.once.Do(func() {
		const n = 200_000
		Spin(n / 10)
		best := time.Duration(1 << 62)
		for range 7 {
			t0 := time.Now()
			Spin(n)
			if d := time.Since(t0); d < best {
				best = d
			}
		}
		calibration.nsPerIter = max(float64(best.Nanoseconds())/n, 0.01)
	})
	return calibration.nsPerIter
}

// Iterations converts a duration of work into Spin rounds.
func Iterations(d time.Duration) uint64 {
	if d <= 0 {
		return 0
	}
	return uint64(float64(d.Nanoseconds())/NsPerIteration() + 0.5)
}
