package kernelbench

import (
	"regexp"
	"runtime"
	"testing"
	"time"
)

// TestRunOneCore checks that every call Run times, gonum's included, sees
// GOMAXPROCS 1, and that the caller's setting is back afterwards.
func TestRunOneCore(t *testing.T) {
	var seen []int
	Register(Case{Kernel: "test-gomaxprocs", Shape: "1", Unit: FLOPs, Work: 1, Gonum: true,
		Setup: func(string) (func(), error) {
			return func() { seen = append(seen, runtime.GOMAXPROCS(0)) }, nil
		}})
	prev := runtime.GOMAXPROCS(2)
	defer runtime.GOMAXPROCS(prev)
	var recs []Record
	opts := Options{Filter: regexp.MustCompile(`^test-gomaxprocs/1/gonum$`), Reps: 2, MinTime: time.Nanosecond}
	if err := Run(opts, func(r Record) error { recs = append(recs, r); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1 || len(seen) < 2 {
		t.Fatalf("%d records, %d calls; want 1 record of at least 2 timed calls", len(recs), len(seen))
	}
	for i, p := range seen {
		if p != 1 {
			t.Errorf("call %d ran with GOMAXPROCS %d, want 1", i, p)
		}
	}
	if p := runtime.GOMAXPROCS(0); p != 2 {
		t.Errorf("GOMAXPROCS %d after Run, want the caller's 2", p)
	}
}
