package main

import (
	"bytes"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mmcnf/mmcnf/cnf"
	"github.com/mmcnf/mmcnf/cnf/train"
)

// buildBinary builds mmcnf into a temporary directory.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "mmcnf")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// trainArgs is a small moons run: 120 iterations, a checkpoint every 10.
func trainArgs(out string) []string {
	return []string{"train", "--data", "moons", "--classes", "0,1", "--base", "gmm",
		"--n-train", "200", "--n-test", "50", "--batch", "32", "--iters", "120",
		"--hidden", "8", "--width", "8", "--rtol", "1e-3", "--atol", "1e-3",
		"--eval-every", "40", "--checkpoint-every", "10", "--seed", "7", "--threads", "2",
		"--quiet", "--out", out}
}

// command runs the binary with fsync off (the test is about process
// crashes, which the atomic renames alone survive).
func command(bin string, args ...string) *exec.Cmd {
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "MMCNF_NOSYNC=1")
	return cmd
}

// waitCheckpoint polls dir until its checkpoint reaches iteration at least
// min, and returns that iteration.
func waitCheckpoint(t *testing.T, dir string, min int) int {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		if c, err := train.ReadCheckpoint(dir); err == nil && c.Iteration >= min {
			return c.Iteration
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("no checkpoint at iteration >= %d in %s", min, dir)
	return 0
}

// sameWeights checks that two model directories hold bit-identical
// parameters.
func sameWeights(t *testing.T, a, b string) {
	t.Helper()
	ma, err := cnf.Load(a)
	if err != nil {
		t.Fatal(err)
	}
	mb, err := cnf.Load(b)
	if err != nil {
		t.Fatal(err)
	}
	pa, pb := ma.Params(), mb.Params()
	if len(pa) != len(pb) {
		t.Fatalf("%d parameters against %d", len(pa), len(pb))
	}
	diff := 0
	for i := range pa {
		if math.Float64bits(pa[i]) != math.Float64bits(pb[i]) {
			diff++
		}
	}
	if diff > 0 {
		t.Errorf("%d of %d parameters differ between %s and %s", diff, len(pa), a, b)
	}
}

// TestKillAndResume kills a training process with SIGKILL after its first
// checkpoint, resumes it, and checks that the final weights are bit for bit
// those of an uninterrupted run; then it interrupts a run with SIGINT,
// checks the clean exit (status 130, checkpoint written) and resumes that
// one too.
func TestKillAndResume(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildBinary(t)
	root := t.TempDir()
	ref := filepath.Join(root, "ref")
	if out, err := command(bin, trainArgs(ref)...).CombinedOutput(); err != nil {
		t.Fatalf("uninterrupted run: %v\n%s", err, out)
	}

	killed := filepath.Join(root, "killed")
	cmd := command(bin, trainArgs(killed)...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitCheckpoint(t, killed, 10)
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	c, err := train.ReadCheckpoint(killed)
	if err != nil {
		t.Fatalf("checkpoint after SIGKILL: %v", err)
	}
	if c.Iteration >= 120 {
		t.Fatalf("the run finished (iteration %d) before it was killed", c.Iteration)
	}
	t.Logf("killed after the checkpoint of iteration %d", c.Iteration)
	if out, err := command(bin, "train", "--out", killed, "--resume", "--quiet").CombinedOutput(); err != nil {
		t.Fatalf("resume after SIGKILL: %v\n%s", err, out)
	}
	sameWeights(t, ref, killed)

	interrupted := filepath.Join(root, "interrupted")
	cmd = command(bin, trainArgs(interrupted)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitCheckpoint(t, interrupted, 10)
	cmd.Process.Signal(os.Interrupt)
	err = cmd.Wait()
	if code := cmd.ProcessState.ExitCode(); code != exitInterrupted {
		t.Fatalf("after SIGINT: exit %d (%v), want %d; stderr %q", code, err, exitInterrupted, stderr.String())
	}
	if !strings.Contains(stderr.String(), "interrupted at iteration") {
		t.Errorf("after SIGINT: stderr %q does not say where it stopped", stderr.String())
	}
	c, err = train.ReadCheckpoint(interrupted)
	if err != nil {
		t.Fatalf("checkpoint after SIGINT: %v", err)
	}
	t.Logf("SIGINT: checkpoint at iteration %d", c.Iteration)
	if out, err := command(bin, "train", "--out", interrupted, "--resume", "--quiet").CombinedOutput(); err != nil {
		t.Fatalf("resume after SIGINT: %v\n%s", err, out)
	}
	sameWeights(t, ref, interrupted)
}
