package main

import (
	"github.com/mmcnf/mmcnf/cnf"
	"github.com/mmcnf/mmcnf/cnf/recipe"
)

// modelFlags are the flags of the commands that use a trained model (eval
// and sample): its directory, the output file, the seed of their noise,
// the points per solve and the worker threads.
type modelFlags struct {
	model, out     string
	seed           uint64
	batch, threads int
}

// bind declares the flags, out, seed and batch described for the command.
func (m *modelFlags) bind(f *cmdFlags, out, seed, batch string) {
	f.StringVar(&m.model, "model", "", "model directory written by mmcnf train (required)")
	f.StringVar(&m.out, "out", "", out)
	f.Uint64Var(&m.seed, "seed", 1, seed)
	f.IntVar(&m.batch, "batch", 1000, batch)
	f.IntVar(&m.threads, "threads", 0, "worker threads (0: all cores)")
}

// open checks --threads, reads the model directory given as --model and
// the options of the run that trained it (nil without run.json), and sets
// the worker threads; a missing or corrupt directory is bad input.
func (m *modelFlags) open(f *cmdFlags) (*cnf.Model, *recipe.Options, error) {
	if err := f.nonNegativeInt("threads", m.threads); err != nil {
		return nil, nil, err
	}
	if m.model == "" {
		return nil, nil, f.errorf("--model DIR is required")
	}
	model, run, err := recipe.OpenModel(m.model)
	if err != nil {
		return nil, nil, f.errorf("--model %v", err)
	}
	setThreads(m.threads)
	return model, run, nil
}
