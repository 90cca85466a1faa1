package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/mmcnf/mmcnf/cnf"
	"github.com/mmcnf/mmcnf/cnf/data"
	"github.com/mmcnf/mmcnf/cnf/experiment"
	"github.com/mmcnf/mmcnf/cnf/metrics"
	"github.com/mmcnf/mmcnf/cnf/recipe"
)

// quickStudies holds the output directories of `reproduce <study> --quick`,
// each run once per test binary and shared by the tests that read its
// units.
var quickStudies struct {
	sync.Mutex
	root string
	dirs map[string]string
}

// quickStudy returns the output directory of `reproduce <name> --quick`,
// running it on first use with 2 threads (the thread count is part of what
// makes results bit-identical). The directory outlives the test; it is
// removed at the end of the test binary's run (see TestMain).
func quickStudy(t *testing.T, name string) string {
	t.Helper()
	quickStudies.Lock()
	defer quickStudies.Unlock()
	if dir, ok := quickStudies.dirs[name]; ok {
		return dir
	}
	if quickStudies.root == "" {
		root, err := os.MkdirTemp("", "mmcnf-quick-")
		if err != nil {
			t.Fatal(err)
		}
		quickStudies.root, quickStudies.dirs = root, map[string]string{}
	}
	out := filepath.Join(quickStudies.root, name)
	var stdout, stderr bytes.Buffer
	if code := run([]string{"reproduce", name, "--quick", "--threads", "2", "--out", out}, &stdout, &stderr); code != exitOK {
		t.Fatalf("reproduce %s --quick: exit %d\n%s", name, code, stderr.String())
	}
	quickStudies.dirs[name] = out
	return out
}

// removeQuickStudies removes what quickStudy wrote.
func removeQuickStudies() {
	if quickStudies.root != "" {
		os.RemoveAll(quickStudies.root)
	}
}

// adaptiveMoons runs the moons study with a seed, a few iterations,
// dopri5 and Hutchinson's trace into a new directory: settings under
// which a unit's scores depend on the points per solve and the seed of
// the evaluation's noise, as those of the default settings do.
func adaptiveMoons(t *testing.T) string {
	t.Helper()
	st, err := experiment.Lookup("moons")
	if err != nil {
		t.Fatal(err)
	}
	s := st.Quick
	s.Iters, s.CheckpointEvery, s.Solver, s.Steps, s.RTol, s.ATol, s.Trace = 4, 4, "dopri5", 0, 1e-3, 1e-3, "hutchinson"
	s.EvalPerSet = 600 // more than a solve's 500 points
	out := t.TempDir()
	if _, err := experiment.Run(context.Background(), experiment.Options{Study: st, Settings: s, Out: out, Backend: &experiment.CNF{}}); err != nil {
		t.Fatal(err)
	}
	return out
}

// readCSVScores reads the per-point file of eval: the bits/dim of each
// point by split, in order, with its label.
func readCSVScores(t *testing.T, path string) map[string][][2]float64 {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][][2]float64{}
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	for _, line := range lines[1:] {
		f := strings.Split(line, ",")
		label, err1 := strconv.Atoi(f[2])
		bpd, err2 := strconv.ParseFloat(f[4], 64)
		if len(f) != 5 || err1 != nil || err2 != nil {
			t.Fatalf("%s: bad line %q", path, line)
		}
		out[f[0]] = append(out[f[0]], [2]float64{float64(label), bpd})
	}
	return out
}

// TestStudyUnitEvalAndSample: the model directory of a study's unit (the
// moons trained on D{4,5} with the GMM base) is scored by `eval` with no
// flags as the study scored it: classes 4 and 5 the test split, the other
// four out of distribution, the same data and the same numbers, bit for
// bit, as the unit's result.json records, for fixed-step and adaptive
// solves. `sample --class 4` draws from the component of class 4; --class
// 0 is refused, naming the classes 4,5.
func TestStudyUnitEvalAndSample(t *testing.T) {
	for name, out := range map[string]func(*testing.T) string{
		"quick":    func(t *testing.T) string { return quickStudy(t, "moons") },
		"adaptive": adaptiveMoons,
	} {
		t.Run(name, func(t *testing.T) {
			unit := filepath.Join(out(t), "runs/moons/d45/gmm/seed-0")
			model := filepath.Join(unit, "model")
			var res experiment.RunResult
			b, err := os.ReadFile(filepath.Join(unit, experiment.ResultFile))
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(b, &res); err != nil {
				t.Fatal(err)
			}
			pts := filepath.Join(t.TempDir(), "points.csv")
			var stdout, stderr bytes.Buffer
			if code := run([]string{"eval", "--model", model, "--out", pts}, &stdout, &stderr); code != exitOK {
				t.Fatalf("eval: exit %d: %s", code, stderr.String())
			}
			scores := readCSVScores(t, pts)
			var splits []string
			for s := range scores {
				splits = append(splits, s)
			}
			slices.Sort(splits)
			if want := []string{"class 0", "class 1", "class 2", "class 3", "test"}; !slices.Equal(splits, want) {
				t.Fatalf("eval scored the splits %v, want %v", splits, want)
			}
			per := map[string][]float64{}
			var in []float64
			for _, p := range scores["test"] {
				if p[0] != 4 && p[0] != 5 {
					t.Fatalf("the test split holds class %v", p[0])
				}
				name := fmt.Sprintf("class %d", int(p[0]))
				per[name] = append(per[name], p[1])
				in = append(in, p[1])
			}
			for c := range 4 {
				name := fmt.Sprintf("class %d", c)
				for _, p := range scores[name] {
					per[name] = append(per[name], p[1])
				}
			}
			if len(res.Sets) != 6 {
				t.Fatalf("result.json holds %d sets, want 6", len(res.Sets))
			}
			for _, set := range res.Sets {
				got, err := metrics.Summarise(per[set.Name])
				if err != nil {
					t.Fatalf("%s: %v", set.Name, err)
				}
				if set.InDistribution != (set.Name == "class 4" || set.Name == "class 5") || set.N != len(per[set.Name]) ||
					got.Mean != set.BitsPerDim || got.Std != set.BitsPerDimStd {
					t.Errorf("%s: eval gives %d points, bits/dim %.17g (std %.17g); result.json %d points, %.17g (%.17g), in distribution %v",
						set.Name, len(per[set.Name]), got.Mean, got.Std, set.N, set.BitsPerDim, set.BitsPerDimStd, set.InDistribution)
				}
				if set.AUROC != nil {
					if a, err := metrics.AUROC(in, per[set.Name]); err != nil || a != *set.AUROC {
						t.Errorf("%s: AUROC %v (%v) from eval's points, %v in result.json", set.Name, a, err, *set.AUROC)
					}
				}
				if want := fmt.Sprintf("%.4f", set.BitsPerDim); !strings.Contains(stdout.String(), want) {
					t.Errorf("%s: the table lacks the bits/dim %s:\n%s", set.Name, want, stdout.String())
				}
			}

			// Samples of class 4 are those of the base's first component.
			file := filepath.Join(t.TempDir(), "class4.csv")
			if code := run([]string{"sample", "--model", model, "--class", "4", "-n", "50", "--out", file}, &stdout, &stderr); code != exitOK {
				t.Fatalf("sample --class 4: exit %d: %s", code, stderr.String())
			}
			m, _, err := recipe.OpenModel(model)
			if err != nil {
				t.Fatal(err)
			}
			want, err := recipe.Sample(m, 50, 0, 1000, 1)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			writeCSV(&buf, want, 2)
			if got, _ := os.ReadFile(file); !bytes.Equal(got, buf.Bytes()) {
				t.Error("sample --class 4 did not draw from the component of class 4")
			}
			stderr.Reset()
			if code := run([]string{"sample", "--model", model, "--class", "0", "-n", "5", "--out", file}, &stdout, &stderr); code != exitUsage ||
				!strings.Contains(stderr.String(), "trained on the classes 4,5") {
				t.Errorf("sample --class 0: exit %d, %q; want status 2 naming the classes 4,5", code, stderr.String())
			}
		})
	}
}

// TestClassNumbersOfPointFile: a model trained on a file of points
// labelled 3 and 7 takes --class 3 and --class 7, the file's labels, and
// is scored with no flags on the file it was trained on.
func TestClassNumbersOfPointFile(t *testing.T) {
	t.Setenv("MMCNF_NOSYNC", "1")
	dir := t.TempDir()
	file, model := trainOnPoints(t, dir, 3, 7)
	var stdout, stderr bytes.Buffer
	m, _, err := recipe.OpenModel(model)
	if err != nil {
		t.Fatal(err)
	}
	for component, class := range []string{"3", "7"} {
		out := filepath.Join(dir, "class"+class+".csv")
		if code := run([]string{"sample", "--model", model, "--class", class, "-n", "20", "--out", out}, &stdout, &stderr); code != exitOK {
			t.Fatalf("sample --class %s: exit %d: %s", class, code, stderr.String())
		}
		want, err := recipe.Sample(m, 20, component, 1000, 1)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		writeCSV(&buf, want, 2)
		if got, _ := os.ReadFile(out); !bytes.Equal(got, buf.Bytes()) {
			t.Errorf("sample --class %s did not draw from component %d", class, component)
		}
	}
	stderr.Reset()
	if code := run([]string{"sample", "--model", model, "--class", "1", "-n", "5", "--out", filepath.Join(dir, "x.csv")}, &stdout, &stderr); code != exitUsage ||
		!strings.Contains(stderr.String(), "trained on the classes 3,7 of "+file) {
		t.Errorf("sample --class 1: exit %d, %q; want status 2 naming the classes 3,7", code, stderr.String())
	}
	stdout.Reset()
	if code := run([]string{"eval", "--model", model}, &stdout, &stderr); code != exitOK {
		t.Fatalf("eval: exit %d: %s", code, stderr.String())
	}
	for _, row := range []string{" 3  30 ", " 7  30 "} {
		if !strings.Contains(stdout.String(), row) {
			t.Errorf("eval's table lacks a row of 30 points of class%s:\n%s", row[:2], stdout.String())
		}
	}
}

// moonsUnitFlags are the flags of `train` that spell out the settings of
// the unit of `reproduce moons --quick` trained on D{4,5} with the GMM
// base and seed 0, for iters iterations.
func moonsUnitFlags(iters string) []string {
	return []string{"--data", "moons", "--classes", "4,5", "--base", "gmm",
		"--dynamics", "hyperplanar", "--hidden", "16", "--width", "16", "--solver", "rk4", "--steps", "4", "--trace", "exact",
		"--n-train", "200", "--n-test", "100", "--data-seed", "0", "--seed", "0",
		"--iters", iters, "--batch", "64", "--lr", "1e-2", "--eval-every", "4", "--checkpoint-every", "10", "--eval-batch", "500",
		"--threads", "2"}
}

// TestResumeStudyUnit: `train --resume` continues a copy of a study unit's
// model directory with the unit's settings, to the weights and log of one
// uninterrupted `train` run of the same length; on the unit itself, whose
// result.json scores the model as it is, it is refused, saying so, and
// nothing changes.
func TestResumeStudyUnit(t *testing.T) {
	t.Setenv("MMCNF_NOSYNC", "1")
	unit := filepath.Join(quickStudy(t, "moons"), "runs/moons/d45/gmm/seed-0/model")
	before := snapshot(t, filepath.Dir(unit))
	var stdout, stderr bytes.Buffer
	if code := run([]string{"train", "--resume", "--quiet", "--out", unit, "--iters", "30"}, &stdout, &stderr); code != exitUsage ||
		!strings.Contains(stderr.String(), "finished study unit") || !strings.Contains(stderr.String(), "continue a copy") {
		t.Errorf("--resume of a finished unit in place: exit %d, %q", code, stderr.String())
	}
	if after := snapshot(t, filepath.Dir(unit)); !maps.Equal(before, after) {
		t.Error("the refused --resume changed the unit's directory")
	}
	root := t.TempDir()
	copied := filepath.Join(root, "copy")
	if err := os.CopyFS(copied, os.DirFS(unit)); err != nil {
		t.Fatal(err)
	}
	if code := run([]string{"train", "--resume", "--quiet", "--out", copied, "--iters", "30", "--threads", "2"}, &stdout, &stderr); code != exitOK {
		t.Fatalf("--resume of a copy of the unit: exit %d: %s", code, stderr.String())
	}
	whole := filepath.Join(root, "whole")
	if code := run(append([]string{"train", "--quiet", "--out", whole}, moonsUnitFlags("30")...), &stdout, &stderr); code != exitOK {
		t.Fatalf("train: exit %d: %s", code, stderr.String())
	}
	sameWeights(t, whole, copied)
	sameLog(t, whole, copied)
}

// readRun reads the run.json of a model directory.
func readRun(t *testing.T, dir string) recipe.Options {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, recipe.RunFile))
	if err != nil {
		t.Fatal(err)
	}
	var o recipe.Options
	if err := json.Unmarshal(b, &o); err != nil {
		t.Fatal(err)
	}
	return o
}

// TestTrainMatchesStudyUnit: `train` with the flags that spell out a
// study's settings trains the unit's model bit for bit: the moons and,
// with FashionMNIST at hand, the fashion-mnist study, whose model needs
// --weight-norm. Only the cap on the held-out points scored during
// training (heldout_max, no flag; it changes no weight) and the thread
// count recorded differ in run.json.
func TestTrainMatchesStudyUnit(t *testing.T) {
	t.Setenv("MMCNF_NOSYNC", "1")
	cases := []struct {
		study, unit string
		flags       []string
	}{
		{"moons", "runs/moons/d45/gmm/seed-0", moonsUnitFlags("20")},
		{"fashion-mnist", "runs/fashion-mnist/fashion-mnist/gmm/seed-0", []string{"--data", "fashion-mnist", "--base", "gmm",
			"--dynamics", "concatconv", "--dims", "8,8", "--weight-norm", "--solver", "rk4", "--steps", "2", "--trace", "rademacher",
			"--n-train", "32", "--n-test", "16", "--data-seed", "0", "--seed", "0",
			"--iters", "4", "--batch", "16", "--lr", "1e-3", "--eval-every", "1", "--checkpoint-every", "2", "--eval-batch", "500",
			"--threads", "2"}},
	}
	for _, c := range cases {
		t.Run(c.study, func(t *testing.T) {
			if c.study == "fashion-mnist" {
				dir, err := data.DefaultDir()
				if err == nil {
					_, _, err = data.LoadFashionMNIST(dir)
				}
				if err != nil {
					t.Skipf("FashionMNIST not available (%v); `make data` includes this case", err)
				}
			}
			unit := filepath.Join(quickStudy(t, c.study), c.unit, "model")
			out := filepath.Join(t.TempDir(), "model")
			var stdout, stderr bytes.Buffer
			if code := run(append([]string{"train", "--quiet", "--out", out}, c.flags...), &stdout, &stderr); code != exitOK {
				t.Fatalf("train: exit %d: %s", code, stderr.String())
			}
			sameWeights(t, unit, out)
			want, got := readRun(t, unit), readRun(t, out)
			want.HeldoutMax, want.Threads, got.Threads = 0, 0, 0
			a, _ := json.Marshal(want)
			b, _ := json.Marshal(got)
			if !bytes.Equal(a, b) {
				t.Errorf("run.json of train\n%s\nagainst the unit's\n%s", b, a)
			}
			ca, _ := os.ReadFile(filepath.Join(unit, "config.json"))
			cb, _ := os.ReadFile(filepath.Join(out, "config.json"))
			if !bytes.Equal(ca, cb) {
				t.Errorf("config.json of train\n%s\nagainst the unit's\n%s", cb, ca)
			}
		})
	}
}

// TestInterpolateFlag: eval and sample --interpolate score and sample a
// model as its config.json would with "interpolate": true, and
// --interpolate=false as without; eval reports the function evaluations
// of its solves.
func TestInterpolateFlag(t *testing.T) {
	root := t.TempDir()
	cfg := cnf.Config{
		Shape:    []int{2},
		Dynamics: cnf.DynamicsConfig{Kind: cnf.HyperPlanar, Hidden: 4, Width: 4},
		Base:     cnf.BaseConfig{Kind: cnf.BaseGMM, Means: [][]float64{{-1, 0}, {1, 0}}},
		Solver:   cnf.SolverConfig{Method: "dopri5", RTol: 1e-5, ATol: 1e-5},
	}
	dirs := map[bool]string{}
	for _, interpolate := range []bool{false, true} {
		cfg.Solver.Interpolate = interpolate
		m, err := cnf.New(cfg, 1)
		if err != nil {
			t.Fatal(err)
		}
		dirs[interpolate] = filepath.Join(root, fmt.Sprint(interpolate))
		if err := m.Save(dirs[interpolate]); err != nil {
			t.Fatal(err)
		}
	}
	outputs := func(args ...string) (string, []byte, []byte) {
		t.Helper()
		scores, samples := filepath.Join(root, "scores.csv"), filepath.Join(root, "samples.csv")
		var stdout, stderr bytes.Buffer
		if code := run(append([]string{"eval", "--data", "moons", "--n-test", "50", "--out", scores}, args...), &stdout, &stderr); code != exitOK {
			t.Fatalf("eval %v: exit %d: %s", args, code, stderr.String())
		}
		if code := run(append([]string{"sample", "-n", "20", "--class", "1", "--out", samples}, args...), io.Discard, &stderr); code != exitOK {
			t.Fatalf("sample %v: exit %d: %s", args, code, stderr.String())
		}
		a, _ := os.ReadFile(scores)
		b, _ := os.ReadFile(samples)
		return stdout.String(), a, b
	}
	_, landScores, landSamples := outputs("--model", dirs[false])
	table, wantScores, wantSamples := outputs("--model", dirs[true])
	_, gotScores, gotSamples := outputs("--model", dirs[false], "--interpolate")
	_, offScores, offSamples := outputs("--model", dirs[true], "--interpolate=false")
	if !bytes.Equal(gotScores, wantScores) || !bytes.Equal(gotSamples, wantSamples) {
		t.Error("--interpolate does not score or sample as config.json's interpolate")
	}
	if !bytes.Equal(offScores, landScores) || !bytes.Equal(offSamples, landSamples) {
		t.Error("--interpolate=false does not score or sample as a model without interpolate")
	}
	if bytes.Equal(landScores, wantScores) {
		t.Error("interpolation at t1 changed no score")
	}
	// The test split (classes 0 and 1) and four others, one solve each.
	if !regexp.MustCompile(`function evaluations: \d+ in 5 solves of at most 1000 points, \d+\.\d per solve\n`).MatchString(table) {
		t.Errorf("eval does not report its solves' function evaluations:\n%s", table)
	}
}

// TestReproduceBatchAndGrad: reproduce --batch and --grad train a unit
// with that mini-batch size and gradient, record both in the unit's
// settings and run.json, and hold the unit to them on resume: continued
// without them, it is refused, naming both; continued with them, it ends
// with the weights of a run never stopped.
func TestReproduceBatchAndGrad(t *testing.T) {
	t.Setenv("MMCNF_NOSYNC", "1")
	root := t.TempDir()
	stopped, whole := filepath.Join(root, "stopped"), filepath.Join(root, "whole")
	unit := "runs/moons/d45/gmm/seed-0" // unit 3
	reproduce := func(out string, args ...string) (int, string) {
		var stdout, stderr bytes.Buffer
		code := run(append([]string{"reproduce", "moons", "--quick", "--unit", "3", "--threads", "2", "--out", out}, args...), &stdout, &stderr)
		return code, stderr.String()
	}
	// A unit trained 10 of its 20 iterations: finished at 10, its result
	// removed, it is a run stopped at its checkpoint of iteration 10.
	if code, msg := reproduce(stopped, "--batch", "32", "--grad", "adjoint", "--iters", "10"); code != exitOK {
		t.Fatalf("reproduce --batch 32 --grad adjoint: exit %d\n%s", code, msg)
	}
	var res experiment.RunResult
	b, err := os.ReadFile(filepath.Join(stopped, unit, experiment.ResultFile))
	if err == nil {
		err = json.Unmarshal(b, &res)
	}
	if err != nil || res.Settings.Batch != 32 || res.Settings.Grad != "adjoint" {
		t.Fatalf("result.json records batch %d, grad %q (%v); want 32, adjoint", res.Settings.Batch, res.Settings.Grad, err)
	}
	if o := readRun(t, filepath.Join(stopped, unit, "model")); o.Train.Batch != 32 || o.Grad != "adjoint" {
		t.Fatalf("run.json records batch %d, grad %q; want 32, adjoint", o.Train.Batch, o.Grad)
	}
	if err := os.Remove(filepath.Join(stopped, unit, experiment.ResultFile)); err != nil {
		t.Fatal(err)
	}
	if code, msg := reproduce(stopped, "--iters", "20"); code == exitOK ||
		!strings.Contains(msg, `grad "adjoint", not "backprop"; train.batch 32, not 64`) {
		t.Errorf("resumed with the study's batch and gradient: exit %d, %q; want a refusal naming both", code, msg)
	}
	if code, msg := reproduce(stopped, "--batch", "32", "--grad", "adjoint", "--iters", "20"); code != exitOK || !strings.Contains(msg, "resuming from iteration 10") {
		t.Fatalf("resumed with its batch and gradient: exit %d, not from its checkpoint\n%s", code, msg)
	}
	if code, msg := reproduce(whole, "--batch", "32", "--grad", "adjoint", "--iters", "20"); code != exitOK {
		t.Fatalf("reproduce --batch 32 --grad adjoint: exit %d\n%s", code, msg)
	}
	sameWeights(t, filepath.Join(whole, unit, "model"), filepath.Join(stopped, unit, "model"))
}
