"""Golden log-likelihoods of a small HyperPlanar flow, computed independently
of the Go code with NumPy, for cnf's golden test.

Writes two model directories (gaussian/ and gmm/, each config.json and
weights.npz, in the layout cnf.Load reads) and golden.json with the points
and their log-likelihoods. Run from this directory: python3 make_golden.py

The flow: d = 2, hypernetwork hidden width H = 4, W = 3 planar units,
deterministic weights, exact trace, classic RK4 with 8 steps over [0, 1],
state [z, integral of the trace]. log p(x) = log p_u(z(1)) + integral.
"""
import json
import os

import numpy as np

D, H, W, STEPS, T1 = 2, 4, 3, 8, 1.0
P = 3 * W * D + W


def weights():
    """Fixed weights: smooth deterministic functions of the index."""
    def arr(shape, a, b):
        n = int(np.prod(shape))
        i = np.arange(n, dtype=np.float64)
        return (0.6 * np.sin(a * i + b)).reshape(shape)
    return {
        "hyper_net.fc1.weight": arr((H, 1), 1.3, 0.1),
        "hyper_net.fc1.bias": arr((H,), 0.7, 0.5),
        "hyper_net.fc2.weight": arr((H, H), 2.1, 0.3),
        "hyper_net.fc2.bias": arr((H,), 1.7, 0.9),
        "hyper_net.fc3.weight": arr((P, H), 0.9, 0.2),
        "hyper_net.fc3.bias": arr((P,), 1.1, 0.4),
    }


def hyper(w, t):
    h1 = np.tanh(w["hyper_net.fc1.weight"][:, 0] * t + w["hyper_net.fc1.bias"])
    h2 = np.tanh(w["hyper_net.fc2.weight"] @ h1 + w["hyper_net.fc2.bias"])
    out = w["hyper_net.fc3.weight"] @ h2 + w["hyper_net.fc3.bias"]
    bs = W * D
    wt = out[:bs].reshape(W, D)
    u = out[bs:2 * bs].reshape(W, D)
    g = out[2 * bs:3 * bs].reshape(W, D)
    b = out[3 * bs:]
    u = u / (1 + np.exp(-g))
    return wt, u, b


def field(w, t, z):
    """f(z, t) and the exact trace of df/dz for a batch z (n x D)."""
    wt, u, b = hyper(w, t)
    h = np.tanh(z @ wt.T + b)          # n x W
    f = h @ u / W                        # mean over units of h_i U_i
    # J = (1/W) sum_i (1 - h_i^2) U_i W_i^T, so its trace is as follows.
    jac = np.einsum("ni,ik,il->nkl", 1 - h * h, u, wt) / W
    return f, np.trace(jac, axis1=1, axis2=2)


def flow(w, x):
    z = x.copy()
    logdet = np.zeros(len(x))
    h = T1 / STEPS

    def rhs(t, z):
        return field(w, t, z)
    for k in range(STEPS):
        t = k * h
        f1, l1 = rhs(t, z)
        f2, l2 = rhs(t + h / 2, z + h / 2 * f1)
        f3, l3 = rhs(t + h / 2, z + h / 2 * f2)
        f4, l4 = rhs(t + h, z + h * f3)
        z = z + h / 6 * (f1 + 2 * f2 + 2 * f3 + f4)
        logdet = logdet + h / 6 * (l1 + 2 * l2 + 2 * l3 + l4)
    return z, logdet


def gmm_logp(z, means, logw):
    logw = logw - np.logaddexp.reduce(logw)
    sq = ((z[:, None, :] - means[None, :, :]) ** 2).sum(-1)
    a = logw[None, :] - 0.5 * sq
    m = a.max(1, keepdims=True)
    return (m[:, 0] + np.log(np.exp(a - m).sum(1))) - 0.5 * D * np.log(2 * np.pi)


def main():
    w = weights()
    x = np.array([[0.3, -1.2], [1.5, 0.4], [-0.7, 0.9], [2.5, -2.0], [0.0, 0.0]])
    z1, logdet = flow(w, x)
    bases = {
        "gaussian": (np.array([[0.25, -0.5]]), np.array([0.0])),
        "gmm": (np.array([[-1.0, 0.5], [1.0, -0.5], [0.0, 2.0]]), np.array([0.3, -0.2, 0.0])),
    }
    golden = {"x": x.tolist()}
    for name, (means, logw) in bases.items():
        os.makedirs(name, exist_ok=True)
        cfg = {
            "shape": [D],
            "dynamics": {"kind": "hyperplanar", "hidden": H, "width": W},
            "blocks": 1,
            "base": {"kind": name, "means": means.tolist(), "log_weights": logw.tolist()},
            "trace": "exact",
            "solver": {"method": "rk4", "steps": STEPS, "t1": T1},
            "preprocess": {},
            "regularize": {},
        }
        with open(os.path.join(name, "config.json"), "w") as fh:
            json.dump(cfg, fh, indent=2)
        arrays = dict(w)
        arrays["base.means"] = means
        arrays["base.log_weights"] = logw
        np.savez(os.path.join(name, "weights.npz"), **arrays)
        golden[name] = (gmm_logp(z1, means, logw) + logdet).tolist()
    with open("golden.json", "w") as fh:
        json.dump(golden, fh, indent=2)
        fh.write("\n")


if __name__ == "__main__":
    main()
