package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"math"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/mmcnf/mmcnf/cnf/train/trainbench"
	"github.com/mmcnf/mmcnf/kernels"
)

// shrink makes a workload tiny: planar2d on 8 points, conv16 as dims 4,4 on
// 1x4x4 images, batch 2 (its nominal work is then 6*9504*2*16 FLOP).
func shrink(w *trainbench.Workload) {
	switch w.Name {
	case trainbench.Planar2D:
		w.Batch = 8
	case trainbench.Conv16:
		w.Batch = 2
		w.Config.Shape = []int{1, 4, 4}
		w.Config.Dynamics.Dims = []int{4, 4}
	}
}

func TestBenchTrainJSON(t *testing.T) {
	var out bytes.Buffer
	if err := runBenchTrain([]string{"--workload", "all", "--json", "--steps-timed", "5", "--warmup", "1", "--threads", "1", "--impl", "purego"}, &out, shrink); err != nil {
		t.Fatal(err)
	}
	if runtime.GOMAXPROCS(0) != runtime.NumCPU() && runtime.NumCPU() > 1 {
		t.Errorf("GOMAXPROCS stays at %d after the run", runtime.GOMAXPROCS(0))
	}
	want := []struct {
		name       string
		batch, nfe int
		gflop      float64
	}{{"planar2d", 8, 32, 0}, {"conv16", 2, 16, 6 * 9504.0 * 2 * 16 / 1e9}}
	sc := bufio.NewScanner(&out)
	i := 0
	for ; sc.Scan(); i++ {
		if i >= len(want) {
			t.Fatalf("extra line %q", sc.Text())
		}
		var rec map[string]any
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		w := want[i]
		for _, k := range []string{"workload", "batch", "solver", "steps", "threads", "impl", "forward_nfe", "median_s", "min_s", "samples_per_s", "peak_rss_mb"} {
			if _, ok := rec[k]; !ok {
				t.Errorf("%s: no field %q in %s", w.name, k, sc.Text())
			}
		}
		var r trainbench.Result
		dec := json.NewDecoder(strings.NewReader(sc.Text()))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&r); err != nil {
			t.Fatal(err)
		}
		if r.Workload != w.name || r.Batch != w.batch || r.ForwardNFE != w.nfe || r.Solver != "rk4" || r.Threads != 1 || r.Impl != "purego" || r.Timed != 5 || r.Warmup != 1 {
			t.Errorf("record %+v, want workload %s batch %d nfe %d, rk4, 1 thread, purego, 5 timed after 1 warm-up", r, w.name, w.batch, w.nfe)
		}
		if !(r.MedianS > 0) || r.MinS > r.MedianS || math.Abs(r.SamplesPerS*r.MedianS-float64(r.Batch)) > 1e-9*float64(r.Batch) {
			t.Errorf("%s: median %v, min %v, samples/s %v", w.name, r.MedianS, r.MinS, r.SamplesPerS)
		}
		if runtime.GOOS == "linux" && !(r.PeakRSSMB > 1) {
			t.Errorf("%s: peak_rss_mb = %v", w.name, r.PeakRSSMB)
		}
		if math.Abs(r.NominalGFLOP-w.gflop) > 1e-12*w.gflop {
			t.Errorf("%s: nominal_gflop = %v, want %v", w.name, r.NominalGFLOP, w.gflop)
		}
		if _, ok := rec["gflops"]; ok != (w.gflop > 0) {
			t.Errorf("%s: gflops present = %v, want %v", w.name, ok, w.gflop > 0)
		}
	}
	if i != len(want) {
		t.Fatalf("%d lines, want %d:\n%s", i, len(want), out.String())
	}
}

func TestBenchTrainTable(t *testing.T) {
	var out bytes.Buffer
	if err := runBenchTrain([]string{"--workload", "conv16", "--steps-timed", "5", "--warmup", "0"}, &out, shrink); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[1], "workload") || !strings.HasPrefix(lines[2], "conv16 ") || strings.Contains(lines[2], " - ") {
		t.Fatalf("unexpected table:\n%s", out.String())
	}
}

// TestBenchTrainBadFlags checks that bad flags exit with status 2 and one
// line naming the problem, before any work is done.
func TestBenchTrainBadFlags(t *testing.T) {
	// other is a name --impl refuses: a tier this machine lacks, else no
	// tier at all.
	other := "sse"
	for _, t := range []string{"avx512", "avx2"} {
		if !slices.Contains(kernels.Available(), t) {
			other = t
			break
		}
	}
	cases := []struct {
		args []string
		want string
	}{
		{[]string{}, "--workload is required"},
		{[]string{"--workload", "conv32"}, `--workload must be one of planar2d, conv16, all, got "conv32"`},
		{[]string{"--workload", "planar2d", "--steps-timed", "0"}, "--steps-timed must be at least 5, got 0"},
		{[]string{"--workload", "planar2d", "--steps-timed", "-3"}, "--steps-timed must be at least 5, got -3"},
		{[]string{"--workload", "planar2d", "--steps-timed", "x"}, `invalid value "x" for flag -steps-timed`},
		{[]string{"--workload", "planar2d", "--warmup", "-1"}, "--warmup must not be negative"},
		{[]string{"--workload", "planar2d", "--threads", "-1"}, "--threads must not be negative"},
		{[]string{"--workload", "planar2d", "--batch", "0"}, "--batch must be positive, got 0"},
		{[]string{"--workload", "planar2d", "--impl", "purego,purego"}, "--impl names purego twice"},
		{[]string{"--workload", "planar2d", "--impl", "purego," + other}, "--impl must be one of"},
		{[]string{"--workload", "planar2d", "--impl", other}, "--impl must be one of"},
		{[]string{"--workload", "planar2d", "--bogus"}, "flag provided but not defined"},
		{[]string{"--workload", "planar2d", "extra"}, `unexpected argument "extra"`},
	}
	for _, tc := range cases {
		var stdout, stderr bytes.Buffer
		code := run(append([]string{"bench", "train"}, tc.args...), &stdout, &stderr)
		msg := stderr.String()
		if code != exitUsage {
			t.Errorf("%q: exit status %d, want %d (stderr %q)", tc.args, code, exitUsage, msg)
		}
		if strings.Count(msg, "\n") != 1 || !strings.Contains(msg, tc.want) {
			t.Errorf("%q: stderr %q, want one line with %q", tc.args, msg, tc.want)
		}
		if stdout.Len() != 0 {
			t.Errorf("%q: wrote %q on stdout", tc.args, stdout.String())
		}
	}
}

func TestBenchTrainHelp(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"bench", "train", "-h"}, &stdout, &stderr); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	text := stdout.String()
	for _, s := range []string{"usage: mmcnf bench train", "--workload", "--steps-timed N", "--warmup N", "--threads N", "--impl", "--json", "peak resident memory of the whole process"} {
		if !strings.Contains(text, s) {
			t.Errorf("help lacks %q:\n%s", s, text)
		}
	}
}

// TestBenchTrainBatch checks that --batch sets the batch the workload runs.
func TestBenchTrainBatch(t *testing.T) {
	var out bytes.Buffer
	if err := runBenchTrain([]string{"--workload", "planar2d", "--json", "--batch", "3", "--steps-timed", "5", "--warmup", "0", "--threads", "1"}, &out, nil); err != nil {
		t.Fatal(err)
	}
	var r trainbench.Result
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatalf("%q: %v", out.String(), err)
	}
	if r.Batch != 3 {
		t.Errorf("batch %d in %s, want 3", r.Batch, out.String())
	}
	if want := 3 / r.MedianS; math.Abs(r.SamplesPerS-want) > 1e-9*want {
		t.Errorf("samples_per_s %g, want 3/median_s = %g", r.SamplesPerS, want)
	}
}

// TestBenchTrainImpls checks the table of a run with every available
// implementation: a row for each and, with two, the line of their ratio.
func TestBenchTrainImpls(t *testing.T) {
	impls := kernels.Available()
	var out bytes.Buffer
	if err := runBenchTrain([]string{"--workload", "planar2d", "--batch", "3", "--steps-timed", "5", "--warmup", "0", "--threads", "1", "--impl", strings.Join(impls, ",")}, &out, nil); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	for _, impl := range impls {
		if !strings.Contains(text, "\nplanar2d  "+impl+" ") {
			t.Errorf("no row for %s in\n%s", impl, text)
		}
	}
	if len(impls) == 2 && !strings.Contains(text, "# planar2d: "+impls[1]+" median / "+impls[0]+" median = ") {
		t.Errorf("no ratio line in\n%s", text)
	}
}
