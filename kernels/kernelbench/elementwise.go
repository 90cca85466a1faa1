package kernelbench

import (
	"fmt"

	"github.com/mmcnf/mmcnf/kernels"
)

// The elementwise kernels on inputs in [-10, 10], of length 4096 and of
// length 64, at which the cost of the call and its dispatch shows.
func init() {
	for _, n := range []int{64, 4096} {
		registerElementwise(n)
	}
}

// registerElementwise registers every elementwise kernel on n inputs.
func registerElementwise(n int) {
	shape := fmt.Sprint(n)
	unary := []struct {
		name string
		f    func(dst, x []float64)
	}{
		{"exp", kernels.Exp}, {"log1p", kernels.Log1p}, {"softplus", kernels.Softplus},
		{"sigmoid", kernels.Sigmoid}, {"sigmoid_prime", kernels.SigmoidPrime},
		{"tanh", kernels.Tanh}, {"tanh_prime", kernels.TanhPrime},
	}
	for _, u := range unary {
		Register(Case{Kernel: u.name, Shape: shape, Unit: Elems, Work: float64(n),
			Setup: func(string) (func(), error) {
				x, dst := scaled(randoms(n), 10), make([]float64, n)
				if u.name == "log1p" {
					for i := range x {
						x[i] = x[i]/10 + 1 // [0, 2): inside the domain
					}
				}
				return func() { u.f(dst, x) }, nil
			}})
	}
	fused := []struct {
		name string
		jvp  func(y, dy, x, dx []float64)
		rev  func(gx, gdx, x, dx, gy, gdy []float64)
	}{
		{"softplus_jvp", kernels.SoftplusJVP, kernels.SoftplusJVPReverse},
		{"tanh_jvp", kernels.TanhJVP, kernels.TanhJVPReverse},
	}
	for _, f := range fused {
		Register(
			Case{Kernel: f.name, Shape: shape, Unit: Elems, Work: float64(n),
				Setup: func(string) (func(), error) {
					x, dx, y, dy := scaled(randoms(n), 10), randoms(n), make([]float64, n), make([]float64, n)
					return func() { f.jvp(y, dy, x, dx) }, nil
				}},
			Case{Kernel: f.name + "_reverse", Shape: shape, Unit: Elems, Work: float64(n),
				Setup: func(string) (func(), error) {
					x, dx, gy, gdy := scaled(randoms(n), 10), randoms(n), randoms(n), randoms(n)
					gx, gdx := make([]float64, n), make([]float64, n)
					return func() { f.rev(gx, gdx, x, dx, gy, gdy) }, nil
				}},
		)
	}
}

// scaled multiplies x by c in place and returns it.
func scaled(x []float64, c float64) []float64 {
	for i := range x {
		x[i] *= c
	}
	return x
}
