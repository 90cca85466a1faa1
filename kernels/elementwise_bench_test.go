package kernels

import (
	"math/rand/v2"
	"testing"
)

// benchElems times op, reporting elements processed per second (elems per
// call of op).
func benchElems(b *testing.B, elems int, op func()) {
	b.ReportAllocs()
	for b.Loop() {
		op()
	}
	b.ReportMetric(float64(elems)*float64(b.N)/b.Elapsed().Seconds(), "elems/s")
}

// BenchmarkElementwise times each elementwise kernel on 4096 inputs in
// [-10, 10] (the range activations live in; the saturated tails take the
// same path).
func BenchmarkElementwise(b *testing.B) {
	const n = 4096
	r := rand.New(rand.NewPCG(1, 1))
	x := randSlice(r, n, -10, 10)
	dx, gy, gdy := randSlice(r, n, -1, 1), randSlice(r, n, -1, 1), randSlice(r, n, -1, 1)
	o1, o2 := make([]float64, n), make([]float64, n)
	for _, k := range unaryKernels {
		b.Run(k.name, func(b *testing.B) { benchElems(b, n, func() { k.f(o1, x) }) })
	}
	b.Run("SoftplusJVP", func(b *testing.B) { benchElems(b, n, func() { SoftplusJVP(o1, o2, x, dx) }) })
	b.Run("SoftplusJVPReverse", func(b *testing.B) {
		benchElems(b, n, func() { SoftplusJVPReverse(o1, o2, x, dx, gy, gdy) })
	})
	b.Run("TanhJVP", func(b *testing.B) { benchElems(b, n, func() { TanhJVP(o1, o2, x, dx) }) })
	b.Run("TanhJVPReverse", func(b *testing.B) {
		benchElems(b, n, func() { TanhJVPReverse(o1, o2, x, dx, gy, gdy) })
	})
}
