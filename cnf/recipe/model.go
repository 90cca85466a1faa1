package recipe

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/mmcnf/mmcnf/cnf"
	"github.com/mmcnf/mmcnf/cnf/data"
	"github.com/mmcnf/mmcnf/internal/streams"
)

// Score holds the log-likelihood (nats) and bits/dim of every point of one
// split, with the points' class labels, and the function evaluations of
// the solves that scored them.
type Score struct {
	Split string
	// InDistribution is true for the test split (or a file's points),
	// false for out-of-distribution splits.
	InDistribution bool
	Labels         []int
	LogP           []float64
	BitsPerDim     []float64
	// NFE counts the evaluations of the dynamics over the split's Solves
	// forward solves, one per chunk of at most batch points.
	NFE, Solves int
}

// Evaluate scores the model on the splits of set it is judged on: the test
// split (for a file of points, its only split) and every out-of-distribution
// split, skipping empty ones. It solves batch points at a time, by the whole
// base (the mixture for a GMM base), with the dequantisation and trace
// noise drawn from seed. A batch whose solves, with the scores, need more
// memory than the machine has is refused first (a SettingError). When ctx
// ends, Evaluate stops before the next solve and returns ctx's error.
func Evaluate(ctx context.Context, m *cnf.Model, set *data.Set, batch int, seed uint64) ([]Score, error) {
	if err := positiveInt("batch", batch); err != nil {
		return nil, err
	}
	splits := []data.Split{set.Test}
	if data.IsPointFile(set.Name) {
		splits = []data.Split{set.Train}
	}
	splits = append(splits, set.OOD...)
	largest, points := 0, 0
	for _, s := range splits {
		if s.N > 0 && s.Dim != m.D() {
			return nil, settingErrorf("data", "%s: split %s has %d values per point, the model %d", set.Name, s.Name, s.Dim, m.D())
		}
		largest, points = max(largest, s.N), points+s.N
	}
	e, err := modelEstimate(m, cnf.Workload{Eval: min(batch, largest)}, batch)
	if err != nil {
		return nil, err
	}
	e.loadedData(set)
	e.add("scores", float64(points)*scoreBytes, size{setting: "data", value: set.Name})
	if err := e.check(); err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(seed, streams.Eval))
	var out []Score
	for i, s := range splits {
		if s.N == 0 {
			continue
		}
		// A solve at a time, the chunks of LogLikelihoods (the same noise
		// in the same order), to stop between them.
		logp, nfe, d := make([]float64, s.N), 0, m.D()
		for lo := 0; lo < s.N; lo += batch {
			if err := ctx.Err(); err != nil {
				return nil, fmt.Errorf("split %s: %w", s.Name, err)
			}
			hi := min(s.N, lo+batch)
			st, err := m.LogLikelihood(s.X[lo*d:hi*d], rng, logp[lo:hi])
			if err != nil {
				return nil, fmt.Errorf("split %s: points %d to %d: %w", s.Name, lo, hi-1, err)
			}
			nfe += st.NFEForward
		}
		sc := Score{Split: s.Name, InDistribution: i == 0, Labels: s.Labels, LogP: logp,
			BitsPerDim: make([]float64, len(logp)), NFE: nfe, Solves: (len(logp) + batch - 1) / batch}
		for j, l := range logp {
			sc.BitsPerDim[j] = m.BitsPerDim(l)
		}
		out = append(out, sc)
	}
	return out, nil
}

// DefaultEvalBatch and DefaultEvalSeed score a model whose run is not known.
const (
	DefaultEvalBatch = 1000
	DefaultEvalSeed  = 1
)

// EvalDefaults returns the points per solve and the seed with which a
// model is scored when nothing else is asked: those its run (nil when
// unknown) evaluated with, its EvalBatch and training seed, so that
// scoring a model again repeats the numbers of its run (a study's unit
// records them), or DefaultEvalBatch and DefaultEvalSeed. The points per
// solve matter beyond the noise: an adaptive solve controls its steps over
// the whole batch.
func EvalDefaults(run *Options) (batch int, seed uint64) {
	if run == nil || run.EvalBatch <= 0 {
		return DefaultEvalBatch, DefaultEvalSeed
	}
	return run.EvalBatch, run.Train.Seed
}

// Component maps a class of the data to the model's base component: the
// class's position among the training classes that run, the options of
// the run that trained the model, records in ascending order; without
// them (nil, or a record of another number of classes) the classes are
// taken as 0..k-1 for the k components. -1 stands for the whole base. A
// Gaussian base has no component of its own for any class.
func Component(class int, cfg cnf.Config, run *Options) (int, error) {
	if class == -1 {
		return -1, nil
	}
	if class < 0 {
		return 0, settingErrorf("class", "must be -1 or a class, got %d", class)
	}
	if cfg.Base.Kind != cnf.BaseGMM {
		return 0, settingErrorf("class", "%d: the model's base is one Gaussian for all its classes; class-conditional samples need a gmm base", class)
	}
	k := cfg.Components()
	if run != nil && len(run.Data.Classes) == k {
		classes := slices.Sorted(slices.Values(run.Data.Classes))
		if i := slices.Index(classes, class); i >= 0 {
			return i, nil
		}
		return 0, settingErrorf("class", "%d: the model was trained on the classes %s of %s, one base component each", class, Ints(classes), run.Data.Name)
	}
	if class >= k {
		return 0, settingErrorf("class", "%d out of range: the model records no classes of its %d base components, which then stand for the classes 0..%d", class, k, k-1)
	}
	return class, nil
}

// Sample draws n points from the model into a new slice (n x D): from base
// component (-1: the whole base), batch points per solve, with the base
// draws seeded by seed. Samples or a batch that need more memory than the
// machine has are refused first (a SettingError naming n or batch).
func Sample(m *cnf.Model, n, component, batch int, seed uint64) ([]float64, error) {
	if err := positiveInt("n", n); err != nil {
		return nil, err
	}
	if err := positiveInt("batch", batch); err != nil {
		return nil, err
	}
	if err := checkSamples(m, n, 1, batch); err != nil {
		return nil, err
	}
	return sample(m, n, component, batch, rand.New(rand.NewPCG(seed, streams.Sample)))
}

// SampleByComponent draws n points (n x D) from each base component in
// turn, as Sample does with one generator seeded by seed: for a GMM base
// its class-conditional samples.
func SampleByComponent(m *cnf.Model, n, batch int, seed uint64) ([][]float64, error) {
	if err := positiveInt("n", n); err != nil {
		return nil, err
	}
	if err := positiveInt("batch", batch); err != nil {
		return nil, err
	}
	cfg := m.Config()
	if err := checkSamples(m, n, cfg.Components(), batch); err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(seed, streams.Sample))
	out := make([][]float64, cfg.Components())
	for k := range out {
		x, err := sample(m, n, k, batch, rng)
		if err != nil {
			return nil, fmt.Errorf("component %d: %w", k, err)
		}
		out[k] = x
	}
	return out, nil
}

// checkSamples refuses n samples of m from each of k components, batch
// per solve, when they need more memory than the machine has (a
// SettingError naming n or batch).
func checkSamples(m *cnf.Model, n, k, batch int) error {
	e, err := modelEstimate(m, cnf.Workload{Sample: min(batch, n)}, batch)
	if err != nil {
		return err
	}
	e.add("samples", float64(k)*float64(n)*float64(m.D())*sampleBytes, sized("n", n, float64(n), DefaultSamples))
	return e.check()
}

// sample draws n points from base component (-1: the whole base), batch
// points per solve, from rng.
func sample(m *cnf.Model, n, component, batch int, rng *rand.Rand) ([]float64, error) {
	d := m.D()
	x := make([]float64, n*d)
	for lo := 0; lo < n; lo += batch {
		hi := min(n, lo+batch)
		if err := m.Sample(hi-lo, component, rng, x[lo*d:hi*d]); err != nil {
			return nil, fmt.Errorf("samples %d to %d: %w", lo, hi-1, err)
		}
	}
	return x, nil
}

// LogDensityGrid evaluates the log-density of a model of 2-D points at
// cols x rows points evenly spaced over [x0, x1] x [y0, y1]: logp[i][j] at
// (x[j], y[i]), under the whole base (component -1) or base component k
// alone (see cnf.Model.ComponentLogLikelihood), batch points per solve,
// any noise drawn from rng.
func LogDensityGrid(m *cnf.Model, component int, x0, x1, y0, y1 float64, cols, rows, batch int, rng *rand.Rand) (x, y []float64, logp [][]float64, err error) {
	if m.D() != 2 {
		return nil, nil, nil, fmt.Errorf("density grid: the model has %d dimensions, not 2", m.D())
	}
	if cols < 2 || rows < 2 || !(x1 > x0) || !(y1 > y0) {
		return nil, nil, nil, fmt.Errorf("density grid: %d x %d points over [%g, %g] x [%g, %g]", cols, rows, x0, x1, y0, y1)
	}
	x, y = make([]float64, cols), make([]float64, rows)
	for j := range x {
		x[j] = x0 + (x1-x0)*float64(j)/float64(cols-1)
	}
	for i := range y {
		y[i] = y0 + (y1-y0)*float64(i)/float64(rows-1)
	}
	pts := make([]float64, 0, 2*cols*rows)
	for _, yi := range y {
		for _, xj := range x {
			pts = append(pts, xj, yi)
		}
	}
	var flat []float64
	if component < 0 {
		flat, _, err = m.LogLikelihoods(pts, batch, rng, nil)
	} else {
		flat, _, err = m.ComponentLogLikelihoods(pts, component, batch, rng, nil)
	}
	if err != nil {
		return nil, nil, nil, fmt.Errorf("density grid: %w", err)
	}
	logp = make([][]float64, rows)
	for i := range logp {
		logp[i] = flat[i*cols : (i+1)*cols]
	}
	return x, y, logp, nil
}
