package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/mmcnf/mmcnf/cnf/metrics"
)

// TestEvalJSON trains a tiny moons flow and evaluates it three ways: the
// table, --json and the per-point CSV. The JSON parsed back must hold
// every split of the table with the same numbers, means and counts that
// match the CSV's points, the AUROC of each out-of-distribution split
// computed here from the CSV by cnf/metrics, and the function evaluations
// of its fixed-step solves.
func TestEvalJSON(t *testing.T) {
	t.Setenv("MMCNF_NOSYNC", "1")
	dir := t.TempDir()
	model := filepath.Join(dir, "m")
	var stdout, stderr bytes.Buffer
	if code := run(tinyTrainArgs(model, 3, "--classes", "2,3", "--quiet"), &stdout, &stderr); code != exitOK {
		t.Fatalf("train: exit %d: %s", code, stderr.String())
	}
	points := filepath.Join(dir, "points.csv")
	const batch = 5 // the 8 test points of a class take two solves
	evalArgs := []string{"eval", "--model", model, "--batch", strconv.Itoa(batch), "--threads", "1"}
	stdout.Reset()
	if code := run(append(evalArgs, "--json", "--out", points), &stdout, &stderr); code != exitOK {
		t.Fatalf("eval --json: exit %d: %s", code, stderr.String())
	}
	var rep evalReport
	dec := json.NewDecoder(&stdout)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&rep); err != nil {
		t.Fatalf("eval --json: %v", err)
	}
	stdout.Reset()
	if code := run(evalArgs, &stdout, &stderr); code != exitOK {
		t.Fatalf("eval: exit %d: %s", code, stderr.String())
	}
	table := tableRows(t, stdout.String())

	perPoint := readPoints(t, points)
	if rep.Data != "moons" || rep.Batch != batch || len(rep.Splits) != 5 {
		t.Fatalf("report of %q, batch %d, %d splits; want moons, batch %d, test and the 4 other classes", rep.Data, rep.Batch, len(rep.Splits), batch)
	}
	test := rep.Splits[0]
	if test.Split != "test" || !test.InDistribution || test.AUROC != nil {
		t.Errorf("first split %q (in distribution %v, AUROC %v), want the test split without an AUROC", test.Split, test.InDistribution, test.AUROC)
	}
	for _, s := range rep.Splits {
		pts := perPoint[s.Split]
		want := meanOf(pts, func(pointScore) bool { return true })
		near(t, s.Split+" log-likelihood", s.LogLikelihood, want.LogLikelihood, 1e-12)
		near(t, s.Split+" bits/dim", s.BitsPerDim, want.BitsPerDim, 1e-12)
		if s.N != len(pts) || s.N != 16 && s.Split == "test" || s.N != 8 && s.Split != "test" {
			t.Errorf("%s: n %d, %d points in the CSV; want 16 test points and 8 of each other class", s.Split, s.N, len(pts))
		}
		// rk4 with 2 steps evaluates the dynamics 8 times per solve.
		if wantSolves := (s.N + batch - 1) / batch; s.Solves != wantSolves || s.NFE != 8*wantSolves {
			t.Errorf("%s: %d evaluations in %d solves, want %d in %d", s.Split, s.NFE, s.Solves, 8*wantSolves, wantSolves)
		}
		if s.InDistribution != (s.Split == "test") {
			t.Errorf("%s: in distribution %v", s.Split, s.InDistribution)
		}
		var rowAUROC string
		for _, c := range s.Classes {
			want := meanOf(pts, func(p pointScore) bool { return p.label == c.Class })
			near(t, s.Split+" class log-likelihood", c.LogLikelihood, want.LogLikelihood, 1e-12)
			if c.N != want.N {
				t.Errorf("%s class %d: n %d, want %d", s.Split, c.Class, c.N, want.N)
			}
			row := table[s.Split+"/"+strconv.Itoa(c.Class)]
			if row == nil {
				t.Fatalf("the table has no row for %s class %d", s.Split, c.Class)
			}
			checkRow(t, row, c.groupStats)
			rowAUROC = row[5]
		}
		if len(s.Classes) > 1 {
			row := table[s.Split+"/all"]
			if row == nil {
				t.Fatalf("the table has no row for the whole %s split", s.Split)
			}
			checkRow(t, row, s.groupStats)
			rowAUROC = row[5]
		}
		if s.InDistribution {
			if rowAUROC != "" {
				t.Errorf("the table shows an AUROC %q for the in-distribution split", rowAUROC)
			}
			continue
		}
		var in, ood []float64
		for _, p := range perPoint["test"] {
			in = append(in, p.bpd)
		}
		for _, p := range pts {
			ood = append(ood, p.bpd)
		}
		want2, err := metrics.AUROC(in, ood)
		if err != nil {
			t.Fatal(err)
		}
		if s.AUROC == nil || *s.AUROC != want2 {
			t.Errorf("%s: AUROC %v, want %v", s.Split, s.AUROC, want2)
		} else if rowAUROC != strconv.FormatFloat(want2, 'f', 4, 64) {
			t.Errorf("%s: the table's AUROC %q, want %.4f", s.Split, rowAUROC, want2)
		}
	}
	if table["all/all"] != nil {
		t.Error("the table still has a row of all splits together")
	}
	if len(table) != 2+1+4 {
		t.Errorf("the table has %d rows, want 7 (2 classes and the whole of test, 4 other classes)", len(table))
	}
}

// pointScore is one line of eval's per-point CSV.
type pointScore struct {
	label     int
	logp, bpd float64
}

// readPoints reads eval's per-point CSV, by split.
func readPoints(t *testing.T, path string) map[string][]pointScore {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]pointScore{}
	for _, r := range recs[1:] {
		var p pointScore
		p.label, _ = strconv.Atoi(r[2])
		p.logp, _ = strconv.ParseFloat(r[3], 64)
		p.bpd, _ = strconv.ParseFloat(r[4], 64)
		out[r[0]] = append(out[r[0]], p)
	}
	return out
}

// meanOf averages the points that keep selects.
func meanOf(pts []pointScore, keep func(pointScore) bool) groupStats {
	var g groupStats
	for _, p := range pts {
		if keep(p) {
			g.N++
			g.LogLikelihood += p.logp
			g.BitsPerDim += p.bpd
		}
	}
	g.LogLikelihood /= float64(g.N)
	g.BitsPerDim /= float64(g.N)
	return g
}

// tableRows parses eval's table into its rows by "split/class"; the
// split names of moons have one space ("class 2").
func tableRows(t *testing.T, text string) map[string][]string {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(text), "\n")
	if len(lines) < 3 || !strings.Contains(lines[1], "AUROC") {
		t.Fatalf("not a table:\n%s", text)
	}
	rows := map[string][]string{}
	for _, l := range lines[2:] {
		if strings.HasPrefix(l, "function evaluations: ") { // the line under the table
			continue
		}
		f := strings.Fields(l)
		if len(f) > 1 && f[0] == "class" {
			f = append([]string{"class " + f[1]}, f[2:]...)
		}
		if len(f) == 5 {
			f = append(f, "")
		}
		if len(f) != 6 {
			t.Fatalf("table row %q", l)
		}
		rows[f[0]+"/"+f[1]] = f
	}
	return rows
}

// checkRow checks a table row's count and means against g as printed.
func checkRow(t *testing.T, row []string, g groupStats) {
	t.Helper()
	want := []string{strconv.Itoa(g.N), strconv.FormatFloat(g.LogLikelihood, 'f', 4, 64), strconv.FormatFloat(g.BitsPerDim, 'f', 4, 64)}
	if got := row[2:5]; strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("table row %v, want n, log-likelihood, bits/dim %v", row, want)
	}
}

// near checks |got - want| <= tol * max(1, |want|).
func near(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	if math.Abs(got-want) > tol*math.Max(1, math.Abs(want)) {
		t.Errorf("%s: %v, want %v", what, got, want)
	}
}
