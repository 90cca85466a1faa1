package main

import (
	"io"
	"os"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// progress is a progress bar on stderr with rate and ETA, or nothing when
// quiet or when stderr is not a terminal.
type progress struct {
	bar *progressbar.ProgressBar
	w   io.Writer
}

// newProgress returns a bar for total steps of which start are done.
func newProgress(stderr io.Writer, quiet bool, what string, total, start int) *progress {
	f, ok := stderr.(*os.File)
	if quiet || !ok || !term.IsTerminal(int(f.Fd())) {
		return &progress{}
	}
	bar := progressbar.NewOptions(total,
		progressbar.OptionSetWriter(stderr),
		progressbar.OptionSetDescription(what),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("it"),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionSetElapsedTime(true),
		progressbar.OptionThrottle(200*time.Millisecond),
		progressbar.OptionFullWidth(),
		progressbar.OptionShowDescriptionAtLineEnd(),
	)
	bar.Set(start)
	return &progress{bar: bar, w: stderr}
}

// update moves the bar to done steps with a status text.
func (p *progress) update(done int, status string) {
	if p.bar == nil {
		return
	}
	p.bar.Describe(status)
	p.bar.Set(done)
}

// finish ends the bar's line.
func (p *progress) finish() {
	if p.bar == nil {
		return
	}
	p.bar.Exit()
	io.WriteString(p.w, "\n")
}
