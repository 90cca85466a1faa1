package data

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/mmcnf/mmcnf/internal/streams"
)

// MoonsClasses is the number of classes of the cascading moons.
const MoonsClasses = 6

// Defaults of MoonsShape.
const (
	// MoonsNoise is the standard deviation of the Gaussian noise added to
	// every moons point.
	MoonsNoise = 0.1
	// MoonsSpacing is the difference of radius between neighbouring pairs.
	MoonsSpacing = 1.0
)

// moonsShapeMax bounds the noise and the spacing of MoonsShape.
const moonsShapeMax = 10

// MoonsShape is what the cascading moons leave open: the standard deviation
// of the noise added to every point and the spacing of the nested pairs,
// pair j having radius 1 + Spacing*j. A zero field takes its default,
// MoonsNoise or MoonsSpacing.
type MoonsShape struct {
	Noise   float64 `json:"noise,omitempty"`
	Spacing float64 `json:"spacing,omitempty"`
}

// resolved returns s with the defaults in place of zero fields.
func (s MoonsShape) resolved() MoonsShape {
	if s.Noise == 0 {
		s.Noise = MoonsNoise
	}
	if s.Spacing == 0 {
		s.Spacing = MoonsSpacing
	}
	return s
}

// Validate reports a noise or spacing that is negative, not finite or
// above 10.
func (s MoonsShape) Validate() error {
	for _, f := range []struct {
		name string
		v    float64
	}{{"noise", s.Noise}, {"spacing", s.Spacing}} {
		if !(f.v >= 0 && f.v <= moonsShapeMax) {
			return fmt.Errorf("moons: %s must lie in [0, %d], got %v", f.name, moonsShapeMax, f.v)
		}
	}
	return nil
}

// radius is the radius of the pair of the given class.
func (s MoonsShape) radius(class int) float64 { return 1 + s.Spacing*float64(class/2) }

// moonPoint returns the noiseless point of the given class at angle theta in
// [0, pi]: pair j = class/2 has radius r = 1 + spacing*j; class 2j is the
// upper arc (-0.25 + r cos theta, r sin theta), class 2j+1 the lower arc
// (0.25 - r cos theta, -r sin theta).
func (s MoonsShape) moonPoint(class int, theta float64) (x, y float64) {
	r := s.radius(class)
	if class%2 == 0 {
		return -0.25 + r*math.Cos(theta), r * math.Sin(theta)
	}
	return 0.25 - r*math.Cos(theta), -r * math.Sin(theta)
}

// Moons draws n points of each of the given classes (0..5) of the cascading
// moons of the default shape: theta ~ U[0, pi], the noiseless point of the
// class at theta, plus N(0, MoonsNoise^2 I) noise. Points are returned as a
// flat row-major len(classes)*n x 2 slice, class by class in the order
// given, with their labels. Class c draws from its own PCG stream (seed,
// streams.Moons+c), so a class's points do not depend on which other
// classes are drawn.
func Moons(n int, classes []int, seed uint64) (points []float64, labels []int, err error) {
	return MoonsShape{}.moons(n, classes, seed, streams.Moons)
}

// Moons is the package's Moons for the moons of shape s.
func (s MoonsShape) Moons(n int, classes []int, seed uint64) (points []float64, labels []int, err error) {
	return s.moons(n, classes, seed, streams.Moons)
}

// moons is Moons of shape s drawing class c from the PCG stream
// (seed, stream+c).
func (s MoonsShape) moons(n int, classes []int, seed, stream uint64) (points []float64, labels []int, err error) {
	if n < 0 {
		return nil, nil, fmt.Errorf("moons: negative number of points per class %d", n)
	}
	if err := s.Validate(); err != nil {
		return nil, nil, err
	}
	s = s.resolved()
	points = make([]float64, 0, 2*n*len(classes))
	labels = make([]int, 0, n*len(classes))
	for _, c := range classes {
		if c < 0 || c >= MoonsClasses {
			return nil, nil, fmt.Errorf("moons: class %d out of range 0..%d", c, MoonsClasses-1)
		}
		rng := rand.New(rand.NewPCG(seed, stream+uint64(c)))
		for range n {
			x, y := s.moonPoint(c, math.Pi*rng.Float64())
			points = append(points, x+s.Noise*rng.NormFloat64(), y+s.Noise*rng.NormFloat64())
			labels = append(labels, c)
		}
	}
	return points, labels, nil
}

// gaussLegendre5 are the nodes on [-1, 1] and weights of 5-point
// Gauss-Legendre quadrature.
var gaussLegendre5 = [5][2]float64{
	{-0.9061798459386640, 0.2369268850561891},
	{-0.5384693101056831, 0.4786286704993665},
	{0, 0.5688888888888889},
	{0.5384693101056831, 0.4786286704993665},
	{0.9061798459386640, 0.2369268850561891},
}

// LogDensity returns the natural log of the density that the moons of
// shape s draw from, the given classes weighted equally, at each point of
// the row-major n x 2 slice xy: the mixture over classes of
// (1/pi) * integral over [0, pi] of N(xy; moonPoint(c, theta), noise^2 I)
// d theta. The integral is a 5-point Gauss-Legendre sum on panels that
// span at most one noise standard deviation along the widest arc, summed
// in log space.
func (s MoonsShape) LogDensity(xy []float64, classes []int) ([]float64, error) {
	if len(xy)%2 != 0 {
		return nil, fmt.Errorf("moons density: %d coordinates are not pairs", len(xy))
	}
	if len(classes) == 0 {
		return nil, fmt.Errorf("moons density: no classes")
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	s = s.resolved()
	var rmax float64
	for _, c := range classes {
		if c < 0 || c >= MoonsClasses {
			return nil, fmt.Errorf("moons density: class %d out of range 0..%d", c, MoonsClasses-1)
		}
		rmax = max(rmax, s.radius(c))
	}
	panels := max(16, int(math.Ceil(math.Pi*rmax/s.Noise)))
	width := math.Pi / float64(panels)
	type node struct{ x, y, logw float64 }
	var arcs []node
	for _, c := range classes {
		for p := range panels {
			for _, gl := range gaussLegendre5 {
				theta := width * (float64(p) + (1+gl[0])/2)
				x, y := s.moonPoint(c, theta)
				// Weight of the node in (1/pi) * integral d theta, per class.
				arcs = append(arcs, node{x, y, math.Log(gl[1] * width / 2 / math.Pi)})
			}
		}
	}
	logNorm := -math.Log(2*math.Pi*s.Noise*s.Noise) - math.Log(float64(len(classes)))
	inv := 1 / (2 * s.Noise * s.Noise)
	out := make([]float64, len(xy)/2)
	terms := make([]float64, len(arcs))
	for i := range out {
		px, py := xy[2*i], xy[2*i+1]
		best := math.Inf(-1)
		for k, a := range arcs {
			dx, dy := px-a.x, py-a.y
			terms[k] = a.logw - (dx*dx+dy*dy)*inv
			best = max(best, terms[k])
		}
		var sum float64
		for _, v := range terms {
			sum += math.Exp(v - best)
		}
		out[i] = best + math.Log(sum) + logNorm
	}
	return out, nil
}
