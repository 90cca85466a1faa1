package cnf

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/mmcnf/mmcnf/ode"
)

// Dynamics kinds.
const (
	HyperPlanar = "hyperplanar"
	ConcatConv  = "concatconv"
	ConcatMLP   = "concatmlp"
)

// Trace estimators.
const (
	TraceExact      = "exact"
	TraceRademacher = "rademacher"
	TraceGaussian   = "gaussian"
)

// Base distribution kinds.
const (
	BaseGaussian = "gaussian"
	BaseGMM      = "gmm"
)

// Defaults of the fields of Config that are left unset (zero), as New,
// Load and Validate fill them in.
const (
	DefaultHidden = 32       // DynamicsConfig.Hidden of HyperPlanar
	DefaultWidth  = 64       // DynamicsConfig.Width of HyperPlanar
	DefaultMethod = "dopri5" // SolverConfig.Method (ode.Dopri5)
	DefaultTol    = 1e-5     // SolverConfig.RTol and ATol
	DefaultT1     = 1.0      // SolverConfig.T1
	DefaultAlpha  = 1e-6     // PreprocessConfig.Alpha of the logit transform (FFJORD's)
)

// DefaultConvDims and DefaultMLPDims are the default DynamicsConfig.Dims of
// ConcatConv and ConcatMLP.
var (
	DefaultConvDims = []int{64, 64, 64}
	DefaultMLPDims  = []int{64, 64}
)

// Config describes a flow completely: with the weights it determines every
// number the model computes. It is stored as config.json in a model
// directory.
type Config struct {
	// Shape is the shape of one data point: [d] for vectors, [C, H, W] for
	// images.
	Shape    []int          `json:"shape"`
	Dynamics DynamicsConfig `json:"dynamics"`
	// Blocks is the number of flows composed in sequence (default 1).
	Blocks int        `json:"blocks"`
	Base   BaseConfig `json:"base"`
	// Trace is the trace estimator: "exact", "rademacher" or "gaussian".
	Trace      string           `json:"trace"`
	Solver     SolverConfig     `json:"solver"`
	Preprocess PreprocessConfig `json:"preprocess"`
	Regularize RegularizeConfig `json:"regularize"`
}

// DynamicsConfig selects the vector field f(z, t) and its sizes.
type DynamicsConfig struct {
	// Kind is "hyperplanar", "concatconv" or "concatmlp".
	Kind string `json:"kind"`
	// Hidden is the hypernetwork's hidden width H (hyperplanar, default 32).
	Hidden int `json:"hidden,omitempty"`
	// Width is the number of planar units W (hyperplanar, default 64).
	Width int `json:"width,omitempty"`
	// Dims are the hidden channel counts (concatconv, default 64,64,64) or
	// hidden layer widths (concatmlp, default 64,64).
	Dims []int `json:"dims,omitempty"`
	// Activation is "softplus" (default) or "tanh" (concatmlp only).
	Activation string `json:"activation,omitempty"`
	// WeightNorm reparameterises each layer's weight as g v/|v| per output
	// channel (concatconv and concatmlp).
	WeightNorm bool `json:"weight_norm,omitempty"`
}

// BaseConfig is the base distribution at t1.
type BaseConfig struct {
	// Kind is "gaussian" (one unit-covariance component) or "gmm" (one
	// unit-covariance component per class).
	Kind string `json:"kind"`
	// Means holds one mean per component, each of length D; empty means a
	// single component at 0 (gaussian only).
	Means [][]float64 `json:"means,omitempty"`
	// LogWeights are the unnormalised log mixture weights (empty: equal).
	LogWeights []float64 `json:"log_weights,omitempty"`
	// Learnable makes the means and log-weights parameters of the model.
	Learnable bool `json:"learnable,omitempty"`
}

// SolverConfig selects the ODE solver and the gradient method.
type SolverConfig struct {
	// Method names an ode method (ode.MethodByName): the fixed-step euler,
	// rk4 (classic) and rk38 (Kutta's 3/8 rule, torchdiffeq's "rk4"), the
	// adaptive dopri5 and tsit5.
	Method string `json:"method"`
	// RTol and ATol are the tolerances of adaptive methods.
	RTol float64 `json:"rtol,omitempty"`
	ATol float64 `json:"atol,omitempty"`
	// Steps is the number of steps of fixed-step methods.
	Steps int `json:"steps,omitempty"`
	// T1 is the integration time (from 0), default 1.
	T1 float64 `json:"t1,omitempty"`
	// Interpolate makes an adaptive solve step past T1 and evaluate the
	// last step's dense output at T1, as torchdiffeq does, rather than
	// shorten the last step to end on T1 (the default). The two differ by
	// about the tolerance; with it, a solve takes torchdiffeq's steps and
	// returns its values to rounding (ode.Options.Interpolate).
	Interpolate bool `json:"interpolate,omitempty"`
	// Gradient names an ode gradient method (ode.GradientByName):
	// "backprop" (through the solver, default), "backprop-recompute" or
	// "adjoint".
	Gradient string `json:"gradient,omitempty"`
	// MaxSteps bounds the steps of one adaptive solve (0: the solver's
	// default).
	MaxSteps int `json:"max_steps,omitempty"`
}

// PreprocessConfig maps 8-bit images to the flow's space.
type PreprocessConfig struct {
	// Dequantize maps pixel values x in 0..255 to (x + u)/256, u ~ U[0,1).
	Dequantize bool `json:"dequantize,omitempty"`
	// Logit then applies y = logit(alpha + (1 - 2 alpha) x).
	Logit bool `json:"logit,omitempty"`
	// Alpha is the logit transform's margin (default 1e-6).
	Alpha float64 `json:"alpha,omitempty"`
}

// RegularizeConfig weighs the regularisers of Finlay et al. (2020), each
// the integral over the flow of a per-sample quantity, averaged over the
// batch.
type RegularizeConfig struct {
	// Kinetic weighs the kinetic energy |f|^2.
	Kinetic float64 `json:"kinetic,omitempty"`
	// Jacobian weighs the Jacobian Frobenius norm |df/dz|_F^2 (estimated
	// with the trace's noise when the trace is stochastic).
	Jacobian float64 `json:"jacobian,omitempty"`
}

// D is the number of dimensions of one data point.
func (c *Config) D() int {
	d := 1
	for _, s := range c.Shape {
		d *= s
	}
	return d
}

// Components is the number of base components.
func (c *Config) Components() int {
	if len(c.Base.Means) == 0 {
		return 1
	}
	return len(c.Base.Means)
}

// withDefaults returns a copy of c with every unset field at its default.
func (c Config) withDefaults() Config {
	c.Shape = append([]int(nil), c.Shape...)
	if c.Blocks == 0 {
		c.Blocks = 1
	}
	dc := &c.Dynamics
	switch dc.Kind {
	case HyperPlanar:
		if dc.Hidden == 0 {
			dc.Hidden = DefaultHidden
		}
		if dc.Width == 0 {
			dc.Width = DefaultWidth
		}
	case ConcatConv:
		if len(dc.Dims) == 0 {
			dc.Dims = DefaultConvDims
		}
	case ConcatMLP:
		if len(dc.Dims) == 0 {
			dc.Dims = DefaultMLPDims
		}
	}
	dc.Dims = append([]int(nil), dc.Dims...)
	if dc.Activation == "" && dc.Kind != HyperPlanar {
		dc.Activation = "softplus"
	}
	if c.Trace == "" {
		c.Trace = TraceExact
		if dc.Kind == ConcatConv {
			c.Trace = TraceRademacher
		}
	}
	if c.Base.Kind == "" {
		c.Base.Kind = BaseGaussian
	}
	means := make([][]float64, len(c.Base.Means))
	for i, m := range c.Base.Means {
		means[i] = append([]float64(nil), m...)
	}
	c.Base.Means = means
	c.Base.LogWeights = append([]float64(nil), c.Base.LogWeights...)
	s := &c.Solver
	if s.Method == "" {
		s.Method = DefaultMethod
	}
	if s.RTol == 0 {
		s.RTol = DefaultTol
	}
	if s.ATol == 0 {
		s.ATol = DefaultTol
	}
	if s.T1 == 0 {
		s.T1 = DefaultT1
	}
	if s.Gradient == "" {
		s.Gradient = ode.Backprop.Name()
	}
	if c.Preprocess.Logit && c.Preprocess.Alpha == 0 {
		c.Preprocess.Alpha = DefaultAlpha
	}
	return c
}

// Validate reports the first problem with c (after defaults are applied),
// naming the field.
func (c Config) Validate() error {
	c = c.withDefaults()
	return c.validate()
}

func (c *Config) validate() error {
	if len(c.Shape) == 0 {
		return errors.New("config: shape is empty")
	}
	for i, s := range c.Shape {
		if s <= 0 {
			return fmt.Errorf("config: shape[%d] = %d, want positive", i, s)
		}
	}
	if c.Blocks < 1 {
		return fmt.Errorf("config: blocks = %d, want positive", c.Blocks)
	}
	dc := c.Dynamics
	switch dc.Kind {
	case HyperPlanar:
		if len(c.Shape) != 1 {
			return fmt.Errorf("config: dynamics hyperplanar needs vector data, shape is %v", c.Shape)
		}
		if dc.Hidden < 1 || dc.Width < 1 {
			return fmt.Errorf("config: dynamics hidden = %d, width = %d, want positive", dc.Hidden, dc.Width)
		}
		if dc.WeightNorm {
			return errors.New("config: dynamics hyperplanar has no weight normalisation")
		}
	case ConcatConv:
		if len(c.Shape) != 3 {
			return fmt.Errorf("config: dynamics concatconv needs image data [C H W], shape is %v", c.Shape)
		}
	case ConcatMLP:
		if len(c.Shape) != 1 {
			return fmt.Errorf("config: dynamics concatmlp needs vector data, shape is %v", c.Shape)
		}
	default:
		return fmt.Errorf("config: unknown dynamics kind %q (want %s, %s or %s)", dc.Kind, HyperPlanar, ConcatConv, ConcatMLP)
	}
	if dc.Kind != HyperPlanar {
		for i, w := range dc.Dims {
			if w < 1 {
				return fmt.Errorf("config: dynamics dims[%d] = %d, want positive", i, w)
			}
		}
		switch dc.Activation {
		case "softplus":
		case "tanh":
			if dc.Kind != ConcatMLP {
				return fmt.Errorf("config: activation tanh is only for %s", ConcatMLP)
			}
		default:
			return fmt.Errorf("config: unknown activation %q (want softplus or tanh)", dc.Activation)
		}
	}
	switch c.Trace {
	case TraceExact, TraceRademacher, TraceGaussian:
	default:
		return fmt.Errorf("config: unknown trace estimator %q (want exact, rademacher or gaussian)", c.Trace)
	}
	d := c.D()
	b := c.Base
	switch b.Kind {
	case BaseGaussian:
		if len(b.Means) > 1 {
			return fmt.Errorf("config: gaussian base has %d means, want at most 1", len(b.Means))
		}
	case BaseGMM:
		if len(b.Means) < 1 {
			return errors.New("config: gmm base has no means")
		}
	default:
		return fmt.Errorf("config: unknown base kind %q (want gaussian or gmm)", b.Kind)
	}
	for i, m := range b.Means {
		if len(m) != d {
			return fmt.Errorf("config: base mean %d has length %d, want %d", i, len(m), d)
		}
		for j, v := range m {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return fmt.Errorf("config: base mean %d element %d is %v", i, j, v)
			}
		}
	}
	if len(b.LogWeights) != 0 && len(b.LogWeights) != c.Components() {
		return fmt.Errorf("config: base has %d log-weights for %d components", len(b.LogWeights), c.Components())
	}
	for i, v := range b.LogWeights {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("config: base log-weight %d is %v", i, v)
		}
	}
	if _, err := c.Solver.options(); err != nil {
		return err
	}
	p := c.Preprocess
	if p.Logit && !(p.Alpha > 0 && p.Alpha < 0.5) {
		return fmt.Errorf("config: preprocess alpha = %v, want in (0, 0.5)", p.Alpha)
	}
	if p.Logit && !p.Dequantize {
		return errors.New("config: preprocess logit needs dequantize (the logit acts on [0, 1])")
	}
	r := c.Regularize
	if r.Kinetic < 0 || r.Jacobian < 0 || math.IsNaN(r.Kinetic) || math.IsNaN(r.Jacobian) {
		return fmt.Errorf("config: regularize kinetic = %v, jacobian = %v, want non-negative", r.Kinetic, r.Jacobian)
	}
	return nil
}

// options returns the ode options of a solve as s (with defaults applied)
// describes it, or an error naming the field of config.json that cannot
// work. The method and gradient names are those of package ode.
func (s *SolverConfig) options() (ode.Options, error) {
	method, err := ode.MethodByName(s.Method)
	if err != nil {
		return ode.Options{}, fmt.Errorf("config: solver method: %w", err)
	}
	grad, err := ode.GradientByName(s.Gradient)
	if err != nil {
		return ode.Options{}, fmt.Errorf("config: solver gradient: %w", err)
	}
	switch {
	case !(s.RTol > 0) || !(s.ATol > 0) || math.IsInf(s.RTol, 0) || math.IsInf(s.ATol, 0):
		return ode.Options{}, fmt.Errorf("config: solver rtol = %v, atol = %v, want positive and finite", s.RTol, s.ATol)
	case s.Steps < 0 || s.MaxSteps < 0:
		return ode.Options{}, fmt.Errorf("config: solver steps = %d, max_steps = %d, want non-negative", s.Steps, s.MaxSteps)
	case !(s.T1 > 0) || math.IsInf(s.T1, 0):
		return ode.Options{}, fmt.Errorf("config: solver t1 = %v, want positive and finite", s.T1)
	case !method.Adaptive() && s.Steps < 1:
		return ode.Options{}, fmt.Errorf("config: solver method %s is fixed-step, set steps", s.Method)
	case !method.Adaptive() && s.Interpolate:
		_, adaptive := MethodNames()
		return ode.Options{}, fmt.Errorf("config: solver interpolate needs an adaptive method (%s), not the fixed-step %s", strings.Join(adaptive, ", "), s.Method)
	}
	opt := ode.Options{Method: method, MaxSteps: s.MaxSteps, Gradient: grad}
	if method.Adaptive() {
		opt.RTol, opt.ATol, opt.Interpolate = s.RTol, s.ATol, s.Interpolate
	} else {
		opt.Steps = s.Steps
	}
	return opt, nil
}

// MethodNames returns the names of ode's methods (ode.Methods), the
// fixed-step ones and the adaptive ones, each in ode's order: what
// SolverConfig.Method may name.
func MethodNames() (fixed, adaptive []string) {
	for _, tb := range ode.Methods() {
		if tb.Adaptive() {
			adaptive = append(adaptive, tb.Name)
		} else {
			fixed = append(fixed, tb.Name)
		}
	}
	return fixed, adaptive
}

// GradientNames returns the names of ode's gradient methods
// (ode.Gradients): what SolverConfig.Gradient may name.
func GradientNames() []string {
	var names []string
	for _, g := range ode.Gradients() {
		names = append(names, g.Name())
	}
	return names
}
