package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/mmcnf/mmcnf/kernels/kernelbench"
)

func TestBenchKernelsJSON(t *testing.T) {
	var out, errOut bytes.Buffer
	err := benchKernels([]string{"--json", "--filter", "^(dot|gemm)/64(x64x64)?/", "--reps", "1", "--min-time", "1ms"}, &out, &errOut)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		var r kernelbench.Record
		dec := json.NewDecoder(strings.NewReader(sc.Text()))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&r); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		if !(r.GFLOPs > 0) || !(r.NsPerOp > 0) {
			t.Fatalf("record without a rate: %+v", r)
		}
		seen[r.Kernel+" "+r.Impl] = true
	}
	for _, want := range []string{"dot purego", "dot gonum", "gemm purego", "gemm gonum"} {
		if !seen[want] {
			t.Errorf("no record for %s in %v", want, seen)
		}
	}
}

func TestBenchKernelsTable(t *testing.T) {
	var out bytes.Buffer
	if err := benchKernels([]string{"--filter", "^sumsq/64/", "--impl", "purego", "--reps", "1", "--min-time", "1ms"}, &out, &out); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[2], "sumsq") || !strings.Contains(lines[2], "GFLOP/s") {
		t.Fatalf("unexpected table:\n%s", out.String())
	}
}

func TestBenchKernelsBadFlags(t *testing.T) {
	for _, args := range [][]string{{"--bogus"}, {"--impl", "sse"}, {"--filter", "("}, {"--reps", "0"}, {"extra"}} {
		var out bytes.Buffer
		if err := benchKernels(args, &out, &out); err == nil {
			t.Errorf("benchKernels(%q) accepted bad input", args)
		}
	}
}
