#!/usr/bin/python3
"""Memory and time of one adjoint gradient per rank under a -gs_checkpoint_memory cap, against grid,
steps and ranks: the checkpoint plan gsinv makes (src/gradient/checkpoints.c) and the binomial cost of its
schedule, with the compute rates of a one-rank gsinv bench CSV. Prints the table quoted in jobs/README.md.

Usage: gradient_memory_model.py bench.csv [--budget 1024] [--cache 4] [--grids 1024,2048,4096,16384]
                                [--steps 1000,40000] [--ranks 1,2,100,1000,10000]

Per rank, an N x N grid on P ranks has a state of S = 16 N^2 / P bytes. The cap B holds B / S states:
  - if the two-level scheme fits (every segment start kept, segments of about sqrt(steps) or what fits
    the cache), nothing is recomputed beyond one forward run of refills;
  - else the binomial schedule with s slots over the steps recomputes
    R = t n - beta(s + 1, t - 1) - n steps beyond the first forward run (t the least with
    beta(s, t) >= n; beta(s, t) = (s + t)! / (s! t!)).
Time per gradient = (forward steps + recomputed steps) / rate + steps x adjoint step, with the
production rate r(n^2) of the patch size (interpolated as in scaling_model.py) and the bench's
adjoint step / forward step ratio; communication as in scaling_model.py (halo and one reduction per
step, forward and backward). Memory per rank = the checkpoints and the segment's own buffers (at most
B; on several ranks the segment's first two states are the model's ghosted pair) + the working
states (one rank: final state, lambda twice, the run's second buffer, the caller's initial state;
several: the model's and the adjoint's ghosted pairs, final state, lambda, initial state; the
fused adjoint builds no DMDA). Rank 0 also holds the whole v field and the loss's target
(2 x 8 N^2 bytes: the losses run there), which is what grows with the grid at many ranks."""
import argparse
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gsinv_h5  # noqa: E402
from scaling_model import rate_at, rate_table  # noqa: E402


def beta(s, t):
    return math.comb(s + t, s) if s >= 0 and t >= 0 else 0


def revolve_cost(steps, slots):
    """Steps the binomial schedule recomputes beyond the first forward run (GSRevolveCost):
    t n - beta(s + 1, t - 1) forward steps in all, less the n of the first run."""
    t = 0
    while beta(slots, t) < steps:
        t += 1
    return max(0, t * steps - beta(slots + 1, t - 1) - steps) if t else 0


def plan(steps, state, cache, budget):
    """(segment length, slots, recomputed steps) as GSCheckpointPlanSetUp chooses them, or None."""
    states = int(budget // state)
    if states < 3:
        return None
    in_cache = max(1, int(cache // state))
    root = math.ceil(math.sqrt(steps))
    two = min(in_cache, root)
    if math.ceil(steps / two) + two > states:  # the smallest stride that fits, as GSCheckpointStride
        two = next((c for c in range(two, root + 1) if math.ceil(steps / c) + c <= states), root)
    best, best_cost = None, None
    for index, c in enumerate((two, in_cache, 1)):
        c = min(c, steps)
        memory = states - max(c, 2)
        segments = math.ceil(steps / c)
        if memory < 1:
            continue
        slots = min(memory, segments)
        recomputed = c * revolve_cost(segments, slots) + steps - segments
        # as gsinv: the two-level scheme, when every segment start fits, counts as free (its
        # refills run from cache), and ties keep the earlier candidate
        cost = 0 if (index == 0 and memory >= segments) else recomputed
        if best is None or cost < best_cost:
            best, best_cost = (c, slots, recomputed), cost
    return best


def adjoint_ratio(path):
    """The mean adjoint step / forward step of the one-rank rows of a bench CSV (1 when it has none)."""
    _, rows = gsinv_h5.read_csv(path, ("ranks",))
    rows = [r for r in rows if r["ranks"] == "1" and r.get("adjoint_vs_forward")]
    return sum(float(r["adjoint_vs_forward"]) for r in rows) / len(rows) if rows else 1.0


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("bench")
    parser.add_argument("--budget", type=float, default=1024, help="-gs_checkpoint_memory, MiB per rank")
    parser.add_argument("--cache", type=float, default=4, help="-gs_checkpoint_cache, MiB")
    parser.add_argument("--grids", default="1024,2048,4096,16384")
    parser.add_argument("--steps", default="1000,40000")
    parser.add_argument("--ranks", default="1,2,100,1000,10000")
    parser.add_argument("--alpha", type=float, default=2e-6)
    parser.add_argument("--beta", type=float, default=8e-11)
    args = parser.parse_args()
    table, ratio = rate_table(args.bench), adjoint_ratio(args.bench)
    mib = 2.0**20
    print(f"budget {args.budget:g} MiB per rank, cache {args.cache:g} MiB, adjoint step = {ratio:.2f} forward steps\n")
    print("| grid | steps | ranks | state MiB/rank | plan | recomputed / step | memory MiB, rank 0 | gradient s | gradient / forward |")
    print("|---|---|---|---|---|---|---|---|---|")
    for n in (int(g) for g in args.grids.split(",")):
        for steps in (int(s) for s in args.steps.split(",")):
            for p in (int(r) for r in args.ranks.split(",")):
                cells = n * n / p
                if cells < 16 * 16:
                    continue
                state = 16 * cells
                chosen = plan(steps, state, args.cache * mib, args.budget * mib)
                if chosen is None:
                    print(f"| {n}² | {steps} | {p} | {state / mib:.3g} | refused (< 3 states) | | | | |")
                    continue
                c, slots, recomputed = chosen
                side = math.sqrt(cells)
                t_step = cells / rate_at(table, cells)
                t_comm = (4 * args.alpha + args.beta * 64 * side + args.alpha * math.ceil(math.log2(p))) if p > 1 else 0.0
                forward = steps * (t_step + t_comm)
                gradient = (steps + recomputed) * (t_step + t_comm) + steps * (ratio * t_step + t_comm)
                borrowed = 2 if p > 1 else 0
                used = min(args.budget * mib, (slots + max(c, 2) - borrowed) * state)
                working = 7 if p > 1 else 5
                memory = (used + working * state + 2 * 8.0 * n * n) / mib
                kind = f"segments of {c}, {slots} slots" + (" (all kept)" if recomputed == steps - math.ceil(steps / c) else " (binomial)")
                print(f"| {n}² | {steps} | {p} | {state / mib:.3g} | {kind} | {recomputed / steps:.2f} | {memory:.0f} | {gradient:.3g} | {gradient / forward:.2f} |")


if __name__ == "__main__":
    main()
