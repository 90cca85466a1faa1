package kernels

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkPlanar times the planar layer at the training shape (batch 512,
// d 2, width 64); elements are point-width pairs.
func BenchmarkPlanar(b *testing.B) {
	c := newPlanarCase(rand.New(rand.NewPCG(2, 2)), 512, 2, 64, 2, 1)
	f, tr := make([]float64, c.n*c.d), make([]float64, c.n)
	gz, gWt, gU, gB := make([]float64, c.n*c.d), make([]float64, c.w*c.d), make([]float64, c.w*c.d), make([]float64, c.w)
	elems := c.n * c.w
	b.Run("Forward", func(b *testing.B) {
		benchElems(b, elems, func() { PlanarForward(c.d, c.w, c.z, c.Wt, c.U, c.B, f, tr) })
	})
	b.Run("Reverse", func(b *testing.B) {
		benchElems(b, elems, func() {
			PlanarReverse(c.d, c.w, c.z, c.Wt, c.U, c.B, c.gf, c.gtrace, gz, gWt, gU, gB)
		})
	})
}
