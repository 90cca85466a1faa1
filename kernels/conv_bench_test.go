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
