package jsonpos

import "testing"

func TestLineCol(t *testing.T) {
	data := []byte("{\n  \"a\": 1,\n  \"b\"\n}")
	for _, tt := range []struct {
		off       int64
		line, col int
	}{{0, 1, 1}, {2, 2, 1}, {4, 2, 3}, {14, 3, 3}, {-5, 1, 1}, {999, 4, 2}} {
		if l, c := LineCol(data, tt.off); l != tt.line || c != tt.col {
			t.Errorf("LineCol(%d) = %d:%d, want %d:%d", tt.off, l, c, tt.line, tt.col)
		}
	}
}

func TestSkipSpace(t *testing.T) {
	data := []byte(`{"a" : , 1}`)
	if got := SkipSpace(data, 4); got != 9 {
		t.Errorf("SkipSpace(4) = %d, want 9", got)
	}
	if got := SkipSpace(data, 11); got != 11 {
		t.Errorf("SkipSpace at the end = %d, want 11", got)
	}
}
