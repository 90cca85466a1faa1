package kernels

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkLSE times LogSumExp on 512 rows of 64 and GMMLogDensity for 512
// points against 6 components in 2-D and 10 in 256-D; elements are matrix
// entries and point-component pairs.
func BenchmarkLSE(b *testing.B) {
	r := rand.New(rand.NewPCG(3, 3))
	x, out := randSlice(r, 512*64, -20, 20), make([]float64, 512)
	b.Run("LogSumExp512x64", func(b *testing.B) { benchElems(b, 512*64, func() { LogSumExp(512, 64, x, out) }) })
	for _, s := range []struct {
		name    string
		n, d, k int
	}{{"GMM512x2x6", 512, 2, 6}, {"GMM64x256x10", 64, 256, 10}} {
		z, mu, logw := randSlice(r, s.n*s.d, -3, 3), randSlice(r, s.k*s.d, -3, 3), randSlice(r, s.k, -3, 0)
		o, work := make([]float64, s.n), make([]float64, s.n*s.k)
		b.Run(s.name, func(b *testing.B) {
			benchElems(b, s.n*s.k, func() { GMMLogDensity(s.n, s.d, s.k, z, mu, logw, o, work) })
		})
	}
}
