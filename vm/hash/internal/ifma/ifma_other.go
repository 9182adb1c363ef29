//go:build !cgo || !amd64

package ifma

// Available reports whether the kernels run here: never without cgo or
// off amd64.
func Available() bool { return false }

func up(ws []uint64, stride, cur int, pts []uintptr, neg, failed []bool) int {
	panic("ifma: kernels not available in this build")
}

func down(ws []uint64, stride, cur, m int, next []uintptr) {
	panic("ifma: kernels not available in this build")
}

func prefetch(pts []uintptr) {}
