package data

import (
	"fmt"
	"math"
)

// resampleWeights returns, for each of the out output positions of a 1-D
// resampling from in input positions, the first input index it reads and the
// normalised weights of the inputs from there on.
//
// The filter is the triangle (tent) kernel max(0, 1-|x|) of bilinear
// interpolation; when shrinking it is widened by the scale factor in/out, so
// that every input pixel contributes (antialiasing), as PIL's and
// torchvision's antialiased bilinear resize do. Output pixel i is centred at
// input coordinate c = (i + 0.5)*scale (pixel centres at j + 0.5); it reads
// input pixels j in [trunc(c - support + 0.5), trunc(c + support + 0.5)),
// clipped to the image, with weight tri((j + 0.5 - c)/s), s = max(scale, 1),
// support = s, and the weights are normalised to sum to 1 (which also
// renormalises at the borders).
func resampleWeights(in, out int) (start []int, weights [][]float64) {
	scale := float64(in) / float64(out)
	s := max(scale, 1)
	start = make([]int, out)
	weights = make([][]float64, out)
	for i := range out {
		c := (float64(i) + 0.5) * scale
		lo := max(int(c-s+0.5), 0)
		hi := min(int(c+s+0.5), in)
		w := make([]float64, hi-lo)
		var sum float64
		for j := lo; j < hi; j++ {
			w[j-lo] = max(0, 1-math.Abs((float64(j)+0.5-c)/s))
			sum += w[j-lo]
		}
		for k := range w {
			w[k] /= sum
		}
		start[i], weights[i] = lo, w
	}
	return start, weights
}

// Resize resamples a row-major h x w image to oh x ow with the antialiased
// bilinear filter of resampleWeights, separably (rows, then columns), in
// float64 without intermediate rounding. The result is a convex combination
// of input pixels, so it stays within their range.
func Resize(src []float64, h, w, oh, ow int) ([]float64, error) {
	if h <= 0 || w <= 0 || oh <= 0 || ow <= 0 {
		return nil, fmt.Errorf("resize: sizes %dx%d -> %dx%d must be positive", h, w, oh, ow)
	}
	if len(src) != h*w {
		return nil, fmt.Errorf("resize: %d pixels for a %dx%d image", len(src), h, w)
	}
	cs, cw := resampleWeights(w, ow)
	rs, rw := resampleWeights(h, oh)
	tmp := make([]float64, h*ow) // rows resampled horizontally
	for y := range h {
		row := src[y*w : (y+1)*w]
		for x := range ow {
			var v float64
			for k, wt := range cw[x] {
				v += wt * row[cs[x]+k]
			}
			tmp[y*ow+x] = v
		}
	}
	dst := make([]float64, oh*ow)
	for y := range oh {
		for k, wt := range rw[y] {
			r := tmp[(rs[y]+k)*ow : (rs[y]+k+1)*ow]
			for x := range ow {
				dst[y*ow+x] += wt * r[x]
			}
		}
	}
	return dst, nil
}

// ImageSide is the side of the images of every image dataset (16x16).
const ImageSide = 16

// resizeImage resizes one 8-bit image to ImageSide x ImageSide, leaving
// the values unrounded.
func resizeImage(pix []uint8, rows, cols int) []float64 {
	src := make([]float64, len(pix))
	for i, p := range pix {
		src[i] = float64(p)
	}
	dst, err := Resize(src, rows, cols, ImageSide, ImageSide)
	if err != nil {
		panic(err) // sizes come from a decoded IDX file and are consistent
	}
	return dst
}
