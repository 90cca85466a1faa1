package recipe

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Ints is a list of non-negative integers written as text "64,64,64", as
// flags take it and as run.json stores it.
type Ints []int

// MarshalText writes the list comma-separated.
func (l Ints) MarshalText() ([]byte, error) { return []byte(l.String()), nil }

// UnmarshalText parses a comma-separated list of non-negative integers.
func (l *Ints) UnmarshalText(b []byte) error {
	s := string(b)
	if strings.TrimSpace(s) == "" {
		return errors.New("empty list")
	}
	var out Ints
	for _, part := range strings.Split(s, ",") {
		v, err := strconv.Atoi(strings.TrimSpace(part))
		if err != nil || v < 0 {
			return fmt.Errorf("%q is not a non-negative integer", part)
		}
		out = append(out, v)
	}
	*l = out
	return nil
}

// String returns the list comma-separated.
func (l Ints) String() string {
	parts := make([]string, len(l))
	for i, v := range l {
		parts[i] = strconv.Itoa(v)
	}
	return strings.Join(parts, ",")
}
