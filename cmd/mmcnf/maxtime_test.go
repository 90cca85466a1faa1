package main

import (
	"bytes"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mmcnf/mmcnf/cnf/train"
)

// TestTrainMaxTime runs a training run, made long enough on this machine,
// in pieces of at most a quarter of its length given as --max-time, as a
// batch job under a time limit is requeued: each piece must stop with
// status 75 at a checkpoint, later than the last, until one finishes with
// status 0; the weights and log must then be those of the run never
// stopped.
func TestTrainMaxTime(t *testing.T) {
	if testing.Short() {
		t.Skip("trains a small run in pieces")
	}
	root := t.TempDir()
	args := func(out string, iters int) []string {
		a := resumeTrainArgs(out)
		for i := range a {
			if a[i] == "--iters" {
				a[i+1] = strconv.Itoa(iters)
			}
			if a[i] == "--checkpoint-every" {
				a[i+1] = "25"
			}
		}
		return a
	}
	var stdout, stderr bytes.Buffer
	// The run is lengthened until it takes a second or more in one go, so
	// that pieces of a quarter of that stop on a fast machine too.
	var ref string
	var iters int
	var took time.Duration
	for iters = 400; ; iters *= 4 {
		ref = filepath.Join(root, "ref-"+strconv.Itoa(iters))
		start := time.Now()
		if code := run(args(ref, iters), &stdout, &stderr); code != exitOK {
			t.Fatalf("uninterrupted run: exit %d: %s", code, stderr.String())
		}
		took = time.Since(start)
		if took >= time.Second || iters >= 400*4*4*4*4 {
			break
		}
	}
	// A machine that speeds up after the run in one go can finish a piece
	// of a quarter of it whole: the pieces are then tried again, half as long.
	var dir string
	stops := 0
	for maxTime := took / 4; stops == 0; maxTime /= 2 {
		if maxTime < time.Millisecond {
			t.Fatal("no piece stopped at --max-time, however short")
		}
		dir = filepath.Join(root, "pieces-"+maxTime.String())
		t.Logf("%d iterations in one go in %v; pieces of --max-time %v", iters, took.Round(time.Millisecond), maxTime)
		stops = trainInPieces(t, append(args(dir, iters), "--max-time", maxTime.String()), dir, maxTime)
	}
	t.Logf("%d pieces stopped at --max-time", stops)
	sameWeights(t, ref, dir)
	sameLog(t, ref, dir)
}

// trainInPieces runs the train command cmd, then train --resume on dir,
// each with --max-time maxTime, until one finishes; each piece must stop
// with status 75 at a checkpoint later than the last. It returns how many
// stopped.
func trainInPieces(t *testing.T, cmd []string, dir string, maxTime time.Duration) int {
	t.Helper()
	var stdout, stderr bytes.Buffer
	stops, last := 0, 0
	for piece := 0; ; piece++ {
		if piece == 200 {
			t.Fatalf("not finished after %d pieces", piece)
		}
		stderr.Reset()
		code := run(cmd, &stdout, &stderr)
		if code == exitOK {
			return stops
		}
		if code != exitResumable || !strings.Contains(stderr.String(), "--max-time") {
			t.Fatalf("piece %d: exit %d, want %d or 0: %s", piece, code, exitResumable, stderr.String())
		}
		c, err := train.ReadCheckpoint(dir)
		if err != nil {
			t.Fatal(err)
		}
		if c.Iteration <= last && piece > 0 {
			t.Fatalf("piece %d stopped at iteration %d, no later than the piece before", piece, c.Iteration)
		}
		last = c.Iteration
		stops++
		cmd = []string{"train", "--out", dir, "--resume", "--quiet", "--max-time", maxTime.String()}
	}
}
