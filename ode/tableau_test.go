package ode

import (
	"math"
	"strings"
	"testing"
)

// mulA returns A v for the strictly lower triangular A of tb.
func mulA(tb *Tableau, v []float64) []float64 {
	out := make([]float64, len(v))
	for i, row := range tb.A {
		for j, a := range row {
			out[i] += a * v[j]
		}
	}
	return out
}

func dotW(w []float64, vs ...[]float64) float64 {
	var s float64
	for i := range w {
		p := w[i]
		for _, v := range vs {
			p *= v[i]
		}
		s += p
	}
	return s
}

func pow(v []float64, k int) []float64 {
	out := make([]float64, len(v))
	for i := range v {
		out[i] = math.Pow(v[i], float64(k))
	}
	return out
}

func mul(u, v []float64) []float64 {
	out := make([]float64, len(v))
	for i := range v {
		out[i] = u[i] * v[i]
	}
	return out
}

// orderConditions returns, for orders 1..5, the residuals of the conditions
// on weights w for the rooted trees of that order (Butcher 2008, Table 302(I)).
func orderConditions(tb *Tableau, w []float64) [][]float64 {
	c := tb.C
	one := make([]float64, len(c))
	for i := range one {
		one[i] = 1
	}
	ac := mulA(tb, c)
	ac2 := mulA(tb, pow(c, 2))
	aac := mulA(tb, ac)
	return [][]float64{
		{dotW(w, one) - 1},
		{dotW(w, c) - 1.0/2},
		{dotW(w, c, c) - 1.0/3, dotW(w, ac) - 1.0/6},
		{dotW(w, pow(c, 3)) - 1.0/4, dotW(w, c, ac) - 1.0/8, dotW(w, ac2) - 1.0/12, dotW(w, aac) - 1.0/24},
		{
			dotW(w, pow(c, 4)) - 1.0/5, dotW(w, c, c, ac) - 1.0/10, dotW(w, c, ac2) - 1.0/15,
			dotW(w, c, aac) - 1.0/30, dotW(w, ac, ac) - 1.0/20, dotW(w, mulA(tb, pow(c, 3))) - 1.0/20,
			dotW(w, mulA(tb, mul(c, ac))) - 1.0/40, dotW(w, mulA(tb, ac2)) - 1.0/60, dotW(w, mulA(tb, aac)) - 1.0/120,
		},
	}
}

// TestOrderConditions checks that the solution weights of every tableau
// satisfy the order conditions up to its order and not all of the next
// (up to 5), and that the embedded weights B - BErr have order one less.
// The residuals are sums of at most 7 products of coefficients below 13 in
// magnitude, so rounding leaves them below 1e-13; a failed condition of a
// real method is off by far more than 1e-6.
func TestOrderConditions(t *testing.T) {
	check := func(name string, tb *Tableau, w []float64, order int) {
		conds := orderConditions(tb, w)
		for p := 1; p <= min(order, 5); p++ {
			for k, r := range conds[p-1] {
				if math.Abs(r) > 1e-13 {
					t.Errorf("%s: order %d condition %d has residual %.3g", name, p, k, r)
				}
			}
		}
		if order < 5 {
			var worst float64
			for _, r := range conds[order] {
				worst = math.Max(worst, math.Abs(r))
			}
			if worst < 1e-6 {
				t.Errorf("%s: satisfies the conditions of order %d too (largest residual %.3g)", name, order+1, worst)
			}
		}
	}
	for _, tb := range []*Tableau{Euler, RK4, RK38, Dopri5, Tsit5} {
		check(tb.Name, tb, tb.B, tb.Order)
		if tb.Adaptive() {
			check(tb.Name+" embedded", tb, difference(tb.B, tb.BErr), tb.Order-1)
		}
	}
	if !Dopri5.FSAL() || !Tsit5.FSAL() || RK4.FSAL() || Euler.FSAL() {
		t.Errorf("FSAL derived wrongly: dopri5 %v tsit5 %v rk4 %v euler %v", Dopri5.FSAL(), Tsit5.FSAL(), RK4.FSAL(), Euler.FSAL())
	}
}

func TestNewTableauRejects(t *testing.T) {
	cases := []struct {
		name string
		c    []float64
		a    [][]float64
		b    []float64
		bErr []float64
		want string
	}{
		{"rowsum", []float64{0, 0.5}, [][]float64{{}, {0.4}}, []float64{0, 1}, nil, "a row 1 sums to"},
		{"bsum", []float64{0, 0.5}, [][]float64{{}, {0.5}}, []float64{0, 0.9}, nil, "b sums to"},
		{"errsum", []float64{0, 0.5}, [][]float64{{}, {0.5}}, []float64{0, 1}, []float64{0.1, 0}, "bErr sums to"},
		{"shape", []float64{0, 0.5}, [][]float64{{}, {0.25, 0.25}}, []float64{0, 1}, nil, "a row 1 has 2 entries"},
		{"c0", []float64{0.1}, [][]float64{{}}, []float64{1}, nil, "c[0]"},
	}
	for _, c := range cases {
		_, err := NewTableau(c.name, 1, c.c, c.a, c.b, c.bErr, nil)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
}

func TestMethodByName(t *testing.T) {
	adaptive := map[string]bool{"dopri5": true, "tsit5": true}
	var names []string
	for _, m := range Methods() {
		names = append(names, m.Name)
	}
	if got := strings.Join(names, " "); got != "euler rk4 rk38 dopri5 tsit5" {
		t.Errorf("Methods() = %s", got)
	}
	for _, name := range []string{"euler", "rk4", "rk38", "dopri5", "tsit5"} {
		tb, err := MethodByName(name)
		if err != nil || tb.Name != name {
			t.Errorf("MethodByName(%q) = %v, %v", name, tb, err)
			continue
		}
		if tb.Adaptive() != adaptive[name] {
			t.Errorf("%s: Adaptive() = %v", name, tb.Adaptive())
		}
	}
	if _, err := MethodByName("rk45"); err == nil || !strings.Contains(err.Error(), `"rk45"`) {
		t.Errorf("MethodByName(rk45): error %v", err)
	}
	const want = `ode: unknown method "RK4" (want euler, rk4, rk38, dopri5 or tsit5)`
	if _, err := MethodByName("RK4"); err == nil || err.Error() != want {
		t.Errorf("MethodByName(RK4): error %v, want %s", err, want)
	}
}
