// Package jsonpos turns byte offsets into a JSON document into the line
// and column that parse errors report, for the block and transaction file
// parsers.
package jsonpos

import "bytes"

// LineCol returns the 1-based line and column of byte offset off in data
// (clamped to the data).
func LineCol(data []byte, off int64) (line, col int) {
	off = min(max(off, 0), int64(len(data)))
	before := data[:off]
	return bytes.Count(before, []byte{'\n'}) + 1, int(off) - (bytes.LastIndexByte(before, '\n') + 1) + 1
}

// SkipSpace returns the offset of the next token at or after off: past
// white space and the ',' and ':' separators that a json.Decoder's
// InputOffset leaves before a token.
func SkipSpace(data []byte, off int64) int64 {
	for off < int64(len(data)) {
		switch data[off] {
		case ' ', '\t', '\r', '\n', ',', ':':
			off++
			continue
		}
		break
	}
	return off
}
