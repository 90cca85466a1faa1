// Command mmcnf trains, evaluates, samples and benchmarks continuous
// normalising flows with Gaussian and Gaussian-mixture bases.
package main

import (
	"fmt"
	"os"

	"github.com/mmcnf/mmcnf/kernels"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: mmcnf <command> [flags]")
		os.Exit(2)
	}
	fmt.Println("kernels:", kernels.Impl())
}
