package experiment

import (
	"fmt"
	"path/filepath"
)

// firstSeedSamples reads the samples of the lowest seed of (trainSet, base).
func firstSeedSamples(out string, r *Results, trainSet, base string) (*Samples, error) {
	var best *RunResult
	for i := range r.Runs {
		x := &r.Runs[i]
		if x.TrainSet == trainSet && x.Base == base && x.Samples != "" && (best == nil || x.Seed < best.Seed) {
			best = x
		}
	}
	if best == nil {
		return nil, fmt.Errorf("no samples for %s %s base", trainSet, base)
	}
	return readSamples(filepath.Join(out, best.Samples))
}

// writeFigures draws every figure of the studies in rep into out: each
// study's own, then Figure 3 from the studies that have panels in it.
func writeFigures(out string, rep *Report) error {
	var fig3 []Figure3Panel
	for _, r := range rep.Studies {
		st, _ := Lookup(r.Study)
		if st == nil || st.figures == nil {
			continue
		}
		if st.figure3 {
			for _, ts := range trainSetsOf(r) {
				fig3 = append(fig3, Figure3Panel{Title: ts, Results: r, TrainSet: ts})
			}
		}
		if err := st.figures(out, r); err != nil {
			return fmt.Errorf("%s figures: %w", r.Study, err)
		}
	}
	if len(fig3) > 0 {
		if err := Figure3(filepath.Join(out, "figure3-mnist-bits-per-dim"), fig3); err != nil {
			return err
		}
	}
	return nil
}
