package experiment

import (
	"fmt"
	"io"
	"strings"
)

// The paper's reported numbers, shown beside ours for reference.
var (
	// paperTable1 is Table 1: mean bits/dim of models trained on
	// FashionMNIST, by test set and base.
	paperTable1 = map[string]map[string]float64{
		"FashionMNIST": {BaseStandard: 3.87, BaseGMM: 3.86},
		"MNIST":        {BaseStandard: 3.21, BaseGMM: 3.22},
	}
	// paperTable2 is Table 2: FID (Inception features) by study and base.
	paperTable2 = map[string]map[string]float64{
		"instance-mnist": {BaseStandard: 97.59, BaseGMM: 84.68},
		"subset-mnist":   {BaseStandard: 144.26, BaseGMM: 137.20},
		"fashion-mnist":  {BaseStandard: 80.73, BaseGMM: 77.25},
	}
)

// pm formats a statistic as mean ± std with the given decimals.
func pm(s Stat, decimals int) string {
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
	for _, r := range rep.Studies {
		fmt.Fprintf(w, "## %s\n\n", r.Study)
		fmt.Fprintf(w, "%d run(s), settings: %s.\n\n", len(r.Runs), settingsLine(r.Settings))
		if r.Study == "moons" {
			moonsTables(w, r)
		} else {
			for _, ts := range trainSetsOf(r) {
				setTables(w, r, ts)
			}
		}
		costTable(w, r)
	}
	if fm := rep.Study("fashion-mnist"); fm != nil {
		table1(w, fm)
	}
	table2(w, rep)
	fmt.Fprintln(w, "## Compared with the paper")
	fmt.Fprintln(w)
	for _, s := range rep.Findings() {
		fmt.Fprintf(w, "- %s\n", s)
	}
	fmt.Fprintln(w)
	return nil
}

// settingsLine summarises settings in one line.
func settingsLine(s Settings) string {
	solver := fmt.Sprintf("%s rtol=%g atol=%g", s.Solver, s.RTol, s.ATol)
	if s.Steps > 0 {
		solver = fmt.Sprintf("%s with %d steps", s.Solver, s.Steps)
	}
	q := ""
	if s.Quick {
		q = ", quick (smoke test, not for conclusions)"
	}
	return fmt.Sprintf("%d seeds, %d iterations of batch %d, lr %g, %s, %s trace, hidden %v, %d training samples per class, up to %d test samples per set%s",
		s.Seeds, s.Iters, s.Batch, s.LR, solver, s.Trace, s.Hidden, s.TrainPerClass, s.EvalPerSet, q)
}

// moonsTables writes bits/dim per class per (training set, base) and the
// AUROC of each out-of-distribution class.
func moonsTables(w io.Writer, r *Results) {
	tss := trainSetsOf(r)
	header := []string{"class"}
	for _, ts := range tss {
		for _, b := range Bases {
			header = append(header, fmt.Sprintf("%s %s", ts, b))
		}
	}
	var rows, aucRows [][]string
	for _, s := range setsOf(r, tss[0]) {
		row, arow := []string{s.Set}, []string{s.Set}
		for _, ts := range tss {
			for _, b := range Bases {
				x := r.Row(ts, b, s.Set)
				if x == nil {
					row, arow = append(row, "–"), append(arow, "–")
					continue
				}
				cell := pm(x.BitsPerDim, 3)
				if x.InDistribution {
					cell = "**" + cell + "** (in)"
				}
				row = append(row, cell)
				if x.AUROC != nil {
					arow = append(arow, pm(*x.AUROC, 3))
				} else {
					arow = append(arow, "(in)")
				}
			}
		}
		rows, aucRows = append(rows, row), append(aucRows, arow)
	}
	fmt.Fprintln(w, "Bits/dim per class (paper's Figure 2; in-distribution classes in bold):")
	fmt.Fprintln(w)
	table(w, header, rows)
	fmt.Fprintln(w, "Out-of-distribution AUROC per class:")
	fmt.Fprintln(w)
	table(w, header, aucRows)
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

// table2 writes the paper's Table 2 from our Frechet distances.
func table2(w io.Writer, rep *Report) {
	var rows [][]string
	for _, r := range rep.Studies {
		for _, ts := range trainSetsOf(r) {
			st, gm := r.Model(ts, BaseStandard), r.Model(ts, BaseGMM)
			if st == nil || gm == nil || st.FD == nil || gm.FD == nil {
				continue
			}
			p := paperTable2[r.Study]
			rows = append(rows, []string{ts, pm(*st.FD, 2), pm(*gm.FD, 2),
				fmt.Sprintf("%.2f", p[BaseStandard]), fmt.Sprintf("%.2f", p[BaseGMM])})
		}
	}
	if len(rows) == 0 {
		return
	}
	fmt.Fprintln(w, "## Table 2: sample quality, FD (classifier features)")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Frechet distance between Gaussian fits of features of generated and real test images, the features taken from a small convolutional classifier trained on the same 16x16 data. The paper reports FID (Inception features); the two scales are not comparable, only the ordering of the bases is.")
	fmt.Fprintln(w)
	table(w, []string{"training set", "standard FD (ours)", "GMM FD (ours)", "standard FID (paper)", "GMM FID (paper)"}, rows)
}
