package cnf

import "github.com/mmcnf/mmcnf/kernels"

// dynamics is a vector field f(z, t; theta) over a batch of samples of
// length dim, evaluated chunk by chunk (see span) so that chunks run in
// parallel. Each chunk owns its buffers and records; the per-t work shared
// by all chunks (a hypernetwork, the time channel) is done once in prepare.
//
// Besides f, eval computes per-sample trace quantities through probe
// vectors v_1..v_K (K = len(probe)/(m*dim) per sample, K = 0 for none):
// tr = sum_k v_k . (J v_k) and frob = sum_k |J v_k|^2 with J = df/dz. With
// K = 1 and random v these are Hutchinson's estimates of Tr J and |J|_F^2;
// with the K = dim unit vectors they are exact. A dynamics with an analytic
// exact trace (exactTrace) computes tr without probes.
type dynamics interface {
	// dim is the length of one sample's state z.
	dim() int
	// numParams is the length of the dynamics' parameter vector.
	numParams() int
	// exactTrace reports whether eval with no probes still gives the exact
	// trace analytically (and the Jacobian's Frobenius norm if asked).
	exactTrace() bool
	// setup sizes the per-chunk buffers for the given chunks of a batch with
	// k probes per sample.
	setup(chunks []span, k int)
	// reserve makes room for records 0..n-1.
	reserve(n int)
	// prepare does the per-t work at parameters theta, kept as record rec
	// (rec < 0: kept nowhere).
	prepare(theta []float64, t float64, rec int)
	// eval computes f (m*dim), and, when non-nil, tr (m) and frob (m), for
	// the m samples z (m*dim) of chunk c, with the chunk's probes (m*K*dim,
	// nil for none). When rec >= 0 it keeps what vjp needs.
	eval(c, rec int, t float64, z, probe, f, tr, frob []float64)
	// vjp takes the gradients gf (m*dim), gtr and gfrob (m each, nil when
	// absent) of a scalar with respect to chunk c's outputs at record rec
	// (evaluated with the same probes),
	// overwrites gz (m*dim) with the gradient with respect to z and
	// overwrites gacc (gradLen) with this chunk's contribution to the
	// parameter gradient, in the dynamics' own intermediate form.
	vjp(c, rec int, probe, gf, gtr, gfrob, gz, gacc []float64)
	// gradLen is the length of gacc.
	gradLen() int
	// finish maps the sum over chunks of gacc at record rec to the
	// parameter gradient, adding it to gtheta (numParams).
	finish(rec int, theta, gacc, gtheta []float64)
	// params lists the dynamics' named arrays in parameter-vector order.
	params() []paramSpec
}

// paramSpec names one array of a parameter vector and its shape, as it is
// stored in weights.npz.
type paramSpec struct {
	name  string
	shape []int
}

func (p paramSpec) size() int {
	n := 1
	for _, s := range p.shape {
		n *= s
	}
	return n
}

// records is a store of equally sized float64 buffers indexed by record
// number, with one extra scratch buffer for record -1, made when first
// asked for. The buffers come from kernels.MakeFloats: the large ones (the
// convolutional layers' recorded activations) are advised for huge pages.
type records struct {
	size int
	bufs [][]float64
}

func newRecords(size int) records {
	return records{size: size, bufs: [][]float64{nil}}
}

// reserve grows the store to hold records 0..n-1.
func (r *records) reserve(n int) {
	for len(r.bufs) < n+1 {
		r.bufs = append(r.bufs, kernels.MakeFloats(r.size))
	}
}

// at returns record rec's buffer (the scratch buffer for rec < 0), growing
// the store if rec was not reserved.
func (r *records) at(rec int) []float64 {
	if rec < 0 {
		if r.bufs[0] == nil {
			r.bufs[0] = kernels.MakeFloats(r.size)
		}
		return r.bufs[0]
	}
	r.reserve(rec + 1)
	return r.bufs[rec+1]
}

// storeTrace writes sample s's trace estimate t into tr and its Jacobian
// Frobenius estimate fr into frob, each when asked for (not nil).
func storeTrace(tr, frob []float64, s int, t, fr float64) {
	if tr != nil {
		tr[s] = t
	}
	if frob != nil {
		frob[s] = fr
	}
}
