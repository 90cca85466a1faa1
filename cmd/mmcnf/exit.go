package main

import (
	"errors"
	"fmt"
	"io"
	"strings"
)

// Exit statuses of mmcnf.
const (
	exitOK          = 0   // success
	exitFailure     = 1   // the work failed (I/O, a diverging run, a solver failure)
	exitUsage       = 2   // bad command line or bad input; nothing was written
	exitIncomplete  = 3   // reproduce --report: the report lacks units that have not finished
	exitResumable   = 75  // stopped at --max-time after writing a checkpoint: run again to continue
	exitInterrupted = 130 // stopped by SIGINT or SIGTERM after writing a checkpoint
)

// usageError marks bad command lines and bad input: exit status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// usageErrorf formats a usageError.
func usageErrorf(format string, a ...any) error {
	return &usageError{msg: fmt.Sprintf(format, a...)}
}

// errInterrupted reports a run stopped by SIGINT after it saved its state.
var errInterrupted = errors.New("interrupted")

// errResumable reports a run stopped at --max-time after it saved its
// state; the same command continues it.
var errResumable = errors.New("--max-time")

// errIncomplete reports a study report written without some of its units.
var errIncomplete = errors.New("report incomplete")

// exitStatus prints err as one line on stderr and maps it to an exit status.
func exitStatus(err error, stderr io.Writer) int {
	if err == nil {
		return exitOK
	}
	msg := strings.ReplaceAll(strings.TrimSpace(err.Error()), "\n", "; ")
	fmt.Fprintln(stderr, msg)
	var ue *usageError
	switch {
	case errors.As(err, &ue):
		return exitUsage
	case errors.Is(err, errInterrupted):
		return exitInterrupted
	case errors.Is(err, errResumable):
		return exitResumable
	case errors.Is(err, errIncomplete):
		return exitIncomplete
	}
	return exitFailure
}
