package cnf

import (
	"runtime"
	"sync"
)

// span is the half-open range [lo, hi) of samples one chunk of a batch
// covers.
type span struct{ lo, hi int }

// splitBatch divides n samples into at most parts contiguous chunks of
// nearly equal size. The split depends only on n and parts, so that every
// chunk sees the same samples from run to run.
func splitBatch(n, parts int) []span {
	parts = max(1, min(parts, n))
	out := make([]span, parts)
	for i := range out {
		out[i] = span{i * n / parts, (i + 1) * n / parts}
	}
	return out
}

// task is one chunk of a parallel loop handed to a pool goroutine.
type task struct {
	fn func(chunk int)
	i  int
	wg *sync.WaitGroup
}

// The pool is a fixed set of goroutines shared by every model; a parallel
// loop over chunks hands all but the first to it and runs the first itself.
// Results depend only on the chunk index, never on which goroutine ran it.
var (
	poolOnce  sync.Once
	poolTasks chan task
)

func startPool() {
	poolTasks = make(chan task, 256)
	for range max(1, runtime.GOMAXPROCS(0)) {
		go func() {
			for t := range poolTasks {
				t.fn(t.i)
				t.wg.Done()
			}
		}()
	}
}

// parallelFor runs fn(0), ..., fn(chunks-1) concurrently and returns when
// all are done. fn should be a function value stored once (not a fresh
// closure per call) so that the loop allocates nothing; wg is the caller's
// reusable wait group.
func parallelFor(chunks int, wg *sync.WaitGroup, fn func(chunk int)) {
	if chunks <= 1 {
		if chunks == 1 {
			fn(0)
		}
		return
	}
	poolOnce.Do(startPool)
	wg.Add(chunks - 1)
	for i := 1; i < chunks; i++ {
		poolTasks <- task{fn: fn, i: i, wg: wg}
	}
	fn(0)
	wg.Wait()
}
