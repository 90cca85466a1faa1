package main

import (
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"

	"github.com/mmcnf/mmcnf/cnf"
	"github.com/mmcnf/mmcnf/cnf/data"
	"github.com/mmcnf/mmcnf/cnf/recipe"
	"github.com/mmcnf/mmcnf/cnf/train"
	"github.com/mmcnf/mmcnf/cnf/train/trainbench"
	"github.com/mmcnf/mmcnf/internal/sysmem"
)

// peakRSS runs the command line args in a child process (this test binary
// acting as mmcnf) on threads threads and returns the peak resident
// memory of its program in bytes, as /usr/bin/time -v reports it for
// mmcnf (see peakEnv).
func peakRSS(t *testing.T, threads int, args ...string) float64 {
	t.Helper()
	peak := filepath.Join(t.TempDir(), "peak")
	cmd := exec.Command(mmcnfProgram(t), args...)
	cmd.Env = append(os.Environ(), "MMCNF_NOSYNC=1", cliEnv+"=1", peakEnv+"="+peak, "GOMAXPROCS="+strconv.Itoa(threads))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v: %v\n%s", args, err, out)
	}
	b, err := os.ReadFile(peak)
	if err != nil {
		t.Skipf("no peak memory from the child: %v", err)
	}
	kib, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		t.Fatalf("peak memory %q: %v", b, err)
	}
	return kib * 1024
}

// TestMemoryEstimate holds the estimates that refuse runs to the peak
// memory of real runs: conservative, and within twice the measured peak.
// On this project's 2-core AMD EPYC machine (avx512 tier, 2 threads,
// Linux), the mmcnf binary measured with /usr/bin/time -v:
//
//	configuration                                      estimate   peak RSS  ratio
//	bench train --workload planar2d (batch 512)         17.7 MiB   13.5 MiB   1.31
//	bench train --workload conv16 --batch 4             84.8 MiB   73.6 MiB   1.15
//	bench train --workload conv16 --batch 16           253.3 MiB  232.4 MiB   1.09
//	bench train --workload conv16 --batch 64           956.8 MiB  884.6 MiB   1.08
//	train (defaults: moons, batch 512, dopri5, 1000     23.8 MiB   21.2 MiB   1.12
//	  iterations, at most 8 solver steps)
//	train, the settings of an instance-mnist --quick   281.8 MiB  189.5 MiB   1.49
//	  unit (ConcatConv 8,8, batch 16, RK4 2 steps)
//
// For an adaptive solver the estimate counts the records of the steps the
// run took at most (from the log's largest mean forward evaluations per
// step, six per dopri5 step); the refusal before a run counts its first
// steps only (23.1 MiB for the moons run; cnf.MinTapeSteps), and
// cnf.Model.LimitTape bounds the rest. The instance-mnist estimate is
// mostly the MNIST files as loading reads and decodes them (210 MiB of
// it). This test runs the cheaper configurations again, with the test
// binary acting as mmcnf.
func TestMemoryEstimate(t *testing.T) {
	if testing.Short() {
		t.Skip("runs training in child processes")
	}
	if runtime.GOOS != "linux" {
		t.Skip("peak memory in KiB is Linux's")
	}
	t.Setenv(sysmem.EnvVar, "64G") // estimates only: never refuse here
	const threads = 2
	check := func(name string, estimate, peak float64) {
		t.Helper()
		ratio := estimate / peak
		t.Logf("%-44s estimate %s, peak RSS %s, ratio %.2f", name, sysmem.Format(estimate), sysmem.Format(peak), ratio)
		if !(ratio >= 1 && ratio <= 2) {
			t.Errorf("%s: estimate %s against a peak of %s: ratio %.2f, want within [1, 2]", name, sysmem.Format(estimate), sysmem.Format(peak), ratio)
		}
	}
	for _, c := range []struct {
		workload string
		batch    int
	}{{trainbench.Planar2D, 512}, {trainbench.Conv16, 4}} {
		w, err := trainbench.Lookup(c.workload)
		if err != nil {
			t.Fatal(err)
		}
		e, err := recipe.StepsEstimate(w.Config, c.batch, threads, 1)
		if err != nil {
			t.Fatal(err)
		}
		peak := peakRSS(t, threads, "bench", "train", "--workload", c.workload, "--batch", strconv.Itoa(c.batch),
			"--warmup", "1", "--steps-timed", "5", "--threads", strconv.Itoa(threads))
		check("bench train "+c.workload+" --batch "+strconv.Itoa(c.batch), e.Total(), peak)
	}

	root := t.TempDir()
	trainRun := func(name string, o recipe.Options, args ...string) {
		t.Helper()
		dir := filepath.Join(root, name)
		peak := peakRSS(t, threads, append(append([]string{"train"}, args...), "--threads", strconv.Itoa(threads), "--quiet", "--out", dir)...)
		o.Threads = threads
		p, err := recipe.Prepare(filepath.Join(root, name+"-estimate"), o, nil)
		if err != nil {
			t.Fatal(err)
		}
		e := p.Memory.Total()
		if cfg := p.Model.Config(); cfg.Solver.Steps == 0 {
			// The records of the steps the run took, for those of the
			// first steps the refusal counts.
			log, err := train.ReadLog(dir)
			if err != nil {
				t.Fatal(err)
			}
			nfe := 0.0
			for _, r := range log {
				nfe = max(nfe, r.NFEForward)
			}
			mem, err := cfg.Memory(cnf.Workload{Train: o.Train.Batch, Threads: threads, Steps: int(math.Ceil(nfe / 6))})
			if err != nil {
				t.Fatal(err)
			}
			e += mem.Tape - p.Memory.Bytes("gradient records")
			name += " (" + strconv.Itoa(int(math.Ceil(nfe/6))) + " steps)"
		}
		check(name, e, peak)
	}
	moons := recipe.Defaults()
	moons.Train.Iters, moons.Train.EvalEvery, moons.Train.CheckpointEvery = 20, 10, 10
	trainRun("train moons (defaults, 20 iterations)", moons, "--iters", "20", "--eval-every", "10", "--checkpoint-every", "10")

	dir, err := data.DefaultDir()
	if err == nil {
		_, _, err = data.LoadMNIST(dir)
	}
	if err != nil {
		t.Logf("instance-mnist: %v; not measured", err)
		return
	}
	// The settings of a unit of `reproduce instance-mnist --quick`.
	inst := recipe.Defaults()
	inst.Data = recipe.DataOptions{Name: "instance-mnist", Classes: recipe.Ints{0, 1}, PerClass: 32, TestPerClass: 16, Seed: 0}
	inst.Base, inst.Dynamics, inst.Dims, inst.Solver, inst.Steps, inst.Trace = cnf.BaseGMM, cnf.ConcatConv, recipe.Ints{8, 8}, "rk4", 2, cnf.TraceRademacher
	inst.EvalBatch = 500
	inst.Train.Iters, inst.Train.Batch, inst.Train.EvalEvery, inst.Train.CheckpointEvery, inst.Train.Seed = 4, 16, 1, 2, 0
	trainRun("train instance-mnist (--quick unit)", inst, "--data", "instance-mnist", "--n-train", "32", "--n-test", "16",
		"--data-seed", "0", "--base", "gmm", "--dynamics", "concatconv", "--dims", "8,8", "--solver", "rk4", "--steps", "2",
		"--trace", "rademacher", "--eval-batch", "500", "--iters", "4", "--batch", "16", "--eval-every", "1",
		"--checkpoint-every", "2", "--seed", "0")
}
