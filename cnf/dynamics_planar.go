package cnf

import (
	"math"

	"github.com/mmcnf/mmcnf/kernels"
)

// planar is the HyperPlanar dynamics: a hypernetwork maps t to the
// parameters of a width-W planar layer,
//
//	t -> Linear(1,H) -> tanh -> Linear(H,H) -> tanh -> Linear(H, 3Wd+W),
//
// whose output splits in order into Wt (W x d), U (W x d), G (W x d) and
// B (W); with U gated by sigmoid(G), f(z) = (1/W) sum_i U_i tanh(Wt_i.z + B_i)
// and Tr(df/dz) is analytic.
type planar struct {
	d, h, w int
	prefix  string

	// Parameter offsets: fc1 weight (H x 1) and bias (H), fc2 weight (H x H)
	// and bias (H), fc3 weight (P x H) and bias (P), P = 3Wd + W.
	w1, b1, w2, b2, w3, b3, n int

	// hyper holds, per record, t, h1 (H), h2 (H), the hypernetwork output
	// (P), the gated U (W*d) and sigmoid(G) (W*d).
	hyper records
	// scratch for finish: gradient of the hypernetwork output and hidden
	// layers.
	gout, gh []float64

	chunks []chunkPlanar
}

// chunkPlanar is one chunk's state: z per record, and scratch.
type chunkPlanar struct {
	z      records
	trace  []float64 // the kernel's exact trace when the caller wants another
	gtrace []float64 // zeros, for the kernel's reverse without a trace gradient
	jac    []float64 // per-sample Jacobians (d x d each)
	jv     []float64 // probe products J v
	gjac   []float64 // one Jacobian's gradient
}

func newPlanar(d, hidden, width int, prefix string) *planar {
	p := &planar{d: d, h: hidden, w: width, prefix: prefix}
	out := 3*width*d + width
	p.w1 = 0
	p.b1 = p.w1 + hidden
	p.w2 = p.b1 + hidden
	p.b2 = p.w2 + hidden*hidden
	p.w3 = p.b2 + hidden
	p.b3 = p.w3 + out*hidden
	p.n = p.b3 + out
	p.hyper = newRecords(1 + 2*hidden + out + 2*width*d)
	p.gout = make([]float64, out)
	p.gh = make([]float64, hidden)
	return p
}

func (p *planar) dim() int         { return p.d }
func (p *planar) numParams() int   { return p.n }
func (p *planar) exactTrace() bool { return true }
func (p *planar) gradLen() int     { return 2*p.w*p.d + p.w }

func (p *planar) params() []paramSpec {
	out := 3*p.w*p.d + p.w
	pre := p.prefix + "hyper_net."
	return []paramSpec{
		{pre + "fc1.weight", []int{p.h, 1}},
		{pre + "fc1.bias", []int{p.h}},
		{pre + "fc2.weight", []int{p.h, p.h}},
		{pre + "fc2.bias", []int{p.h}},
		{pre + "fc3.weight", []int{out, p.h}},
		{pre + "fc3.bias", []int{out}},
	}
}

func (p *planar) setup(chunks []span, k int) {
	p.chunks = make([]chunkPlanar, len(chunks))
	for i, s := range chunks {
		m := s.hi - s.lo
		p.chunks[i] = chunkPlanar{
			z:      newRecords(m * p.d),
			trace:  make([]float64, m),
			gtrace: make([]float64, m),
			jac:    make([]float64, m*p.d*p.d),
			jv:     make([]float64, m*k*p.d),
			gjac:   make([]float64, p.d*p.d),
		}
	}
}

func (p *planar) reserve(n int) {
	p.hyper.reserve(n)
	for i := range p.chunks {
		p.chunks[i].z.reserve(n)
	}
}

// hyperParts splits a hypernetwork record into its pieces.
func (p *planar) hyperParts(r []float64) (h1, h2, out, u, sg []float64) {
	wd := p.w * p.d
	h1 = r[1 : 1+p.h]
	h2 = r[1+p.h : 1+2*p.h]
	out = r[1+2*p.h : 1+2*p.h+3*wd+p.w]
	u = r[1+2*p.h+3*wd+p.w:][:wd]
	sg = r[1+2*p.h+4*wd+p.w:][:wd]
	return
}

func (p *planar) prepare(theta []float64, t float64, rec int) {
	r := p.hyper.at(rec)
	r[0] = t
	h1, h2, out, u, sg := p.hyperParts(r)
	for i := range h1 {
		h1[i] = math.FMA(theta[p.w1+i], t, theta[p.b1+i])
	}
	kernels.Tanh(h1, h1)
	copy(h2, theta[p.b2:p.b2+p.h])
	kernels.Gemv(false, p.h, p.h, 1, theta[p.w2:], p.h, h1, 1, h2)
	kernels.Tanh(h2, h2)
	copy(out, theta[p.b3:p.b3+len(out)])
	kernels.Gemv(false, len(out), p.h, 1, theta[p.w3:], p.h, h2, 1, out)
	wd := p.w * p.d
	kernels.Sigmoid(sg, out[2*wd:3*wd])
	for i := range u {
		u[i] = out[wd+i] * sg[i]
	}
}

func (p *planar) eval(c, rec int, t float64, z, probe, f, tr, frob []float64) {
	ch := &p.chunks[c]
	hr := p.hyper.at(rec)
	_, _, out, u, _ := p.hyperParts(hr)
	wd := p.w * p.d
	wt, b := out[:wd], out[3*wd:]
	if rec >= 0 {
		copy(ch.z.at(rec), z)
	}
	exact := tr
	if exact == nil || len(probe) > 0 {
		exact = ch.trace
	}
	kernels.PlanarForward(p.d, p.w, z, wt, u, b, f, exact)
	if len(probe) > 0 || frob != nil {
		p.jacobian(ch, z, wt, u, b)
		p.probeTrace(ch, z, probe, tr, frob)
	}
}

func (p *planar) vjp(c, rec int, probe, gf, gtr, gfrob, gz, gacc []float64) {
	ch := &p.chunks[c]
	_, _, out, u, _ := p.hyperParts(p.hyper.at(rec))
	wd := p.w * p.d
	wt, b := out[:wd], out[3*wd:]
	z := ch.z.at(rec)
	gexact := gtr
	if gexact == nil || len(probe) > 0 {
		gexact = ch.gtrace
	}
	clear(gacc)
	gwt, gu, gb := gacc[:wd], gacc[wd:2*wd], gacc[2*wd:]
	kernels.PlanarReverse(p.d, p.w, z, wt, u, b, gf, gexact, gz, gwt, gu, gb)
	if len(probe) > 0 || gfrob != nil {
		p.jacobian(ch, z, wt, u, b)
		p.probeTrace(ch, z, probe, nil, nil)
		p.probeTraceReverse(ch, z, probe, wt, u, b, gtr, gfrob, gz, gwt, gu, gb)
	}
}

func (p *planar) finish(rec int, theta, gacc, gtheta []float64) {
	r := p.hyper.at(rec)
	t := r[0]
	h1, h2, out, _, sg := p.hyperParts(r)
	wd := p.w * p.d
	g := p.gout
	// Output pieces: Wt and B directly, U and G through U * sigmoid(G).
	copy(g[:wd], gacc[:wd])
	for i := 0; i < wd; i++ {
		gu := gacc[wd+i]
		g[wd+i] = gu * sg[i]
		g[2*wd+i] = gu * out[wd+i] * sg[i] * (1 - sg[i])
	}
	copy(g[3*wd:], gacc[2*wd:])
	nout := len(g)
	// fc3: out = W3 h2 + b3.
	kernels.Axpy(1, g, gtheta[p.b3:p.b3+nout])
	kernels.Gemm(false, false, nout, p.h, 1, 1, g, 1, h2, p.h, 1, gtheta[p.w3:], p.h)
	gh := p.gh
	kernels.Gemv(true, nout, p.h, 1, theta[p.w3:], p.h, g, 0, gh)
	// tanh, then fc2: a2 = W2 h1 + b2.
	for i := range gh {
		gh[i] *= 1 - h2[i]*h2[i]
	}
	kernels.Axpy(1, gh, gtheta[p.b2:p.b2+p.h])
	kernels.Gemm(false, false, p.h, p.h, 1, 1, gh, 1, h1, p.h, 1, gtheta[p.w2:], p.h)
	ga1 := g[:p.h] // g is no longer needed
	kernels.Gemv(true, p.h, p.h, 1, theta[p.w2:], p.h, gh, 0, ga1)
	// tanh, then fc1: a1 = W1 t + b1.
	for i := 0; i < p.h; i++ {
		ga := ga1[i] * (1 - h1[i]*h1[i])
		gtheta[p.b1+i] += ga
		gtheta[p.w1+i] += ga * t
	}
}

// jacobian writes, for each sample, J = df/dz = (1/W) sum_i h'_i U_i Wt_i^T
// (h'_i = 1 - tanh^2 of unit i) into ch.jac as d x d row-major blocks.
func (p *planar) jacobian(ch *chunkPlanar, z, wt, u, b []float64) {
	d, w := p.d, p.w
	inv := 1 / float64(w)
	for s := 0; s < len(z)/d; s++ {
		zs := z[s*d : s*d+d]
		jac := ch.jac[s*d*d : (s+1)*d*d]
		clear(jac)
		for i := 0; i < w; i++ {
			wi, ui := wt[i*d:i*d+d], u[i*d:i*d+d]
			th := math.Tanh(b[i] + kernels.Dot(wi, zs))
			c := (1 - th*th) * inv
			for l := 0; l < d; l++ {
				kernels.Axpy(c*ui[l], wi, jac[l*d:l*d+d])
			}
		}
	}
}

// probeTrace computes, from the explicit Jacobians, the probe estimates
// tr = sum_k v_k . J v_k and frob = sum_k |J v_k|^2 when probes are given,
// or the exact |J|_F^2 into frob when they are not (tr is then left to the
// planar kernel). K = len(probe)/len(z).
func (p *planar) probeTrace(ch *chunkPlanar, z, probe, tr, frob []float64) {
	d := p.d
	m := len(z) / d
	k := len(probe) / max(1, len(z))
	for s := 0; s < m; s++ {
		jac := ch.jac[s*d*d : (s+1)*d*d]
		if k == 0 {
			if frob != nil {
				frob[s] = kernels.SumSq(jac)
			}
			continue
		}
		var t, fr float64
		for j := 0; j < k; j++ {
			v := probe[(s*k+j)*d:][:d]
			jv := ch.jv[(s*k+j)*d:][:d]
			kernels.Gemv(false, d, d, 1, jac, d, v, 0, jv)
			t += kernels.Dot(v, jv)
			fr += kernels.SumSq(jv)
		}
		storeTrace(tr, frob, s, t, fr)
	}
}

// probeTraceReverse adds the gradients of gtr . tr + gfrob . frob (as
// probeTrace computed them, from the Jacobians in ch.jac and ch.jv) with
// respect to z, Wt, U and B. The gradient with respect to J is
// gJ = sum_k (gtr v_k + 2 gfrob J v_k) v_k^T with probes, 2 gfrob J without;
// then J = sum_i c_i U_i Wt_i^T with c_i = h'_i/W and
// dc_i = -2 tanh_i c_i (Wt_i . dz + dWt_i . z + dB_i).
func (p *planar) probeTraceReverse(ch *chunkPlanar, z, probe, wt, u, b, gtr, gfrob, gz, gwt, gu, gb []float64) {
	d, w := p.d, p.w
	inv := 1 / float64(w)
	m := len(z) / d
	k := len(probe) / max(1, len(z))
	gj := ch.gjac
	for s := 0; s < m; s++ {
		zs, gzs := z[s*d:s*d+d], gz[s*d:s*d+d]
		jac := ch.jac[s*d*d : (s+1)*d*d]
		clear(gj)
		var gf float64
		if gfrob != nil {
			gf = gfrob[s]
		}
		if k == 0 {
			kernels.Axpy(2*gf, jac, gj)
		} else {
			var gt float64
			if gtr != nil {
				gt = gtr[s]
			}
			for j := 0; j < k; j++ {
				v := probe[(s*k+j)*d:][:d]
				jv := ch.jv[(s*k+j)*d:][:d]
				for l := 0; l < d; l++ {
					kernels.Axpy(gt*v[l]+2*gf*jv[l], v, gj[l*d:l*d+d])
				}
			}
		}
		for i := 0; i < w; i++ {
			wi, ui := wt[i*d:i*d+d], u[i*d:i*d+d]
			th := math.Tanh(b[i] + kernels.Dot(wi, zs))
			c := (1 - th*th) * inv
			var gc float64
			for l := 0; l < d; l++ {
				row := gj[l*d : l*d+d]
				q := kernels.Dot(row, wi) // sum_k gJ_lk Wt_ik
				gc += ui[l] * q
				gu[i*d+l] += c * q
				kernels.Axpy(c*ui[l], row, gwt[i*d:i*d+d])
			}
			ga := gc * (-2 * th * c)
			gb[i] += ga
			kernels.Axpy(ga, zs, gwt[i*d:i*d+d])
			kernels.Axpy(ga, wi, gzs)
		}
	}
}

// planarFootprint is the memory newPlanar and setup allocate for points
// of d dimensions, hidden width h and w units, over a batch of n points in
// parts chunks of at most m with k probes per sample, and what each record
// keeps: the hypernetwork's values and each chunk's z.
func planarFootprint(d, h, w, n, parts, m, k float64) footprint {
	out := 3*w*d + w
	hyper := 1 + 2*h + out + 2*w*d
	return footprint{
		fixed: madeFloats(hyper) + float64s(out+h) +
			parts*(madeFloats(m*d)+float64s(2*m+m*d*d+m*k*d+d*d)),
		record:    madeFloats(hyper) + parts*madeFloats(m*d),
		params:    h*h + 3*h + out*(h+1),
		gradAccum: 2*w*d + w,
	}
}
