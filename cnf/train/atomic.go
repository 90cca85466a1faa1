package train

import (
	"os"

	"github.com/mmcnf/mmcnf/cnf/internal/atomicfile"
)

// SetSync turns fsync on (the default) or off for every file that mmcnf's
// packages write. Off, writes stay atomic against a crash of the process
// (the rename still replaces whole files) but not against a crash of the
// machine; it is meant for tests and scratch runs on slow disks.
func SetSync(on bool) { atomicfile.SetSync(on) }

// WriteFileAtomic writes path so that it holds either its old contents or
// all of the new ones, whatever happens: write runs on a temporary file in
// the same directory, which is synced, closed and renamed over path, and the
// directory is synced so that the rename survives a crash.
func WriteFileAtomic(path string, write func(f *os.File) error) error {
	return atomicfile.WriteFile(path, write)
}

// SaveDirAtomic lets save write a set of files into a fresh temporary
// directory beside dir, then moves each file into dir by an atomic rename,
// so that every file in dir is always complete. Files that save does not
// write are left as they are.
func SaveDirAtomic(dir string, save func(tmp string) error) error {
	return atomicfile.SaveDir(dir, save)
}
