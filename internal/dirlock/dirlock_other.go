//go:build !unix

package dirlock

import (
	"fmt"
	"os"
)

// Acquire checks that dir exists. Without flock, concurrent runs into one
// directory are not detected on this system.
func Acquire(dir string) (*Lock, error) {
	if _, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("lock %s: %w", dir, err)
	}
	return &Lock{}, nil
}
