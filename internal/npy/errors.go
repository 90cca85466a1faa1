package npy

import (
	"errors"
	"fmt"
)

// Classes of errors, wrapped in an *Error with the file's name.
var (
	// ErrFormat marks bytes that are not an NPY file or NPZ archive as
	// this package reads them (magic, version, header grammar, zip layout).
	ErrFormat = errors.New("malformed")
	// ErrTruncated marks a file or member that ends before what its header
	// declares.
	ErrTruncated = errors.New("truncated")
	// ErrTooLarge marks a declared size that exceeds the bytes that hold
	// it, the caller's limit or the range of int.
	ErrTooLarge = errors.New("declared size too large")
	// ErrTrailing marks bytes after the data a header declares.
	ErrTrailing = errors.New("trailing bytes after the data")
	// ErrDtype marks a dtype this package does not convert to float64.
	ErrDtype = errors.New("unsupported dtype")
	// ErrInexact marks an integer value that float64 cannot hold exactly.
	ErrInexact = errors.New("value not exactly representable as float64")
	// ErrDuplicate marks an archive with two members of the same name.
	ErrDuplicate = errors.New("duplicate member")
	// ErrMissing marks an archive member that is not there.
	ErrMissing = errors.New("no such member")
	// ErrInternal marks a panic inside a reader, turned into an error.
	ErrInternal = errors.New("internal error")
)

// Error is an error reading or writing File (and, inside an archive,
// Member).
type Error struct {
	File   string
	Member string
	Err    error
}

// Error returns "file: member: what went wrong".
func (e *Error) Error() string {
	if e.Member != "" {
		return fmt.Sprintf("%s: %s: %v", e.File, e.Member, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.File, e.Err)
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// wrap returns err as an *Error naming file and member, unless it already
// is one.
func wrap(err error, file, member string) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	return &Error{File: file, Member: member, Err: err}
}

// recovered turns a panic value caught at a reader's boundary into an
// error naming the file and member.
func recovered(p any, file, member string) error {
	return &Error{File: file, Member: member, Err: fmt.Errorf("%w: %v", ErrInternal, p)}
}
