package experiment

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strings"

	"gonum.org/v1/gonum/stat/distuv"
)

// Verdict is the outcome of putting one of the paper's findings to the
// test with our numbers.
type Verdict string

// The three verdicts.
const (
	Holds        Verdict = "holds"
	DoesNotHold  Verdict = "does not hold"
	Inconclusive Verdict = "inconclusive"
)

// Margins and thresholds of the tests (stated in every report by
// writeTests).
const (
	// bpdMargin is the largest difference of bits/dim that counts as
	// comparable: five times the standard deviations over runs, of the
	// order of 0.01, that the paper states for its Table 1.
	bpdMargin = 0.05
	// costMargin is the relative excess of forward evaluations per
	// training step that still counts as no extra cost.
	costMargin = 0.10
	// aurocMargin is the largest difference of AUROC that counts as no
	// help for out-of-distribution detection.
	aurocMargin = 0.05
	// aurocThreshold separates "scored as in-distribution" (below) from
	// "scored as out-of-distribution" (above): halfway between chance
	// and perfect separation.
	aurocThreshold = 0.75
	// confidence is the two-sided level of the t-intervals.
	confidence = 0.95
)

// interval is a t-interval of a mean over seeds.
type interval struct {
	mean, lo, hi float64
	n            int
}

// tInterval returns the two-sided 95% Student t-interval of the mean of
// xs, one value per seed; false with fewer than two values.
func tInterval(xs []float64) (interval, bool) {
	n := len(xs)
	if n < 2 {
		return interval{n: n}, false
	}
	var sum float64
	for _, x := range xs {
		sum += x
	}
	mean := sum / float64(n)
	var ss float64
	for _, x := range xs {
		ss += (x - mean) * (x - mean)
	}
	se := math.Sqrt(ss / float64(n-1) / float64(n))
	q := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(n - 1)}.Quantile(1 - (1-confidence)/2)
	return interval{mean: mean, lo: mean - q*se, hi: mean + q*se, n: n}, true
}

// String formats the interval with three decimals.
func (iv interval) String() string {
	return fmt.Sprintf("%+.3f, 95%% interval [%+.3f, %+.3f] over %d seeds", iv.mean, iv.lo, iv.hi, iv.n)
}

// comparable tests "the two are comparable" on per-seed differences d:
// holds when the interval of their mean lies within ±margin, does not
// hold when it lies wholly outside, and is inconclusive otherwise.
func comparable(d []float64, margin float64) (Verdict, string) {
	iv, ok := tInterval(d)
	if !ok {
		return Inconclusive, fmt.Sprintf("difference %s", oneSeed(d))
	}
	v := Inconclusive
	switch {
	case iv.lo >= -margin && iv.hi <= margin:
		v = Holds
	case iv.lo > margin || iv.hi < -margin:
		v = DoesNotHold
	}
	return v, fmt.Sprintf("difference %s; comparable means within ±%g", iv, margin)
}

// notAbove tests "d is at most margin" (no extra cost, no help) on
// per-seed values d: holds when the upper end of the interval of their
// mean is at most margin, does not hold when its lower end exceeds it.
func notAbove(d []float64, margin float64, unit string) (Verdict, string) {
	iv, ok := tInterval(d)
	if !ok {
		return Inconclusive, fmt.Sprintf("%s %s", unit, oneSeed(d))
	}
	v := Inconclusive
	switch {
	case iv.hi <= margin:
		v = Holds
	case iv.lo > margin:
		v = DoesNotHold
	}
	return v, fmt.Sprintf("%s %s; the finding allows up to %+g", unit, iv, margin)
}

// ordered tests "a is above b" on per-seed differences d = a - b: holds
// when every seed has d > 0, does not hold when every seed has d <= 0,
// and is inconclusive when seeds disagree or there is only one.
func ordered(d []float64) (Verdict, string) {
	above := make([]bool, len(d))
	for i, x := range d {
		above[i] = x > 0
	}
	v, desc := everySeed(above, "higher")
	if iv, ok := tInterval(d); ok {
		desc += fmt.Sprintf(", mean difference %s", iv)
	} else {
		desc += fmt.Sprintf(", difference %s", oneSeed(d))
	}
	return v, desc
}

// everySeed tests a property of each seed: holds when every seed has
// it, does not hold when none has, inconclusive otherwise.
func everySeed(flags []bool, what string) (Verdict, string) {
	k := 0
	for _, f := range flags {
		if f {
			k++
		}
	}
	desc := fmt.Sprintf("%s in %d of %d seeds", what, k, len(flags))
	switch {
	case len(flags) < 2:
		return Inconclusive, desc
	case k == len(flags):
		return Holds, desc
	case k == 0:
		return DoesNotHold, desc
	}
	return Inconclusive, desc
}

// aurocSide tests whether per-seed AUROCs lie above the threshold (above
// true: "scored as out-of-distribution") or below it ("scored as
// in-distribution"), by the interval of their mean.
func aurocSide(aucs []float64, above bool) (Verdict, string) {
	iv, ok := tInterval(aucs)
	if !ok {
		return Inconclusive, fmt.Sprintf("AUROC %s", oneSeed(aucs))
	}
	desc := fmt.Sprintf("AUROC %.3f, 95%% interval [%.3f, %.3f] over %d seeds, against %g", iv.mean, iv.lo, iv.hi, iv.n, aurocThreshold)
	isAbove, isBelow := iv.lo > aurocThreshold, iv.hi < aurocThreshold
	switch {
	case above && isAbove, !above && isBelow:
		return Holds, desc
	case above && isBelow, !above && isAbove:
		return DoesNotHold, desc
	}
	return Inconclusive, desc
}

// oneSeed words values that cannot be judged: none, or one seed's.
func oneSeed(xs []float64) string {
	if len(xs) == 0 {
		return "not measured"
	}
	var parts []string
	for _, x := range xs {
		parts = append(parts, fmt.Sprintf("%+.3f", x))
	}
	return strings.Join(parts, ", ") + " (one seed: no spread over seeds to judge by)"
}

// seedValues returns f of each run of (ts, base) that has a value, by
// seed.
func seedValues(r *Results, ts, base string, f func(*RunResult) (float64, bool)) map[int]float64 {
	out := map[int]float64{}
	for i := range r.Runs {
		x := &r.Runs[i]
		if x.TrainSet != ts || x.Base != base {
			continue
		}
		if v, ok := f(x); ok {
			out[x.Seed] = v
		}
	}
	return out
}

// bySeed lists the values of m in ascending order of seed.
func bySeed(m map[int]float64) []float64 {
	var seeds []int
	for s := range m {
		seeds = append(seeds, s)
	}
	slices.Sort(seeds)
	out := make([]float64, len(seeds))
	for i, s := range seeds {
		out[i] = m[s]
	}
	return out
}

// paired returns a - b seed by seed, for the seeds both have, in
// ascending order of seed.
func paired(a, b map[int]float64) []float64 {
	d := map[int]float64{}
	for s, x := range a {
		if y, ok := b[s]; ok {
			d[s] = x - y
		}
	}
	return bySeed(d)
}

// inDistBPD is a run's mean in-distribution bits/dim, each set weighted
// by its size.
func inDistBPD(r *RunResult) (float64, bool) {
	var sum float64
	var n int
	for _, s := range r.Sets {
		if s.InDistribution {
			sum += s.BitsPerDim * float64(s.N)
			n += s.N
		}
	}
	if n == 0 {
		return 0, false
	}
	return sum / float64(n), true
}

// setMean is the mean over the named sets of a run of what f takes from
// each; false if a set is missing or f has no value for it.
func setMean(names []string, f func(*SetResult) (float64, bool)) func(*RunResult) (float64, bool) {
	return func(r *RunResult) (float64, bool) {
		if len(names) == 0 {
			return 0, false
		}
		var sum float64
		for _, n := range names {
			s := r.Set(n)
			if s == nil {
				return 0, false
			}
			v, ok := f(s)
			if !ok {
				return 0, false
			}
			sum += v
		}
		return sum / float64(len(names)), true
	}
}

// bpdOf is a set's mean bits/dim.
func bpdOf(s *SetResult) (float64, bool) { return s.BitsPerDim, true }

// aurocOf is a set's AUROC, where it has one.
func aurocOf(s *SetResult) (float64, bool) {
	if s.AUROC == nil {
		return 0, false
	}
	return *s.AUROC, true
}

// trueAUROCOf is the AUROC of the data's own density on a set, where known.
func trueAUROCOf(s *SetResult) (float64, bool) {
	if s.TrueAUROC == nil {
		return 0, false
	}
	return *s.TrueAUROC, true
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

// oodSetNames lists the out-of-distribution sets of (ts, base) in the
// order of the summary, those of only when given.
func oodSetNames(r *Results, ts, base string, only func(string) bool) []string {
	var out []string
	for _, s := range oodRows(r, ts, base) {
		if only == nil || only(s.Set) {
			out = append(out, s.Set)
		}
	}
	return out
}

// writeTests states once, at the top of a report, how every verdict is
// reached and what the tests cannot tell.
func writeTests(w io.Writer) {
	q := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: 2}.Quantile(1 - (1-confidence)/2)
	fmt.Fprintf(w, `## How the findings are judged

Each of the paper's findings below ends with a verdict: **holds**, **does not hold here** or
**inconclusive**, computed from the numbers of this report by one of these tests. Units with
the same seed share their data, so two models are compared seed by seed (paired differences),
and every interval is the two-sided %g%% Student t-interval of a mean over seeds.

- *Comparable* (e.g. in-distribution bits/dim of the two bases): holds when the interval of
  the mean difference lies within ±%g bits/dim, five times the standard deviations of about
  0.01 that the paper states for its Table 1; does not hold when it lies wholly outside.
- *No extra cost* (the GMM base's forward evaluations per training step) and *no help*
  (the GMM base's out-of-distribution AUROC): holds when the upper end of the interval of the
  mean excess is at most %g%% of the standard base's cost, or %g of AUROC; does not hold
  when its lower end is above that.
- *Ordering* (e.g. the GMM base gives higher bits/dim than the standard base): holds when the
  ordering holds in every seed, does not hold when it fails in every seed, inconclusive when
  seeds disagree. With n seeds, chance alone orders every seed the same way with
  probability 2^(1-n), 0.25 for 3 seeds: a weak test, so the mean difference and its interval
  are given beside it.
- *Scored as in-distribution* or *as out-of-distribution*: the per-seed AUROC (mean over the
  sets the finding names) against %g, halfway between chance (0.5) and perfect separation
  (1): holds when the whole interval lies on the claimed side, does not hold when it lies on
  the other.

With 3 seeds the t quantile is %.2f (2 degrees of freedom), so intervals are wide: a small
real difference comes out inconclusive rather than holding or not. One seed decides nothing:
every verdict is then inconclusive. Where the paper gives numbers (Table 1, Table 2) they are
quoted; our Frechet distance is on our own classifier's features, so of Table 2 only the
ordering of the bases compares.

`, confidence*100, bpdMargin, costMargin*100, aurocMargin, aurocThreshold, q)
}
