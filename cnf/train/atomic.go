package train

import (
	"fmt"
	"os"
	"path/filepath"
	"sync/atomic"
)

// noSync, when set, skips every fsync.
var noSync atomic.Bool

// SetSync turns fsync on (the default) or off for every write of this
// package. Off, writes stay atomic against a crash of the process (the
// rename still replaces whole files) but not against a crash of the
// machine; it is meant for tests and scratch runs on slow disks.
func SetSync(on bool) { noSync.Store(!on) }

// fsync flushes f unless SetSync(false) was called.
func fsync(f *os.File) error {
	if noSync.Load() {
		return nil
	}
	return f.Sync()
}

// WriteFileAtomic writes path so that it holds either its old contents or
// all of the new ones, whatever happens: write runs on a temporary file in
// the same directory, which is synced, closed and renamed over path, and the
// directory is synced so that the rename survives a crash.
func WriteFileAtomic(path string, write func(f *os.File) error) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err = write(f); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = fsync(f); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err = os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return SyncDir(dir)
}

// SyncDir flushes a directory's entries (new names, renames) to disk.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	defer d.Close()
	if err := fsync(d); err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}

// SaveDirAtomic lets save write a set of files into a fresh temporary
// directory beside dir, then moves each file into dir by an atomic rename,
// so that every file in dir is always complete. Files that save does not
// write are left as they are.
func SaveDirAtomic(dir string, save func(tmp string) error) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("save %s: %w", dir, err)
	}
	tmp, err := os.MkdirTemp(dir, ".save-*")
	if err != nil {
		return fmt.Errorf("save %s: %w", dir, err)
	}
	defer os.RemoveAll(tmp)
	if err := save(tmp); err != nil {
		return fmt.Errorf("save %s: %w", dir, err)
	}
	entries, err := os.ReadDir(tmp)
	if err != nil {
		return fmt.Errorf("save %s: %w", dir, err)
	}
	for _, e := range entries {
		src := filepath.Join(tmp, e.Name())
		if err := syncFile(src); err != nil {
			return fmt.Errorf("save %s: %w", dir, err)
		}
		if err := os.Rename(src, filepath.Join(dir, e.Name())); err != nil {
			return fmt.Errorf("save %s: %w", dir, err)
		}
	}
	return SyncDir(dir)
}

// syncFile flushes one file's contents to disk.
func syncFile(path string) error {
	if noSync.Load() {
		return nil
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
