// Package figure draws the figures of trained flows and of the paper's
// studies with gonum/plot, each written atomically as PNG and SVG: points
// coloured by class, samples over data, log-densities on a grid (each heat
// map one image, so that no seams show between cells, on a colour scale
// shown by a colour bar), grids of image samples with their pixels kept
// sharp and square, and bars of bits/dim per class or per evaluation set
// with their spread over seeds. Its inputs are plain numbers; what to draw for
// a study is decided by cnf/experiment.
package figure
