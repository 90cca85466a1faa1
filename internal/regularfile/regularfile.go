// Package regularfile opens the files readers take from users, which must
// be regular files, and reports their size so that reading can stop there.
package regularfile

import (
	"errors"
	"io/fs"
	"os"
)

// ErrNotRegular marks a path that is a directory, a FIFO (opening it would
// block), a device (which may never end) or another kind of non-file.
var ErrNotRegular = errors.New("not a regular file")

// Open opens the regular file at path for reading and returns its size
// when opened; callers read no further. Anything but a regular file is
// refused, with an *fs.PathError wrapping ErrNotRegular, before it is
// opened.
func Open(path string) (*os.File, int64, error) {
	if st, err := os.Stat(path); err != nil {
		return nil, 0, err
	} else if !st.Mode().IsRegular() {
		return nil, 0, &fs.PathError{Op: "open", Path: path, Err: ErrNotRegular}
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, 0, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, 0, err
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, 0, &fs.PathError{Op: "open", Path: path, Err: ErrNotRegular}
	}
	return f, st.Size(), nil
}
