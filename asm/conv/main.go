// Command conv generates the AVX2/FMA assembly of the convolution kernel
// family (the implicit-GEMM tile kernels behind ConvForward and
// ConvBackwardData, and the weight-gradient kernel behind
// ConvBackwardFilter) for package kernels.
//
//	cd asm && go run ./conv -out ../kernels/conv_amd64.s
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/mmcloughlin/avo/build"
	"github.com/mmcloughlin/avo/pass"
	"github.com/mmcloughlin/avo/printer"
)

// command is the canonical command recorded in the generated header; it does
// not depend on where -out points, so that regenerating into a temporary
// directory (make asm-check) yields identical bytes.
var command = []string{"go", "run", "./conv", "-out", "../kernels/conv_amd64.s"}

func main() {
	// A flag set of our own: avo's build package registers its own flags
	// (among them -out) on the default one.
	fs := flag.NewFlagSet("conv", flag.ExitOnError)
	out := fs.String("out", "", "path of the generated assembly file (required)")
	if err := fs.Parse(os.Args[1:]); err != nil || *out == "" || fs.NArg() != 0 {
		log.Fatal("usage: go run ./conv -out FILE")
	}
	src, err := generate()
	if err != nil {
		log.Fatalf("conv: %v", err)
	}
	if err := writeAtomic(*out, src); err != nil {
		log.Fatalf("conv: %v", err)
	}
}

// generate builds every function of the family and returns the assembly text.
func generate() ([]byte, error) {
	c := build.NewContext()
	c.ConstraintExpr("!purego")
	for mr := 1; mr <= tileRows; mr++ {
		convTile(c, mr, false)
	}
	for mr := 1; mr <= tileRows; mr++ {
		convTile(c, mr, true)
	}
	convFilter(c)
	convFilter16(c)
	f, err := c.Result()
	if err != nil {
		return nil, err
	}
	if err := pass.Compile.Execute(f); err != nil {
		return nil, err
	}
	return printer.NewGoAsm(printer.Config{Argv: command, Pkg: "kernels"}).Print(f)
}

// writeAtomic writes data to path through a synced temporary file in the
// same directory, renamed into place.
func writeAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
