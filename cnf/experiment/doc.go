// Package experiment runs the studies of the paper "Multimodal base
// distributions for continuous-time normalising flows" end to end: it trains
// the standard (Gaussian at the data mean) and GMM bases on each study's
// training sets over several seeds, evaluates bits/dim per class and per
// out-of-distribution set, draws samples, and writes results.json,
// results.md and the paper's figures.
//
// Every (study, training set, base, seed) is a unit of work with its own
// directory under OUT/runs. A unit whose result file exists is not redone; a
// unit that was interrupted resumes from its training checkpoint.
package experiment
