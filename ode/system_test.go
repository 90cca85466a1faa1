package ode

import (
	"fmt"
	"math"
)

// tanhNet is the nonlinear system f(t, y) = tanh(W y + b t + c) with
// parameters theta = (W row-major, b, c). Its records keep y, t and the
// activation, and it checks that VJP is called only on records written
// since they were reserved.
type tanhNet struct {
	d     int
	theta []float64
	recs  []tanhRecord
	evals int
}

type tanhRecord struct {
	t     float64
	y, s  []float64
	valid bool
}

func newTanhNet(d int, theta []float64) *tanhNet {
	if len(theta) != d*d+2*d {
		panic("tanhNet: wrong number of parameters")
	}
	return &tanhNet{d: d, theta: theta}
}

func (n *tanhNet) Dim() int       { return n.d }
func (n *tanhNet) NumParams() int { return n.d*n.d + 2*n.d }

func (n *tanhNet) Reserve(r int) {
	for len(n.recs) < r {
		n.recs = append(n.recs, tanhRecord{y: make([]float64, n.d), s: make([]float64, n.d)})
	}
}

func (n *tanhNet) Eval(t float64, y, dydt []float64, rec int) {
	n.evals++
	d := n.d
	w, b, c := n.theta[:d*d], n.theta[d*d:d*d+d], n.theta[d*d+d:]
	for i := 0; i < d; i++ {
		z := b[i]*t + c[i]
		for j := 0; j < d; j++ {
			z += w[i*d+j] * y[j]
		}
		dydt[i] = math.Tanh(z)
	}
	if rec >= 0 {
		if rec >= len(n.recs) {
			panic(fmt.Sprintf("tanhNet: record %d not reserved (%d)", rec, len(n.recs)))
		}
		r := &n.recs[rec]
		r.t = t
		copy(r.y, y)
		copy(r.s, dydt)
		r.valid = true
	}
}

func (n *tanhNet) VJP(rec int, a, ay, gtheta []float64) {
	r := &n.recs[rec]
	if !r.valid {
		panic(fmt.Sprintf("tanhNet: VJP on unwritten record %d", rec))
	}
	d := n.d
	w := n.theta[:d*d]
	gw, gb, gc := gtheta[:d*d], gtheta[d*d:d*d+d], gtheta[d*d+d:]
	clear(ay)
	for i := 0; i < d; i++ {
		u := a[i] * (1 - r.s[i]*r.s[i])
		for j := 0; j < d; j++ {
			ay[j] += w[i*d+j] * u
			gw[i*d+j] += u * r.y[j]
		}
		gb[i] += u * r.t
		gc[i] += u
	}
}

// invalidate forgets every record, so that a VJP on a record not written
// by the next solve panics.
func (n *tanhNet) invalidate() {
	for i := range n.recs {
		n.recs[i].valid = false
	}
}

// linear is y' = A y with theta = A (row-major); it needs no records beyond
// the state.
type linear struct {
	d    int
	a    []float64
	recs [][]float64
}

func (l *linear) Dim() int       { return l.d }
func (l *linear) NumParams() int { return l.d * l.d }
func (l *linear) Reserve(r int) {
	for len(l.recs) < r {
		l.recs = append(l.recs, make([]float64, l.d))
	}
}

func (l *linear) Eval(t float64, y, dydt []float64, rec int) {
	for i := 0; i < l.d; i++ {
		var s float64
		for j := 0; j < l.d; j++ {
			s += l.a[i*l.d+j] * y[j]
		}
		dydt[i] = s
	}
	if rec >= 0 {
		copy(l.recs[rec], y)
	}
}

func (l *linear) VJP(rec int, a, ay, gtheta []float64) {
	y := l.recs[rec]
	clear(ay)
	for i := 0; i < l.d; i++ {
		for j := 0; j < l.d; j++ {
			ay[j] += l.a[i*l.d+j] * a[i]
			gtheta[i*l.d+j] += a[i] * y[j]
		}
	}
}
