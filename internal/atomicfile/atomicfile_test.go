package atomicfile

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// errInjected is the failure the tests inject.
var errInjected = errors.New("injected failure")

// entries lists the names in dir.
func entries(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	return out
}

// oldFile writes "old" to a file f in a fresh directory and returns its path.
func oldFile(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// intact checks that path still holds "old" and is alone in its directory:
// no temporary file was left behind.
func intact(t *testing.T, path, what string) {
	t.Helper()
	if b, err := os.ReadFile(path); err != nil || string(b) != "old" {
		t.Errorf("%s: file holds %q (%v), want %q", what, b, err, "old")
	}
	if names := entries(t, filepath.Dir(path)); len(names) != 1 {
		t.Errorf("%s: directory holds %v, want the file alone", what, names)
	}
}

// countSyncs replaces the fsync of the package for the test: every call is
// counted by the name of the file or directory synced, and fails with
// errInjected when fail says so.
func countSyncs(t *testing.T, fail func(name string) bool) map[string]int {
	t.Helper()
	counts := map[string]int{}
	prev := syncFile
	syncFile = func(f *os.File) error {
		counts[filepath.Base(f.Name())]++
		if fail != nil && fail(f.Name()) {
			return errInjected
		}
		return f.Sync()
	}
	t.Cleanup(func() { syncFile = prev })
	return counts
}

// TestWriteFileKeepsOldOnError checks that a failed write leaves the
// old file and no temporary behind.
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

// TestWriteFileWritesThenRenames: while write runs, path still holds the
// old contents and the new ones go to a hidden file beside it; afterwards
// path holds exactly the new contents, readable by all although the old
// file and the temporary one are private (0600), and nothing else is left.
func TestWriteFileWritesThenRenames(t *testing.T) {
	path := oldFile(t)
	var tmp string
	err := WriteFile(path, func(f *os.File) error {
		tmp = f.Name()
		if _, err := f.WriteString("new "); err != nil {
			return err
		}
		if b, _ := os.ReadFile(path); string(b) != "old" {
			t.Errorf("during the write the file holds %q, want %q", b, "old")
		}
		_, err := f.WriteString("contents")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Dir(tmp) != filepath.Dir(path) || !strings.HasPrefix(filepath.Base(tmp), ".f.tmp-") {
		t.Errorf("temporary file %s, want a hidden .f.tmp-* beside %s", tmp, path)
	}
	if b, _ := os.ReadFile(path); string(b) != "new contents" {
		t.Errorf("file holds %q, want %q", b, "new contents")
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o644 {
		t.Errorf("mode %v, want 0644", st.Mode().Perm())
	}
	if names := entries(t, filepath.Dir(path)); len(names) != 1 {
		t.Errorf("directory holds %v after the write, want the file alone", names)
	}
}

// TestWriteFileCreates: a file in directories that do not exist yet is
// created with them; a failed first write leaves no file at all.
func TestWriteFileCreates(t *testing.T) {
	root := t.TempDir()
	path := filepath.Join(root, "a", "b", "f")
	if err := WriteBytes(path, []byte("x")); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != "x" {
		t.Errorf("file holds %q, want %q", b, "x")
	}
	other := filepath.Join(root, "a", "g")
	if err := WriteFile(other, func(f *os.File) error { return errInjected }); !errors.Is(err, errInjected) {
		t.Errorf("failed write: error %v, want one wrapping the failure", err)
	}
	if _, err := os.Stat(other); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a failed first write left %s (%v)", other, err)
	}
	if names := entries(t, filepath.Join(root, "a")); len(names) != 1 || names[0] != "b" {
		t.Errorf("directory holds %v after a failed first write, want [b]", names)
	}
}

// TestWriteFileFailures injects a failure at every step after the
// caller's writes: in the middle of a buffered write, in the caller
// closing the file under the writer, in fsync, in the rename (the target
// is a directory) and by a panic. Each leaves the old file intact and no
// temporary behind, and reports the failure.
func TestWriteFileFailures(t *testing.T) {
	t.Run("buffered write", func(t *testing.T) {
		path := oldFile(t)
		err := WriteBuffered(path, func(w io.Writer) error {
			if _, err := w.Write([]byte(strings.Repeat("new", 10000))); err != nil {
				return err
			}
			return errInjected
		})
		if !errors.Is(err, errInjected) {
			t.Errorf("error %v, want one wrapping the failure", err)
		}
		intact(t, path, "failed buffered write")
	})
	t.Run("closed file", func(t *testing.T) {
		path := oldFile(t)
		err := WriteFile(path, func(f *os.File) error {
			f.WriteString("new")
			return f.Close()
		})
		if err == nil {
			t.Error("writing through a closed file reported success")
		}
		intact(t, path, "closed file")
	})
	t.Run("fsync", func(t *testing.T) {
		SetSync(true)
		path := oldFile(t)
		countSyncs(t, func(name string) bool { return strings.Contains(name, ".tmp-") })
		if err := WriteBytes(path, []byte("new")); !errors.Is(err, errInjected) {
			t.Errorf("error %v, want one wrapping the failed fsync", err)
		}
		intact(t, path, "failed fsync")
	})
	t.Run("rename", func(t *testing.T) {
		dir := t.TempDir()
		target := filepath.Join(dir, "d")
		if err := os.Mkdir(target, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(target, "inside"), []byte("old"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := WriteBytes(target, []byte("new")); err == nil {
			t.Error("renaming over a non-empty directory reported success")
		}
		intact(t, filepath.Join(target, "inside"), "failed rename")
		if names := entries(t, dir); len(names) != 1 {
			t.Errorf("directory holds %v after a failed rename, want [d]", names)
		}
	})
	t.Run("panic", func(t *testing.T) {
		path := oldFile(t)
		func() {
			defer func() {
				if recover() == nil {
					t.Error("the panic did not reach the caller")
				}
			}()
			WriteFile(path, func(f *os.File) error {
				f.WriteString("half of the new")
				panic(errInjected)
			})
		}()
		intact(t, path, "panic in the middle of the write")
	})
}

// TestSyncChoice: with fsync on, a write syncs the new file and then its
// directory, and SaveDir syncs each file it moves and the directory; with
// fsync off (SetSync(false)) nothing is synced and the files are the same.
func TestSyncChoice(t *testing.T) {
	for _, on := range []bool{true, false} {
		SetSync(on)
		dir := t.TempDir()
		counts := countSyncs(t, nil)
		if err := WriteBytes(filepath.Join(dir, "f"), []byte("x")); err != nil {
			t.Fatal(err)
		}
		if err := SaveDir(dir, func(tmp string) error {
			for _, n := range []string{"a", "b"} {
				if err := os.WriteFile(filepath.Join(tmp, n), []byte(n), 0o644); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		var tmpSyncs, dirSyncs int
		for name, n := range counts {
			switch {
			case strings.HasPrefix(name, ".f.tmp-"):
				tmpSyncs += n
			case name == filepath.Base(dir):
				dirSyncs += n
			}
		}
		want := map[bool][4]int{true: {1, 1, 1, 2}, false: {0, 0, 0, 0}}[on]
		if got := [4]int{tmpSyncs, counts["a"], counts["b"], dirSyncs}; got != want {
			t.Errorf("sync %v: syncs of the new file, a, b and the directory %v, want %v (all: %v)", on, got, want, counts)
		}
		for n, want := range map[string]string{"f": "x", "a": "a", "b": "b"} {
			if b, _ := os.ReadFile(filepath.Join(dir, n)); string(b) != want {
				t.Errorf("sync %v: %s holds %q, want %q", on, n, b, want)
			}
		}
	}
	SetSync(true)
}

// TestSaveDir: the files save writes replace their namesakes in dir,
// files it does not write are kept, and when save fails nothing in dir
// changes; either way the temporary directory is removed.
func TestSaveDir(t *testing.T) {
	dir := t.TempDir()
	for n, v := range map[string]string{"a": "old a", "keep": "kept"} {
		if err := os.WriteFile(filepath.Join(dir, n), []byte(v), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	err := SaveDir(dir, func(tmp string) error {
		os.WriteFile(filepath.Join(tmp, "a"), []byte("half"), 0o644)
		return errInjected
	})
	if !errors.Is(err, errInjected) {
		t.Errorf("failed save: error %v, want one wrapping the failure", err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "a")); string(b) != "old a" {
		t.Errorf("a failed save changed a to %q", b)
	}
	if err := SaveDir(dir, func(tmp string) error {
		return os.WriteFile(filepath.Join(tmp, "a"), []byte("new a"), 0o644)
	}); err != nil {
		t.Fatal(err)
	}
	for n, want := range map[string]string{"a": "new a", "keep": "kept"} {
		if b, _ := os.ReadFile(filepath.Join(dir, n)); string(b) != want {
			t.Errorf("%s holds %q, want %q", n, b, want)
		}
	}
	if names := entries(t, dir); len(names) != 2 {
		t.Errorf("directory holds %v, want [a keep]", names)
	}
}
