package kernelbench

import "github.com/mmcnf/mmcnf/kernels"

// The planar layer at the training shape: batch 512, d 2, width 64; work is
// counted in point-width pairs.
func init() {
	const n, d, w = 512, 2, 64
	setup := func(rev bool) func(string) (func(), error) {
		return func(string) (func(), error) {
			z, Wt, U, B := scaled(randoms(n*d), 2), randoms(w*d), randoms(w*d), randoms(w)
			f, tr := make([]float64, n*d), make([]float64, n)
			if !rev {
				return func() { kernels.PlanarForward(d, w, z, Wt, U, B, f, tr) }, nil
			}
			gf, gt := randoms(n*d), randoms(n)
			gz, gWt, gU, gB := make([]float64, n*d), make([]float64, w*d), make([]float64, w*d), make([]float64, w)
			return func() { kernels.PlanarReverse(d, w, z, Wt, U, B, gf, gt, gz, gWt, gU, gB) }, nil
		}
	}
	Register(
		Case{Kernel: "planar_forward", Shape: "512x2x64", Unit: Elems, Work: n * w, Setup: setup(false)},
		Case{Kernel: "planar_reverse", Shape: "512x2x64", Unit: Elems, Work: n * w, Setup: setup(true)},
	)
}
