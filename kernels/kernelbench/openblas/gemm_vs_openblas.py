"""Times mmcnf's GEMM against single-threaded OpenBLAS dgemm on the same
machine, for the n x n x n GEMM target of the kernel benchmarks.

OpenBLAS is reached through NumPy (Debian: python3-numpy, with
libopenblas0-pthread installed so that NumPy's BLAS is OpenBLAS), once with
the kernels OpenBLAS picks for this CPU and once with OPENBLAS_CORETYPE=Haswell,
its AVX2/FMA kernels, the instruction set mmcnf's assembly uses. mmcnf is timed
by its own command, `mmcnf bench kernels --json`.

Each contender runs in its own process, one call per repetition; the rounds
rotate the order of the contenders so that none always runs first, and the
fastest call over all rounds is kept for each. On a machine whose CPU time
comes and goes, the fastest call is the one least disturbed; medians are
printed too, for what they are worth.

Run from the repository root after `go build -o mmcnf ./cmd/mmcnf`:

    python3 testdata/openblas/gemm_vs_openblas.py --mmcnf ./mmcnf

Nothing in the build or the tests needs this script.
"""
import argparse
import ctypes
import json
import os
import statistics
import subprocess
import sys
import time


def worker(n, reps):
    """Times reps calls of an n x n x n dgemm in this process."""
    import numpy as np

    lib = ctypes.CDLL("libopenblas.so.0")
    lib.openblas_get_corename.restype = ctypes.c_char_p
    lib.openblas_get_num_threads.restype = ctypes.c_int
    rng = np.random.default_rng(1)
    a, b = rng.random((n, n)), rng.random((n, n))
    c = np.empty((n, n))
    np.matmul(a, b, out=c)
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter()
        np.matmul(a, b, out=c)
        ts.append(time.perf_counter() - t0)
    print(json.dumps({
        "core": lib.openblas_get_corename().decode(),
        "threads": lib.openblas_get_num_threads(),
        "times_s": ts,
    }))


def run_openblas(n, reps, coretype):
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
    env.pop("OPENBLAS_CORETYPE", None)
    if coretype:
        env["OPENBLAS_CORETYPE"] = coretype
    out = subprocess.run(
        [sys.executable, __file__, "--worker", "--n", str(n), "--reps", str(reps)],
        env=env, check=True, capture_output=True, text=True).stdout
    rec = json.loads(out)
    if rec["threads"] != 1:
        sys.exit(f"OpenBLAS runs {rec['threads']} threads, want 1")
    return rec["core"], rec["times_s"]


def run_mmcnf(binary, n, reps):
    shape = f"{n}x{n}x{n}"
    out = subprocess.run(
        [binary, "bench", "kernels", "--json", "--impl", "avx2",
         "--filter", f"^gemm/{shape}/avx2$", "--reps", str(reps), "--min-time", "1ns"],
        check=True, capture_output=True, text=True).stdout
    recs = [json.loads(l) for l in out.splitlines() if l.startswith("{")]
    if len(recs) != 1:
        sys.exit(f"mmcnf bench kernels gave {len(recs)} records for gemm/{shape}, want 1 "
                 f"(is {shape} one of its GEMM shapes?)")
    r = recs[0]
    return r["min_ns_per_op"] * 1e-9, r["ns_per_op"] * 1e-9


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--mmcnf", default="./mmcnf", help="path of the mmcnf binary")
    p.add_argument("--n", type=int, default=1024, help="matrix size")
    p.add_argument("--reps", type=int, default=15, help="calls per contender per round")
    p.add_argument("--rounds", type=int, default=3, help="rounds, each running every contender once")
    p.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.worker:
        worker(args.n, args.reps)
        return

    flop = 2.0 * args.n ** 3
    contenders = ["openblas", "openblas-haswell", "mmcnf"]
    fastest = {}
    medians = {c: [] for c in contenders}
    cores = {}
    for r in range(args.rounds):
        order = contenders[r % 3:] + contenders[:r % 3]
        for name in order:
            if name == "mmcnf":
                best, med = run_mmcnf(args.mmcnf, args.n, args.reps)
                cores[name] = "avx2"
            else:
                core, ts = run_openblas(args.n, args.reps, "Haswell" if name.endswith("haswell") else None)
                cores[name] = core
                best, med = min(ts), statistics.median(ts)
            fastest[name] = min(fastest.get(name, best), best)
            medians[name].append(med)
            print(f"round {r + 1} {name:17s} fastest {best * 1e3:8.2f} ms = {flop / best / 1e9:5.1f} GFLOP/s"
                  f"  median {med * 1e3:9.1f} ms", flush=True)

    print(f"\ndgemm {args.n}^3, one thread, fastest call of {args.rounds} x {args.reps}:")
    for name in contenders:
        print(f"  {name:17s} ({cores[name]:8s}) {fastest[name] * 1e3:8.2f} ms = "
              f"{flop / fastest[name] / 1e9:5.1f} GFLOP/s")
    for ref in ("openblas", "openblas-haswell"):
        print(f"  mmcnf / {ref}: {fastest[ref] / fastest['mmcnf']:.2f}")


if __name__ == "__main__":
    main()
