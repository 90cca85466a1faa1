package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mmcnf/mmcnf/cnf"
	"github.com/mmcnf/mmcnf/cnf/train"
)

// progressLine matches a progress line written without a terminal; the
// rate and ETA are absent from the first line of a run.
var progressLine = regexp.MustCompile(`^(\s*)iteration (\d+)/(\d+) \((\d+)%\): bits/dim (-?[0-9.]+), NFE (\d+)(?:, ([0-9.]+) (it/s|s/it), ETA (\S+))?$`)

// progressRecord is one parsed progress line.
type progressRecord struct {
	indent          string
	it, total, pct  int
	bpd             float64
	nfe             int
	rate, unit, eta string
}

// parseProgress parses every line of text as a progress line.
func parseProgress(t *testing.T, text string) []progressRecord {
	t.Helper()
	var out []progressRecord
	for _, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		m := progressLine.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("not a progress line: %q", line)
		}
		r := progressRecord{indent: m[1], rate: m[7], unit: m[8], eta: m[9]}
		r.it, _ = strconv.Atoi(m[2])
		r.total, _ = strconv.Atoi(m[3])
		r.pct, _ = strconv.Atoi(m[4])
		r.bpd, _ = strconv.ParseFloat(m[5], 64)
		r.nfe, _ = strconv.Atoi(m[6])
		out = append(out, r)
	}
	return out
}

// fakeClock replaces the progress clock with one that advances step at
// every reading, for the rest of the test.
func fakeClock(t *testing.T, step time.Duration) {
	t.Helper()
	at := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	old := now
	now = func() time.Time { at = at.Add(step); return at }
	t.Cleanup(func() { now = old })
}

// tinyTrainArgs train a tiny moons flow for iters iterations into out.
func tinyTrainArgs(out string, iters int, extra ...string) []string {
	return append([]string{"train", "--data", "moons", "--n-train", "32", "--n-test", "8", "--batch", "8",
		"--iters", strconv.Itoa(iters), "--hidden", "4", "--width", "4", "--solver", "rk4", "--steps", "2",
		"--eval-every", "0", "--threads", "1", "--out", out}, extra...)
}

// runPiped runs mmcnf with args plus --quiet when quiet, stderr a pipe
// (not a terminal), and returns what arrived on the pipe; it fails the test
// unless the command succeeds, and when quiet unless nothing arrived.
func runPiped(t *testing.T, quiet bool, args ...string) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan string)
	go func() { b, _ := io.ReadAll(r); got <- string(b) }()
	if quiet {
		args = append(args, "--quiet")
	}
	var stdout bytes.Buffer
	code := run(args, &stdout, w)
	w.Close()
	text := <-got
	r.Close()
	if code != exitOK {
		t.Fatalf("%s: exit %d: %s", args[0], code, text)
	}
	if quiet && text != "" {
		t.Errorf("%s --quiet wrote %q on stderr", args[0], text)
	}
	return text
}

// TestTrainProgressWithoutTerminal trains with stderr a pipe, as in a
// batch job's log, and parses what arrives: one line per iteration with
// --progress-every 0, counting 1..N, with bits/dim, NFE, and from the
// second line a rate and an ETA; nothing with --quiet.
func TestTrainProgressWithoutTerminal(t *testing.T) {
	t.Setenv("MMCNF_NOSYNC", "1")
	const iters = 12
	for _, quiet := range []bool{false, true} {
		text := runPiped(t, quiet, tinyTrainArgs(filepath.Join(t.TempDir(), "m"), iters, "--progress-every", "0")...)
		if quiet {
			continue
		}
		lines := parseProgress(t, text)
		if len(lines) != iters {
			t.Fatalf("%d progress lines, want one per iteration (%d):\n%s", len(lines), iters, text)
		}
		for i, l := range lines {
			if l.it != i+1 || l.total != iters || l.pct != 100*(i+1)/iters {
				t.Errorf("line %d counts iteration %d/%d (%d%%), want %d/%d", i, l.it, l.total, l.pct, i+1, iters)
			}
			if l.bpd <= 0 || l.nfe != 8 {
				t.Errorf("line %d: bits/dim %v, NFE %d; want positive bits/dim and 8 evaluations (rk4, 2 steps)", i, l.bpd, l.nfe)
			}
			if (l.rate == "") != (i == 0) {
				t.Errorf("line %d: rate %q; want one on every line but the first", i, l.rate)
			}
		}
		if last := lines[iters-1]; last.eta != "0s" {
			t.Errorf("last line's ETA is %q, want 0s", last.eta)
		}
	}
}

// TestTrainProgressPace reads the clock as one second per iteration and
// checks that lines come at the first iteration, then every
// --progress-every, and at the last, with the rate and ETA of that clock.
func TestTrainProgressPace(t *testing.T) {
	t.Setenv("MMCNF_NOSYNC", "1")
	fakeClock(t, time.Second)
	var stdout, stderr bytes.Buffer
	if code := run(tinyTrainArgs(filepath.Join(t.TempDir(), "m"), 12, "--progress-every", "3s"), &stdout, &stderr); code != exitOK {
		t.Fatalf("train: exit %d: %s", code, stderr.String())
	}
	lines := parseProgress(t, stderr.String())
	var its []int
	for _, l := range lines {
		its = append(its, l.it)
		if l.it == 1 {
			continue
		}
		if want := fmt.Sprintf("%ds", 12-l.it); l.rate != "1" || l.unit != "it/s" || l.eta != want {
			t.Errorf("iteration %d: %s %s, ETA %s; want 1 it/s, ETA %s", l.it, l.rate, l.unit, l.eta, want)
		}
	}
	if fmt.Sprint(its) != "[1 4 7 10 12]" {
		t.Errorf("lines at iterations %v, want [1 4 7 10 12]", its)
	}
}

// TestProgressBar fakes a terminal 100 columns wide: the bar is redrawn
// in place (carriage return, erase to the end of the line) no more often
// than barEvery, ends its line once at the last iteration, and messages
// written in between erase it first.
func TestProgressBar(t *testing.T) {
	oldTerm, oldWidth := isTerminal, terminalWidth
	isTerminal = func(io.Writer) bool { return true }
	terminalWidth = func(io.Writer) int { return 100 }
	t.Cleanup(func() { isTerminal, terminalWidth = oldTerm, oldWidth })
	fakeClock(t, 100*time.Millisecond)
	var w bytes.Buffer
	p := newProgress(&w, progressFlags{every: time.Hour}, "")
	stats := cnf.LossStats{BitsPerDim: 1.5, NFEForward: 26}
	for it := 1; it <= 10; it++ {
		p.update(train.Progress{Iteration: it, Iters: 10, Stats: stats})
		if it == 5 {
			fmt.Fprintln(p, "a message")
		}
	}
	p.finish()
	out := w.String()
	if !strings.HasSuffix(out, "\n") || strings.Count(out, "\n") != 2 {
		t.Fatalf("want two lines (the message and the finished bar), got %q", out)
	}
	draws := strings.Split(out, "\r")[1:]
	// The clock advances 0.1 s a reading: the bar is drawn at iterations
	// 1, 3, 5, 7, 9 (0.2 s apart) and 10 (the last), and erased once.
	if len(draws) != 7 {
		t.Fatalf("%d carriage returns, want 6 draws and 1 erase: %q", len(draws), out)
	}
	bar := regexp.MustCompile(`^ *(\d+)% \[(=*) *\] (\d+)/10  bits/dim 1\.5000  NFE 26(  \S+ it/s  ETA \S+)?\x1b\[K$`)
	prev := 0
	for i, d := range draws {
		d = strings.TrimSuffix(d, "\n")
		if i == 3 {
			if d != "\x1b[Ka message" {
				t.Errorf("draw %d is %q, want the bar erased and the message", i, d)
			}
			continue
		}
		m := bar.FindStringSubmatch(d)
		if m == nil || len(d) > 100 {
			t.Fatalf("draw %d is not a bar line of at most 100 columns: %q", i, d)
		}
		it, _ := strconv.Atoi(m[3])
		if it <= prev || len(m[2]) != barWidth*it/10 {
			t.Errorf("draw %d: iteration %d after %d, %d cells filled", i, it, prev, len(m[2]))
		}
		prev = it
	}
	if prev != 10 {
		t.Errorf("last draw at iteration %d, want 10", prev)
	}
}

// TestRateText checks the rate's wording.
func TestRateText(t *testing.T) {
	for _, c := range []struct {
		perSecond float64
		want      string
	}{{3731.4, "3731 it/s"}, {65.84, "65.8 it/s"}, {1, "1 it/s"}, {0.5, "2 s/it"}, {1.0 / 1234.4, "1234 s/it"}} {
		if got := rateText(c.perSecond); got != c.want {
			t.Errorf("rateText(%v) = %q, want %q", c.perSecond, got, c.want)
		}
	}
}

// TestDurationText checks the ETA's wording.
func TestDurationText(t *testing.T) {
	for _, c := range []struct {
		s    float64
		want string
	}{{0, "0s"}, {42.4, "42s"}, {185, "3m05s"}, {7380, "2h03m"}, {1e9, ">99h"}} {
		if got := durationText(c.s); got != c.want {
			t.Errorf("durationText(%v) = %q, want %q", c.s, got, c.want)
		}
	}
}

// TestReproduceProgressWithoutTerminal runs the quick moons study with
// stderr a pipe: a line per unit, then its training's progress lines,
// indented, counting from 1 to the unit's iterations for every unit;
// nothing with --quiet.
func TestReproduceProgressWithoutTerminal(t *testing.T) {
	t.Setenv("MMCNF_NOSYNC", "1")
	unitLine := regexp.MustCompile(`^\[(\d+)/4\] moons `)
	for _, quiet := range []bool{false, true} {
		text := runPiped(t, quiet, "reproduce", "moons", "--quick", "--iters", "5", "--progress-every", "0", "--out", t.TempDir())
		if quiet {
			continue
		}
		units, next := 0, 0
		for _, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
			if m := unitLine.FindStringSubmatch(line); m != nil {
				if n, _ := strconv.Atoi(m[1]); n != units+1 || (units > 0 && next != 6) {
					t.Fatalf("unit line %q after unit %d stopped at iteration %d", line, units, next-1)
				}
				units, next = units+1, 1
				continue
			}
			if !strings.HasPrefix(line, "  iteration ") {
				continue // the unit's other messages
			}
			l := parseProgress(t, line)[0]
			if l.indent != "  " || l.it != next || l.total != 5 {
				t.Fatalf("unit %d: %q, want iteration %d/5 indented by two spaces", units, line, next)
			}
			next++
		}
		if units != 4 || next != 6 {
			t.Errorf("progress of %d units, the last stopping at iteration %d; want 4 units of 5", units, next-1)
		}
	}
}
