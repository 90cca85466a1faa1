package main

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/mmcnf/mmcnf/cnf/data"
	"github.com/mmcnf/mmcnf/internal/atomicfile"
)

// evalStream is the PCG stream of eval's dequantisation and trace noise.
const evalStream = 0x6576616c2d636c69

// cmdEval runs `mmcnf eval`.
func cmdEval(args []string, stdout, stderr io.Writer) error {
	var (
		d              dataOptions
		model, out     string
		seed           uint64
		batch, threads int
	)
	f := newFlags("eval", "mmcnf eval --model DIR [--data NAME|FILE.csv|FILE.npy] [--out per-sample.csv] [flags]",
		`Prints the mean log-likelihood (nats) and bits/dim of a trained flow on a dataset's
test split and each of its out-of-distribution splits, per class and overall, scoring
by the whole base (the mixture for a GMM base). The dataset settings default to those
of the training run (run.json in DIR); a .csv or .npy file of points is scored as
one split. --out writes one line per point: split, index, label, log_likelihood,
bits_per_dim.`)
	dataFlags(f, &d, "0,1")
	f.StringVar(&model, "model", "", "model directory written by mmcnf train (required)")
	f.StringVar(&out, "out", "", "CSV file of per-point values (none: not written)")
	f.Uint64Var(&seed, "seed", 1, "seed of the dequantisation and trace noise")
	f.IntVar(&batch, "batch", 1000, "points per solve")
	f.IntVar(&threads, "threads", 0, "worker threads (0: all cores)")
	if done, err := f.parse(args, stdout); done || err != nil {
		return err
	}
	if err := f.positiveInt("batch", batch); err != nil {
		return err
	}
	if err := f.nonNegativeInt("threads", threads); err != nil {
		return err
	}
	if out != "" && strings.ToLower(filepath.Ext(out)) != ".csv" {
		return f.errorf("--out %s: per-sample values are written as .csv", out)
	}
	m, run, err := loadModel(f, model)
	if err != nil {
		return err
	}
	if run != nil {
		inheritData(f, &d, run.Data)
	}
	if err := d.check(f, f.set("classes")); err != nil {
		return err
	}
	if threads > 0 {
		runtime.GOMAXPROCS(threads)
	}
	set, err := d.load(f)
	if err != nil {
		return err
	}
	splits := []data.Split{set.Test}
	if d.isFile {
		splits = []data.Split{set.Train}
	}
	splits = append(splits, set.OOD...)
	for _, s := range splits {
		if s.N > 0 && s.Dim != m.D() {
			return f.errorf("--data %s: split %s has %d values per point, the model %d", d.Name, s.Name, s.Dim, m.D())
		}
	}
	rng := rand.New(rand.NewPCG(seed, evalStream))
	var table, csv bytes.Buffer
	tw := tabwriter.NewWriter(&table, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "split\tclass\tn\tlog-likelihood\tbits/dim\t\n")
	fmt.Fprintf(&csv, "split,index,label,log_likelihood,bits_per_dim\n")
	var all stat
	for _, s := range splits {
		if s.N == 0 {
			continue
		}
		logp, _, err := m.LogLikelihoods(s.X, batch, rng, nil)
		if err != nil {
			return fmt.Errorf("mmcnf eval: split %s: %w", s.Name, err)
		}
		byClass := map[int]*stat{}
		var whole stat
		for i, l := range logp {
			b := m.BitsPerDim(l)
			if byClass[s.Labels[i]] == nil {
				byClass[s.Labels[i]] = &stat{}
			}
			byClass[s.Labels[i]].add(l, b)
			whole.add(l, b)
			all.add(l, b)
			fmt.Fprintf(&csv, "%s,%d,%d,%.17g,%.17g\n", csvField(s.Name), i, s.Labels[i], l, b)
		}
		classes := make([]int, 0, len(byClass))
		for c := range byClass {
			classes = append(classes, c)
		}
		slices.Sort(classes)
		for _, c := range classes {
			byClass[c].row(tw, s.Name, fmt.Sprint(c))
		}
		if len(classes) > 1 {
			whole.row(tw, s.Name, "all")
		}
	}
	all.row(tw, "all", "all")
	tw.Flush()
	if out != "" {
		if err := atomicfile.WriteBytes(out, csv.Bytes()); err != nil {
			return fmt.Errorf("mmcnf eval: %w", err)
		}
	}
	fmt.Fprintf(stdout, "model %s on %s (log-likelihood in nats, mean per point)\n", model, d.Name)
	_, err = stdout.Write(table.Bytes())
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

// inheritData fills the dataset flags the user did not give from the
// training run's settings.
func inheritData(f *cmdFlags, d *dataOptions, run dataOptions) {
	if !f.set("data") {
		d.Name = run.Name
	}
	if d.Name != run.Name {
		return
	}
	if !f.set("classes") {
		d.Classes = run.Classes
	}
	if !f.set("data-seed") {
		d.Seed = run.Seed
	}
	if !f.set("data-dir") {
		d.Dir = run.Dir
	}
	if !f.set("n-test") {
		d.TestPerClass = run.TestPerClass
	}
}

// csvField quotes s when it holds a comma or a quote.
func csvField(s string) string {
	if !strings.ContainsAny(s, ",\"") {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}
