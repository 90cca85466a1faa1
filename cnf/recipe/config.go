package recipe

import (
	"fmt"
	"math"
	"slices"

	"github.com/mmcnf/mmcnf/cnf"
	"github.com/mmcnf/mmcnf/cnf/data"
	"github.com/mmcnf/mmcnf/cnf/train"
)

// dynamicsFor resolves Options.Dynamics: Auto picks ConcatConv for images,
// HyperPlanar for 2-D points and ConcatMLP for other points.
func dynamicsFor(kind string, set *data.Set) string {
	if kind != Auto {
		return kind
	}
	switch {
	case set.Image:
		return cnf.ConcatConv
	case set.Dim == 2:
		return cnf.HyperPlanar
	}
	return cnf.ConcatMLP
}

// shapeOf is the shape of one point of set.
func shapeOf(set *data.Set) []int {
	if set.Image {
		return []int{1, data.ImageSide, data.ImageSide}
	}
	return []int{set.Dim}
}

// Config returns the flow that o trains on set, whose training points tr
// are labelled with base components 0..k-1 (see Components): the
// dynamics and its sizes, the solver, the trace (Auto leaves it to cnf's
// default, exact for points and Rademacher noise for the convolutional
// dynamics of images), the preprocessing of 8-bit images (dequantisation
// and the logit transform) and the base, whose means are class means (GMM)
// or the data's mean (a Gaussian at MeanData) in the flow's space.
func (o *Options) Config(set *data.Set, tr train.Dataset, k int) cnf.Config {
	dyn := dynamicsFor(o.Dynamics, set)
	cfg := cnf.Config{
		Shape:    shapeOf(set),
		Dynamics: cnf.DynamicsConfig{Kind: dyn, WeightNorm: o.WeightNorm},
		Blocks:   o.Blocks,
		Base:     cnf.BaseConfig{Kind: o.Base, Learnable: o.LearnBase},
		Solver: cnf.SolverConfig{
			Method: o.Solver, RTol: o.RTol, ATol: o.ATol, T1: o.T1, Interpolate: o.Interpolate, Gradient: o.Grad,
		},
		Preprocess: cnf.PreprocessConfig{Dequantize: set.Image, Logit: set.Image},
		Regularize: cnf.RegularizeConfig{Kinetic: o.Kinetic, Jacobian: o.Jacobian},
	}
	if o.Trace != Auto {
		cfg.Trace = o.Trace
	}
	if dyn == cnf.HyperPlanar {
		cfg.Dynamics.Hidden, cfg.Dynamics.Width = o.Hidden, o.Width
	} else {
		cfg.Dynamics.Dims = slices.Clone(o.Dims)
	}
	if fixed, _ := cnf.MethodNames(); slices.Contains(fixed, o.Solver) {
		cfg.Solver.Steps = o.Steps
	}
	x := tr.X
	if set.Image {
		cfg.Preprocess.Alpha = cnf.DefaultAlpha
		x = flowSpace(x, cfg.Preprocess.Alpha)
	}
	switch {
	case o.Base == cnf.BaseGMM:
		cfg.Base.Means = classMeans(x, tr.Labels, tr.Dim, k)
	case o.BaseMean == MeanData:
		cfg.Base.Means = classMeans(x, make([]int, tr.Len()), tr.Dim, 1)
	}
	return cfg
}

// flowSpace maps 8-bit pixel values to the space the flow sees, taking the
// dequantisation noise at its mean 1/2: logit(alpha + (1 - 2 alpha)(x + 1/2)/256).
// The base means of image models are means of these values.
func flowSpace(x []float64, alpha float64) []float64 {
	out := make([]float64, len(x))
	for i, v := range x {
		p := alpha + (1-2*alpha)*(v+0.5)/256
		out[i] = math.Log(p) - math.Log1p(-p)
	}
	return out
}

// classMeans returns the mean point (d values each) of each label 0..k-1
// of the points x.
func classMeans(x []float64, labels []int, d, k int) [][]float64 {
	means := make([][]float64, k)
	counts := make([]int, k)
	for i := range means {
		means[i] = make([]float64, d)
	}
	for i, l := range labels {
		counts[l]++
		for j := range d {
			means[l][j] += x[i*d+j]
		}
	}
	for i := range means {
		for j := range means[i] {
			means[i][j] /= float64(counts[i])
		}
	}
	return means
}

// components maps class labels to base components: the position of each
// label in classes, the training classes in ascending order.
func components(labels, classes []int) ([]int, error) {
	out := make([]int, len(labels))
	for i, l := range labels {
		j := slices.Index(classes, l)
		if j < 0 {
			return nil, fmt.Errorf("label %d of point %d is not a training class %v", l, i, classes)
		}
		out[i] = j
	}
	return out, nil
}

// heldout returns the test points that the training loop evaluates: all of
// them, or about limit (> 0) of them spread evenly over the split so that every
// class is present.
func heldout(s data.Split, limit int) data.Split {
	if limit <= 0 || s.N/limit <= 1 {
		return s
	}
	step := s.N / limit
	out := data.Split{Name: s.Name, Dim: s.Dim}
	for i := 0; i < s.N; i += step {
		out.X = append(out.X, s.X[i*s.Dim:(i+1)*s.Dim]...)
		out.Labels = append(out.Labels, s.Labels[i])
		out.N++
	}
	return out
}
