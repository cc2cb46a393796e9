#!/usr/bin/python3
"""Draw u and v of a gsinv HDF5 file (simulate output, or any file with /state).

Usage: plot_fields.py FILE.h5 [-o PNG] [--snapshot T]"""
import argparse
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gsinv_h5  # noqa: E402


def draw(path, snapshot=None):
    """The Figure of u and v of the file at path: /state, or snapshot T of /snapshots."""
    group = "state" if snapshot is None else "snapshots"
    with gsinv_h5.open_checked(path, (f"{group}/u", f"{group}/v")) as f:
        a = gsinv_h5.attrs(f)
        if snapshot is not None:
            count = f["snapshots/u"].shape[0]
            if not -count <= snapshot < count:
                gsinv_h5.fail(f"{path}: no snapshot {snapshot} (/snapshots holds {count})")
            u, v = f["snapshots/u"][snapshot], f["snapshots/v"][snapshot]
            step = f["snapshots/step"][snapshot] if "snapshots/step" in f else "?"
            label = f"snapshot {snapshot} (step {step})"
        else:
            u, v = f["state/u"][...], f["state/v"][...]
            label = "final state"
    fig, axes = plt.subplots(1, 2, figsize=(10, 4.6), constrained_layout=True)
    for ax, field, name, cmap in ((axes[0], u, "u", "viridis"), (axes[1], v, "v", "magma")):
        image = ax.imshow(field, origin="lower", cmap=cmap, interpolation="nearest")
        ax.set_title(f"{name}  [{field.min():.3f}, {field.max():.3f}]")
        ax.set_xlabel("x")
        ax.set_ylabel("y")
        fig.colorbar(image, ax=ax, shrink=0.85)
    fig.suptitle(f"{label}: {gsinv_h5.describe(a)}", fontsize=10)
    return fig


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file")
    parser.add_argument("-o", "--output", help="PNG to write (default: FILE with .png)")
    parser.add_argument("--snapshot", type=int, help="draw snapshot T of /snapshots instead of /state")
    args = parser.parse_args()
    fig = draw(args.file, args.snapshot)
    output = gsinv_h5.output_png(args.output, os.path.splitext(args.file)[0] + ".png")
    fig.savefig(output, dpi=110)
    plt.close(fig)
    print(f"wrote {output}")


if __name__ == "__main__":
    main()
