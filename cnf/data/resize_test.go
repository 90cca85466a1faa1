package data

import (
	"math"
	"math/rand/v2"
	"testing"
)

// Rounding: every output is a sum of at most 4x4 products of values <= 255
// with weights summing to 1; 1e-12 bounds the float64 rounding error
// (a few dozen operations of relative error 2^-53 on magnitudes <= 255).
const resizeTol = 1e-12

// TestResizeHand1D checks 4 -> 2 on one row, computed by hand.
// scale 2, support 2. Output 0 is centred at c = 1: taps j = trunc(-0.5)..
// trunc(3.5)-1 = 0, 1, 2 with tri((j+0.5-1)/2) = 0.75, 0.75, 0.25, summing to
// 1.75, so weights 3/7, 3/7, 1/7. Output 1 (c = 3): j = 1, 2, 3 with weights
// 1/7, 3/7, 3/7. For the row 0, 7, 14, 21: out0 = 3 + 2 = 5 and
// out1 = 1 + 6 + 9 = 16.
func TestResizeHand1D(t *testing.T) {
	got, err := Resize([]float64{0, 7, 14, 21}, 1, 4, 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(got[0]-5) > resizeTol || math.Abs(got[1]-16) > resizeTol {
		t.Errorf("got %v, want [5 16]", got)
	}
}

// TestResizeHand28 checks the 28 -> 16 weights (scale = support = 1.75).
// Output 0 (c = 0.875): taps j = 0, 1, 2, tri of 0.375/1.75, 0.625/1.75,
// 1.625/1.75 = 11/14, 9/14, 1/14, normalised 11/21, 9/21, 1/21.
// Output 7 (c = 13.125): taps j = trunc(11.875) = 11 .. trunc(15.375)-1 = 14,
// tri = 1/14, 9/14, 11/14, 3/14, normalised 1/24, 9/24, 11/24, 3/24.
// For the ramp x_j = j: out0 = (9 + 2)/21 = 11/21 and
// out7 = (11 + 108 + 143 + 42)/24 = 304/24.
// In 2-D, for the image v(y, x) = 28*y + x the separable result is
// 28*r(y) + r(x) with r the 1-D ramp result, so out(7, 0) = 28*304/24 + 11/21.
func TestResizeHand28(t *testing.T) {
	start, w := resampleWeights(28, 16)
	want0 := []float64{11.0 / 21, 9.0 / 21, 1.0 / 21}
	want7 := []float64{1.0 / 24, 9.0 / 24, 11.0 / 24, 3.0 / 24}
	if start[0] != 0 || start[7] != 11 || len(w[0]) != 3 || len(w[7]) != 4 {
		t.Fatalf("taps: start %d, %d; counts %d, %d; want 0, 11; 3, 4", start[0], start[7], len(w[0]), len(w[7]))
	}
	for k := range want0 {
		if math.Abs(w[0][k]-want0[k]) > 1e-15 {
			t.Errorf("output 0 weight %d = %v, want %v", k, w[0][k], want0[k])
		}
	}
	for k := range want7 {
		if math.Abs(w[7][k]-want7[k]) > 1e-15 {
			t.Errorf("output 7 weight %d = %v, want %v", k, w[7][k], want7[k])
		}
	}
	img := make([]float64, 28*28)
	for y := range 28 {
		for x := range 28 {
			img[28*y+x] = float64(28*y + x)
		}
	}
	got, err := Resize(img, 28, 28, 16, 16)
	if err != nil {
		t.Fatal(err)
	}
	if want := 28*304.0/24 + 11.0/21; math.Abs(got[7*16+0]-want) > resizeTol*30 {
		t.Errorf("out(7,0) = %.15g, want %.15g", got[7*16], want)
	}
	if want := 28*11.0/21 + 11.0/21; math.Abs(got[0]-want) > resizeTol*30 {
		t.Errorf("out(0,0) = %.15g, want %.15g", got[0], want)
	}
}

// TestResizeProperties: constant images stay constant; the mirror image of
// the input gives the mirror image of the output (the taps are symmetric);
// outputs stay within the input's range; the weights of each output sum to
// 1, so the 16 outputs of a row carry a total weight of 16 spread over the
// 28 inputs, every one of which gets a positive share (none is dropped, as
// plain bilinear sampling at 1.75x would drop some).
func TestResizeProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, c := range []float64{0, 1, 37.5, 255} {
		img := make([]float64, 28*28)
		for i := range img {
			img[i] = c
		}
		got, _ := Resize(img, 28, 28, 16, 16)
		for i, v := range got {
			if math.Abs(v-c) > resizeTol {
				t.Fatalf("constant %v: pixel %d = %v", c, i, v)
			}
		}
	}
	img := make([]float64, 28*28)
	for i := range img {
		img[i] = 255 * rng.Float64()
	}
	mirror := make([]float64, len(img))
	for y := range 28 {
		for x := range 28 {
			mirror[28*y+x] = img[28*y+27-x]
		}
	}
	a, _ := Resize(img, 28, 28, 16, 16)
	b, _ := Resize(mirror, 28, 28, 16, 16)
	for y := range 16 {
		for x := range 16 {
			if math.Abs(a[16*y+x]-b[16*y+15-x]) > resizeTol {
				t.Fatalf("mirror symmetry broken at (%d, %d): %v vs %v", y, x, a[16*y+x], b[16*y+15-x])
			}
			if v := a[16*y+x]; v < 0 || v > 255 {
				t.Fatalf("pixel (%d, %d) = %v outside the input range", y, x, v)
			}
		}
	}
	start, w := resampleWeights(28, 16)
	colSum := make([]float64, 28)
	for i := range w {
		for k, wt := range w[i] {
			colSum[start[i]+k] += wt
		}
	}
	var total float64
	for j, s := range colSum {
		if s <= 0 {
			t.Errorf("input pixel %d has total weight %v: nearly dropped", j, s)
		}
		total += s
	}
	if math.Abs(total-16) > 1e-12 {
		t.Errorf("total weight %v, want 16 (each output's weights sum to 1)", total)
	}
	if _, err := Resize(img, 28, 27, 16, 16); err == nil {
		t.Error("size mismatch accepted")
	}
}
