package experiment

import (
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"

	"github.com/mmcnf/mmcnf/cnf/data"
	"github.com/mmcnf/mmcnf/cnf/figure"
)

// moonsStudy is the cascading moons (the paper's Figures 1 and 2): six
// classes in three nested pairs, trained on the inner pair D{0,1} and on
// the outer pair D{4,5}, every other class out-of-distribution. Its
// defaults are sized for `make run` on a small machine (see its Time in
// studies.go).
func moonsStudy() *Study {
	return &Study{
		Name: "moons",
		TrainSets: []TrainSet{
			{Name: "D{0,1}", Slug: "d01", Classes: []int{0, 1}},
			{Name: "D{4,5}", Slug: "d45", Classes: []int{4, 5}},
		},
		Defaults: Settings{Seeds: 3, Iters: 150, Batch: 256, LR: 1e-2, Solver: "dopri5", RTol: 1e-4, ATol: 1e-4,
			Trace: "exact", Hidden: []int{32}, Width: 64, TrainPerClass: 2000, EvalPerSet: 1000, Samples: 1000,
			CheckpointEvery: 50},
		Quick: Settings{Seeds: 1, Iters: 20, Batch: 64, LR: 1e-2, Solver: "rk4", Steps: 4,
			Trace: "exact", Hidden: []int{16}, Width: 16, TrainPerClass: 200, EvalPerSet: 100, Samples: 100,
			CheckpointEvery: 10, Quick: true},
		evalSets: moonsEvalSets,
		findings: moonsFindings,
		tables:   moonsTables,
		figures:  moonsFigures,
	}
}

// moonsEvalSets scores every class on its own: the test points of the
// training classes, the out-of-distribution split of each other class.
func moonsEvalSets(set *data.Set) []evalSet {
	var out []evalSet
	for c := range data.MoonsClasses {
		name := classSet(c)
		if slices.Contains(set.Classes, c) {
			out = append(out, evalSet{name, true, set.Test.Name, c})
			continue
		}
		for _, o := range set.OOD {
			if o.Name == name {
				out = append(out, evalSet{name, false, o.Name, -1})
			}
		}
	}
	return out
}

// moonsFindings compares the bases on the out-of-distribution classes
// (above all the inner modes 0-3 when training on the outer pair) and
// checks that bits/dim grow with a pair's distance from the training pair.
func moonsFindings(r *Results, ts string) []string {
	if ts != "D{4,5}" {
		return []string{
			gmmHigherFinding(r, ts, nil, "The paper finds the GMM base assigning higher bits/dim to out-of-distribution modes."),
			moonsDistanceFinding(r, ts, 0),
		}
	}
	inner := []string{classSet(0), classSet(1), classSet(2), classSet(3)}
	return []string{
		gmmHigherFinding(r, ts, inner, "The paper finds the GMM base higher, above all for modes 0-3 when training on D{4,5}."),
		belowInDistFinding(r, ts, BaseStandard, inner), belowInDistFinding(r, ts, BaseGMM, inner),
		moonsDistanceFinding(r, ts, 2),
	}
}

// moonsDistanceFinding checks whether bits/dim grow with the distance of a
// moon pair from the training pair (pairs are classes {0,1}, {2,3}, {4,5}).
func moonsDistanceFinding(r *Results, ts string, train int) string {
	var parts []string
	for _, base := range Bases {
		pairMean := func(p int) (float64, bool) {
			a, b := r.Row(ts, base, classSet(2*p)), r.Row(ts, base, classSet(2*p+1))
			if a == nil || b == nil {
				return 0, false
			}
			return (a.BitsPerDim.Mean + b.BitsPerDim.Mean) / 2, true
		}
		near, far := 1, 2
		if train == 2 {
			near, far = 1, 0
		}
		n, ok1 := pairMean(near)
		f, ok2 := pairMean(far)
		if !ok1 || !ok2 {
			return ""
		}
		verdict := "higher"
		if f <= n {
			verdict = "not higher"
		}
		parts = append(parts, fmt.Sprintf("%s base: classes %d,%d (farther) %.3f vs %d,%d (nearer) %.3f, %s",
			base, 2*far, 2*far+1, f, 2*near, 2*near+1, n, verdict))
	}
	return fmt.Sprintf("moons, trained on %s, bits/dim of the farther pair against the nearer: %s. The paper finds bits/dim growing with distance from the training modes.", ts, strings.Join(parts, "; "))
}

// moonsTables writes bits/dim per class per (training set, base) and the
// AUROC of each out-of-distribution class.
func moonsTables(w io.Writer, r *Results) {
	tss := trainSetsOf(r)
	header := []string{"class"}
	for _, ts := range tss {
		for _, b := range Bases {
			header = append(header, fmt.Sprintf("%s %s", ts, b))
		}
	}
	var rows, aucRows [][]string
	for _, s := range setsOf(r, tss[0]) {
		row, arow := []string{s.Set}, []string{s.Set}
		for _, ts := range tss {
			for _, b := range Bases {
				x := r.Row(ts, b, s.Set)
				if x == nil {
					row, arow = append(row, "–"), append(arow, "–")
					continue
				}
				cell := pm(x.BitsPerDim, 3)
				if x.InDistribution {
					cell = "**" + cell + "** (in)"
				}
				row = append(row, cell)
				if x.AUROC != nil {
					arow = append(arow, pm(*x.AUROC, 3))
				} else {
					arow = append(arow, "(in)")
				}
			}
		}
		rows, aucRows = append(rows, row), append(aucRows, arow)
	}
	fmt.Fprintln(w, "Bits/dim per class (paper's Figure 2; in-distribution classes in bold):")
	fmt.Fprintln(w)
	table(w, header, rows)
	fmt.Fprintln(w, "Out-of-distribution AUROC per class:")
	fmt.Fprintln(w)
	table(w, header, aucRows)
}

// figure1PerClass is the number of points per class drawn in Figure 1.
const figure1PerClass = 200

// moonsFigures draws Figures 1 and 2, the samples and the densities.
func moonsFigures(out string, r *Results) error {
	xy, labels, err := data.Moons(figure1PerClass, []int{0, 1, 2, 3, 4, 5}, 0)
	if err != nil {
		return err
	}
	if err := figure.Points(filepath.Join(out, "figure1-moons"), "Cascading moons", xy, labels); err != nil {
		return fmt.Errorf("figure 1: %w", err)
	}
	tss := trainSetsOf(r)
	if err := figure2(filepath.Join(out, "figure2-moons-bits-per-dim"), r, tss, data.MoonsClasses); err != nil {
		return err
	}
	var panels []figure.SamplePanel
	var dens []figure.DensityPanel
	for _, ts := range tss {
		for _, b := range Bases {
			s, seed, err := firstSeedSamples(out, r, ts, b)
			if err != nil {
				return err
			}
			title := modelTitle(ts, b, seed)
			panels = append(panels, figure.SamplePanel{Title: title, Unconditional: s.Unconditional, Classes: s.Classes, ByClass: s.ByClass})
			if s.Density != nil {
				dens = append(dens, figure.DensityPanel{Title: title, Grid: s.Density})
			}
		}
	}
	if err := figure.Samples(filepath.Join(out, "samples-moons"), xy, labels, panels); err != nil {
		return fmt.Errorf("moons samples: %w", err)
	}
	if len(dens) > 0 {
		return figure.Density(filepath.Join(out, "density-moons"), "Cascading moons: log-density of each model", dens)
	}
	return nil
}
