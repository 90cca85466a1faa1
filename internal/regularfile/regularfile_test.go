package regularfile

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

func TestOpen(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f")
	os.WriteFile(p, []byte("abc"), 0o644)
	f, n, err := Open(p)
	if err != nil || n != 3 {
		t.Fatalf("regular file: size %d, %v", n, err)
	}
	f.Close()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "zero")
	os.Symlink("/dev/zero", link)
	for _, q := range []string{dir, fifo, link} {
		done := make(chan error, 1)
		go func() { _, _, err := Open(q); done <- err }()
		select {
		case err := <-done:
			if !errors.Is(err, ErrNotRegular) || err.Error() != "open "+q+": not a regular file" {
				t.Errorf("%s: error %v", q, err)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("%s: Open blocked", q)
		}
	}
	if _, _, err := Open(filepath.Join(dir, "missing")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing: error %v", err)
	}
}
