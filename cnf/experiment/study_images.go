package experiment

import (
	"fmt"
	"path/filepath"

	"github.com/mmcnf/mmcnf/cnf/data"
	"github.com/mmcnf/mmcnf/cnf/figure"
)

// imageStudy is a study of 16x16 images trained on one training set of
// the given classes: ConcatConv 64,64,64 (with weight normalisation when
// wn) trained with dopri5, its samples' quality measured by FD against a
// feature classifier of the 10-class source the images come from. Its
// defaults are long on a 2-core machine (see its Time in studies.go);
// --quick shrinks it to a smoke test.
func imageStudy(name, title, source string, classes []int, wn bool, paperFID map[string]float64) *Study {
	quick := Settings{Seeds: 1, Iters: 4, Batch: 16, LR: 1e-3, Solver: "rk4", Steps: 2,
		Trace: "hutchinson", Hidden: []int{8, 8}, WeightNorm: wn, TrainPerClass: 32, EvalPerSet: 16, Samples: 4,
		CheckpointEvery: 2, Quick: true}
	return &Study{
		Name:      name,
		Image:     true,
		TrainSets: []TrainSet{{Name: title, Slug: name, Classes: classes}},
		Defaults: Settings{Seeds: 3, Iters: 1000, Batch: 64, LR: 1e-3, Solver: "dopri5", RTol: 1e-5, ATol: 1e-5,
			Trace: "hutchinson", Hidden: []int{64, 64, 64}, WeightNorm: wn, TrainPerClass: 1280, EvalPerSet: 500,
			Samples: 1000, CheckpointEvery: 20, Evals: 10, ClassSamples: 100},
		Quick:      quick,
		classifier: source,
		paperFID:   paperFID,
		figures:    imageFigures,
	}
}

// mnistStudy is InstanceMNIST or SubsetMNIST: trained on MNIST classes 0
// and 1, scored per class and on interpolations between the two training
// classes, a panel of the paper's Figure 3 each. The paper finds, for
// InstanceMNIST, the interpolations scored as in-distribution and classes
// 2-9 as out-of-distribution under both bases and, for SubsetMNIST
// (classZero), class 0 scored like classes 2-9.
func mnistStudy(name, title string, paperFID map[string]float64, classZero bool) *Study {
	st := imageStudy(name, title, "mnist", []int{0, 1}, false, paperFID)
	st.evalSets = mnistEvalSets
	st.classNames = []string{"digit 0", "digit 1", "digit 2", "digit 3", "digit 4", "digit 5", "digit 6", "digit 7", "digit 8", "digit 9"}
	st.findings = func(r *Results, ts string) []Finding {
		if classZero {
			return classZeroFindings(r, ts)
		}
		return instanceFindings(r, ts)
	}
	st.figure3 = true
	return st
}

// otherClasses are the evaluation sets of MNIST classes 2-9.
func otherClasses() []string {
	var out []string
	for c := 2; c <= 9; c++ {
		out = append(out, classSet(c))
	}
	return out
}

// instanceFindings tests, under each base, that the interpolations are
// scored as in-distribution and classes 2-9 as out-of-distribution.
func instanceFindings(r *Results, ts string) []Finding {
	var out []Finding
	for _, b := range Bases {
		out = append(out, scoredFinding(r, ts, b, []string{"interpolations"}, true,
			fmt.Sprintf("Interpolations between the two training images are scored as in-distribution (%s base).", baseName(b)), "")...)
		out = append(out, scoredFinding(r, ts, b, otherClasses(), false,
			fmt.Sprintf("Classes 2-9 are scored as out-of-distribution (%s base).", baseName(b)), "")...)
	}
	return out
}

// classZeroFindings tests, under each base, that in-distribution class 0
// gets bits/dim within the range of those of classes 2-9, seed by seed.
func classZeroFindings(r *Results, ts string) []Finding {
	var out []Finding
	for _, b := range Bases {
		var flags []bool
		var lo, hi, c0 []float64
		for i := range r.Runs {
			x := &r.Runs[i]
			if x.TrainSet != ts || x.Base != b {
				continue
			}
			z := x.Set(classSet(0))
			if z == nil {
				continue
			}
			mn, mx, ok := bpdRange(x, otherClasses())
			if !ok {
				continue
			}
			flags = append(flags, z.BitsPerDim >= mn && z.BitsPerDim <= mx)
			lo, hi, c0 = append(lo, mn), append(hi, mx), append(c0, z.BitsPerDim)
		}
		if len(flags) == 0 {
			continue
		}
		v, desc := everySeed(flags, "class 0 inside the range of classes 2-9")
		ev := fmt.Sprintf("%s base: class 0 %.3f bits/dim, classes 2-9 from %.3f to %.3f (the lowest and highest class of each seed, means over seeds); %s", baseName(b), mean(c0), mean(lo), mean(hi), desc)
		out = append(out, finding(r, ts, fmt.Sprintf("In-distribution class 0 gets bits/dim like those of out-of-distribution classes 2-9 (%s base).", baseName(b)), "", v, ev))
	}
	return out
}

// bpdRange is the smallest and largest bits/dim of the named sets of a
// run; false if one is missing.
func bpdRange(x *RunResult, names []string) (lo, hi float64, ok bool) {
	for i, n := range names {
		s := x.Set(n)
		if s == nil {
			return 0, 0, false
		}
		if i == 0 || s.BitsPerDim < lo {
			lo = s.BitsPerDim
		}
		if i == 0 || s.BitsPerDim > hi {
			hi = s.BitsPerDim
		}
	}
	return lo, hi, len(names) > 0
}

// mean is the mean of xs.
func mean(xs []float64) float64 {
	var s float64
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

// mnistEvalSets scores each training class, the interpolations and each
// other class on its own.
func mnistEvalSets(set *data.Set) []evalSet {
	var out []evalSet
	for _, c := range set.Classes {
		out = append(out, evalSet{classSet(c), true, set.Test.Name, c})
	}
	others := ""
	for _, o := range set.OOD {
		switch o.Name {
		case "interpolation":
			out = append(out, evalSet{"interpolations", false, o.Name, -1})
		case "classes 2-9":
			others = o.Name
		}
	}
	if others != "" {
		for c := 2; c <= 9; c++ {
			out = append(out, evalSet{classSet(c), false, others, c})
		}
	}
	return out
}

// imageFigures draws the sample grids of an image study.
func imageFigures(out string, r *Results) error {
	st, err := Lookup(r.Study)
	if err != nil {
		return err
	}
	for _, ts := range trainSetsOf(r) {
		var panels []figure.ImagePanel
		var shape []int
		for _, b := range Bases {
			s, seed, err := firstSeedSamples(out, r, ts, b)
			if err != nil {
				return err
			}
			shape = s.Shape
			panels = append(panels, figure.ImagePanel{Title: modelTitle(ts, b, seed), Images: s.Unconditional})
			if len(s.ByClass) > 0 {
				path := filepath.Join(out, fmt.Sprintf("samples-%s-%s-by-class", r.Study, b))
				title := modelTitle(ts, b, seed) + ": samples per class"
				names := make([]string, len(s.Classes))
				for i, k := range s.Classes {
					names[i] = st.className(k)
				}
				if err := figure.ClassSamples(path, title, s.Shape, names, s.ByClass); err != nil {
					return err
				}
			}
		}
		if err := figure.ImageSamples(filepath.Join(out, "samples-"+r.Study), shape, panels); err != nil {
			return err
		}
	}
	return nil
}

// fashionStudy is FashionMNIST: trained on all ten classes with weight
// normalisation, scored on the FashionMNIST test split and on MNIST (the
// paper's Table 1).
func fashionStudy() *Study {
	classes := []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}
	st := imageStudy("fashion-mnist", "FashionMNIST", "fashion-mnist-full", classes, true,
		map[string]float64{BaseStandard: 80.73, BaseGMM: 77.25})
	st.evalSets = func(set *data.Set) []evalSet {
		out := []evalSet{{"FashionMNIST", true, set.Test.Name, -1}}
		for _, o := range set.OOD {
			out = append(out, evalSet{o.Name, false, o.Name, -1})
		}
		return out
	}
	st.findings = fashionFindings
	st.paperInDist = fmt.Sprintf("Table 1: FashionMNIST %.2f (standard), %.2f (GMM) bits/dim", paperTable1["FashionMNIST"][BaseStandard], paperTable1["FashionMNIST"][BaseGMM])
	st.paperTables = table1
	st.classNames = fashionClassNames
	return st
}

// fashionClassNames are FashionMNIST's class names, by label.
var fashionClassNames = []string{"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"}

// paperTable1 is the paper's Table 1: mean bits/dim of models trained on
// FashionMNIST, by test set and base.
var paperTable1 = map[string]map[string]float64{
	"FashionMNIST": {BaseStandard: 3.87, BaseGMM: 3.86},
	"MNIST":        {BaseStandard: 3.21, BaseGMM: 3.22},
}

// fashionFindings tests that MNIST gets lower bits/dim than the
// FashionMNIST test set under each base, and that the GMM base does not
// help to detect MNIST as out-of-distribution.
func fashionFindings(r *Results, ts string) []Finding {
	var out []Finding
	for _, b := range Bases {
		paper := fmt.Sprintf("Table 1, %s base: MNIST %.2f, FashionMNIST %.2f bits/dim", baseName(b), paperTable1["MNIST"][b], paperTable1["FashionMNIST"][b])
		out = append(out, orderedSetsFinding(r, ts, b, []string{"FashionMNIST"}, []string{"MNIST"},
			fmt.Sprintf("MNIST gets lower bits/dim (higher likelihood) than the FashionMNIST test set the model was trained for (%s base).", baseName(b)), paper)...)
	}
	f := setMean([]string{"MNIST"}, aurocOf)
	st, gm := seedValues(r, ts, BaseStandard, f), seedValues(r, ts, BaseGMM, f)
	if len(st) > 0 && len(gm) > 0 {
		v, desc := notAbove(paired(gm, st), aurocMargin, "GMM minus standard AUROC of MNIST")
		ev := fmt.Sprintf("AUROC of MNIST against the FashionMNIST test set %s (standard), %s (GMM); %s", meanOf(st), meanOf(gm), desc)
		out = append(out, finding(r, ts, "The GMM base does not help to detect MNIST as out-of-distribution.", "", v, ev))
	}
	return out
}
