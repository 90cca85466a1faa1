package cnf

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
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

// A parallel loop over chunks runs the first chunk on the calling goroutine
// and hands the others to a fixed pool shared by every model. The loops of
// one solve come in quick succession (one per function evaluation, tens of
// microseconds apart for small models), so parking and waking a thread for
// each would cost as much as the work: a worker that has just finished
// polls for the next task for a while before it blocks, and the caller
// polls for the workers to finish before it blocks. Results depend only on
// the chunk index, never on which goroutine ran it.

// spinTime is how long a worker or a waiting caller polls before it
// blocks: longer than the serial work between two loops of a solve (the
// solver's own arithmetic, a hypernetwork evaluation), short enough that
// an idle pool gives its processors back at once.
const spinTime = 200 * time.Microsecond

// spin polls ready until it reports true or spinTime has passed; the
// caller then takes the blocking path, which returns at once if ready was
// seen.
func spin(ready func() bool) {
	start := time.Now()
	for {
		for range 64 {
			if ready() {
				return
			}
		}
		if time.Since(start) > spinTime {
			return
		}
	}
}

// join counts the handed-out chunks of one parallel loop still running.
// The last to finish sends one token on done, which the caller receives.
type join struct {
	left atomic.Int32
	done chan struct{}
}

func newJoin() *join { return &join{done: make(chan struct{}, 1)} }

// task is one chunk of a parallel loop handed to a pool goroutine.
type task struct {
	fn func(chunk int)
	i  int
	j  *join
}

var (
	poolOnce  sync.Once
	poolTasks chan task
)

// startPool starts one worker per processor beyond the caller's own.
func startPool() {
	poolTasks = make(chan task, 256)
	for range max(1, runtime.GOMAXPROCS(0)-1) {
		go worker()
	}
}

func worker() {
	for {
		t, ok := nextTask()
		if !ok {
			return
		}
		t.fn(t.i)
		if t.j.left.Add(-1) == 0 {
			t.j.done <- struct{}{}
		}
	}
}

// nextTask polls the task queue for a while, then blocks on it.
func nextTask() (task, bool) {
	spin(func() bool { return len(poolTasks) > 0 })
	t, ok := <-poolTasks
	return t, ok
}

// parallelFor runs fn(0), ..., fn(chunks-1) concurrently and returns when
// all are done. fn should be a function value stored once (not a fresh
// closure per call) and j the caller's own join, reused across calls, so
// that the loop allocates nothing. One join serves one loop at a time.
func parallelFor(chunks int, j *join, fn func(chunk int)) {
	if chunks <= 1 {
		if chunks == 1 {
			fn(0)
		}
		return
	}
	poolOnce.Do(startPool)
	j.left.Store(int32(chunks - 1))
	for i := 1; i < chunks; i++ {
		poolTasks <- task{fn: fn, i: i, j: j}
	}
	fn(0)
	spin(func() bool { return j.left.Load() == 0 })
	<-j.done
}
