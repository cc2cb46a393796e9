#!/usr/bin/python3
"""Draw a `gsinv landscape` HDF5 file: loss heat map with bifurcation curves, class map, gradient
norm, pattern gallery, 1-D slices and cliff distances.

Usage: plot_landscape.py FILE.h5 [-o PREFIX] [--loss pixel|spectrum|windowed] [--log]
                         [--what heat,class,grad,gallery,slices,cliffs | all]

Writes PREFIX_<what>.png for each drawing (PREFIX defaults to FILE without .h5) and prints each name.
  heat     the loss over the two axes (cells centred on the axis values), invalid cells grey with an x,
           bifurcation curves (the ODE's solid, the simulated map's euler_* dashed), the ground truth
           (root attributes named like the axes) as a star, cliff midpoints as small markers
  class    the trivial/uniform/pattern/oscillating/invalid/transient class of each point, with counts and the
           reasons of the invalid points
  grad     |dL/dtheta| (log colours) with the descent direction of the two axis components as arrows
  gallery  the downsampled final v of the points, at most 12 x 12 panels, frames coloured by class
  slices   each loss against one axis (invalid points as red x on the floor): the whole file when it is
           1-D, the middle row and the middle column of a 2-D file
  cliffs   histogram of the cliff midpoints' distance to the nearest curve (grid spacings) of the ODE
           and of the map, and the jump against those distances
Default: heat (slices for a 1-D file) and class, plus grad, gallery, cliffs when the file has them.
--log: logarithmic loss colours (heat) and loss axes (slices); zeros and negatives sit at the smallest
positive value."""
import argparse
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.patheffects as path_effects  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.colors import BoundaryNorm, ListedColormap, LogNorm, Normalize  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gsinv_h5  # noqa: E402
from gsinv_h5 import attr, fail  # noqa: E402

LOSSES = ("windowed", "spectrum", "pixel")  # default order of preference
WHATS = ("heat", "class", "grad", "gallery", "slices", "cliffs")
PARAMS = ("F", "k", "Du", "Dv")  # the order of /landscape/grad's last index
CURVE_COLOURS = {"fold": "#e41a1c", "hopf": "#00bfff", "turing_rise": "#ff4fd8", "turing_fall": "#ff9f1a",
                 "euler_hopf": "#00bfff", "euler_turing": "#ff4fd8", "euler_flip": "#7fff00"}
SPARE_COLOURS = ("#ffe119", "#7fff00", "#ffffff", "#a65628", "#f781bf", "#999999")
CLASS_COLOURS = {"trivial": "#d9d9d9", "uniform": "#9ecae1", "pattern": "#41ab5d", "oscillating": "#fd8d3c",
                 "invalid": "#3a3a3a", "transient": "#bc80bd"}
INVALID_GREY = "#c8c8c8"
GALLERY_MAX = 12


class Landscape:
    """Everything of /landscape in memory (the gallery only as the subsampled panels)."""

    def __init__(self, path):
        self.path = path
        with gsinv_h5.open_checked(path, ("landscape", "landscape/axis0"), "write it with gsinv landscape") as f:
            self.a = gsinv_h5.attrs(f)
            g = f["landscape"]
            self.x = g["axis0"][...].astype(float)
            self.xname = attr(g["axis0"], "name", "axis0")
            self.two_d = "axis1" in g
            if self.two_d:
                self.y = g["axis1"][...].astype(float)
                self.yname = attr(g["axis1"], "name", "axis1")
                self.shape = (self.y.size, self.x.size)
            else:
                self.y, self.yname, self.shape = None, None, (self.x.size,)
            self.losses = {}
            for name in LOSSES:
                if name in g:
                    self.losses[name] = self.field(g, name, float)
            self.valid = self.field(g, "valid", bool) if "valid" in g else None
            if self.valid is None and self.losses:
                self.valid = np.all([np.isfinite(v) for v in self.losses.values()], axis=0)
            elif self.valid is None:
                self.valid = np.ones(self.shape, bool)
            self.reason, self.reason_names = self.coded(g, "reason")
            self.cls, self.class_names = self.coded(g, "class")
            self.steps = self.field(g, "steps", np.int64) if "steps" in g else None
            self.grad = self.field(g, "grad", float, extra=1) if "grad" in g else None
            if "grad_norm" in g:
                self.grad_norm = self.field(g, "grad_norm", float)
            elif self.grad is not None:
                self.grad_norm = np.linalg.norm(self.grad, axis=-1)
            else:
                self.grad_norm = None
            self.gallery = self.read_gallery(g["gallery"]) if "gallery" in g else None
            self.curves = {}
            self.map_curves = set()  # names of the simulated map's curves (family "map"): drawn dashed
            if "curves" in g:
                for name, d in g["curves"].items():
                    pts = np.asarray(d[...], float).reshape(-1, 2)
                    family = attr(d, "family", "map" if name.startswith("euler_") else "ode")
                    if family == "map":
                        self.map_curves.add(name)
                    if np.isfinite(pts[:, 0]).any():  # (a 1-D slice's crossings are lone points (x, 0))
                        label = attr(d, "label", name).replace("_", " ")
                        self.curves[name] = (pts, f"{label} (map, dt)" if family == "map" else label)
            self.cliffs = None
            if "cliffs" in g and "x" in g["cliffs"]:
                c = g["cliffs"]
                n = c["x"].shape[0]
                get = (lambda key, fill: c[key][...] if key in c else np.full(n, fill))
                self.cliffs = {"x": get("x", np.nan).astype(float), "y": get("y", np.nan).astype(float),
                               "jump": get("jump", np.nan).astype(float), "kind": get("kind", 0).astype(int),
                               "distance": get("distance", np.nan).astype(float),
                               "distance_map": get("distance_map", np.nan).astype(float),
                               "threshold": attr(c, "threshold"), "loss": attr(c, "loss"),
                               "summary": {key: float(c.attrs[key]) for key in ("median_distance", "fraction_within_1", "fraction_within_2") if key in c.attrs}}

    def field(self, g, name, dtype, extra=0):
        d = g[name]
        want = self.shape + d.shape[len(self.shape):] if extra else self.shape
        if d.shape[:len(self.shape)] != self.shape or (not extra and d.shape != self.shape):
            fail(f"{self.path}: /landscape/{name} has shape {d.shape}, expected {want} from the axes")
        return d[...].astype(dtype)

    def coded(self, g, name):
        if name not in g:
            return None, []
        names = [s.strip() for s in attr(g[name], "names", "").split(",") if s.strip()]
        return self.field(g, name, int), names

    def read_gallery(self, d):
        if self.two_d:
            self.gi1, self.gi0 = subsample(self.shape[0], GALLERY_MAX), subsample(self.shape[1], GALLERY_MAX)
            if d.shape[:2] != self.shape:
                fail(f"{self.path}: /landscape/gallery has shape {d.shape}, expected {self.shape} + [g][g]")
            return np.asarray(d[self.gi1.tolist()][:, self.gi0], float)
        self.gi0 = subsample(self.shape[0], 4 * GALLERY_MAX)
        if d.shape[:1] != self.shape:
            fail(f"{self.path}: /landscape/gallery has shape {d.shape}, expected {self.shape} + [g][g]")
        return np.asarray(d[self.gi0.tolist()], float)

    def truth(self, name):
        value = self.a.get(name)
        try:
            return float(value)
        except (TypeError, ValueError):
            return None

    def title(self, what):
        a = self.a
        base = gsinv_h5.describe({key: value for key, value in a.items() if key != "steps"})
        run = [f"target {a.get('target_mode', '?')}"]
        if "targets" in a:
            run.append(f"K={a['targets']}")
        if "steps" in a:
            run.append(f"steps={a['steps']}")
        if "ts_type" in a:
            run.append(f"ts {a['ts_type']}")
        grid = " x ".join(str(n) for n in reversed(self.shape))
        return f"{what}   [{grid} points; {', '.join(run)}]\nground truth {base}"


def subsample(n, m):
    return np.unique(np.round(np.linspace(0, n - 1, min(n, m))).astype(int))


def edges(centres):
    c = np.asarray(centres, float)
    if c.size == 1:
        half = 0.05 * abs(c[0]) or 0.5
        return np.array([c[0] - half, c[0] + half])
    mid = 0.5 * (c[1:] + c[:-1])
    return np.concatenate([[2 * c[0] - mid[0]], mid, [2 * c[-1] - mid[-1]]])


def floored(values):
    """values with everything <= 0 raised to the smallest positive finite value; that value (None if none)."""
    v = np.array(values, float)
    positive = v[np.isfinite(v) & (v > 0)]
    if positive.size == 0:
        return v, None
    floor = positive.min()
    v[np.isfinite(v) & (v <= 0)] = floor
    return v, floor


def curve_colour(name, i):
    return CURVE_COLOURS.get(name, SPARE_COLOURS[i % len(SPARE_COLOURS)])


def curve_style(L, name):
    """Solid for the ODE's curves, dashed for the simulated map's."""
    return "--" if name in L.map_curves else "-"


def outline(width=3.2):
    return [path_effects.Stroke(linewidth=width, foreground="black"), path_effects.Normal()]


# ---------------------------------------------------------------- 2-D drawing helpers
def frame(ax, L):
    ex, ey = edges(L.x), edges(L.y)
    ax.set_xlim(min(ex[0], ex[-1]), max(ex[0], ex[-1]))
    ax.set_ylim(min(ey[0], ey[-1]), max(ey[0], ey[-1]))
    ax.set_xlabel(L.xname)
    ax.set_ylabel(L.yname)


def cell_marker_size(L):
    n = max(L.shape)
    return None if n > 120 else float(np.clip((260.0 / n) ** 2 * 0.35, 2.0, 28.0))


def mark_invalid(ax, L, mask):
    """An x at the centre of each invalid cell (the cell colour itself comes from the colour map's 'bad')."""
    size = cell_marker_size(L)
    jj, ii = np.nonzero(mask)
    if size is None or ii.size == 0:
        return Patch(facecolor=INVALID_GREY, edgecolor="0.3", label=f"invalid ({ii.size})") if ii.size else None
    ax.scatter(L.x[ii], L.y[jj], s=size, marker="x", color="0.25", linewidths=1.0, zorder=3)
    return Line2D([], [], marker="x", color="0.25", markerfacecolor=INVALID_GREY, linestyle="none",
                  markersize=7, label=f"invalid ({ii.size})")


def draw_curves(ax, L):
    handles = []
    for i, (name, (pts, label)) in enumerate(sorted(L.curves.items())):
        colour, style = curve_colour(name, i), curve_style(L, name)
        lone = np.all(np.isfinite(pts), axis=1).sum() < 2
        ax.plot(pts[:, 0], pts[:, 1], color=colour, linewidth=2.0, linestyle=style, zorder=4, path_effects=outline(),
                marker="o" if lone else None, markersize=6)
        handles.append(Line2D([], [], color=colour, linewidth=2.0, linestyle=style, path_effects=outline(), label=label))
    return handles


def draw_truth(ax, L):
    tx, ty = L.truth(L.xname), L.truth(L.yname)
    if tx is None or ty is None:
        return None
    ex, ey = edges(L.x), edges(L.y)
    inside = min(ex[0], ex[-1]) <= tx <= max(ex[0], ex[-1]) and min(ey[0], ey[-1]) <= ty <= max(ey[0], ey[-1])
    label = f"ground truth {L.xname}={tx:.4g}, {L.yname}={ty:.4g}" + ("" if inside else " (outside)")
    if inside:
        ax.scatter([tx], [ty], s=260, marker="*", color="gold", edgecolors="black", linewidths=1.2, zorder=6)
    return Line2D([], [], marker="*", color="gold", markeredgecolor="black", markersize=14, linestyle="none", label=label)


def mark_cliffs(ax, L):
    if L.cliffs is None or L.cliffs["x"].size == 0:
        return []
    c, handles = L.cliffs, []
    for kind, marker, face, label in ((0, "o", "white", "cliff: loss jump"), (1, "D", "#ff80c0", "cliff: validity edge")):
        sel = (c["kind"] == kind) & np.isfinite(c["x"]) & np.isfinite(c["y"])
        if sel.any():
            ax.scatter(c["x"][sel], c["y"][sel], s=14, marker=marker, color=face, edgecolors="black", linewidths=0.5, zorder=5)
            handles.append(Line2D([], [], marker=marker, color=face, markeredgecolor="black", markersize=5,
                                  linestyle="none", label=f"{label} ({sel.sum()})"))
    return handles


def legend_below(ax, handles, ncol=2):
    handles = [h for h in handles if h is not None]
    if handles:
        ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.11), ncol=ncol, fontsize=8.5,
                  frameon=False, handlelength=2.2)


def save(fig, prefix, what, written):
    """Writes fig to PREFIX_<what>.png, closes it, adds the name to written and prints it."""
    path = f"{prefix}_{what}.png"
    fig.savefig(path, dpi=120, bbox_inches="tight")
    plt.close(fig)
    written.append(path)
    print(f"wrote {path}")


# ---------------------------------------------------------------- the drawings
def draw_heat(L, loss, log):
    values = L.losses[loss]
    bad = ~L.valid | ~np.isfinite(values)
    shown = np.where(bad, np.nan, values)
    note = ""
    if log:
        shown, floor = floored(shown)
        norm = LogNorm(vmin=floor, vmax=np.nanmax(shown)) if floor is not None else Normalize()
        if floor is not None and np.any(np.isfinite(values) & (values <= 0) & ~bad):
            note = f" (values <= 0 drawn at {floor:.3g})"
    else:
        norm = Normalize(vmin=np.nanmin(shown) if np.isfinite(shown).any() else 0,
                         vmax=np.nanmax(shown) if np.isfinite(shown).any() else 1)
    cmap = plt.get_cmap("viridis").copy()
    cmap.set_bad(INVALID_GREY)
    fig, ax = plt.subplots(figsize=(7.6, 6.4))
    mesh = ax.pcolormesh(edges(L.x), edges(L.y), np.ma.masked_invalid(shown), cmap=cmap, norm=norm, shading="flat")
    bar = fig.colorbar(mesh, ax=ax, pad=0.02)
    if not np.isfinite(shown).any():
        note += " - no valid points"
    bar.set_label(f"{loss} loss" + (" (log)" if log else "") + note)
    handles = [mark_invalid(ax, L, bad & (L.valid == 0) if L.valid is not None else bad)]
    if (bad & L.valid).any():  # valid but NaN loss: grey without x
        handles.append(Patch(facecolor=INVALID_GREY, edgecolor="0.3", label=f"valid, no {loss} value ({(bad & L.valid).sum()})"))
    handles += draw_curves(ax, L)
    handles += mark_cliffs(ax, L)
    handles.append(draw_truth(ax, L))
    frame(ax, L)
    legend_below(ax, handles)
    ax.set_title(L.title(f"{loss} loss"), fontsize=9.5)
    return fig


def class_table(L):
    """(codes, names, colours) of the classes, from the names attribute (falling back to the codes seen)."""
    names = list(L.class_names)
    top = int(np.nanmax(L.cls)) if L.cls.size else 0
    while len(names) <= top:
        names.append(f"class {len(names)}")
    fallback = plt.get_cmap("tab10")
    colours = [CLASS_COLOURS.get(n, fallback(i % 10)) for i, n in enumerate(names)]
    return names, colours


def invalid_reasons(L):
    if L.reason is None:
        return ""
    bad = ~L.valid
    codes, counts = np.unique(L.reason[bad], return_counts=True)
    parts = []
    for code, count in zip(codes, counts):
        name = L.reason_names[code] if 0 <= code < len(L.reason_names) else f"reason {code}"
        parts.append(f"{count} {name.replace('invalid_', '')}")
    return ("invalid points: " + ", ".join(parts)) if parts else "no invalid points"


def draw_class(L):
    names, colours = class_table(L)
    cmap = ListedColormap(colours)
    norm = BoundaryNorm(np.arange(len(names) + 1) - 0.5, len(names))
    counts = [(L.cls == i).sum() for i in range(len(names))]
    patches = [Patch(facecolor=colours[i], edgecolor="0.3", label=f"{names[i]} ({counts[i]})") for i in range(len(names)) if counts[i]]
    if L.two_d:
        fig, ax = plt.subplots(figsize=(7.6, 6.4))
        ax.pcolormesh(edges(L.x), edges(L.y), L.cls, cmap=cmap, norm=norm, shading="flat")
        handles = draw_curves(ax, L) + [draw_truth(ax, L)]
        frame(ax, L)
        first = ax.legend(handles=patches, loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=9, title="class", frameon=False)
        ax.add_artist(first)
        legend_below(ax, handles)
    else:
        fig, (ax, axs) = plt.subplots(2, 1, figsize=(8.5, 4.2), sharex=True, gridspec_kw={"height_ratios": [1, 2]})
        ax.pcolormesh(edges(L.x), [0, 1], L.cls[None, :], cmap=cmap, norm=norm, shading="flat")
        ax.set_yticks([])
        draw_lines_1d(ax, L, labels=False)
        ax.legend(handles=patches, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=9, title="class", frameon=False)
        if L.steps is not None:
            axs.plot(L.x, L.steps, ".-", color="0.3", linewidth=1)
            axs.set_ylabel("steps taken")
        axs.set_xlabel(L.xname)
        axs.set_xlim(*sorted(edges(L.x)[[0, -1]]))
        handles = draw_lines_1d(axs, L)
        legend_below(axs, handles, ncol=3)
    ax.set_title(L.title("class of each point") + "\n" + invalid_reasons(L), fontsize=9.5)
    return fig


def draw_grad(L):
    norm_values = np.where(L.valid, L.grad_norm, np.nan)
    shown, floor = floored(norm_values)
    zeros = np.isfinite(norm_values) & (norm_values <= 0)
    if L.two_d:
        fig, ax = plt.subplots(figsize=(7.6, 6.4))
        cmap = plt.get_cmap("plasma").copy()
        cmap.set_bad(INVALID_GREY)
        cnorm = LogNorm(vmin=floor, vmax=np.nanmax(shown)) if floor is not None else Normalize()
        mesh = ax.pcolormesh(edges(L.x), edges(L.y), np.ma.masked_invalid(shown), cmap=cmap, norm=cnorm, shading="flat")
        bar = fig.colorbar(mesh, ax=ax, pad=0.02)
        bar.set_label("|dL/d(F,k,Du,Dv)|" + (f" (log; 0 drawn at {floor:.3g})" if zeros.any() and floor else " (log)"))
        handles = [mark_invalid(ax, L, ~L.valid)]
        handles += arrows(ax, L)
        handles += draw_curves(ax, L)
        handles.append(draw_truth(ax, L))
        frame(ax, L)
        legend_below(ax, handles)
    else:
        fig, ax = plt.subplots(figsize=(8.5, 4.6))
        ax.plot(L.x, shown, "o-", color="black", linewidth=2, markersize=3.5, label="|grad|", zorder=3)
        if L.grad is not None:
            for q in range(min(4, L.grad.shape[-1])):
                g = np.abs(np.where(L.valid, L.grad[..., q], np.nan))
                g[g <= 0] = np.nan
                ax.plot(L.x, g, linewidth=1, label=f"|dL/d{PARAMS[q]}|")
        if floor is not None:
            ax.set_yscale("log")
        ax.set_xlabel(L.xname)
        ax.set_ylabel("gradient magnitude")
        ax.set_xlim(*sorted(edges(L.x)[[0, -1]]))
        handles = draw_lines_1d(ax, L) + mark_invalid_1d(ax, L, ~L.valid)
        ax.legend(handles=ax.get_legend_handles_labels()[0] + handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8.5, frameon=False)
    ax.set_title(L.title("gradient norm"), fontsize=9.5)
    return fig


def arrows(ax, L):
    """-grad projected on the two axes, in axis-span units (so directions read correctly on the plot), unit length."""
    if L.grad is None or L.xname not in PARAMS or L.yname not in PARAMS:
        return []
    qx, qy = PARAMS.index(L.xname), PARAMS.index(L.yname)
    if L.grad.shape[-1] <= max(qx, qy):
        return []
    jj, ii = subsample(L.shape[0], 20), subsample(L.shape[1], 20)
    span_x, span_y = np.ptp(L.x) or 1.0, np.ptp(L.y) or 1.0
    gx = -L.grad[np.ix_(jj, ii)][..., qx] * span_x
    gy = -L.grad[np.ix_(jj, ii)][..., qy] * span_y
    length = np.hypot(gx, gy)
    ok = np.isfinite(length) & (length > 0) & L.valid[np.ix_(jj, ii)]
    if not ok.any():
        return []
    u, v = np.where(ok, gx / np.where(ok, length, 1), np.nan), np.where(ok, gy / np.where(ok, length, 1), np.nan)
    X, Y = np.meshgrid(L.x[ii], L.y[jj])
    ax.quiver(X, Y, u, v, angles="uv", scale_units="width", scale=1.6 * max(len(ii), len(jj)), width=0.0035,
              color="white", edgecolor="black", linewidth=0.4, zorder=4, pivot="mid")
    return [Line2D([], [], marker=r"$\rightarrow$", color="0.2", linestyle="none", markersize=14,
                   label=f"-grad in ({L.xname},{L.yname}), axis-span units, unit length")]


def draw_gallery(L):
    names, colours = class_table(L) if L.cls is not None else ([], [])
    panels = L.gallery
    finite = panels[np.isfinite(panels)]
    vmin, vmax = (min(0.0, finite.min()), finite.max()) if finite.size else (0.0, 1.0)
    if vmax <= vmin:
        vmax = vmin + 1.0
    if L.two_d:
        rows, cols = L.gi1[::-1], L.gi0  # top row = largest axis1, as on the maps
        nr, nc = len(rows), len(cols)
        cells = [(r, c, (L.gi1.size - 1 - r, c)) for r in range(nr) for c in range(nc)]
    else:
        nc = min(GALLERY_MAX, L.gi0.size)
        nr = -(-L.gi0.size // nc)
        cells = [(n // nc, n % nc, (n,)) for n in range(L.gi0.size)]
    # manual placement in inches: panels of side s with gaps, margins for labels, colour bar and legend
    s = 0.82 if max(nr, nc) > 6 else 1.3
    gx, gy = 0.07, (0.07 if L.two_d else 0.32)
    left, right, bottom, top = (0.85 if L.two_d else 0.3), 1.35, (0.85 if L.two_d else 0.5), (1.15 if L.two_d else 1.4)
    width, height = left + nc * s + (nc - 1) * gx + right, bottom + nr * s + (nr - 1) * gy + top
    fig = plt.figure(figsize=(width, height))
    axes = np.empty((nr, nc), dtype=object)
    for r in range(nr):
        for c in range(nc):
            ax = fig.add_axes([(left + c * (s + gx)) / width, (bottom + (nr - 1 - r) * (s + gy)) / height, s / width, s / height])
            ax.set_xticks([])
            ax.set_yticks([])
            ax.set_visible(False)
            axes[r, c] = ax
    block = nr * s + (nr - 1) * gy
    cax = fig.add_axes([(width - right + 0.25) / width, bottom / height, 0.16 / width, min(block, 3.5) / height])
    image = None
    for r, c, index in cells:
        ax = axes[r, c]
        ax.set_visible(True)
        panel = panels[index]
        point = (L.gi1[index[0]], L.gi0[index[1]]) if L.two_d else (L.gi0[index[0]],)
        if np.isfinite(panel).any():
            image = ax.imshow(panel, origin="lower", cmap="magma", vmin=vmin, vmax=vmax, interpolation="nearest")
        else:
            ax.set_facecolor(INVALID_GREY)
        if not L.valid[point]:
            ax.plot([0, 1], [0, 1], color="red", linewidth=1.2, transform=ax.transAxes)
            ax.plot([0, 1], [1, 0], color="red", linewidth=1.2, transform=ax.transAxes)
        if L.cls is not None:
            code = L.cls[point]
            for spine in ax.spines.values():
                spine.set_edgecolor(colours[code] if 0 <= code < len(colours) else "black")
                spine.set_linewidth(3)
        if L.two_d:
            if c == 0:
                ax.set_ylabel(f"{L.y[point[0]]:.4g}", fontsize=7, rotation=0, ha="right", va="center")
            if r == nr - 1:
                ax.set_xlabel(f"{L.x[point[1]]:.4g}", fontsize=7, rotation=45, ha="right")
        else:
            ax.set_title(f"{L.x[point[0]]:.4g}", fontsize=7, pad=2)
    centre = (left + 0.5 * (nc * s + (nc - 1) * gx)) / width
    if L.two_d:
        fig.text(centre, 0.1 / height, L.xname, ha="center", va="bottom", fontsize=11)
        fig.text(0.05 / width, (bottom + 0.5 * block) / height, L.yname, va="center", rotation=90, fontsize=11)
    else:
        fig.text(centre, 0.1 / height, f"{L.xname} (panel titles)", ha="center", va="bottom", fontsize=11)
    if image is not None:
        fig.colorbar(image, cax=cax).set_label("final v")
    else:
        cax.set_visible(False)
    shown = f"{len(cells)} of {L.valid.size} points" if len(cells) < L.valid.size else f"all {len(cells)} points"
    handles = [Patch(facecolor="none", edgecolor=colours[i], linewidth=3, label=names[i])
               for i in range(len(names)) if (L.cls == i).any()]
    handles.append(Line2D([], [], marker="x", color="red", linestyle="none", markersize=9, label="invalid point"))
    fig.legend(handles=handles, loc="lower left", ncol=len(handles), fontsize=8, frameon=False, title="frame colour = class",
               title_fontsize=8, bbox_to_anchor=(left / width, (bottom + block + (0.05 if L.two_d else 0.3)) / height), borderaxespad=0.0)
    fig.text(left / width, (height - 0.08) / height, L.title(f"final v ({shown}; shared colour scale)"), fontsize=9.5, va="top")
    return fig


def crossings(pts, coord, value):
    """Points where the polyline pts crosses pts[:, coord] == value; the other coordinate of each."""
    out = []
    other = 1 - coord
    for a, b in zip(pts[:-1], pts[1:]):
        if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))):
            continue
        da, db = a[coord] - value, b[coord] - value
        if da == 0:
            out.append(a[other])
        elif da * db < 0:
            out.append(a[other] + (b[other] - a[other]) * da / (da - db))
    if len(pts) and np.all(np.isfinite(pts[-1])) and pts[-1][coord] == value:
        out.append(pts[-1][other])
    return out


def draw_lines_1d(ax, L, labels=True, along=None, fixed=None):
    """Vertical lines: curves and truth on a 1-D axis. along: 0/1 for a 2-D slice along axis0/axis1 at fixed."""
    handles = []
    for i, (name, (pts, label)) in enumerate(sorted(L.curves.items())):
        if along is None:
            xs = pts[np.isfinite(pts[:, 0]), 0]
            if L.two_d:
                continue
        else:
            xs = crossings(pts, 1 - along, fixed)
        colour, style = curve_colour(name, i), curve_style(L, name)
        for x in xs:
            ax.axvline(x, color=colour, linewidth=1.8, linestyle=style, path_effects=outline(3.0), zorder=2)
        if len(xs):
            handles.append(Line2D([], [], color=colour, linewidth=1.8, linestyle=style, path_effects=outline(3.0), label=label))
    name = L.xname if along in (None, 0) else L.yname
    t = L.truth(name)
    if t is not None:
        ax.axvline(t, color="gold", linestyle="--", linewidth=1.6, path_effects=outline(2.8), zorder=2)
        handles.append(Line2D([], [], color="gold", linestyle="--", linewidth=1.6, path_effects=outline(2.8),
                              label=f"ground truth {name}={t:.4g}"))
    return handles if labels else []


def mark_invalid_1d(ax, L, bad, x=None):
    x = L.x if x is None else x
    if not bad.any():
        return []
    ex = edges(x)
    for i in np.flatnonzero(bad):
        ax.axvspan(ex[i], ex[i + 1], color=INVALID_GREY, alpha=0.7, linewidth=0, zorder=0)
    ax.plot(x[bad], np.full(bad.sum(), 0.03), "x", color="red", markersize=7, mew=1.6,
            transform=ax.get_xaxis_transform(), zorder=5, clip_on=False)
    return [Line2D([], [], marker="x", color="red", mew=1.6, markerfacecolor=INVALID_GREY, linestyle="none",
                   label=f"invalid ({bad.sum()}, grey band)")]


def draw_slices(L, log):
    names = [n for n in LOSSES if n in L.losses]
    if L.two_d:
        j, i = L.shape[0] // 2, L.shape[1] // 2
        slices = [(f"{L.yname} = {L.y[j]:.4g} (middle row)", L.x, L.xname, (slice(None), j), 0, L.y[j]),
                  (f"{L.xname} = {L.x[i]:.4g} (middle column)", L.y, L.yname, (i,), 1, L.x[i])]
    else:
        slices = [(None, L.x, L.xname, (), None, None)]
    fig, axes = plt.subplots(len(names), len(slices), figsize=(6.2 * len(slices) + 1.8, 2.5 * len(names) + 1.2),
                             squeeze=False, sharex="col")
    legend_handles = {}
    for col, (label, x, xname, pick, along, fixed) in enumerate(slices):
        for row, name in enumerate(names):
            ax = axes[row, col]
            full = L.losses[name]
            if L.two_d:
                values = full[:, pick[0]] if along == 1 else full[pick[1], :]
                valid = L.valid[:, pick[0]] if along == 1 else L.valid[pick[1], :]
            else:
                values, valid = full, L.valid
            bad = ~valid | ~np.isfinite(values)
            y = np.where(bad, np.nan, values)
            if log:
                y, floor = floored(y)
                if floor is not None:
                    ax.set_yscale("log")
            ax.plot(x, y, "o-", color="#1f4e9a", markersize=3.5, linewidth=1.4, zorder=3)
            zero = ~bad & (values <= 0)
            if log and zero.any():
                ax.plot(x[zero], y[zero], "o", color="white", markeredgecolor="#1f4e9a", markersize=5.5, zorder=4)
                legend_handles.setdefault("zero", Line2D([], [], marker="o", color="white", markeredgecolor="#1f4e9a",
                                                         linestyle="none", label="loss <= 0 (drawn at the smallest positive)"))
            for h in mark_invalid_1d(ax, L, bad, x) + draw_lines_1d(ax, L, along=along, fixed=fixed):
                legend_handles.setdefault(h.get_label().split(" (")[0] if h.get_label().startswith("invalid") else h.get_label(), h)
            if L.cliffs is not None and not L.two_d:
                c = L.cliffs
                for kind, marker, colour in ((0, "v", "black"), (1, "v", "#ff80c0")):
                    sel = (c["kind"] == kind) & np.isfinite(c["x"])
                    if sel.any():
                        ax.plot(c["x"][sel], np.full(sel.sum(), 0.97), marker, color=colour, markeredgecolor="black",
                                markersize=6, transform=ax.get_xaxis_transform(), clip_on=False, zorder=5)
                        key = "cliff: loss jump" if kind == 0 else "cliff: validity edge"
                        legend_handles.setdefault(key, Line2D([], [], marker=marker, color=colour, markeredgecolor="black",
                                                              linestyle="none", label=key))
            ax.set_ylabel(f"{name}" + (" (log)" if log else ""))
            ax.set_xlim(*sorted(edges(x)[[0, -1]]))
            ax.grid(alpha=0.3)
            if row == 0 and label:
                ax.set_title(label, fontsize=10)
            if row == len(names) - 1:
                ax.set_xlabel(xname)
    handles = list(legend_handles.values())
    if handles:
        fig.legend(handles=handles, loc="lower center", ncol=min(4, len(handles)), fontsize=8.5, frameon=False,
                   bbox_to_anchor=(0.5, -0.02 - 0.035 * ((len(handles) - 1) // 4)))
    fig.suptitle(L.title("loss slices"), fontsize=9.5)
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    return fig


def draw_cliffs(L):
    c = L.cliffs
    dist, kind, jump = c["distance"], c["kind"], c["jump"]
    fig, (ax, bx) = plt.subplots(1, 2, figsize=(11, 4.4))
    finite = np.isfinite(dist)
    labels = {0: "loss jump", 1: "validity edge"}
    if finite.any():
        top = max(1.0, np.ceil(dist[finite].max() * 2) / 2)
        bins = np.arange(0, top + 0.5, 0.5)
        groups = [dist[finite & (kind == k)] for k in (0, 1)]
        ax.hist(groups, bins=bins, stacked=True, color=["#4c72b0", "#ff80c0"], edgecolor="black", linewidth=0.5,
                label=[f"{labels[k]} ({g.size})" for k, g in zip((0, 1), groups)])
        summary = c.get("summary", {})
        median = summary.get("median_distance", np.median(dist[finite & (kind == 0)]) if (finite & (kind == 0)).any() else np.nan)
        if np.isfinite(median):
            ax.axvline(median, color="black", linestyle="--", linewidth=1.2, label=f"median (loss jumps) {median:.2f}")
        within = [f"{100 * summary[k]:.0f}% within {k[-1]}" for k in ("fraction_within_1", "fraction_within_2") if k in summary]
        ax.legend(fontsize=9, title=", ".join(within) or None, title_fontsize=8.5)
        dmap = c["distance_map"]
        sel_map = np.isfinite(dmap) & (kind == 0)
        if sel_map.any():
            ax.hist(dmap[sel_map], bins=np.arange(0, max(top, np.ceil(dmap[sel_map].max() * 2) / 2) + 0.5, 0.5), histtype="step",
                    color="black", linestyle="--", linewidth=1.6, label=f"loss jumps: distance to the map's curves ({sel_map.sum()})")
            ax.legend(fontsize=9, title=", ".join(within) or None, title_fontsize=8.5)
    else:
        ax.text(0.5, 0.5, "no finite distances\n(no curves in the file?)", ha="center", va="center", transform=ax.transAxes)
    no_curve = (~finite).sum()
    ax.set_xlabel("cliff midpoint to the nearest curve (grid spacings); bars: ODE, dashed: map")
    ax.set_ylabel("number of cliffs")
    ax.set_title(f"{c['x'].size} cliffs; {no_curve} with no curve (NaN distance) not shown", fontsize=9.5)
    sel = finite & (kind == 0) & np.isfinite(jump)
    sel_map = np.isfinite(c["distance_map"]) & (kind == 0) & np.isfinite(jump)
    if sel_map.any():
        bx.scatter(c["distance_map"][sel_map], jump[sel_map], s=22, marker="^", facecolors="none", edgecolors="black",
                   linewidths=0.8, label="to the map's curves")
    if sel.any():
        bx.scatter(dist[sel], jump[sel], s=18, color="#4c72b0", edgecolors="black", linewidths=0.4, label="to the ODE's curves")
        if (jump[sel] > 0).all() and jump[sel].max() / jump[sel].min() > 20:
            bx.set_yscale("log")
        if c["threshold"] is not None:
            bx.axhline(float(c["threshold"]), color="red", linestyle="--", linewidth=1, label=f"threshold {float(c['threshold']):.3g}")
        bx.legend(fontsize=9)
    else:
        bx.text(0.5, 0.5, "no loss-jump cliffs with a distance", ha="center", va="center", transform=bx.transAxes)
    bx.set_xlabel("distance to the nearest curve (grid spacings)")
    bx.set_ylabel(f"|jump| of the {c['loss'] or ''} loss")
    bx.set_title("jump size against distance (loss jumps only)", fontsize=9.5)
    thr = f", threshold {float(c['threshold']):.3g}" if c["threshold"] is not None else ""
    fig.suptitle(L.title(f"cliffs of the {c['loss'] or '?'} loss{thr}"), fontsize=9.5)
    fig.tight_layout()
    return fig


def draw(L, what, loss, log):
    """The Figure of one drawing (one of WHATS) of the landscape L."""
    if what == "heat":
        return draw_heat(L, loss, log)
    if what == "slices":
        return draw_slices(L, log)
    return {"class": draw_class, "grad": draw_grad, "gallery": draw_gallery, "cliffs": draw_cliffs}[what](L)


# ---------------------------------------------------------------- main
def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file")
    parser.add_argument("-o", "--output", metavar="PREFIX", help="output prefix (default: FILE without .h5)")
    parser.add_argument("--loss", help="pixel, spectrum or windowed (default: the first present of windowed, spectrum, pixel)")
    parser.add_argument("--log", action="store_true", help="logarithmic loss colours / axes")
    parser.add_argument("--what", help="comma-separated among " + ",".join(WHATS) + ", or all")
    args = parser.parse_args()

    if args.loss is not None and args.loss not in LOSSES:
        fail(f"unknown loss {args.loss!r} (choose pixel, spectrum or windowed)")
    wanted = None
    if args.what:
        wanted = [w.strip() for w in args.what.split(",") if w.strip()]
        unknown = [w for w in wanted if w not in WHATS + ("all",)]
        if unknown:
            fail(f"unknown --what {', '.join(unknown)} (choose among {', '.join(WHATS)}, or all)")
    L = Landscape(args.file)
    if args.loss is not None and args.loss not in L.losses:
        fail(f"{args.file} has no /landscape/{args.loss} (present: {', '.join(L.losses) or 'none'})")
    loss = args.loss or next((n for n in LOSSES if n in L.losses), None)

    present = {"heat": bool(L.losses) and L.two_d, "slices": bool(L.losses), "class": L.cls is not None,
               "grad": L.grad_norm is not None, "gallery": L.gallery is not None,
               "cliffs": L.cliffs is not None and L.cliffs["x"].size > 0}
    why = {"heat": "no loss dataset" if not L.losses else "", "slices": "no loss dataset",
           "class": "no /landscape/class", "grad": "no /landscape/grad or grad_norm",
           "gallery": "no /landscape/gallery", "cliffs": "no /landscape/cliffs (or no cliffs in it)"}
    if wanted is None:
        wanted = ["heat" if L.two_d else "slices", "class", "grad", "gallery", "cliffs"]
        explicit = False
    else:
        explicit = "all" not in wanted
        if "all" in wanted:
            wanted = list(WHATS)
    if not L.two_d and "heat" in wanted:
        if explicit:
            gsinv_h5.warn(f"{args.file} is 1-D: drawing slices instead of a heat map")
        wanted = [w for w in wanted if w != "heat"] + ([] if "slices" in wanted else ["slices"])
    prefix = gsinv_h5.output_prefix(args.file, args.output)

    written = []
    for what in WHATS:
        if what not in wanted:
            continue
        if not present[what]:
            if explicit:
                gsinv_h5.warn(f"{what} skipped: {why[what]}")
            continue
        save(draw(L, what, loss, args.log), prefix, what, written)
    if not written:
        fail(f"nothing drawn from {args.file} (asked for {', '.join(wanted)})")


if __name__ == "__main__":
    main()
