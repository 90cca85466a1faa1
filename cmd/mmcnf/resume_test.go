package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/mmcnf/mmcnf/cnf"
	"github.com/mmcnf/mmcnf/cnf/recipe"
	"github.com/mmcnf/mmcnf/cnf/train"
	"github.com/mmcnf/mmcnf/internal/dirlock"
	"github.com/mmcnf/mmcnf/internal/npy"
)

// The training run of the resume tests: tiny moons flow, a checkpoint every
// resumeEvery of resumeIters iterations. The sizes only have to make a run
// last long enough to be stopped in the middle; what is checked is the
// bit-for-bit equality of the weights, whatever they learn.
const (
	resumeIters = 150
	resumeEvery = 5
)

// resumeTrainArgs are the arguments of the training run writing to out.
func resumeTrainArgs(out string) []string {
	return []string{"train", "--data", "moons", "--classes", "0,1", "--base", "gmm",
		"--n-train", "64", "--n-test", "16", "--batch", "16", "--iters", strconv.Itoa(resumeIters),
		"--hidden", "4", "--width", "4", "--rtol", "1e-3", "--atol", "1e-3",
		"--eval-every", "50", "--checkpoint-every", strconv.Itoa(resumeEvery),
		"--seed", "7", "--threads", "2", "--quiet", "--out", out}
}

// resumeArgs are the arguments that continue the run in out.
func resumeArgs(out string) []string {
	return []string{"train", "--out", out, "--resume", "--quiet"}
}

// mmcnfProgram returns the program to run as mmcnf: this test binary, which
// TestMain turns into the command when cliEnv is set.
func mmcnfProgram(t *testing.T) string {
	t.Helper()
	bin, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// trainProc is a running mmcnf child process.
type trainProc struct {
	cmd    *exec.Cmd
	stderr bytes.Buffer
	done   chan struct{} // closed when the process has been waited for
	err    error         // of Wait, valid once done is closed
}

// startTrain starts bin with args and fsync off (the tests are about
// process crashes, which the atomic renames alone survive). The process is
// killed when the test ends, if it still runs.
func startTrain(t *testing.T, bin string, args ...string) *trainProc {
	t.Helper()
	p := &trainProc{cmd: exec.Command(bin, args...), done: make(chan struct{})}
	p.cmd.Env = append(os.Environ(), "MMCNF_NOSYNC=1", cliEnv+"=1")
	p.cmd.Stdout = &p.stderr
	p.cmd.Stderr = &p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			p.cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

// running reports whether the process has not exited yet.
func (p *trainProc) running() bool {
	select {
	case <-p.done:
		return false
	default:
		return true
	}
}

// finish waits for the process and fails the test unless it succeeded.
func (p *trainProc) finish(t *testing.T, what string) {
	t.Helper()
	<-p.done
	if p.err != nil {
		t.Fatalf("%s: %v\n%s", what, p.err, p.stderr.String())
	}
}

// signal sends sig and waits for the process to end.
func (p *trainProc) signal(t *testing.T, sig os.Signal) {
	t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil && !errors.Is(err, os.ErrProcessDone) {
		t.Fatalf("signal %v: %v", sig, err)
	}
	<-p.done
}

// waitCheckpoint polls dir until its checkpoint reaches iteration min while
// p runs, and returns that iteration. Every read must succeed once the file
// exists: checkpoints are replaced by atomic renames.
func waitCheckpoint(t *testing.T, p *trainProc, dir string, min int) int {
	t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	for time.Now().Before(deadline) {
		if !p.running() {
			t.Fatalf("the run in %s ended before its checkpoint reached iteration %d: %v\n%s", dir, min, p.err, p.stderr.String())
		}
		c, err := train.ReadCheckpoint(dir)
		switch {
		case err == nil && c.Iteration >= min:
			return c.Iteration
		case err != nil && !errors.Is(err, fs.ErrNotExist):
			t.Fatalf("reading the checkpoint of a running process: %v", err)
		}
		time.Sleep(2 * time.Millisecond)
	}
	t.Fatalf("no checkpoint at iteration >= %d in %s after 3 minutes", min, dir)
	return 0
}

// stopAfter waits for a checkpoint at iteration min or later and for the
// next one, which times a checkpoint period; it then waits that period
// times frac, or less if the following checkpoint appears first (the speed
// of this machine changes by orders of magnitude within seconds), and
// sends sig. It returns the iteration of the later checkpoint seen and the
// delay.
func stopAfter(t *testing.T, p *trainProc, dir string, min int, frac float64, sig os.Signal) (int, time.Duration) {
	t.Helper()
	seen := waitCheckpoint(t, p, dir, min)
	start := time.Now()
	seen = waitCheckpoint(t, p, dir, seen+1)
	path := filepath.Join(dir, train.CheckpointFile)
	file, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	begin := time.Now()
	end := begin.Add(time.Duration(frac * float64(begin.Sub(start))))
	for time.Now().Before(end) {
		if now, err := os.Stat(path); err != nil || !os.SameFile(file, now) {
			break
		}
		time.Sleep(500 * time.Microsecond)
	}
	delay := time.Since(begin)
	p.signal(t, sig)
	return seen, delay
}

// killAfter kills p with SIGKILL as stopAfter does. It checks that the kill
// interrupted the run, that the checkpoint left behind is readable and
// unfinished and that the model directory loads, and returns the
// checkpoint's iteration.
func killAfter(t *testing.T, p *trainProc, dir string, min int, frac float64) int {
	t.Helper()
	seen, delay := stopAfter(t, p, dir, min, frac, syscall.SIGKILL)
	ws, ok := p.cmd.ProcessState.Sys().(syscall.WaitStatus)
	if !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("the run in %s was not killed mid-run (%v); make it longer\n%s", dir, p.cmd.ProcessState, p.stderr.String())
	}
	c, err := train.ReadCheckpoint(dir)
	if err != nil {
		t.Fatalf("checkpoint after SIGKILL: %v", err)
	}
	if c.Iteration < seen || c.Iteration >= resumeIters {
		t.Fatalf("checkpoint after SIGKILL at iteration %d, want within [%d, %d)", c.Iteration, seen, resumeIters)
	}
	if _, err := cnf.Load(dir); err != nil {
		t.Fatalf("model directory after SIGKILL: %v", err)
	}
	t.Logf("SIGKILL %v after the checkpoint of iteration %d; checkpoint left at iteration %d; temporaries left %v", delay, seen, c.Iteration, temporaries(t, dir))
	return c.Iteration
}

// temporaries lists the files an unfinished atomic write leaves in dir.
func temporaries(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if n := e.Name(); n[0] == '.' && n != dirlock.Name { // the lock file stays, naming its last holder
			out = append(out, n)
		}
	}
	return out
}

// npzArray is one array of an .npz file.
type npzArray struct {
	shape []int
	v     []float64
}

// readWeights returns every array of dir/weights.npz by name.
func readWeights(t *testing.T, dir string) map[string]npzArray {
	t.Helper()
	r, err := npy.OpenArchive(filepath.Join(dir, cnf.WeightsFile))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	out := map[string]npzArray{}
	for _, k := range r.Keys() {
		a, err := r.Read(k, 0)
		if err != nil {
			t.Fatal(err)
		}
		out[k] = npzArray{a.Shape, a.Data}
	}
	if len(out) == 0 {
		t.Fatalf("%s: weights.npz holds no arrays", dir)
	}
	return out
}

// sameWeights checks that the weights.npz of dirs a and b hold the same
// arrays (names and shapes) with bit-identical float64 values.
func sameWeights(t *testing.T, a, b string) {
	t.Helper()
	wa, wb := readWeights(t, a), readWeights(t, b)
	for k, x := range wa {
		y, ok := wb[k]
		switch {
		case !ok:
			t.Errorf("array %s of %s is missing from %s", k, a, b)
			continue
		case !slices.Equal(x.shape, y.shape) || len(x.v) != len(y.v):
			t.Errorf("array %s: shape %v (%d values) against %v (%d values)", k, x.shape, len(x.v), y.shape, len(y.v))
			continue
		}
		diff, first := 0, -1
		for i := range x.v {
			if math.Float64bits(x.v[i]) != math.Float64bits(y.v[i]) {
				if first < 0 {
					first = i
				}
				diff++
			}
		}
		if diff > 0 {
			t.Errorf("array %s: %d of %d values differ, the first at %d: %v against %v", k, diff, len(x.v), first, x.v[first], y.v[first])
		}
	}
	for k := range wb {
		if _, ok := wa[k]; !ok {
			t.Errorf("array %s of %s is missing from %s", k, b, a)
		}
	}
}

// sameLog checks that the training logs of a and b hold the same records
// but for the wall time: a resumed run must log what an uninterrupted one
// logs, without lines repeated from before the resume.
func sameLog(t *testing.T, a, b string) {
	t.Helper()
	la, lb := logRecords(t, a), logRecords(t, b)
	if !slices.EqualFunc(la, lb, bytes.Equal) {
		t.Errorf("training logs differ:\n%s:\n%s\n%s:\n%s", a, bytes.Join(la, []byte("\n")), b, bytes.Join(lb, []byte("\n")))
	}
}

// logRecords returns the lines of dir's training log re-encoded without
// their "seconds" field.
func logRecords(t *testing.T, dir string) [][]byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, train.LogFile))
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	for _, line := range bytes.Split(bytes.TrimSpace(data), []byte("\n")) {
		var rec map[string]json.RawMessage
		if err := json.Unmarshal(line, &rec); err != nil {
			t.Fatalf("%s: %q: %v", dir, line, err)
		}
		delete(rec, "seconds")
		b, err := json.Marshal(rec)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
	}
	return out
}

// TestResume proves that `mmcnf train --resume` continues exactly: a run
// killed three times with SIGKILL, and a run stopped with SIGINT, each
// resumed to the end, finish with weights bit-identical to an uninterrupted
// run of the same seed and thread count, and with the same training log.
//
// The kill points are drawn from a fixed seed: a checkpoint iteration to
// wait for, then a fraction of a checkpoint period timed on the running
// process, so that the kill falls anywhere in an iteration or a checkpoint
// write whatever the machine's speed at the time. The last kill is aimed at
// least 35 iterations (7 periods) before the end.
func TestResume(t *testing.T) {
	if testing.Short() {
		t.Skip("trains several small runs in child processes")
	}
	bin := mmcnfProgram(t)
	root := t.TempDir()
	// The uninterrupted run goes on beside the others; each waits for it
	// before comparing.
	ref := filepath.Join(root, "ref")
	refRun := startTrain(t, bin, resumeTrainArgs(ref)...)

	t.Run("SIGKILL", func(t *testing.T) {
		rng := rand.New(rand.NewPCG(20260127, 1))
		dir := filepath.Join(root, "killed")
		at := killAfter(t, startTrain(t, bin, resumeTrainArgs(dir)...), dir, rng.IntN(35), rng.Float64())
		at = killAfter(t, startTrain(t, bin, resumeArgs(dir)...), dir, max(at+1, 45+rng.IntN(30)), rng.Float64())
		killAfter(t, startTrain(t, bin, resumeArgs(dir)...), dir, min(max(at+1, 85+rng.IntN(25)), resumeIters-35-resumeEvery), rng.Float64())
		startTrain(t, bin, resumeArgs(dir)...).finish(t, "resume after SIGKILL")
		refRun.finish(t, "uninterrupted run")
		sameWeights(t, ref, dir)
		sameLog(t, ref, dir)
	})

	t.Run("SIGINT", func(t *testing.T) {
		rng := rand.New(rand.NewPCG(20260127, 2))
		dir := filepath.Join(root, "interrupted")
		p := startTrain(t, bin, resumeTrainArgs(dir)...)
		seen, d := stopAfter(t, p, dir, rng.IntN(100), rng.Float64(), os.Interrupt)
		if code := p.cmd.ProcessState.ExitCode(); code != exitInterrupted {
			t.Fatalf("after SIGINT: exit status %d (%v), want %d\n%s", code, p.err, exitInterrupted, p.stderr.String())
		}
		m := regexp.MustCompile(`interrupted at iteration (\d+);`).FindSubmatch(p.stderr.Bytes())
		if m == nil {
			t.Fatalf("after SIGINT: stderr does not name the iteration reached:\n%s", p.stderr.String())
		}
		reached, _ := strconv.Atoi(string(m[1]))
		c, err := train.ReadCheckpoint(dir)
		if err != nil {
			t.Fatalf("checkpoint after SIGINT: %v", err)
		}
		if c.Iteration != reached || reached < seen || reached >= resumeIters {
			t.Fatalf("after SIGINT at iteration %d (checkpoint %d seen before the signal): checkpoint at iteration %d", reached, seen, c.Iteration)
		}
		model, err := cnf.Load(dir)
		if err != nil {
			t.Fatalf("model directory after SIGINT: %v", err)
		}
		if !slices.EqualFunc(model.Params(), c.Params, func(a, b float64) bool { return math.Float64bits(a) == math.Float64bits(b) }) {
			t.Errorf("after SIGINT: weights.npz does not hold the checkpoint's parameters")
		}
		if left := temporaries(t, dir); len(left) > 0 {
			t.Errorf("after SIGINT: temporary files left in %s: %v", dir, left)
		}
		t.Logf("SIGINT %v after the checkpoint of iteration %d; stopped at iteration %d", d, seen, reached)
		startTrain(t, bin, resumeArgs(dir)...).finish(t, "resume after SIGINT")
		refRun.finish(t, "uninterrupted run")
		sameWeights(t, ref, dir)
		sameLog(t, ref, dir)
	})

	// A run killed before its first checkpoint leaves its settings
	// (run.json) and perhaps config.json: --resume starts it again.
	t.Run("before the first checkpoint", func(t *testing.T) {
		refRun.finish(t, "uninterrupted run")
		dir := filepath.Join(root, "early")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{recipe.RunFile, "config.json"} {
			b, err := os.ReadFile(filepath.Join(ref, name))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		startTrain(t, bin, resumeArgs(dir)...).finish(t, "resume without a checkpoint")
		sameWeights(t, ref, dir)
		sameLog(t, ref, dir)
	})
}
