// Package english words counts in messages, tables and figures.
package english

import "fmt"

// Count writes n and the noun, in the plural unless n is 1 or -1: "1 seed",
// "3 seeds", "0 seeds". The plural adds "s", which suits every noun the
// project counts.
func Count(n int, noun string) string {
	if n == 1 || n == -1 {
		return fmt.Sprintf("%d %s", n, noun)
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
