package kernelbench

import "github.com/mmcnf/mmcnf/kernels"

// convShapes are the three layers of the conv16 workload at batch 64: the
// hot 65 -> 64 hidden layer (64 channels plus time), the first layer (image
// channel and time) and the last; and the hot layer at batch 4, whose calls
// (about 1.5 ms) fit between the interruptions of a shared machine, where a
// call at batch 64 (over 20 ms) rarely runs undisturbed. The GEMM-equivalent
// shapes of the hot layer, timed with gonum too, are among the gemm cases.
var convShapes = []struct {
	name string
	s    kernels.ConvShape
}{
	{"65x64 3x3 16x16 N64", kernels.ConvShape{N: 64, Cin: 65, Cout: 64, H: 16, W: 16, K: 3}},
	{"65x64 3x3 16x16 N4", kernels.ConvShape{N: 4, Cin: 65, Cout: 64, H: 16, W: 16, K: 3}},
	{"2x64 3x3 16x16 N64", kernels.ConvShape{N: 64, Cin: 2, Cout: 64, H: 16, W: 16, K: 3}},
	{"65x1 3x3 16x16 N64", kernels.ConvShape{N: 64, Cin: 65, Cout: 1, H: 16, W: 16, K: 3}},
}

func init() {
	for _, sh := range convShapes {
		s := sh.s
		for _, k := range []struct {
			kernel string
			op     func(s kernels.ConvShape, x, w, b, y, dx, dw, db, work []float64) func()
		}{
			{"conv forward", func(s kernels.ConvShape, x, w, b, y, dx, dw, db, work []float64) func() {
				return func() { kernels.ConvForward(s, x, w, b, y, work) }
			}},
			{"conv backward data", func(s kernels.ConvShape, x, w, b, y, dx, dw, db, work []float64) func() {
				return func() { kernels.ConvBackwardData(s, y, w, dx, work) }
			}},
			{"conv backward filter", func(s kernels.ConvShape, x, w, b, y, dx, dw, db, work []float64) func() {
				return func() { kernels.ConvBackwardFilter(s, x, y, dw, db, work) }
			}},
		} {
			Register(Case{
				Kernel: k.kernel, Shape: sh.name, Unit: FLOPs, Work: s.FLOPs(),
				Setup: func(string) (func(), error) {
					x, w, b, y := randoms(s.InLen()), randoms(s.WeightLen()), randoms(s.Cout), randoms(s.OutLen())
					dx, dw, db := kernels.MakeFloats(s.InLen()), kernels.MakeFloats(s.WeightLen()), kernels.MakeFloats(s.Cout)
					return k.op(s, x, w, b, y, dx, dw, db, kernels.MakeFloats(s.WorkLen())), nil
				},
			})
		}
	}
}

// The fused kernels on the hot layer with one tangent per image, as the
// conv16 step runs them: ConvForwardAct (the convolution of the image and
// of its tangent, then softplus's JVP into padded outputs) and
// ConvBackwardDataAct (the two data gradients, then softplus's reverse).
// Their work is two convolutions.
func init() {
	for _, sh := range convShapes[:2] {
		s := sh.s
		pc, hw := s.Cin-1, s.H*s.W
		pad := func(c int) kernels.Padded {
			p := kernels.Padded{Data: kernels.MakeFloats(s.PadLen(s.N, c)), C: c}
			kernels.ConvPad(s, c, p, randoms(s.N*c*hw))
			return p
		}
		from := func(p kernels.Padded) kernels.Padded { p.Data = p.Data[s.PadPlane():]; return p }
		Register(Case{
			Kernel: "conv forward softplus jvp", Shape: sh.name, Unit: FLOPs, Work: 2 * s.FLOPs(), NoPurego: true,
			Setup: func(string) (func(), error) {
				x, dx, y, dy := pad(s.Cin), pad(s.Cin), pad(s.Cout+1), pad(s.Cout+1)
				w, b := randoms(s.WeightLen()), randoms(s.Cout)
				a, da := kernels.MakeFloats(s.OutLen()), kernels.MakeFloats(s.OutLen())
				work := kernels.MakeFloats(s.ActWorkLen(1))
				return func() {
					kernels.ConvForwardAct(s, kernels.ActSoftplus, 1, x, dx, w, b, a, da, from(y), from(dy), work)
				}, nil
			},
		})
		Register(Case{
			Kernel: "conv backward data softplus reverse", Shape: sh.name, Unit: FLOPs, Work: 2 * s.FLOPs(), NoPurego: true,
			Setup: func(string) (func(), error) {
				gy, gdy, x, dx := pad(s.Cout), pad(s.Cout), pad(s.Cin), pad(s.Cin)
				gp, gdp := pad(pc), pad(pc)
				w, p, dp := randoms(s.WeightLen()), randoms(s.N*pc*hw), randoms(s.N*pc*hw)
				work := kernels.MakeFloats(s.ActWorkLen(1))
				return func() {
					kernels.ConvBackwardDataAct(s, kernels.ActSoftplus, 1, gy, gdy, w, p, dp, gp, gdp, from(x), from(dx), work)
				}, nil
			},
		})
	}
}
