#!/usr/bin/python3
"""Draw a `gsinv invert` HDF5 file: an inversion's history, or a basin map (`gsinv invert -gs_basin`).

Usage: plot_inversion.py FILE.h5 [--landscape LANDSCAPE.h5] [-o PREFIX] [--loss pixel|spectrum|windowed] [--log]

Writes PREFIX_<what>.png (PREFIX defaults to FILE without .h5) and prints each name. A file that is still
being written (/inversion finished = 0) is drawn as it stands.

An inversion file (/inversion):
  history    the batch loss and the gradient norm |g| against the iteration (log axes), the SGD learning
             rate and the safeguard's retries when there are any; invalid iterations as red x on the floor
  params     each of F, k, Du, Dv relative to the truth (theta/theta_truth - 1, in %) and |relative error|
             (log) against the iteration; the absolute values when the truth is unknown (a running inversion
             without /inversion/theta_truth whose targets file cannot be found)
  landscape  (with --landscape) the trajectory projected onto the landscape's two axes over its heat map
             (start, end, invalid iterations, truth star, bifurcation curves); for a 1-D landscape the loss
             slice above and the parameter against the iteration below
A basin file (/basin):
  basin      left: what became of the inversion from each start (converged to the truth, stopped elsewhere,
             iteration cap, diverged, ...) with an arrow from each start to its final theta (projected onto
             the two axes); right: the final loss (log colours)
  basin_landscape  (with --landscape) the same arrows over the landscape's heat map, starts coloured by outcome
--loss: the landscape loss to draw (default: the inversion's loss when the landscape has it, else the first of
windowed, spectrum, pixel). --log: logarithmic landscape colours."""
import argparse
import os
import sys

import h5py
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.colors import BoundaryNorm, ListedColormap, LogNorm, Normalize  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gsinv_h5  # noqa: E402
import plot_landscape as PL  # noqa: E402
from gsinv_h5 import attr, fail  # noqa: E402

PARAMS = PL.PARAMS
PARAM_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd")
OUTCOME_COLOURS = {"to the truth": "#41ab5d", "converged": "#6baed6", "iteration_cap": "#fd8d3c", "diverged": "#e31a1c",
                   "safeguard_exhausted": "#984ea3", "invalid_start": "#3a3a3a", "invalid": "#3a3a3a", "plateau": "#bdbdbd"}
SPARE = ("#ffff33", "#a65628", "#f781bf", "#999999")


def number(value):
    """A number for a title (0.29999999999999999 -> 0.3); anything else unchanged."""
    try:
        return f"{float(value):.4g}"
    except (TypeError, ValueError):
        return value


def read_truth_from_targets(path, a):
    """The targets file's root F, k, Du, Dv (the truth) when the file's -gs_targets_file can be found
    (as given, or next to path); else None."""
    name = a.get("-gs_targets_file") or "targets.h5"
    for candidate in (name, os.path.join(os.path.dirname(os.path.abspath(path)), name)):
        if os.path.isfile(candidate):
            try:
                with h5py.File(candidate, "r") as f:
                    return np.array([float(f.attrs[p]) for p in PARAMS]), candidate
            except (OSError, KeyError, ValueError):
                continue
    return None, None


class Inversion:
    def __init__(self, path, f):
        self.path = path
        self.a = gsinv_h5.attrs(f)
        g = f["inversion"]
        for key in ("theta", "loss"):
            if key not in g:
                fail(f"{path}: /inversion has no {key}")
        self.theta = np.asarray(g["theta"][...], float).reshape(-1, 4)
        self.n = self.theta.shape[0]
        if self.n == 0:
            fail(f"{path}: /inversion holds no iterations yet")

        def get(key, fill, dtype=float):
            if key not in g:
                return np.full(self.n, fill, dtype)
            v = np.asarray(g[key][...], dtype).reshape(-1)
            if v.size != self.n:
                fail(f"{path}: /inversion/{key} has {v.size} entries, /inversion/theta {self.n}")
            return v

        self.loss = get("loss", np.nan)
        self.grad_norm = get("grad_norm", np.nan)
        self.lr = get("lr", np.nan)
        self.tries = get("lr_tries", 1, int)
        self.wall = get("wall_time", np.nan)
        self.step = get("step", 0, int) if "step" in g else np.arange(self.n)
        self.valid = get("valid", 1, int).astype(bool) & np.isfinite(self.loss)
        self.finished = int(g.attrs["finished"]) if "finished" in g.attrs else 0
        self.reason = attr(g, "reason", "")
        self.final = np.asarray(g["theta_final"][...], float).reshape(-1)[:4] if "theta_final" in g else None
        self.truth, self.truth_from = None, None
        if "theta_truth" in g:
            self.truth, self.truth_from = np.asarray(g["theta_truth"][...], float).reshape(-1)[:4], "/inversion/theta_truth"
        else:
            self.truth, self.truth_from = read_truth_from_targets(path, self.a)
        self.lossname = self.setting("-gs_loss")

    def setting(self, option):
        """A setting as text (the typed root attribute named like its option); None when the file has none."""
        return gsinv_h5.text(self.a.get(option), None)

    def end(self):
        """The last theta: theta_final when finished, else the last evaluated theta."""
        return self.final if self.final is not None else self.theta[-1]

    def title(self, what):
        optimizer = self.setting("-gs_optimizer")
        parts = [f"{optimizer or '?'}" + (f" {self.setting('-tao_type')}" if optimizer == "tao" and "-tao_type" in self.a else "")]
        if optimizer == "sgd":
            parts.append(f"lr {number(self.setting('-gs_lr'))}, weight decay {number(self.setting('-gs_weight_decay'))}")
        parts.append(f"reparam {self.setting('-gs_reparam') or '?'}")
        parts.append(f"loss {self.lossname or '?'}")
        parts.append(f"batch {self.setting('-gs_batch') or '?'}" + (" deterministic" if self.a.get("-gs_deterministic") else ""))
        grid = f"{self.a['-da_grid_x']}x{self.a['-da_grid_y']}" if "-da_grid_x" in self.a and "-da_grid_y" in self.a else None
        steps, tol = self.setting("-ts_max_steps"), self.a.get("-gs_steady_tol")
        if grid:
            parts.append(f"{grid}, " + (f"{steps} steps" if tol is None or float(tol) == 0 else f"tol {number(tol)}, cap {steps}"))
        state = {0: "running (or stopped)", 1: "finished", 2: "stopped at the iteration cap"}.get(self.finished, f"finished={self.finished}")
        status = f"{state} after {self.n} iterations" + (f": {self.reason}" if self.reason and self.finished != 2 else "")
        if np.isfinite(self.wall[-1]):
            status += f"; {wall_text(self.wall[-1])} wall"
        truth = "truth " + (" ".join(f"{p}={t:.4g}" for p, t in zip(PARAMS, self.truth)) if self.truth is not None else "unknown")
        return f"{what} - {os.path.basename(self.path)}\n{'; '.join(parts)}\n{status}; {truth}"


def wall_text(seconds):
    if seconds < 120:
        return f"{seconds:.3g} s"
    if seconds < 7200:
        return f"{seconds / 60:.3g} min"
    return f"{seconds / 3600:.3g} h"


class Basin:
    def __init__(self, path, f):
        self.path = path
        self.a = gsinv_h5.attrs(f)
        g = f["basin"]
        for key in ("axis0", "theta_start", "theta_final"):
            if key not in g:
                fail(f"{path}: /basin has no {key}")
        self.x = np.asarray(g["axis0"][...], float)
        self.xname = attr(g["axis0"], "name", "axis0")
        if "axis1" in g:
            self.y = np.asarray(g["axis1"][...], float)
            self.yname = attr(g["axis1"], "name", "axis1")
        else:  # a 1-D basin: one row
            self.y, self.yname = None, None
        self.shape = (self.y.size if self.y is not None else 1, self.x.size)

        def field(key, fill, dtype, extra=()):
            if key not in g:
                return np.full(self.shape + extra, fill, dtype)
            v = np.asarray(g[key][...], dtype)
            if v.size != int(np.prod(self.shape + extra)):
                fail(f"{path}: /basin/{key} has shape {v.shape}, expected {self.shape + extra} from the axes")
            return v.reshape(self.shape + extra)

        self.start = field("theta_start", np.nan, float, (4,))
        self.final = field("theta_final", np.nan, float, (4,))
        self.loss = field("loss", np.nan, float)
        self.iterations = field("iterations", -1, int)
        self.reason = field("reason", -1, int)
        self.reason_names = [s.strip() for s in attr(g["reason"], "names", "").split(",")] if "reason" in g else []
        self.converged = field("converged", 0, int).astype(bool)
        self.truth = np.asarray(g["theta_truth"][...], float).reshape(-1)[:4] if "theta_truth" in g else None
        if self.truth is None:
            self.truth, _ = read_truth_from_targets(path, self.a)
        for name in (self.xname, self.yname):
            if name is not None and name not in PARAMS:
                fail(f"{path}: basin axis {name!r} is not one of {', '.join(PARAMS)}")

    def outcomes(self):
        """Per start a category index, the category names and colours."""
        names, codes = [], np.zeros(self.shape, int)
        labels = np.empty(self.shape, object)
        for j in range(self.shape[0]):
            for i in range(self.shape[1]):
                if self.converged[j, i]:
                    labels[j, i] = "to the truth"
                else:
                    r = self.reason[j, i]
                    labels[j, i] = self.reason_names[r] if 0 <= r < len(self.reason_names) else f"reason {r}"
        order = ["to the truth"] + [n for n in OUTCOME_COLOURS if n != "to the truth"]
        present = [n for n in order if (labels == n).any()] + sorted({str(x) for x in labels.flat} - set(order))
        for k, n in enumerate(present):
            codes[labels == n] = k
            names.append(n)
        colours = [OUTCOME_COLOURS.get(n, SPARE[k % len(SPARE)]) for k, n in enumerate(names)]
        return codes, names, colours


def outcome_label(name):
    return {"to the truth": "converged to the truth", "converged": "converged elsewhere (not within 1% of the truth)",
            "iteration_cap": "iteration cap", "safeguard_exhausted": "safeguard exhausted",
            "invalid_start": "invalid start", "invalid": "invalid run at the final theta",
            "plateau": "stopped on the plateau"}.get(name, name.replace("_", " "))


# ---------------------------------------------------------------- helpers
def floor_marks(ax, x, mask, colour="red", label=None):
    """Red x at the bottom of ax (axes coordinates) at x[mask]."""
    if not mask.any():
        return None
    ax.plot(x[mask], np.full(mask.sum(), 0.03), "x", color=colour, markersize=6, mew=1.4,
            transform=ax.get_xaxis_transform(), clip_on=False, zorder=5)
    return Line2D([], [], marker="x", color=colour, mew=1.4, linestyle="none", label=label)


def log_positive(ax, values):
    v = values[np.isfinite(values) & (values > 0)]
    if v.size:
        ax.set_yscale("log")
    return v.size > 0


def pick_loss(L, wanted, inv_loss):
    if wanted is not None:
        if wanted not in L.losses:
            fail(f"the landscape has no /landscape/{wanted} (present: {', '.join(L.losses) or 'none'})")
        return wanted
    if inv_loss in L.losses:
        return inv_loss
    loss = next((n for n in PL.LOSSES if n in L.losses), None)
    if loss is None:
        fail("the landscape has no loss dataset (pixel, spectrum, windowed)")
    return loss


def heat(fig, ax, L, loss, log):
    """The landscape's heat map with its curves; returns legend handles."""
    values = L.losses[loss]
    bad = ~L.valid | ~np.isfinite(values)
    shown = np.where(bad, np.nan, values)
    if log:
        shown, floor = PL.floored(shown)
        norm = LogNorm(vmin=floor, vmax=np.nanmax(shown)) if floor is not None else Normalize()
    elif np.isfinite(shown).any():
        norm = Normalize(vmin=np.nanmin(shown), vmax=np.nanmax(shown))
    else:
        norm = Normalize(0, 1)
    cmap = plt.get_cmap("viridis").copy()
    cmap.set_bad(PL.INVALID_GREY)
    mesh = ax.pcolormesh(PL.edges(L.x), PL.edges(L.y), np.ma.masked_invalid(shown), cmap=cmap, norm=norm, shading="flat")
    fig.colorbar(mesh, ax=ax, pad=0.02).set_label(f"landscape {loss} loss" + (" (log)" if log else ""))
    handles = [PL.mark_invalid(ax, L, ~L.valid)]
    handles += PL.draw_curves(ax, L)
    return handles


def truth_star(ax, tx, ty, label):
    ax.scatter([tx], [ty], s=300, marker="*", color="gold", edgecolors="black", linewidths=1.2, zorder=9)
    return Line2D([], [], marker="*", color="gold", markeredgecolor="black", markersize=14, linestyle="none", label=label)


def set_limits(ax, xe, ye, xs, ys, reach=3.0):
    """Limits covering the cell edges xe, ye and the points xs, ys (finite ones up to reach spans beyond each
    side); returns how many finite points lie outside the limits."""
    def near(e, p):
        lo, hi = min(e[0], e[-1]), max(e[0], e[-1])
        return np.isfinite(p) & (p > lo - reach * (hi - lo)) & (p < hi + reach * (hi - lo))

    def lim(e, p):
        lo, hi = min(e[0], e[-1]), max(e[0], e[-1])
        p = p[keep]
        if p.size:
            plo, phi = min(lo, p.min()), max(hi, p.max())
            if plo < lo or phi > hi:
                pad = 0.04 * (phi - plo)
                lo, hi = (plo - pad if plo < lo else lo), (phi + pad if phi > hi else hi)
        return lo, hi
    xs, ys = np.asarray(xs, float), np.asarray(ys, float)
    keep = near(xe, xs) & near(ye, ys)  # points near the frame in both directions
    (x0, x1), (y0, y1) = lim(xe, xs), lim(ye, ys)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ok = np.isfinite(xs) & np.isfinite(ys)
    return int((ok & ((xs < x0) | (xs > x1) | (ys < y0) | (ys > y1))).sum())


def axis_indices(L, path):
    for name in (L.xname, L.yname):
        if name is not None and name not in PARAMS:
            fail(f"{path}: landscape axis {name!r} is not one of {', '.join(PARAMS)}")
    return PARAMS.index(L.xname), (PARAMS.index(L.yname) if L.yname is not None else None)


def off_slice(L, path_theta, axes):
    """A note on the parameters that are not on the landscape's axes: the slice value against the trajectory."""
    notes = []
    for q, p in enumerate(PARAMS):
        if q in axes:
            continue
        fixed = L.truth(p)
        v = path_theta[:, q][np.isfinite(path_theta[:, q])]
        if v.size == 0 or fixed is None:
            continue
        if np.allclose(v, fixed, rtol=1e-9, atol=0):
            continue
        notes.append(f"{p} {v[0]:.4g}->{v[-1]:.4g} (slice at {fixed:.4g})")
    return ("off the slice: " + ", ".join(notes)) if notes else "the other parameters equal the slice's"


# ---------------------------------------------------------------- inversion drawings
def draw_history(I):
    it = I.step
    sgd = np.isfinite(I.lr).any() and (I.lr[np.isfinite(I.lr)] > 0).any()
    retries = I.tries > 1
    rows = 3 if sgd else 2
    fig, axes = plt.subplots(rows, 1, figsize=(9, 2.6 * rows + 1.2), sharex=True)
    bad = ~I.valid
    ax = axes[0]
    loss, floor = PL.floored(np.where(I.valid, I.loss, np.nan))
    ax.plot(it, loss, "-", color="black", linewidth=1.2, marker="." if I.n <= 200 else None, markersize=4, label="batch loss")
    log_positive(ax, loss)
    handles = [Line2D([], [], color="black", linewidth=1.2, label="batch loss")]
    zero = I.valid & (I.loss <= 0)
    if zero.any() and floor is not None:
        handles.append(Line2D([], [], color="none", label=f"{zero.sum()} loss values <= 0 drawn at {floor:.2g}"))
    handles.append(floor_marks(ax, it, bad, label=f"invalid iteration ({bad.sum()})"))
    if I.lossname:
        ax.set_ylabel(f"{I.lossname} loss")
    else:
        ax.set_ylabel("loss")
    ax.legend(handles=[h for h in handles if h is not None], fontsize=8.5, loc="upper right")
    ax.grid(True, which="major", alpha=0.3)

    ax = axes[1]
    g, gfloor = PL.floored(np.where(I.valid, I.grad_norm, np.nan))
    ax.plot(it, g, "-", color="#1f77b4", linewidth=1.2, marker="." if I.n <= 200 else None, markersize=4)
    log_positive(ax, g)
    floor_marks(ax, it, bad)
    ax.set_ylabel("|g| (gradient norm)")
    ax.grid(True, which="major", alpha=0.3)

    if sgd:
        ax = axes[2]
        ax.plot(it, I.lr, "-", color="#2ca02c", linewidth=1.2, drawstyle="steps-post", marker="." if I.n <= 200 else None, markersize=4)
        log_positive(ax, I.lr)
        h = []
        if retries.any():
            ax.scatter(it[retries], I.lr[retries], marker="v", s=28, color="#ff7f0e", edgecolors="black", linewidths=0.4, zorder=5)
            h.append(Line2D([], [], marker="v", color="#ff7f0e", markeredgecolor="black", linestyle="none",
                            label=f"safeguard retried the step ({retries.sum()} iterations, {int((I.tries[retries] - 1).sum())} retries)"))
        h.append(floor_marks(ax, it, bad, label="invalid iteration"))
        h = [x for x in h if x is not None]
        if h:
            ax.legend(handles=h, fontsize=8.5, loc="best")
        ax.set_ylabel("learning rate")
        ax.grid(True, which="major", alpha=0.3)
    axes[-1].set_xlabel("iteration")
    axes[-1].xaxis.set_major_locator(MaxNLocator(integer=True))
    axes[-1].set_xlim(it[0] - 0.5, it[-1] + 0.5 if I.n > 1 else it[0] + 1.5)
    if I.n == 1:
        axes[-1].set_xticks([it[0]])
    axes[0].set_title(I.title("loss and gradient norm"), fontsize=9.5)
    fig.tight_layout()
    return fig


def draw_params(I):
    it = I.step
    bad = ~I.valid
    end_it = it[-1] + 1
    if I.truth is not None:
        rel = I.theta / I.truth - 1
        fig, (ax, bx) = plt.subplots(2, 1, figsize=(9, 7.4), sharex=True)
        for q, p in enumerate(PARAMS):
            ax.plot(it, 100 * rel[:, q], color=PARAM_COLOURS[q], linewidth=1.5, label=p)
            bx.plot(it, np.abs(rel[:, q]), color=PARAM_COLOURS[q], linewidth=1.5, label=p)
            if I.final is not None:
                r = I.final[q] / I.truth[q] - 1
                ax.plot([end_it], [100 * r], "s", color=PARAM_COLOURS[q], markeredgecolor="black", markersize=6)
                bx.plot([end_it], [abs(r)], "s", color=PARAM_COLOURS[q], markeredgecolor="black", markersize=6)
        ax.axhline(0, color="gold", linewidth=2, linestyle="--", zorder=0)
        ax.set_ylabel("theta / theta_truth - 1  (%)")
        handles = ax.get_legend_handles_labels()[0]
        handles.append(Line2D([], [], color="gold", linestyle="--", linewidth=2, label="truth"))
        if I.final is not None:
            handles.append(Line2D([], [], marker="s", color="0.6", markeredgecolor="black", linestyle="none", label="theta_final"))
        h = floor_marks(ax, it, bad, label=f"invalid iteration ({bad.sum()})")
        if h is not None:
            handles.append(h)
        ax.legend(handles=handles, fontsize=8.5, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
        log_positive(bx, np.abs(rel))
        bx.axhline(1e-2, color="0.4", linestyle=":", linewidth=1.2)
        bx.text(1.01, 1e-2, "1%", transform=bx.get_yaxis_transform(), fontsize=8, va="center", color="0.3")
        floor_marks(bx, it, bad)
        bx.set_ylabel("|theta / theta_truth - 1|")
        for a in (ax, bx):
            a.grid(True, alpha=0.3)
        bx.set_xlabel("iteration")
        bx.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_title(I.title("parameters relative to the truth") + f"\n(truth from {I.truth_from})", fontsize=9.5)
    else:
        fig, axes = plt.subplots(4, 1, figsize=(9, 8.5), sharex=True)
        for q, (a, p) in enumerate(zip(axes, PARAMS)):
            a.plot(it, I.theta[:, q], color=PARAM_COLOURS[q], linewidth=1.5)
            if I.final is not None:
                a.plot([end_it], [I.final[q]], "s", color=PARAM_COLOURS[q], markeredgecolor="black")
            floor_marks(a, it, bad)
            a.set_ylabel(p)
            a.grid(True, alpha=0.3)
        axes[-1].set_xlabel("iteration")
        axes[-1].xaxis.set_major_locator(MaxNLocator(integer=True))
        axes[0].set_title(I.title("parameters (truth unknown: no /inversion/theta_truth and no targets file found)"), fontsize=9.5)
    fig.tight_layout()
    return fig


def draw_inversion_on_landscape(I, L, loss, log, lpath):
    qx, qy = axis_indices(L, lpath)
    path = np.vstack([I.theta, I.final[None, :]]) if I.final is not None else I.theta
    start, end = I.theta[0], I.end()
    truth = I.truth if I.truth is not None else np.array([L.truth(p) if L.truth(p) is not None else np.nan for p in PARAMS])
    if not L.two_d:
        fig, (ax, bx) = plt.subplots(2, 1, figsize=(8.8, 7.4), sharex=True, gridspec_kw={"height_ratios": [1, 1.3]})
        values = L.losses[loss]
        ok = L.valid & np.isfinite(values)
        ax.plot(L.x[ok], values[ok], "o-", color="black", markersize=3, linewidth=1.4, label=f"landscape {loss} loss")
        if log:
            log_positive(ax, values[ok])
        h = [Line2D([], [], marker="o", color="black", markersize=3, label=f"landscape {loss} loss")]
        h += PL.mark_invalid_1d(ax, L, ~L.valid)
        ax.set_ylabel(f"{loss} loss")
        bx.plot(path[:, qx], np.arange(path.shape[0]), color="#1f77b4", linewidth=1.5)
        bad = np.flatnonzero(~I.valid)
        bx.plot(I.theta[bad, qx], bad, "x", color="red", mew=1.4)
        bx.plot([start[qx]], [0], "o", color="cyan", markeredgecolor="black", markersize=9)
        bx.plot([end[qx]], [path.shape[0] - 1], "s", markerfacecolor="none", markeredgecolor="red", mew=2.2, markersize=10)
        bx.set_ylabel("iteration")
        bx.yaxis.set_major_locator(MaxNLocator(integer=True))
        bx.set_xlabel(L.xname)
        for a in (ax, bx):
            for value, colour, style in ((start[qx], "cyan", ":"), (end[qx], "red", ":"), (truth[qx], "gold", "--")):
                if np.isfinite(value):
                    a.axvline(value, color=colour, linestyle=style, linewidth=1.6, path_effects=PL.outline(2.8), zorder=2)
        h += [Line2D([], [], color="#1f77b4", linewidth=1.5, label="trajectory (parameter against iteration)"),
              Line2D([], [], color="cyan", linestyle=":", marker="o", markeredgecolor="black", label=f"start {L.xname}={start[qx]:.4g}"),
              Line2D([], [], color="red", linestyle=":", marker="s", markerfacecolor="none", mew=2, label=f"end {L.xname}={end[qx]:.4g}"),
              Line2D([], [], color="gold", linestyle="--", label=f"truth {L.xname}={truth[qx]:.4g}")]
        if bad.size:
            h.append(Line2D([], [], marker="x", color="red", linestyle="none", label=f"invalid iteration ({bad.size})"))
        xs = np.concatenate([path[:, qx], [truth[qx]]])
        outside = set_limits(bx, PL.edges(L.x), np.array([0.0, 1.0]), xs, np.full(xs.size, 0.5))
        bx.set_ylim(-0.5, path.shape[0] - 0.5)
        if outside:
            h.append(Line2D([], [], color="none", label=f"{outside} points of the trajectory lie outside the frame"))
        PL.legend_below(bx, h, ncol=2)
        ax.set_title(I.title(f"trajectory on the landscape {os.path.basename(lpath)}") + "\n" + off_slice(L, path, (qx,)), fontsize=9)
    else:
        fig, ax = plt.subplots(figsize=(8.4, 7.2))
        handles = heat(fig, ax, L, loss, log)
        x, y = path[:, qx], path[:, qy]
        ax.plot(x, y, "-", color="white", linewidth=1.8, path_effects=PL.outline(3.6), zorder=6)
        if path.shape[0] <= 60:
            ax.plot(x, y, ".", color="white", markersize=4, zorder=6)
        bad = np.flatnonzero(~I.valid)
        if bad.size:
            ax.plot(I.theta[bad, qx], I.theta[bad, qy], "x", color="red", mew=1.8, markersize=8, zorder=7)
        ax.plot([start[qx]], [start[qy]], "o", color="cyan", markeredgecolor="black", markersize=11, zorder=8)
        ax.plot([end[qx]], [end[qy]], "s", markerfacecolor="none", markeredgecolor="red", mew=2.2, markersize=11, zorder=10,
                path_effects=PL.outline(3.6))
        handles += [Line2D([], [], color="white", linewidth=1.8, path_effects=PL.outline(3.6), label=f"trajectory ({I.n} iterations)"),
                    Line2D([], [], marker="o", color="cyan", markeredgecolor="black", linestyle="none", markersize=10,
                           label=f"start ({L.xname}={start[qx]:.4g}, {L.yname}={start[qy]:.4g})"),
                    Line2D([], [], marker="s", markerfacecolor="none", markeredgecolor="red", mew=2.2, linestyle="none", markersize=10,
                           label=f"{'final' if I.final is not None else 'latest'} ({L.xname}={end[qx]:.4g}, {L.yname}={end[qy]:.4g})")]
        if bad.size:
            handles.append(Line2D([], [], marker="x", color="red", linestyle="none", mew=1.8, label=f"invalid iteration ({bad.size})"))
        if np.isfinite(truth[[qx, qy]]).all():
            handles.append(truth_star(ax, truth[qx], truth[qy], f"truth ({L.xname}={truth[qx]:.4g}, {L.yname}={truth[qy]:.4g})"))
        outside = set_limits(ax, PL.edges(L.x), PL.edges(L.y), np.append(x, truth[qx]), np.append(y, truth[qy]))
        if outside:
            handles.append(Line2D([], [], color="none", label=f"{outside} points of the trajectory lie outside the frame"))
        zoom_inset(fig, ax, L, loss, log, x, y, I, qx, qy, start, end, truth)
        ax.set_xlabel(L.xname)
        ax.set_ylabel(L.yname)
        PL.legend_below(ax, handles)
        ax.set_title(I.title(f"trajectory on the landscape {os.path.basename(lpath)}") + "\n" + off_slice(L, path, (qx, qy)), fontsize=9)
    fig.tight_layout()
    return fig


def zoom_inset(fig, ax, L, loss, log, x, y, I, qx, qy, start, end, truth):
    """A magnified view of the trajectory when it covers less than a fifth of the frame in both directions."""
    px = np.append(x, truth[qx])
    py = np.append(y, truth[qy])
    ok = np.isfinite(px) & np.isfinite(py)
    if ok.sum() < 2:
        return
    px, py = px[ok], py[ok]
    (fx0, fx1), (fy0, fy1) = ax.get_xlim(), ax.get_ylim()
    wx, wy = np.ptp(px), np.ptp(py)
    if wx > 0.2 * (fx1 - fx0) or wy > 0.2 * (fy1 - fy0):
        return
    # a square-ish window around the trajectory (in frame fractions), at least 2% of the frame
    half = 0.6 * max(wx / (fx1 - fx0), wy / (fy1 - fy0), 0.02)
    cx, cy = 0.5 * (px.min() + px.max()), 0.5 * (py.min() + py.max())
    zx = (cx - half * (fx1 - fx0), cx + half * (fx1 - fx0))
    zy = (cy - half * (fy1 - fy0), cy + half * (fy1 - fy0))
    # the corner farthest from the trajectory
    ux, uy = (cx - fx0) / (fx1 - fx0), (cy - fy0) / (fy1 - fy0)
    left = 0.03 if ux > 0.5 else 0.59
    bottom = 0.03 if uy > 0.5 else 0.59
    inset = ax.inset_axes([left, bottom, 0.38, 0.38])
    values = np.where(L.valid & np.isfinite(L.losses[loss]), L.losses[loss], np.nan)
    mesh = ax.collections[0]  # the heat map: same colours
    inset.pcolormesh(PL.edges(L.x), PL.edges(L.y), np.ma.masked_invalid(PL.floored(values)[0] if log else values),
                     cmap=mesh.get_cmap(), norm=mesh.norm, shading="flat")
    inset.plot(x, y, "-", color="white", linewidth=1.5, path_effects=PL.outline(3.0), zorder=6)
    inset.plot(x, y, ".", color="white", markersize=3, zorder=6)
    bad = np.flatnonzero(~I.valid)
    if bad.size:
        inset.plot(I.theta[bad, qx], I.theta[bad, qy], "x", color="red", mew=1.5, markersize=6, zorder=7)
    inset.plot([start[qx]], [start[qy]], "o", color="cyan", markeredgecolor="black", markersize=8, zorder=8)
    if np.isfinite(truth[[qx, qy]]).all():
        inset.scatter([truth[qx]], [truth[qy]], s=180, marker="*", color="gold", edgecolors="black", linewidths=1.0, zorder=9)
    inset.plot([end[qx]], [end[qy]], "s", markerfacecolor="none", markeredgecolor="red", mew=1.8, markersize=9, zorder=10,
               path_effects=PL.outline(3.0))
    inset.set_xlim(*zx)
    inset.set_ylim(*zy)
    inset.tick_params(labelsize=6.5, colors="black")
    inset.set_facecolor("white")
    for spine in inset.spines.values():
        spine.set_edgecolor("white")
        spine.set_linewidth(1.5)
    ax.indicate_inset_zoom(inset, edgecolor="white", alpha=0.9)


# ---------------------------------------------------------------- basin drawings
def basin_arrows(ax, B, qx, qy, colour="black"):
    """An arrow from each start to its final theta (projected), at most ~25 per axis; the final theta of the
    starts that did not reach the truth as x; starts that never moved ringed. Returns legend handles."""
    jj = PL.subsample(B.shape[0], 25)
    ii = PL.subsample(B.shape[1], 25)
    s = B.start[np.ix_(jj, ii)]
    e = B.final[np.ix_(jj, ii)]
    conv = B.converged[np.ix_(jj, ii)].ravel()
    x0, y0 = s[..., qx].ravel(), (s[..., qy].ravel() if qy is not None else np.zeros(s[..., qx].size))
    x1, y1 = e[..., qx].ravel(), (e[..., qy].ravel() if qy is not None else np.zeros(e[..., qx].size))
    ok = np.isfinite(x0) & np.isfinite(y0) & np.isfinite(x1) & np.isfinite(y1)
    moved = ok & ((x1 != x0) | (y1 != y0))
    legend = "0.3" if colour == "white" else colour
    handles = []
    if moved.any():
        ax.quiver(x0[moved], y0[moved], (x1 - x0)[moved], (y1 - y0)[moved], angles="xy", scale_units="xy", scale=1,
                  width=0.0028, headwidth=4, headlength=5, color=colour, zorder=6, alpha=0.9,
                  edgecolor="black" if colour == "white" else colour, linewidth=0.4 if colour == "white" else 0)
        handles.append(Line2D([], [], marker=r"$\rightarrow$", color=legend, linestyle="none", markersize=14,
                              label="start -> final theta (projected)" + (", subsampled" if len(jj) < B.shape[0] or len(ii) < B.shape[1] else "")))
    away = moved & ~conv
    if away.any():
        ax.scatter(x1[away], y1[away], s=42, marker="X", color="white", edgecolors="black", linewidths=0.8, zorder=7)
        handles.append(Line2D([], [], marker="X", color="white", markeredgecolor="black", mew=0.8, markersize=8, linestyle="none",
                              label=f"final theta away from the truth ({away.sum()})"))
    still = ok & ~moved
    if still.any():
        ax.scatter(x0[still], y0[still], s=80, marker="o", facecolors="none", edgecolors="black", linewidths=3.0, zorder=7)
        ax.scatter(x0[still], y0[still], s=80, marker="o", facecolors="none", edgecolors="white", linewidths=1.4, zorder=7)
        handles.append(Line2D([], [], marker="o", markerfacecolor="none", markeredgecolor="black", mew=1.6, markersize=9, linestyle="none",
                              label=f"did not move in ({B.xname}, {B.yname}) ({still.sum()})" if qy is not None else f"did not move in {B.xname} ({still.sum()})"))
    return handles


def basin_title(B, what):
    total = B.converged.size
    its = B.iterations[B.iterations >= 0]
    counts = f"{B.converged.sum()} of {total} starts converged to the truth (within 1% in every parameter)"
    if its.size:
        counts += f"; iterations median {int(np.median(its))}, max {its.max()}"
    truth = "truth " + (" ".join(f"{p}={t:.4g}" for p, t in zip(PARAMS, B.truth)) if B.truth is not None else "unknown")
    opt = B.a.get("-gs_optimizer") or "?"
    tao = B.a.get("-tao_type") if opt == "tao" else None
    grid = " x ".join(str(n) for n in reversed(B.shape)) if B.y is not None else str(B.x.size)
    return f"{what} - {os.path.basename(B.path)} [{grid} starts; {opt}{' ' + tao if tao else ''}]\n{counts}\n{truth}"


def basin_y(B):
    return B.y if B.y is not None else np.array([0.0])


def draw_basin(B):
    qx = PARAMS.index(B.xname)
    qy = PARAMS.index(B.yname) if B.yname is not None else None
    codes, names, colours = B.outcomes()
    xe, ye = PL.edges(B.x), PL.edges(basin_y(B))
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(15, 6.6))
    cmap = ListedColormap(colours)
    norm = BoundaryNorm(np.arange(len(names) + 1) - 0.5, len(names))
    ax.pcolormesh(xe, ye, codes, cmap=cmap, norm=norm, shading="flat")
    handles = [Patch(facecolor=colours[k], edgecolor="0.3", label=f"{outcome_label(n)} ({(codes == k).sum()})") for k, n in enumerate(names)]
    handles += basin_arrows(ax, B, qx, qy)
    truth = B.truth
    for a in (ax, bx):
        a.set_xlabel(B.xname)
        a.set_ylabel(B.yname or "")
        if B.yname is None:
            a.set_yticks([])
    if truth is not None:
        ty = truth[qy] if qy is not None else 0.0
        handles.append(truth_star(ax, truth[qx], ty, f"truth ({B.xname}={truth[qx]:.4g}" + (f", {B.yname}={ty:.4g})" if qy is not None else ")")))
        truth_star(bx, truth[qx], ty, "")
    fx, fy = B.final[..., qx].ravel(), (B.final[..., qy].ravel() if qy is not None else np.zeros(B.final[..., qx].size))
    outside = set_limits(ax, xe, ye, fx, fy)
    if outside:
        handles.append(Line2D([], [], color="none", label=f"{outside} final thetas lie outside the frame"))
    PL.legend_below(ax, handles)
    ax.set_title("outcome of the inversion from each start", fontsize=10)

    loss, floor = PL.floored(np.where(np.isfinite(B.loss), B.loss, np.nan))
    cm = plt.get_cmap("magma").copy()
    cm.set_bad(PL.INVALID_GREY)
    lnorm = LogNorm(vmin=floor, vmax=np.nanmax(loss)) if floor is not None and np.nanmax(loss) > floor else Normalize()
    mesh = bx.pcolormesh(xe, ye, np.ma.masked_invalid(loss), cmap=cm, norm=lnorm, shading="flat")
    bar = fig.colorbar(mesh, ax=bx, pad=0.02)
    bar.set_label("final loss (log)")
    nan = ~np.isfinite(B.loss)
    h2 = []
    zero = np.isfinite(B.loss) & (B.loss <= 0)
    if zero.any() and floor is not None:
        h2.append(Line2D([], [], color="none", label=f"{zero.sum()} losses <= 0 drawn at {floor:.2g}"))
    if nan.any():
        h2.append(Patch(facecolor=PL.INVALID_GREY, edgecolor="0.3", label=f"no final loss ({nan.sum()})"))
    conv = B.converged
    if conv.any():
        jj, ii = np.nonzero(conv)
        bx.scatter(B.x[ii], basin_y(B)[jj], s=10, marker="o", facecolors="none", edgecolors="#41ab5d", linewidths=1.0, zorder=5)
        h2.append(Line2D([], [], marker="o", color="#41ab5d", markerfacecolor="none", linestyle="none", label="converged to the truth"))
    bx.set_xlim(*sorted(xe[[0, -1]]))
    bx.set_ylim(*sorted(ye[[0, -1]]))
    if h2:
        PL.legend_below(bx, h2)
    bx.set_title("final loss from each start", fontsize=10)
    fig.suptitle(basin_title(B, "basin map"), fontsize=9.5)
    fig.tight_layout()
    return fig


def check_basin_landscape(B, L, lpath):
    if not L.two_d or B.yname is None:
        fail(f"a basin map is drawn over a 2-D landscape with the same two axes ({lpath} is 1-D or the basin is)")
    if {L.xname, L.yname} != {B.xname, B.yname}:
        fail(f"the landscape's axes ({L.xname}, {L.yname}) are not the basin's ({B.xname}, {B.yname})")


def draw_basin_on_landscape(B, L, loss, log, lpath):
    qx, qy = PARAMS.index(L.xname), PARAMS.index(L.yname)
    codes, names, colours = B.outcomes()
    fig, ax = plt.subplots(figsize=(8.6, 7.4))
    handles = heat(fig, ax, L, loss, log)
    sx, sy = B.start[..., qx], B.start[..., qy]
    for k, n in enumerate(names):
        sel = codes == k
        ax.scatter(sx[sel], sy[sel], s=30 if max(B.shape) <= 25 else 12, marker="o", color=colours[k], edgecolors="black", linewidths=0.5, zorder=7)
        handles.append(Line2D([], [], marker="o", color=colours[k], markeredgecolor="black", linestyle="none",
                              label=f"start: {outcome_label(n)} ({sel.sum()})"))
    handles += basin_arrows(ax, B, qx, qy, colour="white")
    truth = B.truth if B.truth is not None else np.array([L.truth(p) if L.truth(p) is not None else np.nan for p in PARAMS])
    if np.isfinite(truth[[qx, qy]]).all():
        handles.append(truth_star(ax, truth[qx], truth[qy], f"truth ({L.xname}={truth[qx]:.4g}, {L.yname}={truth[qy]:.4g})"))
    outside = set_limits(ax, PL.edges(L.x), PL.edges(L.y), np.concatenate([sx.ravel(), B.final[..., qx].ravel()]),
                         np.concatenate([sy.ravel(), B.final[..., qy].ravel()]))
    if outside:
        handles.append(Line2D([], [], color="none", label=f"{outside} starts or final thetas lie outside the frame"))
    ax.set_xlabel(L.xname)
    ax.set_ylabel(L.yname)
    PL.legend_below(ax, handles)
    ax.set_title(basin_title(B, f"basin map over the landscape {os.path.basename(lpath)}"), fontsize=9)
    fig.tight_layout()
    return fig


def figures(kind, obj, L=None, loss=None, log=False, lpath=None):
    """(what, Figure) of each drawing, one at a time: of an Inversion (kind "inversion") or a Basin
    ("basin"), over the Landscape L read from lpath when given (loss: the landscape loss asked for)."""
    if kind == "inversion":
        yield "history", draw_history(obj)
        yield "params", draw_params(obj)
        if L is not None:
            yield "landscape", draw_inversion_on_landscape(obj, L, pick_loss(L, loss, obj.lossname), log, lpath)
    else:
        if L is not None:
            check_basin_landscape(obj, L, lpath)
        yield "basin", draw_basin(obj)
        if L is not None:
            yield "basin_landscape", draw_basin_on_landscape(obj, L, pick_loss(L, loss, None), log, lpath)


# ---------------------------------------------------------------- main
def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file", help="a gsinv invert output (/inversion) or basin map (/basin)")
    parser.add_argument("--landscape", metavar="LANDSCAPE.h5", help="a gsinv landscape file to draw the trajectory or basin over")
    parser.add_argument("-o", "--output", metavar="PREFIX", help="output prefix (default: FILE without .h5)")
    parser.add_argument("--loss", help="landscape loss: pixel, spectrum or windowed (default: the inversion's loss if present)")
    parser.add_argument("--log", action="store_true", help="logarithmic landscape colours")
    args = parser.parse_args()
    if args.loss is not None and args.loss not in PL.LOSSES:
        fail(f"unknown loss {args.loss!r} (choose pixel, spectrum or windowed)")

    if not os.path.exists(args.file) and os.path.isdir(args.file + ".journal"):
        fail(f"{args.file} is not written yet: {args.file}.journal holds the finished starts of a basin map in progress; "
             "run the same gsinv command again to finish it")
    if os.path.isdir(args.file):
        fail(f"{args.file} is a directory, not an HDF5 file" + (" (a basin map's journal: the map is written next to it when it ends)" if args.file.rstrip("/").endswith(".journal") else ""))
    with gsinv_h5.open_checked(args.file) as f:
        if "inversion" in f:
            kind, obj = "inversion", Inversion(args.file, f)
        elif "basin" in f:
            kind, obj = "basin", Basin(args.file, f)
        else:
            gsinv_h5.missing(f, args.file, "inversion or /basin", "write it with gsinv invert (or gsinv invert -gs_basin)")
    L = None
    if args.landscape:
        gsinv_h5.exists(args.landscape, "--landscape")
        L = PL.Landscape(args.landscape)
        if not L.losses:
            fail(f"{args.landscape}: /landscape has no loss dataset")
    prefix = gsinv_h5.output_prefix(args.file, args.output)

    written = []
    for what, fig in figures(kind, obj, L, args.loss, args.log, args.landscape):
        PL.save(fig, prefix, what, written)

if __name__ == "__main__":
    main()
