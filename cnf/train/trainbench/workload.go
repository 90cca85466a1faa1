package trainbench

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/mmcnf/mmcnf/cnf"
	"github.com/mmcnf/mmcnf/cnf/data"
	"github.com/mmcnf/mmcnf/internal/streams"
	"github.com/mmcnf/mmcnf/ode"
)

// Workload names.
const (
	Planar2D = "planar2d"
	Conv16   = "conv16"
)

// Workload is one benchmark: a flow, a batch of fixed inputs and the
// default numbers of warm-up and timed steps.
type Workload struct {
	Name   string
	Config cnf.Config
	Batch  int
	// Warmup and Timed are the default numbers of untimed and timed steps.
	Warmup, Timed int
}

// Names lists the workloads in the order "all" runs them.
func Names() []string { return []string{Planar2D, Conv16} }

// Lookup returns the named workload.
func Lookup(name string) (Workload, error) {
	switch name {
	case Planar2D:
		return planar2D(), nil
	case Conv16:
		return conv16(), nil
	}
	return Workload{}, fmt.Errorf("unknown workload %q (want %s)", name, strings.Join(Names(), " or "))
}

// planar2D is HyperPlanar (H 32, W 64) on 2-D two-moons points, batch 512,
// exact trace, base N(0, I), RK4 with 8 steps over [0, 1], backprop
// through the solver.
func planar2D() Workload {
	return Workload{
		Name: Planar2D,
		Config: cnf.Config{
			Shape:    []int{2},
			Dynamics: cnf.DynamicsConfig{Kind: cnf.HyperPlanar, Hidden: 32, Width: 64},
			Base:     cnf.BaseConfig{Kind: cnf.BaseGaussian},
			Trace:    cnf.TraceExact,
			Solver:   cnf.SolverConfig{Method: "rk4", Steps: 8, T1: 1, Gradient: ode.Backprop.Name()},
		},
		Batch:  512,
		Warmup: 20,
		Timed:  50,
	}
}

// conv16 is ConcatConv (dims 64, 64, 64, softplus) on 1 x 16 x 16 images
// uniform in [0, 1), batch 64, Rademacher Hutchinson trace, base N(0, I),
// RK4 with 4 steps over [0, 1], backprop through the solver.
func conv16() Workload {
	return Workload{
		Name: Conv16,
		Config: cnf.Config{
			Shape:    []int{1, 16, 16},
			Dynamics: cnf.DynamicsConfig{Kind: cnf.ConcatConv, Dims: []int{64, 64, 64}, Activation: "softplus"},
			Base:     cnf.BaseConfig{Kind: cnf.BaseGaussian},
			Trace:    cnf.TraceRademacher,
			Solver:   cnf.SolverConfig{Method: "rk4", Steps: 4, T1: 1, Gradient: ode.Backprop.Name()},
		},
		Batch:  64,
		Warmup: 2,
		Timed:  5,
	}
}

// moonsBatch returns batch two-moons points (classes 0 and 1 alternating
// halves).
func moonsBatch(batch int, seed uint64) ([]float64, error) {
	x, _, err := data.Moons((batch+1)/2, []int{0, 1}, seed)
	if err != nil {
		return nil, err
	}
	return x[:2*batch], nil
}

// uniformBatch returns n values uniform in [0, 1).
func uniformBatch(n int, seed uint64) ([]float64, error) {
	rng := rand.New(rand.NewPCG(seed, streams.BenchImages))
	x := make([]float64, n)
	for i := range x {
		x[i] = rng.Float64()
	}
	return x, nil
}

// Inputs returns the workload's fixed batch (Batch x D, row by row) drawn
// from seed.
func (w Workload) Inputs(seed uint64) ([]float64, error) {
	if w.Batch < 1 {
		return nil, fmt.Errorf("workload %s: batch %d, want positive", w.Name, w.Batch)
	}
	if w.Config.Dynamics.Kind == cnf.ConcatConv {
		return uniformBatch(w.Batch*w.Config.D(), seed)
	}
	if w.Config.D() != 2 {
		return nil, fmt.Errorf("workload %s: point data must be 2-D, shape is %v", w.Name, w.Config.Shape)
	}
	return moonsBatch(w.Batch, seed)
}

// FLOPPerEval is the nominal floating-point work of one evaluation of a
// ConcatConv vector field on one sample: per 3x3 layer from C_in (+1 for
// the time channel) to C_out channels, 2 * H * W * C_out * (C_in + 1) * 9.
// It is 0 for other dynamics.
func (w Workload) FLOPPerEval() float64 {
	c := w.Config
	if c.Dynamics.Kind != cnf.ConcatConv || len(c.Shape) != 3 {
		return 0
	}
	ch := slices.Concat([]int{c.Shape[0]}, c.Dynamics.Dims, []int{c.Shape[0]})
	hw := float64(c.Shape[1] * c.Shape[2])
	var f float64
	for l := 0; l+1 < len(ch); l++ {
		f += 2 * hw * float64(ch[l+1]) * float64(ch[l]+1) * 9
	}
	return f
}

// NominalFLOP is the nominal work of one training step with forwardNFE
// evaluations in the forward solve: 6 * FLOPPerEval * Batch * forwardNFE
// (forward pass, tangent pass for the trace, and twice that backwards).
// It is 0 for other dynamics than ConcatConv.
func (w Workload) NominalFLOP(forwardNFE int) float64 {
	return 6 * w.FLOPPerEval() * float64(w.Batch) * float64(forwardNFE)
}
