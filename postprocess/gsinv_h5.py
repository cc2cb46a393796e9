"""Reading gsinv HDF5 files: one reader for every subcommand's output."""
import os

import h5py


def attrs(f):
    """Root attributes as plain Python values (strings decoded)."""
    out = {}
    for key, value in f.attrs.items():
        out[key] = value.decode() if isinstance(value, bytes) else value
    return out


def describe(a):
    """A one-line title: parameters, grid, steps and why the run stopped."""
    grid = "x".join(str(n) for n in reversed(list(a.get("grid", [])))) or "?"
    text = f"F={a.get('F', float('nan')):.4g} k={a.get('k', float('nan')):.4g} Du={a.get('Du', float('nan')):.4g} Dv={a.get('Dv', float('nan')):.4g}  {grid}"
    if "reason" in a and "steps" in a:
        text += f"  {a['reason']} after {a['steps']} steps"
    return text


def open_file(path):
    return h5py.File(path, "r")


def open_checked(path, fail):
    """The open file, or fail(message) for a missing file or one HDF5 cannot read."""
    if not os.path.exists(path):
        fail(f"{path}: no such file")
    try:
        return open_file(path)
    except OSError as e:
        fail(f"{path}: cannot open as HDF5 ({e})")


def output_prefix(path, output):
    """PREFIX for PREFIX_<what>.png: -o (without a trailing .png) or the file without .h5; makes its folder."""
    prefix = output or os.path.splitext(path)[0]
    if prefix.endswith(".png"):
        prefix = prefix[:-4]
    if os.path.dirname(prefix):
        os.makedirs(os.path.dirname(prefix), exist_ok=True)
    return prefix
