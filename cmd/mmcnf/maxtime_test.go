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
	var ref, dir string
	stops := inPieces(t, 400, func(iters int) {
		ref = filepath.Join(root, "ref-"+strconv.Itoa(iters))
		if code := run(args(ref, iters), &stdout, &stderr); code != exitOK {
			t.Fatalf("uninterrupted run: exit %d: %s", code, stderr.String())
		}
	}, func(iters int, maxTime time.Duration) int {
		dir = filepath.Join(root, "pieces-"+maxTime.String())
		return trainInPieces(t, append(args(dir, iters), "--max-time", maxTime.String()), dir, maxTime)
	})
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

// inPieces lengthens a run until it takes a second or more in one go, so
// that pieces of a quarter of that stop on a fast machine too: once(iters)
// runs it whole for iters = first, 4 first, ... (at most 256 first).
// pieces(iters, maxTime) then runs it in pieces of --max-time maxTime and
// returns how many stopped; when none did (a machine that sped up after
// the run in one go), the pieces are tried again, half as long. It
// returns the number of pieces that stopped.
func inPieces(t *testing.T, first int, once func(iters int), pieces func(iters int, maxTime time.Duration) int) int {
	t.Helper()
	iters := first
	var took time.Duration
	for ; ; iters *= 4 {
		start := time.Now()
		once(iters)
		took = time.Since(start)
		if took >= time.Second || iters >= 256*first {
			break
		}
	}
	for maxTime := took / 4; ; maxTime /= 2 {
		if maxTime < time.Millisecond {
			t.Fatal("no piece stopped at --max-time, however short")
		}
		t.Logf("%d iterations in one go in %v; pieces of --max-time %v", iters, took.Round(time.Millisecond), maxTime)
		if stops := pieces(iters, maxTime); stops > 0 {
			return stops
		}
	}
}
