package experiment

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/mmcnf/mmcnf/cnf/data"
	"github.com/mmcnf/mmcnf/cnf/metrics"
	"github.com/mmcnf/mmcnf/internal/english"
)

// pm formats a statistic as mean ± std with the given decimals.
func pm(s metrics.Summary, decimals int) string {
	if s.N == 0 {
		return "–"
	}
	if s.N < 2 {
		return fmt.Sprintf("%.*f", decimals, s.Mean)
	}
	return fmt.Sprintf("%.*f ± %.*f", decimals, s.Mean, decimals, s.Std)
}

// table writes a Markdown table.
func table(w io.Writer, header []string, rows [][]string) {
	fmt.Fprintf(w, "| %s |\n", strings.Join(header, " | "))
	seps := make([]string, len(header))
	for i := range seps {
		seps[i] = "---"
		if i > 0 {
			seps[i] = "---:"
		}
	}
	fmt.Fprintf(w, "|%s|\n", strings.Join(seps, "|"))
	for _, r := range rows {
		fmt.Fprintf(w, "| %s |\n", strings.Join(r, " | "))
	}
	fmt.Fprintln(w)
}

// trainSetsOf lists the training sets of r in first-seen order.
func trainSetsOf(r *Results) []string {
	var out []string
	for _, g := range groups(r.Runs) {
		if len(out) == 0 || out[len(out)-1] != g.trainSet {
			out = append(out, g.trainSet)
		}
	}
	return out
}

// setsOf lists the evaluation sets of (trainSet, base standard) in order.
func setsOf(r *Results, trainSet string) []SummaryRow {
	var out []SummaryRow
	for _, s := range r.Summary {
		if s.TrainSet == trainSet && s.Base == BaseStandard {
			out = append(out, s)
		}
	}
	return out
}

// WriteMarkdown writes results.md: the paper's tables from our numbers, the
// out-of-distribution AUROC, costs, and a comparison with the paper's
// findings derived from the numbers.
func (rep *Report) WriteMarkdown(w io.Writer) error {
	fmt.Fprintln(w, "# Results")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Bits/dim are means over each evaluation set, then mean ± standard deviation over seeds (sample standard deviation).")
	fmt.Fprintln(w, "AUROC separates an out-of-distribution set (positive) from the in-distribution test data by per-sample bits/dim; 0.5 is chance, 1 is perfect.")
	fmt.Fprintln(w)
	if rep.quick() {
		fmt.Fprintln(w, "**Smoke test:** these numbers come from the reduced --quick settings; no verdict below is a conclusion.")
		fmt.Fprintln(w)
	}
	writeTests(w)
	for _, r := range rep.Studies {
		fmt.Fprintf(w, "## %s\n\n", r.Study)
		fmt.Fprintf(w, "%d run(s), settings: %s.\n\n", len(r.Runs), settingsLine(r.Settings))
		missingNote(w, r)
		if st, _ := Lookup(r.Study); st != nil && st.tables != nil {
			st.tables(w, r)
		} else {
			for _, ts := range trainSetsOf(r) {
				setTables(w, r, ts)
			}
		}
		costTable(w, r)
		convergenceTable(w, r)
		if hasConvergenceFigure(r) {
			fmt.Fprintf(w, "![Held-out bits/dim against iteration](convergence-%s.png)\n\n", r.Study)
		}
	}
	for _, r := range rep.Studies {
		if st, _ := Lookup(r.Study); st != nil && st.paperTables != nil {
			st.paperTables(w, r)
		}
	}
	table2(w, rep)
	fmt.Fprintln(w, "## The paper's findings, tested")
	fmt.Fprintln(w)
	tested := false
	for _, r := range rep.Studies {
		fs := r.findings()
		for _, f := range fs {
			fmt.Fprintf(w, "- %s\n", f.Line())
			tested = true
		}
		if st, _ := Lookup(r.Study); st != nil && st.conclusion != nil {
			fmt.Fprintln(w)
			st.conclusion(w, r, fs)
		}
	}
	if !tested {
		fmt.Fprintln(w, "No study has results to test a finding with.")
	}
	fmt.Fprintln(w)
	return nil
}

// quick reports whether any study of the report ran the smoke-test
// settings.
func (rep *Report) quick() bool {
	for _, r := range rep.Studies {
		if r.Settings.Quick {
			return true
		}
	}
	return false
}

// verdictWords is how results.md words a verdict.
func verdictWords(v Verdict) string {
	if v == DoesNotHold {
		return "does not hold here"
	}
	return string(v)
}

// Line words the finding as one line of results.md: the verdict, the
// paper's claim, our evidence and the paper's numbers; a smoke test says
// so first.
func (f Finding) Line() string {
	var b strings.Builder
	if f.SmokeTest {
		b.WriteString("smoke test, not a conclusion: ")
	}
	fmt.Fprintf(&b, "**%s**: %s", verdictWords(f.Verdict), f.Study)
	if f.TrainSet != "" && f.TrainSet != studyTitle(f.Study) {
		fmt.Fprintf(&b, ", trained on %s", f.TrainSet)
	}
	fmt.Fprintf(&b, ". %s Ours: %s.", f.Claim, f.Evidence)
	if f.Paper != "" {
		fmt.Fprintf(&b, " Paper: %s.", f.Paper)
	}
	return b.String()
}

// studyTitle is the name of a study's only training set, which findings
// need not repeat ("" for studies with several).
func studyTitle(study string) string {
	st, _ := Lookup(study)
	if st == nil || len(st.TrainSets) != 1 {
		return ""
	}
	return st.TrainSets[0].Name
}

// missingNote says which units of an incomplete study have not finished
// and, when a training set and base has none, that the figures are left
// out.
func missingNote(w io.Writer, r *Results) {
	if len(r.Missing) == 0 {
		return
	}
	var names []string
	for _, m := range r.Missing {
		names = append(names, fmt.Sprintf("%s %s seed %d", m.TrainSet, m.Base, m.Seed))
	}
	fmt.Fprintf(w, "**Incomplete:** %d of %d units had not finished and are left out: %s.",
		len(r.Missing), len(r.Missing)+len(r.Runs), strings.Join(names, ", "))
	if st, _ := Lookup(r.Study); st != nil {
		if g := lacksModel(st, r); g != "" {
			fmt.Fprintf(w, " No figures: %s has no finished unit.", g)
		}
	}
	fmt.Fprint(w, "\n\n")
}

// settingsLine summarises settings in one line.
func settingsLine(s Settings) string {
	solver := fmt.Sprintf("%s rtol=%g atol=%g", s.Solver, s.RTol, s.ATol)
	if s.Steps > 0 {
		solver = fmt.Sprintf("%s with %s", s.Solver, english.Count(s.Steps, "step"))
	}
	q := ""
	if s.Quick {
		q = ", quick (smoke test, not for conclusions)"
	}
	lr := fmt.Sprintf("lr %g", s.LR)
	if s.Anneal {
		lr += " annealed to 0 by a half cosine"
	}
	extra := ""
	if s.Moons != (data.MoonsShape{}) {
		extra += fmt.Sprintf(", moons noise %g and spacing %g (0: default)", s.Moons.Noise, s.Moons.Spacing)
	}
	if s.LearnBase {
		extra += ", learnable base"
	}
	return fmt.Sprintf("%s, %s of batch %d, %s, %s, gradient by %s, %s trace, hidden %v, %s per class, up to %s per set, %s per model (%d per class from the GMM base)%s%s",
		english.Count(s.Seeds, "seed"), english.Count(s.Iters, "iteration"), s.Batch, lr, solver, s.grad(), s.Trace, s.Hidden,
		english.Count(s.TrainPerClass, "training sample"), english.Count(s.EvalPerSet, "test sample"),
		english.Count(s.Samples, "sample"), s.classSamples(), extra, q)
}

// setTables writes bits/dim and AUROC per evaluation set for one training
// set, the two bases side by side.
func setTables(w io.Writer, r *Results, ts string) {
	header := []string{"set", "standard bits/dim", "GMM bits/dim", "standard AUROC", "GMM AUROC"}
	var rows [][]string
	for _, s := range setsOf(r, ts) {
		row := []string{s.Set}
		if s.InDistribution {
			row[0] += " (in)"
		}
		var aucs []string
		for _, b := range Bases {
			x := r.Row(ts, b, s.Set)
			if x == nil {
				row, aucs = append(row, "–"), append(aucs, "–")
				continue
			}
			row = append(row, pm(x.BitsPerDim, 3))
			if x.AUROC != nil {
				aucs = append(aucs, pm(*x.AUROC, 3))
			} else {
				aucs = append(aucs, "–")
			}
		}
		rows = append(rows, append(row, aucs...))
	}
	fmt.Fprintf(w, "Trained on %s: bits/dim and out-of-distribution AUROC per set:\n\n", ts)
	table(w, header, rows)
}

// costTable writes training time, NFE and in-distribution bits/dim per model.
func costTable(w io.Writer, r *Results) {
	header := []string{"training set", "base", "in-dist. bits/dim", "train s", "NFE fwd/iter", "NFE bwd/iter", "NFE eval"}
	var rows [][]string
	for _, m := range r.Models {
		rows = append(rows, []string{m.TrainSet, m.Base, pm(m.InDistBitsPerDim, 3), pm(m.TrainSeconds, 1),
			pm(m.NFEForward, 1), pm(m.NFEBackward, 1), pm(m.EvalNFE, 1)})
	}
	fmt.Fprintln(w, "Cost per model (mean ± std over seeds):")
	fmt.Fprintln(w)
	table(w, header, rows)
}

// table1 writes the paper's Table 1 with our numbers beside the paper's.
func table1(w io.Writer, r *Results) {
	ts := trainSetsOf(r)
	if len(ts) == 0 {
		return
	}
	fmt.Fprintln(w, "## Table 1: mean bits/dim, models trained on FashionMNIST")
	fmt.Fprintln(w)
	var rows [][]string
	for _, set := range []string{"FashionMNIST", "MNIST"} {
		row := []string{set}
		for _, b := range Bases {
			x := r.Row(ts[0], b, set)
			if x == nil {
				row = append(row, "–")
			} else {
				row = append(row, pm(x.BitsPerDim, 3))
			}
		}
		for _, b := range Bases {
			row = append(row, fmt.Sprintf("%.2f", paperTable1[set][b]))
		}
		rows = append(rows, row)
	}
	table(w, []string{"test set", "standard (ours)", "GMM (ours)", "standard (paper)", "GMM (paper)"}, rows)
}

// minAccuracy is the held-out accuracy a feature classifier needs for its
// features to mean something, by the dataset it was trained on.
var minAccuracy = map[string]float64{"mnist": 0.95, "fashion-mnist-full": 0.85}

// adequacy words whether a feature classifier's held-out accuracy
// reaches what its dataset needs.
func adequacy(ci *ClassifierInfo) string {
	want, ok := minAccuracy[ci.Source]
	switch {
	case !ok:
		return ""
	case ci.Accuracy >= want:
		return fmt.Sprintf(" (adequate: at least %.2f is needed)", want)
	}
	return fmt.Sprintf(" (**inadequate**: at least %.2f is needed, so its FD means little)", want)
}

// table2 writes the paper's Table 2 from our Frechet distances: a row per
// training set and base, the FD of all samples and, where the GMM base drew
// class-conditional samples, of each class's.
func table2(w io.Writer, rep *Report) {
	type row struct {
		r *Results
		m *ModelSummary
	}
	var ms []row
	var classes []int
	for _, r := range rep.Studies {
		for _, ts := range trainSetsOf(r) {
			for _, b := range Bases {
				m := r.Model(ts, b)
				if m == nil || m.FD == nil {
					continue
				}
				ms = append(ms, row{r, m})
				for _, c := range m.FDByClass {
					if !slices.Contains(classes, c.Class) {
						classes = append(classes, c.Class)
					}
				}
			}
		}
	}
	if len(ms) == 0 {
		return
	}
	slices.Sort(classes)
	header := []string{"training set", "base", "FD (ours)", "KID (ours)", "samples / real images", "FID (paper)"}
	for _, c := range classes {
		header = append(header, fmt.Sprintf("class %d FD", c))
	}
	var rows [][]string
	var notes []string
	for _, x := range ms {
		paper := "–"
		if st, _ := Lookup(x.r.Study); st != nil {
			if p, ok := st.paperFID[x.m.Base]; ok {
				paper = fmt.Sprintf("%.2f", p)
			}
		}
		kid := "–"
		if x.m.KID != nil {
			kid = pm(*x.m.KID, 4)
		}
		cells := []string{x.m.TrainSet, x.m.Base, pm(*x.m.FD, 2), kid, fmt.Sprintf("%d / %d", x.m.FDSamples, x.m.FDTest), paper}
		for _, c := range classes {
			cell := "–"
			for _, s := range x.m.FDByClass {
				if s.Class == c {
					cell = pm(s.Stat, 2)
				}
			}
			cells = append(cells, cell)
		}
		rows = append(rows, cells)
		if ci := x.m.Classifier; ci != nil {
			n := fmt.Sprintf("%s: feature classifier trained on %d %s images (%s), held-out accuracy %.4f on %d images%s.",
				x.r.Study, ci.TrainN, ci.Source, ci.Dir, ci.Accuracy, ci.TestN, adequacy(ci))
			if !slices.Contains(notes, n) {
				notes = append(notes, n)
			}
		}
	}
	fmt.Fprintln(w, "## Table 2: sample quality, FD (classifier features)")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Frechet distance (FD) between Gaussian fits of features of generated and real in-distribution test images (both dequantised), the features taken from a small convolutional classifier trained on the same 16x16 data, the real images as many as the samples (a seeded subset of the test images); mean ± std over seeds, lower is better. KID beside it is the unbiased kernel distance between the same features (cubic polynomial kernel): FD grows as the sample count falls, KID does not, so KID also compares across sample counts. Per-class columns compare the GMM base's class-conditional samples with that class's test images. The paper reports FID (Inception features); the scales are not comparable, only the ordering of the bases is.")
	fmt.Fprintln(w)
	table(w, header, rows)
	for _, n := range notes {
		fmt.Fprintln(w, n)
	}
	if len(notes) > 0 {
		fmt.Fprintln(w)
	}
}
