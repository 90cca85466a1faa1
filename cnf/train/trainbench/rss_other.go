//go:build !linux

package trainbench

// PeakRSSMB returns 0: the peak resident memory is measured on Linux only.
func PeakRSSMB() float64 { return 0 }
