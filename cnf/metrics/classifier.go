package metrics

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/mmcnf/mmcnf/internal/streams"
	"github.com/mmcnf/mmcnf/kernels"
)

// Classifier is the small convolutional network whose penultimate layer
// provides the features of "FD (classifier features)". On 1x16x16 images
// with pixel values 0..255 (scaled by 1/255 on input):
//
//	conv 3x3, 1 -> C1, softplus, 2x2 average pool    (C1 x 8 x 8)
//	conv 3x3, C1 -> C2, softplus, 2x2 average pool   (C2 x 4 x 4)
//	dense C2*16 -> F, softplus                       (the features)
//	dense F -> 10                                    (class logits)
//
// Weights are row-major: W1 [C1][1][3][3], W2 [C2][C1][3][3], W3 [F][C2*16],
// W4 [10][F], with biases B1..B4.
type Classifier struct {
	C1, C2, F      int
	W1, B1, W2, B2 []float64
	W3, B3, W4, B4 []float64
}

// Image geometry and class count of the classifier.
const (
	side    = 16
	classes = 10
)

// NewClassifier returns a classifier with weights drawn from N(0, 1/fan_in)
// and zero biases, seeded.
func NewClassifier(c1, c2, f int, seed uint64) *Classifier {
	rng := rand.New(rand.NewPCG(seed, streams.ClassifierInit))
	init := func(n, fanIn int) []float64 {
		w := make([]float64, n)
		s := 1 / math.Sqrt(float64(fanIn))
		for i := range w {
			w[i] = s * rng.NormFloat64()
		}
		return w
	}
	return &Classifier{
		C1: c1, C2: c2, F: f,
		W1: init(c1*9, 9), B1: make([]float64, c1),
		W2: init(c2*c1*9, c1*9), B2: make([]float64, c2),
		W3: init(f*c2*16, c2*16), B3: make([]float64, f),
		W4: init(classes*f, f), B4: make([]float64, classes),
	}
}

// params lists the parameter slices with their names, in a fixed order.
func (c *Classifier) params() []namedSlice {
	return []namedSlice{
		{"conv1.weight", c.W1}, {"conv1.bias", c.B1},
		{"conv2.weight", c.W2}, {"conv2.bias", c.B2},
		{"dense1.weight", c.W3}, {"dense1.bias", c.B3},
		{"dense2.weight", c.W4}, {"dense2.bias", c.B4},
	}
}

type namedSlice struct {
	name string
	v    []float64
}

// pass holds the activations of one batch, kept for the backward pass.
type pass struct {
	n                 int
	x, a1, p1, a2, p2 []float64
	a3, feat, logits  []float64
	s1, s2            kernels.ConvShape
	work              []float64
}

func softplus(x float64) float64 {
	if x > 0 {
		return x + math.Log1p(math.Exp(-x))
	}
	return math.Log1p(math.Exp(x))
}

func sigmoid(x float64) float64 { return 1 / (1 + math.Exp(-x)) }

// softplusPool applies softplus to nc planes of h x h and averages 2x2 blocks.
func softplusPool(a []float64, nc, h int) []float64 {
	o := h / 2
	out := make([]float64, nc*o*o)
	for p := range nc {
		in := a[p*h*h : (p+1)*h*h]
		for i := range o {
			for j := range o {
				s := softplus(in[2*i*h+2*j]) + softplus(in[2*i*h+2*j+1]) + softplus(in[(2*i+1)*h+2*j]) + softplus(in[(2*i+1)*h+2*j+1])
				out[p*o*o+i*o+j] = s / 4
			}
		}
	}
	return out
}

// unpoolSigmoid is the reverse of softplusPool: da = sigmoid(a) * dp/4
// spread over each block.
func unpoolSigmoid(dp, a []float64, nc, h int) []float64 {
	o := h / 2
	da := make([]float64, len(a))
	for p := range nc {
		for i := range h {
			for j := range h {
				k := p*h*h + i*h + j
				da[k] = sigmoid(a[k]) * dp[p*o*o+(i/2)*o+j/2] / 4
			}
		}
	}
	return da
}

// forward runs the network on n images (values 0..255).
func (c *Classifier) forward(images []float64, n int) *pass {
	p := &pass{n: n}
	p.s1 = kernels.ConvShape{N: n, Cin: 1, Cout: c.C1, H: side, W: side, K: 3}
	p.s2 = kernels.ConvShape{N: n, Cin: c.C1, Cout: c.C2, H: side / 2, W: side / 2, K: 3}
	p.work = make([]float64, max(p.s1.WorkLen(), p.s2.WorkLen()))
	p.x = make([]float64, n*side*side)
	for i, v := range images[:n*side*side] {
		p.x[i] = v / 255
	}
	p.a1 = make([]float64, p.s1.OutLen())
	kernels.ConvForward(p.s1, p.x, c.W1, c.B1, p.a1, p.work)
	p.p1 = softplusPool(p.a1, n*c.C1, side)
	p.a2 = make([]float64, p.s2.OutLen())
	kernels.ConvForward(p.s2, p.p1, c.W2, c.B2, p.a2, p.work)
	p.p2 = softplusPool(p.a2, n*c.C2, side/2)
	in3 := c.C2 * 16
	p.a3 = make([]float64, n*c.F)
	for i := range n {
		copy(p.a3[i*c.F:(i+1)*c.F], c.B3)
	}
	kernels.Gemm(false, true, n, c.F, in3, 1, p.p2, in3, c.W3, in3, 1, p.a3, c.F)
	p.feat = make([]float64, len(p.a3))
	for i, v := range p.a3 {
		p.feat[i] = softplus(v)
	}
	p.logits = make([]float64, n*classes)
	for i := range n {
		copy(p.logits[i*classes:(i+1)*classes], c.B4)
	}
	kernels.Gemm(false, true, n, classes, c.F, 1, p.feat, c.F, c.W4, c.F, 1, p.logits, classes)
	return p
}

// lossGrad returns the mean softmax cross-entropy of the batch and, when
// grad is not nil, adds its gradient to grad (laid out as c.params()).
func (c *Classifier) lossGrad(p *pass, labels []int, grad *Classifier) float64 {
	n := p.n
	dlogits := make([]float64, n*classes)
	var loss float64
	for i := range n {
		z := p.logits[i*classes : (i+1)*classes]
		m := z[0]
		for _, v := range z {
			m = max(m, v)
		}
		var s float64
		for _, v := range z {
			s += math.Exp(v - m)
		}
		lse := m + math.Log(s)
		loss += lse - z[labels[i]]
		for k, v := range z {
			dlogits[i*classes+k] = math.Exp(v-lse) / float64(n)
		}
		dlogits[i*classes+labels[i]] -= 1 / float64(n)
	}
	if grad == nil {
		return loss / float64(n)
	}
	colSum := func(d []float64, cols int, db []float64) {
		for i := range n {
			for k := range cols {
				db[k] += d[i*cols+k]
			}
		}
	}
	kernels.Gemm(true, false, classes, c.F, n, 1, dlogits, classes, p.feat, c.F, 1, grad.W4, c.F)
	colSum(dlogits, classes, grad.B4)
	da3 := make([]float64, n*c.F)
	kernels.Gemm(false, false, n, c.F, classes, 1, dlogits, classes, c.W4, c.F, 0, da3, c.F)
	for i, v := range p.a3 {
		da3[i] *= sigmoid(v)
	}
	in3 := c.C2 * 16
	kernels.Gemm(true, false, c.F, in3, n, 1, da3, c.F, p.p2, in3, 1, grad.W3, in3)
	colSum(da3, c.F, grad.B3)
	dp2 := make([]float64, n*in3)
	kernels.Gemm(false, false, n, in3, c.F, 1, da3, c.F, c.W3, in3, 0, dp2, in3)
	da2 := unpoolSigmoid(dp2, p.a2, n*c.C2, side/2)
	kernels.ConvBackwardFilter(p.s2, p.p1, da2, grad.W2, grad.B2, p.work)
	dp1 := make([]float64, p.s2.InLen())
	kernels.ConvBackwardData(p.s2, da2, c.W2, dp1, p.work)
	da1 := unpoolSigmoid(dp1, p.a1, n*c.C1, side)
	kernels.ConvBackwardFilter(p.s1, p.x, da1, grad.W1, grad.B1, p.work)
	return loss / float64(n)
}

func (c *Classifier) zeroLike() *Classifier {
	z := &Classifier{C1: c.C1, C2: c.C2, F: c.F}
	z.W1, z.B1 = make([]float64, len(c.W1)), make([]float64, len(c.B1))
	z.W2, z.B2 = make([]float64, len(c.W2)), make([]float64, len(c.B2))
	z.W3, z.B3 = make([]float64, len(c.W3)), make([]float64, len(c.B3))
	z.W4, z.B4 = make([]float64, len(c.W4)), make([]float64, len(c.B4))
	return z
}

// checkImages validates a batch of images and labels.
func checkImages(images []float64, labels []int) (int, error) {
	if len(images)%(side*side) != 0 {
		return 0, fmt.Errorf("classifier: %d values are not whole 16x16 images", len(images))
	}
	n := len(images) / (side * side)
	if labels != nil {
		if len(labels) != n {
			return 0, fmt.Errorf("classifier: %d labels for %d images", len(labels), n)
		}
		for i, l := range labels {
			if l < 0 || l >= classes {
				return 0, fmt.Errorf("classifier: label %d of image %d out of range 0..9", l, i)
			}
		}
	}
	return n, nil
}

// evalBatch is the batch size of Features and Accuracy.
const evalBatch = 256

// Features returns the F features of each image (row-major n x F) for
// images of 16x16 pixel values 0..255.
func (c *Classifier) Features(images []float64) ([]float64, error) {
	n, err := checkImages(images, nil)
	if err != nil {
		return nil, err
	}
	out := make([]float64, 0, n*c.F)
	for lo := 0; lo < n; lo += evalBatch {
		m := min(evalBatch, n-lo)
		out = append(out, c.forward(images[lo*side*side:], m).feat...)
	}
	return out, nil
}

// Accuracy returns the fraction of images classified as their label.
func (c *Classifier) Accuracy(images []float64, labels []int) (float64, error) {
	n, err := checkImages(images, labels)
	if err != nil {
		return 0, err
	}
	if n == 0 {
		return 0, fmt.Errorf("classifier: no images")
	}
	right := 0
	for lo := 0; lo < n; lo += evalBatch {
		m := min(evalBatch, n-lo)
		p := c.forward(images[lo*side*side:], m)
		for i := range m {
			z := p.logits[i*classes : (i+1)*classes]
			best := 0
			for k, v := range z {
				if v > z[best] {
					best = k
				}
			}
			if best == labels[lo+i] {
				right++
			}
		}
	}
	return float64(right) / float64(n), nil
}
