#!/usr/bin/python3
"""Draw the closed-form residual-loss landscape of `gsinv residual` next to the unrolled-simulation loss
landscape of `gsinv landscape`, both with the bifurcation curves.

Usage: plot_residual.py RESIDUAL.h5 [LANDSCAPE.h5] [-o PNG] [--loss windowed|spectrum|pixel] [--log]

RESIDUAL.h5 comes from `gsinv residual ... -gs_like LANDSCAPE.h5` (same axes as the landscape) or from
`gsinv residual ... -gs_axes A[,B] -gs_lo .. -gs_hi .. -gs_n ..`; it must hold /residual_landscape.
2-D files: left panel the unrolled loss of LANDSCAPE.h5 (invalid cells grey with an x; linear colours
unless --log), right panel the residual loss mean(r_u^2 + r_v^2) (always logarithmic colours: it is a
quadratic bowl spanning decades). Both carry the bifurcation curves (from LANDSCAPE.h5 when its axes
have the same names, else recomputed from the closed forms of docs/model.md section 4 when the axes are F
and k: fold k = sqrt(F)/2 - F, Hopf F_H(k) = [sqrt(k) - 2k - sqrt(k - 4k^(3/2))]/2 for 0 < k <= 1/16),
the ground truth (gold star: /residual/truth, else the landscape's root attributes) and the residual
minimiser theta_hat (/residual/theta, white ring). Without LANDSCAPE.h5 only the right panel is drawn.
1-D files: both losses as curves against the shared axis (log y, the residual on its own right-hand
scale), with the curve crossings, the ground truth and theta_hat as vertical lines.
-o: the PNG to write (default RESIDUAL without .h5 + _residual.png). --loss: which unrolled loss
(default the first present of windowed, spectrum, pixel). --log: logarithmic colours for the unrolled
loss too."""
import argparse
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.colors import LogNorm, Normalize  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gsinv_h5  # noqa: E402
import plot_landscape  # noqa: E402
from gsinv_h5 import attr, fail, warn  # noqa: E402
from plot_landscape import (LOSSES, PARAMS, INVALID_GREY, draw_curves, draw_lines_1d, edges, floored,  # noqa: E402
                            frame, mark_invalid, mark_invalid_1d, outline)

BOGDANOV_TAKENS = 1.0 / 16.0
CURVE_SAMPLES = 400
THETA = r"$\hat\theta$"
THETA_STYLE = dict(marker="o", markerfacecolor="none", markeredgecolor="white", markeredgewidth=2.2)
UNROLLED_COLOUR, RESIDUAL_COLOUR = "#1f4e9a", "#222222"


def fmt(theta):
    return "  ".join(f"{n}={v:.5g}" for n, v in zip(PARAMS, theta))


# ---------------------------------------------------------------- the residual file
class Residual:
    """/residual and /residual_landscape of a `gsinv residual` file, shaped like plot_landscape.Landscape
    where the drawing helpers need it (x, y, xname, yname, two_d, shape, curves, map_curves, truth())."""

    def __init__(self, path):
        need = ("residual_landscape", "residual_landscape/axis0", "residual_landscape/loss")
        hint = "write it with gsinv residual -gs_input SIM.h5 -gs_like LANDSCAPE.h5 (or -gs_axes F,k -gs_lo .. -gs_hi .. -gs_n ..)"
        with gsinv_h5.open_checked(path, need, hint) as f:
            self.a = gsinv_h5.attrs(f)
            g = f["residual_landscape"]
            self.x = g["axis0"][...].astype(float).ravel()
            self.xname = attr(g["axis0"], "name", "axis0")
            self.two_d = "axis1" in g
            if self.two_d:
                self.y = g["axis1"][...].astype(float).ravel()
                self.yname = attr(g["axis1"], "name", "axis1")
                self.shape = (self.y.size, self.x.size)
            else:
                self.y, self.yname, self.shape = None, None, (self.x.size,)
            self.loss = np.asarray(g["loss"][...], float)
            if self.loss.shape != self.shape:
                fail(f"{path}: /residual_landscape/loss has shape {self.loss.shape}, expected {self.shape} from the axes")
            self.base = self.vector(g, "base")
            r = f["residual"] if "residual" in f else None
            if r is None:
                warn(f"{path} has no /residual group: theta_hat and the ground truth are not marked")
            self.theta = self.vector(r, "theta") if r is not None else None
            self.file_truth = self.vector(r, "truth") if r is not None else None
            self.loss_hat = float(r["loss"][()]) if r is not None and "loss" in r else None
            self.form = attr(r, "form") if r is not None else None
            self.noise = attr(r, "obs_noise") if r is not None else None
            self.fraction = attr(r, "obs_fraction") if r is not None else None
        self.fallback_truth = {}  # filled from the landscape file when the residual file has no truth
        self.curves = {}
        self.map_curves = set()  # names of the simulated map's curves (drawn dashed), as in a Landscape

    @staticmethod
    def vector(g, name):
        if name not in g:
            return None
        v = np.asarray(g[name][...], float).ravel()
        return v if v.size == len(PARAMS) else None

    def truth(self, name):
        if name in PARAMS and self.file_truth is not None:
            return float(self.file_truth[PARAMS.index(name)])
        return self.fallback_truth.get(name)

    def theta_of(self, name):
        return float(self.theta[PARAMS.index(name)]) if self.theta is not None and name in PARAMS else None

    def base_of(self, name):
        if name not in PARAMS:
            return None
        if self.base is not None:
            return float(self.base[PARAMS.index(name)])
        return self.theta_of(name)

    def title(self):
        lines = ["closed-form residual loss  mean($r_u^2 + r_v^2$)  (log colours)"]
        if self.theta is not None:
            hat = f"{THETA}  {fmt(self.theta)}"
            if self.loss_hat is not None:
                hat += f"   loss({THETA}) = {self.loss_hat:.3g}"
            lines.append(hat)
        off = [n for n in PARAMS if n not in (self.xname, self.yname)]
        if self.base is not None and off:
            at_hat = self.theta is not None and np.allclose(self.base, self.theta, rtol=1e-12, atol=0)
            fixed = ", ".join(f"{n}={self.base_of(n):.5g}" for n in off)
            run = [f"form {self.form}"] if self.form else []
            if self.noise:
                run.append(f"obs noise {self.noise:.3g}")
            if self.fraction is not None and self.fraction < 1:
                run.append(f"obs fraction {self.fraction:.3g}")
            lines.append(f"{fixed} fixed ({('at ' + THETA) if at_hat else 'as given'})" + (f"; {', '.join(run)}" if run else ""))
        return "\n".join(lines)


# ---------------------------------------------------------------- bifurcation curves from docs/model.md section 4
def fold_k(F):
    return 0.5 * np.sqrt(F) - F


def hopf_F(k):
    """F_H(k) = [sqrt k - 2k - sqrt(k - 4 k^(3/2))]/2, evaluated as 2 k sqrt k / (1 - 2 sqrt k + sqrt(1 - 4 sqrt k))."""
    sk = np.sqrt(k)
    return 2.0 * k * sk / (1.0 - 2.0 * sk + np.sqrt(np.maximum(0.0, 1.0 - 4.0 * sk)))


def hopf_k(F):
    """The k in (0, 1/16] with F_H(k) = F (F_H rises there), by bisection; None if there is none."""
    if not (0 < F <= hopf_F(BOGDANOV_TAKENS)):
        return None
    lo, hi = 1e-12, BOGDANOV_TAKENS
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if hopf_F(mid) < F else (lo, mid)
    return 0.5 * (lo + hi)


def model_curves(R):
    """Fold and Hopf in the residual file's axes: polylines on an (F, k) plane, lone points (x, 0) on a
    1-D slice along F or k (the other one at /residual_landscape/base). Empty for other axes."""
    curves = {}

    def span(values):
        e = edges(values)
        return min(e[0], e[-1]), max(e[0], e[-1])

    if R.two_d:
        if {R.xname, R.yname} != {"F", "k"}:
            return curves
        Fr = span(R.x if R.xname == "F" else R.y)
        kr = span(R.y if R.xname == "F" else R.x)
        swap = R.xname == "k"
        pairs = {}
        if Fr[1] > max(Fr[0], 0.0):
            F = np.linspace(max(Fr[0], 0.0), Fr[1], CURVE_SAMPLES)
            pairs["fold"] = (F, fold_k(F))
        klo, khi = max(kr[0], 1e-12), min(kr[1], BOGDANOV_TAKENS)
        if khi > klo:
            k = np.linspace(klo, khi, CURVE_SAMPLES)
            pairs["hopf"] = (hopf_F(k), k)
        for name, (F, k) in pairs.items():
            pts = np.column_stack([k, F] if swap else [F, k])
            curves[name] = (pts, name)
        return curves
    lo, hi = span(R.x)
    xs = {}
    if R.xname == "k" and R.base_of("F") is not None:
        F = R.base_of("F")
        xs = {"fold": [fold_k(F)] if F >= 0 else [], "hopf": [hopf_k(F)]}
    elif R.xname == "F" and R.base_of("k") is not None and R.base_of("k") <= BOGDANOV_TAKENS:
        k = R.base_of("k")
        d = np.sqrt(max(0.25 - 4 * k, 0.0))
        xs = {"fold": [((0.5 + s * d) / 2) ** 2 for s in (-1, 1)], "hopf": [hopf_F(k)] if k > 0 else []}
    for name, values in xs.items():
        rows = []
        for v in values:
            if v is not None and lo <= v <= hi:
                rows += ([[np.nan, np.nan]] if rows else []) + [[v, 0.0]]
        if rows:
            curves[name] = (np.array(rows, float), name)
    return curves


# ---------------------------------------------------------------- drawing
def theta_handle(R, names, inside):
    where = ", ".join(f"{n}={R.theta_of(n):.4g}" for n in names)
    return Line2D([], [], linestyle="none", markersize=12, path_effects=outline(4.2), label=f"residual minimiser {THETA} {where}" + ("" if inside else " (outside)"),
                  **THETA_STYLE)


def draw_theta(ax, R, P):
    """theta_hat as a white ring in the axes of P (a Landscape or the Residual)."""
    tx, ty = R.theta_of(P.xname), R.theta_of(P.yname)
    if tx is None or ty is None:
        return None
    ex, ey = edges(P.x), edges(P.y)
    inside = min(ex[0], ex[-1]) <= tx <= max(ex[0], ex[-1]) and min(ey[0], ey[-1]) <= ty <= max(ey[0], ey[-1])
    if inside:
        ax.plot([tx], [ty], linestyle="none", markersize=21, zorder=7, path_effects=outline(4.2), **THETA_STYLE)
    return theta_handle(R, (P.xname, P.yname), inside)


def colour_norm(values, log):
    """(values to draw, norm, note) with NaN where nothing is drawn."""
    finite = np.isfinite(values)
    if log:
        shown, floor = floored(values)
        if floor is None:
            return shown, Normalize(0, 1), " - no positive values"
        note = f" (values <= 0 drawn at {floor:.3g})" if np.any(finite & (values <= 0)) else ""
        top = np.nanmax(shown)
        return shown, LogNorm(vmin=floor, vmax=top if top > floor else floor * 10), note
    if not finite.any():
        return values, Normalize(0, 1), " - no valid points"
    return values, Normalize(vmin=np.nanmin(values), vmax=np.nanmax(values)), ""


def heat(fig, ax, P, values, log, label):
    shown, norm, note = colour_norm(values, log)
    cmap = plt.get_cmap("viridis").copy()
    cmap.set_bad(INVALID_GREY)
    mesh = ax.pcolormesh(edges(P.x), edges(P.y), np.ma.masked_invalid(shown), cmap=cmap, norm=norm, shading="flat")
    fig.colorbar(mesh, ax=ax, pad=0.02, fraction=0.05).set_label(label + (" (log)" if log else "") + note)
    frame(ax, P)


def add(handles, new):
    """Append the handles whose labels are not there yet."""
    seen = {h.get_label() for h in handles}
    for h in new if isinstance(new, list) else [new]:
        if h is not None and h.get_label() not in seen:
            handles.append(h)
            seen.add(h.get_label())


def draw_2d(R, L, loss, log, paths):
    panels = 2 if L is not None else 1
    fig, axes = plt.subplots(1, panels, figsize=(7.4 * panels, 7.0), squeeze=False)
    handles = []
    if L is not None:
        ax = axes[0, 0]
        values = L.losses[loss]
        bad = ~L.valid | ~np.isfinite(values)
        heat(fig, ax, L, np.where(bad, np.nan, values), log, f"unrolled {loss} loss")
        add(handles, mark_invalid(ax, L, bad & ~L.valid))
        if (bad & L.valid).any():
            add(handles, Line2D([], [], marker="s", color=INVALID_GREY, linestyle="none", markersize=9,
                                label=f"valid, no {loss} value ({(bad & L.valid).sum()})"))
        add(handles, draw_curves(ax, L))
        add(handles, plot_landscape.draw_truth(ax, L))
        add(handles, draw_theta(ax, R, L))
        ax.set_title(L.title(f"unrolled-simulation {loss} loss"), fontsize=9.5)
    ax = axes[0, -1]
    heat(fig, ax, R, R.loss, True, "residual loss mean($r_u^2 + r_v^2$)")
    add(handles, draw_curves(ax, R))
    add(handles, plot_landscape.draw_truth(ax, R))
    add(handles, draw_theta(ax, R, R))
    ax.set_title(R.title(), fontsize=9.5)
    if not R.curves and not (L is not None and L.curves):
        warn(f"no bifurcation curves: axes {R.xname},{R.yname} are not F and k" + ("" if L is None else " and the landscape file has none"))
    handles = [h for h in handles if h is not None]
    if handles:
        fig.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=min(3, len(handles)),
                   fontsize=9, frameon=False, handlelength=2.2)
    fig.suptitle("residual-loss landscape" + (" beside the unrolled loss landscape" if L else "") + "   " + "  |  ".join(paths),
                 fontsize=11, y=1.0)
    fig.tight_layout()
    return fig


def draw_1d(R, L, loss, paths):
    fig, ax = plt.subplots(figsize=(10, 5.6))
    handles = []
    rax = ax
    if L is not None:
        values = L.losses[loss]
        bad = ~L.valid | ~np.isfinite(values)
        y, floor = floored(np.where(bad, np.nan, values))
        if floor is not None:
            ax.set_yscale("log")
        ax.plot(L.x, y, "o-", color=UNROLLED_COLOUR, markersize=4, linewidth=1.6, zorder=3)
        add(handles, Line2D([], [], marker="o", color=UNROLLED_COLOUR, label=f"unrolled {loss} loss (left axis)"))
        add(handles, mark_invalid_1d(ax, L, bad))
        ax.set_ylabel(f"unrolled {loss} loss (log)", color=UNROLLED_COLOUR)
        ax.tick_params(axis="y", which="both", colors=UNROLLED_COLOUR)
        add(handles, draw_lines_1d(ax, L))
        rax = ax.twinx()
    r, floor = floored(R.loss)
    if floor is not None:
        rax.set_yscale("log")
    rax.plot(R.x, r, "s--", color=RESIDUAL_COLOUR, markersize=3.5, linewidth=1.4, zorder=3)
    add(handles, Line2D([], [], marker="s", linestyle="--", color=RESIDUAL_COLOUR,
                        label="residual loss mean($r_u^2 + r_v^2$)" + (" (right axis)" if rax is not ax else "")))
    rax.set_ylabel("residual loss mean($r_u^2 + r_v^2$) (log)", color=RESIDUAL_COLOUR)
    if L is None or not L.curves:
        add(handles, draw_lines_1d(ax, R))
    elif L.truth(L.xname) is None:
        t = R.truth(R.xname)
        if t is not None:
            ax.axvline(t, color="gold", linestyle="--", linewidth=1.6, path_effects=outline(2.8), zorder=2)
            add(handles, Line2D([], [], color="gold", linestyle="--", linewidth=1.6, path_effects=outline(2.8),
                                label=f"ground truth {R.xname}={t:.4g}"))
    t = R.theta_of(R.xname)
    if t is not None:
        ex = edges(R.x)
        inside = min(ex[0], ex[-1]) <= t <= max(ex[0], ex[-1])
        label = f"residual minimiser {THETA} {R.xname}={t:.4g}" + ("" if inside else " (outside)")
        on_hat = R.base is not None and R.theta is not None and np.allclose(R.base, R.theta, rtol=1e-12, atol=0)
        if on_hat and R.loss_hat is not None and R.loss_hat > 0 and floor is not None:
            # the slice passes through theta_hat: a ring at (theta_hat, loss(theta_hat)) on the residual curve
            rax.plot([t], [R.loss_hat], linestyle="none", markersize=16, zorder=7, path_effects=outline(4.2), **THETA_STYLE)
            rax.plot([t], [R.loss_hat], "s", color=RESIDUAL_COLOUR, markersize=4, zorder=8)
            label += f", loss {R.loss_hat:.3g}"
            add(handles, Line2D([], [], linestyle="none", markersize=12, path_effects=outline(4.2), label=label, **THETA_STYLE))
        else:
            ax.axvline(t, color="black", linestyle=":", linewidth=1.8, zorder=4)
            add(handles, Line2D([], [], color="black", linestyle=":", linewidth=1.8, label=label))
    xs = np.concatenate([edges(R.x)[[0, -1]]] + ([edges(L.x)[[0, -1]]] if L is not None else []))
    ax.set_xlim(xs.min(), xs.max())
    ax.set_xlabel(R.xname)
    ax.grid(alpha=0.3)
    title = R.title().replace("  (log colours)", "")
    if L is not None:
        title = L.title(f"unrolled-simulation {loss} loss").split("\n")[0] + "\n" + title
    ax.set_title(title, fontsize=9.5)
    fig.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=min(3, len(handles)), fontsize=9,
               frameon=False)
    fig.suptitle("residual loss" + (" and unrolled loss" if L else "") + f" along {R.xname}   " + "  |  ".join(paths),
                 fontsize=11)
    fig.tight_layout()
    return fig


def read(residual, landscape=None, wanted=None, log=False):
    """(R, L, loss): the Residual file, the Landscape file (None without one) and the unrolled loss to
    draw, with the curves and the truth of the residual panel taken as main() draws them."""
    R = Residual(residual)
    L, loss = None, None
    if landscape:
        L = plot_landscape.Landscape(landscape)
        if not L.losses:
            fail(f"{landscape}: /landscape has no loss dataset (none of {', '.join(LOSSES)})")
        if wanted is not None and wanted not in L.losses:
            fail(f"{landscape} has no /landscape/{wanted} (present: {', '.join(L.losses)})")
        loss = wanted or next(n for n in LOSSES if n in L.losses)
        if L.two_d != R.two_d:
            fail(f"{residual} is {'2' if R.two_d else '1'}-D but {landscape} is {'2' if L.two_d else '1'}-D; "
                 f"make the residual file with -gs_like {landscape}")
        same_axes = (L.xname, L.yname) == (R.xname, R.yname)
        if not same_axes:
            warn(f"axes differ: {residual} has {R.xname}{',' + R.yname if R.two_d else ''}, "
                 f"{landscape} has {L.xname}{',' + L.yname if L.two_d else ''}; each panel keeps its own axes")
        same_grid = same_axes and np.array_equal(L.x, R.x) and (not R.two_d or np.array_equal(L.y, R.y))
        if same_axes and not same_grid:
            warn("the two files sample their axes at different points (residual file not made with -gs_like?); "
                 "the residual panel's curves are recomputed for its own window")
        # the landscape's curves (Turing included) only cover its own window: reuse them on the same grid
        R.curves = dict(L.curves) if same_grid else (model_curves(R) or (dict(L.curves) if same_axes else {}))
        R.map_curves = set(L.map_curves) & set(R.curves)
        R.fallback_truth = {n: L.truth(n) for n in PARAMS if L.truth(n) is not None}
    elif wanted is not None or log:
        warn("--loss and --log only concern the unrolled loss: no landscape file given")
    if L is None or not R.curves:
        R.curves = R.curves or model_curves(R)
    return R, L, loss


def draw(R, L, loss, log, paths):
    """The Figure: the residual loss beside the unrolled loss of L (when given), 2-D or 1-D as R."""
    return draw_2d(R, L, loss, log, paths) if R.two_d else draw_1d(R, L, loss, paths)


# ---------------------------------------------------------------- main
def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("residual", metavar="RESIDUAL.h5")
    parser.add_argument("landscape", metavar="LANDSCAPE.h5", nargs="?")
    parser.add_argument("-o", "--output", metavar="PNG", help="the PNG to write (default RESIDUAL without .h5 + _residual.png)")
    parser.add_argument("--loss", help="unrolled loss: windowed, spectrum or pixel (default: the first present in that order)")
    parser.add_argument("--log", action="store_true", help="logarithmic colours / axis for the unrolled loss too")
    args = parser.parse_args()
    if args.loss is not None and args.loss not in LOSSES:
        fail(f"unknown loss {args.loss!r} (choose windowed, spectrum or pixel)")

    R, L, loss = read(args.residual, args.landscape, args.loss, args.log)
    out = gsinv_h5.output_png(args.output, os.path.splitext(args.residual)[0] + "_residual.png")
    paths = [os.path.basename(args.residual)] + ([os.path.basename(args.landscape)] if L else [])
    fig = draw(R, L, loss, args.log, paths)
    fig.savefig(out, dpi=120, bbox_inches="tight")
    plt.close(fig)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
