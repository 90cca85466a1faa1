package kernels

import (
	"math"
	"math/rand/v2"
	"sync/atomic"
	"testing"
)

// guard is the number of NaN-filled elements placed before and after every
// output slice by guarded, so that writes outside the output are detected.
const guard = 7

// guardedSlice is an output slice of length n at offset off (0 or 1, to
// test unaligned data) inside a larger NaN-filled buffer, so that writes
// outside the output are detected by check. Each buffer's NaN carries a
// payload of its own: a kernel that reads past the end of an input guarded
// the same way and writes what it computed past the end of its output
// writes a NaN, but not this one.
type guardedSlice struct {
	buf    []float64
	off, n int
	nan    float64
}

// guardSeq numbers the guarded slices, giving each its NaN payload.
var guardSeq atomic.Uint64

func newGuarded(n, off int) *guardedSlice {
	buf := make([]float64, guard+off+n+guard)
	nan := math.Float64frombits(0x7ff8_0000_0000_0000 | guardSeq.Add(1)&0xffff_ffff)
	for i := range buf {
		buf[i] = nan
	}
	return &guardedSlice{buf: buf, off: off, n: n, nan: nan}
}

// isGuard reports whether v is still the buffer's own NaN, bit for bit.
func (g *guardedSlice) isGuard(v float64) bool {
	return math.Float64bits(v) == math.Float64bits(g.nan)
}

// data returns the output slice, capacity-limited to its length.
func (g *guardedSlice) data() []float64 {
	lo := guard + g.off
	return g.buf[lo : lo+g.n : lo+g.n]
}

// check fails the test if any element of the guard bands is no longer the
// buffer's NaN.
func (g *guardedSlice) check(t *testing.T, name string) {
	t.Helper()
	lo := guard + g.off
	for i := 0; i < lo; i++ {
		if !g.isGuard(g.buf[i]) {
			t.Fatalf("%s: element %d before the output was written (%v)", name, lo-i, g.buf[i])
		}
	}
	for i := lo + g.n; i < len(g.buf); i++ {
		if !g.isGuard(g.buf[i]) {
			t.Fatalf("%s: element %d after the output was written (%v)", name, i-lo-g.n, g.buf[i])
		}
	}
}

// randSlice returns n values drawn uniformly from [lo, hi).
func randSlice(r *rand.Rand, n int, lo, hi float64) []float64 {
	s := make([]float64, n)
	for i := range s {
		s[i] = lo + (hi-lo)*r.Float64()
	}
	return s
}

// ulps returns the distance between a and b in units in the last place of
// float64 (0 when both are the same NaN class or the same infinity).
func ulps(a, b float64) float64 {
	if math.IsNaN(a) || math.IsNaN(b) {
		if math.IsNaN(a) && math.IsNaN(b) {
			return 0
		}
		return math.Inf(1)
	}
	if a == b {
		return 0
	}
	if math.IsInf(a, 0) || math.IsInf(b, 0) {
		return math.Inf(1)
	}
	ia, ib := orderedBits(a), orderedBits(b)
	if ia > ib {
		return float64(ia - ib)
	}
	return float64(ib - ia)
}

// orderedBits maps a float64 to an integer whose order matches the order of
// the floats, so that adjacent floats differ by one.
func orderedBits(x float64) int64 {
	b := int64(math.Float64bits(x))
	if b < 0 {
		b = math.MinInt64 - b
	}
	return b
}

// eps is the float64 unit roundoff times two (the gap between 1 and the next
// float64).
const eps = 0x1p-52

// sameSlice reports whether a and b hold identical bits, element by element.
func sameSlice(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Float64bits(a[i]) != math.Float64bits(b[i]) {
			return false
		}
	}
	return true
}
