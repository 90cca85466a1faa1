package experiment

import (
	"fmt"
	"strings"
)

// Finding is one of the paper's findings put to the test with our
// numbers.
type Finding struct {
	Study    string `json:"study"`
	TrainSet string `json:"train_set,omitempty"`
	// Claim is the paper's finding, in a sentence.
	Claim string `json:"claim"`
	// Paper quotes the paper's numbers behind it, where it gives any.
	Paper string `json:"paper,omitempty"`
	// Evidence is what our numbers say, with the test's statistic.
	Evidence string `json:"evidence"`
	// Verdict is the outcome of the test.
	Verdict Verdict `json:"verdict"`
	// SmokeTest marks a finding tested on the reduced --quick settings,
	// whose verdict is no conclusion.
	SmokeTest bool `json:"smoke_test,omitempty"`
}

// finding builds a Finding of study r for training set ts.
func finding(r *Results, ts, claim, paper string, v Verdict, evidence string) Finding {
	return Finding{Study: r.Study, TrainSet: ts, Claim: claim, Paper: paper, Evidence: evidence, Verdict: v, SmokeTest: r.Settings.Quick}
}

// inDistFinding tests that in-distribution bits/dim are comparable under
// the two bases.
func inDistFinding(r *Results, ts, paper string) []Finding {
	st, gm := seedValues(r, ts, BaseStandard, inDistBPD), seedValues(r, ts, BaseGMM, inDistBPD)
	if len(st) == 0 || len(gm) == 0 {
		return nil
	}
	v, desc := comparable(paired(gm, st), bpdMargin)
	ev := fmt.Sprintf("in-distribution bits/dim %s (standard) and %s (GMM); GMM minus standard: %s",
		meanOf(st), meanOf(gm), desc)
	return []Finding{finding(r, ts, "In-distribution bits/dim are comparable under the standard and the GMM base.", paper, v, ev)}
}

// meanOf formats the mean of per-seed values with three decimals.
func meanOf(m map[int]float64) string { return meanOfN(m, 3) }

// meanOfN formats the mean of per-seed values with the given decimals.
func meanOfN(m map[int]float64, decimals int) string {
	return fmt.Sprintf("%.*f", decimals, mean(bySeed(m)))
}

// baseName is how findings name a base.
func baseName(b string) string {
	if b == BaseGMM {
		return "GMM"
	}
	return b
}

// gmmHigherFinding tests that the GMM base gives higher bits/dim than the
// standard base to the out-of-distribution sets (those of only when
// given), by the per-seed mean over the sets.
func gmmHigherFinding(r *Results, ts string, only func(string) bool, claim string) []Finding {
	names := oodSetNames(r, ts, BaseStandard, only)
	if len(names) == 0 {
		return nil
	}
	f := setMean(names, bpdOf)
	st, gm := seedValues(r, ts, BaseStandard, f), seedValues(r, ts, BaseGMM, f)
	if len(st) == 0 || len(gm) == 0 {
		return nil
	}
	v, desc := ordered(paired(gm, st))
	ev := fmt.Sprintf("mean bits/dim of %s: %s (standard), %s (GMM); GMM %s", setList(names), meanOf(st), meanOf(gm), desc)
	fa := setMean(names, aurocOf)
	sa, ga := seedValues(r, ts, BaseStandard, fa), seedValues(r, ts, BaseGMM, fa)
	if len(sa) > 0 && len(ga) > 0 {
		ev += fmt.Sprintf("; mean AUROC %s (standard), %s (GMM)", meanOf(sa), meanOf(ga))
	}
	return []Finding{finding(r, ts, claim, "", v, ev)}
}

// setList names sets compactly: "classes 0-3" style where they are a run
// of classes, else the names joined.
func setList(names []string) string {
	var ks []int
	for _, n := range names {
		k, ok := classOf(n)
		if !ok {
			return strings.Join(names, ", ")
		}
		ks = append(ks, k)
	}
	for i := 1; i < len(ks); i++ {
		if ks[i] != ks[i-1]+1 {
			return strings.Join(names, ", ")
		}
	}
	if len(ks) == 1 {
		return names[0]
	}
	return fmt.Sprintf("classes %d-%d", ks[0], ks[len(ks)-1])
}

// scoredFinding tests that a base scores the named sets as
// in-distribution (in true) or as out-of-distribution, by their mean
// AUROC per seed against aurocThreshold.
func scoredFinding(r *Results, ts, base string, names []string, in bool, claim, paper string) []Finding {
	aucs := seedValues(r, ts, base, setMean(names, aurocOf))
	if len(aucs) == 0 {
		return nil
	}
	v, desc := aurocSide(bySeed(aucs), !in)
	ev := fmt.Sprintf("%s base, %s: %s", baseName(base), setList(names), desc)
	if tr := seedValues(r, ts, base, setMean(names, trueAUROCOf)); len(tr) > 0 {
		ev += fmt.Sprintf("; the data's own density separates them with AUROC %s", meanOf(tr))
	}
	return []Finding{finding(r, ts, claim, paper, v, ev)}
}

// orderedSetsFinding tests that, under base, the mean bits/dim of the
// sets hi is above that of the sets lo, seed by seed.
func orderedSetsFinding(r *Results, ts, base string, hi, lo []string, claim, paper string) []Finding {
	h, l := seedValues(r, ts, base, setMean(hi, bpdOf)), seedValues(r, ts, base, setMean(lo, bpdOf))
	if len(h) == 0 || len(l) == 0 {
		return nil
	}
	v, desc := ordered(paired(h, l))
	ev := fmt.Sprintf("%s base: %s %s bits/dim against %s %s; %s", baseName(base), setList(hi), meanOf(h), setList(lo), meanOf(l), desc)
	return []Finding{finding(r, ts, claim, paper, v, ev)}
}

// sampleFinding tests that GMM samples have the lower Frechet distance.
func sampleFinding(r *Results, ts string) []Finding {
	fd := func(x *RunResult) (float64, bool) {
		if x.FD == nil {
			return 0, false
		}
		return *x.FD, true
	}
	st, gm := seedValues(r, ts, BaseStandard, fd), seedValues(r, ts, BaseGMM, fd)
	if len(st) == 0 || len(gm) == 0 {
		return nil
	}
	paper := ""
	if s, _ := Lookup(r.Study); s != nil && s.paperFID != nil {
		paper = fmt.Sprintf("Table 2: FID %.2f (standard), %.2f (GMM); FID is on Inception features, our FD on our classifier's, so only the ordering compares",
			s.paperFID[BaseStandard], s.paperFID[BaseGMM])
	}
	v, desc := ordered(paired(st, gm))
	ev := fmt.Sprintf("FD (classifier features) %s (standard), %s (GMM); standard %s", meanOfN(st, 2), meanOfN(gm, 2), desc)
	kid := func(x *RunResult) (float64, bool) {
		if x.KID == nil {
			return 0, false
		}
		return *x.KID, true
	}
	if sk, gk := seedValues(r, ts, BaseStandard, kid), seedValues(r, ts, BaseGMM, kid); len(sk) > 0 && len(gk) > 0 {
		ev += fmt.Sprintf("; KID %s (standard), %s (GMM)", meanOfN(sk, 4), meanOfN(gk, 4))
	}
	return []Finding{finding(r, ts, "GMM samples are of better quality than standard ones (lower Frechet distance).", paper, v, ev)}
}

// costFinding tests that the GMM base costs no more forward evaluations
// per training step than the standard base: the work of a solve, which
// wall time on a shared machine does not measure.
func costFinding(r *Results, ts string) []Finding {
	nfe := func(x *RunResult) (float64, bool) { return x.NFEForward, x.NFEForward > 0 }
	st, gm := seedValues(r, ts, BaseStandard, nfe), seedValues(r, ts, BaseGMM, nfe)
	if len(st) == 0 || len(gm) == 0 {
		return nil
	}
	var ref float64
	for _, x := range st {
		ref += x
	}
	ref /= float64(len(st))
	d := paired(gm, st)
	for i := range d {
		d[i] /= ref
	}
	v, desc := notAbove(d, costMargin, "relative excess of forward evaluations per step")
	// Wall times, in the cost table, are left out: on a shared machine
	// they measure the machine, and a finding is the same whichever
	// process computed its units.
	ev := fmt.Sprintf("forward evaluations per training step %s (standard), %s (GMM); %s", meanOfN(st, 1), meanOfN(gm, 1), desc)
	return []Finding{finding(r, ts, "The GMM base adds no cost to solving the flow's ODE.", "", v, ev)}
}

// Findings tests, with the numbers of every study of the report, each of
// the paper's findings that the studies cover.
func (rep *Report) Findings() []Finding {
	var out []Finding
	for _, r := range rep.Studies {
		out = append(out, r.findings()...)
	}
	return out
}

// findings tests the paper's findings that study r covers.
func (r *Results) findings() []Finding {
	st, _ := Lookup(r.Study)
	var out []Finding
	for _, ts := range trainSetsOf(r) {
		paper := ""
		if st != nil && st.paperInDist != "" {
			paper = st.paperInDist
		}
		if st == nil || !st.skipCommon {
			out = append(out, inDistFinding(r, ts, paper)...)
		}
		if st != nil && st.findings != nil {
			out = append(out, st.findings(r, ts)...)
		}
		if st == nil || !st.skipCommon {
			out = append(out, sampleFinding(r, ts)...)
			out = append(out, costFinding(r, ts)...)
		}
	}
	return out
}
