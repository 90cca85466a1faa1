package kernels

import "fmt"

// need panics, naming the kernel and the sizes, when a slice is shorter than
// the shape requires.
func need(kernel, name string, have, want int) {
	if have < want {
		panic(fmt.Sprintf("kernels.%s: len(%s) = %d, need at least %d", kernel, name, have, want))
	}
}

// badShape panics, naming the kernel and its sizes, for a shape the kernel
// cannot take. Callers test the shape themselves and call badShape only when
// it is wrong, so that the sizes are boxed into interfaces (an allocation)
// only on the way to the panic.
func badShape(kernel, format string, args ...any) {
	panic(fmt.Sprintf("kernels.%s: bad shape: ", kernel) + fmt.Sprintf(format, args...))
}
