package experiment

import (
	"fmt"
	"path/filepath"

	"github.com/mmcnf/mmcnf/cnf/data"
)

// figure1PerClass is the number of points per class drawn in Figure 1.
const figure1PerClass = 200

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

// writeFigures draws every figure of the studies in rep into out.
func writeFigures(out string, rep *Report) error {
	var fig3 []Figure3Panel
	for _, r := range rep.Studies {
		var err error
		switch r.Study {
		case "moons":
			err = moonsFigures(out, r)
		case "instance-mnist", "subset-mnist", "fashion-mnist":
			if r.Study != "fashion-mnist" {
				for _, ts := range trainSetsOf(r) {
					fig3 = append(fig3, Figure3Panel{Title: ts, Results: r, TrainSet: ts})
				}
			}
			err = imageFigures(out, r)
		}
		if err != nil {
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

// moonsFigures draws Figures 1 and 2, the samples and the densities.
func moonsFigures(out string, r *Results) error {
	xy, labels, err := data.Moons(figure1PerClass, []int{0, 1, 2, 3, 4, 5}, 0)
	if err != nil {
		return err
	}
	if err := Figure1(filepath.Join(out, "figure1-moons"), xy, labels); err != nil {
		return err
	}
	tss := trainSetsOf(r)
	if err := Figure2(filepath.Join(out, "figure2-moons-bits-per-dim"), r, tss, data.MoonsClasses); err != nil {
		return err
	}
	var panels, dens []MoonsPanel
	for _, ts := range tss {
		for _, b := range Bases {
			s, err := firstSeedSamples(out, r, ts, b)
			if err != nil {
				return err
			}
			title := fmt.Sprintf("%s, %s base", ts, b)
			panels = append(panels, MoonsPanel{Title: title, Samples: s})
			if s.Density != nil {
				dens = append(dens, MoonsPanel{Title: title, Samples: s})
			}
		}
	}
	if err := FigureMoonsSamples(filepath.Join(out, "samples-moons"), xy, labels, panels); err != nil {
		return err
	}
	if len(dens) > 0 {
		return FigureDensity(filepath.Join(out, "density-moons"), dens)
	}
	return nil
}

// imageFigures draws the sample grids of an image study.
func imageFigures(out string, r *Results) error {
	for _, ts := range trainSetsOf(r) {
		var panels []ImagePanel
		var shape []int
		for _, b := range Bases {
			s, err := firstSeedSamples(out, r, ts, b)
			if err != nil {
				return err
			}
			shape = s.Shape
			panels = append(panels, ImagePanel{Title: fmt.Sprintf("%s, %s base", ts, b), Images: s.Unconditional})
			if len(s.ByClass) > 0 {
				path := filepath.Join(out, fmt.Sprintf("samples-%s-%s-by-class", r.Study, b))
				title := fmt.Sprintf("%s, %s base: samples per class", ts, b)
				if err := FigureClassSamples(path, title, s.Shape, s.Classes, s.ByClass); err != nil {
					return err
				}
			}
		}
		if err := FigureImageSamples(filepath.Join(out, "samples-"+r.Study), shape, panels); err != nil {
			return err
		}
	}
	return nil
}
