package trainbench

import (
	"fmt"
	"runtime"
	"slices"
	"time"

	"github.com/mmcnf/mmcnf/internal/timing"
	"github.com/mmcnf/mmcnf/kernels"
)

// Options control one benchmark run.
type Options struct {
	// Warmup and Timed are the numbers of untimed and timed steps; negative
	// Warmup or non-positive Timed take the workload's defaults.
	Warmup, Timed int
	// Threads sets GOMAXPROCS for the run (0: leave it as it is).
	Threads int
	// Impl selects the kernels, "avx2" or "purego" ("": the one in use).
	Impl string
	// Seed draws the weights, the batch and the noise.
	Seed uint64
	// Batch replaces the workloads' batch sizes when positive.
	Batch int
}

// MinTimed is the least number of timed steps whose median is worth
// reporting.
const MinTimed = 5

// Result is one workload's measurement, one JSON line of
// `mmcnf bench train --json`.
type Result struct {
	Workload   string `json:"workload"`
	Batch      int    `json:"batch"`
	Solver     string `json:"solver"`
	Steps      int    `json:"steps"` // solver steps of the forward solve
	Trace      string `json:"trace"`
	Threads    int    `json:"threads"`
	Impl       string `json:"impl"`
	ForwardNFE int    `json:"forward_nfe"` // vector-field evaluations of the forward solve
	Warmup     int    `json:"warmup"`      // untimed steps
	Timed      int    `json:"timed"`       // timed steps
	// MedianS and MinS are the median and least wall time of one step in
	// seconds; SamplesPerS is Batch / MedianS.
	MedianS     float64 `json:"median_s"`
	MinS        float64 `json:"min_s"`
	SamplesPerS float64 `json:"samples_per_s"`
	// AllocsPerStep is the mean number of heap allocations of a timed step.
	AllocsPerStep float64 `json:"allocs_per_step"`
	// Loss is the loss of the last step.
	Loss float64 `json:"loss"`
	// PeakRSSMB is the peak resident memory of the whole process so far in
	// MiB (0 where the system does not report it); it is filled in by the
	// caller after the run.
	PeakRSSMB float64 `json:"peak_rss_mb"`
	// NominalGFLOP is the nominal work of one step and GFLOPS its rate at
	// the median time (ConcatConv workloads only).
	NominalGFLOP float64 `json:"nominal_gflop,omitempty"`
	GFLOPS       float64 `json:"gflops,omitempty"`
}

// Run times Warmup untimed and then Timed training steps of w and reports
// the median and least step time.
func Run(w Workload, o Options) (Result, error) {
	r, err := RunImpls(w, o, []string{o.Impl})
	if err != nil {
		return Result{}, err
	}
	return r[0], nil
}

// RunWorkloads runs each named workload (see Lookup) under each of impls as
// RunImpls does, with o.Batch applied and then adjust (if not nil), and
// hands each workload's results to emit, their PeakRSSMB filled in.
func RunWorkloads(names []string, o Options, impls []string, adjust func(*Workload), emit func([]Result) error) error {
	for _, name := range names {
		w, err := Lookup(name)
		if err != nil {
			return err
		}
		if o.Batch > 0 {
			w.Batch = o.Batch
		}
		if adjust != nil {
			adjust(&w)
		}
		rs, err := RunImpls(w, o, impls)
		if err != nil {
			return err
		}
		peak := PeakRSSMB()
		for i := range rs {
			rs[i].PeakRSSMB = peak
		}
		if err := emit(rs); err != nil {
			return err
		}
	}
	return nil
}

// RunImpls runs w under each of impls ("" is the implementation in use),
// one model per implementation, all from the same seed, and reports one
// Result for each. The implementations take their steps in turn (warm-up
// and timed steps alike, the first to go rotating from one round to the
// next), so that a slow spell of a shared machine falls on all of them and
// the ratio of their times means something. o.Impl is ignored.
func RunImpls(w Workload, o Options, impls []string) ([]Result, error) {
	warmup, timed := o.Warmup, o.Timed
	if warmup < 0 {
		warmup = w.Warmup
	}
	if timed <= 0 {
		timed = w.Timed
	}
	if timed <= 0 {
		return nil, fmt.Errorf("workload %s: %d timed steps, want positive", w.Name, timed)
	}
	if len(impls) == 0 {
		return nil, fmt.Errorf("workload %s: no implementation to run", w.Name)
	}
	if o.Threads > 0 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(o.Threads))
	}
	runs := make([]*implRun, len(impls))
	for i, impl := range impls {
		r := &implRun{impl: impl, times: make([]float64, timed)}
		err := r.under(func() error {
			var err error
			r.s, err = NewStepper(w, o.Seed)
			return err
		})
		if err != nil {
			return nil, err
		}
		runs[i] = r
	}
	for round := range warmup + timed {
		for k := range runs {
			r := runs[(round+k)%len(runs)]
			if err := r.under(func() error { return r.step(round - warmup) }); err != nil {
				return nil, fmt.Errorf("workload %s: %w", w.Name, err)
			}
		}
	}
	out := make([]Result, len(runs))
	for i, r := range runs {
		out[i] = r.result(w, warmup, timed)
	}
	return out, nil
}

// implRun is the state of one implementation's part of RunImpls.
type implRun struct {
	impl   string
	name   string // the implementation's name as kernels.Impl reports it
	s      *Stepper
	times  []float64
	allocs uint64
	nfe    int
	loss   float64
}

// under runs f with package kernels switched to the run's implementation.
func (r *implRun) under(f func() error) error {
	if r.impl != "" {
		restore, err := kernels.Use(r.impl)
		if err != nil {
			return err
		}
		defer restore()
	}
	r.name = kernels.Impl()
	return f()
}

// step takes the i-th timed step (warm-up steps for negative i).
func (r *implRun) step(i int) error {
	if i < 0 {
		if _, err := r.s.Step(); err != nil {
			return fmt.Errorf("warm-up %w", err)
		}
		return nil
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	st, err := r.s.Step()
	r.times[i] = time.Since(start).Seconds()
	runtime.ReadMemStats(&after)
	if err != nil {
		return fmt.Errorf("timed %w", err)
	}
	r.allocs += after.Mallocs - before.Mallocs
	r.nfe, r.loss = st.NFEForward, st.Loss
	return nil
}

// result summarises the run's timed steps.
func (r *implRun) result(w Workload, warmup, timed int) Result {
	c := w.Config
	times := slices.Clone(r.times)
	res := Result{
		Workload:      w.Name,
		Batch:         w.Batch,
		Solver:        c.Solver.Method,
		Steps:         c.Solver.Steps,
		Trace:         c.Trace,
		Threads:       runtime.GOMAXPROCS(0),
		Impl:          r.name,
		ForwardNFE:    r.nfe,
		Warmup:        warmup,
		Timed:         timed,
		MedianS:       timing.Median(times),
		MinS:          slices.Min(times),
		AllocsPerStep: float64(r.allocs) / float64(timed),
		Loss:          r.loss,
	}
	res.SamplesPerS = float64(w.Batch) / res.MedianS
	if flop := w.NominalFLOP(r.nfe); flop > 0 {
		res.NominalGFLOP = flop / 1e9
		res.GFLOPS = res.NominalGFLOP / res.MedianS
	}
	return res
}
