//go:build unix

package experiment

import (
	"strings"
	"testing"
)

// TestLockDir: a second run into a locked directory is refused with a
// message naming it, and the directory is free again once unlocked.
func TestLockDir(t *testing.T) {
	dir := t.TempDir()
	unlock, err := lockDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lockDir(dir); err == nil || !strings.Contains(err.Error(), "in use by another run") {
		t.Fatalf("second lock of %s: got %v, want an in-use error", dir, err)
	}
	unlock()
	unlock2, err := lockDir(dir)
	if err != nil {
		t.Fatalf("lock after unlock: %v", err)
	}
	unlock2()
}
