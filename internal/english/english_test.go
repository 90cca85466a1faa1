package english

import "testing"

func TestCount(t *testing.T) {
	for _, c := range []struct {
		n    int
		want string
	}{{0, "0 seeds"}, {1, "1 seed"}, {2, "2 seeds"}, {-1, "-1 seed"}, {1000, "1000 seeds"}} {
		if got := Count(c.n, "seed"); got != c.want {
			t.Errorf("Count(%d, seed) = %q, want %q", c.n, got, c.want)
		}
	}
}
