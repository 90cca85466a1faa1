package trainbench

import (
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"

	"github.com/mmcnf/mmcnf/cnf"
	"github.com/mmcnf/mmcnf/cnf/train"
	"github.com/mmcnf/mmcnf/internal/streams"
	"github.com/mmcnf/mmcnf/kernels"
)

func lookup(t testing.TB, name string) Workload {
	t.Helper()
	w, err := Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// TestConv16FLOP checks the nominal work of conv16 against DESIGN.md:
// F = 39,227,904 per sample and evaluation for dims 64,64,64 on 1x16x16.
func TestConv16FLOP(t *testing.T) {
	w := lookup(t, Conv16)
	if f := w.FLOPPerEval(); f != 39227904 {
		t.Fatalf("F = %v, want 39227904", f)
	}
	if got, want := w.NominalFLOP(16), 6*39227904.0*64*16; got != want {
		t.Fatalf("nominal FLOP per step = %v, want %v", got, want)
	}
	if f := lookup(t, Planar2D).NominalFLOP(32); f != 0 {
		t.Fatalf("planar2d has nominal FLOP %v, want 0 (not a convolution)", f)
	}
}

func TestLookupUnknown(t *testing.T) {
	if _, err := Lookup("conv32"); err == nil {
		t.Fatal("Lookup accepted an unknown workload")
	}
}

// checkResult checks the fields every result must have.
func checkResult(t *testing.T, r Result, w Workload, nfe, timed int) {
	t.Helper()
	if r.Workload != w.Name || r.Batch != w.Batch || r.Solver != "rk4" || r.Steps != w.Config.Solver.Steps || r.Trace != w.Config.Trace {
		t.Errorf("description %+v does not match the workload %+v", r, w)
	}
	if r.ForwardNFE != nfe {
		t.Errorf("forward_nfe = %d, want %d (4 per RK4 step)", r.ForwardNFE, nfe)
	}
	if r.Timed != timed {
		t.Errorf("timed = %d, want %d", r.Timed, timed)
	}
	if !(r.MedianS > 0) || !(r.MinS > 0) || r.MinS > r.MedianS {
		t.Errorf("times: median %v, min %v", r.MedianS, r.MinS)
	}
	if math.Abs(r.SamplesPerS-float64(r.Batch)/r.MedianS) > 1e-9*r.SamplesPerS {
		t.Errorf("samples_per_s = %v, want batch/median = %v", r.SamplesPerS, float64(r.Batch)/r.MedianS)
	}
	if r.Threads != runtime.GOMAXPROCS(0) || !slices.Contains(kernels.Available(), r.Impl) {
		t.Errorf("threads %d, impl %q", r.Threads, r.Impl)
	}
	if math.IsNaN(r.Loss) || math.IsInf(r.Loss, 0) || r.AllocsPerStep < 0 {
		t.Errorf("loss %v, allocs per step %v", r.Loss, r.AllocsPerStep)
	}
}

func TestRunPlanarTiny(t *testing.T) {
	w := lookup(t, Planar2D)
	w.Batch = 16
	r, err := Run(w, Options{Warmup: 1, Timed: 3, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	checkResult(t, r, w, 32, 3)
	if r.Warmup != 1 || r.NominalGFLOP != 0 || r.GFLOPS != 0 {
		t.Errorf("warmup %d, nominal %v, gflops %v", r.Warmup, r.NominalGFLOP, r.GFLOPS)
	}
	t.Logf("%+v", r)
}

// TestRunConvTiny runs a small ConcatConv (dims 4,4 on 1x4x4, batch 2)
// through the same path as conv16 and checks the FLOP accounting by hand:
// layers 1->4, 4->4, 4->1 give F = 2*16*9*(4*2 + 4*5 + 1*5) = 9504.
func TestRunConvTiny(t *testing.T) {
	w := lookup(t, Conv16)
	w.Batch = 2
	w.Config.Shape = []int{1, 4, 4}
	w.Config.Dynamics.Dims = []int{4, 4}
	if f := w.FLOPPerEval(); f != 9504 {
		t.Fatalf("F = %v, want 9504", f)
	}
	r, err := Run(w, Options{Warmup: 0, Timed: 2, Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	checkResult(t, r, w, 16, 2)
	if want := 6 * 9504.0 * 2 * 16 / 1e9; math.Abs(r.NominalGFLOP-want) > 1e-12*want {
		t.Errorf("nominal_gflop = %v, want %v", r.NominalGFLOP, want)
	}
	if math.Abs(r.GFLOPS-r.NominalGFLOP/r.MedianS) > 1e-9*r.GFLOPS {
		t.Errorf("gflops = %v, want %v", r.GFLOPS, r.NominalGFLOP/r.MedianS)
	}
}

// TestRunImplThreads checks that Impl and Threads hold for the run and are
// restored after it.
func TestRunImplThreads(t *testing.T) {
	w := lookup(t, Planar2D)
	w.Batch = 4
	impl, procs := kernels.Impl(), runtime.GOMAXPROCS(0)
	r, err := Run(w, Options{Warmup: 0, Timed: 1, Threads: 1, Impl: "purego"})
	if err != nil {
		t.Fatal(err)
	}
	if r.Impl != "purego" || r.Threads != 1 {
		t.Errorf("impl %q, threads %d, want purego and 1", r.Impl, r.Threads)
	}
	if kernels.Impl() != impl || runtime.GOMAXPROCS(0) != procs {
		t.Errorf("after the run: impl %q, GOMAXPROCS %d, want %q and %d", kernels.Impl(), runtime.GOMAXPROCS(0), impl, procs)
	}
	if _, err := Run(w, Options{Impl: "sse"}); err == nil {
		t.Error("Run accepted an unknown implementation")
	}
}

// TestRunImpls runs planar2d under every available implementation with
// their steps alternating and checks one result per implementation, each
// from its own model: the models start from the same seed, so their losses
// after the same steps differ only by rounding (about 1e-16 relative per
// operation; three Adam steps keep it far below the 1e-6 allowed here, while
// two different models or batches differ at order one).
func TestRunImpls(t *testing.T) {
	w := lookup(t, Planar2D)
	w.Batch = 4
	impl := kernels.Impl()
	impls := kernels.Available()
	rs, err := RunImpls(w, Options{Warmup: 1, Timed: 2, Seed: 3}, impls)
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != len(impls) {
		t.Fatalf("%d results for %d implementations", len(rs), len(impls))
	}
	for i, r := range rs {
		checkResult(t, r, w, 32, 2)
		if r.Impl != impls[i] {
			t.Errorf("result %d: impl %q, want %q", i, r.Impl, impls[i])
		}
		if d := math.Abs(r.Loss - rs[0].Loss); d > 1e-6*math.Abs(rs[0].Loss) {
			t.Errorf("loss under %s %v, under %s %v", r.Impl, r.Loss, rs[0].Impl, rs[0].Loss)
		}
	}
	if kernels.Impl() != impl {
		t.Errorf("after the run: impl %q, want %q", kernels.Impl(), impl)
	}
	if _, err := RunImpls(w, Options{Timed: 1}, nil); err == nil {
		t.Error("RunImpls accepted an empty list of implementations")
	}
	if _, err := RunImpls(w, Options{Timed: 1}, []string{impl, "sse"}); err == nil {
		t.Error("RunImpls accepted an unknown implementation")
	}
}

// TestStepIsTrainingStep checks that two steps of a Stepper leave the
// parameters bit for bit where the training loop's sequence of calls
// (LossGrad, ClipNorm, Adam.Step with the loop's defaults) leaves them.
func TestStepIsTrainingStep(t *testing.T) {
	w := lookup(t, Planar2D)
	w.Batch = 8
	const seed = 3
	s, err := NewStepper(w, seed)
	if err != nil {
		t.Fatal(err)
	}
	m, err := cnf.New(w.Config, seed)
	if err != nil {
		t.Fatal(err)
	}
	x, err := w.Inputs(seed)
	if err != nil {
		t.Fatal(err)
	}
	tc := train.DefaultConfig()
	adam := train.NewAdam(tc.Adam, len(m.Params()))
	rng := rand.New(rand.NewPCG(seed, streams.BenchNoise))
	grad := make([]float64, len(m.Params()))
	start := slices.Clone(m.Params())
	for it := 1; it <= 2; it++ {
		if _, err := s.Step(); err != nil {
			t.Fatal(err)
		}
		if _, err := m.LossGrad(x, nil, rng, grad); err != nil {
			t.Fatal(err)
		}
		train.ClipNorm(grad, tc.ClipNorm)
		adam.Step(it, m.Params(), grad)
	}
	if slices.Equal(start, m.Params()) {
		t.Fatal("two Adam steps left the parameters unchanged")
	}
	if !slices.Equal(s.params, m.Params()) {
		t.Fatal("the Stepper's parameters differ from the training loop's")
	}
}

func benchmarkStep(b *testing.B, name string) {
	s, err := NewStepper(lookup(b, name), 1)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := s.Step(); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Step(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkStepPlanar2D times one full training step of planar2d.
func BenchmarkStepPlanar2D(b *testing.B) { benchmarkStep(b, Planar2D) }

// BenchmarkStepConv16 times one full training step of conv16.
func BenchmarkStepConv16(b *testing.B) { benchmarkStep(b, Conv16) }
