package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/term"

	"github.com/mmcnf/mmcnf/cnf/train"
)

// defaultProgressEvery is the least time between two progress lines when
// stderr is not a terminal.
const defaultProgressEvery = 30 * time.Second

// barEvery is the least time between two redraws of the bar.
const barEvery = 200 * time.Millisecond

// isTerminal reports whether w is a terminal, where progress is a bar
// redrawn in place; tests replace it.
var isTerminal = func(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// terminalWidth is the width of the terminal w in columns (80 when
// unknown); tests replace it.
var terminalWidth = func(w io.Writer) int {
	if f, ok := w.(*os.File); ok {
		if cols, _, err := term.GetSize(int(f.Fd())); err == nil && cols > 0 {
			return cols
		}
	}
	return 80
}

// now is the clock of progress reports; tests replace it.
var now = time.Now

// progressFlags are the flags of the commands that report progress.
type progressFlags struct {
	quiet bool
	every time.Duration
}

// bind declares --quiet and --progress-every.
func (p *progressFlags) bind(f *cmdFlags) {
	f.BoolVar(&p.quiet, "quiet", false, "no progress on stderr")
	f.DurationVar(&p.every, "progress-every", defaultProgressEvery,
		"when stderr is not a terminal, the least time between two progress lines (0: a line per iteration); on a terminal a bar is redrawn in place")
}

// check rejects a negative --progress-every.
func (p *progressFlags) check(f *cmdFlags) error {
	if p.every < 0 {
		return f.errorf("--progress-every must not be negative, got %v", p.every)
	}
	return nil
}

// progress reports the iterations of a training run on stderr: a bar
// redrawn in place on a terminal; otherwise, as in the log of a batch job,
// a plain line at the first and the last iteration and at most one every
// p.every between them; nothing when quiet. Messages written to it (it is
// an io.Writer) appear above the bar. Rates and ETAs count from the first
// iteration reported, so that loading data and resuming do not skew them.
type progress struct {
	w      io.Writer
	quiet  bool
	bar    bool          // w is a terminal
	every  time.Duration // least time between two lines or redraws
	indent string        // before every line

	anchored bool
	first    int       // iteration of the first report since restart
	firstAt  time.Time // its time
	shownAt  time.Time // of the last line or redraw
	onScreen bool      // a bar is drawn and its line not ended
}

// newProgress reports on stderr as the flags say, each line indented.
func newProgress(stderr io.Writer, pf progressFlags, indent string) *progress {
	p := &progress{w: stderr, quiet: pf.quiet, every: pf.every, indent: indent}
	if !p.quiet && isTerminal(stderr) {
		p.bar, p.every = true, barEvery
	}
	return p
}

// restart begins the report of another run (the next unit of a study).
func (p *progress) restart() {
	p.endBar()
	p.anchored = false
}

// update reports that it.Iteration of it.Iters iterations are done.
func (p *progress) update(it train.Progress) {
	if p.quiet {
		return
	}
	t := now()
	if !p.anchored {
		p.anchored, p.first, p.firstAt = true, it.Iteration, t
	} else if it.Iteration < it.Iters && t.Sub(p.shownAt) < p.every {
		return
	}
	p.shownAt = t
	fields := p.fields(it, t)
	if !p.bar {
		fmt.Fprintf(p.w, "%siteration %d/%d (%d%%): %s\n", p.indent, it.Iteration, it.Iters,
			percent(it.Iteration, it.Iters), strings.Join(fields, ", "))
		return
	}
	fmt.Fprintf(p.w, "\r%s%s\x1b[K", p.indent, p.drawBar(it, fields))
	p.onScreen = true
	if it.Iteration >= it.Iters {
		p.endBar()
	}
}

// fields are the values of a report at time t: the mini-batch's bits/dim
// (and regularisers), the function evaluations of its solves, and from
// the second report on the rate and the time left.
func (p *progress) fields(it train.Progress, t time.Time) []string {
	s := it.Stats
	out := []string{fmt.Sprintf("bits/dim %.4f", s.BitsPerDim)}
	if s.Kinetic != 0 || s.Jacobian != 0 {
		out = append(out, fmt.Sprintf("kinetic %.4g", s.Kinetic), fmt.Sprintf("jacobian %.4g", s.Jacobian))
	}
	nfe := fmt.Sprintf("NFE %d", s.NFEForward)
	if s.NFEBackward > 0 {
		nfe += fmt.Sprintf(" forward, %d backward", s.NFEBackward)
	}
	out = append(out, nfe)
	elapsed := t.Sub(p.firstAt).Seconds()
	if done := it.Iteration - p.first; done > 0 && elapsed > 0 {
		rate := float64(done) / elapsed
		out = append(out, rateText(rate), "ETA "+durationText(float64(it.Iters-it.Iteration)/rate))
	}
	return out
}

// barWidth is the number of cells of the bar.
const barWidth = 24

// drawBar lays out the bar line of a terminal: percentage, bar, count and
// fields, the bar left out and the fields cut at the edge of a terminal
// too narrow for them.
func (p *progress) drawBar(it train.Progress, fields []string) string {
	head := fmt.Sprintf("%3d%% ", percent(it.Iteration, it.Iters))
	tail := fmt.Sprintf(" %d/%d  %s", it.Iteration, it.Iters, strings.Join(fields, "  "))
	cols := terminalWidth(p.w) - len(p.indent) - 1
	if len(head)+barWidth+2+len(tail) <= cols {
		fill := barWidth * min(it.Iteration, it.Iters) / max(it.Iters, 1)
		head += "[" + strings.Repeat("=", fill) + strings.Repeat(" ", barWidth-fill) + "]"
	}
	line := head + tail
	if len(line) > cols {
		line = line[:max(cols, 0)]
	}
	return line
}

// Write writes a message line, above the bar on a terminal.
func (p *progress) Write(b []byte) (int, error) {
	if p.quiet {
		return len(b), nil
	}
	if p.onScreen {
		io.WriteString(p.w, "\r\x1b[K")
		p.onScreen = false
	}
	return p.w.Write(b)
}

// finish ends the bar's line, if one is drawn.
func (p *progress) finish() { p.endBar() }

// endBar ends the line of a drawn bar, leaving it on screen.
func (p *progress) endBar() {
	if p.onScreen {
		io.WriteString(p.w, "\n")
		p.onScreen = false
	}
}

// percent is done/total in whole percent.
func percent(done, total int) int {
	if total <= 0 {
		return 100
	}
	return 100 * done / total
}

// rateText writes a rate of iterations per second, as seconds per
// iteration when below one.
func rateText(perSecond float64) string {
	if perSecond >= 1 {
		return number3(perSecond) + " it/s"
	}
	return number3(1/perSecond) + " s/it"
}

// number3 writes x >= 0 with three significant digits, or as a whole
// number from 100 on.
func number3(x float64) string {
	if x >= 100 {
		return fmt.Sprintf("%.0f", x)
	}
	return fmt.Sprintf("%.3g", x)
}

// durationText writes a duration of s seconds as 42s, 3m05s or 2h03m, and
// one of 100 hours or more as >99h.
func durationText(s float64) string {
	if !(s < 100*3600) {
		return ">99h"
	}
	d := time.Duration(s * float64(time.Second)).Round(time.Second)
	h, m, sec := int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60
	switch {
	case h > 0:
		return fmt.Sprintf("%dh%02dm", h, m)
	case m > 0:
		return fmt.Sprintf("%dm%02ds", m, sec)
	}
	return fmt.Sprintf("%ds", sec)
}
