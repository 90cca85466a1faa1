package kernels

import (
	"fmt"
	"os"
)

// useAsm selects the assembly implementations. It is decided once at init and
// changed only by Use (benchmarks and tests).
var useAsm = hasAVX2FMA && os.Getenv("MMCNF_PUREGO") != "1"

// Impl names the implementation in use: "avx2" or "purego".
func Impl() string {
	if useAsm {
		return "avx2"
	}
	return "purego"
}

// Available lists the implementations this machine and build can run, the
// one chosen at start-up first.
func Available() []string {
	if hasAVX2FMA {
		if useAsm {
			return []string{"avx2", "purego"}
		}
		return []string{"purego", "avx2"}
	}
	return []string{"purego"}
}

// Use switches every kernel to the named implementation ("avx2" or
// "purego") and returns a function that restores the previous choice. It is
// meant for benchmarks and tests and must not be called while kernels run.
func Use(name string) (restore func(), err error) {
	prev := useAsm
	switch name {
	case "purego":
		useAsm = false
	case "avx2":
		if !hasAVX2FMA {
			return nil, fmt.Errorf("kernels: implementation avx2 is not available on this machine or build")
		}
		useAsm = true
	default:
		return nil, fmt.Errorf("kernels: unknown implementation %q (want avx2 or purego)", name)
	}
	return func() { useAsm = prev }, nil
}
