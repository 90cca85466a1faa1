//go:build unix

package dirlock

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// maxHolder bounds what is read back from a lock file to name its holder.
const maxHolder = 4096

// Acquire takes the lock of dir, which must exist, without waiting. If
// another process holds it, the error is a *BusyError naming the holder.
// The holder's description (process id, host, start time, command line) is
// written into the lock file for the next one to read.
func Acquire(dir string) (*Lock, error) {
	path := filepath.Join(dir, Name)
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", dir, err)
	}
	if err := flock(f); err != nil {
		defer f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, &BusyError{Dir: dir, Holder: readHolder(f)}
		}
		return nil, fmt.Errorf("lock %s: %w", dir, err)
	}
	if err := record(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", dir, err)
	}
	return &Lock{release: f.Close}, nil
}

// flock takes an exclusive flock on f without blocking, retrying when a
// signal interrupts the call.
func flock(f *os.File) error {
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if !errors.Is(err, syscall.EINTR) {
			return err
		}
	}
}

// record replaces the lock file's content with a line describing this
// process.
func record(f *os.File) error {
	host, _ := os.Hostname()
	line := fmt.Sprintf("pid %d on %s since %s: %s\n", os.Getpid(), host,
		time.Now().UTC().Format(time.RFC3339), strings.Join(os.Args, " "))
	if err := f.Truncate(0); err != nil {
		return err
	}
	_, err := f.WriteAt([]byte(line), 0)
	return err
}

// holderWait is how long a refused Acquire waits for a holder that has
// only just taken the lock to record itself (it writes its line right
// after taking the lock).
const holderWait = 200 * time.Millisecond

// readHolder returns the first line of the lock file, at most maxHolder
// bytes, waiting up to holderWait for a whole line to be written; "" if
// none can be read.
func readHolder(f *os.File) string {
	deadline := time.Now().Add(holderWait)
	for {
		b, err := io.ReadAll(io.NewSectionReader(f, 0, maxHolder))
		s, _, whole := strings.Cut(string(b), "\n")
		if err != nil || whole || time.Now().After(deadline) {
			return strings.TrimSpace(s)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
