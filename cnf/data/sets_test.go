package data

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// synthetic returns a 28x28 labelled set with perClass images of each of
// the 10 classes, classes cycling 0..9; image i has every pixel equal to
// (7*i + 3) mod 256, so resizing keeps it (constant images stay constant).
func synthetic(perClass int) Labelled {
	n := 10 * perClass
	im := &Images{N: n, Rows: 28, Cols: 28, Pix: make([]uint8, n*784)}
	lab := make([]uint8, n)
	for i := range n {
		lab[i] = uint8(i % 10)
		for j := range 784 {
			im.Pix[i*784+j] = uint8((7*i + 3) % 256)
		}
	}
	return Labelled{Images: im, Labels: lab}
}

func checkImages(t *testing.T, s Split) {
	t.Helper()
	if len(s.X) != s.N*256 || len(s.Labels) != s.N || s.Dim != 256 {
		t.Fatalf("split %q: %d values, %d labels, dim %d for N=%d", s.Name, len(s.X), len(s.Labels), s.Dim, s.N)
	}
	for i, v := range s.X {
		if v != math.Round(v) || v < 0 || v > 255 {
			t.Fatalf("split %q: value %d = %v is not a whole number in 0..255", s.Name, i, v)
		}
	}
}

func TestInstanceMNIST(t *testing.T) {
	tr := synthetic(3)
	set, err := instanceMNIST(tr, 40, 30, 5)
	if err != nil {
		t.Fatal(err)
	}
	if set.Train.N != 80 || set.Test.N != 60 || len(set.OOD) != 2 || set.OOD[0].N != 8*30 || set.OOD[1].N != 30 {
		t.Fatalf("sizes: train %d test %d OOD %d", set.Train.N, set.Test.N, len(set.OOD))
	}
	for _, s := range append([]Split{set.Train, set.Test}, set.OOD...) {
		checkImages(t, s)
	}
	// The first image of class c is item c, of constant value 7c+3; every
	// copy must be within the noise half-width (plus rounding) of it, and
	// the noise must be spread (max deviation > half the half-width).
	check := func(s Split, base func(i int) (float64, float64)) {
		var maxDev float64
		for i := range s.N {
			lo, hi := base(i)
			for _, v := range s.X[i*256 : (i+1)*256] {
				if v < math.Max(0, math.Round(lo-InstanceNoise)) || v > math.Min(255, math.Round(hi+InstanceNoise)) {
					t.Fatalf("split %q item %d: value %v outside [%v, %v] +- noise", s.Name, i, v, lo, hi)
				}
				maxDev = math.Max(maxDev, math.Max(lo-v, v-hi))
			}
		}
		if maxDev < InstanceNoise/2 {
			t.Errorf("split %q: largest deviation %v, noise looks missing", s.Name, maxDev)
		}
	}
	val := func(c int) float64 { return float64(7*c + 3) }
	check(set.Train, func(i int) (float64, float64) { c := set.Train.Labels[i]; return val(c), val(c) })
	check(set.OOD[0], func(i int) (float64, float64) { c := set.OOD[0].Labels[i]; return val(c), val(c) })
	check(set.OOD[1], func(int) (float64, float64) { return val(0) + 0.25*(val(1)-val(0)), val(0) + 0.75*(val(1)-val(0)) })
	if set.Train.Labels[0] != 0 || set.Train.Labels[79] != 1 || set.OOD[1].Labels[0] != -1 {
		t.Error("labels: want class 0 first, class 1 last, interpolations -1")
	}
	again, _ := instanceMNIST(tr, 40, 30, 5)
	other, _ := instanceMNIST(tr, 40, 30, 6)
	if !equal(again.Train.X, set.Train.X) || !equal(again.OOD[1].X, set.OOD[1].X) {
		t.Error("same seed gave different sets")
	}
	if equal(other.Train.X, set.Train.X) {
		t.Error("seeds 5 and 6 gave the same training set")
	}
	bad := synthetic(1)
	bad.Labels[9] = 8
	if _, err := instanceMNIST(bad, 1, 1, 1); err == nil || !strings.Contains(err.Error(), "no image of class 9") {
		t.Errorf("missing class: error %v", err)
	}
}

func equal(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestSubsetMNIST(t *testing.T) {
	tr, te := synthetic(5), synthetic(4)
	set, err := subsetMNIST(tr, te, 3, 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	if set.Train.N != 6 || set.Test.N != 8 || set.OOD[0].N != 32 || set.OOD[1].N != 4 {
		t.Fatalf("sizes: train %d test %d OOD %d %d", set.Train.N, set.Test.N, set.OOD[0].N, set.OOD[1].N)
	}
	for _, s := range append([]Split{set.Train, set.Test}, set.OOD...) {
		checkImages(t, s)
	}
	// Training keeps MNIST order: items 0, 1, 10, 11, 20, 21 of tr.
	for k, i := range []int{0, 1, 10, 11, 20, 21} {
		if got, want := set.Train.X[k*256], float64((7*i+3)%256); got != want {
			t.Errorf("training image %d = %v, want item %d's value %v", k, got, i, want)
		}
	}
	// Interpolation k mixes test items 10k (class 0) and 10k+1 (class 1).
	for k := range 4 {
		a, b := float64(70*k+3), float64(70*k+10)
		v := set.OOD[1].X[k*256]
		if v < math.Round(a+0.25*(b-a))-0.5 || v > math.Round(a+0.75*(b-a))+0.5 {
			t.Errorf("interpolation %d = %v, not between 0.25 and 0.75 of %v..%v", k, v, a, b)
		}
	}
	capped, _ := subsetMNIST(tr, te, 3, 2, 1)
	if capped.Test.N != 4 || capped.OOD[0].N != 16 || capped.OOD[1].N != 2 {
		t.Errorf("capped sizes: test %d OOD %d %d", capped.Test.N, capped.OOD[0].N, capped.OOD[1].N)
	}
	if _, err := subsetMNIST(tr, te, 6, 0, 1); err == nil {
		t.Error("asking for more training images than exist accepted")
	}
}

func TestFashionSet(t *testing.T) {
	set, err := fashionMNIST(synthetic(4), synthetic(2), synthetic(3), 2, 0)
	if err != nil {
		t.Fatal(err)
	}
	if set.Train.N != 20 || set.Test.N != 20 || len(set.OOD) != 1 || set.OOD[0].N != 30 || set.OOD[0].Name != "MNIST" {
		t.Fatalf("sizes: train %d test %d OOD %+v", set.Train.N, set.Test.N, len(set.OOD))
	}
	if len(set.Classes) != 10 {
		t.Errorf("classes %v", set.Classes)
	}
	if _, err := fashionMNIST(synthetic(1), synthetic(1), synthetic(1), 2, 0); err == nil {
		t.Error("too few training images accepted")
	}
}

func TestLoadMoonsAndRegistry(t *testing.T) {
	set, err := Load("moons", Options{Classes: []int{5, 4}, PerClass: 10, TestPerClass: 7, Seed: 2, Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if set.Train.N != 20 || set.Test.N != 14 || len(set.OOD) != 4 || set.OOD[0].Name != "class 0" || set.Classes[0] != 4 {
		t.Fatalf("moons: train %d test %d OOD %d classes %v", set.Train.N, set.Test.N, len(set.OOD), set.Classes)
	}
	if equal(set.Train.X[:14], set.Test.X[:14]) {
		t.Error("test points repeat the training points")
	}
	_, err = Load("cifar", Options{})
	if err == nil || !strings.Contains(err.Error(), "instance-mnist, mnist, moons, subset-mnist") {
		t.Errorf("unknown name: error %v", err)
	}
	_, err = Load("subset-mnist", Options{Dir: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "not found") || !strings.Contains(err.Error(), "data fetch") {
		t.Errorf("missing data: error %v", err)
	}
}

// TestLoadSplitLookup writes fixture IDX files and checks where the loader
// looks, the checksum check and the count check.
func TestLoadSplitLookup(t *testing.T) {
	dir := t.TempDir()
	d := synthetic(2)
	ip := filepath.Join(dir, "sub", trainImagesName+".gz")
	lp := filepath.Join(dir, trainLabelsName)
	writeImages(t, ip, d.Images)
	writeLabels(t, lp, d.Labels)
	sums := map[string]string{}
	dims := map[string][]int{trainImagesName: {20, 28, 28}, trainLabelsName: {20}}
	for name, p := range map[string]string{trainImagesName: ip, trainLabelsName: lp} {
		_, err := readIDXVerified(p, "", dims[name])
		if err == nil || !errors.Is(err, ErrChecksum) {
			t.Fatalf("empty sum accepted: %v", err)
		}
		got := strings.TrimSuffix(strings.Fields(strings.SplitAfter(err.Error(), "content has ")[1])[0], ",")
		sums[name] = got
	}
	im, lab, err := loadSplit(dir, "test", "sub", true, trainImagesName, trainLabelsName, sums, dims)
	if err != nil {
		t.Fatal(err)
	}
	if im.N != 20 || len(lab) != 20 {
		t.Fatalf("loaded %d images, %d labels", im.N, len(lab))
	}
	if _, _, err := loadSplit(dir, "test", "sub", false, trainImagesName, trainLabelsName, sums, dims); err == nil || !strings.Contains(err.Error(), "not found") {
		t.Errorf("labels outside the sub-directory found without top: %v", err)
	}
	sums[trainLabelsName] = strings.Repeat("0", 64)
	if _, _, err := loadSplit(dir, "test", "sub", true, trainImagesName, trainLabelsName, sums, dims); !errors.Is(err, ErrChecksum) {
		t.Errorf("corrupt labels: error %v", err)
	}
	if err := os.WriteFile(lp, []byte("junk"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := loadSplit(dir, "test", "sub", true, trainImagesName, trainLabelsName, sums, dims); err == nil || !strings.Contains(err.Error(), lp) {
		t.Errorf("junk label file: error %v does not name %s", err, lp)
	}
}

// TestRealSets builds the sets from the fetched data when it is present.
func TestRealSets(t *testing.T) {
	dir, err := DefaultDir()
	if err != nil {
		t.Skip(err)
	}
	if _, _, err := LoadMNIST(dir); err != nil {
		t.Skipf("MNIST not available (%v); run `make data` to include this test", err)
	}
	set, err := Load("instance-mnist", Options{Dir: dir, PerClass: 4, TestPerClass: 4})
	if err != nil {
		t.Fatal(err)
	}
	checkImages(t, set.Train)
	set, err = Load("subset-mnist", Options{Dir: dir, TestPerClass: 10})
	if err != nil {
		t.Fatal(err)
	}
	if set.Train.N != 2560 || set.Test.N != 20 || set.OOD[0].N != 80 {
		t.Errorf("subset-mnist sizes: %d %d %d", set.Train.N, set.Test.N, set.OOD[0].N)
	}
	if _, _, err := LoadFashionMNIST(dir); err != nil {
		t.Skipf("FashionMNIST not available (%v); run `make data` to include it", err)
	}
	set, err = Load("fashion-mnist", Options{Dir: dir, TestPerClass: 5})
	if err != nil {
		t.Fatal(err)
	}
	if set.Train.N != 12800 || set.Test.N != 50 || set.OOD[0].N != 50 {
		t.Errorf("fashion-mnist sizes: %d %d %d", set.Train.N, set.Test.N, set.OOD[0].N)
	}
}
