//go:build unix

package sqlite

import (
	"syscall"
	"time"
)

// cpuTime returns the CPU time (user and system) the process has used.
// Benchmarks report it beside wall time: on a shared machine the wall time
// of a parallel commit depends on the load, its CPU time much less.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
