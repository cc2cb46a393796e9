#!/usr/bin/python3
"""Write a synthetic `gsinv landscape` file (format version 1) for developing postprocess/plot_landscape.py.

Usage: make_fake_landscape.py OUT.h5 [--1d] [--n N] [--minimal]

2-D (default): a (F, k) grid, F in [0.03, 0.04], k in [0.055, 0.07], N x N (17). The losses have
plateaus (quantised), a jump along the fold curve k = sqrt(F)/2 - F, a bowl around the ground truth,
an invalid corner plus a few isolated invalid points; curves fold, hopf (two pieces), turing_rise;
grad, gallery and cliffs are written.  --1d: a k slice at the truth's F (N points, default 41).
--minimal: only the windowed loss, valid, reason, steps and class (no grad/gallery/curves/cliffs).
Nothing here is physics: the numbers only exercise the plotting."""
import argparse

import h5py
import numpy as np

TRUTH = {"F": 0.035, "k": 0.0605, "Du": 2e-5, "Dv": 1e-5}
REASONS = "running,steady,fixed_steps,invalid_v_out_of_range,invalid_nonfinite,invalid_no_steady_state,invalid_solver_failed"
CLASSES = "trivial,uniform,pattern,oscillating,invalid"


def fold(F):
    return np.sqrt(F) / 2 - F


def hopf(F):
    return 0.0635 + 0.35 * (F - 0.03)


def turing(F):
    return 0.0668 - 0.25 * (F - 0.03)


def fields(F, k):
    """Losses, validity, reason, class, gradient at arrays F, k (same shape)."""
    shape = F.shape
    below_fold = k < fold(F)
    above_hopf = k > hopf(F)
    oscill = np.abs(k - hopf(F)) < 0.0007
    # bowl around the truth in scaled units
    sF, sk = (F - TRUTH["F"]) / 0.004, (k - TRUTH["k"]) / 0.004
    bowl = sF ** 2 + 2.5 * sk ** 2 + 0.6 * sF * sk
    dbowl = np.stack([(2 * sF + 0.6 * sk) / 0.004, (5 * sk + 0.6 * sF) / 0.004, 3e2 * sF, -1e2 * sk], axis=-1)
    windowed = 0.02 + 0.3 * bowl
    windowed = np.where(below_fold, 1.6, windowed)  # the jump along the fold
    windowed = np.where(above_hopf, 1.1, windowed)  # trivial plateau
    windowed = np.where(oscill, 0.9, windowed)
    spectrum = np.where(below_fold | above_hopf, 3.0, np.round(2.0 * bowl, 0) / 2.0 + 1e-3)  # plateaus
    pixel = np.where(below_fold, 40.0, np.floor(12 * bowl) / 2)  # exact zeros near the truth
    pixel = np.where(above_hopf, 25.0, pixel)
    grad = np.where((below_fold | above_hopf)[..., None], 0.0, dbowl)
    grad = np.where(oscill[..., None], 1e-9 * dbowl, grad)
    cls = np.full(shape, 2, np.int32)  # pattern
    cls[below_fold] = 1  # uniform
    cls[above_hopf] = 0  # trivial
    cls[oscill] = 3
    reason = np.full(shape, 1, np.int32)  # steady
    reason[oscill] = 2  # fixed_steps
    steps = np.where(oscill, 20000, (3000 + 4000 * np.abs(np.sin(300 * F + 200 * k))).astype(np.int64))
    valid = np.ones(shape, np.int8)
    corner = (F > 0.0383) & (k < 0.0585)
    valid[corner] = 0
    reason[corner] = 3
    rng = np.random.default_rng(7)
    flat = np.flatnonzero(~corner.ravel())
    for code, i in zip((4, 6, 5), rng.choice(flat, min(3, flat.size // 3), replace=False)):
        idx = np.unravel_index(i, shape)
        valid[idx] = 0
        reason[idx] = code
    bad = valid == 0
    cls[bad] = 4
    steps = np.where(bad, np.where(reason == 5, 20000, 150), steps)
    for arr in (windowed, spectrum, pixel):
        arr[bad] = np.nan
    grad[bad] = np.nan
    return {"windowed": windowed, "spectrum": spectrum, "pixel": pixel}, valid, reason, steps.astype(np.int64), cls, grad


def gallery(F, k, cls, g=24):
    y, x = np.mgrid[0:g, 0:g] / g * 2 * np.pi
    out = np.zeros(F.shape + (g, g), np.float32)
    for idx in np.ndindex(F.shape):
        c = cls[idx]
        if c == 0:
            v = np.zeros((g, g))
        elif c == 1:
            v = np.full((g, g), 0.22)
        elif c == 3:
            v = 0.15 + 0.1 * np.sin(3 * x + 2 * y)
        elif c == 4:
            v = np.full((g, g), np.nan)
        else:
            m = 2 + int(round((F[idx] - 0.03) / 0.01 * 3))
            spots = (0.5 + 0.5 * np.cos(m * x + 0.3 * m * y) * np.cos(m * y)) ** (1 + 60 * (k[idx] - 0.055))
            v = 0.35 * spots
        out[idx] = v
    return out


def curve_points(n0_values, function, gap=None):
    F = np.linspace(n0_values[0] - 0.002, n0_values[-1] + 0.002, 80)
    pts = np.stack([F, function(F)], axis=1)
    if gap is not None:
        cut = (F > gap[0]) & (F < gap[1])
        pts[cut] = np.nan  # rows of NaN separate pieces
    return pts


def cliffs_2d(F0, k1, windowed, valid, curves, threshold=0.3):
    xs, ys, jumps, kinds = [], [], [], []
    n1, n0 = windowed.shape
    for j in range(n1):
        for i in range(n0):
            for dj, di in ((0, 1), (1, 0)):
                jj, ii = j + dj, i + di
                if jj >= n1 or ii >= n0:
                    continue
                a, b = windowed[j, i], windowed[jj, ii]
                x, y = 0.5 * (F0[i] + F0[ii]), 0.5 * (k1[j] + k1[jj])
                if valid[j, i] != valid[jj, ii]:
                    xs.append(x), ys.append(y), jumps.append(np.nan), kinds.append(1)
                elif valid[j, i] and abs(a - b) > threshold:
                    xs.append(x), ys.append(y), jumps.append(abs(a - b)), kinds.append(0)
    xs, ys = np.array(xs), np.array(ys)
    dx, dy = F0[1] - F0[0], k1[1] - k1[0]
    pts = np.concatenate([c for c in curves.values()])
    pts = pts[np.all(np.isfinite(pts), axis=1)]
    dist = np.array([np.min(np.hypot((pts[:, 0] - x) / dx, (pts[:, 1] - y) / dy)) for x, y in zip(xs, ys)])
    dist[dist > 6] = np.nan  # "no curve nearby" for a few, to exercise NaN
    return xs, ys, np.array(jumps), np.array(kinds, np.int32), dist, threshold


def write_common(f, steps_cap):
    for key, value in TRUTH.items():
        f.attrs[key] = np.float64(value)
    f.attrs["grid"] = np.array([128, 128], np.int64)
    f.attrs["seed"] = np.int64(42)
    f.attrs["ts_type"] = np.bytes_(b"rk")
    f.attrs["options"] = np.bytes_(b"-gs_axes F,k -gs_n 17,17 (fake)")
    f.attrs["petsc_version"] = np.bytes_(b"3.18.0")
    f.attrs["git_revision"] = np.bytes_(b"fake")
    f.attrs["subcommand"] = np.bytes_(b"landscape")
    f.attrs["target_mode"] = np.bytes_(b"paper")
    f.attrs["targets"] = np.int64(4)
    f.attrs["steps"] = np.int64(steps_cap)
    f.attrs["format_version"] = np.int64(1)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("out")
    p.add_argument("--1d", dest="one_d", action="store_true")
    p.add_argument("--n", type=int)
    p.add_argument("--minimal", action="store_true")
    args = p.parse_args()
    with h5py.File(args.out, "w") as f:
        write_common(f, 20000)
        g = f.create_group("landscape")
        if args.one_d:
            n0 = args.n or 41
            axis0 = np.linspace(0.055, 0.07, n0)
            F = np.full(n0, TRUTH["F"])
            k = axis0
            g["axis0"] = axis0
            g["axis0"].attrs["name"] = np.bytes_(b"k")
        else:
            n = args.n or 17
            axis0, axis1 = np.linspace(0.03, 0.04, n), np.linspace(0.055, 0.07, n)
            k, F = np.meshgrid(axis1, axis0, indexing="ij")  # [n1][n0]
            g["axis0"], g["axis1"] = axis0, axis1
            g["axis0"].attrs["name"] = np.bytes_(b"F")
            g["axis1"].attrs["name"] = np.bytes_(b"k")
        losses, valid, reason, steps, cls, grad = fields(F, k)
        for name in (["windowed"] if args.minimal else ["pixel", "spectrum", "windowed"]):
            g[name] = losses[name]
            g[name].attrs["loss"] = np.bytes_(name.encode())
        g["valid"] = valid
        g["reason"] = reason
        g["reason"].attrs["names"] = np.bytes_(REASONS.encode())
        g["steps"] = steps
        g["class"] = cls
        g["class"].attrs["names"] = np.bytes_(CLASSES.encode())
        if not args.minimal:
            write_optional(g, args, axis0, F, k, losses, valid, cls, grad)
    print(f"wrote {args.out}")


def write_optional(g, args, axis0, F, k, losses, valid, cls, grad):
    """grad, grad_norm, gallery, curves and cliffs."""
    g["grad"] = grad
    g["grad_norm"] = np.linalg.norm(grad, axis=-1)
    g["gallery"] = gallery(F, k, cls)
    if args.one_d:
        # a 1-D slice: curves as their crossings of the axis, lone points (x, 0) as gsinv writes them
        crossings = {"fold": fold(TRUTH["F"]), "hopf": hopf(TRUTH["F"]), "turing_rise": turing(TRUTH["F"])}
        for name, x in crossings.items():
            g[f"curves/{name}"] = np.array([[x, 0.0]])
            g[f"curves/{name}"].attrs["label"] = np.bytes_(name.replace("_", " ").encode())
        w = losses["windowed"]
        mid = 0.5 * (axis0[1:] + axis0[:-1])
        jump = np.abs(np.diff(w))
        edge = valid[1:] != valid[:-1]
        keep = edge | (jump > 0.3)
        xs = mid[keep]
        dx = axis0[1] - axis0[0]
        dist = np.array([min(abs(x - c) for c in crossings.values()) / dx for x in xs])
        g["cliffs/x"], g["cliffs/y"] = xs, np.zeros(xs.size)
        g["cliffs/jump"] = np.where(edge[keep], np.nan, jump[keep])
        g["cliffs/kind"] = edge[keep].astype(np.int32)
        g["cliffs/distance"] = dist
        g["cliffs"].attrs["threshold"], g["cliffs"].attrs["loss"] = 0.3, np.bytes_(b"windowed")
    else:
        curves = {"fold": curve_points(axis0, fold), "hopf": curve_points(axis0, hopf, gap=(0.0345, 0.0362)),
                  "turing_rise": curve_points(axis0, turing)}
        for name, pts in curves.items():
            g[f"curves/{name}"] = pts
            g[f"curves/{name}"].attrs["label"] = np.bytes_({"fold": b"fold (saddle-node)", "hopf": b"Hopf",
                                                            "turing_rise": b"Turing (rise)"}[name])
        axis1 = g["axis1"][...]
        xs, ys, jumps, kinds, dist, thr = cliffs_2d(axis0, axis1, losses["windowed"], valid, curves)
        g["cliffs/x"], g["cliffs/y"], g["cliffs/jump"], g["cliffs/kind"], g["cliffs/distance"] = xs, ys, jumps, kinds, dist
        g["cliffs"].attrs["threshold"], g["cliffs"].attrs["loss"] = thr, np.bytes_(b"windowed")
        d = dist[(kinds == 0) & np.isfinite(dist)]
        g["cliffs"].attrs["median_distance"] = np.median(d)
        g["cliffs"].attrs["fraction_within_1"] = np.mean(d <= 1)
        g["cliffs"].attrs["fraction_within_2"] = np.mean(d <= 2)


if __name__ == "__main__":
    main()
