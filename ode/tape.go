package ode

// tape is what SolveRecord keeps of a solve for the reverse pass.
type tape struct {
	valid    bool
	sys      Differentiable
	mode     recordMode
	steps    []tapeStep
	states   []float64 // the state at the start of each step (recordStates)
	outs     []tapeOut
	nparams  int
	noutputs int
}

// tapeStep is an accepted step from t to tn with signed size h.
type tapeStep struct{ t, h, tn float64 }

// tapeOut locates an output: the state after step-1 when dense is false,
// else the dense output at the fraction x of step.
type tapeOut struct {
	step  int
	x     float64
	dense bool
}

// begin clears the tape for a new recorded solve.
func (tp *tape) begin(sys Differentiable, mode recordMode) {
	tp.valid = false
	tp.sys = sys
	tp.mode = mode
	tp.steps = tp.steps[:0]
	tp.states = tp.states[:0]
	tp.outs = tp.outs[:0]
	tp.nparams = sys.NumParams()
}
