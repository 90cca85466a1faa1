package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// lseTol bounds |assembly - reference| for one row of LogSumExp with cols
// columns and result v, with u = eps = 2^-52: both form m + log S with
// S = sum exp(x - m) in [1, cols]. Each term of S is within 2 ulp of exact
// in either (the assembly's exp within 1 ulp, math.Exp within 1), and each
// sum of cols terms adds at most (cols-1) u S, so the two S differ by at most
// (2 cols + 4) u relatively, which log turns into the same absolute amount;
// the two logs add 3 ulp of log S <= cols, and the final additions one ulp
// of v each.
func lseTol(cols int, v float64) float64 {
	return eps * (float64(2*cols+4) + 3*math.Log(float64(cols)) + 2*math.Abs(v))
}

// lseRow returns a row of cols values in [-50, 50] with, at random,
// entries of huge or tiny magnitude and infinities or NaN.
func lseRow(r *rand.Rand, cols int) []float64 {
	row := randSlice(r, cols, -50, 50)
	for c := range row {
		switch r.IntN(24) {
		case 0:
			row[c] = 1e300
		case 1:
			row[c] = -1e300
		case 2:
			row[c] = math.Inf(-1)
		case 3:
			if r.IntN(4) == 0 {
				row[c] = math.Inf(1)
			}
		case 4:
			if r.IntN(4) == 0 {
				row[c] = math.NaN()
			}
		case 5:
			row[c] = 0x1p-1070
		}
	}
	return row
}

// lseCols are the row lengths of TestLogSumExp: 1..20 and around 32,
// which cover the AVX2 kernel's vectors of four and the AVX-512 kernel's
// steps of two and one vectors of eight and its masked tails.
var lseCols = []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 31, 32, 33}

// TestLogSumExp runs row lengths lseCols and 0..17 rows (the AVX-512
// kernel takes the logarithms of eight rows at a time) at offsets 0 and 1,
// with huge, tiny, infinite and NaN entries at random.
func TestLogSumExp(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	forEachImpl(t, func(t *testing.T) {
		for _, cols := range lseCols {
			for rows := 0; rows <= 17; rows++ {
				for off := 0; off < 2; off++ {
					xb := make([]float64, off+rows*cols)
					x := xb[off:]
					for i := 0; i < rows; i++ {
						copy(x[i*cols:], lseRow(r, cols))
					}
					if rows > 1 {
						for c := 0; c < cols; c++ {
							x[cols+c] = math.Inf(-1) // a row of -Inf gives -Inf
						}
					}
					x0 := append([]float64(nil), x...)
					want := make([]float64, rows)
					logSumExpRef(rows, cols, x, want)
					g := newGuarded(rows, 1-off)
					LogSumExp(rows, cols, x, g.data())
					name := fmt.Sprintf("rows=%d cols=%d off=%d", rows, cols, off)
					g.check(t, name)
					if !sameSlice(x, x0) {
						t.Fatalf("%s: input modified", name)
					}
					for i, wv := range want {
						gv := g.data()[i]
						ok := gv == wv || (math.IsNaN(gv) && math.IsNaN(wv)) ||
							(!math.IsInf(wv, 0) && math.Abs(gv-wv) <= lseTol(cols, wv))
						if !ok {
							t.Fatalf("%s: row %d %v: got %g, reference %g", name, i, x[i*cols:(i+1)*cols], gv, wv)
						}
					}
				}
			}
		}
	})
}

// TestLogSumExpLongRows checks long rows with their tail lengths.
func TestLogSumExpLongRows(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	forEachImpl(t, func(t *testing.T) {
		for _, cols := range []int{64, 65, 66, 67, 1000} {
			x := randSlice(r, 3*cols, -700, 700)
			want, got := make([]float64, 3), make([]float64, 3)
			logSumExpRef(3, cols, x, want)
			LogSumExp(3, cols, x, got)
			for i := range want {
				if math.Abs(got[i]-want[i]) > lseTol(cols, want[i]) {
					t.Fatalf("cols=%d row %d: got %g, reference %g", cols, i, got[i], want[i])
				}
			}
		}
	})
}

// TestLogSumExpInfiniteMaxima: rows whose maximum is infinite give that
// maximum, unless they hold a NaN, which gives NaN wherever it sits: in a
// whole vector or in the tail, before or after the infinity.
func TestLogSumExpInfiniteMaxima(t *testing.T) {
	inf, nan := math.Inf(1), math.NaN()
	forEachImpl(t, func(t *testing.T) {
		for _, cols := range []int{1, 3, 8, 9, 17, 24} {
			var rows [][]float64
			for _, at := range [][2]int{{0, cols - 1}, {cols - 1, 0}, {cols / 2, cols - 1}} {
				for _, big := range []float64{inf, -inf} {
					for _, withNaN := range []bool{false, true} {
						row := make([]float64, cols)
						for c := range row {
							row[c] = -inf
							if big == inf {
								row[c] = float64(c)
							}
						}
						row[at[0]] = big
						if withNaN && at[1] != at[0] {
							row[at[1]] = nan
						}
						rows = append(rows, row)
					}
				}
			}
			x := make([]float64, 0, len(rows)*cols)
			for _, row := range rows {
				x = append(x, row...)
			}
			want, got := make([]float64, len(rows)), make([]float64, len(rows))
			logSumExpRef(len(rows), cols, x, want)
			LogSumExp(len(rows), cols, x, got)
			for i := range want {
				if !(got[i] == want[i] || math.IsNaN(got[i]) && math.IsNaN(want[i])) {
					t.Errorf("cols=%d row %v: got %g, reference %g", cols, rows[i], got[i], want[i])
				}
			}
		}
	})
}

// gmmTol bounds the difference of one GMMLogDensity output: the work entries
// logw - q/2 are sums of d squares formed in different orders, differing by
// at most (d+2) u q/2 + u |logw - q/2|; LogSumExp then adds at most those
// differences plus lseTol, and subtracting (d/2) log 2 pi one ulp more.
func gmmTol(d, k int, work []float64, v float64) float64 {
	var m float64
	for _, wv := range work {
		m = math.Max(m, math.Abs(wv))
	}
	return float64(d+4)*eps*m + lseTol(k, v) + eps*math.Abs(v)
}

// TestGMMLogDensity runs dimensions around the vector widths (d = 2 takes
// the kernels with the points in the lanes; 32 and above the AVX-512
// distance kernel's four accumulators), numbers of points 0..33 (for d = 2:
// the AVX-512 kernel's groups of sixteen, blocks of eight and masked
// tails) and scales from 1 to 1e6.
func TestGMMLogDensity(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 16))
	forEachImpl(t, func(t *testing.T) {
		for _, d := range []int{1, 2, 3, 4, 5, 7, 8, 9, 16, 32, 41} {
			for _, k := range []int{1, 2, 3, 6, 10} {
				for n := 0; n <= 33; n++ {
					if d > 2 && n > 9 && n != 33 {
						continue // the general kernels take one point at a time
					}
					for _, scale := range []float64{1, 30, 1e6} {
						off := n & 1
						z := randSlice(r, n*d, -scale, scale)
						mu := randSlice(r, k*d, -scale, scale)
						logw := randSlice(r, k, -3, 0)
						ins := [][]float64{append([]float64(nil), z...), append([]float64(nil), mu...), append([]float64(nil), logw...)}
						want, wwork := make([]float64, n), make([]float64, n*k)
						gmmLogDensityRef(n, d, k, z, mu, logw, want, wwork)
						g, gw := newGuarded(n, off), newGuarded(n*k, 1-off)
						GMMLogDensity(n, d, k, z, mu, logw, g.data(), gw.data())
						name := fmt.Sprintf("n=%d d=%d k=%d scale=%g", n, d, k, scale)
						g.check(t, name+" out")
						gw.check(t, name+" work")
						if !sameSlice(z, ins[0]) || !sameSlice(mu, ins[1]) || !sameSlice(logw, ins[2]) {
							t.Fatalf("%s: input modified", name)
						}
						for s := 0; s < n; s++ {
							row := wwork[s*k : s*k+k]
							for j, wv := range row {
								// q/2 <= |logw| + |work|: (d+2) u q/2 from the sums, one
								// rounding of the difference.
								q2 := math.Abs(logw[j]) + math.Abs(wv)
								if gv := gw.data()[s*k+j]; math.Abs(gv-wv) > float64(d+2)*eps*q2+eps*math.Abs(wv) {
									t.Fatalf("%s: work[%d] = %g, reference %g", name, s*k+j, gv, wv)
								}
							}
							if gv := g.data()[s]; math.Abs(gv-want[s]) > gmmTol(d, k, row, want[s]) {
								t.Fatalf("%s: out[%d] = %g, reference %g", name, s, gv, want[s])
							}
						}
					}
				}
			}
		}
	})
}

// TestGMMFarFromOrigin: a point at distance 0.5 from its component's mean,
// both 1e9 from the origin, has the log-density of distance 0.5 (a
// formulation through |z|^2 - 2 z.mu + |mu|^2 would lose every digit).
func TestGMMFarFromOrigin(t *testing.T) {
	forEachImpl(t, func(t *testing.T) {
		z := []float64{1e9 + 0.5, -1e9}
		mu := []float64{1e9, -1e9, -1e9, 1e9}
		logw := []float64{math.Log(0.5), math.Log(0.5)}
		out, work := make([]float64, 1), make([]float64, 2)
		GMMLogDensity(1, 2, 2, z, mu, logw, out, work)
		want := math.Log(0.5) - 0.125 - Log2Pi // the far component adds e^-4e18
		if math.Abs(out[0]-want) > 4*eps*math.Abs(want) {
			t.Fatalf("got %g, want %g", out[0], want)
		}
	})
}

func TestLSEShortPanics(t *testing.T) {
	x := make([]float64, 12)
	cases := []struct {
		f    func()
		want string
	}{
		{func() { LogSumExp(3, 4, x[:11], x) }, "kernels.LogSumExp: len(x) = 11, need at least 12"},
		{func() { LogSumExp(3, 4, x, x[:2]) }, "kernels.LogSumExp: len(out) = 2, need at least 3"},
		{func() { LogSumExp(3, 0, x, x) }, "kernels.LogSumExp: bad shape: rows=3 cols=0"},
		{func() { GMMLogDensity(2, 2, 3, x, x[:5], x, x, x) }, "kernels.GMMLogDensity: len(mu) = 5, need at least 6"},
		{func() { GMMLogDensity(2, 2, 3, x, x, x, x, x[:5]) }, "kernels.GMMLogDensity: len(work) = 5, need at least 6"},
	}
	forEachImpl(t, func(t *testing.T) {
		for _, c := range cases {
			if got := capturePanic(c.f); got != c.want {
				t.Errorf("panic %q, want %q", got, c.want)
			}
		}
	})
}

// FuzzLogSumExp compares the implementation in use with the reference on a
// row built from fuzzed values.
func FuzzLogSumExp(f *testing.F) {
	f.Add(1.0, -2.0, 3.0, 5)
	f.Add(1e300, -1e300, 0.0, 7)
	f.Add(math.Inf(-1), math.Inf(-1), math.Inf(-1), 4)
	f.Add(math.Inf(1), 0.0, math.NaN(), 3)
	f.Add(-745.0, -746.0, 709.0, 9)
	f.Fuzz(func(t *testing.T, a, b, c float64, cols int) {
		if cols < 1 || cols > 40 {
			t.Skip()
		}
		vals := []float64{a, b, c, a - b, b * 0.5}
		x := make([]float64, 2*cols)
		for i := range x {
			x[i] = vals[i%len(vals)] + float64(i%3)
		}
		want, got := make([]float64, 2), make([]float64, 2)
		logSumExpRef(2, cols, x, want)
		LogSumExp(2, cols, x, got)
		for i := range want {
			ok := got[i] == want[i] || (math.IsNaN(got[i]) && math.IsNaN(want[i])) ||
				(!math.IsInf(want[i], 0) && math.Abs(got[i]-want[i]) <= lseTol(cols, want[i]))
			if !ok {
				t.Fatalf("row %v: got %g, reference %g", x[i*cols:(i+1)*cols], got[i], want[i])
			}
		}
	})
}

// TestGMMSpecialValues: points with a NaN or infinite coordinate, a NaN
// log-weight, and components of weight zero (log-weight -Inf), give what
// the reference gives, in the vectorised two-dimensional path (in a group
// of sixteen points, a block of eight and a masked tail) and in the general
// one.
func TestGMMSpecialValues(t *testing.T) {
	inf, nan := math.Inf(1), math.NaN()
	forEachImpl(t, func(t *testing.T) {
		for _, d := range []int{2, 3} {
			const n, k = 27, 3
			r := rand.New(rand.NewPCG(17, 18))
			z := randSlice(r, n*d, -2, 2)
			mu := randSlice(r, k*d, -2, 2)
			z[0*d] = nan
			z[2*d+1] = inf
			z[5*d] = -inf
			z[7*d+1] = 1e200 // q overflows to +Inf
			z[18*d] = nan
			z[25*d+1] = inf
			z[26*d] = nan
			for _, logw := range [][]float64{{-1, -2, -3}, {-1, nan, -3}, {math.Inf(-1), -1, math.Inf(-1)}, {math.Inf(-1), math.Inf(-1), math.Inf(-1)}} {
				want, wwork := make([]float64, n), make([]float64, n*k)
				gmmLogDensityRef(n, d, k, z, mu, logw, want, wwork)
				got, work := make([]float64, n), make([]float64, n*k)
				GMMLogDensity(n, d, k, z, mu, logw, got, work)
				for s := range got {
					g, w := got[s], want[s]
					same := (math.IsNaN(g) && math.IsNaN(w)) || g == w ||
						(!math.IsInf(w, 0) && !math.IsNaN(w) && math.Abs(g-w) <= gmmTol(d, k, wwork[s*k:s*k+k], w))
					if !same {
						t.Errorf("d=%d logw=%v point %d (%v): got %v, reference %v", d, logw, s, z[s*d:s*d+d], g, w)
					}
				}
			}
		}
	})
}
