package cnf

import (
	"github.com/mmcnf/mmcnf/ode"
	"math"
	"runtime"
	"strings"
	"testing"

	"github.com/mmcnf/mmcnf/internal/sysmem"
)

// allocated returns the bytes f allocates on the heap.
func allocated(f func()) float64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return float64(after.TotalAlloc - before.TotalAlloc)
}

// TestMemoryMatchesAllocations holds Config.Memory to what the model
// allocates: for small configurations of every dynamics, solver kind,
// gradient method and regulariser, on one and two threads, the bytes that
// New, the first training step, the first log-likelihood solve and the
// first sampling solve allocate are within the estimate of their part,
// and the estimate is within 1.5 times them plus 64 KiB (the slices'
// headers and the small structures it leaves out). The buffers here are
// below 2 MiB, where kernels.MakeFloats allocates exactly what it is
// asked for; the rounding to huge pages above that is held to measured
// peak memory in cmd/mmcnf's TestMemoryEstimate.
func TestMemoryMatchesAllocations(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	conv := Config{
		Shape:    []int{1, 6, 6},
		Dynamics: DynamicsConfig{Kind: ConcatConv, Dims: []int{8, 8}},
		Solver:   SolverConfig{Method: "rk4", Steps: 3},
	}
	mlp := Config{Shape: []int{5}, Dynamics: DynamicsConfig{Kind: ConcatMLP, Dims: []int{16, 16}, WeightNorm: true},
		Solver: SolverConfig{Method: "euler", Steps: 5}, Regularize: RegularizeConfig{Kinetic: 0.1, Jacobian: 0.1}}
	adaptive := planarConfig(BaseGMM, 3)
	adaptive.Solver = SolverConfig{Method: "dopri5", RTol: 1e-6, ATol: 1e-6}
	adjoint := conv
	adjoint.Solver.Gradient = ode.ContinuousAdjoint.Name()
	twoBlocks := planarConfig(BaseGaussian, 1)
	twoBlocks.Blocks = 2
	twoBlocks.Regularize.Kinetic = 0.5
	configs := map[string]Config{
		"planar rk4": planarConfig(BaseGMM, 2), "planar dopri5": adaptive, "planar two blocks": twoBlocks,
		"conv rk4": conv, "conv adjoint": adjoint, "mlp euler": mlp,
	}
	// Start the worker pool, which allocates once.
	warm, _ := New(planarConfig(BaseGaussian, 1), 1)
	x0, _ := points(4, 2, 1, 1)
	warm.LogLikelihood(x0, testRNG(1), make([]float64, 4))
	for name, cfg := range configs {
		for _, threads := range []int{1, 2} {
			runtime.GOMAXPROCS(threads)
			const batch, eval, sample = 24, 40, 16
			var m *Model
			var err error
			newBytes := allocated(func() { m, err = New(cfg, 1) })
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			cfgd := m.Config()
			x, labels := points(batch, m.D(), cfgd.Components(), 2)
			if cfg.Preprocess.Dequantize {
				t.Fatal("the data of this test is not 8-bit")
			}
			grad := make([]float64, len(m.Params()))
			var st LossStats
			trainBytes := allocated(func() { st, err = m.LossGrad(x, labels, testRNG(3), grad) })
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			xe, _ := points(eval, m.D(), 1, 4)
			evalBytes := allocated(func() { _, err = m.LogLikelihood(xe, testRNG(5), make([]float64, eval)) })
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			sampleBytes := allocated(func() { err = m.Sample(sample, -1, testRNG(6), make([]float64, sample*m.D())) })
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			steps := st.StepsForward / m.Config().Blocks
			mem, err := cfg.Memory(Workload{Train: batch, Eval: eval, Sample: sample, Threads: threads, Steps: steps})
			if err != nil {
				t.Fatal(err)
			}
			if float64(len(m.Params())) != mem.NumParams {
				t.Errorf("%s: %v parameters estimated, the model has %d", name, mem.NumParams, len(m.Params()))
			}
			for _, part := range []struct {
				what          string
				got, estimate float64
			}{
				{"New", newBytes, mem.Params},
				{"training step", trainBytes, mem.Train + mem.Tape},
				{"log-likelihood", evalBytes, mem.Eval / 2},
				{"sampling", sampleBytes, mem.Sample},
			} {
				if part.got > part.estimate || part.estimate > 1.5*part.got+64<<10 {
					t.Errorf("%s, %d threads, %d steps: %s allocated %.0f bytes, estimated %.0f", name, threads, steps, part.what, part.got, part.estimate)
				}
			}
		}
	}
}

// TestMemoryHostileSizes: sizes no machine holds give finite, large
// estimates without allocating, and New refuses them naming the sizes.
func TestMemoryHostileSizes(t *testing.T) {
	t.Setenv(sysmem.EnvVar, "1G")
	for _, c := range []struct {
		cfg  Config
		want string
	}{
		{Config{Shape: []int{2}, Dynamics: DynamicsConfig{Kind: HyperPlanar, Hidden: 1 << 40, Width: 64}, Solver: SolverConfig{Method: "rk4", Steps: 1}},
			"dynamics hidden 1099511627776 and width 64 on points of shape [2]"},
		{Config{Shape: []int{2}, Dynamics: DynamicsConfig{Kind: HyperPlanar, Hidden: 4, Width: math.MaxInt / 2}, Solver: SolverConfig{Method: "rk4", Steps: 1}},
			"more than a parameter vector can hold"},
		{Config{Shape: []int{1, 16, 16}, Dynamics: DynamicsConfig{Kind: ConcatConv, Dims: []int{1 << 20, 64}}, Solver: SolverConfig{Method: "rk4", Steps: 1}},
			"dynamics dims [1048576 64] on points of shape [1 16 16]"},
		{Config{Shape: []int{1 << 30}, Dynamics: DynamicsConfig{Kind: ConcatMLP, Dims: []int{64}}, Blocks: 4, Solver: SolverConfig{Method: "rk4", Steps: 1}},
			"in 4 blocks"},
	} {
		var err error
		n := allocated(func() { _, err = New(c.cfg, 1) })
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("New(%+v): error %v, want one mentioning %q", c.cfg.Dynamics, err, c.want)
		}
		if n > 1<<20 {
			t.Errorf("New(%+v) allocated %.0f bytes", c.cfg.Dynamics, n)
		}
		mem, err := c.cfg.Memory(Workload{Train: math.MaxInt, Eval: math.MaxInt, Sample: math.MaxInt, Threads: math.MaxInt, Steps: math.MaxInt})
		if err != nil || math.IsNaN(mem.Total()) || !(mem.Total() > 1<<40) {
			t.Errorf("Memory(%+v): %+v, %v", c.cfg.Dynamics, mem, err)
		}
	}
}

// TestLimitTape: an adaptive training solve whose records would outgrow
// the bound fails saying so, having allocated no more than its estimate
// with the bound as its tape; within the bound nothing changes, bit for
// bit.
func TestLimitTape(t *testing.T) {
	cfg := planarConfig(BaseGMM, 2)
	cfg.Solver = SolverConfig{Method: "dopri5", RTol: 1e-12, ATol: 1e-12}
	const batch = 64
	x, labels := points(batch, 2, 2, 1)
	step := func(limit float64) ([]float64, LossStats, float64, error) {
		m, err := New(cfg, 1)
		if err != nil {
			t.Fatal(err)
		}
		m.LimitTape(limit)
		grad := make([]float64, len(m.Params()))
		var st LossStats
		n := allocated(func() { st, err = m.LossGrad(x, labels, testRNG(2), grad) })
		return grad, st, n, err
	}
	free, st, _, err := step(0)
	if err != nil {
		t.Fatal(err)
	}
	mem, err := cfg.Memory(Workload{Train: batch, Threads: runtime.GOMAXPROCS(0), Steps: st.StepsForward})
	if err != nil {
		t.Fatal(err)
	}
	bounded, _, _, err := step(mem.Tape)
	if err != nil {
		t.Fatalf("the tape of %d steps within a bound of its size: %v", st.StepsForward, err)
	}
	for i := range free {
		if math.Float64bits(free[i]) != math.Float64bits(bounded[i]) {
			t.Fatalf("gradient element %d: %v with a bound, %v without", i, bounded[i], free[i])
		}
	}
	limit := mem.Tape / 8
	_, _, n, err := step(limit)
	if err == nil || !strings.Contains(err.Error(), "the records of the gradient fit in the memory left for them for") || !strings.Contains(err.Error(), "maximum number of steps") {
		t.Fatalf("a solve of %d steps with an eighth of its tape: error %v", st.StepsForward, err)
	}
	if n > mem.Train+limit+mem.Params {
		t.Errorf("allocated %.0f bytes, more than the %.0f of the model, its run and the bound", n, mem.Train+limit+mem.Params)
	}
	t.Logf("%d steps of %s each; bounded to %s: %v", st.StepsForward, sysmem.Format(mem.PerStep()), sysmem.Format(limit), err)
}

// TestRunsKept: scoring sets of several sizes keeps at most two runs of a
// mode, the largest and the latest, as Config.Memory counts them.
func TestRunsKept(t *testing.T) {
	m, err := New(planarConfig(BaseGaussian, 1), 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{23, 17, 9, 30, 5} {
		x, _ := points(n, 2, 1, uint64(n))
		if _, _, err := m.LogLikelihoods(x, 10, testRNG(1), nil); err != nil {
			t.Fatal(err)
		}
		if len(m.runs) > 2 {
			t.Fatalf("after scoring %d points in chunks of 10: %d runs kept", n, len(m.runs))
		}
	}
}
