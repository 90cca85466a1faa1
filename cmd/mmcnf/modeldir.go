package main

import (
	"github.com/mmcnf/mmcnf/cnf"
	"github.com/mmcnf/mmcnf/cnf/recipe"
)

// openModel reads the model directory given as --model and the options of
// the run that trained it (nil without run.json); a missing or corrupt
// directory is bad input.
func openModel(f *cmdFlags, dir string) (*cnf.Model, *recipe.Options, error) {
	if dir == "" {
		return nil, nil, f.errorf("--model DIR is required")
	}
	m, run, err := recipe.OpenModel(dir)
	if err != nil {
		return nil, nil, f.errorf("--model %v", err)
	}
	return m, run, nil
}
