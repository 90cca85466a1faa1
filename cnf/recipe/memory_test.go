package recipe

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/mmcnf/mmcnf/cnf"
	"github.com/mmcnf/mmcnf/cnf/train"
	"github.com/mmcnf/mmcnf/internal/readtest"
	"github.com/mmcnf/mmcnf/internal/sysmem"
)

// TestRefusedSizes: a size that needs more memory than the machine has is
// refused before the data or the model is built and before anything is
// written, naming the setting, the memory needed and the memory there is;
// and the refusal allocates next to nothing.
func TestRefusedSizes(t *testing.T) {
	for _, c := range []struct {
		name    string
		edit    func(o *Options)
		limit   string
		setting string
		want    string
	}{
		{"batch", func(o *Options) { o.Train.Batch = 1e9 }, "1.00 GiB", "batch",
			"1000000000 needs 931.4 GiB of memory (program 16.0 MiB, model 21.6 KiB, training step 625.9 GiB, gradient records of 2 solver steps 238.4 GiB"},
		{"n-train", func(o *Options) { o.Data.PerClass = 1e12 }, "1.00 GiB", "n-train",
			"1000000000000 needs 131.0 TiB of memory (program 16.0 MiB, data 131.0 TiB)"},
		{"n-test of images", func(o *Options) { o.Data.Name, o.Data.TestPerClass = "instance-mnist", 1e8 }, "1.00 GiB", "n-test",
			"100000000 needs 6.17 TiB of memory"},
		{"hidden", func(o *Options) { o.Hidden = 1 << 20 }, "1.00 GiB", "hidden",
			"1048576 needs 80.0 TiB of memory (program 16.0 MiB, model 24.0 TiB"},
		{"dims", func(o *Options) { o.Dynamics, o.Dims = cnf.ConcatMLP, Ints{1 << 16, 1 << 16} }, "1.00 GiB", "dims",
			"65536,65536 needs"},
		{"steps of a fixed-step solver", func(o *Options) { o.Steps = 1e7 }, "1.00 GiB", "steps",
			"10000000 needs 49.8 GiB of memory (program 16.0 MiB, model 21.6 KiB, training step 21.1 KiB, gradient records of 10000000 solver steps 49.8 GiB"},
		{"blocks", func(o *Options) { o.Blocks = 1e7 }, "1.00 GiB", "blocks",
			"10000000 needs"},
		{"eval-batch", func(o *Options) { o.Data.TestPerClass, o.EvalBatch = 1e5, 1e6 }, "64.0 MiB", "eval-batch",
			"1000000 needs"},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv(sysmem.EnvVar, strings.ReplaceAll(c.limit, " ", ""))
			dir := filepath.Join(t.TempDir(), "m")
			o := smallOptions()
			c.edit(&o)
			var err error
			n := readtest.Allocated(func() { _, err = Train(context.Background(), dir, o, nil, nil) })
			var se *SettingError
			if !errors.As(err, &se) || se.Setting != c.setting || !strings.Contains(se.Problem, c.want) || !strings.Contains(se.Problem, "more than the "+c.limit+" (MMCNF_MEMORY) available") {
				t.Errorf("error %v, want a SettingError naming %s with %q", err, c.setting, c.want)
			}
			if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("a refused run wrote %s (%v)", dir, err)
			}
			if limit, _ := sysmem.Parse(c.limit); float64(n) > limit/2 {
				t.Errorf("allocated %d bytes", n)
			}
		})
	}
}

// TestTrainWithinEstimate: a run that fits trains, and the memory its
// model allocates stays within the estimate it was checked against.
func TestTrainWithinEstimate(t *testing.T) {
	o := smallOptions()
	o.Solver, o.RTol, o.ATol = "dopri5", 1e-4, 1e-4
	p, err := Prepare(filepath.Join(t.TempDir(), "m"), o, nil)
	if err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	res, err := p.Run(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(res)
	if got := float64(after.HeapAlloc) - float64(before.HeapAlloc); got > p.Memory.Total()-p.Memory.Bytes("program") {
		t.Errorf("training left %.0f bytes in use, estimate %.0f besides the program (%v)", got, p.Memory.Total()-p.Memory.Bytes("program"), p.Memory)
	}
	if p.Memory.Bytes(tapePart) == 0 {
		t.Errorf("the estimate has no gradient records: %v", p.Memory)
	}
}

// TestResumeChecks: resuming is refused, before anything is written, for
// fewer iterations than the checkpoint's, for a checkpoint whose loop
// settings are not those of its run, for invalid stored settings (named
// as the file spells them) and for a directory that holds no run (saying
// what it is).
func TestResumeChecks(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "m")
	o := smallOptions()
	if _, err := Train(context.Background(), dir, o, nil, nil); err != nil {
		t.Fatal(err)
	}
	got, from, err := Resume(dir)
	if err != nil {
		t.Fatal(err)
	}
	got.Train.Iters = from.Iteration - 1
	var se *SettingError
	if _, err := Prepare(dir, got, from); !errors.As(err, &se) || se.Setting != "iters" || !strings.Contains(se.Problem, "is below the iteration of the checkpoint") {
		t.Errorf("--iters below the checkpoint: %v", err)
	}
	// The loop's settings edited apart from the run's.
	c, err := train.ReadCheckpoint(dir)
	if err != nil {
		t.Fatal(err)
	}
	c.Config.Batch++
	if err := train.WriteCheckpoint(dir, c); err != nil {
		t.Fatal(err)
	}
	var ie *InputError
	if _, _, err := Resume(dir); !errors.As(err, &ie) || !strings.Contains(err.Error(), "the loop's settings (train) differ from those of the run") {
		t.Errorf("loop settings apart from the run's: %v", err)
	}
	// A run killed before its first checkpoint, whose run.json has a batch
	// of zero.
	early := filepath.Join(root, "early")
	os.MkdirAll(early, 0o755)
	b, _ := os.ReadFile(filepath.Join(dir, RunFile))
	os.WriteFile(filepath.Join(early, RunFile), []byte(strings.Replace(string(b), `"batch":16`, `"batch":0`, 1)), 0o644)
	if _, _, err := Resume(early); !errors.As(err, &ie) || !strings.Contains(err.Error(), filepath.Join(early, RunFile)+": train batch must be positive, got 0") {
		t.Errorf("run.json with batch 0: %v", err)
	}
	for _, d := range []struct{ make, want string }{
		{"", "no such directory"},
		{"runs", "the output directory of a study"},
		{"model", "a unit of a study (mmcnf reproduce); its model directory is"},
		{".", "an empty directory"},
	} {
		dir := filepath.Join(root, "kind-"+d.want[:4])
		if d.make != "" {
			os.MkdirAll(filepath.Join(dir, d.make), 0o755)
		}
		if d.make == "model" {
			os.WriteFile(filepath.Join(dir, "model", RunFile), b, 0o644)
		}
		if _, _, err := Resume(dir); !errors.As(err, &ie) || !strings.Contains(err.Error(), d.want) {
			t.Errorf("Resume of %s: %v, want an InputError saying %q", d.make, err, d.want)
		}
	}
}

// TestRefusedSamples: sampling more points than memory holds is refused
// before anything is drawn, naming n.
func TestRefusedSamples(t *testing.T) {
	t.Setenv(sysmem.EnvVar, "1G")
	m, err := cnf.New(cnf.Config{Shape: []int{2}, Dynamics: cnf.DynamicsConfig{Kind: cnf.HyperPlanar, Hidden: 4, Width: 4},
		Solver: cnf.SolverConfig{Method: "rk4", Steps: 2}}, 1)
	if err != nil {
		t.Fatal(err)
	}
	var se *SettingError
	if _, err := Sample(m, 1e12, -1, 1000, 1); !errors.As(err, &se) || se.Setting != "n" || !strings.Contains(se.Problem, "1000000000000 needs 109.1 TiB of memory (program 16.0 MiB, model 21.5 KiB, sampling 527.0 KiB, samples 109.1 TiB)") {
		t.Errorf("10^12 samples: %v", err)
	}
	if _, err := Sample(m, 1e9, -1, 1e9, 1); !errors.As(err, &se) || se.Setting != "n" {
		t.Errorf("10^9 samples in one batch: %v", err)
	}
	if _, err := Sample(m, 10, -1, 1e12, 1); err != nil {
		t.Errorf("a batch larger than n: %v", err)
	}
}
