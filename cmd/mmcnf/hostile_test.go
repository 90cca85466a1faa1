package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/mmcnf/mmcnf/cnf/recipe"
	"github.com/mmcnf/mmcnf/cnf/train"
	"github.com/mmcnf/mmcnf/internal/readtest"
	"github.com/mmcnf/mmcnf/internal/sysmem"
)

// smallTrainArgs train a tiny moons flow into out in a moment: four
// iterations of RK4, a checkpoint and a log line every two.
func smallTrainArgs(out string) []string {
	return []string{"train", "--data", "moons", "--n-train", "32", "--n-test", "8", "--base", "gmm",
		"--batch", "8", "--iters", "4", "--hidden", "4", "--width", "4", "--solver", "rk4", "--steps", "2",
		"--eval-every", "2", "--checkpoint-every", "2", "--threads", "1", "--quiet", "--out", out}
}

// trainSmall trains the tiny flow of smallTrainArgs into dir in-process.
func trainSmall(t *testing.T, dir string) {
	t.Helper()
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	var stdout, stderr bytes.Buffer
	if code := run(smallTrainArgs(dir), &stdout, &stderr); code != exitOK {
		t.Fatalf("training %s: exit status %d: %s", dir, code, stderr.String())
	}
}

// copyDir copies the regular files of src into the new directory dst.
func copyDir(t *testing.T, src, dst string) string {
	t.Helper()
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dst, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !e.Type().IsRegular() || e.Name() == ".lock" {
			continue
		}
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

// editCheckpoint rewrites the checkpoint of dir after edit has changed it.
func editCheckpoint(t *testing.T, dir string, edit func(c *train.Checkpoint)) {
	t.Helper()
	c, err := train.ReadCheckpoint(dir)
	if err != nil {
		t.Fatal(err)
	}
	edit(c)
	if err := train.WriteCheckpoint(dir, c); err != nil {
		t.Fatal(err)
	}
}

// editFile rewrites the file at path after edit has changed its text.
func editFile(t *testing.T, path string, edit func(string) string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(edit(string(b))), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestHostileInput gives every command the classes of hostile input:
// sizes nobody bounded, from flags and read back from config.json,
// run.json and a checkpoint (2); checkpoints that do not describe their
// directory (4); inputs that are bad input rather than failed runs, and
// messages that name the file a value came from (6); lenient parsing of
// the command line (7). Each is refused with exit status 2, one line on
// stderr naming what is wrong and where it came from, nothing on stdout
// and nothing changed under the test's directory (refused compares every
// file's bytes before and after). Damaged and oversized files (classes 1,
// 3 and 8) are TestHostileFiles'; two runs into one directory (5) are
// TestTrainLock's and TestTrainRace's.
func TestHostileInput(t *testing.T) {
	t.Setenv("MMCNF_NOSYNC", "1")
	t.Setenv(sysmem.EnvVar, "4G")
	root := t.TempDir()
	trained := filepath.Join(root, "trained")
	trainSmall(t, trained)
	model := filepath.Join(root, "model")
	smallModel(t, model)
	ckpt, err := train.ReadCheckpoint(trained)
	if err != nil {
		t.Fatal(err)
	}
	in := func(name string) string { return filepath.Join(root, name) }
	variant := func(name string, edit func(dir string)) string {
		dir := copyDir(t, trained, in(name))
		edit(dir)
		return dir
	}
	points := in("points.csv")
	if err := os.WriteFile(points, []byte("x0,x1\n0,0\n1,1\n0,1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(points, in("link.csv")); err != nil {
		t.Fatal(err)
	}

	// Class 2, sizes read back from files: a config.json whose sizes each
	// fit what weights.npz holds (a member of zeros pads it) but whose
	// H x H weights do not fit in memory; a run.json (a run killed before
	// its first checkpoint) and a checkpoint whose batch does not.
	bigConfig := filepath.Join(root, "big-config")
	smallModel(t, bigConfig)
	editArchive(t, filepath.Join(bigConfig, "weights.npz"), func(ms []readtest.Member) []readtest.Member {
		pad := readtest.NPY(1, "{'descr': '|u1', 'fortran_order': False, 'shape': (65536,), }", make([]byte, 65536))
		return append(ms, readtest.Member{Name: "pad.npy", Data: pad})
	})
	editFile(t, filepath.Join(bigConfig, "config.json"), func(s string) string {
		return strings.Replace(s, `"hidden": 4`, `"hidden": 16384`, 1)
	})
	bigRun := in("big-run")
	os.MkdirAll(bigRun, 0o755)
	b, _ := os.ReadFile(filepath.Join(trained, recipe.RunFile))
	os.WriteFile(filepath.Join(bigRun, recipe.RunFile), []byte(strings.Replace(string(b), `"batch":8`, `"batch":1000000000`, 1)), 0o644)
	bigCkpt := variant("big-ckpt", func(dir string) {
		editCheckpoint(t, dir, func(c *train.Checkpoint) {
			c.Config.Batch = 1e9
			c.Meta = json.RawMessage(strings.Replace(string(c.Meta), `"batch":8`, `"batch":1000000000`, 1))
		})
	})
	zeroRun := in("zero-run")
	os.MkdirAll(zeroRun, 0o755)
	os.WriteFile(filepath.Join(zeroRun, recipe.RunFile), []byte(strings.Replace(string(b), `"batch":8`, `"batch":0`, 1)), 0o644)

	// Class 4: checkpoints that do not describe their directory.
	offsetBeyond := variant("offset-beyond", func(dir string) {
		editCheckpoint(t, dir, func(c *train.Checkpoint) { c.LogOffset = 1 << 40 })
	})
	offsetInLine := variant("offset-in-line", func(dir string) {
		editCheckpoint(t, dir, func(c *train.Checkpoint) { c.LogOffset-- })
	})
	noLog := variant("no-log", func(dir string) { os.Remove(filepath.Join(dir, train.LogFile)) })
	badLog := variant("bad-log", func(dir string) {
		editFile(t, filepath.Join(dir, train.LogFile), func(s string) string { return "{}x" + s[3:] })
	})
	window := variant("window", func(dir string) {
		editCheckpoint(t, dir, func(c *train.Checkpoint) { c.Window.Steps++ })
	})
	params := variant("params", func(dir string) {
		editCheckpoint(t, dir, func(c *train.Checkpoint) {
			c.Params, c.AdamM, c.AdamV = append(c.Params, 0), append(c.AdamM, 0), append(c.AdamV, 0)
		})
	})
	loop := variant("loop-settings", func(dir string) {
		editCheckpoint(t, dir, func(c *train.Checkpoint) { c.Config.Adam.LR *= 2 })
	})

	// Class 6: directories that hold no run to continue.
	study := in("study")
	os.MkdirAll(filepath.Join(study, "runs"), 0o755)
	os.WriteFile(filepath.Join(study, "results.json"), []byte(`{"studies": []}`), 0o644)
	unit := in("unit")
	copyDir(t, trained, filepath.Join(unit, "model"))
	empty := in("empty")
	os.MkdirAll(empty, 0o755)

	// Class 7: base means that config.json and weights.npz disagree on.
	means := filepath.Join(root, "means")
	smallModel(t, means)
	editFile(t, filepath.Join(means, "config.json"), func(s string) string {
		return strings.Replace(s, "\n        -1,", "\n        -1.5,", 1)
	})

	out := in("new/deep/out")
	refused(t, root, []badInput{
		// Class 2: sizes from flags, refused before the data or the model
		// is built and before --out is created.
		{[]string{"train", "--batch", "1000000000", "--out", out}, "--batch 1000000000 needs 1.03 TiB of memory (program 16.0 MiB, model 411.3 KiB, training step 752.5 GiB, gradient records of the first 2 solver steps (89.4 GiB per further step) 238.4 GiB"},
		{[]string{"train", "--n-train", "1000000000000", "--out", out}, "--n-train 1000000000000 needs 131.0 TiB of memory (program 16.0 MiB, data 131.0 TiB), more than the 4.00 GiB (MMCNF_MEMORY) available"},
		{[]string{"train", "--n-test", "10000000000", "--out", out}, "--n-test 10000000000 needs 3.93 TiB of memory"},
		{[]string{"train", "--hidden", "1000000", "--out", out}, "--hidden 1000000 needs"},
		{[]string{"train", "--width", "100000000", "--out", out}, "--width 100000000 needs"},
		{[]string{"train", "--dynamics", "concatmlp", "--dims", "100000,100000", "--out", out}, "--dims 100000,100000 needs"},
		{[]string{"train", "--blocks", "10000000", "--out", out}, "--blocks 10000000 needs"},
		{[]string{"train", "--solver", "rk4", "--steps", "1000000000", "--out", out}, "--steps 1000000000 needs"},
		{[]string{"train", "--threads", "5000", "--out", out}, "--threads must be at most 1024, got 5000"},
		{[]string{"eval", "--model", model, "--data", "moons", "--n-test", "1000000000000"}, "--n-test 1000000000000 needs"},
		{[]string{"eval", "--model", model, "--threads", "2000"}, "--threads must be at most 1024"},
		{[]string{"sample", "--model", model, "-n", "1000000000000", "--out", in("s.csv")}, "--n 1000000000000 needs 109.1 TiB of memory"},
		{[]string{"sample", "--model", model, "--threads", "2000", "--out", in("s.csv")}, "--threads must be at most 1024"},
		{[]string{"plot", "--model", model, "--data", "moons", "-n", "1000000000000", "--out", in("p.png")}, "--n 1000000000000 needs 218.3 TiB of memory"},
		{[]string{"bench", "train", "--workload", "planar2d", "--batch", "1000000000"}, "--batch 1000000000 needs"},
		{[]string{"bench", "train", "--workload", "conv16", "--steps-timed", "1000000000000"}, "--steps-timed must be at most 1000000"},
		{[]string{"reproduce", "moons", "--threads", "5000", "--out", in("repro")}, "--threads must be at most 1024"},
		// Class 2: sizes read back from files, named as the file spells
		// them.
		{[]string{"eval", "--model", bigConfig}, "--model: cnf: load " + filepath.Join(bigConfig, "config.json") + ": config: dynamics hidden 16384 and width 4 on points of shape [2] make 2.689e+08 parameters, which need 6.01 GiB, more than the 4.00 GiB (MMCNF_MEMORY) available"},
		{[]string{"train", "--resume", "--out", bigRun}, "--resume: " + filepath.Join(bigRun, "run.json") + ": train batch 1000000000 needs"},
		{[]string{"train", "--resume", "--out", bigCkpt}, "--resume: " + filepath.Join(bigCkpt, "checkpoint.npz") + ": settings of the run: train batch 1000000000 needs"},
		// Class 4: a checkpoint that does not describe its directory.
		{[]string{"train", "--resume", "--out", offsetBeyond}, "checkpoint.npz: log_offset 1099511627776: read training log " + filepath.Join(offsetBeyond, "train.jsonl") + ": 1099511627776 bytes expected, the file has"},
		{[]string{"train", "--resume", "--out", offsetInLine}, "is not the end of a line"},
		{[]string{"train", "--resume", "--out", noLog}, "train.jsonl: no such file or directory"},
		{[]string{"train", "--resume", "--out", badLog}, "train.jsonl: line 1: at byte"},
		{[]string{"train", "--resume", "--out", window}, fmt.Sprintf("checkpoint.npz: iteration %d, but the training log's last record", ckpt.Iteration)},
		{[]string{"train", "--resume", "--out", params}, fmt.Sprintf("checkpoint.npz: %d parameters, but the model has %d", len(ckpt.Params)+1, len(ckpt.Params))},
		{[]string{"train", "--resume", "--out", loop}, "checkpoint.npz: the loop's settings (train) differ from those of the run (run train)"},
		// Class 6: bad input, not a failed run, naming where a value came
		// from and what a directory is.
		{[]string{"train", "--resume", "--iters", "1", "--out", trained}, fmt.Sprintf("--iters 1 is below the iteration of the checkpoint in %s, %d", trained, ckpt.Iteration)},
		{[]string{"train", "--resume", "--out", zeroRun}, "--resume: " + filepath.Join(zeroRun, "run.json") + ": train batch must be positive, got 0"},
		{[]string{"train", "--resume", "--out", study}, "the output directory of a study (mmcnf reproduce)"},
		{[]string{"train", "--resume", "--out", unit}, "a unit of a study (mmcnf reproduce); its model directory is " + filepath.Join(unit, "model")},
		{[]string{"train", "--resume", "--out", empty}, "an empty directory"},
		{[]string{"train", "--resume", "--out", points}, "points.csv is not a directory"},
		{[]string{"reproduce", "instance-mnist", "--quick", "--data-dir", in("no-data"), "--out", in("repro")}, "instance-mnist: MNIST: train-images-idx3-ubyte not found"},
		// Class 7: lenient parsing.
		{[]string{"train", "--data", points, "--classes", "0,1", "--out", out}, "--classes applies to moons only; the classes of " + points + " are the labels it holds"},
		{[]string{"eval", "--model", model, "--data", points, "--out", points}, "--out " + points + " is the file of points being scored"},
		{[]string{"eval", "--model", model, "--data", points, "--out", in("link.csv")}, "is the file of points being scored"},
		{[]string{"eval", "--model", means}, "config.json gives base mean 0 element 0 as -1.5, weights.npz as -1"},
		{[]string{"bench", "kernels", "--filter", "no-such-kernel"}, `no kernel case matches --filter "no-such-kernel"`},
	})

	// The refusal of a batch size that only the evaluation's chunks make
	// too large names --eval-batch, not the test points it chunks.
	t.Setenv(sysmem.EnvVar, "256M")
	refused(t, root, []badInput{
		{[]string{"train", "--n-test", "100000", "--eval-batch", "1000000", "--out", out}, "--eval-batch 1000000 needs"},
	})
}

// TestMessagesNameAPathOnce: a message names a file once, not once per
// layer it went through.
func TestMessagesNameAPathOnce(t *testing.T) {
	root := t.TempDir()
	model := filepath.Join(root, "model")
	smallModel(t, model)
	truncated := filepath.Join(root, "truncated.npy")
	os.WriteFile(truncated, readtest.CutNPY, 0o644)
	var stdout, stderr bytes.Buffer
	if code := run([]string{"eval", "--model", model, "--data", truncated}, &stdout, &stderr); code != exitUsage {
		t.Fatalf("exit status %d: %s", code, stderr.String())
	}
	if n := strings.Count(stderr.String(), truncated); n != 1 {
		t.Errorf("the message names %s %d times: %s", truncated, n, stderr.String())
	}
}

// TestHelpExitStatuses: mmcnf help says what each exit status means,
// 130 being SIGINT or SIGTERM.
func TestHelpExitStatuses(t *testing.T) {
	var stdout, stderr bytes.Buffer
	run([]string{"help"}, &stdout, &stderr)
	help := strings.Join(strings.Fields(stdout.String()), " ")
	for _, want := range []string{"0 success", "1 the work failed", "2 bad command line or input (nothing is written)", "130 interrupted by SIGINT or SIGTERM"} {
		if !strings.Contains(help, want) {
			t.Errorf("help does not say %q:\n%s", want, stdout.String())
		}
	}
}

// runCLI runs the command line args in a child process (this test binary
// acting as mmcnf) and returns its exit status and output.
func runCLI(t *testing.T, args ...string) (int, string) {
	t.Helper()
	cmd := exec.Command(mmcnfProgram(t), args...)
	cmd.Env = append(os.Environ(), "MMCNF_NOSYNC=1", cliEnv+"=1")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatal(err)
	}
	return cmd.ProcessState.ExitCode(), out.String()
}

// TestTrainLock: while one process trains into a model directory, a
// second `train --resume` of it is refused with exit status 1 and one line
// naming the holder (its process id and command line), and leaves the
// holder's run to finish as if alone; so is a second fresh run into it,
// as bad input, since it already holds a model.
func TestTrainLock(t *testing.T) {
	if testing.Short() {
		t.Skip("trains in child processes")
	}
	bin := mmcnfProgram(t)
	dir := filepath.Join(t.TempDir(), "locked")
	first := startTrain(t, bin, resumeTrainArgs(dir)...)
	waitCheckpoint(t, first, dir, 1)
	code, msg := runCLI(t, resumeArgs(dir)...)
	holder := regexp.MustCompile(fmt.Sprintf(`^mmcnf train: %s is in use by another run: pid %d on .* since .*: .* train --data moons .*--out %s\n$`,
		regexp.QuoteMeta(dir), first.cmd.Process.Pid, regexp.QuoteMeta(dir)))
	if code != exitFailure || !holder.MatchString(msg) {
		t.Errorf("second run while the first holds the lock: exit status %d, output %q; want 1 and one line naming the holder", code, msg)
	}
	if !first.running() {
		t.Fatalf("the first run ended before the second was refused; make it longer\n%s", first.stderr.String())
	}
	if code, msg := runCLI(t, resumeTrainArgs(dir)...); code != exitUsage || !strings.Contains(msg, "already holds a model") {
		t.Errorf("fresh run into the held directory: exit status %d, output %q", code, msg)
	}
	first.finish(t, "the run holding the lock")
	if _, err := train.ReadLog(dir); err != nil {
		t.Errorf("the log of the run that held the lock: %v", err)
	}
	if code, msg := runCLI(t, resumeArgs(dir)...); code != exitOK {
		t.Errorf("resume once the lock is free: exit status %d\n%s", code, msg)
	}
}

// TestTrainRace: two fresh runs started together into one new directory:
// one trains, the other stops with exit status 1 (the lock is held) or 2
// (the directory already holds a model), and the log is the winner's
// alone, as it would be without the other.
func TestTrainRace(t *testing.T) {
	if testing.Short() {
		t.Skip("trains in child processes")
	}
	bin := mmcnfProgram(t)
	root := t.TempDir()
	dir := filepath.Join(root, "race")
	args := smallTrainArgs(dir)
	a, b := startTrain(t, bin, args...), startTrain(t, bin, args...)
	<-a.done
	<-b.done
	codes := []int{a.cmd.ProcessState.ExitCode(), b.cmd.ProcessState.ExitCode()}
	if !(codes[0] == exitOK) == !(codes[1] == exitOK) {
		t.Fatalf("exit statuses %v, want one success\n%s\n%s", codes, a.stderr.String(), b.stderr.String())
	}
	loser := b
	if codes[1] == exitOK {
		loser = a
	}
	lost := loser.cmd.ProcessState.ExitCode()
	msg := loser.stderr.String()
	if !(lost == exitFailure && strings.Contains(msg, "is in use by another run: pid")) && !(lost == exitUsage && strings.Contains(msg, "already holds a model")) {
		t.Errorf("the run that lost: exit status %d, %q", lost, msg)
	}
	ref := filepath.Join(root, "ref")
	trainSmall(t, ref)
	sameWeights(t, ref, dir)
	sameLog(t, ref, dir)
}

// TestRefusedRunLeavesNoDirectory: a run refused once it has created its
// directory and taken the lock (a run that held the lock before it wrote
// a model there) removes what it created, and only that. (A refused
// resume, checked before it takes the lock, changes nothing, the lock
// file included: TestHostileInput's --resume cases of the trained
// directory.)
func TestRefusedRunLeavesNoDirectory(t *testing.T) {
	t.Setenv("MMCNF_NOSYNC", "1")
	root := t.TempDir()
	dir := filepath.Join(root, "a", "b")
	r := &trainRun{}
	made, err := makeDirs(dir)
	if err != nil {
		t.Fatal(err)
	}
	r.made = made
	f := newFlags("train", "", "")
	if err := r.lock(f, dir); err != nil {
		t.Fatal(err)
	}
	r.refuse(errors.New("refused"))
	if _, err := os.Stat(filepath.Join(root, "a")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a refused run left %s (%v)", filepath.Join(root, "a"), err)
	}
	// A directory another run has written into since stays.
	made, _ = makeDirs(dir)
	r = &trainRun{made: made}
	os.WriteFile(filepath.Join(dir, "theirs"), nil, 0o644)
	r.refuse(errors.New("refused"))
	if _, err := os.Stat(filepath.Join(dir, "theirs")); err != nil {
		t.Errorf("a refused run removed another run's file: %v", err)
	}
}
