package train

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/mmcnf/mmcnf/cnf"
	"github.com/mmcnf/mmcnf/internal/npy"
)

// toyModel is a diagonal Gaussian N(mu, exp(2 s)) with parameters
// (mu, s), trained on points jittered by U(0, jitter) noise drawn from the
// generator the loop passes in, so that the generator's state matters.
type toyModel struct {
	theta  []float64 // mu (d values) then s (d values)
	d      int
	jitter float64
	// failAt, when positive, makes LossGrad return a NaN loss at that call.
	failAt int
	calls  int
	// errAt, when positive, makes LossGrad return an error at that call.
	errAt int
	// infGradAt, when positive, makes the second gradient component
	// infinite at that call.
	infGradAt int
}

func newToy(d int) *toyModel {
	return &toyModel{theta: make([]float64, 2*d), d: d, jitter: 1e-2}
}

func (m *toyModel) Params() []float64 { return m.theta }

// nll is -log N(x; mu, exp(2s)) of one point.
func (m *toyModel) nll(x []float64) float64 {
	var s float64
	for j := range m.d {
		mu, ls := m.theta[j], m.theta[m.d+j]
		z := (x[j] - mu) * math.Exp(-ls)
		s += 0.5*z*z + ls + 0.5*math.Log(2*math.Pi)
	}
	return s
}

func (m *toyModel) LossGrad(x []float64, labels []int, rng *rand.Rand, grad []float64) (cnf.LossStats, error) {
	m.calls++
	if m.errAt > 0 && m.calls == m.errAt {
		return cnf.LossStats{}, errors.New("step size underflow at t = 0.5")
	}
	n := len(labels)
	var loss float64
	p := make([]float64, m.d)
	for i := range n {
		for j := range m.d {
			p[j] = x[i*m.d+j] + m.jitter*rng.Float64()
		}
		loss += m.nll(p)
		for j := range m.d {
			mu, ls := m.theta[j], m.theta[m.d+j]
			iv := math.Exp(-2 * ls)
			r := p[j] - mu
			grad[j] += -r * iv / float64(n)
			grad[m.d+j] += (1 - r*r*iv) / float64(n)
		}
	}
	loss /= float64(n)
	if m.failAt > 0 && m.calls == m.failAt {
		loss = math.NaN()
	}
	if m.infGradAt > 0 && m.calls == m.infGradAt {
		grad[1] = math.Inf(-1)
	}
	return cnf.LossStats{Loss: loss, NLL: loss, BitsPerDim: loss / (float64(m.d) * math.Ln2), NFEForward: 1, NFEBackward: 1}, nil
}

func (m *toyModel) Evaluate(h Dataset) (cnf.LossStats, error) {
	var s float64
	for i := range h.Len() {
		s += m.nll(h.X[i*m.d : (i+1)*m.d])
	}
	s /= float64(h.Len())
	return cnf.LossStats{Loss: s, NLL: s, BitsPerDim: s / (float64(m.d) * math.Ln2), NFEForward: 1}, nil
}

func (m *toyModel) Save(dir string) error {
	f, err := os.Create(filepath.Join(dir, "weights.npy"))
	if err != nil {
		return err
	}
	if err := npy.Write(f, []int{len(m.theta)}, m.theta); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// toyData draws n points per class from N((3, -2), diag(0.25, 4)).
func toyData(n int, seed uint64) Dataset {
	rng := rand.New(rand.NewPCG(seed, 7))
	d := Dataset{Dim: 2}
	for i := range n {
		d.X = append(d.X, 3+0.5*rng.NormFloat64(), -2+2*rng.NormFloat64())
		d.Labels = append(d.Labels, i%2)
	}
	return d
}

// String names the model in test failures.
func (m *toyModel) String() string { return fmt.Sprintf("toy(d=%d)", m.d) }
