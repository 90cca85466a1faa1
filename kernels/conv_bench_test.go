package kernels

import (
	"math/rand/v2"
	"testing"
)

// convBenchShapes are the three layers of the conv16 workload (DESIGN.md,
// "Benchmark workloads") at batch 64: the hot 65 -> 64 hidden layer, the
// first layer (image channel and time) and the last.
var convBenchShapes = []struct {
	name string
	s    ConvShape
}{
	{"65x64", ConvShape{N: 64, Cin: 65, Cout: 64, H: 16, W: 16, K: 3}},
	{"2x64", ConvShape{N: 64, Cin: 2, Cout: 64, H: 16, W: 16, K: 3}},
	{"65x1", ConvShape{N: 64, Cin: 65, Cout: 1, H: 16, W: 16, K: 3}},
}

// BenchmarkConv reports GFLOP/s (ConvShape.FLOPs per call) of each kernel
// and shape.
func BenchmarkConv(b *testing.B) {
	for _, sh := range convBenchShapes {
		s := sh.s
		r := rand.New(rand.NewPCG(1, 1))
		x, w, bias := randSlice(r, s.InLen(), -1, 1), randSlice(r, s.WeightLen(), -1, 1), randSlice(r, s.Cout, -1, 1)
		y, dx := make([]float64, s.OutLen()), make([]float64, s.InLen())
		dw, db := make([]float64, s.WeightLen()), make([]float64, s.Cout)
		work := make([]float64, s.WorkLen())
		kernels := []struct {
			name string
			run  func()
		}{
			{"forward", func() { ConvForward(s, x, w, bias, y, work) }},
			{"data", func() { ConvBackwardData(s, y, w, dx, work) }},
			{"filter", func() { ConvBackwardFilter(s, x, y, dw, db, work) }},
		}
		for _, k := range kernels {
			b.Run(k.name+"/"+sh.name, func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					k.run()
				}
				b.ReportMetric(s.FLOPs()*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}

// BenchmarkConvLayer times one hidden layer of conv16 on one chunk of its
// batch (32 images, one tangent each), forward and reverse, fused on the
// padded layout against the composition of compact kernels it replaces:
// forward, two convolutions and SoftplusJVP; reverse, the layer's input
// recomputed by SoftplusJVP, two data gradients and SoftplusJVPReverse.
// The weight gradients, the same in both, are left out.
func BenchmarkConvLayer(b *testing.B) {
	s := ConvShape{N: 32, Cin: 65, Cout: 64, H: 16, W: 16, K: 3}
	sk := s
	r := rand.New(rand.NewPCG(1, 1))
	hw, pc := s.H*s.W, s.Cin-1
	w, bias := randSlice(r, s.WeightLen(), -0.05, 0.05), randSlice(r, s.Cout, -1, 1)
	zero := make([]float64, s.Cout)
	x, dx := randSlice(r, s.InLen(), -1, 1), randSlice(r, s.InLen(), -1, 1)
	a, da := make([]float64, s.OutLen()), make([]float64, s.OutLen())
	y, dy := make([]float64, s.OutLen()), make([]float64, s.OutLen())
	p, dp := randSlice(r, s.N*pc*hw, -3, 3), randSlice(r, s.N*pc*hw, -1, 1)
	gy, gdy := randSlice(r, s.OutLen(), -1, 1), randSlice(r, s.OutLen(), -1, 1)
	gx, gdx := make([]float64, s.InLen()), make([]float64, s.InLen())
	gp, gdp := make([]float64, s.N*pc*hw), make([]float64, s.N*pc*hw)
	work := MakeFloats(s.ActWorkLen(1))
	pad := func(c int, src []float64, sc int) Padded {
		q := Padded{Data: MakeFloats(s.PadLen(s.N, c)), C: c}
		ConvPad(s, sc, q, src)
		return q
	}
	px, pdx := pad(s.Cin+1, x, s.Cin), pad(s.Cin+1, dx, s.Cin)
	py, pdy := pad(s.Cout+2, y, s.Cout), pad(s.Cout+2, dy, s.Cout)
	pgy, pgdy := pad(s.Cout, gy, s.Cout), pad(s.Cout, gdy, s.Cout)
	pgp, pgdp := pad(pc, gp, pc), pad(pc, gdp, pc)
	from := func(q Padded) Padded { q.Data = q.Data[s.PadPlane():]; return q }
	ops := []struct {
		name string
		run  func()
	}{
		{"forward/fused", func() {
			ConvForwardAct(s, ActSoftplus, 1, px, pdx, w, bias, a, da, from(py), from(pdy), work)
		}},
		{"forward/unfused", func() {
			ConvForward(s, x, w, bias, a, work)
			ConvForward(sk, dx, w, zero, da, work)
			SoftplusJVP(y, dy, a, da)
		}},
		{"reverse/fused", func() {
			ConvBackwardDataAct(s, ActSoftplus, 1, pgy, pgdy, w, p, dp, pgp, pgdp, from(px), from(pdx), work)
		}},
		{"reverse/unfused", func() {
			SoftplusJVP(x[:s.N*pc*hw], dx[:s.N*pc*hw], p, dp)
			ConvBackwardData(s, gy, w, gx, work)
			ConvBackwardData(sk, gdy, w, gdx, work)
			SoftplusJVPReverse(gp, gdp, p, dp, gx[:s.N*pc*hw], gdx[:s.N*pc*hw])
		}},
	}
	for _, op := range ops {
		b.Run(op.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				op.run()
			}
			b.ReportMetric(2*s.FLOPs()*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
		})
	}
}
