// Package kernelbench times the kernels of package kernels outside `go test`,
// under each implementation (and, where a comparison helps, under gonum), and
// reports one Record per kernel, shape and implementation.
//
// Each kernel family registers its cases from its own file in this package:
//
//	func init() {
//		kernelbench.Register(kernelbench.Case{Kernel: "dot", Shape: "4096", ...})
//	}
package kernelbench

import (
	"fmt"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"time"

	"github.com/mmcnf/mmcnf/internal/timing"
	"github.com/mmcnf/mmcnf/kernels"
)

// Unit is what a case's throughput is counted in.
type Unit int

const (
	// FLOPs counts floating-point operations (a fused multiply-add is two).
	FLOPs Unit = iota
	// Elems counts elements processed.
	Elems
)

// Gonum names the implementation that calls gonum instead of package kernels.
const Gonum = "gonum"

// Case is one kernel on one shape.
type Case struct {
	// Kernel names the kernel, e.g. "gemm".
	Kernel string
	// Shape describes the problem size, e.g. "1024x1024x1024".
	Shape string
	// Unit is what Work counts.
	Unit Unit
	// Work is the number of FLOPs or elements of one call.
	Work float64
	// Gonum adds gonum to the implementations timed: every tier of
	// package kernels that this machine and build can run (switched with
	// kernels.Use).
	Gonum bool
	// NoPurego leaves out the purego tier, where the reference would take
	// too long.
	NoPurego bool
	// Setup allocates the inputs and returns the call to time under impl.
	Setup func(impl string) (op func(), err error)
}

// Record is the timing of one case under one implementation.
type Record struct {
	Kernel  string  `json:"kernel"`
	Shape   string  `json:"shape"`
	Impl    string  `json:"impl"`
	GFLOPs  float64 `json:"gflops,omitempty"`
	GElems  float64 `json:"gelems,omitempty"`
	NsPerOp float64 `json:"ns_per_op"` // median over the repetitions
	// MinNsPerOp is the fastest repetition: on a machine whose speed
	// varies, the one least disturbed.
	MinNsPerOp float64 `json:"min_ns_per_op"`
}

var registry []Case

// Register adds cases to those Run times. It is meant to be called from
// init functions and panics on a case without a name, work or setup.
func Register(cases ...Case) {
	for _, c := range cases {
		if c.Kernel == "" || c.Shape == "" || !(c.Work > 0) || c.Setup == nil {
			panic(fmt.Sprintf("kernelbench.Register: incomplete case %q/%q", c.Kernel, c.Shape))
		}
		registry = append(registry, c)
	}
}

// Cases returns the registered cases, ordered by kernel name and then in
// registration order.
func Cases() []Case {
	cs := slices.Clone(registry)
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].Kernel < cs[j].Kernel })
	return cs
}

// Options controls Run.
type Options struct {
	// Filter, when not nil, keeps the cases whose "kernel/shape/impl"
	// matches it.
	Filter *regexp.Regexp
	// Impls, when not nil, keeps only these implementations (tiers of
	// package kernels, or Gonum).
	Impls []string
	// Reps is the number of timed repetitions whose median is reported
	// (default 5).
	Reps int
	// MinTime is the least duration of one repetition; calls are repeated
	// within it as needed (default 100ms).
	MinTime time.Duration
}

// Run times every selected case under every selected implementation and
// passes each case's records to emit as soon as they are measured. The
// implementations of a case are timed in turn within each repetition
// (avx512, avx2, purego, gonum, avx512, ...), so that a slow spell of a shared
// machine falls on all of them alike and their ratio stays meaningful.
// Everything runs on one core: GOMAXPROCS is 1 for the duration of Run, so
// that gonum's GEMM, which splits its work across goroutines, is timed on
// the same single core as the kernels of package kernels.
func Run(opts Options, emit func(Record) error) error {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	if opts.Reps <= 0 {
		opts.Reps = 5
	}
	if opts.MinTime <= 0 {
		opts.MinTime = 100 * time.Millisecond
	}
	for _, c := range Cases() {
		var timers []*timer
		for _, impl := range c.impls() {
			if opts.Impls != nil && !slices.Contains(opts.Impls, impl) {
				continue
			}
			if opts.Filter != nil && !opts.Filter.MatchString(c.Kernel+"/"+c.Shape+"/"+impl) {
				continue
			}
			tm, err := newTimer(c, impl, opts)
			if err != nil {
				return fmt.Errorf("bench %s %s %s: %w", c.Kernel, c.Shape, impl, err)
			}
			timers = append(timers, tm)
		}
		for range opts.Reps {
			for _, tm := range timers {
				if err := tm.rep(); err != nil {
					return fmt.Errorf("bench %s %s %s: %w", c.Kernel, c.Shape, tm.impl, err)
				}
			}
		}
		for _, tm := range timers {
			if err := emit(tm.record(c)); err != nil {
				return err
			}
		}
	}
	return nil
}

// impls lists the implementations the case is timed under: the tiers of
// package kernels that run here, the start-up tier first, then gonum.
func (c Case) impls() []string {
	var impls []string
	for _, impl := range kernels.Available() {
		if !(c.NoPurego && impl == "purego") {
			impls = append(impls, impl)
		}
	}
	if c.Gonum {
		impls = append(impls, Gonum)
	}
	return impls
}

// timer times one case under one implementation.
type timer struct {
	impl  string
	op    func()
	iters int       // calls per repetition
	perOp []float64 // nanoseconds per call, one per repetition
}

// newTimer sets the case up under impl and sizes a repetition from one
// warm-up call: at least opts.MinTime.
func newTimer(c Case, impl string, opts Options) (*timer, error) {
	tm := &timer{impl: impl}
	restore, err := tm.use()
	if err != nil {
		return nil, err
	}
	defer restore()
	if tm.op, err = c.Setup(impl); err != nil {
		return nil, err
	}
	start := time.Now()
	tm.op()
	once := time.Since(start)
	tm.iters = 1
	if once < opts.MinTime {
		tm.iters = int(opts.MinTime/max(once, time.Nanosecond)) + 1
	}
	return tm, nil
}

// use switches package kernels to the timer's implementation (gonum's
// calls do not go through it) and returns the switch back.
func (tm *timer) use() (restore func(), err error) {
	if tm.impl == Gonum {
		return func() {}, nil
	}
	return kernels.Use(tm.impl)
}

// rep times one repetition.
func (tm *timer) rep() error {
	restore, err := tm.use()
	if err != nil {
		return err
	}
	defer restore()
	start := time.Now()
	for range tm.iters {
		tm.op()
	}
	tm.perOp = append(tm.perOp, float64(time.Since(start).Nanoseconds())/float64(tm.iters))
	return nil
}

// record is the median (and fastest) repetition as a Record.
func (tm *timer) record(c Case) Record {
	ns := timing.Median(tm.perOp) // sorts perOp
	rec := Record{Kernel: c.Kernel, Shape: c.Shape, Impl: tm.impl, NsPerOp: ns, MinNsPerOp: tm.perOp[0]}
	rate := c.Work / ns // units per nanosecond = giga-units per second
	if c.Unit == FLOPs {
		rec.GFLOPs = rate
	} else {
		rec.GElems = rate
	}
	return rec
}
