// Command dense generates the AVX2/FMA assembly of the dense kernel family
// (GEMM micro-kernel, GEMV, dot, axpy, sum of squares) for package kernels.
//
//	cd asm && go run ./dense -out ../kernels/dense_amd64.s
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
var command = []string{"go", "run", "./dense", "-out", "../kernels/dense_amd64.s"}

func main() {
	// The avo build package registers its own flags on flag.CommandLine;
	// this program has a flag set of its own.
	fs := flag.NewFlagSet("dense", flag.ExitOnError)
	out := fs.String("out", "", "path of the generated assembly file (required)")
	fs.Parse(os.Args[1:])
	if *out == "" || fs.NArg() != 0 {
		log.Fatal("usage: go run ./dense -out FILE")
	}
	src, err := generate()
	if err != nil {
		log.Fatalf("dense: %v", err)
	}
	if err := writeAtomic(*out, src); err != nil {
		log.Fatalf("dense: %v", err)
	}
}

// generate builds every function of the family and returns the assembly text.
func generate() ([]byte, error) {
	c := build.NewContext()
	c.ConstraintExpr("!purego")
	gemmKernel(c)
	gemvN4(c)
	gemvT(c)
	dot(c)
	sumSq(c)
	axpy(c)
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
