package cnf

import (
	"math"
	"runtime"
	"slices"
	"testing"

	"github.com/mmcnf/mmcnf/kernels"
)

func mlpConfig(base string) Config {
	cfg := Config{
		Shape:    []int{3},
		Dynamics: DynamicsConfig{Kind: ConcatMLP, Dims: []int{5, 4}},
		Base:     BaseConfig{Kind: base},
		Trace:    TraceExact,
		Solver:   SolverConfig{Method: "rk4", Steps: 3},
	}
	if base == BaseGMM {
		cfg.Base.Means = [][]float64{{-0.5, 0.2, 0.1}, {0.5, -0.3, 0.4}}
	}
	return cfg
}

func convConfig(base string) Config {
	cfg := Config{
		Shape:      []int{1, 4, 3},
		Dynamics:   DynamicsConfig{Kind: ConcatConv, Dims: []int{3, 2}},
		Base:       BaseConfig{Kind: base},
		Trace:      TraceRademacher,
		Solver:     SolverConfig{Method: "rk4", Steps: 2},
		Preprocess: PreprocessConfig{Dequantize: true, Logit: true, Alpha: 0.05},
	}
	if base == BaseGMM {
		for j := 0; j < 2; j++ {
			mean := make([]float64, 12)
			for i := range mean {
				mean[i] = 0.3 * float64(j) * math.Sin(float64(i))
			}
			cfg.Base.Means = append(cfg.Base.Means, mean)
		}
	}
	return cfg
}

// pixels returns n random 8-bit images of d pixels and labels in 0..1.
func pixels(n, d int, seed uint64) ([]float64, []int) {
	rng := testRNG(seed)
	x := make([]float64, n*d)
	for i := range x {
		x[i] = float64(rng.IntN(256))
	}
	labels := make([]int, n)
	for s := range labels {
		labels[s] = s % 2
	}
	return x, labels
}

// forEachTier runs f as subtest name/tier under every kernel tier: those
// this machine lacks are skipped, saying so.
func forEachTier(t *testing.T, name string, f func(t *testing.T)) {
	for _, tier := range []string{"avx512", "avx2", "purego"} {
		t.Run(name+"/"+tier, func(t *testing.T) {
			restore, err := kernels.Use(tier)
			if err != nil {
				t.Skipf("skipping tier %s: %v", tier, err)
			}
			defer restore()
			f(t)
		})
	}
}

// TestConcatGradient checks the backprop gradient of the whole mean loss
// of ConcatMLP and ConcatConv models against finite differences, for both
// bases, every trace estimator, weight normalisation, both activations and
// the regularisers (see checkGradFD for the tolerance), on every kernel
// tier.
func TestConcatGradient(t *testing.T) {
	cases := []struct {
		name string
		cfg  func() Config
	}{
		{"mlp-gaussian-exact", func() Config { return mlpConfig(BaseGaussian) }},
		{"mlp-gmm-rademacher-tanh", func() Config {
			c := mlpConfig(BaseGMM)
			c.Trace, c.Dynamics.Activation = TraceRademacher, "tanh"
			return c
		}},
		{"mlp-gmm-gaussiannoise-weightnorm-regularised", func() Config {
			c := mlpConfig(BaseGMM)
			c.Trace, c.Dynamics.WeightNorm = TraceGaussian, true
			c.Regularize = RegularizeConfig{Kinetic: 0.2, Jacobian: 0.3}
			return c
		}},
		{"mlp-gmm-exact-regularised-blocks", func() Config {
			c := mlpConfig(BaseGMM)
			c.Blocks = 2
			c.Regularize = RegularizeConfig{Kinetic: 0.2, Jacobian: 0.3}
			return c
		}},
		{"conv-gaussian-rademacher", func() Config { return convConfig(BaseGaussian) }},
		{"conv-gmm-gaussiannoise-weightnorm", func() Config {
			c := convConfig(BaseGMM)
			c.Trace, c.Dynamics.WeightNorm = TraceGaussian, true
			return c
		}},
		{"conv-gmm-exact-regularised", func() Config {
			c := convConfig(BaseGMM)
			c.Trace = TraceExact
			c.Regularize = RegularizeConfig{Kinetic: 0.2, Jacobian: 0.3}
			return c
		}},
	}
	for _, tc := range cases {
		forEachTier(t, tc.name, func(t *testing.T) {
			cfg := tc.cfg()
			m, err := New(cfg, 3)
			if err != nil {
				t.Fatal(err)
			}
			var x []float64
			var labels []int
			if cfg.Dynamics.Kind == ConcatConv {
				x, labels = pixels(5, m.D(), 2)
			} else {
				x, labels = points(7, m.D(), 2, 2)
			}
			checkGradFD(t, m, x, labels, 9, 2)
		})
	}
}

// unfusedEval is the concat dynamics' evaluation as the composition of
// compact kernels that the fused ones replace: each layer concatenates the
// time channel to its input (and a zero channel to the tangents), convolves
// both (kernels.ConvForward) and applies the activation's JVP
// (kernels.SoftplusJVP or TanhJVP), none after the last layer. It returns f
// and J v for the m samples z and their kp probes each.
func unfusedEval(d *concat, t float64, z, probe []float64, m, kp int) (f, jv []float64) {
	hw := d.hw
	x, dx := z, probe
	for l := 0; l < d.layers(); l++ {
		in, out := d.ch[l]+1, d.ch[l+1]
		sh, shk := d.shape(l, m), d.shape(l, m*kp)
		xc, dxc := make([]float64, m*in*hw), make([]float64, m*kp*in*hw)
		for s := 0; s < m; s++ {
			for i := 0; i < hw; i++ {
				xc[s*in*hw+i] = t
			}
			copy(xc[(s*in+1)*hw:(s+1)*in*hw], x[s*(in-1)*hw:])
		}
		for s := 0; s < m*kp; s++ {
			copy(dxc[(s*in+1)*hw:(s+1)*in*hw], dx[s*(in-1)*hw:])
		}
		work := make([]float64, max(sh.WorkLen(), shk.WorkLen()))
		a, da := make([]float64, m*out*hw), make([]float64, m*kp*out*hw)
		kernels.ConvForward(sh, xc, d.wview[l], d.bview[l], a, work)
		kernels.ConvForward(shk, dxc, d.wview[l], make([]float64, out), da, work)
		if l == d.layers()-1 {
			return a, da
		}
		x, dx = make([]float64, len(a)), make([]float64, len(da))
		for s := 0; s < m; s++ {
			as := a[s*out*hw : (s+1)*out*hw]
			if kp == 0 {
				if d.act == kernels.ActTanh {
					kernels.Tanh(x[s*out*hw:], as)
				} else {
					kernels.Softplus(x[s*out*hw:], as)
				}
			}
			for j := 0; j < kp; j++ {
				o := (s*kp + j) * out * hw
				if d.act == kernels.ActTanh {
					kernels.TanhJVP(x[s*out*hw:], dx[o:], as, da[o:o+out*hw])
				} else {
					kernels.SoftplusJVP(x[s*out*hw:], dx[o:], as, da[o:o+out*hw])
				}
			}
		}
	}
	return nil, nil
}

// TestConcatEvalMatchesUnfused compares the concat dynamics' f, trace and
// Frobenius estimates, a batch split into chunks, recorded and not, with
// unfusedEval on images whose widths are no multiple of the vector widths,
// with one probe or several per sample and none. The gradient checks cannot
// see a wrong forward value that the gradient follows (a stale time
// channel, say); this test can. Both compute the same composition with the
// kernels of the same tier, whose fused forms do the arithmetic of the
// unfused ones (kernels.TestConvActMatchesUnfused), and the estimates are
// summed as eval sums them: the two agree bit for bit, so that solves on
// the fused kernels give the numbers they gave before.
func TestConcatEvalMatchesUnfused(t *testing.T) {
	for _, tc := range []struct {
		name          string
		c, h, w, k    int
		dims          []int
		tanh, mlp     bool
		kp, n, chunks int
	}{
		{"conv 5x7", 1, 5, 7, 3, []int{8, 6}, false, false, 1, 5, 2},
		{"conv 2ch 3x9 probes", 2, 3, 9, 3, []int{5}, false, false, 3, 4, 2},
		{"conv 16x16 sampling", 1, 16, 16, 3, []int{7, 7}, false, false, 0, 3, 1},
		{"mlp tanh", 3, 1, 1, 1, []int{5, 4}, true, true, 3, 7, 3},
		{"mlp tanh sampling", 3, 1, 1, 1, []int{5, 4}, true, true, 0, 7, 3},
	} {
		forEachTier(t, tc.name, func(t *testing.T) {
			d := newConcat(tc.c, tc.h, tc.w, tc.k, tc.dims, tc.tanh, false, tc.mlp, "")
			rng := testRNG(5)
			theta := make([]float64, d.numParams())
			for i := range theta {
				theta[i] = 0.6 * rng.NormFloat64()
			}
			const tt = 0.37
			d.prepare(theta, tt, 0)
			chunks := splitBatch(tc.n, tc.chunks)
			d.setup(chunks, tc.kp)
			d.reserve(1)
			dim := d.dim()
			z, probe := make([]float64, tc.n*dim), make([]float64, tc.n*tc.kp*dim)
			for i := range z {
				z[i] = 2 * rng.NormFloat64()
			}
			for i := range probe {
				probe[i] = rng.NormFloat64()
			}
			wantF, wantJV := unfusedEval(d, tt, z, probe, tc.n, tc.kp)
			for _, rec := range []int{0, -1} {
				f, tr, frob := make([]float64, tc.n*dim), make([]float64, tc.n), make([]float64, tc.n)
				for c, s := range chunks {
					d.eval(c, rec, tt, z[s.lo*dim:s.hi*dim], probe[s.lo*tc.kp*dim:s.hi*tc.kp*dim],
						f[s.lo*dim:s.hi*dim], tr[s.lo:s.hi], frob[s.lo:s.hi])
				}
				wantTr, wantFrob := make([]float64, tc.n), make([]float64, tc.n)
				for s := 0; s < tc.n && tc.kp > 0; s++ {
					for j := 0; j < tc.kp; j++ {
						o := (s*tc.kp + j) * dim
						v, u := probe[o:o+dim], wantJV[o:o+dim]
						wantTr[s] += kernels.Dot(v, u)
						wantFrob[s] += kernels.SumSq(u)
					}
				}
				for _, o := range []struct {
					what      string
					got, want []float64
				}{{"f", f, wantF}, {"trace", tr, wantTr}, {"Frobenius estimate", frob, wantFrob}} {
					if !sameBits(o.got, o.want) {
						t.Errorf("record %d: %s differs from the unfused composition's", rec, o.what)
					}
				}
				if slices.Max(wantF) == slices.Min(wantF) {
					t.Errorf("record %d: f is constant (%v)", rec, wantF[0])
				}
			}
		})
	}
}

// TestConvNoAllocs checks that, once built, the conv dynamics' function
// evaluations and vector-Jacobian products allocate nothing.
func TestConvNoAllocs(t *testing.T) {
	m, err := New(convConfig(BaseGMM), 1)
	if err != nil {
		t.Fatal(err)
	}
	const n = 6
	x, labels := pixels(n, m.D(), 3)
	g := make([]float64, len(m.Params()))
	if _, err := m.LossGrad(x, labels, testRNG(1), g); err != nil {
		t.Fatal(err)
	}
	fl := m.runs[runKey{n, modeTrain}].flows[0]
	y, dy := make([]float64, fl.Dim()), make([]float64, fl.Dim())
	for i := range y {
		y[i] = 0.01 * float64(i%7)
	}
	a, ay := make([]float64, fl.Dim()), make([]float64, fl.Dim())
	for i := range a {
		a[i] = 0.01 * float64(i%5)
	}
	gtheta := make([]float64, fl.NumParams())
	for _, rec := range []int{2, -1} {
		if allocs := testing.AllocsPerRun(10, func() {
			fl.Eval(0.2, y, dy, rec)
			if rec >= 0 {
				fl.VJP(rec, a, ay, gtheta)
			}
		}); allocs != 0 {
			t.Errorf("record %d: Eval and VJP allocate %v times", rec, allocs)
		}
	}
}

// TestConvThreads checks that the log-likelihood of each sample under a
// ConcatConv model is bit for bit the same however many chunks the batch
// is split into (every image goes through the same arithmetic alone), and
// that the gradient is the same from run to run at a given thread count.
func TestConvThreads(t *testing.T) {
	cfg := convConfig(BaseGaussian)
	const n = 5
	x, labels := pixels(n, 12, 4)
	var lls [][]float64
	for _, threads := range []int{1, 2, 3} {
		prev := runtime.GOMAXPROCS(threads)
		var grads [][]float64
		for run := 0; run < 2; run++ {
			m, err := New(cfg, 7)
			if err != nil {
				t.Fatal(err)
			}
			g := make([]float64, len(m.Params()))
			if _, err := m.LossGrad(x, labels, testRNG(2), g); err != nil {
				t.Fatal(err)
			}
			grads = append(grads, g)
			if run == 0 {
				ll := make([]float64, n)
				if _, err := m.LogLikelihood(x, testRNG(3), ll); err != nil {
					t.Fatal(err)
				}
				lls = append(lls, ll)
			}
		}
		runtime.GOMAXPROCS(prev)
		if !slices.Equal(grads[0], grads[1]) {
			t.Errorf("%d threads: gradients differ from run to run", threads)
		}
	}
	for i := 1; i < len(lls); i++ {
		if !slices.Equal(lls[i], lls[0]) {
			t.Errorf("log-likelihoods with %d chunks %v, with 1 %v", i+1, lls[i], lls[0])
		}
	}
}

// sameBits reports whether a and b hold the same values bit for bit.
func sameBits(a, b []float64) bool {
	return slices.EqualFunc(a, b, func(x, y float64) bool { return math.Float64bits(x) == math.Float64bits(y) })
}
