package cnf

import (
	"fmt"
	"math"

	"github.com/mmcnf/mmcnf/kernels"
)

// concat is the ConcatConv dynamics (FFJORD's ODEnet) and, on 1 x 1
// "images" with 1 x 1 kernels, the ConcatMLP dynamics: layers
// a_l = W_l * [t, x_l] + b_l with t concatenated as input channel 0, x_0 = z
// and x_{l+1} = act(a_l), no activation after the last layer, f = a_{L-1}.
// Every layer carries the tangents of the probes with the primal, so that
// J v comes out of the same pass, and has the reverse of both.
type concat struct {
	c, h, w int   // data channels, height, width
	hw, k   int   // pixels per channel, kernel size
	ch      []int // channels: ch[0] = c, hidden dims, ch[L] = c
	tanh    bool
	wn      bool
	mlp     bool
	prefix  string

	// Parameter offsets per layer: weight (or weight_v), weight_g (-1
	// without weight norm), bias; and in the intermediate gradient
	// (effective weight then bias).
	offW, offG, offB []int
	accW, accB       []int
	n, nacc          int

	// The effective weights (under weight normalisation) and per-layer
	// views of the weights and biases in use.
	weff   []float64
	wview  [][]float64
	bview  [][]float64
	chunks []chunkConv
}

// chunkConv is one chunk's buffers: per record the first layer's input
// [t, z], its tangents and every layer's pre-activations, primal and
// tangent; the later layers' inputs are recomputed from the pre-activations
// into xs and dxs when needed, as the activation costs little next to a
// convolution and keeping its output per record would double the memory of
// a solve. And reverse scratch.
type chunkConv struct {
	m, kp           int
	xin, dxin       records   // first layer
	pre, dpre       []records // per layer
	xs, dxs         []float64
	ga, gda         [2][]float64
	gx, gdx, tmp    []float64
	zeroBias, gbias []float64
	zeros           []float64
	work            []float64
}

func newConcat(c, h, w, k int, dims []int, tanh, wn, mlp bool, prefix string) *concat {
	d := &concat{c: c, h: h, w: w, hw: h * w, k: k, tanh: tanh, wn: wn, mlp: mlp, prefix: prefix}
	d.ch = append(append([]int{c}, dims...), c)
	for l := 0; l+1 < len(d.ch); l++ {
		in, out := d.ch[l]+1, d.ch[l+1]
		wl := out * in * k * k
		d.offW = append(d.offW, d.n)
		d.n += wl
		if wn {
			d.offG = append(d.offG, d.n)
			d.n += out
		} else {
			d.offG = append(d.offG, -1)
		}
		d.offB = append(d.offB, d.n)
		d.n += out
		d.accW = append(d.accW, d.nacc)
		d.accB = append(d.accB, d.nacc+wl)
		d.nacc += wl + out
	}
	d.weff = make([]float64, d.nacc)
	d.wview = make([][]float64, d.layers())
	d.bview = make([][]float64, d.layers())
	return d
}

func (d *concat) layers() int      { return len(d.ch) - 1 }
func (d *concat) dim() int         { return d.c * d.hw }
func (d *concat) numParams() int   { return d.n }
func (d *concat) exactTrace() bool { return false }
func (d *concat) gradLen() int     { return d.nacc }

func (d *concat) shape(l, n int) kernels.ConvShape {
	return kernels.ConvShape{N: n, Cin: d.ch[l] + 1, Cout: d.ch[l+1], H: d.h, W: d.w, K: d.k}
}

func (d *concat) params() []paramSpec {
	var out []paramSpec
	for l := 0; l < d.layers(); l++ {
		in, o := d.ch[l]+1, d.ch[l+1]
		wshape := []int{o, in, d.k, d.k}
		gshape := []int{o, 1, 1, 1}
		if d.mlp {
			wshape, gshape = []int{o, in}, []int{o, 1}
		}
		name := fmt.Sprintf("%slayers.%d.", d.prefix, l)
		if d.wn {
			out = append(out, paramSpec{name + "weight_v", wshape}, paramSpec{name + "weight_g", gshape})
		} else {
			out = append(out, paramSpec{name + "weight", wshape})
		}
		out = append(out, paramSpec{name + "bias", []int{o}})
	}
	return out
}

func (d *concat) setup(chunks []span, kp int) {
	d.chunks = make([]chunkConv, len(chunks))
	maxc := 0
	for _, c := range d.ch {
		maxc = max(maxc, c+1)
	}
	for i, s := range chunks {
		m := s.hi - s.lo
		ch := chunkConv{m: m, kp: kp}
		work := 0
		for l := 0; l < d.layers(); l++ {
			sh := d.shape(l, m*max(1, kp))
			work = max(work, sh.WorkLen(), d.shape(l, m).WorkLen())
			ch.pre = append(ch.pre, newRecords(m*d.ch[l+1]*d.hw))
			ch.dpre = append(ch.dpre, newRecords(m*kp*d.ch[l+1]*d.hw))
		}
		ch.xin = newRecords(m * (d.c + 1) * d.hw)
		ch.dxin = newRecords(m * kp * (d.c + 1) * d.hw)
		ch.xs = kernels.MakeFloats(m * maxc * d.hw)
		ch.dxs = kernels.MakeFloats(m * kp * maxc * d.hw)
		for j := range 2 {
			ch.ga[j] = kernels.MakeFloats(m * maxc * d.hw)
			ch.gda[j] = kernels.MakeFloats(m * kp * maxc * d.hw)
		}
		ch.gx = kernels.MakeFloats(m * maxc * d.hw)
		ch.gdx = kernels.MakeFloats(m * kp * maxc * d.hw)
		ch.tmp = make([]float64, maxc*d.hw)
		ch.zeros = make([]float64, maxc*d.hw)
		ch.zeroBias = make([]float64, maxc)
		ch.gbias = make([]float64, maxc)
		ch.work = kernels.MakeFloats(work)
		d.chunks[i] = ch
	}
}

func (d *concat) reserve(n int) {
	for i := range d.chunks {
		ch := &d.chunks[i]
		ch.xin.reserve(n)
		ch.dxin.reserve(n)
		for l := range ch.pre {
			ch.pre[l].reserve(n)
			ch.dpre[l].reserve(n)
		}
	}
}

// prepare sets the weights in use, which do not depend on t: with weight
// normalisation w = g v/|v| per output channel.
func (d *concat) prepare(theta []float64, t float64, rec int) {
	for l := range d.wview {
		d.bview[l] = theta[d.offB[l] : d.offB[l]+d.ch[l+1]]
		if !d.wn {
			d.wview[l] = theta[d.offW[l]:d.offB[l]]
			continue
		}
		out := d.ch[l+1]
		size := (d.offG[l] - d.offW[l]) / out
		w := d.weff[d.accW[l]:d.accB[l]]
		for o := 0; o < out; o++ {
			v := theta[d.offW[l]+o*size:][:size]
			norm := math.Sqrt(kernels.SumSq(v))
			s := theta[d.offG[l]+o] / norm
			for i, x := range v {
				w[o*size+i] = s * x
			}
		}
		d.wview[l] = w
	}
}

func (d *concat) eval(c, rec int, t float64, z, probe, f, tr, frob []float64) {
	ch := &d.chunks[c]
	m, hw := ch.m, d.hw
	kp := len(probe) / max(1, len(z))
	cin := d.c + 1
	x0 := ch.xin.at(rec)
	dx0 := ch.dxin.at(rec)
	for s := 0; s < m; s++ {
		blk := x0[s*cin*hw : (s+1)*cin*hw]
		for i := 0; i < hw; i++ {
			blk[i] = t
		}
		copy(blk[hw:], z[s*d.c*hw:(s+1)*d.c*hw])
		for j := 0; j < kp; j++ {
			dblk := dx0[(s*kp+j)*cin*hw : (s*kp+j+1)*cin*hw]
			clear(dblk[:hw])
			copy(dblk[hw:], probe[(s*kp+j)*d.c*hw:(s*kp+j+1)*d.c*hw])
		}
	}
	for l := 0; l < d.layers(); l++ {
		w, b := d.wview[l], d.bview[l]
		x, dx := d.input(ch, l, rec, t)
		a, da := ch.pre[l].at(rec), ch.dpre[l].at(rec)
		kernels.ConvForward(d.shape(l, m), x, w, b, a, ch.work)
		if kp > 0 {
			kernels.ConvForward(d.shape(l, m*kp), dx, w, ch.zeroBias[:d.ch[l+1]], da[:m*kp*d.ch[l+1]*hw], ch.work)
		}
	}
	last := d.layers() - 1
	copy(f, ch.pre[last].at(rec)[:len(f)])
	if kp == 0 {
		return
	}
	jv := ch.dpre[last].at(rec)
	n := d.c * hw
	for s := 0; s < m; s++ {
		var tt, fr float64
		for j := 0; j < kp; j++ {
			v := probe[(s*kp+j)*n : (s*kp+j+1)*n]
			u := jv[(s*kp+j)*n : (s*kp+j+1)*n]
			tt += kernels.Dot(v, u)
			fr += kernels.SumSq(u)
		}
		storeTrace(tr, frob, s, tt, fr)
	}
}

// input returns layer l's input [t, x_l] and its tangents at record rec,
// each sample's channels contiguous: for the first layer the recorded
// ones; for a later layer x_l = act(a_{l-1}) and dx_l = act'(a_{l-1})
// da_{l-1}, computed from the recorded pre-activations into the chunk's
// scratch (so the same arithmetic serves the forward pass and its reverse).
func (d *concat) input(ch *chunkConv, l, rec int, t float64) (x, dx []float64) {
	m, kp, hw := ch.m, ch.kp, d.hw
	nin := d.ch[l] + 1
	if l == 0 {
		return ch.xin.at(rec), ch.dxin.at(rec)[:m*kp*nin*hw]
	}
	out := d.ch[l]
	a, da := ch.pre[l-1].at(rec), ch.dpre[l-1].at(rec)
	x, dx = ch.xs[:m*nin*hw], ch.dxs[:m*kp*nin*hw]
	for s := 0; s < m; s++ {
		as := a[s*out*hw : (s+1)*out*hw]
		xs := x[s*nin*hw : (s+1)*nin*hw]
		for i := 0; i < hw; i++ {
			xs[i] = t
		}
		if kp == 0 {
			d.act(xs[hw:], as)
		}
		for j := 0; j < kp; j++ {
			das := da[(s*kp+j)*out*hw : (s*kp+j+1)*out*hw]
			dxs := dx[(s*kp+j)*nin*hw : (s*kp+j+1)*nin*hw]
			clear(dxs[:hw])
			d.actJVP(xs[hw:], dxs[hw:], as, das)
		}
	}
	return x, dx
}

func (d *concat) act(y, x []float64) {
	if d.tanh {
		kernels.Tanh(y, x)
	} else {
		kernels.Softplus(y, x)
	}
}

func (d *concat) actJVP(y, dy, x, dx []float64) {
	if d.tanh {
		kernels.TanhJVP(y, dy, x, dx)
	} else {
		kernels.SoftplusJVP(y, dy, x, dx)
	}
}

func (d *concat) actJVPReverse(gx, gdx, x, dx, gy, gdy []float64) {
	if d.tanh {
		kernels.TanhJVPReverse(gx, gdx, x, dx, gy, gdy)
	} else {
		kernels.SoftplusJVPReverse(gx, gdx, x, dx, gy, gdy)
	}
}

func (d *concat) vjp(c, rec int, probe, gf, gtr, gfrob, gz, gacc []float64) {
	ch := &d.chunks[c]
	m, hw := ch.m, d.hw
	kp := len(probe) / max(1, len(gz))
	clear(gacc)
	last := d.layers() - 1
	n := d.c * hw
	ga, gda := ch.ga[0], ch.gda[0]
	copy(ga, gf)
	if kp > 0 {
		jv := ch.dpre[last].at(rec)
		for s := 0; s < m; s++ {
			var gt, gr float64
			if gtr != nil {
				gt = gtr[s]
			}
			if gfrob != nil {
				gr = 2 * gfrob[s]
			}
			for j := 0; j < kp; j++ {
				o := (s*kp + j) * n
				g := gda[o : o+n]
				for i := range g {
					g[i] = gt*probe[o+i] + gr*jv[o+i]
				}
			}
		}
	}
	for l := last; l >= 0; l-- {
		in, out := d.ch[l]+1, d.ch[l+1]
		w := d.wview[l]
		gw, gb := gacc[d.accW[l]:d.accB[l]], gacc[d.accB[l]:d.accB[l]+out]
		// The first layer's input begins with the time channel, so its
		// first element is the record's t.
		x, dx := d.input(ch, l, rec, ch.xin.at(rec)[0])
		sh, shk := d.shape(l, m), d.shape(l, m*kp)
		gal, gdal := ga[:m*out*hw], gda[:m*kp*out*hw]
		kernels.ConvBackwardFilter(sh, x, gal, gw, gb, ch.work)
		if kp > 0 {
			kernels.ConvBackwardFilter(shk, dx, gdal, gw, ch.gbias[:out], ch.work)
		}
		kernels.ConvBackwardData(sh, gal, w, ch.gx[:m*in*hw], ch.work)
		if l == 0 {
			for s := 0; s < m; s++ {
				copy(gz[s*n:(s+1)*n], ch.gx[(s*in+1)*hw:(s+1)*in*hw])
			}
			break
		}
		if kp > 0 {
			kernels.ConvBackwardData(shk, gdal, w, ch.gdx[:m*kp*in*hw], ch.work)
		}
		// Through the previous layer's activation: x = act(a), dx = act'(a) da.
		pout := d.ch[l]
		a, da := ch.pre[l-1].at(rec), ch.dpre[l-1].at(rec)
		gan, gdan := ch.ga[1][:m*pout*hw], ch.gda[1][:m*kp*pout*hw]
		for s := 0; s < m; s++ {
			as := a[s*pout*hw : (s+1)*pout*hw]
			gxs := ch.gx[(s*in+1)*hw : (s+1)*in*hw]
			gas := gan[s*pout*hw : (s+1)*pout*hw]
			if kp == 0 {
				d.actReverse(gas, as, gxs)
				continue
			}
			for j := 0; j < kp; j++ {
				das := da[(s*kp+j)*pout*hw : (s*kp+j+1)*pout*hw]
				gdxs := ch.gdx[((s*kp+j)*in+1)*hw : (s*kp+j+1)*in*hw]
				gdas := gdan[(s*kp+j)*pout*hw : (s*kp+j+1)*pout*hw]
				if j == 0 {
					d.actJVPReverse(gas, gdas, as, das, gxs, gdxs)
					continue
				}
				tmp := ch.tmp[:len(as)]
				d.actJVPReverse(tmp, gdas, as, das, ch.zeros[:len(as)], gdxs)
				kernels.Axpy(1, tmp, gas)
			}
		}
		ch.ga[0], ch.ga[1] = ch.ga[1], ch.ga[0]
		ch.gda[0], ch.gda[1] = ch.gda[1], ch.gda[0]
		ga, gda = ch.ga[0], ch.gda[0]
	}
}

// actReverse writes gx = act'(x) gy.
func (d *concat) actReverse(gx, x, gy []float64) {
	if d.tanh {
		kernels.TanhPrime(gx, x)
	} else {
		kernels.Sigmoid(gx, x)
	}
	for i, g := range gy[:len(x)] {
		gx[i] *= g
	}
}

// finish adds the gradient with respect to the effective weights and
// biases to gtheta, through w = g v/|v| under weight normalisation:
// dL/dg = (G . v)/|v| and dL/dv = (g/|v|) (G - (G . v) v/|v|^2).
func (d *concat) finish(rec int, theta, gacc, gtheta []float64) {
	for l := 0; l < d.layers(); l++ {
		out := d.ch[l+1]
		gw := gacc[d.accW[l]:d.accB[l]]
		kernels.Axpy(1, gacc[d.accB[l]:d.accB[l]+out], gtheta[d.offB[l]:d.offB[l]+out])
		if !d.wn {
			kernels.Axpy(1, gw, gtheta[d.offW[l]:d.offB[l]])
			continue
		}
		size := len(gw) / out
		for o := 0; o < out; o++ {
			v := theta[d.offW[l]+o*size:][:size]
			gv := gtheta[d.offW[l]+o*size:][:size]
			g := gw[o*size : (o+1)*size]
			norm := math.Sqrt(kernels.SumSq(v))
			gdotv := kernels.Dot(g, v)
			gtheta[d.offG[l]+o] += gdotv / norm
			s := theta[d.offG[l]+o] / norm
			kernels.Axpy(s, g, gv)
			kernels.Axpy(-s*gdotv/(norm*norm), v, gv)
		}
	}
}

// concatFootprint is the memory newConcat and setup allocate for data of
// shape (C, H, W), k x k kernels and the given hidden dims, with or
// without weight normalisation, over parts chunks of at most m points with
// kp probes per sample, and what each record keeps: each chunk's first
// input and every layer's pre-activations, with their tangents.
func concatFootprint(shape []float64, k float64, dims []float64, wn bool, parts, m, kp float64) footprint {
	c, hw := shape[0], shape[1]*shape[2]
	ch := append(append([]float64{c}, dims...), c)
	var fp footprint
	maxc := 0.0
	work := 0
	for l := 0; l+1 < len(ch); l++ {
		in, out := ch[l]+1, ch[l+1]
		fp.gradAccum += out*in*k*k + out
		maxc = max(maxc, in, out+1)
		fp.record += madeFloats(m*out*hw) + madeFloats(m*kp*out*hw)
		// The kernels' work space, as setup sizes it, for the batch of
		// the primal and of the tangents; it is looked up for sizes whose
		// products fit an int (larger ones are refused long before it
		// matters).
		if in < 1<<16 && out < 1<<16 && hw < 1<<24 && k < 16 {
			for _, n := range []float64{m, m * max(1, kp)} {
				s := kernels.ConvShape{N: int(min(n, 1<<30)), Cin: int(in), Cout: int(out), H: int(shape[1]), W: int(shape[2]), K: int(k)}
				work = max(work, s.WorkLen())
			}
		}
	}
	fp.params = fp.gradAccum
	if wn {
		for _, out := range ch[1:] {
			fp.params += out // weight_g
		}
	}
	fp.record += madeFloats(m*(c+1)*hw) + madeFloats(m*kp*(c+1)*hw)
	// Per chunk: a scratch record, the inputs of the later layers and
	// their tangents, two gradients of each and one more of each, and the
	// per-channel scratch.
	perChunk := fp.record + 4*madeFloats(m*maxc*hw) + 4*madeFloats(m*kp*maxc*hw) +
		float64s(2*maxc*hw+2*maxc) + madeFloats(float64(work))
	fp.fixed = float64s(fp.gradAccum) + parts*perChunk
	fp.record *= parts
	return fp
}
