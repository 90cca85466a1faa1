// Package dirlock takes exclusive advisory locks on directories, so that two
// processes never write one model or study directory at once.
//
// A lock is a file named .lock in the directory, locked with flock(2). The
// kernel releases it when the holder exits, however it exits, so a killed
// run leaves no stale lock; the file stays and records its last holder. On
// Linux, flock locks on NFS are carried as POSIX byte-range locks, which the
// NFS lock manager shares between machines: workers on several nodes can
// share one output directory on a shared filesystem.
package dirlock

import (
	"errors"
	"fmt"
)

// Name is the lock file's name inside the locked directory.
const Name = ".lock"

// ErrBusy is wrapped by the error of Acquire when another process holds the
// lock.
var ErrBusy = errors.New("in use by another run")

// BusyError reports a directory locked by another process.
type BusyError struct {
	// Dir is the locked directory.
	Dir string
	// Holder describes the holder as it recorded itself (process id, host,
	// start time and command line), or is empty if it recorded nothing yet.
	Holder string
}

func (e *BusyError) Error() string {
	if e.Holder == "" {
		return fmt.Sprintf("%s is in use by another run (lock %s)", e.Dir, Name)
	}
	return fmt.Sprintf("%s is in use by another run: %s", e.Dir, e.Holder)
}

// Unwrap makes errors.Is(err, ErrBusy) hold.
func (e *BusyError) Unwrap() error { return ErrBusy }

// Lock is a held directory lock.
type Lock struct {
	release func() error
}

// Release gives the lock up. It is safe to call more than once.
func (l *Lock) Release() error {
	if l == nil || l.release == nil {
		return nil
	}
	r := l.release
	l.release = nil
	return r()
}
