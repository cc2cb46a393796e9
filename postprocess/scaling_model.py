#!/usr/bin/python3
"""Expected parallel efficiency of gsinv's production forward path at many ranks, from a one-rank
gsinv bench CSV (the compute cost per cell at each patch size) and a latency-bandwidth model of the
network. Prints the table quoted in jobs/README.md.

Usage: scaling_model.py bench.csv [--alpha 2e-6] [--beta 8e-11] [--ranks 100,1000,10000]
                        [--strong 4096,16384] [--weak 1024,256]

Per step and rank, with an n x n patch (n = N / sqrt(P) for strong scaling of an N x N grid):
  compute   t_c = n^2 / r(n^2), r the one-rank production rate measured at that many cells
            (interpolated in log cells between the bench sizes, clamped outside them);
  halo      t_h = 4 alpha + beta * 4 * 16 n: four neighbour messages of one ghost row or column
            (2 doubles per cell), their latencies not overlapped (a pessimistic count);
  reduction t_r = alpha * ceil(log2 P): the one MPI_Allreduce of the step checks (recursive doubling);
  efficiency E = t_c / (t_c + t_h + t_r) (no overlap of communication and compute, as in the code)."""
import argparse
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gsinv_h5  # noqa: E402


def rate_table(path):
    """(cells, production rate) of the one-rank rows of a bench CSV, by cells."""
    _, rows = gsinv_h5.read_csv(path, ("nx", "ny", "ranks", "production_rate"))
    rows = [r for r in rows if r["ranks"] == "1" and r["production_rate"]]
    if not rows:
        gsinv_h5.fail(f"{path} has no one-rank production rates")
    return sorted((int(r["nx"]) * int(r["ny"]), float(r["production_rate"])) for r in rows)


def rate_at(table, cells):
    if cells <= table[0][0]:
        return table[0][1]
    if cells >= table[-1][0]:
        return table[-1][1]
    for (c0, r0), (c1, r1) in zip(table, table[1:]):
        if c0 <= cells <= c1:
            w = (math.log(cells) - math.log(c0)) / (math.log(c1) - math.log(c0))
            return r0 + w * (r1 - r0)
    raise AssertionError


def efficiency(table, n, ranks, alpha, beta):
    t_c = n * n / rate_at(table, n * n)
    t_h = 4 * alpha + beta * 4 * 16 * n
    t_r = alpha * math.ceil(math.log2(ranks)) if ranks > 1 else 0.0
    return t_c, t_h, t_r, t_c / (t_c + t_h + t_r)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("bench")
    parser.add_argument("--alpha", type=float, default=2e-6, help="message latency, s (default 2 us)")
    parser.add_argument("--beta", type=float, default=8e-11, help="seconds per byte (default 1/12.5 GB/s)")
    parser.add_argument("--ranks", default="100,1000,10000")
    parser.add_argument("--strong", default="4096,16384", help="grid sides N of the strong-scaling cases")
    parser.add_argument("--weak", default="1024,256", help="patch sides n per rank of the weak-scaling cases")
    args = parser.parse_args()
    table = rate_table(args.bench)
    ranks = [int(p) for p in args.ranks.split(",")]
    print(f"alpha {args.alpha:.2g} s, beta {args.beta:.2g} s/byte; one-rank production rates: "
          + ", ".join(f"{c} cells {r:.3g}/s" for c, r in table))
    print(f"{'case':<22} {'ranks':>6} {'patch':>7} {'compute us':>11} {'halo us':>8} {'reduce us':>10} {'efficiency':>10}")
    cases = [(f"strong {N}^2", N / math.sqrt(p), p) for N in map(int, args.strong.split(",")) for p in ranks]
    cases += [(f"weak {n}^2 per rank", float(n), p) for n in map(int, args.weak.split(",")) for p in ranks]
    for name, n, p in cases:
        t_c, t_h, t_r, e = efficiency(table, n, p, args.alpha, args.beta)
        print(f"{name:<22} {p:6d} {n:7.0f} {1e6 * t_c:11.1f} {1e6 * t_h:8.1f} {1e6 * t_r:10.1f} {e:10.1%}")


if __name__ == "__main__":
    main()
