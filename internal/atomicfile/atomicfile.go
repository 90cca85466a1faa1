// Package atomicfile writes files so that a reader, or a run resumed after
// a crash, sees either the old contents or all of the new ones: the data
// goes to a temporary file beside the target, is synced, and is renamed over
// it, and the directory is synced so that the rename itself survives.
package atomicfile

import (
	"bufio"
	"fmt"
	"io"
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

// syncFile is the system call behind every fsync of this package, a
// variable so that tests can count syncs and make them fail.
var syncFile = (*os.File).Sync

// fsync flushes f unless SetSync(false) was called.
func fsync(f *os.File) error {
	if noSync.Load() {
		return nil
	}
	return syncFile(f)
}

// WriteFile writes path through write, atomically, creating its directory
// if needed. The file is readable by all (0644). When write or any later
// step fails, or write panics, path keeps its old contents (or stays
// absent) and the temporary file is removed.
func WriteFile(path string, write func(f *os.File) error) error {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	renamed := false
	defer func() {
		if !renamed {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err := write(f); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Chmod(0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := fsync(f); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	renamed = true
	return SyncDir(dir)
}

// WriteBuffered is WriteFile for a writer of an io.Writer, buffered.
func WriteBuffered(path string, write func(w io.Writer) error) error {
	return WriteFile(path, func(f *os.File) error {
		bw := bufio.NewWriter(f)
		if err := write(bw); err != nil {
			return err
		}
		return bw.Flush()
	})
}

// WriteBytes is WriteFile for data already in memory.
func WriteBytes(path string, data []byte) error {
	return WriteFile(path, func(f *os.File) error {
		_, err := f.Write(data)
		return err
	})
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

// SaveDir lets save write a set of files into a fresh temporary directory
// beside dir, then moves each file into dir by an atomic rename, so that
// every file in dir is always complete. Files that save does not write are
// left as they are.
func SaveDir(dir string, save func(tmp string) error) error {
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
		if err := syncPath(src); err != nil {
			return fmt.Errorf("save %s: %w", dir, err)
		}
		if err := os.Rename(src, filepath.Join(dir, e.Name())); err != nil {
			return fmt.Errorf("save %s: %w", dir, err)
		}
	}
	return SyncDir(dir)
}

// syncPath flushes the contents of the file at path to disk.
func syncPath(path string) error {
	if noSync.Load() {
		return nil
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	if err := fsync(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// Sync flushes f to disk, unless SetSync(false) was called.
func Sync(f *os.File) error { return fsync(f) }
