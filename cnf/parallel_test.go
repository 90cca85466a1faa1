package cnf

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestParallelFor checks that every chunk of every loop runs exactly once
// before parallelFor returns, for several callers at once, with loops in
// quick succession (workers still polling) and after pauses longer than
// spinTime (workers blocked).
func TestParallelFor(t *testing.T) {
	var wg sync.WaitGroup
	for caller := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			j := newJoin()
			counts := make([]atomic.Int32, 6)
			for it := range 60 {
				chunks := it % len(counts)
				for c := range counts {
					counts[c].Store(0)
				}
				parallelFor(chunks, j, func(c int) { counts[c].Add(1) })
				for c := range counts {
					want := int32(0)
					if c < chunks {
						want = 1
					}
					if got := counts[c].Load(); got != want {
						t.Errorf("caller %d, loop %d of %d chunks: chunk %d ran %d times, want %d", caller, it, chunks, c, got, want)
					}
				}
				if it%10 == 9 {
					time.Sleep(2 * spinTime)
				}
			}
		}()
	}
	wg.Wait()
}

func TestSplitBatch(t *testing.T) {
	for _, tc := range []struct{ n, parts, want int }{{10, 3, 3}, {2, 4, 2}, {0, 2, 1}, {7, 0, 1}} {
		s := splitBatch(tc.n, tc.parts)
		if len(s) != tc.want {
			t.Errorf("splitBatch(%d, %d): %d chunks, want %d", tc.n, tc.parts, len(s), tc.want)
		}
		lo := 0
		for _, c := range s {
			if c.lo != lo || c.hi < c.lo {
				t.Errorf("splitBatch(%d, %d) = %v: not contiguous", tc.n, tc.parts, s)
			}
			lo = c.hi
		}
		if lo != tc.n {
			t.Errorf("splitBatch(%d, %d) = %v: covers %d samples, want %d", tc.n, tc.parts, s, lo, tc.n)
		}
	}
}
