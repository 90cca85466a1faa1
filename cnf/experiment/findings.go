package experiment

import (
	"fmt"
	"math"
	"strings"

	"github.com/mmcnf/mmcnf/cnf/metrics"
)

// versus compares two statistics a and b and words the verdict: whether
// their difference exceeds two standard errors of the difference of means.
func versus(a, b metrics.Summary) string {
	d := a.Mean - b.Mean
	if a.N < 2 || b.N < 2 {
		return fmt.Sprintf("difference %+.3f (fewer than two seeds: no spread to judge it by)", d)
	}
	se := math.Sqrt(a.Std*a.Std/float64(a.N) + b.Std*b.Std/float64(b.N))
	if se == 0 {
		return fmt.Sprintf("difference %+.3f", d)
	}
	z := d / se
	if math.Abs(z) <= 2 {
		return fmt.Sprintf("difference %+.3f, within two standard errors (%.1f): comparable", d, z)
	}
	return fmt.Sprintf("difference %+.3f, %.1f standard errors: not comparable", d, z)
}

// inDistFinding compares in-distribution bits/dim of the two bases.
func inDistFinding(r *Results, ts string) string {
	st, gm := r.Model(ts, BaseStandard), r.Model(ts, BaseGMM)
	if st == nil || gm == nil {
		return ""
	}
	return fmt.Sprintf("%s, trained on %s: in-distribution bits/dim %s (standard) vs %s (GMM), GMM minus standard %s. The paper finds them comparable.",
		r.Study, ts, pm(st.InDistBitsPerDim, 3), pm(gm.InDistBitsPerDim, 3), versus(gm.InDistBitsPerDim, st.InDistBitsPerDim))
}

// oodRows returns the out-of-distribution rows of (ts, base).
func oodRows(r *Results, ts, base string) []SummaryRow {
	var out []SummaryRow
	for _, s := range r.Summary {
		if s.TrainSet == ts && s.Base == base && !s.InDistribution {
			out = append(out, s)
		}
	}
	return out
}

// meanAUROC is the mean over sets of the mean AUROC of rows that have one.
func meanAUROC(rows []SummaryRow) (float64, bool) {
	var sum float64
	var n int
	for _, s := range rows {
		if s.AUROC != nil {
			sum += s.AUROC.Mean
			n++
		}
	}
	if n == 0 {
		return 0, false
	}
	return sum / float64(n), true
}

// gmmHigherFinding counts the OOD sets where the GMM base gives higher mean
// bits/dim than the standard base, restricted to sets when given.
func gmmHigherFinding(r *Results, ts string, only []string, paper string) string {
	var higher, total int
	var names []string
	for _, s := range oodRows(r, ts, BaseStandard) {
		if only != nil && !contains(only, s.Set) {
			continue
		}
		g := r.Row(ts, BaseGMM, s.Set)
		if g == nil {
			continue
		}
		total++
		if g.BitsPerDim.Mean > s.BitsPerDim.Mean {
			higher++
			names = append(names, s.Set)
		}
	}
	if total == 0 {
		return ""
	}
	what := "out-of-distribution sets"
	if only != nil {
		what = strings.Join(only, ", ")
	}
	msg := fmt.Sprintf("%s, trained on %s: the GMM base gives higher mean bits/dim than the standard base to %d of %d %s", r.Study, ts, higher, total, what)
	if higher > 0 && higher < total {
		msg += fmt.Sprintf(" (%s)", strings.Join(names, ", "))
	}
	msg += "."
	sa, okS := meanAUROC(oodRows(r, ts, BaseStandard))
	ga, okG := meanAUROC(oodRows(r, ts, BaseGMM))
	if okS && okG {
		msg += fmt.Sprintf(" Mean OOD AUROC: %.3f (standard), %.3f (GMM).", sa, ga)
	}
	if paper != "" {
		msg += " " + paper
	}
	return msg
}

// contains reports whether xs holds x.
func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// belowInDistFinding lists OOD sets whose mean bits/dim is below the
// in-distribution mean: the likelihood failure of Nalisnick et al.
func belowInDistFinding(r *Results, ts, base string, only []string) string {
	m := r.Model(ts, base)
	if m == nil {
		return ""
	}
	var below []string
	total := 0
	for _, s := range oodRows(r, ts, base) {
		if only != nil && !contains(only, s.Set) {
			continue
		}
		total++
		if s.BitsPerDim.Mean < m.InDistBitsPerDim.Mean {
			below = append(below, fmt.Sprintf("%s %.3f", s.Set, s.BitsPerDim.Mean))
		}
	}
	if total == 0 {
		return ""
	}
	if len(below) == 0 {
		return fmt.Sprintf("%s, trained on %s, %s base: none of %d out-of-distribution sets gets lower bits/dim than the in-distribution mean %.3f.",
			r.Study, ts, base, total, m.InDistBitsPerDim.Mean)
	}
	return fmt.Sprintf("%s, trained on %s, %s base: %d of %d out-of-distribution sets get lower bits/dim than the in-distribution mean %.3f (%s), i.e. look more likely than the training data.",
		r.Study, ts, base, len(below), total, m.InDistBitsPerDim.Mean, strings.Join(below, ", "))
}

// sampleFinding compares the Frechet distances of the two bases.
func sampleFinding(r *Results, ts string) string {
	st, gm := r.Model(ts, BaseStandard), r.Model(ts, BaseGMM)
	if st == nil || gm == nil || st.FD == nil || gm.FD == nil {
		return ""
	}
	better := "better (lower)"
	if gm.FD.Mean >= st.FD.Mean {
		better = "not better"
	}
	paper := "The paper finds GMM samples better (lower FID)."
	if st, _ := Lookup(r.Study); st != nil && st.paperFID != nil {
		paper = fmt.Sprintf("The paper finds GMM samples better (lower FID: %.2f vs %.2f).", st.paperFID[BaseGMM], st.paperFID[BaseStandard])
	}
	return fmt.Sprintf("%s: GMM samples are %s than standard ones by FD (classifier features): %s vs %s, GMM minus standard %s. %s",
		r.Study, better, pm(*gm.FD, 2), pm(*st.FD, 2), versus(*gm.FD, *st.FD), paper)
}

// costFinding compares the training time and NFE of the two bases.
func costFinding(r *Results, ts string) string {
	st, gm := r.Model(ts, BaseStandard), r.Model(ts, BaseGMM)
	if st == nil || gm == nil || st.TrainSeconds.Mean <= 0 {
		return ""
	}
	return fmt.Sprintf("%s, trained on %s: training took %.1f s (GMM) vs %.1f s (standard), ratio %.2f; forward NFE per iteration %.1f vs %.1f. The paper finds no extra cost for the GMM base.",
		r.Study, ts, gm.TrainSeconds.Mean, st.TrainSeconds.Mean, gm.TrainSeconds.Mean/st.TrainSeconds.Mean, gm.NFEForward.Mean, st.NFEForward.Mean)
}

// Findings words, from the numbers, how our results compare with each of
// the paper's findings that the report's studies cover.
func (rep *Report) Findings() []string {
	var out []string
	add := func(s ...string) {
		for _, x := range s {
			if x != "" {
				out = append(out, x)
			}
		}
	}
	for _, r := range rep.Studies {
		st, _ := Lookup(r.Study)
		for _, ts := range trainSetsOf(r) {
			add(inDistFinding(r, ts))
			if st != nil && st.findings != nil {
				add(st.findings(r, ts)...)
			}
			add(sampleFinding(r, ts), costFinding(r, ts))
		}
	}
	if len(out) == 0 {
		out = append(out, "No study has results yet.")
	}
	return out
}
