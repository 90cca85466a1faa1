package experiment

import (
	"bytes"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mmcnf/mmcnf/cnf/data"
)

// TestTInterval checks the interval against a hand computation: values
// 1, 2, 3 have mean 2 and standard error 1/sqrt(3), and the 0.975
// quantile of Student's t with 2 degrees of freedom is 4.302652729911275.
func TestTInterval(t *testing.T) {
	iv, ok := tInterval([]float64{1, 2, 3})
	half := 4.302652729911275 / math.Sqrt(3)
	if !ok || iv.n != 3 || math.Abs(iv.mean-2) > 1e-15 || math.Abs(iv.lo-(2-half)) > 1e-9 || math.Abs(iv.hi-(2+half)) > 1e-9 {
		t.Errorf("interval of 1, 2, 3: %+v, want 2 ± %.9f", iv, half)
	}
	if _, ok := tInterval([]float64{1}); ok {
		t.Error("an interval from one value")
	}
}

// TestVerdictTests puts each test to cases that hold, do not hold and
// are inconclusive.
func TestVerdictTests(t *testing.T) {
	for _, c := range []struct {
		name string
		got  Verdict
		want Verdict
	}{
		{"comparable, tight and small", first(comparable([]float64{0.010, 0.012, 0.011}, 0.05)), Holds},
		{"comparable, tight and large", first(comparable([]float64{0.30, 0.31, 0.32}, 0.05)), DoesNotHold},
		{"comparable, tight and large negative", first(comparable([]float64{-0.30, -0.31, -0.32}, 0.05)), DoesNotHold},
		{"comparable, wide", first(comparable([]float64{-0.1, 0.0, 0.1}, 0.05)), Inconclusive},
		{"comparable, one seed", first(comparable([]float64{0}, 0.05)), Inconclusive},
		{"not above, well below", first(notAbove([]float64{-0.3, -0.2, -0.25}, 0.1, "x")), Holds},
		{"not above, well above", first(notAbove([]float64{0.5, 0.6, 0.55}, 0.1, "x")), DoesNotHold},
		{"not above, straddling", first(notAbove([]float64{0.0, 0.2, 0.1}, 0.1, "x")), Inconclusive},
		{"ordered, every seed", first(ordered([]float64{0.1, 0.01, 2})), Holds},
		{"ordered, no seed", first(ordered([]float64{-0.1, 0, -2})), DoesNotHold},
		{"ordered, seeds disagree", first(ordered([]float64{0.1, -0.1, 0.2})), Inconclusive},
		{"ordered, one seed", first(ordered([]float64{1})), Inconclusive},
		{"every seed, all", first(everySeed([]bool{true, true}, "x")), Holds},
		{"every seed, none", first(everySeed([]bool{false, false, false}, "x")), DoesNotHold},
		{"every seed, some", first(everySeed([]bool{true, false, true}, "x")), Inconclusive},
		{"AUROC above, is above", first(aurocSide([]float64{0.99, 0.98, 1}, true)), Holds},
		{"AUROC above, is below", first(aurocSide([]float64{0.5, 0.52, 0.48}, true)), DoesNotHold},
		{"AUROC below, is below", first(aurocSide([]float64{0.5, 0.52, 0.48}, false)), Holds},
		{"AUROC below, is above", first(aurocSide([]float64{0.99, 0.98, 1}, false)), DoesNotHold},
		{"AUROC straddling", first(aurocSide([]float64{0.6, 0.9, 0.75}, true)), Inconclusive},
	} {
		if c.got != c.want {
			t.Errorf("%s: %s, want %s", c.name, c.got, c.want)
		}
	}
}

// first returns the verdict of a test's result.
func first(v Verdict, _ string) Verdict { return v }

// synthMoons builds moons results for seeds 0..n-1 whose numbers follow
// the given functions of (training set, base, seed): the in-distribution
// bits/dim, each out-of-distribution class's bits/dim and the AUROC of
// every out-of-distribution class.
func synthMoons(n int, quick bool, inBPD, oodBPD, auroc func(ts, base string, class, seed int) float64) *Results {
	return synthStudy("moons", n, quick, inBPD, oodBPD, auroc)
}

// synthStudy is synthMoons for the named moons study.
func synthStudy(study string, n int, quick bool, inBPD, oodBPD, auroc func(ts, base string, class, seed int) float64) *Results {
	st, _ := Lookup(study)
	s := st.Defaults
	s.Seeds, s.Quick = n, quick
	res := &Results{Study: study, Settings: s}
	for _, u := range st.Units(n) {
		r := RunResult{Study: study, TrainSet: u.TrainSet.Name, Base: u.Base, Seed: u.Seed, Settings: u.Settings(s), NFEForward: 100}
		for c := range 6 {
			in := c == u.TrainSet.Classes[0] || c == u.TrainSet.Classes[1]
			sr := SetResult{Name: classSet(c), InDistribution: in, N: 100}
			if in {
				sr.BitsPerDim = inBPD(u.TrainSet.Name, u.Base, c, u.Seed)
			} else {
				sr.BitsPerDim = oodBPD(u.TrainSet.Name, u.Base, c, u.Seed)
				a := auroc(u.TrainSet.Name, u.Base, c, u.Seed)
				sr.AUROC = &a
			}
			r.Sets = append(r.Sets, sr)
		}
		res.Runs = append(res.Runs, r)
	}
	var err error
	if res.Summary, res.Models, err = Summarise(res.Runs); err != nil {
		panic(err)
	}
	return res
}

// findingOf returns the finding of (train set, claim prefix).
func findingOf(t *testing.T, fs []Finding, ts, claim string) Finding {
	t.Helper()
	for _, f := range fs {
		if f.TrainSet == ts && strings.HasPrefix(f.Claim, claim) {
			return f
		}
	}
	t.Fatalf("no finding %q for %s among %d", claim, ts, len(fs))
	return Finding{}
}

// TestMoonsVerdicts builds moons results in which, by construction, the
// bases' in-distribution bits/dim are comparable (holds), the GMM base
// gives lower out-of-distribution bits/dim than the standard base in
// every seed (does not hold), the standard base's inner-mode AUROC
// straddles the threshold over seeds (inconclusive) and the GMM base's
// lies well above it (holds), and checks each verdict and its wording.
func TestMoonsVerdicts(t *testing.T) {
	inBPD := func(ts, base string, _, seed int) float64 {
		v := 1.5 + 0.01*float64(seed)
		if base == BaseGMM {
			v += 0.002
		}
		return v
	}
	oodBPD := func(ts, base string, class, seed int) float64 {
		v := 5 + float64(class) + 0.1*float64(seed)
		if base == BaseGMM {
			v -= 0.5
		}
		return v
	}
	auroc := func(ts, base string, class, seed int) float64 {
		if base == BaseGMM {
			return 0.99
		}
		return []float64{0.6, 0.9, 0.75}[seed]
	}
	res := synthMoons(3, false, inBPD, oodBPD, auroc)
	fs := res.findings()
	for _, c := range []struct {
		ts, claim string
		want      Verdict
	}{
		{"D{4,5}", "In-distribution bits/dim are comparable", Holds},
		{"D{0,1}", "In-distribution bits/dim are comparable", Holds},
		{"D{4,5}", "The GMM base assigns higher bits/dim", DoesNotHold},
		{"D{4,5}", "Trained on D{4,5}, the standard base scores the inner modes", Inconclusive},
		{"D{4,5}", "Trained on D{4,5}, the GMM base scores the inner modes 0-3 as out", Holds},
		// oodBPD grows with the class: on D{4,5} the far pair {0,1} is
		// below the near pair {2,3}, on D{0,1} the far pair {4,5} above.
		{"D{4,5}", "Bits/dim grow with a mode's distance from the training modes: the farther pair above the nearer (standard", DoesNotHold},
		{"D{0,1}", "Bits/dim grow with a mode's distance from the training modes: the farther pair above the nearer (GMM", Holds},
		{"D{0,1}", "The GMM base adds no cost", Holds},
	} {
		if f := findingOf(t, fs, c.ts, c.claim); f.Verdict != c.want {
			t.Errorf("%s, %q: %s, want %s (%s)", c.ts, c.claim, f.Verdict, c.want, f.Evidence)
		}
	}
	var buf bytes.Buffer
	rep := &Report{Studies: []*Results{res}}
	if err := rep.WriteMarkdown(&buf); err != nil {
		t.Fatal(err)
	}
	text := buf.String()
	for _, want := range []string{
		"## How the findings are judged",
		"- **does not hold here**: moons, trained on D{4,5}. The GMM base assigns higher bits/dim",
		"- **holds**: moons, trained on D{4,5}. In-distribution bits/dim are comparable",
		"- **inconclusive**: moons, trained on D{4,5}. Trained on D{4,5}, the standard base scores",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("results.md lacks %q", want)
		}
	}
	for _, banned := range []string{"as the paper reports", "smoke test"} {
		if strings.Contains(text, banned) {
			t.Errorf("results.md says %q", banned)
		}
	}
	if t.Failed() {
		t.Log(text)
	}
}

// TestQuickFindingsSaySmokeTest: every finding line of a --quick report
// says smoke test, whatever its verdict.
func TestQuickFindingsSaySmokeTest(t *testing.T) {
	flat := func(ts, base string, class, seed int) float64 { return 1 + 0.01*float64(seed) }
	high := func(ts, base string, class, seed int) float64 { return 0.99 }
	res := synthMoons(3, true, flat, func(ts, base string, c, s int) float64 { return 3 + flat(ts, base, c, s) }, high)
	var buf bytes.Buffer
	if err := (&Report{Studies: []*Results{res}}).WriteMarkdown(&buf); err != nil {
		t.Fatal(err)
	}
	_, tested, ok := strings.Cut(buf.String(), "## The paper's findings, tested")
	if !ok {
		t.Fatal("no findings section")
	}
	lines := 0
	for _, l := range strings.Split(tested, "\n") {
		if !strings.HasPrefix(l, "- ") {
			continue
		}
		lines++
		if !strings.HasPrefix(l, "- smoke test, not a conclusion: ") {
			t.Errorf("finding line without smoke test: %s", l)
		}
	}
	if lines < 8 {
		t.Errorf("%d finding lines, want at least 8", lines)
	}
}

// TestFashionFindingsQuoteTable1: the FashionMNIST findings quote the
// paper's Table 1 and, with MNIST scored above FashionMNIST in every
// seed, say that MNIST getting lower bits/dim does not hold here.
func TestFashionFindingsQuoteTable1(t *testing.T) {
	st, _ := Lookup("fashion-mnist")
	s := st.Defaults
	s.Seeds = 2
	res := &Results{Study: "fashion-mnist", Settings: s}
	for _, u := range st.Units(2) {
		a := 0.6
		res.Runs = append(res.Runs, RunResult{Study: u.Study, TrainSet: u.TrainSet.Name, Base: u.Base, Seed: u.Seed, Settings: s,
			Sets: []SetResult{{Name: "FashionMNIST", InDistribution: true, N: 10, BitsPerDim: 3.8 + 0.01*float64(u.Seed)},
				{Name: "MNIST", N: 10, BitsPerDim: 4.5, AUROC: &a}}})
	}
	var err error
	if res.Summary, res.Models, err = Summarise(res.Runs); err != nil {
		t.Fatal(err)
	}
	fs := res.findings()
	in := findingOf(t, fs, "FashionMNIST", "In-distribution bits/dim")
	if !strings.Contains(in.Paper, "3.87") || !strings.Contains(in.Paper, "3.86") {
		t.Errorf("in-distribution finding quotes %q, want Table 1's 3.87 and 3.86", in.Paper)
	}
	m := findingOf(t, fs, "FashionMNIST", "MNIST gets lower bits/dim")
	if m.Verdict != DoesNotHold || !strings.Contains(m.Paper, "3.21") {
		t.Errorf("MNIST finding: %s, paper %q; want does not hold, quoting 3.21", m.Verdict, m.Paper)
	}
	if h := findingOf(t, fs, "FashionMNIST", "The GMM base does not help"); h.Verdict != Holds {
		t.Errorf("equal AUROCs: no help %s, want holds", h.Verdict)
	}
}

// TestSensitivityConclusion builds sensitivity results in which, by
// construction, the standard base fails (inner AUROC 0.5) at noise 0.3
// and at a tenth of the iterations, the GMM base fails too at noise 0.3,
// and the standard base's AUROC straddles the threshold at spacing 0.5;
// the report must name exactly these, say "nowhere" when nothing fails,
// and not say so when one seed leaves every setting undecided.
func TestSensitivityConclusion(t *testing.T) {
	in := func(ts, base string, class, seed int) float64 { return 1.5 }
	ood := func(ts, base string, class, seed int) float64 { return 6 }
	auroc := func(ts, base string, class, seed int) float64 {
		switch {
		case ts == "D{4,5}, noise 0.3" && base == BaseGMM:
			return 0.55
		case ts == "D{4,5}, noise 0.3" && base == BaseStandard, ts == "D{4,5}, 0.1 of the iterations" && base == BaseStandard:
			return 0.5 + 0.01*float64(seed)
		case ts == "D{4,5}, spacing 0.5" && base == BaseStandard:
			return []float64{0.6, 0.9, 0.75}[seed]
		}
		return 0.99
	}
	res := synthStudy("moons-sensitivity", 3, false, in, ood, auroc)
	var buf bytes.Buffer
	if err := (&Report{Studies: []*Results{res}}).WriteMarkdown(&buf); err != nil {
		t.Fatal(err)
	}
	text := buf.String()
	iters := sensitivityStudy().Defaults.Iters
	for _, want := range []string{
		"**The standard-base failure appears at: noise 0.3; 0.1 of the iterations.** The GMM base avoids it at: 0.1 of the iterations; fails too at: noise 0.3; inconclusive at: spacing 0.5.",
		fmt.Sprintf("| noise | 0.3 | %d | 0.510 ± 0.010 | 0.550 ± 0.000 |", iters),
		fmt.Sprintf("| iterations | %d | %d | 0.510 ± 0.010 | 0.990 ± 0.000 |", iters/10, iters/10),
		"appears | fails too |",
		"- **holds**: moons-sensitivity, trained on D{4,5}, noise 0.3. The standard base scores the inner modes 0-3 as in-distribution.",
		"- **does not hold here**: moons-sensitivity, trained on D{4,5}, noise 0.3. The GMM base scores the inner modes 0-3 as out-of-distribution.",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("results.md lacks %q", want)
		}
	}
	if strings.Contains(text, "In-distribution bits/dim are comparable") {
		t.Error("the sensitivity study tests the findings every study tests")
	}
	if t.Failed() {
		t.Log(text)
	}
	out := t.TempDir()
	if err := sensitivityFigure(out, res); err != nil {
		t.Fatal(err)
	}
	checkFigure(t, filepath.Join(out, "sensitivity-moons-sensitivity"))

	fine := synthStudy("moons-sensitivity", 3, false, in, ood, func(string, string, int, int) float64 { return 0.99 })
	buf.Reset()
	if err := (&Report{Studies: []*Results{fine}}).WriteMarkdown(&buf); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "**Where the standard-base failure appears: nowhere in this range.**") {
		t.Errorf("no failure anywhere, but the report does not say so:\n%s", buf.String())
	}
	one := synthStudy("moons-sensitivity", 1, true, in, ood, func(string, string, int, int) float64 { return 0.99 })
	buf.Reset()
	if err := (&Report{Studies: []*Results{one}}).WriteMarkdown(&buf); err != nil {
		t.Fatal(err)
	}
	if text := buf.String(); strings.Contains(text, "nowhere") ||
		!strings.Contains(text, "Smoke test, not a conclusion: **Where the standard-base failure appears: at no setting where the test decides.** It is absent at: none; inconclusive at: defaults;") {
		t.Errorf("one seed decides nothing, but the report concludes:\n%s", text)
	}
}

// TestVariedSettings: a sensitivity study's units train with their
// training set's settings, which the run records and checks.
func TestVariedSettings(t *testing.T) {
	st, _ := Lookup("moons-sensitivity")
	s, err := st.Settings(false, Overrides{Seeds: 3, Iters: 2000})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]Settings{}
	for _, u := range st.Units(1) {
		got[u.TrainSet.Slug] = u.Settings(s)
	}
	if c := got["defaults"]; c.Iters != 2000 || c.Moons != (data.MoonsShape{}) || c.LearnBase {
		t.Errorf("the centre varies the settings: %+v", c)
	}
	if v := got["noise-0.3"]; v.Moons.Noise != 0.3 || v.Moons.Spacing != 0 || v.Iters != 2000 {
		t.Errorf("noise 0.3: %+v", v)
	}
	if v := got["spacing-0.5"]; v.Moons.Spacing != 0.5 || v.Moons.Noise != 0 {
		t.Errorf("spacing 0.5: %+v", v)
	}
	if v := got["iters-0.1"]; v.Iters != 200 || v.CheckpointEvery > 200 {
		t.Errorf("a tenth of 2000 iterations: %d, checkpoints every %d", v.Iters, v.CheckpointEvery)
	}
	if v := got["learn-base"]; !v.LearnBase {
		t.Error("the learnable base is not learnt")
	}
	// The options of a unit carry the varied settings to the recipe.
	for _, u := range st.Units(1) {
		if u.TrainSet.Slug != "noise-0.3" {
			continue
		}
		o := u.Settings(s).options(st, u, "")
		if o.Data.Name != "moons" || o.Data.Moons.Noise != 0.3 || o.Train.Iters != 2000 || o.Train.Adam.Anneal != 2000 {
			t.Errorf("recipe options of noise 0.3: data %+v, iters %d, anneal %d", o.Data, o.Train.Iters, o.Train.Adam.Anneal)
		}
	}
}
