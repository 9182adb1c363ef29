//go:build cgo && amd64

package ifma

// #cgo CFLAGS: -O3
// #include "ifma.h"
import "C"

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

// Available reports whether the kernels run here: an amd64 processor with
// AVX-512 (F, BW, VL and IFMA) that the operating system enables, and a
// build with cgo.
func Available() bool {
	return cpu.X86.HasAVX512F && cpu.X86.HasAVX512BW && cpu.X86.HasAVX512VL && cpu.X86.HasAVX512IFMA
}

func words64(p []uintptr) *C.uint64_t { return (*C.uint64_t)(unsafe.Pointer(unsafe.SliceData(p))) }

func up(ws []uint64, stride, cur int, pts []uintptr, neg, failed []bool) int {
	return int(C.kairo_ifma_up((*C.uint64_t)(unsafe.Pointer(&ws[0])), C.int64_t(stride), C.int64_t(cur),
		words64(pts), (*C.uint8_t)(bytesOf(neg)), (*C.uint8_t)(bytesOf(failed)), C.int64_t(len(pts))))
}

func down(ws []uint64, stride, cur, m int, next []uintptr) {
	C.kairo_ifma_down((*C.uint64_t)(unsafe.Pointer(&ws[0])), C.int64_t(stride), C.int64_t(cur), C.int64_t(m),
		words64(next), C.int64_t(len(next)))
}

func prefetch(pts []uintptr) { C.kairo_ifma_prefetch(words64(pts), C.int64_t(len(pts))) }
