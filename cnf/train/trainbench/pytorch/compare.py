"""mmcnf against PyTorch on one `bench train` workload, in one session.

Each round runs `mmcnf bench train --json` and bench_train.py (beside this
file, under the same Python) once each, one process after the other, the
order swapped from round to round, so that a slow spell of a shared machine
falls on both. It prints every round's median and fastest step of each,
then the median over the rounds of each one's median step, the fastest step
of all, and the ratios PyTorch / mmcnf of both, with the load average.

    python3 compare.py --mmcnf bin/mmcnf --workload planar2d --rounds 5
    make bench-pytorch PYTHON=/usr/bin/python3 BENCH_WORKLOAD=conv16 BENCH_ROUNDS=2

Needs Debian's python3-torch and python3-numpy for bench_train.py; this
script itself needs only the standard library.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mmcnf", required=True, help="the mmcnf binary")
    ap.add_argument("--workload", required=True, choices=("planar2d", "conv16"))
    ap.add_argument("--rounds", type=int, default=3, help="rounds (default 3)")
    ap.add_argument("--threads", type=int, default=0, help="threads of both (0: all cores)")
    ap.add_argument("--warmup", type=int, default=-1, help="untimed steps of both (default per workload)")
    ap.add_argument("--steps-timed", type=int, default=0, help="timed steps of both (default per workload)")
    args = ap.parse_args()
    if args.rounds < 1:
        ap.error("--rounds must be at least 1")
    if not os.access(args.mmcnf, os.X_OK):
        ap.error(f"--mmcnf {args.mmcnf}: not an executable file")
    return args


def command(args, which):
    common = ["--workload", args.workload, "--threads", str(args.threads)]
    if args.warmup >= 0:
        common += ["--warmup", str(args.warmup)]
    if args.steps_timed > 0:
        common += ["--steps-timed", str(args.steps_timed)]
    if which == "mmcnf":
        return [args.mmcnf, "bench", "train", "--json"] + common
    return [sys.executable, os.path.join(HERE, "bench_train.py")] + common


def run(cmd):
    """The JSON record that cmd prints; stderr passes through."""
    p = subprocess.run(cmd, stdout=subprocess.PIPE, text=True)
    if p.returncode != 0:
        sys.exit(f"compare.py: {' '.join(cmd)} exited with status {p.returncode}")
    lines = [ln for ln in p.stdout.splitlines() if ln.startswith("{")]
    if len(lines) != 1:
        sys.exit(f"compare.py: {' '.join(cmd)} printed {len(lines)} JSON records, want 1")
    return json.loads(lines[0])


def load():
    return "load average %.2f, %.2f, %.2f" % os.getloadavg()


def ms(s):
    return f"{s * 1e3:.2f} ms" if s < 1 else f"{s:.3f} s"


def main():
    args = parse_args()
    names = ("mmcnf", "pytorch")
    recs = {n: [] for n in names}
    plural = "s" if args.rounds != 1 else ""
    print(f"{args.workload}: {args.rounds} round{plural}, {load()}", flush=True)
    start = time.time()
    for r in range(args.rounds):
        order = names if r % 2 == 0 else names[::-1]
        for n in order:
            before = load()
            rec = run(command(args, n))
            recs[n].append(rec)
            extra = f", {rec['gflops']:.1f} nominal GFLOP/s" if "gflops" in rec else ""
            print(f"round {r + 1} {n:7s} {rec['impl']:18s} {rec['threads']} threads: median {ms(rec['median_s'])}, "
                  f"fastest {ms(rec['min_s'])}{extra}, peak RSS {rec['peak_rss_mb']:.0f} MB ({before})", flush=True)
    print(f"after {time.time() - start:.0f} s, {load()}")
    med = {n: statistics.median(x["median_s"] for x in recs[n]) for n in names}
    best = {n: min(x["min_s"] for x in recs[n]) for n in names}
    per_round = [p["median_s"] / m["median_s"] for m, p in zip(recs["mmcnf"], recs["pytorch"])]
    for n in names:
        print(f"{n:7s} median of the rounds' medians {ms(med[n])}, fastest step {ms(best[n])}")
    print(f"PyTorch / mmcnf: {med['pytorch'] / med['mmcnf']:.1f}x by the median, "
          f"{best['pytorch'] / best['mmcnf']:.1f}x by the fastest step; "
          f"rounds' median ratios {', '.join(f'{x:.1f}' for x in per_round)}")


if __name__ == "__main__":
    main()
