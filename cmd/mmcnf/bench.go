package main

import (
	"io"
)

// cmdBench dispatches `mmcnf bench <what>`.
func cmdBench(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "-help" || args[0] == "--help" {
		if len(args) == 0 {
			return usageErrorf("mmcnf bench: missing benchmark name: kernels or train (see mmcnf bench -h)")
		}
		printBenchHelp(stdout)
		return nil
	}
	switch args[0] {
	case "kernels":
		return benchKernels(args[1:], stdout, stderr)
	case "train":
		return benchTrain(args[1:], stdout, stderr)
	}
	return usageErrorf("mmcnf bench: unknown benchmark %q (known: kernels, train)", args[0])
}

// printBenchHelp lists the benchmarks.
func printBenchHelp(w io.Writer) {
	io.WriteString(w, `usage: mmcnf bench <benchmark> [flags]

benchmarks:
  kernels  throughput of every kernel family, assembly and pure Go
  train    time per full training step (solve, gradient, Adam) on planar2d and conv16

Run "mmcnf bench <benchmark> -h" for its flags.
`)
}
