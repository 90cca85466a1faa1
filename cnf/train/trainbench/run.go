package trainbench

import (
	"fmt"
	"runtime"
	"slices"
	"time"

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
}

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
	warmup, timed := o.Warmup, o.Timed
	if warmup < 0 {
		warmup = w.Warmup
	}
	if timed <= 0 {
		timed = w.Timed
	}
	if timed <= 0 {
		return Result{}, fmt.Errorf("workload %s: %d timed steps, want positive", w.Name, timed)
	}
	if o.Impl != "" {
		restore, err := kernels.Use(o.Impl)
		if err != nil {
			return Result{}, err
		}
		defer restore()
	}
	if o.Threads > 0 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(o.Threads))
	}
	s, err := NewStepper(w, o.Seed)
	if err != nil {
		return Result{}, err
	}
	for range warmup {
		if _, err := s.Step(); err != nil {
			return Result{}, fmt.Errorf("workload %s: warm-up %w", w.Name, err)
		}
	}
	times := make([]float64, timed)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	var last struct {
		nfe  int
		loss float64
	}
	for i := range times {
		start := time.Now()
		st, err := s.Step()
		times[i] = time.Since(start).Seconds()
		if err != nil {
			return Result{}, fmt.Errorf("workload %s: timed %w", w.Name, err)
		}
		last.nfe, last.loss = st.NFEForward, st.Loss
	}
	runtime.ReadMemStats(&after)
	c := w.Config
	r := Result{
		Workload:      w.Name,
		Batch:         w.Batch,
		Solver:        c.Solver.Method,
		Steps:         c.Solver.Steps,
		Trace:         c.Trace,
		Threads:       runtime.GOMAXPROCS(0),
		Impl:          kernels.Impl(),
		ForwardNFE:    last.nfe,
		Warmup:        warmup,
		Timed:         timed,
		MedianS:       median(times),
		MinS:          slices.Min(times),
		AllocsPerStep: float64(after.Mallocs-before.Mallocs) / float64(timed),
		Loss:          last.loss,
	}
	r.SamplesPerS = float64(w.Batch) / r.MedianS
	if flop := w.NominalFLOP(last.nfe); flop > 0 {
		r.NominalGFLOP = flop / 1e9
		r.GFLOPS = r.NominalGFLOP / r.MedianS
	}
	return r, nil
}

// median returns the median of v (the mean of the middle two for even
// lengths); v is sorted in place.
func median(v []float64) float64 {
	slices.Sort(v)
	n := len(v)
	if n%2 == 1 {
		return v[n/2]
	}
	return (v[n/2-1] + v[n/2]) / 2
}
