"""What every postprocess script shares: gsinv's HDF5 attributes as Python values, opening an input
(HDF5 or CSV) with one clear error, the error line itself, and the output names.

gsinv writes every setting as a typed root attribute named like its option (`-gs_loss` "pixel",
`-gs_batch` 4, `-gs_lo` [0.03, 0.06], ...) next to the run's facts (F, k, Du, Dv, grid, steps, ...);
`attrs` reads them all. h5py and numpy are imported only when an HDF5 file is read, so the CSV
scripts run without them."""
import csv
import os
import sys


def prog():
    """The running script's name, for messages."""
    return os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else "postprocess"


def fail(message):
    """`<script>: error: message` on stderr; exit status 1."""
    print(f"{prog()}: error: {message}", file=sys.stderr)
    sys.exit(1)


def warn(message):
    """`<script>: message` on stderr; the script goes on."""
    print(f"{prog()}: {message}", file=sys.stderr)


# ---------------------------------------------------------------- attributes
def value(v):
    """An HDF5 attribute as a Python value: strings decoded, numpy scalars (and 0-d arrays) as int,
    float, bool or str; arrays kept as numpy arrays (string arrays decoded)."""
    import numpy as np

    if isinstance(v, np.ndarray):
        if v.shape == ():
            return value(v[()])
        if v.dtype.kind in "SO":
            return np.array([x.decode() if isinstance(x, bytes) else x for x in v.ravel()]).reshape(v.shape)
        return v
    if isinstance(v, bytes):
        return v.decode()
    if isinstance(v, np.generic):
        return v.item()
    return v


def attrs(obj):
    """All attributes of a file, group or dataset as Python values (see value)."""
    return {key: value(v) for key, v in obj.attrs.items()}


def attr(obj, key, default=None):
    """One attribute of a file, group or dataset as a Python value; default when it has none."""
    return value(obj.attrs[key]) if key in obj.attrs else default


def text(v, default=""):
    """A value as text for titles: lists joined with commas, None as default."""
    if v is None:
        return default
    v = value(v)
    if hasattr(v, "__len__") and not isinstance(v, str):
        return ",".join(str(x) for x in v)
    return str(v)


def describe(a):
    """A one-line title: parameters, grid, steps and why the run stopped."""
    grid = "x".join(str(n) for n in reversed(list(a.get("grid", [])))) or "?"
    line = f"F={a.get('F', float('nan')):.4g} k={a.get('k', float('nan')):.4g} Du={a.get('Du', float('nan')):.4g} Dv={a.get('Dv', float('nan')):.4g}  {grid}"
    if "reason" in a and "steps" in a:
        line += f"  {a['reason']} after {a['steps']} steps"
    return line


# ---------------------------------------------------------------- inputs
def exists(path, what=None):
    """fail unless path is a file (what: which input it is, for the message)."""
    note = f" ({what})" if what else ""
    if not os.path.exists(path):
        fail(f"{path}: no such file{note}")
    if os.path.isdir(path):
        fail(f"{path} is a directory, not a file{note}")


def missing(f, path, name, hint=None):
    """fail: the HDF5 file f (at path) has no /name; says what the file is and holds."""
    sub = attr(f, "subcommand", "?")
    found = ", ".join(f.keys()) or "nothing"
    fail(f"{path} has no /{name} (subcommand {sub!r}; groups: {found})" + (f"; {hint}" if hint else ""))


def open_checked(path, need=(), hint=None, what=None):
    """The HDF5 file at path, open for reading; fail for a missing file, one HDF5 cannot read, or one
    without each group or dataset in need (hint: how to make the right file)."""
    import h5py

    exists(path, what)
    try:
        f = h5py.File(path, "r")
    except OSError as e:
        fail(f"{path}: cannot open as HDF5 ({e})")
    for name in need:
        if name.strip("/") not in f:
            missing(f, path, name.strip("/"), hint)
    return f


def read_csv(path, columns=(), what=None):
    """The rows of a CSV file as dicts; fail for a missing file or one without each of columns."""
    exists(path, what)
    with open(path, newline="") as f:
        reader = csv.DictReader(f)
        header = list(reader.fieldnames or [])
        absent = [c for c in columns if c not in header]
        if absent:
            fail(f"{path} has no column {', '.join(absent)} (columns: {', '.join(header) or 'none'})")
        return header, list(reader)


# ---------------------------------------------------------------- outputs
def output_prefix(path, output):
    """PREFIX for PREFIX_<what>.png: -o (without a trailing .png) or the file without .h5; makes its folder."""
    prefix = output or os.path.splitext(path)[0]
    if prefix.endswith(".png"):
        prefix = prefix[:-4]
    if os.path.dirname(prefix):
        os.makedirs(os.path.dirname(prefix), exist_ok=True)
    return prefix


def output_png(output, default):
    """The PNG to write: output (.png added when missing) or default; makes its folder."""
    out = output or default
    if not out.lower().endswith(".png"):
        out += ".png"
    if os.path.dirname(out):
        os.makedirs(os.path.dirname(out), exist_ok=True)
    return out
