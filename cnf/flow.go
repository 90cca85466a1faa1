package cnf

import "github.com/mmcnf/mmcnf/kernels"

// flow is one block's ODE system over a batch of n samples: the flat state
//
//	[ z (n*d) | trace integral (n) | kinetic integral (n) | Jacobian integral (n) ]
//
// where the three integrals are present when asked for (the trace for
// log-likelihoods, the others for regularisation). It implements
// ode.Differentiable, splitting the batch into chunks that run in parallel.
type flow struct {
	dyn     dynamics
	theta   []float64 // the dynamics' parameters (a view into the model's)
	n, d    int
	chunks  []span
	trace   bool
	kinetic bool
	jacob   bool
	// probe holds the trace probes for the whole batch (n*k*d), fixed for a
	// solve; k probes per sample, 0 when the trace is analytic or unused.
	probe []float64
	k     int

	// Offsets of the integrals in the state (-1 when absent).
	offTrace, offKinetic, offJacob, dimState int

	// Per chunk: f kept per record when the kinetic energy is integrated,
	// the gradient with respect to f, and the parameter gradient.
	fRec []records
	gf   [][]float64
	gacc [][]float64
	gsum []float64

	join     *join
	evalFn   func(c int)
	vjpFn    func(c int)
	cur      call
	reserved int
}

// call holds the arguments of the Eval or VJP in progress, for the chunks.
type call struct {
	t       float64
	rec     int
	y, dydt []float64
	a, ay   []float64
}

// newFlow builds the system for a batch of n samples with k probes per
// sample. trace, kinetic and jacob select the integrals carried in the state.
func newFlow(dyn dynamics, theta []float64, n, k, parts int, trace, kinetic, jacob bool) *flow {
	d := dyn.dim()
	f := &flow{dyn: dyn, theta: theta, n: n, d: d, k: k, trace: trace, kinetic: kinetic, jacob: jacob}
	f.chunks = splitBatch(n, parts)
	f.probe = make([]float64, n*k*d)
	off := n * d
	f.offTrace, f.offKinetic, f.offJacob = -1, -1, -1
	if trace {
		f.offTrace, off = off, off+n
	}
	if kinetic {
		f.offKinetic, off = off, off+n
	}
	if jacob {
		f.offJacob, off = off, off+n
	}
	f.dimState = off
	dyn.setup(f.chunks, k)
	for _, s := range f.chunks {
		m := s.hi - s.lo
		f.fRec = append(f.fRec, newRecords(m*d))
		f.gf = append(f.gf, make([]float64, m*d))
		f.gacc = append(f.gacc, make([]float64, dyn.gradLen()))
	}
	f.gsum = make([]float64, dyn.gradLen())
	f.join = newJoin()
	f.evalFn = f.evalChunk
	f.vjpFn = f.vjpChunk
	return f
}

// groups returns the lengths of the state's groups for the solver's error
// norm: z, then each integral on its own.
func (f *flow) groups() []int {
	g := []int{f.n * f.d}
	for _, on := range []bool{f.trace, f.kinetic, f.jacob} {
		if on {
			g = append(g, f.n)
		}
	}
	return g
}

// Dim is the length of the state.
func (f *flow) Dim() int { return f.dimState }

// NumParams is the number of the dynamics' parameters.
func (f *flow) NumParams() int { return f.dyn.numParams() }

// Reserve makes room for records 0..n-1.
func (f *flow) Reserve(n int) {
	if n <= f.reserved {
		return
	}
	f.reserved = n
	f.dyn.reserve(n)
	if f.kinetic {
		for i := range f.fRec {
			f.fRec[i].reserve(n)
		}
	}
}

// Eval writes the time derivative of the state at (t, y) into dydt.
func (f *flow) Eval(t float64, y, dydt []float64, rec int) {
	f.dyn.prepare(f.theta, t, rec)
	f.cur = call{t: t, rec: rec, y: y, dydt: dydt}
	parallelFor(len(f.chunks), f.join, f.evalFn)
	f.cur = call{}
}

// part returns s's slice of the per-sample integral at off, or nil.
func part(v []float64, off int, s span) []float64 {
	if off < 0 {
		return nil
	}
	return v[off+s.lo : off+s.hi]
}

func (f *flow) evalChunk(c int) {
	s := f.chunks[c]
	d := f.d
	y, dydt := f.cur.y, f.cur.dydt
	z := y[s.lo*d : s.hi*d]
	fz := dydt[s.lo*d : s.hi*d]
	var probe []float64
	if f.trace || f.jacob {
		probe = f.probe[s.lo*f.k*d : s.hi*f.k*d]
	}
	f.dyn.eval(c, f.cur.rec, f.cur.t, z, probe, fz, part(dydt, f.offTrace, s), part(dydt, f.offJacob, s))
	if f.kinetic {
		ke := part(dydt, f.offKinetic, s)
		for i := range ke {
			ke[i] = kernels.SumSq(fz[i*d : i*d+d])
		}
		if f.cur.rec >= 0 {
			copy(f.fRec[c].at(f.cur.rec), fz)
		}
	}
}

// VJP writes ay = a^T df/dy and adds a^T df/dtheta to gtheta, at record rec.
func (f *flow) VJP(rec int, a, ay, gtheta []float64) {
	f.cur = call{rec: rec, a: a, ay: ay}
	parallelFor(len(f.chunks), f.join, f.vjpFn)
	f.cur = call{}
	clear(ay[f.n*f.d:])
	// Reduce the chunks' gradients in chunk order, then map them to theta.
	copy(f.gsum, f.gacc[0])
	for c := 1; c < len(f.chunks); c++ {
		kernels.Axpy(1, f.gacc[c], f.gsum)
	}
	f.dyn.finish(rec, f.theta, f.gsum, gtheta)
}

func (f *flow) vjpChunk(c int) {
	s := f.chunks[c]
	d := f.d
	a, ay := f.cur.a, f.cur.ay
	gf := a[s.lo*d : s.hi*d]
	if f.kinetic {
		// d|f|^2 = 2 f . df.
		buf := f.gf[c]
		copy(buf, gf)
		fz := f.fRec[c].at(f.cur.rec)
		gke := part(a, f.offKinetic, s)
		for i, g := range gke {
			kernels.Axpy(2*g, fz[i*d:i*d+d], buf[i*d:i*d+d])
		}
		gf = buf
	}
	var probe []float64
	if f.trace || f.jacob {
		probe = f.probe[s.lo*f.k*d : s.hi*f.k*d]
	}
	f.dyn.vjp(c, f.cur.rec, probe, gf, part(a, f.offTrace, s), part(a, f.offJacob, s), ay[s.lo*d:s.hi*d], f.gacc[c])
}
