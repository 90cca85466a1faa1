package experiment

import (
	"fmt"
	"path/filepath"
	"slices"

	"github.com/mmcnf/mmcnf/cnf/figure"
)

// firstSeedSamples reads the samples of the lowest seed of (trainSet, base)
// and returns them with that seed.
func firstSeedSamples(out string, r *Results, trainSet, base string) (*Samples, int, error) {
	var best *RunResult
	for i := range r.Runs {
		x := &r.Runs[i]
		if x.TrainSet == trainSet && x.Base == base && x.Samples != "" && (best == nil || x.Seed < best.Seed) {
			best = x
		}
	}
	if best == nil {
		return nil, 0, fmt.Errorf("no samples for %s %s base", trainSet, base)
	}
	s, err := readSamples(filepath.Join(out, best.Samples))
	return s, best.Seed, err
}

// modelTitle names the model of (trainSet, base) trained with seed.
func modelTitle(trainSet, base string, seed int) string {
	return fmt.Sprintf("%s, %s base, seed %d", trainSet, base, seed)
}

// writeFigures draws every figure of the studies in rep into out: each
// study's own, then Figure 3 from the studies that have panels in it.
func writeFigures(out string, rep *Report) error {
	var fig3 []figure.SetPanel
	for _, r := range rep.Studies {
		st, _ := Lookup(r.Study)
		if st == nil || st.figures == nil || lacksModel(st, r) != "" {
			continue
		}
		if st.figure3 {
			for _, ts := range trainSetsOf(r) {
				pn, err := figure3Panel(r, ts)
				if err != nil {
					return err
				}
				fig3 = append(fig3, pn)
			}
		}
		if err := st.figures(out, r); err != nil {
			return fmt.Errorf("%s figures: %w", r.Study, err)
		}
		if hasConvergenceFigure(r) {
			if err := convergenceFigure(out, r); err != nil {
				return fmt.Errorf("%s figures: %w", r.Study, err)
			}
		}
	}
	if len(fig3) > 0 {
		if err := figure.SetBars(filepath.Join(out, "figure3-mnist-bits-per-dim"), fig3); err != nil {
			return fmt.Errorf("figure 3: %w", err)
		}
	}
	return nil
}

// lacksModel names the first training set and base of st without a
// finished unit in r ("" if each has one): the study's figures need them
// all.
func lacksModel(st *Study, r *Results) string {
	for _, ts := range st.TrainSets {
		for _, b := range Bases {
			if !slices.ContainsFunc(r.Runs, func(x RunResult) bool { return x.TrainSet == ts.Name && x.Base == b }) {
				return fmt.Sprintf("%s %s base", ts.Name, b)
			}
		}
	}
	return ""
}

// barOf is the bar of a summary row: its bits/dim over seeds.
func barOf(s *SummaryRow) figure.Bar {
	return figure.Bar{Mean: s.BitsPerDim.Mean, Std: s.BitsPerDim.Std, InDist: s.InDistribution}
}

// figure2 draws bits/dim per class of the moons study (the paper's Figure
// 2): a panel per (training set, base), rows training sets, columns bases.
func figure2(path string, r *Results, trainSets []string, classes int) error {
	rows := make([][]figure.ClassPanel, len(trainSets))
	for i, ts := range trainSets {
		for _, base := range Bases {
			pn := figure.ClassPanel{Title: fmt.Sprintf("trained on %s, %s base", ts, base)}
			for k := range classes {
				row := r.Row(ts, base, classSet(k))
				if row == nil {
					return fmt.Errorf("figure 2: no result for %s, %s base, class %d", ts, base, k)
				}
				pn.Bars = append(pn.Bars, barOf(row))
			}
			rows[i] = append(rows[i], pn)
		}
	}
	return figure.ClassBars(path, rows)
}

// figure3Panel is the panel of Figure 3 of training set ts: bits/dim per
// evaluation set under both bases, and each base's mean in-distribution
// bits/dim.
func figure3Panel(r *Results, ts string) (figure.SetPanel, error) {
	pn := figure.SetPanel{Title: ts, BaseNames: [2]string{Bases[0], Bases[1]}}
	for _, s := range setsOf(r, ts) {
		pn.Labels = append(pn.Labels, shortSetName(s.Set))
		var pair [2]figure.Bar
		for j, base := range Bases {
			row := r.Row(ts, base, s.Set)
			if row == nil {
				return pn, fmt.Errorf("figure 3 %s: no %s result for %s", ts, base, s.Set)
			}
			pair[j] = barOf(row)
		}
		pn.Bars = append(pn.Bars, pair)
	}
	if len(pn.Bars) == 0 {
		return pn, fmt.Errorf("figure 3 %s: no results for %s", ts, ts)
	}
	for j, base := range Bases {
		if m := r.Model(ts, base); m != nil {
			mean := m.InDistBitsPerDim.Mean
			pn.InDistMean[j] = &mean
		}
	}
	return pn, nil
}

// classSet is the evaluation-set name of class k.
func classSet(k int) string { return fmt.Sprintf("class %d", k) }

// shortSetName shortens set names for axis ticks.
func shortSetName(s string) string {
	switch s {
	case "interpolations":
		return "interp."
	}
	if k, ok := classOf(s); ok {
		return fmt.Sprint(k)
	}
	return s
}

// classOf parses a "class K" set name.
func classOf(s string) (int, bool) {
	var k int
	if n, err := fmt.Sscanf(s, "class %d", &k); n == 1 && err == nil {
		return k, true
	}
	return 0, false
}
