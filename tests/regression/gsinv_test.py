"""Shared helpers of the regression cases: run the real gsinv executable, read its files."""
import os
import subprocess
import sys

GSINV = os.path.abspath(sys.argv[2]) if len(sys.argv) > 3 else "gsinv"
MPIEXEC = sys.argv[3] if len(sys.argv) > 3 else "mpiexec"


def run(args, ranks=1, check=True, timeout=600, quiet=True):
    """Runs gsinv ARGS on `ranks` ranks (quiet: no progress lines, for subcommands with a time loop)."""
    # One rank runs as an MPI singleton: mpiexec lingers ~2 s after a non-zero exit.
    launcher = [MPIEXEC, "-n", str(ranks)] if ranks > 1 else []
    cmd = launcher + [GSINV] + args + (["-gs_progress_every", "0"] if quiet else [])
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return proc


def attr(f, name):
    value = f.attrs[name]
    return value.decode() if isinstance(value, bytes) else value
