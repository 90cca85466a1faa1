package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/mmcnf/mmcnf/cnf/data"
	"github.com/mmcnf/mmcnf/cnf/metrics"
	"github.com/mmcnf/mmcnf/cnf/recipe"
	"github.com/mmcnf/mmcnf/internal/atomicfile"
)

// evalFlags binds the flags of `mmcnf eval`.
type evalFlags struct {
	modelFlags
	data   recipe.DataOptions
	asJSON bool
}

// newEvalFlags declares the flags of `mmcnf eval`.
func newEvalFlags(e *evalFlags) *cmdFlags {
	f := newFlags("eval", "mmcnf eval --model DIR [--data NAME|FILE.csv|FILE.npy] [--json] [--out per-sample.csv] [flags]",
		`Prints the mean log-likelihood (nats) and bits/dim of a trained flow on a dataset's
test split and each of its out-of-distribution splits, per class and per split,
scoring by the whole base (the mixture for a GMM base), and the AUROC of telling
each out-of-distribution split from the test split by bits/dim. The dataset
settings default to those of the training run (run.json in DIR); a .csv or .npy
file of points is scored as one split. --json prints the same as one JSON object,
with the function evaluations of the solves. --out writes one line per point:
split, index, label, log_likelihood, bits_per_dim.`)
	dataFlags(f, &e.data)
	e.bind(f, "CSV file of per-point values (none: not written)",
		fmt.Sprintf("seed of the dequantisation and trace noise (default: the training seed in run.json, else %d)", recipe.DefaultEvalSeed),
		fmt.Sprintf("points per solve, which sets an adaptive solver's steps (default: eval_batch in run.json, else %d)", recipe.DefaultEvalBatch))
	f.BoolVar(&e.asJSON, "json", false, "print one JSON object instead of a table")
	return f
}

// cmdEval runs `mmcnf eval`.
func cmdEval(args []string, stdout, stderr io.Writer) error {
	var e evalFlags
	f := newEvalFlags(&e)
	if done, err := f.parse(args, stdout); done || err != nil {
		return err
	}
	if e.out != "" && strings.ToLower(filepath.Ext(e.out)) != ".csv" {
		return f.errorf("--out %s: per-sample values are written as .csv", e.out)
	}
	m, run, err := e.open(f)
	if err != nil {
		return err
	}
	batch, seed := recipe.EvalDefaults(run)
	if !f.set("batch") {
		e.batch = batch
	}
	if !f.set("seed") {
		e.seed = seed
	}
	set, d, err := recipe.DataFor(e.data, run, f.set)
	if err != nil {
		return f.failure(err)
	}
	if e.out != "" && data.IsPointFile(d.Name) && sameFile(e.out, d.Name) {
		return f.errorf("--out %s is the file of points being scored (--data %s); choose another file", e.out, d.Name)
	}
	scores, err := recipe.Evaluate(context.Background(), m, set, e.batch, e.seed)
	var rep evalReport
	if err == nil {
		rep, err = newEvalReport(e.model, d.Name, e.seed, e.batch, scores)
	}
	if err == nil && e.out != "" {
		err = atomicfile.WriteBytes(e.out, scoresCSV(scores))
	}
	if err != nil {
		return f.failure(err)
	}
	if e.asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	fmt.Fprintf(stdout, "model %s on %s (log-likelihood in nats, mean per point; AUROC of each out-of-distribution split against %s by bits/dim)\n",
		e.model, d.Name, rep.inDistName())
	if _, err := stdout.Write(rep.table()); err != nil {
		return err
	}
	_, err = io.WriteString(stdout, solvesLine(scores, e.batch))
	return err
}

// solvesLine says how many function evaluations the solves of scores
// made: in all, and per solve of at most batch points.
func solvesLine(scores []recipe.Score, batch int) string {
	var nfe, solves int
	for _, s := range scores {
		nfe += s.NFE
		solves += s.Solves
	}
	return fmt.Sprintf("function evaluations: %d in %d solves of at most %d points, %.1f per solve\n",
		nfe, solves, batch, float64(nfe)/float64(solves))
}

// evalReport is what eval prints: the means of every split and of its
// classes, with the AUROC of each out-of-distribution split against the
// in-distribution split.
type evalReport struct {
	Model  string        `json:"model"`
	Data   string        `json:"data"`
	Seed   uint64        `json:"seed"`
	Batch  int           `json:"batch"`
	Splits []splitReport `json:"splits"`
}

// groupStats are the means over a group of points.
type groupStats struct {
	N int `json:"n"`
	// LogLikelihood is the mean log-likelihood in nats.
	LogLikelihood float64 `json:"log_likelihood"`
	BitsPerDim    float64 `json:"bits_per_dim"`
}

// splitReport summarises one split.
type splitReport struct {
	Split          string `json:"split"`
	InDistribution bool   `json:"in_distribution"`
	groupStats
	// NFE counts the function evaluations of the split's Solves solves.
	NFE    int `json:"nfe"`
	Solves int `json:"solves"`
	// AUROC tells the split from the in-distribution split by bits/dim
	// (out-of-distribution splits only).
	AUROC   *float64      `json:"auroc,omitempty"`
	Classes []classReport `json:"classes"`
}

// classReport summarises the points of one class of a split.
type classReport struct {
	Class int `json:"class"`
	groupStats
}

// statsOf returns the means of the points of s that keep selects.
func statsOf(s recipe.Score, keep func(i int) bool) groupStats {
	var g groupStats
	for i, l := range s.LogP {
		if keep(i) {
			g.N++
			g.LogLikelihood += l
			g.BitsPerDim += s.BitsPerDim[i]
		}
	}
	g.LogLikelihood /= float64(g.N)
	g.BitsPerDim /= float64(g.N)
	return g
}

// newEvalReport summarises the scores of a model per split and class.
func newEvalReport(model, data string, seed uint64, batch int, scores []recipe.Score) (evalReport, error) {
	rep := evalReport{Model: model, Data: data, Seed: seed, Batch: batch}
	var in []float64
	for _, s := range scores {
		if s.InDistribution {
			in = s.BitsPerDim
		}
	}
	for _, s := range scores {
		sr := splitReport{Split: s.Split, InDistribution: s.InDistribution, NFE: s.NFE, Solves: s.Solves,
			groupStats: statsOf(s, func(int) bool { return true })}
		for _, c := range slices.Compact(slices.Sorted(slices.Values(s.Labels))) {
			sr.Classes = append(sr.Classes, classReport{Class: c, groupStats: statsOf(s, func(i int) bool { return s.Labels[i] == c })})
		}
		if !s.InDistribution && in != nil {
			a, err := metrics.AUROC(in, s.BitsPerDim)
			if err != nil {
				return rep, fmt.Errorf("split %s: %w", s.Split, err)
			}
			sr.AUROC = &a
		}
		rep.Splits = append(rep.Splits, sr)
	}
	return rep, nil
}

// inDistName names the in-distribution split ("none" without one).
func (r *evalReport) inDistName() string {
	for _, s := range r.Splits {
		if s.InDistribution {
			return s.Split
		}
	}
	return "none"
}

// table lays out the report: a row per class of each split and, for a
// split of several classes, a row of the whole split; the AUROC on the
// row of each whole out-of-distribution split. There is no row of all
// splits together: a mean over in- and out-of-distribution points
// measures nothing.
func (r *evalReport) table() []byte {
	var table bytes.Buffer
	tw := tabwriter.NewWriter(&table, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "split\tclass\tn\tlog-likelihood\tbits/dim\tAUROC\t\n")
	row := func(split, class string, g groupStats, auroc *float64) {
		a := ""
		if auroc != nil {
			a = fmt.Sprintf("%.4f", *auroc)
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%.4f\t%.4f\t%s\t\n", split, class, g.N, g.LogLikelihood, g.BitsPerDim, a)
	}
	for _, s := range r.Splits {
		whole := len(s.Classes) == 1
		for _, c := range s.Classes {
			var a *float64
			if whole {
				a = s.AUROC
			}
			row(s.Split, fmt.Sprint(c.Class), c.groupStats, a)
		}
		if !whole {
			row(s.Split, "all", s.groupStats, s.AUROC)
		}
	}
	tw.Flush()
	return table.Bytes()
}

// scoresCSV writes one line per point: split, index, label,
// log_likelihood, bits_per_dim.
func scoresCSV(scores []recipe.Score) []byte {
	var csv bytes.Buffer
	fmt.Fprintf(&csv, "split,index,label,log_likelihood,bits_per_dim\n")
	for _, s := range scores {
		for i, l := range s.LogP {
			fmt.Fprintf(&csv, "%s,%d,%d,%.17g,%.17g\n", csvField(s.Split), i, s.Labels[i], l, s.BitsPerDim[i])
		}
	}
	return csv.Bytes()
}

// csvField quotes s when it holds a comma or a quote.
func csvField(s string) string {
	if !strings.ContainsAny(s, ",\"") {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// sameFile reports whether the paths a and b name one existing file,
// whatever links lead to it.
func sameFile(a, b string) bool {
	sa, err := os.Stat(a)
	if err != nil {
		return false
	}
	sb, err := os.Stat(b)
	return err == nil && os.SameFile(sa, sb)
}

// setThreads sets the number of worker threads when n > 0 (0: leave the
// runtime's choice, all cores).
func setThreads(n int) {
	if n > 0 {
		runtime.GOMAXPROCS(n)
	}
}
