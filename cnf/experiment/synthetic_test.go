package experiment

import (
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/mmcnf/mmcnf/cnf/figure"
)

// fakeBackend is a Backend that invents results: bits/dim that depend on
// the set, base and seed, and samples of the right shapes. It counts calls.
type fakeBackend struct {
	t     *testing.T
	out   string
	calls int
}

// fakeBPD is the invented bits/dim of a set.
func fakeBPD(set string, inDist bool, base string, seed int) float64 {
	v := 1.0 + 0.01*float64(seed)
	if !inDist {
		v += 2 + 0.1*float64(len(set))
		if base == BaseGMM {
			v += 1
		}
	}
	return v
}

// RunUnit invents the unit's result.
func (f *fakeBackend) RunUnit(_ context.Context, st *Study, s Settings, u Unit, _, _ string, _ io.Writer) (*RunResult, error) {
	f.calls++
	return fakeRun(f.t, f.out, st, s, u), nil
}

// setNames lists the evaluation sets a study reports, and whether each is
// in-distribution for the training classes.
func setNames(st *Study, classes []int) ([]string, []bool) {
	in := func(c int) bool {
		for _, k := range classes {
			if k == c {
				return true
			}
		}
		return false
	}
	var names []string
	var inDist []bool
	switch st.Name {
	case "moons":
		for c := range 6 {
			names, inDist = append(names, classSet(c)), append(inDist, in(c))
		}
	case "fashion-mnist":
		names, inDist = []string{"FashionMNIST", "MNIST"}, []bool{true, false}
	default:
		names, inDist = []string{"class 0", "class 1", "interpolations"}, []bool{true, true, false}
		for c := 2; c <= 9; c++ {
			names, inDist = append(names, classSet(c)), append(inDist, false)
		}
	}
	return names, inDist
}

// fakeRun invents a unit's result and writes its samples under out.
func fakeRun(t *testing.T, out string, st *Study, s Settings, u Unit) *RunResult {
	t.Helper()
	rng := rand.New(rand.NewPCG(uint64(u.Seed), 1))
	r := &RunResult{Iterations: s.Iters, TrainSeconds: 10 + float64(u.Seed), NFEForward: 30, NFEBackward: 60, EvalNFE: 32}
	names, inDist := setNames(st, u.TrainSet.Classes)
	for i, n := range names {
		sr := SetResult{Name: n, InDistribution: inDist[i], N: 100, BitsPerDim: fakeBPD(n, inDist[i], u.Base, u.Seed)}
		if !inDist[i] {
			a := 0.9
			sr.AUROC = &a
		}
		r.Sets = append(r.Sets, sr)
	}
	smp := &Samples{}
	if st.Image {
		fd := 50.0
		if u.Base == BaseGMM {
			fd = 40
		}
		fd += float64(u.Seed)
		kid := fd / 1000
		r.FD, r.KID, r.FDSamples, r.FDTest = &fd, &kid, 9, 9
		smp.Shape = []int{1, 16, 16}
		img := func() []float64 {
			v := make([]float64, 256)
			for i := range v {
				v[i] = rng.Float64()
			}
			return v
		}
		for range 9 {
			smp.Unconditional = append(smp.Unconditional, img())
		}
		if u.Base == BaseGMM {
			for _, c := range u.TrainSet.Classes {
				smp.Classes = append(smp.Classes, c)
				smp.ByClass = append(smp.ByClass, [][]float64{img(), img(), img()})
			}
		}
	} else {
		smp.Shape = []int{2}
		for range 60 {
			smp.Unconditional = append(smp.Unconditional, []float64{3 * rng.NormFloat64(), 2 * rng.NormFloat64()})
		}
		if u.Base == BaseGMM {
			for _, c := range u.TrainSet.Classes {
				var rows [][]float64
				for range 20 {
					rows = append(rows, []float64{float64(c) - 2 + 0.3*rng.NormFloat64(), 0.3 * rng.NormFloat64()})
				}
				smp.Classes = append(smp.Classes, c)
				smp.ByClass = append(smp.ByClass, rows)
			}
		}
		g := &figure.Grid{}
		for j := range 30 {
			g.X = append(g.X, -4+8*float64(j)/29)
		}
		for i := range 20 {
			g.Y = append(g.Y, -3+6*float64(i)/19)
		}
		for _, y := range g.Y {
			row := make([]float64, len(g.X))
			for j, x := range g.X {
				row[j] = -(x*x+y*y)/2 - math.Log(2*math.Pi)
			}
			g.Z = append(g.Z, row)
		}
		smp.Density = g
	}
	path := filepath.Join(u.Dir(out), "samples.json")
	if err := writeSamples(path, smp); err != nil {
		t.Fatal(err)
	}
	rel, _ := filepath.Rel(out, path)
	r.Study, r.TrainSet, r.Base, r.Seed, r.Settings, r.Samples = u.Study, u.TrainSet.Name, u.Base, u.Seed, s, rel
	return r
}

// fakeResults invents the results of a whole study.
func fakeResults(t *testing.T, out, name string, seeds int) *Results {
	t.Helper()
	st, err := Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	s := st.Quick
	s.Seeds = seeds
	res := &Results{Study: name, Settings: s}
	for _, u := range st.Units(seeds) {
		res.Runs = append(res.Runs, *fakeRun(t, out, st, s, u))
	}
	if res.Summary, res.Models, err = Summarise(res.Runs); err != nil {
		t.Fatal(err)
	}
	return res
}

// expectBPD is the mean over seeds 0..n-1 of fakeBPD, formatted as the
// tables print it.
func expectBPD(set string, inDist bool, base string, n int) string {
	var sum float64
	for s := range n {
		sum += fakeBPD(set, inDist, base, s)
	}
	return fmt.Sprintf("%.3f", sum/float64(n))
}

// Prepare has nothing to prepare.
func (f *fakeBackend) Prepare(context.Context, *Study, Settings, string, io.Writer) error { return nil }
