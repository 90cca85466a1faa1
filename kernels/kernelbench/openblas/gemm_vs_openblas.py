"""Times mmcnf's GEMM against single-threaded OpenBLAS dgemm on the same
machine, for the n x n x n GEMM of the kernel benchmarks.

OpenBLAS is reached through NumPy (Debian: python3-numpy, with
libopenblas0-pthread installed so that the libblas.so.3 NumPy links against is
OpenBLAS's). It runs twice: with the kernels OpenBLAS chooses for this CPU
(OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE removed from that process's
environment, so that nothing overrides its own detection), and with
OPENBLAS_CORETYPE=Haswell, its AVX2/FMA kernels, the instruction set of
mmcnf's avx2 tier. Each run reports the kernel set OpenBLAS picked
(openblas_get_corename of the OpenBLAS library mapped into the process that
timed it) and its build configuration. mmcnf is timed by its own command,
`mmcnf bench kernels --json`, under each of its assembly tiers (avx512, avx2)
that the machine runs.

Each contender runs in its own process, one call per repetition; the rounds
rotate the order of the contenders so that none always runs first, and the
fastest call over all rounds is kept for each. On a machine whose CPU time
comes and goes, the fastest call is the one least disturbed; medians are
printed too, for what they are worth.

Run from the repository root after `go build -o mmcnf ./cmd/mmcnf`, with the
Python that has NumPy (on Debian /usr/bin/python3):

    /usr/bin/python3 kernels/kernelbench/openblas/gemm_vs_openblas.py --mmcnf ./mmcnf

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

# The environment variables through which a user overrides OpenBLAS's own
# choice of kernels and blocking.
OVERRIDES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")

# mmcnf's assembly tiers, as `mmcnf bench kernels --impl` names them.
MMCNF_TIERS = ("avx512", "avx2")


class DlInfo(ctypes.Structure):
    _fields_ = [("dli_fname", ctypes.c_char_p), ("dli_fbase", ctypes.c_void_p),
                ("dli_sname", ctypes.c_char_p), ("dli_saddr", ctypes.c_void_p)]


def loaded_openblas():
    """Returns the path of the OpenBLAS library mapped into this process, the
    one NumPy's BLAS calls end in, and a handle reaching its functions; exits
    naming what NumPy loaded instead."""
    paths = []
    with open("/proc/self/maps") as maps:
        for line in maps:
            fields = line.split()
            if len(fields) >= 6 and fields[5].startswith("/") and fields[5] not in paths:
                paths.append(fields[5])
    blas = [p for p in paths if "blas" in os.path.basename(p) or "lapack" in os.path.basename(p)]
    for path in blas:
        lib = ctypes.CDLL(path)  # already mapped: the instance NumPy uses
        if hasattr(lib, "openblas_get_corename"):
            # The symbol may come from a library this one depends on: name
            # the file that defines it.
            info = DlInfo()
            libdl = ctypes.CDLL(None)
            libdl.dladdr.argtypes = [ctypes.c_void_p, ctypes.POINTER(DlInfo)]
            if libdl.dladdr(ctypes.cast(lib.openblas_get_corename, ctypes.c_void_p), ctypes.byref(info)):
                path = info.dli_fname.decode()
            return path, lib
    sys.exit(f"NumPy's BLAS is not OpenBLAS here (BLAS libraries mapped: {blas or 'none'}); "
             "on Debian: apt-get install libopenblas0-pthread")


def worker(n, reps):
    """Times reps calls of an n x n x n dgemm in this process."""
    import numpy as np

    rng = np.random.default_rng(1)
    a, b = rng.random((n, n)), rng.random((n, n))
    c = np.empty((n, n))
    np.matmul(a, b, out=c)
    path, lib = loaded_openblas()
    lib.openblas_get_corename.restype = ctypes.c_char_p
    lib.openblas_get_config.restype = ctypes.c_char_p
    lib.openblas_get_num_threads.restype = ctypes.c_int
    ts = []
    for _ in range(reps):
        t0 = time.perf_counter()
        np.matmul(a, b, out=c)
        ts.append(time.perf_counter() - t0)
    print(json.dumps({
        "library": os.path.realpath(path),
        "core": lib.openblas_get_corename().decode(),
        "config": lib.openblas_get_config().decode().strip(),
        "threads": lib.openblas_get_num_threads(),
        "times_s": ts,
    }))


def run_openblas(n, reps, coretype):
    """Times OpenBLAS in a process of its own: with its own choice of kernels
    when coretype is None, else forced to coretype."""
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1")
    if coretype is None:
        for k in OVERRIDES:
            env.pop(k, None)
    else:
        env["OPENBLAS_CORETYPE"] = coretype
    out = subprocess.run(
        [sys.executable, __file__, "--worker", "--n", str(n), "--reps", str(reps)],
        env=env, check=True, capture_output=True, text=True).stdout
    rec = json.loads(out)
    if rec["threads"] != 1:
        sys.exit(f"OpenBLAS runs {rec['threads']} threads, want 1")
    rec["env"] = " ".join(f"{k}={env[k]}" for k in OVERRIDES if k in env) or "no overrides"
    return rec


def run_mmcnf(binary, n, reps):
    """Times mmcnf's GEMM under each assembly tier the machine runs, the
    tiers interleaved within one process; returns {tier: (fastest, median)}."""
    shape = f"{n}x{n}x{n}"
    tiers = "|".join(MMCNF_TIERS)
    out = subprocess.run(
        [binary, "bench", "kernels", "--json", "--impl", "all",
         "--filter", f"^gemm/{shape}/({tiers})$", "--reps", str(reps), "--min-time", "1ns"],
        check=True, capture_output=True, text=True).stdout
    recs = [json.loads(l) for l in out.splitlines() if l.startswith("{")]
    if not recs:
        sys.exit(f"mmcnf bench kernels gave no record for gemm/{shape} under {', '.join(MMCNF_TIERS)} "
                 f"(is {shape} one of its GEMM shapes, and does this machine run an assembly tier?)")
    return {r["impl"]: (r["min_ns_per_op"] * 1e-9, r["ns_per_op"] * 1e-9) for r in recs}


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
    gflops = lambda s: flop / s / 1e9
    runs = ["openblas", "openblas-haswell", "mmcnf"]
    fastest, medians, kernel = {}, {}, {}

    def record(name, best, med, what):
        fastest[name] = min(fastest.get(name, best), best)
        medians.setdefault(name, []).append(med)
        kernel[name] = what
        print(f"round {r + 1} {name:17s} fastest {best * 1e3:8.2f} ms = {gflops(best):5.1f} GFLOP/s"
              f"  median {med * 1e3:9.1f} ms  ({what})", flush=True)

    for r in range(args.rounds):
        for name in runs[r % len(runs):] + runs[:r % len(runs)]:
            if name == "mmcnf":
                for tier, (best, med) in run_mmcnf(args.mmcnf, args.n, args.reps).items():
                    record(f"mmcnf-{tier}", best, med, f"tier {tier}")
            else:
                rec = run_openblas(args.n, args.reps, "Haswell" if name.endswith("haswell") else None)
                record(name, min(rec["times_s"]), statistics.median(rec["times_s"]),
                       f"core {rec['core']}; {rec['env']}; {rec['config']}; {rec['library']}")

    print(f"\ndgemm {args.n}^3, one thread, fastest call of {args.rounds} x {args.reps}:")
    names = [k for k in fastest if k.startswith("openblas")] + [k for k in fastest if k.startswith("mmcnf")]
    for name in names:
        print(f"  {name:17s} {fastest[name] * 1e3:8.2f} ms = {gflops(fastest[name]):5.1f} GFLOP/s"
              f"  ({kernel[name].split(';')[0]})")
    for name in names:
        if name.startswith("mmcnf"):
            for ref in ("openblas", "openblas-haswell"):
                print(f"  {name} / {ref}: {fastest[ref] / fastest[name]:.2f}")


if __name__ == "__main__":
    main()
