"""Golden log-likelihoods of the HyperPlanar flow of make_golden.py under
torchdiffeq's adaptive dopri5, computed with NumPy independently of the Go
code, for a test of torchdiffeq-style interpolation at t1.

Reads the model directories and points that make_golden.py wrote (gaussian/
and gmm/, the same flow weights under two bases; golden.json's x), solves
all points as one batch from t = 0 to t1 with the state (z, integral of the
trace), and writes golden_dopri5.json. Run from this directory:
python3 make_golden_dopri5.py (add --check to compare it with RK4 at many
steps first).

The solver follows torchdiffeq's documented algorithm (odeint with
method="dopri5", the default options):
- the Dormand-Prince 5(4) tableau with Shampine's error estimate; FSAL, so a
  step costs six evaluations of f;
- before the first step, f(t0, y0) and one more evaluation to select the
  first step size (Hairer, Norsett and Wanner, Solving ODEs I, II.4):
  d0 = |y0/s|, d1 = |f0/s| with s = atol + rtol |y0|; h0 = 0.01 d0/d1 (1e-6
  if d0 or d1 < 1e-5); d2 = |(f(t0 + h0, y0 + h0 f0) - f0)/s| / h0;
  h1 = (0.01/max(d1, d2))^(1/5) (max(1e-6, 1e-3 h0) if both <= 1e-15);
  first step min(100 h0, h1);
- the norm of a tuple state: the RMS over each tensor of the tuple, the
  largest of them (z and the log-density integral are separate tensors);
- the error ratio |err / (atol + rtol max(|y0|, |y1|))|; a step is accepted
  when it is <= 1;
- the next step size dt * min(10, max(0.9 ratio^(-1/5), dfactor)), dfactor
  0.2 after a rejection and 1 after an acceptance, dt * 10 for a zero ratio;
- steps are never shortened to land on t1: the solver steps until the last
  accepted step ends at or past t1, then evaluates the quartic dense output
  of that step (through y0, y1 and the midpoint from the dopri5 midpoint
  weights, with the slopes f0 and f1 at its ends) at t1;
- the stages at the end of a step (c = 1) are evaluated at the float64 just
  below the step's end time, as torchdiffeq does for possible
  discontinuities there.
The count of function evaluations is 2 + 6 x (accepted + rejected steps).
"""
import argparse
import json
import os

import numpy as np

from make_golden import field, gmm_logp

BASES = ("gaussian", "gmm")
TOLERANCES = (1e-5, 1e-8)
T1 = 1.0

# Dormand-Prince 5(4): nodes, stage weights, the fifth-order solution (also
# the last stage's weights, FSAL), the difference of the fifth- and
# fourth-order weights, and the weights of the state at the step's midpoint.
C = [1 / 5, 3 / 10, 4 / 5, 8 / 9, 1.0, 1.0]
A = [
    [1 / 5],
    [3 / 40, 9 / 40],
    [44 / 45, -56 / 15, 32 / 9],
    [19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729],
    [9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656],
    [35 / 384, 0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84],
]
B_ERR = [
    35 / 384 - 1951 / 21600,
    0,
    500 / 1113 - 22642 / 50085,
    125 / 192 - 451 / 720,
    -2187 / 6784 - -12231 / 42400,
    11 / 84 - 649 / 6300,
    -1 / 60,
]
MID = [
    6025192743 / 30085553152 / 2,
    0,
    51252292925 / 65400821598 / 2,
    -2691868925 / 45128329728 / 2,
    187940372067 / 1594534317056 / 2,
    -1776094331 / 19743644256 / 2,
    11237099 / 235043384 / 2,
]
ORDER = 5
SAFETY, IFACTOR, DFACTOR = 0.9, 10.0, 0.2


class System:
    """The flow's right-hand side on the flat state [z (n x 2), integral (n)],
    counting its evaluations."""

    def __init__(self, w, n):
        self.w, self.n, self.nfe = w, n, 0

    def __call__(self, t, y):
        self.nfe += 1
        z = y[:2 * self.n].reshape(self.n, 2)
        f, tr = field(self.w, t, z)
        return np.concatenate([f.reshape(-1), tr])

    def groups(self, v):
        """The tensors of the tuple state: z and the integral."""
        return v[:2 * self.n], v[2 * self.n:]


def mixed_rms(sys, v):
    return max(np.sqrt(np.mean(g * g)) for g in sys.groups(v))


def first_step(sys, t0, y0, f0, rtol, atol):
    scale = atol + np.abs(y0) * rtol
    d0 = mixed_rms(sys, y0 / scale)
    d1 = mixed_rms(sys, f0 / scale)
    if d0 < 1e-5 or d1 < 1e-5:
        h0 = 1e-6
    else:
        h0 = 0.01 * d0 / d1
    f1 = sys(t0 + h0, y0 + h0 * f0)
    d2 = mixed_rms(sys, (f1 - f0) / scale) / h0
    if d1 <= 1e-15 and d2 <= 1e-15:
        h1 = max(1e-6, h0 * 1e-3)
    else:
        h1 = (0.01 / max(d1, d2)) ** (1.0 / ORDER)
    return min(100 * h0, h1)


def rk_step(sys, t0, dt, y0, f0):
    """One dopri5 step: the stages, y1 and the error estimate."""
    t1 = t0 + dt
    k = [f0]
    for ci, ai in zip(C, A):
        # Stages at the end of the step see the time just below it.
        ti = np.nextafter(t1, -np.inf) if ci == 1.0 else t0 + ci * dt
        yi = y0 + sum(kj * (aij * dt) for kj, aij in zip(k, ai))
        k.append(sys(ti, yi))
    y1 = yi  # the last stage's input is the fifth-order solution (FSAL)
    err = sum(kj * (bj * dt) for kj, bj in zip(k, B_ERR))
    return t1, y1, err, k


def next_step(dt, ratio):
    if ratio == 0:
        return dt * IFACTOR
    dfactor = 1.0 if ratio < 1 else DFACTOR
    return dt * min(IFACTOR, max(SAFETY / ratio ** (1.0 / ORDER), dfactor))


def dense_output(y0, y1, k, dt, t0, t1, t):
    """The quartic through y0, y1 and the midpoint with slopes f0 and f1 at
    the ends, evaluated at t in [t0, t1]."""
    f0, f1 = k[0], k[-1]
    ymid = y0 + sum(kj * (mj * dt) for kj, mj in zip(k, MID))
    coef = [
        y0,
        dt * f0,
        dt * (f1 - 4 * f0) - 11 * y0 - 5 * y1 + 16 * ymid,
        dt * (5 * f0 - 3 * f1) + 18 * y0 + 14 * y1 - 32 * ymid,
        2 * dt * (f1 - f0) - 8 * (y1 + y0) + 16 * ymid,
    ]
    x = (t - t0) / (t1 - t0)
    total = coef[0] + x * coef[1]
    xp = x
    for c in coef[2:]:
        xp = xp * x
        total = total + xp * c
    return total


def dopri5(sys, y0, t_end, rtol, atol):
    """y(t_end) from y(0) = y0, with the accepted and rejected step counts."""
    t = 0.0
    y = y0
    f = sys(t, y)
    dt = first_step(sys, t, y, f, rtol, atol)
    accepted = rejected = 0
    last = None
    while t_end > t:
        if not t + dt > t:
            raise RuntimeError(f"step size underflow at t = {t}, dt = {dt}")
        t1, y1, err, k = rk_step(sys, t, dt, y, f)
        tol = atol + rtol * np.maximum(np.abs(y), np.abs(y1))
        ratio = mixed_rms(sys, err / tol)
        if ratio <= 1:
            accepted += 1
            last = (y, y1, k, dt, t, t1)
            t, y, f = t1, y1, k[-1]
        else:
            rejected += 1
        dt = next_step(dt, ratio)
    return dense_output(*last, t_end), accepted, rejected


def log_likelihood(w, x, means, logw, rtol, atol):
    n = len(x)
    sys = System(w, n)
    y0 = np.concatenate([x.reshape(-1), np.zeros(n)])
    y1, acc, rej = dopri5(sys, y0, T1, rtol, atol)
    z1, integral = y1[:2 * n].reshape(n, 2), y1[2 * n:]
    return gmm_logp(z1, means, logw) + integral, sys.nfe, acc, rej


def rk4_reference(w, x, means, logw, steps):
    """Classic RK4 with many steps, the reference of --check."""
    n = len(x)
    sys = System(w, n)
    y = np.concatenate([x.reshape(-1), np.zeros(n)])
    h = T1 / steps
    for i in range(steps):
        t = i * h
        k1 = sys(t, y)
        k2 = sys(t + h / 2, y + h / 2 * k1)
        k3 = sys(t + h / 2, y + h / 2 * k2)
        k4 = sys(t + h, y + h * k3)
        y = y + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
    return gmm_logp(y[:2 * n].reshape(n, 2), means, logw) + y[2 * n:]


def load():
    with open("golden.json") as fh:
        x = np.array(json.load(fh)["x"], dtype=np.float64)
    models = {}
    for name in BASES:
        with open(os.path.join(name, "config.json")) as fh:
            cfg = json.load(fh)
        dyn = cfg["dynamics"]
        if (cfg["shape"], dyn["kind"], dyn["hidden"], dyn["width"], cfg["blocks"], cfg["trace"]) != \
                ([2], "hyperplanar", 4, 3, 1, "exact"):
            raise SystemExit(f"{name}/config.json is not the flow make_golden.py writes")
        with np.load(os.path.join(name, "weights.npz")) as npz:
            arrays = {k: npz[k] for k in npz.files}
        models[name] = arrays
    first = models[BASES[0]]
    for name in BASES[1:]:
        for key, v in first.items():
            if key.startswith("hyper_net.") and not np.array_equal(v, models[name][key]):
                raise SystemExit(f"{name}/weights.npz: {key} differs from {BASES[0]}'s")
    return x, models


def check(x, models):
    """dopri5 at 1e-10 against RK4 with 4096 steps, whose error is far below
    1e-10 (fourth order, h = 1/4096)."""
    worst = 0.0
    for name, arrays in models.items():
        means, logw = arrays["base.means"], arrays["base.log_weights"]
        ref = rk4_reference(arrays, x, means, logw, 4096)
        got, nfe, acc, rej = log_likelihood(arrays, x, means, logw, 1e-10, 1e-10)
        diff = np.max(np.abs(got - ref))
        worst = max(worst, diff)
        print(f"{name}: dopri5 1e-10 ({nfe} evaluations, {acc} accepted, {rej} rejected) "
              f"against RK4 4096 steps: max |difference| {diff:.2e}")
    if not worst <= 1e-9:
        raise SystemExit(f"check failed: difference {worst:.2e} > 1e-9")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true",
                    help="first compare dopri5 at 1e-10 with RK4 at 4096 steps")
    args = ap.parse_args()
    x, models = load()
    if args.check:
        check(x, models)
    out = {"x": x.tolist(), "t1": T1, "method": "dopri5", "solves": []}
    for tol in TOLERANCES:
        solve = {"rtol": tol, "atol": tol}
        for name in BASES:
            arrays = models[name]
            logp, nfe, acc, rej = log_likelihood(
                arrays, x, arrays["base.means"], arrays["base.log_weights"], tol, tol)
            # The solve does not depend on the base: same counts for both.
            solve.update(nfe=nfe, accepted=acc, rejected=rej)
            solve[name] = logp.tolist()
        out["solves"].append(solve)
        print(f"rtol = atol = {tol:g}: {solve['nfe']} evaluations, "
              f"{solve['accepted']} accepted and {solve['rejected']} rejected steps")
    with open("golden_dopri5.json", "w") as fh:
        json.dump(out, fh, indent=2)
        fh.write("\n")


if __name__ == "__main__":
    main()
