package data

import (
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
			arcs[c][i][0], arcs[c][i][1] = moonPoint(c, math.Pi*float64(i)/(m-1))
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
