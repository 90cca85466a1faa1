package experiment

import (
	"os"
	"path/filepath"
)

// ModelDir is the name of the model directory inside a unit's directory.
const ModelDir = "model"

// FinishedUnitModel reports whether dir is the model directory of a
// finished unit, whose result.json beside it holds the scores of the
// model as it is.
func FinishedUnitModel(dir string) bool {
	dir = filepath.Clean(dir)
	if filepath.Base(dir) != ModelDir {
		return false
	}
	st, err := os.Stat(filepath.Join(filepath.Dir(dir), ResultFile))
	return err == nil && st.Mode().IsRegular()
}
