package kernelbench

import (
	"fmt"

	"github.com/mmcnf/mmcnf/kernels"
)

// Log-sum-exp over 512 rows of 64, and the Gaussian-mixture log-density of
// 512 points in 2-D against 6 components and of 64 points in 256-D against
// 10; work is counted in matrix entries and point-component pairs.
func init() {
	Register(Case{Kernel: "logsumexp", Shape: "512x64", Unit: Elems, Work: 512 * 64,
		Setup: func(string) (func(), error) {
			x, out := scaled(randoms(512*64), 20), make([]float64, 512)
			return func() { kernels.LogSumExp(512, 64, x, out) }, nil
		}})
	for _, s := range []struct{ n, d, k int }{{512, 2, 6}, {64, 256, 10}} {
		Register(Case{Kernel: "gmm_logdensity", Shape: fmt.Sprintf("%dx%dx%d", s.n, s.d, s.k), Unit: Elems, Work: float64(s.n * s.k),
			Setup: func(string) (func(), error) {
				z, mu, logw := scaled(randoms(s.n*s.d), 3), scaled(randoms(s.k*s.d), 3), randoms(s.k)
				out, work := make([]float64, s.n), make([]float64, s.n*s.k)
				return func() { kernels.GMMLogDensity(s.n, s.d, s.k, z, mu, logw, out, work) }, nil
			}})
	}
}
