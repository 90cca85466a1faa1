"""PyTorch baseline of `mmcnf bench train`: the same workloads, the same
training step, timed the same way, one JSON line per workload with the field
names of `mmcnf bench train --json`.

A step is the forward solve with the log-density, the loss (mean negative
log-likelihood in nats), the gradient by backpropagation through the solver
and Adam's update (lr 1e-3, betas 0.9 and 0.999, eps 1e-8, no clipping, as
mmcnf's defaults), float64 throughout.

- planar2d: HyperPlanar (hidden 32, width 64), d = 2, batch 512 two-moons
  points, exact trace, base N(0, I), RK4 with 8 steps over [0, 1].
- conv16: ConcatConv (dims 64, 64, 64, softplus) on 1 x 16 x 16 images
  uniform in [0, 1), batch 64, Hutchinson trace with Rademacher noise drawn
  once per solve, base N(0, I), RK4 with 4 steps over [0, 1].

Needs Debian's python3-torch (PyTorch 1.13) and python3-numpy. Thread
counts are fixed before torch is imported: --threads N sets torch's
intra-op threads and, through the environment, OpenMP's and OpenBLAS's
(Debian's torch does its float64 convolutions by im2col and the system
BLAS) unless OMP_NUM_THREADS or OPENBLAS_NUM_THREADS are already set.
"""
import argparse
import json
import math
import os
import resource
import statistics
import sys
import time

WORKLOADS = ("planar2d", "conv16")
DEFAULTS = {  # batch, warm-up steps, timed steps: those of mmcnf bench train
    "planar2d": (512, 20, 50),
    "conv16": (64, 2, 5),
}


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--workload", required=True, choices=WORKLOADS + ("all",))
    ap.add_argument("--threads", type=int, default=0, help="threads (0: all cores)")
    ap.add_argument("--warmup", type=int, default=-1, help="untimed steps (default per workload)")
    ap.add_argument("--steps-timed", type=int, default=0, help="timed steps (default per workload)")
    ap.add_argument("--batch", type=int, default=0, help="samples per step (default per workload)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--planar-trace", choices=("analytic", "autograd"), default="analytic",
                    help="planar2d's exact trace: analytic, as mmcnf computes it, or one "
                         "autograd pass per dimension, as torchdiffeq's CNF example does")
    args = ap.parse_args()
    if args.threads < 0 or args.steps_timed < 0 or args.batch < 0:
        ap.error("--threads, --steps-timed and --batch must not be negative")
    if args.threads == 0:
        args.threads = len(os.sched_getaffinity(0))
    return args


ARGS = parse_args()
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, str(ARGS.threads))

try:
    import numpy as np
    import torch
    from torch import nn
except ImportError as err:
    print(f"bench_train.py: {err} under {sys.executable}: install python3-torch and python3-numpy "
          "(Debian) and run it with that python3", file=sys.stderr)
    sys.exit(2)

torch.set_num_threads(ARGS.threads)
torch.set_default_dtype(torch.float64)


class HyperPlanar(nn.Module):
    """Planar dynamics whose parameters a hypernetwork computes from t:
    t -> Linear(1, H) -> tanh -> Linear(H, H) -> tanh -> Linear(H, 3Wd + W),
    split into Wt (W x d), U (W x d), G (W x d) and B (W); U is gated by
    sigmoid(G) and f(z) = (1/W) sum_i U_i tanh(Wt_i . z + B_i)."""

    def __init__(self, d, hidden, width, autograd_trace):
        super().__init__()
        self.d, self.width, self.autograd_trace = d, width, autograd_trace
        self.fc1 = nn.Linear(1, hidden)
        self.fc2 = nn.Linear(hidden, hidden)
        self.fc3 = nn.Linear(hidden, 3 * width * d + width)

    def forward(self, t, z):
        """f(t, z) and Tr(df/dz) per sample."""
        tt = torch.full((1, 1), t)
        out = self.fc3(torch.tanh(self.fc2(torch.tanh(self.fc1(tt))))).view(-1)
        wd = self.width * self.d
        wt = out[:wd].view(self.width, self.d)
        u = out[wd:2 * wd].view(self.width, self.d) * torch.sigmoid(out[2 * wd:3 * wd].view(self.width, self.d))
        b = out[3 * wd:]
        if self.autograd_trace and not z.requires_grad:
            z = z.detach().requires_grad_(True)
        h = torch.tanh(z @ wt.t() + b)
        f = h @ u / self.width
        if self.autograd_trace:
            tr = sum(torch.autograd.grad(f[:, i].sum(), z, create_graph=True)[0][:, i]
                     for i in range(self.d))
        else:
            # df/dz = (1/W) sum_i (1 - h_i^2) U_i Wt_i^T.
            tr = (1 - h * h) @ (u * wt).sum(1) / self.width
        return f, tr


class ConcatConv(nn.Module):
    """FFJORD's ODEnet: 3x3 convolutions, stride 1, padding 1, each with t
    as an extra input channel in front, softplus between layers and nothing
    after the last."""

    def __init__(self, channels, dims):
        super().__init__()
        ch = [channels] + list(dims) + [channels]
        self.convs = nn.ModuleList(nn.Conv2d(ch[i] + 1, ch[i + 1], 3, padding=1) for i in range(len(ch) - 1))
        self.act = nn.Softplus()
        self.noise = None  # the Hutchinson probe of the current solve

    def field(self, t, x):
        for i, conv in enumerate(self.convs):
            tt = torch.full_like(x[:, :1], t)
            x = conv(torch.cat([tt, x], 1))
            if i + 1 < len(self.convs):
                x = self.act(x)
        return x

    def forward(self, t, z):
        """f(t, z) and the Hutchinson estimate e^T (df/dz) e per sample."""
        if not z.requires_grad:  # the data at t = 0
            z = z.detach().requires_grad_(True)
        f = self.field(t, z)
        e = self.noise
        ej = torch.autograd.grad(f, z, e, create_graph=True)[0]
        return f, (ej * e).flatten(1).sum(1)


class Counted:
    """Counts the evaluations of a vector field."""

    def __init__(self, fn):
        self.fn, self.nfe = fn, 0

    def __call__(self, t, z):
        self.nfe += 1
        return self.fn(t, z)


def rk4(fn, z, steps, t1=1.0):
    """z(t1) and the integral of the trace from z(0) = z.

    The classic RK4 tableau, the one mmcnf's ode.RK4 (method "rk4") uses:
    nodes 0, 1/2, 1/2, 1, weights 1/6, 1/3, 1/3, 1/6 (not torchdiffeq's "rk4",
    which is the 3/8 rule). Four evaluations per step on the same grid,
    t_i = i t1 / steps."""
    logdet = torch.zeros(z.shape[0])
    for i in range(steps):
        t = i * t1 / steps
        h = (i + 1) * t1 / steps - t
        k1, l1 = fn(t, z)
        k2, l2 = fn(t + h / 2, z + (h / 2) * k1)
        k3, l3 = fn(t + h / 2, z + (h / 2) * k2)
        k4, l4 = fn(t + h, z + h * k3)
        z = z + h * (k1 / 6 + k2 / 3 + k3 / 3 + k4 / 6)
        logdet = logdet + h * (l1 / 6 + l2 / 3 + l3 / 3 + l4 / 6)
    return z, logdet


def gaussian_logp(z):
    z = z.flatten(1)
    return -0.5 * (z * z).sum(1) - 0.5 * z.shape[1] * math.log(2 * math.pi)


def moons(batch, rng):
    """Classes 0 and 1 of the cascading moons (halves of the batch)."""
    n0 = (batch + 1) // 2
    theta = rng.uniform(0, np.pi, batch)
    c, s = np.cos(theta), np.sin(theta)
    x = np.where(np.arange(batch)[:, None] < n0,
                 np.stack([-0.25 + c, s], 1), np.stack([0.25 - c, -s], 1))
    return x + rng.normal(0, 0.1, (batch, 2))


class Workload:
    def __init__(self, name, batch, seed):
        torch.manual_seed(seed)
        rng = np.random.default_rng(seed)
        self.name, self.batch = name, batch
        if name == "planar2d":
            self.model = HyperPlanar(2, 32, 64, ARGS.planar_trace == "autograd")
            self.x = torch.from_numpy(moons(batch, rng))
            self.steps, self.trace, self.flop_per_eval = 8, "exact", 0.0
        else:
            self.model = ConcatConv(1, (64, 64, 64))
            self.x = torch.from_numpy(rng.uniform(0, 1, (batch, 1, 16, 16)))
            self.steps, self.trace = 4, "rademacher"
            # 2 x pixels x C_out x (C_in + 1) x 9 per layer, as mmcnf counts it.
            ch = [1, 64, 64, 64, 1]
            self.flop_per_eval = sum(2 * 256 * ch[i + 1] * (ch[i] + 1) * 9 for i in range(len(ch) - 1))
        self.opt = torch.optim.Adam(self.model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-8)
        self.nfe = 0

    def step(self):
        """One training step; returns its loss."""
        self.opt.zero_grad(set_to_none=True)
        if isinstance(self.model, ConcatConv):
            self.model.noise = torch.randint(0, 2, self.x.shape).to(torch.float64) * 2 - 1
        fn = Counted(self.model)
        z1, logdet = rk4(fn, self.x, self.steps)
        loss = -(gaussian_logp(z1) + logdet).mean()
        loss.backward()
        self.opt.step()
        self.nfe = fn.nfe
        return loss.item()


def blas_core():
    """OpenBLAS's kernel choice, when torch runs on OpenBLAS."""
    import ctypes
    try:
        lib = ctypes.CDLL("libopenblas.so.0")
        lib.openblas_get_corename.restype = ctypes.c_char_p
        return "openblas-" + lib.openblas_get_corename().decode()
    except (OSError, AttributeError):
        return "unknown"


def run(name):
    batch, warmup, timed = DEFAULTS[name]
    batch = ARGS.batch or batch
    warmup = warmup if ARGS.warmup < 0 else ARGS.warmup
    timed = ARGS.steps_timed or timed
    w = Workload(name, batch, ARGS.seed)
    for _ in range(warmup):
        w.step()
    times = []
    for _ in range(timed):
        start = time.perf_counter()
        loss = w.step()
        times.append(time.perf_counter() - start)
    median = statistics.median(times)
    rec = {
        "workload": name, "batch": batch, "solver": "rk4", "steps": w.steps, "trace": w.trace,
        "threads": torch.get_num_threads(), "impl": "pytorch-" + torch.__version__,
        "forward_nfe": w.nfe, "warmup": warmup, "timed": timed,
        "median_s": median, "min_s": min(times), "samples_per_s": batch / median,
        "loss": loss, "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    if w.flop_per_eval:
        rec["nominal_gflop"] = 6 * w.flop_per_eval * batch * w.nfe / 1e9
        rec["gflops"] = rec["nominal_gflop"] / median
    if name == "planar2d":
        rec["planar_trace"] = ARGS.planar_trace
    rec["blas"] = blas_core()
    print(json.dumps(rec), flush=True)


def main():
    for name in WORKLOADS if ARGS.workload == "all" else (ARGS.workload,):
        run(name)


if __name__ == "__main__":
    sys.exit(main())
