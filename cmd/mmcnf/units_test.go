package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mmcnf/mmcnf/cnf/experiment"
	"github.com/mmcnf/mmcnf/cnf/metrics"
)

// runProcess runs bin as mmcnf with args in a process of its own and
// returns its stdout, stderr and exit status.
func runProcess(t *testing.T, bin string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "MMCNF_NOSYNC=1", cliEnv+"=1")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return stdout.String(), stderr.String(), 0
	case errors.As(err, &ee):
		return stdout.String(), stderr.String(), ee.ExitCode()
	}
	t.Fatalf("mmcnf %s: %v", strings.Join(args, " "), err)
	return "", "", 0
}

// mustRun runs bin as runProcess does and fails the test unless it exits
// with status 0.
func mustRun(t *testing.T, bin string, args ...string) string {
	t.Helper()
	stdout, stderr, code := runProcess(t, bin, args...)
	if code != 0 {
		t.Fatalf("mmcnf %s: exit %d:\n%s", strings.Join(args, " "), code, stderr)
	}
	return stdout
}

// listUnitsOf runs --list with args and parses its lines.
func listUnitsOf(t *testing.T, bin string, args ...string) []experiment.UnitStatus {
	t.Helper()
	var out []experiment.UnitStatus
	sc := bufio.NewScanner(strings.NewReader(mustRun(t, bin, append(args, "--list")...)))
	for sc.Scan() {
		var u experiment.UnitStatus
		if err := json.Unmarshal(sc.Bytes(), &u); err != nil {
			t.Fatalf("--list line %q: %v", sc.Text(), err)
		}
		out = append(out, u)
	}
	return out
}

// unitNumbers returns the result.json of a unit re-encoded without its
// wall-clock times, which no two runs share.
func unitNumbers(t *testing.T, dir string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, experiment.ResultFile))
	if err != nil {
		t.Fatal(err)
	}
	var r experiment.RunResult
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("%s: %v", dir, err)
	}
	r.TrainSeconds, r.EvalSeconds = 0, 0
	out, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// reportNumbers returns the study's part of out/results.json re-encoded
// without the wall-clock times, of the invocation and of the units.
func reportNumbers(t *testing.T, out, study string) []byte {
	t.Helper()
	rep, err := experiment.ReadReport(filepath.Join(out, "results.json"))
	if err != nil {
		t.Fatal(err)
	}
	r := rep.Study(study)
	if r == nil {
		t.Fatalf("%s/results.json has no %s", out, study)
	}
	r.Started, r.Finished, r.WallSeconds = time.Time{}, time.Time{}, 0
	for i := range r.Runs {
		r.Runs[i].TrainSeconds, r.Runs[i].EvalSeconds = 0, 0
	}
	for i := range r.Models {
		r.Models[i].TrainSeconds = metrics.Summary{}
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestUnitsMatchOneProcess runs the units of moons --quick one by one,
// each in a process of its own with --unit, into one directory and writes
// their report with --report; then runs the whole study in one process
// into another directory. Every unit's result.json and weights, and
// results.json, must be the same, number for number, but for wall-clock
// times.
func TestUnitsMatchOneProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a study twice")
	}
	bin := mmcnfProgram(t)
	root := t.TempDir()
	apart, whole := filepath.Join(root, "apart"), filepath.Join(root, "whole")
	study := []string{"reproduce", "moons", "--quick", "--threads", "1"}
	units := listUnitsOf(t, bin, append(study, "--out", apart)...)
	if len(units) != 4 {
		t.Fatalf("--list gave %d units, want 4", len(units))
	}
	for _, u := range units {
		if u.Done {
			t.Fatalf("unit %d listed as done before any ran", u.Index)
		}
		mustRun(t, bin, append(study, "--out", apart, "--unit", strconv.Itoa(u.Index))...)
	}
	for _, u := range listUnitsOf(t, bin, append(study, "--out", apart)...) {
		if !u.Done {
			t.Errorf("unit %d not listed as done after it ran", u.Index)
		}
	}
	mustRun(t, bin, append(study, "--out", apart, "--report")...)
	mustRun(t, bin, append(study, "--out", whole)...)

	for _, u := range units {
		rel, err := filepath.Rel(apart, u.Dir)
		if err != nil {
			t.Fatal(err)
		}
		a, w := unitNumbers(t, u.Dir), unitNumbers(t, filepath.Join(whole, rel))
		if !bytes.Equal(a, w) {
			t.Errorf("unit %d: result.json differs:\n%s\n%s", u.Index, a, w)
		}
		sameWeights(t, filepath.Join(u.Dir, "model"), filepath.Join(whole, rel, "model"))
	}
	a, w := reportNumbers(t, apart, "moons"), reportNumbers(t, whole, "moons")
	if !bytes.Equal(a, w) {
		t.Errorf("results.json differs:\n%s\n%s", a, w)
	}
	if !bytes.Contains(a, []byte(`"bits_per_dim"`)) || !bytes.Contains(a, []byte(`"threads":"1"`)) {
		t.Errorf("results.json lacks bits/dim or the thread count:\n%s", a)
	}
}

// TestReproduceMaxTime runs a unit of moons --quick, made long enough on
// this machine, in pieces of at most a quarter of its length given as
// --max-time, as a job array task under a time limit is requeued: each piece must stop
// with status 75 until one finishes with status 0, and the unit must then
// be the one run in one go.
func TestReproduceMaxTime(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a unit in pieces")
	}
	bin := mmcnfProgram(t)
	root := t.TempDir()
	unit := func(iters int) []string {
		return []string{"reproduce", "moons", "--quick", "--iters", strconv.Itoa(iters), "--threads", "1", "--unit", "1"}
	}
	var once, pieces string
	stops := inPieces(t, 600, func(iters int) {
		once = filepath.Join(root, "once-"+strconv.Itoa(iters))
		mustRun(t, bin, append(unit(iters), "--out", once)...)
	}, func(iters int, maxTime time.Duration) int {
		pieces = filepath.Join(root, "pieces-"+maxTime.String())
		stops := 0
		for piece := 0; ; piece++ {
			if piece == 200 {
				t.Fatalf("not finished after %d pieces", piece)
			}
			_, stderr, code := runProcess(t, bin, append(unit(iters), "--out", pieces, "--max-time", maxTime.String())...)
			if code == 0 {
				return stops
			}
			if code != exitResumable || !strings.Contains(stderr, "stopped before the deadline") {
				t.Fatalf("piece %d: exit %d, want %d or 0:\n%s", piece, code, exitResumable, stderr)
			}
			stops++
		}
	})
	t.Logf("%d pieces stopped at --max-time", stops)
	rel := "runs/moons/d01/gmm/seed-0"
	if a, b := unitNumbers(t, filepath.Join(once, rel)), unitNumbers(t, filepath.Join(pieces, rel)); !bytes.Equal(a, b) {
		t.Errorf("result.json of the unit run in pieces differs:\n%s\n%s", b, a)
	}
	sameWeights(t, filepath.Join(once, rel, "model"), filepath.Join(pieces, rel, "model"))
	sameLog(t, filepath.Join(once, rel, "model"), filepath.Join(pieces, rel, "model"))
}
