package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mmcnf/mmcnf/cnf"
)

// writePoints writes 60 labelled 2-D points, alternately of the classes a
// (near x = -1) and b (near x = 1), to dir/points.csv and returns its path.
func writePoints(t *testing.T, dir string, a, b int) string {
	t.Helper()
	var csv strings.Builder
	csv.WriteString("x,y,label\n")
	for i := range 60 {
		c := i % 2
		fmt.Fprintf(&csv, "%g,%g,%d\n", float64(2*c-1)+0.01*float64(i%7), 0.02*float64(i%5), [2]int{a, b}[c])
	}
	file := filepath.Join(dir, "points.csv")
	if err := os.WriteFile(file, []byte(csv.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return file
}

// trainOnPoints trains a small flow with a GMM base for a few iterations on
// the points of writePoints(t, dir, a, b), into dir/model, and returns the
// file and the model directory.
func trainOnPoints(t *testing.T, dir string, a, b int) (file, model string) {
	t.Helper()
	file, model = writePoints(t, dir, a, b), filepath.Join(dir, "model")
	var stdout, stderr bytes.Buffer
	args := []string{"train", "--data", file, "--base", "gmm", "--iters", "3", "--batch", "16",
		"--hidden", "4", "--width", "4", "--solver", "rk4", "--steps", "2", "--quiet", "--out", model}
	if code := run(args, &stdout, &stderr); code != 0 {
		t.Fatalf("train on %s: exit %d: %s", file, code, stderr.String())
	}
	return file, model
}

// TestTrainOnPointFile trains from a labelled .csv of points (which has no
// test split of its own, so a tenth is held out) and evaluates the model
// on the same file.
func TestTrainOnPointFile(t *testing.T) {
	t.Setenv("MMCNF_NOSYNC", "1")
	file, out := trainOnPoints(t, t.TempDir(), 0, 1)
	m, err := cnf.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	if k := len(m.Config().Base.Means); k != 2 {
		t.Errorf("GMM base has %d components, want one per label in the file (2)", k)
	}
	var stdout, stderr bytes.Buffer
	if code := run([]string{"eval", "--model", out, "--data", file}, &stdout, &stderr); code != 0 {
		t.Fatalf("eval on %s: exit %d: %s", file, code, stderr.String())
	}
	if !strings.Contains(stdout.String(), "bits/dim") {
		t.Errorf("eval printed no bits/dim:\n%s", stdout.String())
	}
}
