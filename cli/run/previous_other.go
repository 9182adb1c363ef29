//go:build !unix

package run

// emptyPrevious does nothing where link counts are not available: the
// rename that replaces the previous file frees it.
func emptyPrevious(string) {}
