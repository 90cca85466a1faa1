package experiment

import (
	"fmt"
	"io"
	"path/filepath"
	"slices"

	"github.com/mmcnf/mmcnf/cnf/figure"
	"github.com/mmcnf/mmcnf/cnf/metrics"
)

// Convergence criterion: a training set and base has stopped improving
// when its held-out bits/dim, mean over seeds, improved by less than
// convergenceTol over the last convergenceTail of the iterations.
const (
	convergenceTail = 0.2
	convergenceTol  = 0.01
)

// tailImprovement is how much a run's held-out bits/dim fell over the
// last convergenceTail of training: the value at the last evaluation at
// or before (1 - convergenceTail) of the iterations minus the final one
// (negative when it rose). False when the curve has no such point.
func tailImprovement(x *RunResult) (float64, bool) {
	if len(x.Curve) < 2 {
		return 0, false
	}
	last := x.Curve[len(x.Curve)-1]
	cut := float64(last.Iteration) * (1 - convergenceTail)
	k := -1
	for i, p := range x.Curve {
		if float64(p.Iteration) <= cut {
			k = i
		}
	}
	if k < 0 || x.Curve[k].Iteration == last.Iteration {
		return 0, false
	}
	return x.Curve[k].BitsPerDim - last.BitsPerDim, true
}

// curve is the held-out bits/dim of (ts, base) over seeds at each
// iteration every seed evaluated at.
type curve struct {
	iters     []float64
	mean, std []float64
}

// curveOf summarises the curves of the runs of (ts, base) over seeds.
func curveOf(r *Results, ts, base string) (curve, error) {
	per := map[int][]float64{}
	seeds := 0
	for i := range r.Runs {
		x := &r.Runs[i]
		if x.TrainSet != ts || x.Base != base || len(x.Curve) == 0 {
			continue
		}
		seeds++
		for _, p := range x.Curve {
			per[p.Iteration] = append(per[p.Iteration], p.BitsPerDim)
		}
	}
	var its []int
	for it, v := range per {
		if len(v) == seeds {
			its = append(its, it)
		}
	}
	slices.Sort(its)
	var c curve
	for _, it := range its {
		s, err := metrics.Summarise(per[it])
		if err != nil {
			return c, fmt.Errorf("held-out bits/dim at iteration %d: %w", it, err)
		}
		c.iters, c.mean, c.std = append(c.iters, float64(it)), append(c.mean, s.Mean), append(c.std, s.Std)
	}
	return c, nil
}

// trueInDist is the mean over seeds of the bits/dim that the data's own
// density gives the in-distribution test sets of (ts, base); false where
// it is unknown.
func trueInDist(r *Results, ts, base string) (float64, bool) {
	m := seedValues(r, ts, base, func(x *RunResult) (float64, bool) {
		var sum float64
		var n int
		for _, s := range x.Sets {
			if s.InDistribution {
				if s.TrueBitsPerDim == nil {
					return 0, false
				}
				sum += *s.TrueBitsPerDim * float64(s.N)
				n += s.N
			}
		}
		return sum / float64(n), n > 0
	})
	if len(m) == 0 {
		return 0, false
	}
	return mean(bySeed(m)), true
}

// convergenceTable writes, per training set and base, the held-out
// bits/dim at the start of the last fifth of training and at its end, the
// improvement in between, and whether every seed stopped improving.
func convergenceTable(w io.Writer, r *Results) {
	header := []string{"training set", "base", "iterations", "held-out bits/dim at 80 %", "at the end", "improvement over the last 20 %", "largest of a seed", "stopped improving", "data's own density"}
	var rows [][]string
	for _, g := range groups(r.Runs) {
		var before, after, imp []float64
		iters := 0
		for i := range r.Runs {
			x := &r.Runs[i]
			if x.TrainSet != g.trainSet || x.Base != g.base {
				continue
			}
			d, ok := tailImprovement(x)
			if !ok {
				continue
			}
			last := x.Curve[len(x.Curve)-1]
			before, after, imp = append(before, last.BitsPerDim+d), append(after, last.BitsPerDim), append(imp, d)
			iters = last.Iteration
		}
		if len(imp) == 0 {
			continue
		}
		sb, _ := metrics.Summarise(before)
		sa, _ := metrics.Summarise(after)
		si, _ := metrics.Summarise(imp)
		stopped := "yes"
		if si.Mean >= convergenceTol {
			stopped = "no"
		}
		truth := "–"
		if v, ok := trueInDist(r, g.trainSet, g.base); ok {
			truth = fmt.Sprintf("%.3f", v)
		}
		rows = append(rows, []string{g.trainSet, g.base, fmt.Sprint(iters), pm(sb, 3), pm(sa, 3), pm(si, 3),
			fmt.Sprintf("%.3f", slices.Max(imp)), stopped, truth})
	}
	if len(rows) == 0 {
		return
	}
	fmt.Fprintf(w, "Convergence: held-out bits/dim during training (mean ± std over seeds; the held-out points are up to %d test points of the training classes). A training set and base has stopped improving when its held-out bits/dim, mean over seeds, fell by less than %g over the last %g %% of the iterations (the largest fall of a single seed is beside it); the last column is what the data's own density scores on the test points, the floor a model can approach.\n\n",
		heldoutMax, convergenceTol, convergenceTail*100)
	table(w, header, rows)
}

// hasConvergenceFigure reports whether the report draws a convergence
// figure of r: for a study of a few training sets, not a sensitivity
// study's many, whose runs have training curves.
func hasConvergenceFigure(r *Results) bool {
	st, _ := Lookup(r.Study)
	if st == nil || len(st.TrainSets) > 4 || lacksModel(st, r) != "" {
		return false
	}
	return slices.ContainsFunc(r.Runs, func(x RunResult) bool { return len(x.Curve) > 1 })
}

// convergenceFigure draws the held-out bits/dim against iteration, a
// panel per training set and a line per base (mean, band of one standard
// deviation over seeds), with the data's own density as a dashed line
// where known.
func convergenceFigure(out string, r *Results) error {
	var panels []figure.LinePanel
	for _, ts := range trainSetsOf(r) {
		pn := figure.LinePanel{Title: fmt.Sprintf("%s, trained on %s", r.Study, ts), XLabel: "iteration", YLabel: "held-out bits/dim"}
		var x0, x1 float64
		for _, b := range Bases {
			c, err := curveOf(r, ts, b)
			if err != nil {
				return fmt.Errorf("convergence %s %s: %w", ts, b, err)
			}
			if len(c.iters) == 0 {
				continue
			}
			// Iteration 0 scores the untrained flow, far above the rest.
			if c.iters[0] == 0 && len(c.iters) > 2 {
				c.iters, c.mean, c.std = c.iters[1:], c.mean[1:], c.std[1:]
			}
			x0, x1 = c.iters[0], c.iters[len(c.iters)-1]
			pn.Series = append(pn.Series, figure.Series{Name: baseName(b) + " base", X: c.iters, Y: c.mean, Std: c.std})
		}
		if len(pn.Series) == 0 {
			continue
		}
		if v, ok := trueInDist(r, ts, BaseStandard); ok {
			pn.Series = append(pn.Series, figure.Series{Name: "data's own density", X: []float64{x0, x1}, Y: []float64{v, v}, Dashed: true})
		}
		panels = append(panels, pn)
	}
	if len(panels) == 0 {
		return nil
	}
	return figure.Lines(filepath.Join(out, "convergence-"+r.Study), panels)
}
