package kernels

// PlanarForward evaluates the hypernetwork planar layer on a batch of
// n = len(f)/d points. For each point z (row of z, length d) and width-w
// parameters Wt (w x d), U (w x d) and B (w), with h_i = tanh(Wt_i . z + B_i):
//
//	f(z)     = (1/w) sum_i U_i h_i
//	trace(z) = (1/w) sum_i (1 - h_i^2) (U_i . Wt_i)
//
// trace is the exact trace of df/dz. f (n*d) and trace (n) are overwritten.
func PlanarForward(d, w int, z, Wt, U, B, f, trace []float64) {
	n := planarCheck("PlanarForward", d, w, z, Wt, U, B, f, trace)
	planarForward(n, d, w, z, Wt, U, B, f, trace)
}

// PlanarReverse is the reverse of PlanarForward: given gf (n*d) and gtrace
// (n), the gradients of a scalar with respect to f and trace, it overwrites
// gz (n*d) with the gradient with respect to z and accumulates (+=) the
// gradients with respect to Wt, U and B into gWt, gU and gB.
func PlanarReverse(d, w int, z, Wt, U, B, gf, gtrace, gz, gWt, gU, gB []float64) {
	n := planarCheck("PlanarReverse", d, w, z, Wt, U, B, gf, gtrace)
	need("PlanarReverse", "gz", len(gz), n*d)
	need("PlanarReverse", "gWt", len(gWt), w*d)
	need("PlanarReverse", "gU", len(gU), w*d)
	need("PlanarReverse", "gB", len(gB), w)
	planarReverse(n, d, w, z, Wt, U, B, gf, gtrace, gz, gWt, gU, gB)
}

// planarCheck validates the shared arguments and returns the batch size.
func planarCheck(kernel string, d, w int, z, Wt, U, B, f, trace []float64) int {
	if !(d > 0 && w > 0) {
		badShape(kernel, "d=%d w=%d", d, w)
	}
	n := len(trace)
	need(kernel, "z", len(z), n*d)
	need(kernel, "Wt", len(Wt), w*d)
	need(kernel, "U", len(U), w*d)
	need(kernel, "B", len(B), w)
	need(kernel, "f/gf", len(f), n*d)
	return n
}
