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
// A model directory holds config.json (Config) and weights.npz, a NumPy
// archive of float64 arrays in C order, named as PyTorch names the
// equivalent modules' state_dict entries (each entry stored as
// "<name>.npy"; Load also accepts bare names). With more than one block
// every dynamics name is prefixed by "blocks.<b>.".
//
//	HyperPlanar (H hidden, W units, d dimensions, P = 3Wd + W):
//	  hyper_net.fc1.weight [H, 1]   hyper_net.fc1.bias [H]
//	  hyper_net.fc2.weight [H, H]   hyper_net.fc2.bias [H]
//	  hyper_net.fc3.weight [P, H]   hyper_net.fc3.bias [P]
//	Base (K components, D dimensions):
//	  base.means [K, D]             base.log_weights [K] (unnormalised)
//
// In Python, a HyperPlanar state_dict moves in and out with
//
//	sd = {k: torch.from_numpy(v) for k, v in np.load("weights.npz").items()
//	      if k.startswith("hyper_net.")}
//	cnf.load_state_dict(sd)
//	np.savez("weights.npz", **{k: v.double().numpy() for k, v in cnf.state_dict().items()},
//	         **{"base.means": means, "base.log_weights": log_weights})
package cnf
