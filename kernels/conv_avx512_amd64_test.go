//go:build !purego

package kernels

import "testing"

// TestConvShortGroup checks that convShortGroup, among the equivalence
// tests' shapes, has the avx512 weight gradient reduce over groups of
// images the last of which is short.
func TestConvShortGroup(t *testing.T) {
	s := convShortGroup
	if g := filter512Group(s, (s.Cin+1)*layoutOf(s).plane); g < 2 || s.N%g == 0 {
		t.Fatalf("%+v: groups of %d images, want a short last group", s, g)
	}
}
