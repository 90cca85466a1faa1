package main

import (
	"github.com/mmcnf/mmcnf/cnf"
	"github.com/mmcnf/mmcnf/cnf/recipe"
	"github.com/mmcnf/mmcnf/ode"
)

// modelFlags are the flags of the commands that use a trained model (eval
// and sample): its directory, the output file, the seed of their noise,
// the points per solve and the worker threads.
type modelFlags struct {
	model, out     string
	seed           uint64
	batch, threads int
	interpolate    bool
}

// bind declares the flags, out, seed and batch described for the command.
func (m *modelFlags) bind(f *cmdFlags, out, seed, batch string) {
	f.StringVar(&m.model, "model", "", "model directory written by mmcnf train (required)")
	f.StringVar(&m.out, "out", "", out)
	f.Uint64Var(&m.seed, "seed", 1, seed)
	f.IntVar(&m.batch, "batch", 1000, batch)
	f.IntVar(&m.threads, "threads", 0, "worker threads (0: all cores)")
	f.BoolVar(&m.interpolate, "interpolate", false, interpolateHelp+" (default: as the model's config.json says)")
}

// open checks --threads, reads the model directory given as --model and
// the options of the run that trained it (nil without run.json), sets the
// model's interpolation at t1 when --interpolate is given, and sets the
// worker threads; a missing or corrupt directory is bad input.
func (m *modelFlags) open(f *cmdFlags) (*cnf.Model, *recipe.Options, error) {
	if err := f.threads(m.threads); err != nil {
		return nil, nil, err
	}
	if m.model == "" {
		return nil, nil, f.errorf("--model DIR is required")
	}
	model, run, err := recipe.OpenModel(m.model)
	if err != nil {
		return nil, nil, f.errorf("--model: %v", err)
	}
	if f.set("interpolate") {
		s := model.Config().Solver
		if tb, err := ode.MethodByName(s.Method); m.interpolate && err == nil && !tb.Adaptive() {
			return nil, nil, f.errorf("--interpolate: the model's solver %s is fixed-step; interpolation at t1 is for adaptive solvers", s.Method)
		}
		s.Interpolate = m.interpolate
		if model, err = model.WithSolver(s); err != nil {
			return nil, nil, f.errorf("--interpolate: %v", err)
		}
	}
	setThreads(m.threads)
	return model, run, nil
}
