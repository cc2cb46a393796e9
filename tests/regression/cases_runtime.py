"""Regression cases of gsinv's run-time plumbing: error reports (one line, or PETSc's traceback on
request), out of memory, PETSc's -malloc_dump over the subcommands, the MPI-IO component choice."""
import os
import re
import resource
import subprocess

import h5py
import numpy as np

from gsinv_test import GSINV, MPIEXEC, run

SMALL = ["-da_grid_x", "16", "-da_grid_y", "16", "-gs_init_block", "4", "-gs_steady_tol", "0"]
LEAK = re.compile(r"^\[\s*\d+\]\s*\d+ bytes ", re.M)


def sanitized():
    """True when gsinv was built with AddressSanitizer (which reserves terabytes of address space)."""
    with open(GSINV, "rb") as f:
        return b"__asan_init" in f.read()


def assert_no_leaks(proc, what):
    leaks = LEAK.findall(proc.stdout + proc.stderr)
    assert not leaks, f"{what}: -malloc_dump reports unfreed memory:\n{proc.stdout}\n{proc.stderr}"


def case_malloc_dump():
    """PETSc's -malloc_dump lists nothing left allocated at PetscFinalize after simulate, residual,
    gradcheck, landscape, targets and invert (1 and 2 ranks)."""
    dump = ["-malloc_dump"]
    steps = ["-ts_max_steps", "40"]
    assert_no_leaks(run(["simulate"] + SMALL + steps + ["-gs_output", "s.h5"] + dump, 2), "simulate")
    assert_no_leaks(run(["simulate"] + SMALL + ["-ts_max_steps", "2", "-gs_initial", "s.h5", "-gs_snapshot_every", "1",
                         "-gs_output", "pair.h5"] + dump), "simulate from a file")
    assert_no_leaks(run(["residual", "-gs_input", "pair.h5", "-gs_output", "r.h5"] + dump, 2, quiet=False), "residual")
    assert_no_leaks(run(["gradcheck"] + SMALL + steps + ["-gs_output", "g.h5"] + dump), "gradcheck")
    assert_no_leaks(run(["landscape"] + SMALL + steps + ["-gs_targets", "1", "-gs_loss_tile", "8", "-gs_axes", "F",
                         "-gs_lo", "0.03", "-gs_hi", "0.04", "-gs_n", "2", "-gs_output", "l.h5"] + dump, 2), "landscape")
    assert_no_leaks(run(["targets"] + SMALL + steps + ["-gs_targets", "2", "-gs_output", "t.h5"] + dump, 2), "targets")
    assert_no_leaks(run(["invert"] + SMALL + steps + ["-gs_targets_file", "t.h5", "-gs_batch", "2", "-gs_deterministic",
                         "-gs_loss", "pixel", "-gs_max_it", "2", "-gs_output", "i.h5"] + dump), "invert")


def case_error_traceback():
    """An error is one 'gsinv: error:' line by default; -gs_traceback and -info add PETSc's
    traceback (every frame down to the subcommand) and keep that line."""
    bad = ["simulate"] + SMALL + ["-ts_dt", "-1", "-gs_output", "bad.h5"]
    proc = run(bad, check=False)
    # (A sanitizer build may add its leak report: an error exit does not free everything.)
    lines = [line for line in proc.stderr.splitlines() if line.startswith("gsinv")]
    assert proc.returncode != 0 and lines == ["gsinv: error: -ts_dt -1. must be positive"], proc.stderr
    assert "PETSC ERROR" not in proc.stdout + proc.stderr, proc.stderr
    for extra in (["-gs_traceback"], ["-info"]):
        proc = run(bad + extra, check=False)
        assert proc.returncode != 0, proc.stderr
        assert "gsinv: error: -ts_dt -1. must be positive" in proc.stderr, proc.stderr
        frames = re.findall(r"PETSC ERROR: #\d+ (\w+)\(\)", proc.stdout + proc.stderr)
        assert "GSAppSimulate" in frames and len(frames) >= 2, f"{extra}: {frames}\n{proc.stderr}"
    proc = run(bad + ["-gs_traceback"], ranks=2, check=False)
    assert proc.returncode != 0 and proc.stderr.count("gsinv: error: -ts_dt") == 1, proc.stderr


def case_out_of_memory():
    """A grid too large for the memory available (15000 x 15000, which fits the node and so passes the
    up-front check, under a 3 GB address-space limit,
    or the sanitizer's allocation cap) stops with 'out of memory', not a PETSc error number."""
    env = dict(os.environ)
    limit = None
    if sanitized():
        env["ASAN_OPTIONS"] = env.get("ASAN_OPTIONS", "") + ":allocator_may_return_null=1:max_allocation_size_mb=256"
    else:
        limit = 3 << 30

    def cap():
        if limit:
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    cmd = [GSINV, "simulate", "-da_grid_x", "15000", "-da_grid_y", "15000", "-ts_max_steps", "1", "-gs_progress_every", "0",
           "-gs_output", "huge.h5"]
    for extra in ([], ["-gs_traceback"]):
        proc = subprocess.run(cmd + extra, capture_output=True, text=True, timeout=120, env=env, preexec_fn=cap)
        print(proc.stderr.splitlines()[-1] if proc.stderr else "")
        assert proc.returncode == 1, f"exit {proc.returncode}:\n{proc.stderr}"
        message = [line for line in proc.stderr.splitlines() if line.startswith("gsinv: error:")]
        assert len(message) == 1 and "out of memory" in message[0] and "PETSc error" not in message[0], proc.stderr
    assert not os.path.exists("huge.h5")


def case_mpiio_collective():
    """Without OMPI_MCA_io in the environment, gsinv picks the MPI-IO component itself: a 2-rank
    run with collective writes of the state and snapshots ends and writes what 1 rank writes."""
    os.environ.pop("OMPI_MCA_io", None)
    args = SMALL + ["-ts_max_steps", "6", "-gs_snapshot_every", "2"]
    run(["simulate"] + args + ["-gs_output", "one.h5"])
    run(["simulate"] + args + ["-gs_output", "two.h5"], 2, timeout=120)
    with h5py.File("one.h5") as a, h5py.File("two.h5") as b:
        for name in ("state/u", "state/v", "snapshots/u", "snapshots/v"):
            assert a[name].shape == b[name].shape and np.array_equal(a[name][...], b[name][...]), name
