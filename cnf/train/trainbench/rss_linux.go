//go:build linux

package trainbench

import "syscall"

// PeakRSSMB returns the peak resident memory of the process so far in MiB
// (getrusage's ru_maxrss, which Linux reports in KiB).
func PeakRSSMB() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Maxrss) / 1024
}
