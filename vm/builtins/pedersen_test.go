package builtins

import (
	"slices"
	"testing"
)

func TestVerifiedSet(t *testing.T) {
	tests := []struct {
		name string
		add  []uint64
		want []uint64
	}{
		{"empty", nil, nil},
		{"outputs", []uint64{2, 5, 191, 194, 3*1000 + 2}, []uint64{2, 5, 191, 194, 3002}},
		// offsets that are not output cells come only from Cairo PIE
		// additional data; they are kept and sorted in with the others
		{"mixed", []uint64{8, 7, 0, 2, 3*64 + 2, 3*64 + 1}, []uint64{0, 2, 7, 8, 193, 194}},
		{"repeated", []uint64{5, 5, 4, 4}, []uint64{4, 5}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var v verifiedSet
			for _, o := range tc.add {
				v.add(o)
			}
			if got := v.offsets(); !slices.Equal(got, tc.want) {
				t.Fatalf("offsets = %v, want %v", got, tc.want)
			}
			for o := uint64(0); o < 3100; o++ {
				if got, want := v.has(o), slices.Contains(tc.want, o); got != want {
					t.Fatalf("has(%d) = %v, want %v", o, got, want)
				}
			}
		})
	}
}
