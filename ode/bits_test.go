package ode

import (
	"encoding/json"
	"flag"
	"fmt"
	"maps"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"
	"testing"
)

var updateBits = flag.Bool("update-bits", false, "rewrite testdata/bits.json from this build")

// signOfTime is y' = y for t > 0 or t = +0 and y' = -y for t < 0 or
// t = -0: a fixed-step solve from 1 to -1 in two steps lands on t = 0 in
// the middle, where the sign of that zero decides the result.
var signOfTime = Func(1, func(t float64, y, dydt []float64) { dydt[0] = math.Copysign(1, t) * y[0] })

// bitsCases are the solves whose results are pinned bit for bit.
var bitsCases = []gradCase{
	{"euler", Options{Method: Euler, Steps: 10}, 0, []float64{1}},
	{"rk4-outputs", Options{Method: RK4, Steps: 7}, 0, []float64{0.3, 0.7, 1}},
	{"rk38-step", Options{Method: RK38, Step: 0.13}, 0, []float64{0.5, 1}},
	{"dopri5-fixed", Options{Method: Dopri5, Steps: 5}, 0, []float64{1.5}},
	{"tsit5-step-backwards", Options{Method: Tsit5, Step: 0.3}, 1, []float64{-0.5}},
	{"dopri5", Options{Method: Dopri5, RTol: 1e-6, ATol: 1e-8}, 0, []float64{0.3, 0.7, 1.5}},
	{"dopri5-backwards", Options{Method: Dopri5, RTol: 1e-6, ATol: 1e-8}, 1, []float64{0.2, -0.5}},
	{"dopri5-interpolate", Options{Method: Dopri5, RTol: 1e-6, ATol: 1e-8, Interpolate: true}, 0, []float64{0.3, 0.35, 1.5}},
	{"tsit5-interpolate-backwards", Options{Method: Tsit5, RTol: 1e-7, ATol: 1e-9, Interpolate: true}, 1, []float64{0.2, -0.5}},
	{"tsit5-groups", Options{Method: Tsit5, RTol: 1e-5, ATol: 1e-7, Groups: []int{1, 2}, ParamGroups: []int{9, 6}}, 0, []float64{2}},
	{"dopri5-first-step", Options{Method: Dopri5, RTol: 1e-4, ATol: 1e-4, FirstStep: 0.5}, 0, []float64{3}},
}

// bitsOf writes each float64 as the hexadecimal of its bits.
func bitsOf(vs ...[]float64) []string {
	var out []string
	for _, v := range vs {
		for _, x := range v {
			out = append(out, strconv.FormatUint(math.Float64bits(x), 16))
		}
	}
	return out
}

// bitsRecord is what is pinned of one case.
type bitsRecord struct {
	Y             []string `json:"y"`
	Stats         Stats    `json:"stats"`
	Backprop      []string `json:"backprop"`
	BackpropStats Stats    `json:"backprop_stats"`
	Recompute     []string `json:"recompute"`
	RecomputeSt   Stats    `json:"recompute_stats"`
	Adjoint       []string `json:"adjoint,omitempty"`
	AdjointStats  Stats    `json:"adjoint_stats"`
}

// computeBits runs every case: the forward solve, and the gradient of
// sum_j w_j . y(ts[j]) by every gradient method (the continuous adjoint
// for adaptive cases only).
func computeBits(t *testing.T) map[string]bitsRecord {
	out := map[string]bitsRecord{}
	for seed, c := range bitsCases {
		theta, y0, w := netProblem(uint64(200+seed), len(c.ts))
		net := newTanhNet(netDim, theta)
		var rec bitsRecord
		ys := outputs(len(c.ts))
		s, err := NewSolver(netDim, c.opt)
		if err != nil {
			t.Fatal(err)
		}
		if rec.Stats, err = s.SolveAt(net, c.t0, y0, c.ts, ys); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		rec.Y = bitsOf(ys...)
		for _, grad := range Gradients() {
			if grad == ContinuousAdjoint && (c.opt.Steps != 0 || c.opt.Step != 0) {
				continue
			}
			g := c
			g.opt.Gradient = grad
			ys, gradient, st := solveGradient(t, g, theta, y0, w, false)
			switch grad {
			case Backprop:
				rec.Backprop, rec.BackpropStats = append(bitsOf(ys...), bitsOf(gradient)...), st
			case BackpropRecompute:
				rec.Recompute, rec.RecomputeSt = append(bitsOf(ys...), bitsOf(gradient)...), st
			case ContinuousAdjoint:
				rec.Adjoint, rec.AdjointStats = bitsOf(gradient), st
			}
		}
		out[c.name] = rec
	}
	// The sign of a zero time reached by a step.
	s, err := NewSolver(1, Options{Method: RK4, Steps: 2})
	if err != nil {
		t.Fatal(err)
	}
	y := []float64{1}
	st, err := s.Solve(signOfTime, 1, y, -1, y)
	if err != nil {
		t.Fatal(err)
	}
	out["sign-of-zero-time"] = bitsRecord{Y: bitsOf(y), Stats: st}
	// Van der Pol over two periods with rejected steps, forward and back.
	vdp := &vdpNet{mu: 1}
	for _, tb := range []*Tableau{Dopri5, Tsit5} {
		for _, ip := range []bool{false, true} {
			s, err := NewSolver(2, Options{Method: tb, RTol: 1e-8, ATol: 1e-8, Interpolate: ip})
			if err != nil {
				t.Fatal(err)
			}
			y1 := make([]float64, 2)
			st1, err := s.SolveRecord(vdp, 0, benchY0, 13, y1)
			if err != nil {
				t.Fatal(err)
			}
			g := make([]float64, 3)
			bst, err := s.Backward(vdp, []float64{1, -2}, g[:2], g[2:])
			if err != nil {
				t.Fatal(err)
			}
			back := make([]float64, 2)
			st2, err := s.Solve(vdp, 13, y1, 0, back)
			if err != nil {
				t.Fatal(err)
			}
			name := fmt.Sprintf("vanderpol-%s-interpolate=%v", tb.Name, ip)
			out[name] = bitsRecord{Y: bitsOf(y1, back), Stats: st1, Backprop: bitsOf(g), BackpropStats: bst, AdjointStats: st2}
		}
	}
	return out
}

// plainFloatBuild reports whether this build rounds every float64
// operation separately: the compiler fuses x*y + z into one FMA on arm64,
// ppc64, s390x and riscv64, and on amd64 from GOAMD64=v3, which changes
// the last bits.
func plainFloatBuild() bool {
	if runtime.GOARCH != "amd64" {
		return false
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return false
	}
	for _, s := range bi.Settings {
		if s.Key == "GOAMD64" {
			return s.Value == "v1" || s.Value == "v2"
		}
	}
	return true
}

// TestBits holds solves, their gradients and their step counts to the
// bits in testdata/bits.json, written by the solver as it was before its
// controller and gradient method became values (commit 4161478), so that
// any change to the order of the arithmetic shows.
func TestBits(t *testing.T) {
	if !plainFloatBuild() {
		t.Skip("the golden bits are those of a build without fused multiply-add")
	}
	path := filepath.Join("testdata", "bits.json")
	got := computeBits(t)
	if *updateBits {
		names := slices.Sorted(maps.Keys(got))
		raw := []byte("{\n")
		for i, name := range names {
			rec, err := json.Marshal(got[name])
			if err != nil {
				t.Fatal(err)
			}
			raw = fmt.Appendf(raw, "%q: %s", name, rec)
			if i < len(names)-1 {
				raw = append(raw, ',')
			}
			raw = append(raw, '\n')
		}
		raw = append(raw, "}\n"...)
		if err := os.WriteFile(path, raw, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var want map[string]bitsRecord
	if err := json.Unmarshal(raw, &want); err != nil {
		t.Fatal(err)
	}
	if len(want) != len(got) {
		t.Errorf("%d cases computed, %d in %s", len(got), len(want), path)
	}
	for name, w := range want {
		g, ok := got[name]
		if !ok {
			t.Errorf("%s: not computed", name)
			continue
		}
		a, _ := json.Marshal(g)
		b, _ := json.Marshal(w)
		if string(a) != string(b) {
			t.Errorf("%s: got\n%s\nwant\n%s", name, a, b)
		}
	}
}
