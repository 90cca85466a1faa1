package kernels

import (
	"testing"
	"unsafe"
)

func TestMakeFloats(t *testing.T) {
	const per = hugePage / 8
	for _, n := range []int{0, 1, 1000, per - 1, per, per + 1, 3*per + 5} {
		s := MakeFloats(n)
		if len(s) != n || cap(s) != n {
			t.Fatalf("MakeFloats(%d): len %d cap %d", n, len(s), cap(s))
		}
		for i, v := range s {
			if v != 0 {
				t.Fatalf("MakeFloats(%d)[%d] = %v, want 0", n, i, v)
			}
		}
		for i := range s {
			s[i] = float64(i)
		}
		if n*8 >= hugePage {
			if p := uintptr(unsafe.Pointer(&s[0])); p%hugePage != 0 {
				t.Errorf("MakeFloats(%d) starts at %#x, not on a %d-byte boundary", n, p, hugePage)
			}
		}
	}
}

func TestMakeFloatsNegative(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("MakeFloats(-1) did not panic")
		}
	}()
	MakeFloats(-1)
}
