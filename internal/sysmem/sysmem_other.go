//go:build !linux

package sysmem

// system reports no figure elsewhere than on Linux: only sizes no machine
// holds are refused, unless EnvVar sets a limit.
func system() Limit { return Limit{Bytes: Unlimited, Source: Unknown} }
