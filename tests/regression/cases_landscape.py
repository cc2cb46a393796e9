"""Regression cases of gsinv landscape: decomposition and grouping invariance, the zero at the
ground truth, invalid points, resume after SIGKILL and SIGTERM, bad input, the plot script."""
import os
import signal
import subprocess
import sys
import time

import h5py
import numpy as np

from gsinv_test import GSINV, MPIEXEC, attr, run

SMALL = ["landscape", "-da_grid_x", "32", "-da_grid_y", "32", "-gs_init_block", "8", "-ts_max_steps", "1500",
         "-gs_targets", "2", "-gs_loss_tile", "8", "-gs_axes", "F,k", "-gs_lo", "0.03,0.06", "-gs_hi", "0.04,0.07", "-gs_n", "3,3"]
FIELDS = ("pixel", "spectrum", "windowed", "valid", "reason", "steps", "class")


def landscape(path):
    with h5py.File(path) as f:
        return {name: f["landscape/" + name][...] for name in FIELDS}


def assert_same(a, b, rtol=1e-12):
    for name in FIELDS:
        x, y = a[name], b[name]
        if x.dtype.kind == "f":
            assert np.array_equal(np.isnan(x), np.isnan(y)), name
            ok = ~np.isnan(x)
            assert np.all(np.abs(x[ok] - y[ok]) <= rtol * np.abs(y[ok]) + 1e-300), (name, x, y)
        else:
            assert np.array_equal(x, y), (name, x, y)


def case_landscape_ranks():
    """A 3 x 3 landscape: the same on 1, 2 and 4 ranks and with group sizes 1 and 2; exactly 0 at
    the ground truth (the centre point) in the paper's mode."""
    runs = {(1, 1): None, (2, 1): None, (2, 2): None, (4, 1): None, (4, 2): None}
    for ranks, group in runs:
        run(SMALL + ["-gs_group_size", str(group), "-gs_output", f"l{ranks}_{group}.h5"], ranks)
        runs[(ranks, group)] = landscape(f"l{ranks}_{group}.h5")
    reference = runs[(1, 1)]
    for key, result in runs.items():
        assert_same(result, reference)
    for name in ("pixel", "spectrum", "windowed"):
        print(f"{name}:\n{reference[name]}")
        assert reference[name][1, 1] == 0.0
        assert np.all(reference[name][reference["valid"] == 1] >= 0)
    with h5py.File("l1_1.h5") as f:
        assert attr(f, "target_mode") == "paper" and attr(f, "targets") == 2
        assert f["landscape/axis0"].attrs["name"] in (b"F", "F") and list(f["landscape/axis1"][...]) == [0.06, 0.065, 0.07]
        assert "fold" in f["landscape/curves"] and "cliffs" in f["landscape"]


def case_landscape_invalid():
    """Beyond the explicit limit (Du > 0.25 at h = dt = 1) a point blows up: flagged invalid, with
    its reason, and no loss."""
    run(["landscape", "-da_grid_x", "32", "-da_grid_y", "32", "-gs_init_block", "8", "-ts_max_steps", "3000", "-gs_targets", "1",
         "-gs_loss_tile", "8", "-gs_axes", "Du", "-gs_lo", "0.1", "-gs_hi", "0.4", "-gs_n", "4", "-gs_output", "du.h5"])
    r = landscape("du.h5")
    print(r)
    assert list(r["valid"]) == [1, 1, 0, 0]
    with h5py.File("du.h5") as f:
        names = (f["landscape/reason"].attrs["names"].decode()).split(",")
        for i in (2, 3):
            assert names[r["reason"][i]].startswith("invalid") and r["class"][i] == 4
            assert np.isnan(r["pixel"][i]) and r["steps"][i] < 3000


def start(args, ranks, log):
    cmd = [MPIEXEC, "-n", str(ranks), GSINV] + args
    return subprocess.Popen(cmd, stdout=open(log, "w"), stderr=subprocess.STDOUT, start_new_session=True)


def wait_for_records(path, count, limit=60):
    deadline = time.time() + limit
    while time.time() < deadline:
        files = [os.path.join(path, n) for n in os.listdir(path)] if os.path.isdir(path) else []
        size = sum(os.path.getsize(f) for f in files if "records-" in f)
        if size > 0 and count <= 0:
            return
        if size >= count * 64:
            return
        time.sleep(0.05)
    raise AssertionError(f"no records in {path} after {limit} s")


def case_landscape_resume():
    """Killed (SIGKILL) part-way, then SIGTERM part-way, then resumed on other numbers of ranks:
    the final file equals an uninterrupted run's."""
    args = ["landscape", "-da_grid_x", "64", "-da_grid_y", "64", "-ts_max_steps", "10000", "-gs_targets", "2", "-gs_n", "6,6",
            "-gs_progress_every", "0"]
    run(args + ["-gs_output", "whole.h5"], 2)
    proc = start(args + ["-gs_output", "resumed.h5"], 2, "kill.log")
    wait_for_records("resumed.h5.journal", 3)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert not os.path.exists("resumed.h5")
    proc = start(args + ["-gs_output", "resumed.h5"], 1, "term.log")
    time.sleep(1.0)
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait()
    log = open("term.log").read()
    print(log[-600:])
    assert not os.path.exists("resumed.h5")
    proc = run(args + ["-gs_output", "resumed.h5"], 4)
    print(proc.stdout.splitlines()[2:4])
    assert "already in" in proc.stdout
    assert_same(landscape("resumed.h5"), landscape("whole.h5"), rtol=0)
    assert not os.path.exists("resumed.h5.journal")


def case_landscape_bad_input():
    cases = [
        (["-gs_axes", "F,x", "-gs_lo", "0,0", "-gs_hi", "1,1"], "-gs_axes"),
        (["-gs_axes", "F", "-gs_lo", "0.03", "-gs_hi", "0.04", "-gs_n", "0"], "-gs_n"),
        (["-gs_group_size", "3"], "-gs_group_size"),
        (["-gs_lo", "0.03"], "-gs_lo"),
        (["-gs_target_mode", "steady", "-gs_steady_tol", "0"], "-gs_steady_tol"),
        (["-gs_targets", "0"], "-gs_targets"),
        (["-gs_output", "no/dir/l.h5"], "-gs_output"),
    ]
    for extra, name in cases:
        output = [] if "-gs_output" in extra else ["-gs_output", "bad.h5"]
        proc = run(SMALL + extra + output, 2, check=False, timeout=120)
        errors = [line for line in proc.stderr.splitlines() if line.startswith("gsinv: error")]
        print(f"{' '.join(extra)}: exit {proc.returncode}: {errors}")
        assert proc.returncode != 0 and len(errors) == 1 and name in errors[0], proc.stderr
    # A journal made with other options is refused, not mixed in.
    os.makedirs("mixed.h5.journal")
    open("mixed.h5.journal/signature", "w").write("something else")
    proc = run(SMALL + ["-gs_output", "mixed.h5"], 1, check=False)
    assert proc.returncode != 0 and "journal" in proc.stderr


def case_landscape_plot():
    """The plot script draws a real landscape file (heat map with curves, classes, gallery, cliffs)."""
    run(SMALL + ["-gs_gallery_size", "8", "-gs_landscape_gradient", "-gs_output", "plot.h5"])
    with h5py.File("plot.h5") as f:
        assert f["landscape/grad"].shape == (3, 3, 4) and f["landscape/gallery"].shape == (3, 3, 8, 8)
    here = os.path.dirname(os.path.abspath(__file__))
    script = os.path.join(here, "..", "..", "postprocess", "plot_landscape.py")
    proc = subprocess.run(["/usr/bin/python3", script, "plot.h5", "--what", "all", "--log"], capture_output=True, text=True)
    print(proc.stdout, proc.stderr, file=sys.stderr)
    assert proc.returncode == 0
    for what in ("heat", "class", "grad", "gallery", "cliffs"):
        assert os.path.getsize(f"plot_{what}.png") > 1000, what


def case_landscape_file_mode():
    """Targets read from a gsinv targets file: the same landscape as the paper's mode when the file
    was made from the same initial states and steps (exactly 0 at the truth)."""
    run(["targets", "-da_grid_x", "32", "-da_grid_y", "32", "-gs_init_block", "8", "-gs_steady_tol", "0", "-ts_max_steps", "1500",
         "-gs_targets", "2", "-gs_output", "t.h5"], 2)
    run(SMALL + ["-gs_output", "paper.h5"])
    run(SMALL + ["-gs_target_mode", "file", "-gs_targets_file", "t.h5", "-gs_steady_tol", "0", "-gs_output", "file.h5"], 2)
    assert_same(landscape("file.h5"), landscape("paper.h5"))
    assert landscape("file.h5")["pixel"][1, 1] == 0.0
