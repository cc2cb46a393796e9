#!/usr/bin/python3
"""Draw a scaling study gathered by gather_scaling.py: speed-up and parallel efficiency against the
number of ranks, with the ideal line.

Usage: plot_scaling.py scaling.csv --kind strong|weak [-o PREFIX] [--path production|ts|bare]

Strong scaling (one grid): speed-up S(P) = P0 rate(P) / rate(P0) from the smallest run P0 (taken as
ideal), efficiency S(P)/P. Weak scaling (a fixed patch per rank): efficiency = (rate(P)/P) /
(rate(P0)/P0), scaled speed-up P x efficiency. Rates are cell-steps per second of the chosen path
(production by default). Writes PREFIX.png (default: the CSV name without .csv) and prints the table."""
import argparse
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gsinv_h5  # noqa: E402


def read(path, column):
    """(ranks, rates, rows) of the runs of a gathered CSV with a measured column, sorted by ranks."""
    _, rows = gsinv_h5.read_csv(path, ("ranks", "nx", "ny", column))
    rows = [r for r in rows if r[column]]
    if not rows:
        gsinv_h5.fail(f"no measured {column} in {path}")
    rows.sort(key=lambda r: int(r["ranks"]))
    return [int(r["ranks"]) for r in rows], [float(r[column]) for r in rows], rows


def scaling(kind, ranks, rates):
    p0, r0 = ranks[0], rates[0]
    if kind == "strong":
        speedup = [p0 * r / r0 for r in rates]
        efficiency = [s / p for s, p in zip(speedup, ranks)]
    else:
        efficiency = [(r / p) / (r0 / p0) for r, p in zip(rates, ranks)]
        speedup = [e * p for e, p in zip(efficiency, ranks)]
    return speedup, efficiency


def draw(kind, path, ranks, speedup, efficiency, rows):
    """The Figure: speed-up and efficiency against the ranks (kind strong or weak, rates of path)."""
    grids = sorted({f"{r['nx']}x{r['ny']}" for r in rows}, key=lambda g: int(g.split("x")[0]) * int(g.split("x")[1]))
    fig, (ax_s, ax_e) = plt.subplots(1, 2, figsize=(10, 4))
    ax_s.plot(ranks, speedup, "o-", label=f"measured ({path} path)")
    ax_s.plot(ranks, ranks, "k--", label="ideal")
    ax_s.set_xscale("log", base=2)
    ax_s.set_yscale("log", base=2)
    ax_s.set_xlabel("ranks")
    ax_s.set_ylabel("speed-up" if kind == "strong" else "scaled speed-up")
    ax_s.legend()
    ax_e.plot(ranks, efficiency, "o-", label="measured")
    ax_e.axhline(1.0, color="k", linestyle="--", label="ideal")
    ax_e.set_xscale("log", base=2)
    ax_e.set_ylim(0, max(1.1, max(efficiency) * 1.05))
    ax_e.set_xlabel("ranks")
    ax_e.set_ylabel("parallel efficiency")
    ax_e.legend()
    what = f"grid {grids[0]}" if kind == "strong" else f"{int(float(rows[0]['cells_per_rank'])) if 'cells_per_rank' in rows[0] else '?'} cells per rank"
    fig.suptitle(f"gsinv {kind} scaling, {what} (relative to {ranks[0]} rank{'s' if ranks[0] > 1 else ''})")
    fig.tight_layout()
    return fig


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("csv")
    parser.add_argument("--kind", choices=("strong", "weak"), required=True)
    parser.add_argument("--path", choices=("production", "ts", "bare"), default="production")
    parser.add_argument("-o", "--output", help="prefix of the PNG (default: the CSV without .csv)")
    args = parser.parse_args()
    ranks, rates, rows = read(args.csv, f"{args.path}_rate")
    speedup, efficiency = scaling(args.kind, ranks, rates)
    print(f"{'ranks':>6} {'grid':>12} {'cell-steps/s':>13} {'speed-up':>9} {'efficiency':>10}")
    for p, r, s, e, row in zip(ranks, rates, speedup, efficiency, rows):
        print(f"{p:6d} {row['nx'] + 'x' + row['ny']:>12} {r:13.4g} {s:9.2f} {e:10.1%}")
    fig = draw(args.kind, args.path, ranks, speedup, efficiency, rows)
    output = gsinv_h5.output_prefix(args.csv, args.output) + ".png"
    fig.savefig(output, dpi=120)
    plt.close(fig)
    print(f"plot_scaling.py: wrote {output}")


if __name__ == "__main__":
    main()
