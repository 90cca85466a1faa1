package main

import (
	"bytes"
	"fmt"
	"io"
	"maps"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/mmcnf/mmcnf/cnf/recipe"
	"github.com/mmcnf/mmcnf/internal/atomicfile"
)

// evalFlags binds the flags of `mmcnf eval`.
type evalFlags struct {
	modelFlags
	data recipe.DataOptions
}

// newEvalFlags declares the flags of `mmcnf eval`.
func newEvalFlags(e *evalFlags) *cmdFlags {
	f := newFlags("eval", "mmcnf eval --model DIR [--data NAME|FILE.csv|FILE.npy] [--out per-sample.csv] [flags]",
		`Prints the mean log-likelihood (nats) and bits/dim of a trained flow on a dataset's
test split and each of its out-of-distribution splits, per class and overall, scoring
by the whole base (the mixture for a GMM base). The dataset settings default to those
of the training run (run.json in DIR); a .csv or .npy file of points is scored as
one split. --out writes one line per point: split, index, label, log_likelihood,
bits_per_dim.`)
	dataFlags(f, &e.data)
	e.bind(f, "CSV file of per-point values (none: not written)", "seed of the dequantisation and trace noise", "points per solve")
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
	set, d, err := recipe.DataFor(e.data, run, f.set)
	if err != nil {
		return f.failure(err)
	}
	scores, err := recipe.Evaluate(m, set, e.batch, e.seed)
	if err == nil && e.out != "" {
		err = atomicfile.WriteBytes(e.out, scoresCSV(scores))
	}
	if err != nil {
		return f.failure(err)
	}
	fmt.Fprintf(stdout, "model %s on %s (log-likelihood in nats, mean per point)\n", e.model, d.Name)
	_, err = stdout.Write(scoresTable(scores))
	return err
}

// stat accumulates log-likelihoods and bits/dim of a group of points.
type stat struct {
	n        int
	logp, bd float64
}

func (s *stat) add(logp, bpd float64) { s.n++; s.logp += logp; s.bd += bpd }

// row writes the group's means as a table row.
func (s *stat) row(w io.Writer, split, class string) {
	fmt.Fprintf(w, "%s\t%s\t%d\t%.4f\t%.4f\t\n", split, class, s.n, s.logp/float64(s.n), s.bd/float64(s.n))
}

// scoresTable lays out the mean log-likelihood and bits/dim of each split
// per class, of each split with several classes, and of all points.
func scoresTable(scores []recipe.Score) []byte {
	var table bytes.Buffer
	tw := tabwriter.NewWriter(&table, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "split\tclass\tn\tlog-likelihood\tbits/dim\t\n")
	var all stat
	for _, s := range scores {
		byClass := map[int]*stat{}
		var whole stat
		for i, l := range s.LogP {
			c := s.Labels[i]
			if byClass[c] == nil {
				byClass[c] = &stat{}
			}
			byClass[c].add(l, s.BitsPerDim[i])
			whole.add(l, s.BitsPerDim[i])
			all.add(l, s.BitsPerDim[i])
		}
		classes := slices.Sorted(maps.Keys(byClass))
		for _, c := range classes {
			byClass[c].row(tw, s.Split, fmt.Sprint(c))
		}
		if len(classes) > 1 {
			whole.row(tw, s.Split, "all")
		}
	}
	all.row(tw, "all", "all")
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

// setThreads sets the number of worker threads when n > 0 (0: leave the
// runtime's choice, all cores).
func setThreads(n int) {
	if n > 0 {
		runtime.GOMAXPROCS(n)
	}
}
