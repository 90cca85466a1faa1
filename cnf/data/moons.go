package data

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/mmcnf/mmcnf/internal/streams"
)

// MoonsClasses is the number of classes of the cascading moons.
const MoonsClasses = 6

// MoonsNoise is the standard deviation of the Gaussian noise added to every
// moons point.
const MoonsNoise = 0.1

// moonPoint returns the noiseless point of the given class at angle theta in
// [0, pi]: pair j = class/2 has radius r = 1 + j; class 2j is the upper arc
// (-0.25 + r cos theta, r sin theta), class 2j+1 the lower arc
// (0.25 - r cos theta, -r sin theta).
func moonPoint(class int, theta float64) (x, y float64) {
	r := 1 + float64(class/2)
	if class%2 == 0 {
		return -0.25 + r*math.Cos(theta), r * math.Sin(theta)
	}
	return 0.25 - r*math.Cos(theta), -r * math.Sin(theta)
}

// Moons draws n points of each of the given classes (0..5) of the cascading
// moons: theta ~ U[0, pi], the point moonPoint(class, theta), plus
// N(0, MoonsNoise^2 I) noise. Points are returned as a flat row-major
// len(classes)*n x 2 slice, class by class in the order given, with their
// labels. Class c draws from its own PCG stream (seed, streams.Moons+c), so a
// class's points do not depend on which other classes are drawn.
func Moons(n int, classes []int, seed uint64) (points []float64, labels []int, err error) {
	return moons(n, classes, seed, streams.Moons)
}

// moons is Moons drawing class c from the PCG stream (seed, stream+c).
func moons(n int, classes []int, seed, stream uint64) (points []float64, labels []int, err error) {
	if n < 0 {
		return nil, nil, fmt.Errorf("moons: negative number of points per class %d", n)
	}
	points = make([]float64, 0, 2*n*len(classes))
	labels = make([]int, 0, n*len(classes))
	for _, c := range classes {
		if c < 0 || c >= MoonsClasses {
			return nil, nil, fmt.Errorf("moons: class %d out of range 0..%d", c, MoonsClasses-1)
		}
		rng := rand.New(rand.NewPCG(seed, stream+uint64(c)))
		for range n {
			x, y := moonPoint(c, math.Pi*rng.Float64())
			points = append(points, x+MoonsNoise*rng.NormFloat64(), y+MoonsNoise*rng.NormFloat64())
			labels = append(labels, c)
		}
	}
	return points, labels, nil
}
