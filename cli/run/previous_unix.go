//go:build unix

package run

import (
	"os"
	"syscall"
)

// emptyPrevious empties the regular file at path, the previous output a
// finished file is about to replace, so that the system frees its pages
// now instead of when the rename drops it. A file with other links (or a
// symbolic link, which O_NOFOLLOW refuses) is left alone: replacing it
// does not free it.
func emptyPrevious(path string) {
	f, err := os.OpenFile(path, os.O_WRONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	if err != nil {
		return
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil || !fi.Mode().IsRegular() {
		return
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); !ok || st.Nlink != 1 {
		return
	}
	_ = f.Truncate(0)
}
