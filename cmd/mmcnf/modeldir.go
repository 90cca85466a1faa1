package main

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"

	"github.com/mmcnf/mmcnf/cnf"
)

// loadModel reads the model directory dir and, when present, the settings
// of the run that trained it. A missing or corrupt directory is bad input.
func loadModel(f *cmdFlags, dir string) (*cnf.Model, *trainOptions, error) {
	if dir == "" {
		return nil, nil, f.errorf("--model DIR is required")
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return nil, nil, f.errorf("--model %s: no such model directory", dir)
	}
	m, err := cnf.Load(dir)
	if err != nil {
		return nil, nil, f.errorf("--model %s: %v", dir, err)
	}
	b, err := os.ReadFile(filepath.Join(dir, runFile))
	if errors.Is(err, os.ErrNotExist) {
		return m, nil, nil
	}
	if err != nil {
		return nil, nil, f.errorf("--model %s: %v", dir, err)
	}
	var o trainOptions
	if err := json.Unmarshal(b, &o); err != nil {
		return nil, nil, f.errorf("--model %s: %s: %v", dir, runFile, err)
	}
	return m, &o, nil
}
