package atomicfile

import (
	"os"
	"path/filepath"
	"testing"
)

// TestWriteFileKeepsOldOnError checks that a failed write leaves the old
// file and no temporary behind.
func TestWriteFileKeepsOldOnError(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "f")
	if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := WriteFile(path, func(f *os.File) error {
		f.WriteString("half of the new")
		return os.ErrInvalid
	})
	if err == nil {
		t.Fatal("failed write reported success")
	}
	if b, _ := os.ReadFile(path); string(b) != "old" {
		t.Errorf("file holds %q after a failed write, want %q", b, "old")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("%d entries after a failed write, want 1", len(entries))
	}
}
