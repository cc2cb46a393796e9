"""Reading gsinv HDF5 files: one reader for every subcommand's output."""
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
