package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/mmcnf/mmcnf/kernels"
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
	for _, args := range [][]string{{"--bogus"}, {"--impl", "sse"}, {"--impl", ""}, {"--impl", "purego,sse"}, {"--impl", "purego,purego"},
		{"--impl", "all,gonum"}, {"--filter", "("}, {"--reps", "0"}, {"extra"}} {
		var out bytes.Buffer
		if err := benchKernels(args, &out, &out); err == nil {
			t.Errorf("benchKernels(%q) accepted bad input", args)
		}
	}
}

// TestBenchKernelsImpls checks that --impl takes a list of the tiers this
// machine runs and gonum, and times those alone, each on its own row.
func TestBenchKernelsImpls(t *testing.T) {
	impls := append(kernels.Available(), kernelbench.Gonum)
	var out bytes.Buffer
	if err := benchKernels([]string{"--json", "--filter", "^dot/16/", "--impl", strings.Join(impls, ","), "--reps", "1", "--min-time", "1ms"}, &out, &out); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		var r kernelbench.Record
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		got = append(got, r.Impl)
	}
	if !slices.Equal(got, impls) {
		t.Errorf("rows for %v, want %v", got, impls)
	}
	out.Reset()
	if err := benchKernels([]string{"--json", "--filter", "^dot/16/", "--impl", "gonum,purego", "--reps", "1", "--min-time", "1ms"}, &out, &out); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(out.String(), "\n"); n != 2 || !strings.Contains(out.String(), `"impl":"gonum"`) || !strings.Contains(out.String(), `"impl":"purego"`) {
		t.Errorf("--impl gonum,purego gave:\n%s", out.String())
	}
}
