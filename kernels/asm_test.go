package kernels

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAssemblyHygiene reads the generated assembly: every file carries the
// generated-code header and the !purego constraint, and every function
// returns only straight after VZEROUPPER (a dirty upper register state
// slows the SSE code that runs after the kernel).
func TestAssemblyHygiene(t *testing.T) {
	files, err := filepath.Glob("*_amd64.s")
	if err != nil || len(files) == 0 {
		t.Fatalf("no generated assembly found (%v)", err)
	}
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		var fn, prev string
		rets := map[string]int{}
		for n := 1; sc.Scan(); n++ {
			line := sc.Text()
			switch {
			case n == 1 && !(strings.HasPrefix(line, "// Code generated ") && strings.HasSuffix(line, " DO NOT EDIT.")):
				t.Errorf("%s: first line %q is not a generated-code header", name, line)
			case n == 3 && line != "//go:build !purego":
				t.Errorf("%s: line 3 is %q, want //go:build !purego", name, line)
			case strings.HasPrefix(line, "TEXT "):
				fn = strings.TrimSuffix(strings.Fields(line)[1], ",")
				rets[fn] += 0
			case strings.HasPrefix(line, "\t"):
				op := strings.Fields(line)[0]
				if op == "RET" {
					rets[fn]++
					if prev != "VZEROUPPER" {
						t.Errorf("%s:%d: %s returns after %s, not VZEROUPPER", name, n, fn, prev)
					}
				}
				prev = op
			}
		}
		f.Close()
		if err := sc.Err(); err != nil {
			t.Fatal(err)
		}
		for fn, n := range rets {
			if n == 0 {
				t.Errorf("%s: %s has no RET", name, fn)
			}
		}
	}
}
