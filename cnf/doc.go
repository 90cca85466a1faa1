// Package cnf implements continuous normalising flows: dynamics f(z, t)
// (HyperPlanar for 2-D data, ConcatConv for images, ConcatMLP for other
// vectors), exact and Hutchinson traces, Gaussian and Gaussian-mixture base
// distributions, log-likelihoods and bits/dim, sampling, gradients by
// backpropagation through the solver or by the continuous adjoint, and
// model directories that NumPy and PyTorch can read.
//
// # Flows
//
// Data x (preprocessed for 8-bit images: dequantised and optionally
// logit-transformed) is z(0); each of Config.Blocks flows solves
// dz/dt = f(z, t) from 0 to T1 jointly with the integral of Tr(df/dz),
// and log p(x) = log p_u(z(T1)) + the integrals (+ the preprocessing's
// log-determinant). The solver's error norm treats z and each integral as
// separate groups.
//
// # Model directories
//
// [Model.Save] writes and [Load] reads a model directory: config.json (Config) and
// weights.npz, a NumPy archive of float64 arrays named as PyTorch names
// the equivalent modules' state_dict entries. docs/formats.md in the
// repository is their specification: every array's name and shape, and
// how to move the weights to and from PyTorch.
package cnf
