package kernels

import "fmt"

// need panics, naming the kernel and the sizes, when a slice is shorter than
// the shape requires.
func need(kernel, name string, have, want int) {
	if have < want {
		panic(fmt.Sprintf("kernels.%s: len(%s) = %d, need at least %d", kernel, name, have, want))
	}
}

// needShape panics when a size is negative.
func needShape(kernel string, ok bool, format string, args ...any) {
	if !ok {
		panic(fmt.Sprintf("kernels.%s: bad shape: ", kernel) + fmt.Sprintf(format, args...))
	}
}
