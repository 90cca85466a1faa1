package cnf

import (
	"fmt"
	"math"
	"slices"

	"github.com/mmcnf/mmcnf/kernels"
)

// concat is the ConcatConv dynamics (FFJORD's ODEnet) and, on 1 x 1
// "images" with 1 x 1 kernels, the ConcatMLP dynamics: layers
// a_l = W_l * [t, x_l] + b_l with t concatenated as input channel 0, x_0 = z
// and x_{l+1} = act(a_l), no activation after the last layer, f = a_{L-1}.
// Every layer carries the tangents of the probes with the primal, so that
// J v comes out of the same pass, and has the reverse of both.
//
// The layers' inputs stay in the convolution kernels' padded layout (see
// kernels.Padded) from one layer to the next: each layer's kernel writes
// act(a_l) and its tangents straight into the next layer's padded input
// (kernels.ConvForwardAct), and in the reverse pass the data gradient of
// layer l forms the gradients with respect to a_{l-1} and rewrites x_l for
// the weight gradient in the same pass (kernels.ConvBackwardDataAct).
type concat struct {
	c, h, w int   // data channels, height, width
	hw, k   int   // pixels per channel, kernel size
	ch      []int // channels: ch[0] = c, hidden dims, ch[L] = c
	act     kernels.Activation
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
	zeros  []float64 // the bias of the tangents
	chunks []chunkConv
}

// chunkConv is one chunk's buffers. Per record it keeps the first layer's
// input z and t, and every layer's pre-activations and their tangents but
// the last layer's primal (f itself): the reverse pass recomputes a
// layer's input from them, as the activation costs little next to a
// convolution and keeping its output per record would double the memory
// of a solve. The layers' inputs [t, x_l] and their tangents [0, dx_l] take
// turns in two padded buffers each, layer l's in x[l%2] and dx[l%2], each
// layer writing the next one's; the reverse pass rewrites each layer's
// input, with a plane of ones after it for the bias gradient, before its
// weight gradient reads it. The gradients with respect to the
// pre-activations go through two padded buffers in turn; they, and the
// other buffers of the reverse pass, are made by its first call (see
// grads), so that the solves of evaluation and sampling never hold them.
type chunkConv struct {
	m, kp   int
	zin     records   // z, then t
	pre     []records // hidden layers only
	dpre    []records // every layer; the last one's is J v
	x, dx   [2][]float64
	ga, gda [2][]float64
	gin     []float64 // the first layer's data gradient, compact
	gdf     []float64 // the gradient with respect to J v, compact
	work    []float64
}

func newConcat(c, h, w, k int, dims []int, tanh, wn, mlp bool, prefix string) *concat {
	d := &concat{c: c, h: h, w: w, hw: h * w, k: k, act: kernels.ActSoftplus, wn: wn, mlp: mlp, prefix: prefix}
	if tanh {
		d.act = kernels.ActTanh
	}
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
	d.zeros = make([]float64, slices.Max(d.ch))
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

// planes is the number of planes of layer l's padded input images: the
// time channel, the layer's input channels and a plane of ones.
func (d *concat) planes(l int) int { return d.ch[l] + 2 }

// from returns p from its images' second plane on: a layer's input
// without its time channel.
func (d *concat) from(p kernels.Padded) kernels.Padded {
	if p.Data != nil {
		p.Data = p.Data[d.shape(0, 0).PadPlane():]
	}
	return p
}

// inputPlanes is the largest number of planes of the inputs of the
// layers l with l%2 == j, which share the padded buffers x[j] and dx[j].
func (d *concat) inputPlanes(j int) int {
	n := 0
	for l := j; l < d.layers(); l += 2 {
		n = max(n, d.planes(l))
	}
	return n
}

func (d *concat) setup(chunks []span, kp int) {
	d.chunks = make([]chunkConv, len(chunks))
	last := d.layers() - 1
	for i, s := range chunks {
		m := s.hi - s.lo
		ch := chunkConv{m: m, kp: kp}
		work := 0
		for l := 0; l < d.layers(); l++ {
			sh, shk := d.shape(l, m), d.shape(l, m*kp)
			work = max(work, sh.ActWorkLen(kp), shk.WorkLen())
			if l < last {
				ch.pre = append(ch.pre, newRecords(m*d.ch[l+1]*d.hw))
			}
			ch.dpre = append(ch.dpre, newRecords(m*kp*d.ch[l+1]*d.hw))
		}
		sh := d.shape(0, m)
		for j := 0; j < min(2, d.layers()); j++ {
			ch.x[j] = kernels.MakeFloats(sh.PadLen(m, d.inputPlanes(j)))
			if kp > 0 {
				ch.dx[j] = kernels.MakeFloats(sh.PadLen(m*kp, d.inputPlanes(j)))
			}
		}
		ch.zin = newRecords(m*d.c*d.hw + 1)
		ch.work = kernels.MakeFloats(work)
		d.chunks[i] = ch
	}
}

// grads makes the buffers of the reverse pass of ch, on its first call.
func (d *concat) grads(ch *chunkConv) {
	if ch.gin != nil {
		return
	}
	m, kp := ch.m, ch.kp
	sh := d.shape(0, m)
	maxc := slices.Max(d.ch)
	for j := range 2 {
		ch.ga[j] = kernels.MakeFloats(sh.PadLen(m, maxc))
		ch.gda[j] = kernels.MakeFloats(sh.PadLen(m*kp, maxc))
	}
	ch.gin = make([]float64, m*(d.c+1)*d.hw)
	ch.gdf = make([]float64, m*kp*d.c*d.hw)
}

func (d *concat) reserve(n int) {
	for i := range d.chunks {
		ch := &d.chunks[i]
		ch.zin.reserve(n)
		for l := range ch.pre {
			ch.pre[l].reserve(n)
		}
		for l := range ch.dpre {
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

// preActs returns where layer l < L-1 keeps its pre-activations and their
// tangents at record rec: nowhere (nil) when nothing is recorded, as in
// the solves of evaluation and sampling, where the fused kernels keep them
// in their work buffer, an image at a time.
func (ch *chunkConv) preActs(l, rec int) (a, da []float64) {
	if rec < 0 {
		return nil, nil
	}
	return ch.pre[l].at(rec), ch.dpre[l].at(rec)
}

// inputs returns layer l's padded input and its tangents, in the buffers
// it shares with the layers two before and after it, with their time
// planes written: t in the input's, zeros in the tangents' (another
// layer's channel may have been there).
func (d *concat) inputs(ch *chunkConv, l int, t float64) (x, dx kernels.Padded) {
	x = kernels.Padded{Data: ch.x[l%2], C: d.planes(l)}
	dx = kernels.Padded{Data: ch.dx[l%2], C: d.planes(l)}
	kernels.ConvPadFill(d.shape(l, ch.m), x, t)
	if ch.kp > 0 {
		kernels.ConvPadFill(d.shape(l, ch.m*ch.kp), dx, 0)
	}
	return x, dx
}

// input writes the first layer's padded input [t, z] and its tangents
// [0, probe].
func (d *concat) input(ch *chunkConv, t float64, z, probe []float64) (x, dx kernels.Padded) {
	m, kp := ch.m, ch.kp
	x, dx = d.inputs(ch, 0, t)
	kernels.ConvPad(d.shape(0, m), d.c, d.from(x), z)
	if kp > 0 {
		kernels.ConvPad(d.shape(0, m*kp), d.c, d.from(dx), probe)
	}
	return x, dx
}

// ones writes the plane of ones after layer l's input channels in x, which
// the bias gradient reads.
func (d *concat) ones(x kernels.Padded, l, m int) {
	sh := d.shape(l, m)
	x.Data = x.Data[(d.ch[l]+1)*sh.PadPlane():]
	kernels.ConvPadFill(sh, x, 1)
}

func (d *concat) eval(c, rec int, t float64, z, probe, f, tr, frob []float64) {
	ch := &d.chunks[c]
	m, kp := ch.m, ch.kp
	if rec >= 0 {
		zin := ch.zin.at(rec)
		copy(zin, z)
		zin[len(zin)-1] = t
	}
	x, dx := d.input(ch, t, z, probe)
	last := d.layers() - 1
	for l := 0; l < last; l++ {
		y, dy := d.inputs(ch, l+1, t)
		a, da := ch.preActs(l, rec)
		kernels.ConvForwardAct(d.shape(l, m), d.act, kp, x, dx, d.wview[l], d.bview[l], a, da, d.from(y), d.from(dy), ch.work)
		x, dx = y, dy
	}
	kernels.ConvForwardPadded(d.shape(last, m), x, d.wview[last], d.bview[last], f, ch.work)
	if kp == 0 {
		return
	}
	jv := ch.dpre[last].at(rec)
	kernels.ConvForwardPadded(d.shape(last, m*kp), dx, d.wview[last], d.zeroBias(last), jv, ch.work)
	n := d.c * d.hw
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

// zeroBias returns zeros for the bias of layer l's tangents.
func (d *concat) zeroBias(l int) []float64 { return d.zeros[:d.ch[l+1]] }

func (d *concat) vjp(c, rec int, probe, gf, gtr, gfrob, gz, gacc []float64) {
	ch := &d.chunks[c]
	d.grads(ch)
	m, kp := ch.m, ch.kp
	clear(gacc)
	last := d.layers() - 1
	n := d.c * d.hw
	zin := ch.zin.at(rec)
	t := zin[len(zin)-1]

	// The gradients with respect to the last layer's outputs: f, and J v
	// through the trace and the Frobenius norm.
	sh := d.shape(last, m)
	ga, gda := kernels.Padded{Data: ch.ga[0], C: d.c}, kernels.Padded{Data: ch.gda[0], C: d.c}
	kernels.ConvPad(sh, d.c, ga, gf)
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
				g := ch.gdf[o : o+n]
				for i := range g {
					g[i] = gt*probe[o+i] + gr*jv[o+i]
				}
			}
		}
		kernels.ConvPad(d.shape(last, m*kp), d.c, gda, ch.gdf)
	}
	for l := last; l >= 0; l-- {
		sh, shk := d.shape(l, m), d.shape(l, m*kp)
		w := d.wview[l]
		out := d.ch[l+1]
		gw, gb := gacc[d.accW[l]:d.accB[l]], gacc[d.accB[l]:d.accB[l]+out]
		var x, dx kernels.Padded
		if l == 0 {
			// The first layer's input is [t, z]; the gradient with respect
			// to z is its data gradient's channels after the time channel.
			x, dx = d.input(ch, t, zin[:m*n], probe)
			kernels.ConvBackwardDataPadded(sh, ga, w, ch.gin, ch.work)
			for s := 0; s < m; s++ {
				copy(gz[s*n:(s+1)*n], ch.gin[(s*(d.c+1)+1)*d.hw:])
			}
		} else {
			// Through the previous layer's activation, x_l = act(a_{l-1}),
			// rewriting x_l and dx_l on the way.
			x, dx = d.inputs(ch, l, t)
			gan := kernels.Padded{Data: ch.ga[1], C: d.ch[l]}
			gdan := kernels.Padded{Data: ch.gda[1], C: d.ch[l]}
			a, da := ch.preActs(l-1, rec)
			kernels.ConvBackwardDataAct(sh, d.act, kp, ga, gda, w, a, da, gan, gdan, d.from(x), d.from(dx), ch.work)
		}
		d.ones(x, l, m)
		kernels.ConvBackwardFilterPadded(sh, x, ga, gw, gb, ch.work)
		if kp > 0 {
			kernels.ConvBackwardFilterPadded(shk, dx, gda, gw, nil, ch.work)
		}
		ch.ga[0], ch.ga[1] = ch.ga[1], ch.ga[0]
		ch.gda[0], ch.gda[1] = ch.gda[1], ch.gda[0]
		ga = kernels.Padded{Data: ch.ga[0], C: d.ch[l]}
		gda = kernels.Padded{Data: ch.gda[0], C: d.ch[l]}
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
// kp probes per sample; what the first call of the reverse pass adds; and
// what each record keeps: each chunk's first input, the hidden layers'
// pre-activations and every layer's tangents.
func concatFootprint(shape []float64, k float64, dims []float64, wn bool, parts, m, kp float64) footprint {
	c, h, w := shape[0], shape[1], shape[2]
	hw := h * w
	ch := append(append([]float64{c}, dims...), c)
	layers := len(ch) - 1
	var fp footprint
	var planes [2]float64 // of the inputs sharing each padded buffer
	work := 0
	for l := 0; l < layers; l++ {
		in, out := ch[l]+1, ch[l+1]
		fp.gradAccum += out*in*k*k + out
		planes[l%2] = max(planes[l%2], ch[l]+2)
		if l < layers-1 {
			fp.record += madeFloats(m * out * hw)
		}
		fp.record += madeFloats(m * kp * out * hw)
		// The kernels' work space, as setup sizes it; it is looked up for
		// sizes whose products fit an int (larger ones are refused long
		// before it matters).
		if in < 1<<16 && out < 1<<16 && hw < 1<<24 && k < 16 && kp < 1<<20 {
			s := kernels.ConvShape{N: int(min(m, 1<<30)), Cin: int(in), Cout: int(out), H: int(h), W: int(w), K: int(k)}
			work = max(work, s.ActWorkLen(int(kp)))
			s.N = int(min(m*kp, 1<<30))
			work = max(work, s.WorkLen())
		}
	}
	fp.record += madeFloats(m*c*hw + 1)
	fp.params = fp.gradAccum
	if wn {
		for _, out := range ch[1:] {
			fp.params += out // weight_g
		}
	}
	maxc := slices.Max(ch)
	// Per chunk: the work space, the scratch record of J v that a solve
	// recording nothing writes (it keeps no other), and the layers' inputs
	// and their tangents, two buffers of each.
	perChunk := madeFloats(float64(work))
	if kp > 0 {
		perChunk += madeFloats(m * kp * c * hw)
	}
	for _, p := range planes[:min(2, layers)] {
		perChunk += madeFloats(padLen(h, w, k, m, p))
		if kp > 0 {
			perChunk += madeFloats(padLen(h, w, k, m*kp, p))
		}
	}
	fp.fixed = float64s(fp.gradAccum) + float64s(maxc) + parts*perChunk
	// The reverse pass's gradients with respect to the pre-activations and
	// their tangents, two of each, and those of the first layer's data
	// gradient and of J v.
	fp.reverse = parts * (2*madeFloats(padLen(h, w, k, m, maxc)) + 2*madeFloats(padLen(h, w, k, m*kp, maxc)) +
		float64s(m*(c+1)*hw) + float64s(m*kp*c*hw))
	fp.record *= parts
	return fp
}

// padLen is the length kernels.ConvShape.PadLen gives for n images of c
// planes of h x w pixels under k x k kernels, in floating point; for
// sizes whose layout would not fit an int, the compact images' length,
// which the padded one exceeds.
func padLen(h, w, k, n, c float64) float64 {
	if h < 1<<24 && w < 1<<24 && k < 16 {
		s := kernels.ConvShape{H: int(h), W: int(w), K: int(k)}
		return n*c*float64(s.PadPlane()) + float64(s.PadLen(0, 0))
	}
	return n * c * h * w
}
