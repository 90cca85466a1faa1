package kernels

import "testing"

// TestNoAllocations: once warm, no kernel allocates, under every
// implementation (the flows call them in every function evaluation).
func TestNoAllocations(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		a, b, c := make([]float64, 40*40), make([]float64, 40*40), make([]float64, 40*40)
		x, y := make([]float64, 40), make([]float64, 40)
		z, wt, u, bb := make([]float64, 16*2), make([]float64, 8*2), make([]float64, 8*2), make([]float64, 8)
		f, tr, gz, gw, gu, gb := make([]float64, 16*2), make([]float64, 16), make([]float64, 16*2), make([]float64, 8*2), make([]float64, 8*2), make([]float64, 8)
		mu, logw, out, work := make([]float64, 3*2), make([]float64, 3), make([]float64, 16), make([]float64, 16*3)
		cs := ConvShape{N: 2, Cin: 3, Cout: 4, H: 5, W: 5, K: 3}
		cx, cw, cb, cy := make([]float64, cs.N*cs.Cin*cs.H*cs.W), make([]float64, cs.Cout*cs.Cin*9), make([]float64, cs.Cout), make([]float64, cs.N*cs.Cout*cs.H*cs.W)
		cwork := make([]float64, cs.ActWorkLen(1))
		pad := func(c int) Padded { return Padded{Data: make([]float64, cs.PadLen(cs.N, c)), C: c} }
		px, pdx, py, pdy := pad(cs.Cin+1), pad(cs.Cin+1), pad(cs.Cout), pad(cs.Cout)
		ConvPadFill(cs, Padded{Data: px.Data[cs.Cin*cs.PadPlane():], C: px.C}, 1)
		pp, pdp := make([]float64, cs.N*(cs.Cin-1)*25), make([]float64, cs.N*(cs.Cin-1)*25)
		cases := []struct {
			name string
			fn   func()
		}{
			{"Gemm", func() { Gemm(false, true, 40, 40, 40, 1, a, 40, b, 40, 0, c, 40) }},
			{"Gemv", func() { Gemv(true, 40, 40, 1, a, 40, x, 0, y) }},
			{"Dot", func() { _ = Dot(x, y) }},
			{"Tanh", func() { Tanh(y, x) }},
			{"PlanarForward", func() { PlanarForward(2, 8, z, wt, u, bb, f, tr) }},
			{"PlanarReverse", func() { PlanarReverse(2, 8, z, wt, u, bb, f, tr, gz, gw, gu, gb) }},
			{"LogSumExp", func() { LogSumExp(16, 2, z, out) }},
			{"GMMLogDensity", func() { GMMLogDensity(16, 2, 3, z, mu, logw, out, work) }},
			{"ConvForward", func() { ConvForward(cs, cx, cw, cb, cy, cwork) }},
			{"ConvBackwardData", func() { ConvBackwardData(cs, cy, cw, cx, cwork) }},
			{"ConvBackwardFilter", func() { ConvBackwardFilter(cs, cx, cy, cw, cb, cwork) }},
			{"ConvForwardPadded", func() { ConvForwardPadded(cs, px, cw, cb, cy, cwork) }},
			{"ConvBackwardDataPadded", func() { ConvBackwardDataPadded(cs, py, cw, cx, cwork) }},
			{"ConvBackwardFilterPadded", func() { ConvBackwardFilterPadded(cs, px, py, cw, cb, cwork) }},
			{"ConvForwardAct", func() { ConvForwardAct(cs, ActSoftplus, 1, px, pdx, cw, cb, nil, nil, py, pdy, cwork) }},
			{"ConvBackwardDataAct", func() {
				ConvBackwardDataAct(cs, ActTanh, 1, py, pdy, cw, pp, pdp, px, pdx, px, pdx, cwork)
			}},
		}
		for _, k := range cases {
			k.fn()
			if n := testing.AllocsPerRun(20, k.fn); n != 0 {
				t.Errorf("%s: %.1f allocations per call, want 0", k.name, n)
			}
		}
	})
}

// TestStackBuffersStay: slices that the caller keeps on its stack stay
// there, under every implementation. A kernel that called its tiers
// through a function value (a table by tier, say) would make its slices
// escape, and each call below would allocate its arrays.
func TestStackBuffersStay(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		const n = 64
		cases := []struct {
			name string
			fn   func()
		}{
			{"Exp", func() { var x, y [n]float64; Exp(y[:], x[:]) }},
			{"Log1p", func() { var x, y [n]float64; Log1p(y[:], x[:]) }},
			{"Softplus", func() { var x, y [n]float64; Softplus(y[:], x[:]) }},
			{"Sigmoid", func() { var x, y [n]float64; Sigmoid(y[:], x[:]) }},
			{"SigmoidPrime", func() { var x, y [n]float64; SigmoidPrime(y[:], x[:]) }},
			{"Tanh", func() { var x, y [n]float64; Tanh(y[:], x[:]) }},
			{"TanhPrime", func() { var x, y [n]float64; TanhPrime(y[:], x[:]) }},
			{"SoftplusJVP", func() { var x, dx, y, dy [n]float64; SoftplusJVP(y[:], dy[:], x[:], dx[:]) }},
			{"TanhJVP", func() { var x, dx, y, dy [n]float64; TanhJVP(y[:], dy[:], x[:], dx[:]) }},
			{"SoftplusJVPReverse", func() {
				var x, dx, gy, gdy, gx, gdx [n]float64
				SoftplusJVPReverse(gx[:], gdx[:], x[:], dx[:], gy[:], gdy[:])
			}},
			{"TanhJVPReverse", func() {
				var x, dx, gy, gdy, gx, gdx [n]float64
				TanhJVPReverse(gx[:], gdx[:], x[:], dx[:], gy[:], gdy[:])
			}},
			{"Dot", func() { var x, y [n]float64; _ = Dot(x[:], y[:]) }},
			{"LogSumExp", func() { var x [n]float64; var out [n / 8]float64; LogSumExp(n/8, 8, x[:], out[:]) }},
		}
		for _, k := range cases {
			if a := testing.AllocsPerRun(20, k.fn); a != 0 {
				t.Errorf("%s: %.1f allocations per call with its slices on the stack, want 0", k.name, a)
			}
		}
	})
}
