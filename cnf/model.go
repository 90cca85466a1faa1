package cnf

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"

	"github.com/mmcnf/mmcnf/internal/streams"
	"github.com/mmcnf/mmcnf/kernels"
	"github.com/mmcnf/mmcnf/ode"
)

// Model is a continuous normalising flow: Blocks flows dz/dt = f(z, t)
// over t in [0, T1] composed in sequence, from the (preprocessed) data to a
// base distribution. All learnable numbers live in one flat parameter
// vector. A Model is not safe for concurrent use.
type Model struct {
	cfg    Config
	d      int
	theta  []float64
	blocks []blockInfo
	base   *base
	// Offsets of the learnable base means and logits in theta (-1 when the
	// base is fixed).
	offMeans, offLogits int
	// solve holds the options of every solve but the state groups.
	solve ode.Options
	runs  map[runKey]*run
	// tapeLimit bounds the memory of the records of a training solve
	// (0: no bound); see LimitTape.
	tapeLimit float64
}

// blockInfo locates one block's parameters in theta.
type blockInfo struct {
	off, n int
	prefix string
}

// LossStats describes one evaluation of the loss: a training step's
// mini-batch or a held-out set.
type LossStats struct {
	// Loss is NLL plus the weighted regularisers.
	Loss float64
	// NLL is the mean negative log-likelihood of the batch (nats).
	NLL float64
	// BitsPerDim is the mean bits per dimension of the batch.
	BitsPerDim float64
	// Kinetic and Jacobian are the batch means of the regularisers'
	// integrals (0 when not integrated).
	Kinetic, Jacobian float64
	// NFEForward counts evaluations of f in the forward solves,
	// NFEBackward those of the backward pass (adjoint), VJPBackward its
	// vector-Jacobian products.
	NFEForward, NFEBackward, VJPBackward int
	// StepsForward counts the accepted steps of the forward solves.
	StepsForward int
}

// New builds a model for cfg with PyTorch's default initialisation
// (uniform in +-1/sqrt(fan_in) for every weight and bias) drawn from seed.
// A configuration whose parameters need more memory than the machine has
// (see Config.Memory) is refused before anything of their size is
// allocated.
func New(cfg Config, seed uint64) (*Model, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if err := cfg.checkMemory(); err != nil {
		return nil, err
	}
	solve, err := cfg.Solver.options()
	if err != nil {
		return nil, err
	}
	m := &Model{cfg: cfg, d: cfg.D(), solve: solve, runs: map[runKey]*run{}}
	n := 0
	for b := range cfg.Blocks {
		prefix := ""
		if cfg.Blocks > 1 {
			prefix = fmt.Sprintf("blocks.%d.", b)
		}
		dyn := m.newDynamics(prefix)
		m.blocks = append(m.blocks, blockInfo{off: n, n: dyn.numParams(), prefix: prefix})
		n += dyn.numParams()
	}
	k := cfg.Components()
	m.offMeans, m.offLogits = -1, -1
	if cfg.Base.Learnable {
		m.offMeans, m.offLogits = n, n+k*m.d
		n += k*m.d + k
	}
	m.theta = make([]float64, n)
	rng := rand.New(rand.NewPCG(seed, streams.ModelInit))
	for b := range m.blocks {
		m.initBlock(b, rng)
	}
	mu, logits := make([]float64, k*m.d), make([]float64, k)
	if m.offMeans >= 0 {
		mu, logits = m.theta[m.offMeans:m.offLogits], m.theta[m.offLogits:]
	}
	for j, mean := range cfg.Base.Means {
		copy(mu[j*m.d:], mean)
	}
	copy(logits, cfg.Base.LogWeights)
	m.base = newBase(k, m.d, mu, logits)
	return m, nil
}

// newDynamics returns a fresh instance of the configured dynamics.
func (m *Model) newDynamics(prefix string) dynamics {
	dc := m.cfg.Dynamics
	switch dc.Kind {
	case HyperPlanar:
		return newPlanar(m.d, dc.Hidden, dc.Width, prefix)
	case ConcatConv:
		sh := m.cfg.Shape
		return newConcat(sh[0], sh[1], sh[2], 3, dc.Dims, false, dc.WeightNorm, false, prefix)
	case ConcatMLP:
		return newConcat(m.d, 1, 1, 1, dc.Dims, dc.Activation == "tanh", dc.WeightNorm, true, prefix)
	}
	panic("cnf: unknown dynamics " + dc.Kind) // rejected by validate
}

// initBlock draws block b's parameters: every weight and bias uniformly in
// +-1/sqrt(fan_in) of its layer, as torch.nn.Linear and Conv2d do; under
// weight normalisation v is drawn so and g = |v| per output channel, as
// torch.nn.utils.weight_norm sets it.
func (m *Model) initBlock(b int, rng *rand.Rand) {
	blk := m.blocks[b]
	theta := m.theta[blk.off : blk.off+blk.n]
	off := 0
	var bound float64
	var prev []float64
	for _, p := range m.newDynamics(blk.prefix).params() {
		v := theta[off : off+p.size()]
		off += p.size()
		if strings.HasSuffix(p.name, "weight_g") {
			size := len(prev) / len(v)
			for o := range v {
				v[o] = math.Sqrt(kernels.SumSq(prev[o*size : (o+1)*size]))
			}
			continue
		}
		prev = v
		if len(p.shape) > 1 {
			fanIn := p.size() / p.shape[0]
			bound = 1 / math.Sqrt(float64(fanIn))
		}
		for i := range v {
			v[i] = bound * (2*rng.Float64() - 1)
		}
	}
}

// LimitTape bounds the memory of the records that the training solves of
// an adaptive method keep for the gradient by backpropagation to bytes
// over all blocks (0: no bound), in place of the memory of the machine:
// a solve that would take more steps than fit fails with an error saying
// so. The bound applies to the runs built after the call. Fixed-step
// solves, whose records are known in advance (Config.Memory), and the
// adjoint, whose records do not grow, are not affected; nor is any result
// of a solve that stays within the bound.
func (m *Model) LimitTape(bytes float64) { m.tapeLimit = bytes }

// Config returns the model's configuration, defaults filled in.
func (m *Model) Config() Config { return m.cfg.withDefaults() }

// WithSolver returns a new model with m's weights and base that solves
// as s describes (defaults filled in as for a Config), leaving m as it is:
// to evaluate or sample a model with another solver setting, such as
// torchdiffeq's interpolation at t1.
func (m *Model) WithSolver(s SolverConfig) (*Model, error) {
	cfg := m.Config()
	cfg.Solver = s
	w, err := New(cfg, 0)
	if err != nil {
		return nil, err
	}
	copy(w.theta, m.theta)
	copy(w.base.mu, m.base.mu)
	copy(w.base.logits, m.base.logits)
	return w, nil
}

// D is the number of dimensions of one data point.
func (m *Model) D() int { return m.d }

// Params is the flat vector of every learnable parameter (the dynamics of
// each block in order, then the base's means and logits when learnable).
// It is the model's own storage: changes take effect at the next call.
func (m *Model) Params() []float64 { return m.theta }

// BitsPerDim converts a per-sample log-likelihood from LogLikelihood to
// bits per dimension.
func (m *Model) BitsPerDim(logp float64) float64 {
	return BitsPerDim(logp, m.d, m.cfg.Preprocess.Dequantize)
}

// batch checks a batch of data and returns its size.
func (m *Model) batch(x []float64) (int, error) {
	if len(x) == 0 || len(x)%m.d != 0 {
		return 0, fmt.Errorf("cnf: data has length %d, want a positive multiple of D = %d", len(x), m.d)
	}
	for i, v := range x {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return 0, fmt.Errorf("cnf: sample %d element %d is %v", i/m.d, i%m.d, v)
		}
	}
	return len(x) / m.d, nil
}

// LossGrad evaluates the training loss on the batch x (n x D), the mean
// negative log-likelihood plus the weighted regularisers, and overwrites
// grad (len(Params())) with its gradient. With a GMM base each sample is
// scored by the component of its label (labels non-nil) or by the mixture
// (labels nil); a Gaussian base ignores labels. rng draws the
// dequantisation noise and the trace estimator's noise.
func (m *Model) LossGrad(x []float64, labels []int, rng *rand.Rand, grad []float64) (LossStats, error) {
	var st LossStats
	n, err := m.batch(x)
	if err != nil {
		return st, err
	}
	if len(grad) != len(m.theta) {
		return st, fmt.Errorf("cnf: gradient has length %d, want %d", len(grad), len(m.theta))
	}
	if m.cfg.Base.Kind != BaseGMM {
		labels = nil
	}
	if labels != nil {
		if len(labels) != n {
			return st, fmt.Errorf("cnf: %d labels for %d samples", len(labels), n)
		}
		if err := m.base.checkLabels(labels); err != nil {
			return st, fmt.Errorf("cnf: %w", err)
		}
	}
	r, err := m.run(n, modeTrain)
	if err != nil {
		return st, err
	}
	if err := r.forward(m, x, labels, rng, true, &st); err != nil {
		return st, err
	}
	clear(grad)
	if err := r.backward(m, labels, grad, &st); err != nil {
		return st, err
	}
	return st, nil
}

// LogLikelihood writes log p(x) for each sample of x (n x D) into out
// (n), scoring by the whole base (the mixture for a GMM base). For
// dequantised data it is the log-density of the dequantised point scaled to
// [0, 1)^D; BitsPerDim converts it.
func (m *Model) LogLikelihood(x []float64, rng *rand.Rand, out []float64) (LossStats, error) {
	return m.logLikelihood(x, -1, rng, out)
}

// ComponentLogLikelihood is LogLikelihood under base component k alone:
// log p(x | k), the density of the flow with the base N(mu_k, I) (the
// class-conditional density of a GMM base; for a Gaussian base, k = 0,
// the same as LogLikelihood).
func (m *Model) ComponentLogLikelihood(x []float64, k int, rng *rand.Rand, out []float64) (LossStats, error) {
	if k < 0 || k >= m.base.k {
		return LossStats{}, fmt.Errorf("cnf: component %d is outside the base's components 0..%d", k, m.base.k-1)
	}
	return m.logLikelihood(x, k, rng, out)
}

// logLikelihood writes log p(x) under the whole base (k = -1) or log
// p(x | k) under component k into out.
func (m *Model) logLikelihood(x []float64, k int, rng *rand.Rand, out []float64) (LossStats, error) {
	var st LossStats
	n, err := m.batch(x)
	if err != nil {
		return st, err
	}
	if len(out) != n {
		return st, fmt.Errorf("cnf: output has length %d, want %d", len(out), n)
	}
	r, err := m.run(n, modeEval)
	if err != nil {
		return st, err
	}
	var labels []int
	if k >= 0 {
		labels = make([]int, n)
		for i := range labels {
			labels[i] = k
		}
	}
	if err := r.forward(m, x, labels, rng, false, &st); err != nil {
		return st, err
	}
	copy(out, r.logpx)
	if k >= 0 {
		// The base scored each point by log w_k + log N(z; mu_k, I).
		for i := range out {
			out[i] -= m.base.logw[k]
		}
	}
	return st, nil
}

// Sample draws n points into out (n x D): from base component class, or
// from the whole base when class is -1, integrated from T1 back to 0 and
// mapped back to data units (for 8-bit images, values in [0, 256)).
func (m *Model) Sample(n, class int, rng *rand.Rand, out []float64) error {
	if n < 1 {
		return fmt.Errorf("cnf: sample count %d, want positive", n)
	}
	if len(out) != n*m.d {
		return fmt.Errorf("cnf: output has length %d, want %d", len(out), n*m.d)
	}
	if class < -1 || class >= m.base.k {
		return fmt.Errorf("cnf: class %d is outside the base's components 0..%d (or -1 for all)", class, m.base.k-1)
	}
	r, err := m.run(n, modeSample)
	if err != nil {
		return err
	}
	m.base.sample(class, rng, out)
	t1 := m.cfg.Solver.T1
	for b := len(r.flows) - 1; b >= 0; b-- {
		if _, err := r.solvers[b].Solve(r.flows[b], t1, out, 0, out); err != nil {
			return fmt.Errorf("cnf: sample: block %d: %w", b, err)
		}
	}
	m.cfg.Preprocess.invert(out)
	for _, v := range out {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return errors.New("cnf: sample: non-finite value in the result")
		}
	}
	return nil
}
