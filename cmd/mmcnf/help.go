package main

import (
	"fmt"
	"io"
)

// printHelp writes the list of commands.
func printHelp(w io.Writer) {
	fmt.Fprint(w, `mmcnf: continuous normalising flows with Gaussian and Gaussian-mixture bases

usage: mmcnf <command> [flags]

commands:
`)
	width := 0
	for _, c := range commands() {
		width = max(width, len(c.name))
	}
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-*s  %s\n", width, c.name, c.summary)
	}
	fmt.Fprint(w, `
Run "mmcnf <command> -h" for the flags of a command, each with its default.
Exit status: 0 success, 1 the work failed, 2 bad command line or input
(nothing is written), 3 a study report written without some of its units,
75 stopped at --max-time after saving a checkpoint (to continue: the same
reproduce command, or train --resume), 130 interrupted by SIGINT or SIGTERM
after saving a checkpoint.
`)
}
