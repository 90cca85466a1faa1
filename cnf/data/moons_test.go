package data

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"math"
	"testing"

	"github.com/mmcnf/mmcnf/internal/streams"
)

// TestMoonsSeparation checks on a fine grid of angles that any two classes
// are at least 0.5 apart before noise, and that the bound is attained (the
// arc ends of the two classes of a pair, and neighbouring pairs at y = 0).
func TestMoonsSeparation(t *testing.T) {
	const m = 401
	var arcs [MoonsClasses][m][2]float64
	for c := range MoonsClasses {
		for i := range m {
			arcs[c][i][0], arcs[c][i][1] = MoonsShape{}.resolved().moonPoint(c, math.Pi*float64(i)/(m-1))
		}
	}
	minDist := math.Inf(1)
	for a := 0; a < MoonsClasses; a++ {
		for b := a + 1; b < MoonsClasses; b++ {
			for i, pa := range arcs[a] {
				for j, pb := range arcs[b] {
					d := math.Hypot(pa[0]-pb[0], pa[1]-pb[1])
					if d < 0.5-1e-12 {
						t.Fatalf("classes %d and %d are %.6f apart (< 0.5) at grid points %d, %d", a, b, d, i, j)
					}
					minDist = min(minDist, d)
				}
			}
		}
	}
	if math.Abs(minDist-0.5) > 1e-12 {
		t.Errorf("smallest distance between classes %.15f, want exactly 0.5 (arc ends)", minDist)
	}
}

// TestMoonsGeometry checks the class means and radii of sampled points.
// With theta ~ U[0, pi]: E[cos] = 0 and E[sin] = 2/pi, so class 2j has mean
// (-0.25, 2r/pi) and class 2j+1 mean (0.25, -2r/pi); the squared distance
// from the arc centre (-0.25, 0) or (0.25, 0) has mean r^2 + 2*0.1^2.
// Tolerances are 5 standard errors: each coordinate has standard deviation
// at most r/sqrt(2)+0.1 <= 2.2 (so 5*2.2/sqrt(n)), and the squared radius
// about 2*r*0.1*sqrt(2)+0.03 <= 0.9.
func TestMoonsGeometry(t *testing.T) {
	const n = 20000
	pts, lab, err := Moons(n, []int{0, 1, 2, 3, 4, 5}, 7)
	if err != nil {
		t.Fatal(err)
	}
	if len(pts) != 2*6*n || len(lab) != 6*n {
		t.Fatalf("got %d coordinates and %d labels, want %d and %d", len(pts), len(lab), 12*n, 6*n)
	}
	tolMean := 5 * 2.2 / math.Sqrt(n)
	tolR2 := 5 * 0.9 / math.Sqrt(n)
	for c := range MoonsClasses {
		r := 1 + float64(c/2)
		cx, wantY := -0.25, 2*r/math.Pi
		if c%2 == 1 {
			cx, wantY = 0.25, -wantY
		}
		var sx, sy, sr2 float64
		for i := c * n; i < (c+1)*n; i++ {
			if lab[i] != c {
				t.Fatalf("label %d at index %d, want %d", lab[i], i, c)
			}
			x, y := pts[2*i], pts[2*i+1]
			sx += x
			sy += y
			sr2 += (x-cx)*(x-cx) + y*y
		}
		mx, my, mr2 := sx/n, sy/n, sr2/n
		if math.Abs(mx-cx) > tolMean || math.Abs(my-wantY) > tolMean {
			t.Errorf("class %d mean (%.4f, %.4f), want (%.4f, %.4f) within %.4f", c, mx, my, cx, wantY, tolMean)
		}
		if want := r*r + 2*MoonsNoise*MoonsNoise; math.Abs(mr2-want) > tolR2 {
			t.Errorf("class %d mean squared radius %.4f, want %.4f within %.4f", c, mr2, want, tolR2)
		}
	}
}

// TestMoonsDeterministic checks seeding: same seed same points, a class's
// points independent of the other classes drawn, different seeds differ.
func TestMoonsDeterministic(t *testing.T) {
	all, _, _ := Moons(50, []int{0, 1, 2, 3, 4, 5}, 3)
	sub, lab, _ := Moons(50, []int{4, 5}, 3)
	for i := range sub {
		if sub[i] != all[8*50+i] {
			t.Fatalf("class 4/5 point coordinate %d differs when drawn alone", i)
		}
	}
	if lab[0] != 4 || lab[99] != 5 {
		t.Errorf("labels %d, %d, want 4, 5", lab[0], lab[99])
	}
	other, _, _ := Moons(50, []int{4, 5}, 4)
	if other[0] == sub[0] {
		t.Error("seeds 3 and 4 gave the same first point")
	}
	if _, _, err := Moons(5, []int{6}, 1); err == nil {
		t.Error("class 6 accepted")
	}
	if _, _, err := Moons(-1, []int{0}, 1); err == nil {
		t.Error("negative count accepted")
	}
}

// TestMoonsStreams checks that the per-class streams of the moons cover
// every class.
func TestMoonsStreams(t *testing.T) {
	if MoonsClasses > streams.Classes {
		t.Errorf("%d moons classes but per-class streams of %d", MoonsClasses, streams.Classes)
	}
}

// hashFloats is the SHA-256 of the bits of xs, little-endian.
func hashFloats(xs []float64) string {
	h := sha256.New()
	var b [8]byte
	for _, v := range xs {
		binary.LittleEndian.PutUint64(b[:], math.Float64bits(v))
		h.Write(b[:])
	}
	return hex.EncodeToString(h.Sum(nil))
}

// TestMoonsDefaultShapeUnchanged holds the default moons to the points
// they were before their shape could be changed: the SHA-256 of the
// coordinates of Moons(200, 0..5, seed 3) and of a D{4,5} dataset (train,
// test and the first out-of-distribution class), as the generator with
// fixed noise 0.1 and radii 1, 2, 3 drew them. The zero shape and the
// default shape spelled out draw the same.
func TestMoonsDefaultShapeUnchanged(t *testing.T) {
	const wantPoints = "a3acb17825e2bf94064a0441028d06f963a0f49643ad4e4ec7ff1eaf7fcce355"
	const wantSet = "0b943ca46f83859a13f8c55fd4eca437701ad48a38dd80a57afa195a4dfbd111"
	all := []int{0, 1, 2, 3, 4, 5}
	for _, s := range []MoonsShape{{}, {Noise: MoonsNoise, Spacing: MoonsSpacing}} {
		pts, _, err := s.Moons(200, all, 3)
		if err != nil {
			t.Fatal(err)
		}
		if got := hashFloats(pts); got != wantPoints {
			t.Errorf("shape %+v: points hash %s, want %s", s, got, wantPoints)
		}
		set, err := Load("moons", Options{Classes: []int{4, 5}, Seed: 2, PerClass: 100, TestPerClass: 50, Moons: s})
		if err != nil {
			t.Fatal(err)
		}
		if got := hashFloats(append(append(set.Train.X, set.Test.X...), set.OOD[0].X...)); got != wantSet {
			t.Errorf("shape %+v: dataset hash %s, want %s", s, got, wantSet)
		}
	}
	pts, _, _ := Moons(200, all, 3)
	if got := hashFloats(pts); got != wantPoints {
		t.Errorf("Moons: points hash %s, want %s", got, wantPoints)
	}
}

// TestMoonsShape checks that noise and spacing act as documented: the
// squared distance of class c's points from its arc centre has mean
// r^2 + 2 noise^2 with r = 1 + spacing*(c/2), within 5 standard errors
// (its standard deviation is at most 2 r noise sqrt(2) + 3 noise^2).
func TestMoonsShape(t *testing.T) {
	const n = 20000
	for _, s := range []MoonsShape{{Noise: 0.3, Spacing: 0.5}, {Noise: 0.05, Spacing: 1.5}} {
		pts, _, err := s.Moons(n, []int{0, 1, 2, 3, 4, 5}, 11)
		if err != nil {
			t.Fatal(err)
		}
		for c := range MoonsClasses {
			r := 1 + s.Spacing*float64(c/2)
			cx := -0.25
			if c%2 == 1 {
				cx = 0.25
			}
			var sr2 float64
			for i := c * n; i < (c+1)*n; i++ {
				x, y := pts[2*i], pts[2*i+1]
				sr2 += (x-cx)*(x-cx) + y*y
			}
			want := r*r + 2*s.Noise*s.Noise
			tol := 5 * (2*r*s.Noise*math.Sqrt2 + 3*s.Noise*s.Noise) / math.Sqrt(n)
			if got := sr2 / n; math.Abs(got-want) > tol {
				t.Errorf("shape %+v class %d: mean squared radius %.4f, want %.4f within %.4f", s, c, got, want, tol)
			}
		}
	}
	for _, bad := range []MoonsShape{{Noise: -0.1}, {Spacing: -1}, {Noise: math.NaN()}, {Spacing: math.Inf(1)}, {Noise: 11}} {
		if _, _, err := bad.Moons(5, []int{0}, 1); err == nil {
			t.Errorf("shape %+v accepted", bad)
		}
		if _, err := bad.LogDensity([]float64{0, 0}, []int{0}); err == nil {
			t.Errorf("shape %+v accepted by LogDensity", bad)
		}
	}
}

// TestMoonsLogDensity checks the generating density: it integrates to 1
// over the plane (a Riemann sum on a grid of step noise/4 covering every
// arc by 8 noise; the sum of a smooth density on such a grid is exact to
// far below the 1e-3 allowed), and it agrees to 1e-5 with a midpoint sum
// over 40,000 angles per arc (whose relative error, of order
// (pi r / 40000 / noise)^2 / 24 at the arc ends, is below 1e-6 here).
func TestMoonsLogDensity(t *testing.T) {
	for _, tc := range []struct {
		s       MoonsShape
		classes []int
	}{{MoonsShape{}, []int{4, 5}}, {MoonsShape{Noise: 0.3, Spacing: 0.5}, []int{0, 1, 2, 3, 4, 5}}, {MoonsShape{Noise: 0.2}, []int{2}}} {
		s := tc.s.resolved()
		h := s.Noise / 4
		lim := 0.25 + s.radius(5) + 8*s.Noise
		var grid []float64
		for x := -lim; x <= lim; x += h {
			for y := -lim; y <= lim; y += h {
				grid = append(grid, x, y)
			}
		}
		lp, err := tc.s.LogDensity(grid, tc.classes)
		if err != nil {
			t.Fatal(err)
		}
		var mass float64
		for _, v := range lp {
			mass += math.Exp(v) * h * h
		}
		if math.Abs(mass-1) > 1e-3 {
			t.Errorf("shape %+v classes %v: density integrates to %.6f", tc.s, tc.classes, mass)
		}
		// The reference: the same integral on 10 times the nodes, per class.
		pts, _, _ := tc.s.Moons(20, tc.classes, 5)
		got, _ := tc.s.LogDensity(pts, tc.classes)
		for i := range got {
			const m = 40000
			var p float64
			for _, c := range tc.classes {
				for k := range m {
					ax, ay := s.moonPoint(c, math.Pi*(float64(k)+0.5)/m)
					dx, dy := pts[2*i]-ax, pts[2*i+1]-ay
					p += math.Exp(-(dx*dx+dy*dy)/(2*s.Noise*s.Noise)) / (2 * math.Pi * s.Noise * s.Noise) / m
				}
			}
			want := math.Log(p / float64(len(tc.classes)))
			if math.Abs(got[i]-want) > 1e-5 {
				t.Errorf("shape %+v point %d: log density %.9f, want %.9f", tc.s, i, got[i], want)
			}
		}
	}
	if _, err := (MoonsShape{}).LogDensity([]float64{0}, []int{0}); err == nil {
		t.Error("odd coordinate count accepted")
	}
	if _, err := (MoonsShape{}).LogDensity([]float64{0, 0}, []int{6}); err == nil {
		t.Error("class 6 accepted")
	}
}
