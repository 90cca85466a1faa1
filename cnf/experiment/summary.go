package experiment

import (
	"fmt"

	"github.com/mmcnf/mmcnf/cnf/metrics"
)

// summariser summarises groups of values with metrics.Summarise, keeping
// the first error; a group with no values has the zero summary.
type summariser struct{ err error }

// of summarises xs, the values of what.
func (sm *summariser) of(what string, xs []float64) metrics.Summary {
	if len(xs) == 0 || sm.err != nil {
		return metrics.Summary{}
	}
	s, err := metrics.Summarise(xs)
	if err != nil {
		sm.err = fmt.Errorf("%s: %w", what, err)
	}
	return s
}

// SummaryRow summarises one evaluation set under one (training set, base)
// over seeds.
type SummaryRow struct {
	TrainSet       string           `json:"train_set"`
	Base           string           `json:"base"`
	Set            string           `json:"set"`
	InDistribution bool             `json:"in_distribution"`
	BitsPerDim     metrics.Summary  `json:"bits_per_dim"`
	AUROC          *metrics.Summary `json:"auroc,omitempty"`
}

// ModelSummary summarises one (training set, base) over seeds.
type ModelSummary struct {
	TrainSet string `json:"train_set"`
	Base     string `json:"base"`
	// InDistBitsPerDim is the mean over in-distribution sets (each set
	// weighted by its sample count), summarised over seeds.
	InDistBitsPerDim metrics.Summary  `json:"in_distribution_bits_per_dim"`
	TrainSeconds     metrics.Summary  `json:"train_seconds"`
	NFEForward       metrics.Summary  `json:"nfe_forward"`
	NFEBackward      metrics.Summary  `json:"nfe_backward"`
	EvalNFE          metrics.Summary  `json:"eval_nfe"`
	FD               *metrics.Summary `json:"fd_classifier_features,omitempty"`
	KID              *metrics.Summary `json:"kid_classifier_features,omitempty"`
	// FDSamples and FDTest count the generated and real images of FD and
	// KID (those of the first seed).
	FDSamples int `json:"fd_samples,omitempty"`
	FDTest    int `json:"fd_test_images,omitempty"`
	// FDByClass summarises the per-class FD of class-conditional samples.
	FDByClass []ClassStat `json:"fd_by_class,omitempty"`
	// Classifier describes the feature classifier of FD (that of the first
	// seed; every unit of a study and output directory shares it).
	Classifier *ClassifierInfo `json:"classifier,omitempty"`
}

// ClassStat is a statistic of one class over seeds.
type ClassStat struct {
	Class int             `json:"class"`
	Stat  metrics.Summary `json:"stat"`
}

// fdByClass summarises the per-class FD of runs over seeds, classes in
// first-seen order.
func fdByClass(sm *summariser, runs []RunResult) []ClassStat {
	var classes []int
	per := map[int][]float64{}
	for _, r := range runs {
		for _, c := range r.FDByClass {
			if _, ok := per[c.Class]; !ok {
				classes = append(classes, c.Class)
			}
			per[c.Class] = append(per[c.Class], c.FD)
		}
	}
	var out []ClassStat
	for _, c := range classes {
		out = append(out, ClassStat{Class: c, Stat: sm.of(fmt.Sprintf("FD of class %d", c), per[c])})
	}
	return out
}

// group is one (training set, base) pair in first-seen order.
type group struct{ trainSet, base string }

// groups lists the (training set, base) pairs of runs in first-seen order.
func groups(runs []RunResult) []group {
	var gs []group
	seen := map[group]bool{}
	for _, r := range runs {
		g := group{r.TrainSet, r.Base}
		if !seen[g] {
			seen[g] = true
			gs = append(gs, g)
		}
	}
	return gs
}

// Summarise computes the per-set and per-model summaries of runs.
func Summarise(runs []RunResult) ([]SummaryRow, []ModelSummary, error) {
	var sm summariser
	var rows []SummaryRow
	var models []ModelSummary
	for _, g := range groups(runs) {
		var members []RunResult
		for _, r := range runs {
			if r.TrainSet == g.trainSet && r.Base == g.base {
				members = append(members, r)
			}
		}
		var setNames []string
		inDist := map[string]bool{}
		for _, r := range members {
			for _, s := range r.Sets {
				if _, ok := inDist[s.Name]; !ok {
					setNames = append(setNames, s.Name)
					inDist[s.Name] = s.InDistribution
				}
			}
		}
		for _, name := range setNames {
			var bpd, auc []float64
			for _, r := range members {
				if s := r.Set(name); s != nil {
					bpd = append(bpd, s.BitsPerDim)
					if s.AUROC != nil {
						auc = append(auc, *s.AUROC)
					}
				}
			}
			row := SummaryRow{TrainSet: g.trainSet, Base: g.base, Set: name,
				InDistribution: inDist[name], BitsPerDim: sm.of(name, bpd)}
			if len(auc) > 0 {
				a := sm.of(name+" AUROC", auc)
				row.AUROC = &a
			}
			rows = append(rows, row)
		}
		var in, secs, nf, nb, ne, fd, kid []float64
		for _, r := range members {
			if v, ok := inDistBPD(&r); ok {
				in = append(in, v)
			}
			secs = append(secs, r.TrainSeconds)
			nf = append(nf, r.NFEForward)
			nb = append(nb, r.NFEBackward)
			ne = append(ne, r.EvalNFE)
			if r.FD != nil {
				fd = append(fd, *r.FD)
			}
			if r.KID != nil {
				kid = append(kid, *r.KID)
			}
		}
		m := ModelSummary{TrainSet: g.trainSet, Base: g.base, InDistBitsPerDim: sm.of("in-distribution bits/dim", in),
			TrainSeconds: sm.of("training time", secs), NFEForward: sm.of("forward NFE", nf),
			NFEBackward: sm.of("backward NFE", nb), EvalNFE: sm.of("evaluation NFE", ne)}
		if len(fd) > 0 {
			s := sm.of("FD", fd)
			m.FD = &s
			m.FDSamples, m.FDTest = members[0].FDSamples, members[0].FDTest
		}
		if len(kid) > 0 {
			s := sm.of("KID", kid)
			m.KID = &s
		}
		m.FDByClass = fdByClass(&sm, members)
		for _, r := range members {
			if r.Classifier != nil {
				m.Classifier = r.Classifier
				break
			}
		}
		models = append(models, m)
	}
	if sm.err != nil {
		return nil, nil, fmt.Errorf("summarise: %w", sm.err)
	}
	return rows, models, nil
}

// Row returns the summary row of (trainSet, base, set), or nil.
func (r *Results) Row(trainSet, base, set string) *SummaryRow {
	for i := range r.Summary {
		s := &r.Summary[i]
		if s.TrainSet == trainSet && s.Base == base && s.Set == set {
			return s
		}
	}
	return nil
}

// Model returns the model summary of (trainSet, base), or nil.
func (r *Results) Model(trainSet, base string) *ModelSummary {
	for i := range r.Models {
		m := &r.Models[i]
		if m.TrainSet == trainSet && m.Base == base {
			return m
		}
	}
	return nil
}
