package experiment

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/mmcnf/mmcnf/cnf"
	"github.com/mmcnf/mmcnf/cnf/data"
	"github.com/mmcnf/mmcnf/cnf/figure"
	"github.com/mmcnf/mmcnf/cnf/metrics"
	"github.com/mmcnf/mmcnf/cnf/recipe"
	"github.com/mmcnf/mmcnf/cnf/train"
	"github.com/mmcnf/mmcnf/internal/streams"
)

// evalBatch is the number of points scored per solve at evaluation.
const evalBatch = 500

// heldoutMax caps the held-out points scored at each periodic evaluation
// during training; the final evaluation scores every set in full.
const heldoutMax = 500

// CNF is the Backend that trains flows of package cnf with cnf/train on the
// datasets of cnf/data.
type CNF struct {
	// DataDir holds MNIST and FashionMNIST (empty: data's default cache).
	DataDir string
	// OnIteration, if not nil, is called after every training iteration;
	// otherwise progress is printed as a line every tenth of the run.
	OnIteration func(u Unit, p train.Progress)
}

// evalSet is one evaluation set of a unit: the points of one split of the
// unit's data (see recipe.Evaluate), or those of one class of it.
type evalSet struct {
	name   string
	inDist bool
	split  string // the split's name
	class  int    // the class of the split's points that belong to the set, -1 for all
}

// evalSets are the evaluation sets of a unit's data: those the study
// reports, each non-empty.
func evalSets(st *Study, set *data.Set) ([]evalSet, error) {
	out := st.evalSets(set)
	if len(out) == 0 {
		return nil, fmt.Errorf("study %s has no evaluation sets", st.Name)
	}
	return out, nil
}

// bitsPerDim returns the bits/dim of the points of e among the scores of
// the unit's data, in their order in the split.
func (e evalSet) bitsPerDim(scores []recipe.Score) ([]float64, error) {
	for _, sc := range scores {
		if sc.Split != e.split {
			continue
		}
		var out []float64
		for i, b := range sc.BitsPerDim {
			if e.class < 0 || sc.Labels[i] == e.class {
				out = append(out, b)
			}
		}
		if len(out) == 0 {
			break
		}
		return out, nil
	}
	return nil, fmt.Errorf("evaluation set %q is empty", e.name)
}

// options are the recipe's options of the unit's training run with the
// unit's settings s: HyperPlanar with the exact trace for the moons,
// ConcatConv with Hutchinson's estimator for images, the base at the class
// means (GMM) or the data's mean (standard), and the held-out evaluation
// during training capped at heldoutMax points.
func (s Settings) options(st *Study, u Unit, dataDir string) recipe.Options {
	o := recipe.Defaults()
	o.Data = recipe.DataOptions{Name: st.datasetName(), Classes: slices.Clone(u.TrainSet.Classes), PerClass: s.TrainPerClass,
		TestPerClass: s.EvalPerSet, Seed: uint64(u.Seed), Dir: dataDir, Moons: s.Moons}
	o.Base, o.BaseMean, o.LearnBase = cnf.BaseGaussian, recipe.MeanData, s.LearnBase
	if u.Base == BaseGMM {
		o.Base = cnf.BaseGMM
	}
	if st.Image {
		o.Dynamics, o.Dims, o.WeightNorm = cnf.ConcatConv, slices.Clone(s.Hidden), s.WeightNorm
	} else {
		o.Dynamics, o.Hidden, o.Width = cnf.HyperPlanar, s.Hidden[0], s.Width
	}
	o.Solver = s.Solver
	if s.Steps > 0 {
		o.Steps = s.Steps
	} else {
		o.RTol, o.ATol = s.RTol, s.ATol
	}
	o.Grad = s.grad()
	o.Trace = cnf.TraceExact
	if s.Trace == "hutchinson" {
		o.Trace = cnf.TraceRademacher
	}
	o.EvalBatch, o.HeldoutMax, o.Threads = evalBatch, heldoutMax, s.Threads
	o.Train = train.Config{Iters: s.Iters, Batch: s.Batch, Adam: train.DefaultAdam(),
		EvalEvery: s.evalEvery(), CheckpointEvery: s.CheckpointEvery, Seed: uint64(u.Seed)}
	o.Train.Adam.LR = s.LR
	if s.Anneal {
		o.Train.Adam.Anneal = s.Iters
	}
	return o
}

// Prepare loads the data of every training set of the study (seed 0), so
// that missing data shows before any unit runs, and builds the study's
// feature classifier, if it has one. Like a unit's evaluation, the
// classifier stops when ctx is cancelled, not when its deadline passes.
func (b *CNF) Prepare(ctx context.Context, st *Study, s Settings, out string, progress io.Writer) error {
	if err := b.CheckData(st, s, progress); err != nil {
		return err
	}
	if st.classifier == "" {
		return nil
	}
	cctx, release := cancelledOnly(ctx)
	defer release()
	if _, _, err := featureClassifier(cctx, st, s, out, b.DataDir, progress); err != nil {
		if cctx.Err() != nil {
			return interrupted("training the feature classifier")
		}
		return err
	}
	return nil
}

// CheckData loads the data of each of the study's training sets, as its
// units load it, and says on progress how many points each has; it
// writes nothing. Its failures are those of recipe.LoadData.
func (b *CNF) CheckData(st *Study, s Settings, progress io.Writer) error {
	for _, ts := range st.TrainSets {
		u := Unit{Study: st.Name, TrainSet: ts, Base: BaseStandard}
		set, err := recipe.LoadData(u.Settings(s).options(st, u, b.DataDir).Data)
		if err != nil {
			return fmt.Errorf("%s: %w", ts.Name, err)
		}
		fmt.Fprintf(progress, "  %s %s: %d training and %d test points\n", st.Name, ts.Name, set.Train.N, set.Test.N)
	}
	return nil
}

// RunUnit trains, evaluates and samples one unit.
func (b *CNF) RunUnit(ctx context.Context, st *Study, s Settings, u Unit, out, samplesPath string, progress io.Writer) (*RunResult, error) {
	modelDir := filepath.Join(u.Dir(out), ModelDir)
	opts := s.options(st, u, b.DataDir)
	var ckpt *train.Checkpoint
	if train.HasCheckpoint(modelDir) {
		var err error
		if ckpt, err = train.ReadCheckpoint(modelDir); err != nil {
			return nil, err
		}
		if err := sameRun(ckpt.Meta, opts); err != nil {
			return nil, fmt.Errorf("%s: %w; run with the settings it started with, or use another --out", modelDir, err)
		}
		fmt.Fprintf(progress, "  resuming from iteration %d\n", ckpt.Iteration)
	}
	tenth := max(1, s.Iters/10)
	t, err := recipe.Train(ctx, modelDir, opts, ckpt, func(p train.Progress) {
		if b.OnIteration != nil {
			b.OnIteration(u, p)
		} else if p.Iteration%tenth == 0 || p.Iteration == p.Iters {
			fmt.Fprintf(progress, "  iteration %d/%d: bits/dim %.4f, NFE %d\n",
				p.Iteration, p.Iters, p.Stats.BitsPerDim, p.Stats.NFEForward)
		}
	})
	if err != nil {
		return nil, err
	}
	model, set, res := t.Model, t.Set, t.Result
	r := &RunResult{Iterations: res.Iteration, TrainSeconds: res.Seconds, FinalLoss: res.Last.TrainLoss}
	log, err := train.ReadLog(modelDir)
	if err != nil {
		return nil, err
	}
	if r.NFEForward, r.NFEBackward, err = meanNFE(log); err != nil {
		return nil, err
	}
	for _, rec := range log {
		r.Curve = append(r.Curve, CurvePoint{Iteration: rec.Iteration, BitsPerDim: rec.HeldoutBPD, NFEForward: rec.NFEForward})
	}
	// The configuration saved with the final weights: a unit resumed from
	// its checkpoint reads that back, so a fresh one records it too.
	js, err := os.ReadFile(filepath.Join(modelDir, cnf.ConfigFile))
	if err != nil {
		return nil, err
	}
	var saved bytes.Buffer
	if err := json.Compact(&saved, js); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(modelDir, cnf.ConfigFile), err)
	}
	r.Model = saved.Bytes()
	// The evaluation, the samples and their quality take minutes for an
	// image unit. A cancellation (SIGINT, SIGTERM) stops them between
	// solves; the trained model is kept and the next run evaluates it
	// again from the start. ctx's deadline does not: it bounds training,
	// and --max-time leaves a margin for the evaluation after it.
	ectx, release := cancelledOnly(ctx)
	defer release()
	orStopped := func(err error) error {
		if ectx.Err() != nil {
			return interrupted("evaluating; the trained model in " + modelDir + " is kept, and the next run evaluates it")
		}
		return err
	}
	start := time.Now()
	if err := evaluate(ectx, model, st, set, s, &t.Options, r); err != nil {
		return nil, orStopped(err)
	}
	smp, err := drawSamples(ectx, model, st, u, s)
	if err != nil {
		return nil, orStopped(err)
	}
	if err := writeSamples(samplesPath, smp); err != nil {
		return nil, err
	}
	if st.Image {
		if err := b.quality(ectx, st, s, u, out, set, smp, r, progress); err != nil {
			return nil, orStopped(err)
		}
	}
	r.EvalSeconds = time.Since(start).Seconds()
	fmt.Fprintf(progress, "  trained in %.1f s, evaluated in %.1f s; in-distribution bits/dim %s\n",
		r.TrainSeconds, r.EvalSeconds, inDistLine(r))
	return r, nil
}

// cancelledOnly returns a context that ends when ctx is cancelled but not
// when ctx's deadline passes, and the function that releases it.
func cancelledOnly(ctx context.Context) (context.Context, context.CancelFunc) {
	c, cancel := context.WithCancel(context.WithoutCancel(ctx))
	follow := func() {
		if !errors.Is(ctx.Err(), context.DeadlineExceeded) {
			cancel()
		}
	}
	if ctx.Err() != nil {
		follow()
		return c, cancel
	}
	stop := context.AfterFunc(ctx, follow)
	return c, func() { stop(); cancel() }
}

// inDistLine lists the in-distribution sets' bits/dim of r.
func inDistLine(r *RunResult) string {
	var parts []string
	for _, s := range r.Sets {
		if s.InDistribution {
			parts = append(parts, fmt.Sprintf("%s %.3f", s.Name, s.BitsPerDim))
		}
	}
	return fmt.Sprint(parts)
}

// meanNFE returns the mean forward and backward function evaluations per
// iteration over the whole run from its training log.
func meanNFE(log []train.LogRecord) (fwd, bwd float64, err error) {
	prev, iters := 0, 0
	for _, rec := range log {
		n := rec.Iteration - prev
		prev = rec.Iteration
		if n <= 0 {
			continue
		}
		fwd += rec.NFEForward * float64(n)
		bwd += (rec.NFEBackward + rec.VJPBackward) * float64(n)
		iters += n
	}
	if iters == 0 {
		return 0, 0, errors.New("training log has no training steps")
	}
	return fwd / float64(iters), bwd / float64(iters), nil
}

// trueScores scores the splits of set that recipe.Evaluate scores under
// the density the data was drawn from, for the moons (of the shape of s,
// the training classes weighted equally), and returns nil for data whose
// density is unknown.
func trueScores(set *data.Set, s Settings) ([]recipe.Score, error) {
	if set.Name != "moons" || set.Dim != 2 {
		return nil, nil
	}
	var out []recipe.Score
	for _, sp := range append([]data.Split{set.Test}, set.OOD...) {
		logp, err := s.Moons.LogDensity(sp.X, set.Classes)
		if err != nil {
			return nil, fmt.Errorf("true density of %s: %w", sp.Name, err)
		}
		sc := recipe.Score{Split: sp.Name, Labels: sp.Labels, LogP: logp, BitsPerDim: make([]float64, len(logp))}
		for i, l := range logp {
			sc.BitsPerDim[i] = -l / (float64(set.Dim) * math.Ln2)
		}
		out = append(out, sc)
	}
	return out, nil
}

// evaluate scores the unit's data as `mmcnf eval` scores its model
// directory with no flags (recipe.Evaluate, with the batch and seed of
// recipe.EvalDefaults for the run's options o), and fills r.Sets with the
// mean bits/dim of each evaluation set and, for out-of-distribution sets,
// the AUROC against the pooled in-distribution sets; where the data's
// density is known (the moons, of the shape of the unit's settings s), the
// same for that density.
func evaluate(ctx context.Context, m *cnf.Model, st *Study, set *data.Set, s Settings, o *recipe.Options, r *RunResult) error {
	sets, err := evalSets(st, set)
	if err != nil {
		return err
	}
	batch, seed := recipe.EvalDefaults(o)
	scores, err := recipe.Evaluate(ctx, m, set, batch, seed)
	if err != nil {
		return fmt.Errorf("evaluate: %w", err)
	}
	var nfe, solves int
	for _, sc := range scores {
		nfe += sc.NFE
		solves += sc.Solves
	}
	r.EvalNFE = float64(nfe) / float64(solves)
	truth, err := trueScores(set, s)
	if err != nil {
		return err
	}
	per := make([][]float64, len(sets))
	trueBPD := make([][]float64, len(sets))
	for i, e := range sets {
		if per[i], err = e.bitsPerDim(scores); err != nil {
			return err
		}
		if truth != nil {
			if trueBPD[i], err = e.bitsPerDim(truth); err != nil {
				return fmt.Errorf("true density: %w", err)
			}
		}
	}
	pooled := func(scores [][]float64) []float64 {
		var in []float64
		for i, e := range sets {
			if e.inDist {
				in = append(in, scores[i]...)
			}
		}
		return in
	}
	in, trueIn := pooled(per), pooled(trueBPD)
	for i, e := range sets {
		st, err := metrics.Summarise(per[i])
		if err != nil {
			return fmt.Errorf("bits/dim of %s: %w", e.name, err)
		}
		sr := SetResult{Name: e.name, InDistribution: e.inDist, N: len(per[i]), BitsPerDim: st.Mean, BitsPerDimStd: st.Std}
		if !e.inDist {
			a, err := metrics.AUROC(in, per[i])
			if err != nil {
				return fmt.Errorf("%s: %w", e.name, err)
			}
			sr.AUROC = &a
		}
		if trueBPD[i] != nil {
			ts, err := metrics.Summarise(trueBPD[i])
			if err != nil {
				return fmt.Errorf("true bits/dim of %s: %w", e.name, err)
			}
			sr.TrueBitsPerDim = &ts.Mean
			if !e.inDist {
				a, err := metrics.AUROC(trueIn, trueBPD[i])
				if err != nil {
					return fmt.Errorf("%s: true density: %w", e.name, err)
				}
				sr.TrueAUROC = &a
			}
		}
		r.Sets = append(r.Sets, sr)
	}
	return nil
}

// Density grid of the moons figures: the plane [-4, 4] x [-3.6, 3.6].
const (
	densityCols = 120
	densityRows = 108
	densityX    = 4.0
	densityY    = 3.6
)

// drawSamples draws the unit's samples: unconditional ones, per component
// for the GMM base, and the density grid for 2-D data. When ctx ends it
// stops before the next draw and returns ctx's error.
func drawSamples(ctx context.Context, m *cnf.Model, st *Study, u Unit, s Settings) (*Samples, error) {
	rng := rand.New(rand.NewPCG(uint64(u.Seed), streams.StudySample))
	cfg := m.Config()
	d := m.D()
	scale := 1.0
	if st.Image {
		scale = 1.0 / 256
	}
	draw := func(n, class int) ([][]float64, error) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		out := make([]float64, n*d)
		if err := m.Sample(n, class, rng, out); err != nil {
			return nil, err
		}
		rows := make([][]float64, n)
		for i := range rows {
			rows[i] = make([]float64, d)
			for j := range d {
				rows[i][j] = out[i*d+j] * scale
			}
		}
		return rows, nil
	}
	smp := &Samples{Shape: cfg.Shape}
	var err error
	if smp.Unconditional, err = draw(s.Samples, -1); err != nil {
		return nil, fmt.Errorf("sample: %w", err)
	}
	if u.Base == BaseGMM {
		for j, c := range u.TrainSet.Classes {
			rows, err := draw(s.classSamples(), j)
			if err != nil {
				return nil, fmt.Errorf("sample class %d: %w", c, err)
			}
			smp.Classes = append(smp.Classes, c)
			smp.ByClass = append(smp.ByClass, rows)
		}
	}
	if !st.Image && d == 2 {
		x, y, logp, err := recipe.LogDensityGrid(m, -1, -densityX, densityX, -densityY, densityY, densityCols, densityRows, evalBatch, rng)
		if err != nil {
			return nil, err
		}
		smp.Density = &figure.Grid{X: x, Y: y, Z: logp}
	}
	return smp, nil
}
