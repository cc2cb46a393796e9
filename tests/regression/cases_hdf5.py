"""Regression cases of gsinv's HDF5 input and output: inputs written by h5py (float64 and float32,
no PETSc attributes), every refusal of a bad input with one message naming file and dataset, damaged
inversion records, and a full disk (a small tmpfs) that never hangs nor loses earlier output."""
import os
import shutil
import signal
import subprocess
import tempfile

import h5py
import numpy as np

from cases_simulate import interrupted_simulate
from gsinv_test import GSINV, MPIEXEC, run

SMALL = ["-da_grid_x", "32", "-da_grid_y", "24", "-gs_init_block", "8", "-gs_steady_tol", "0"]
TGRID = ["-da_grid_x", "16", "-da_grid_y", "16", "-gs_init_block", "4", "-gs_steady_tol", "0", "-ts_max_steps", "50"]


def write_state(path, u, v, dtype):
    """A -gs_initial / -gs_input / -gs_target file as any HDF5 writer makes it: plain datasets."""
    with h5py.File(path, "w") as f:
        f["state/u"] = np.asarray(u, dtype=dtype)
        f["state/v"] = np.asarray(v, dtype=dtype)


def write_snapshots(path, u, v, steps, dt, dtype):
    """A transient -gs_input file: /snapshots/{u,v} [T][ny][nx], /snapshots/step [T], root attribute dt."""
    with h5py.File(path, "w") as f:
        f["snapshots/u"] = np.asarray(u, dtype=dtype)
        f["snapshots/v"] = np.asarray(v, dtype=dtype)
        f["snapshots/step"] = np.asarray(steps, dtype=np.int64)
        f.attrs["dt"] = dt


def gsinv(args, ranks=1, check=True):
    """run() with -gs_progress_every 0 for the subcommands that have it."""
    return run(args, ranks, check=check, timeout=120, quiet=args[0] not in ("residual", "gradcheck"))


def refused(args, path, dataset, ranks=1, words=()):
    """The run fails with exactly one gsinv error line naming the file and the dataset."""
    proc = gsinv(args, ranks, check=False)
    lines = [line for line in proc.stderr.splitlines() if line.startswith("gsinv: error")]
    assert proc.returncode != 0 and len(lines) == 1, (args, proc.returncode, proc.stderr)
    for word in (path, dataset) + tuple(words):
        assert word in lines[0], (word, lines[0])
    assert "PETSc error" not in lines[0], lines[0]
    return lines[0]


def case_hdf5_foreign_inputs():
    """Files written by h5py in the documented layout, float64 and float32, are read by every reader
    (-gs_initial, -gs_input steady and transient, -gs_targets_file) on 1 and 2 ranks; float64 gives
    the same bits as gsinv's own file."""
    run(["simulate"] + SMALL + ["-ts_max_steps", "3", "-gs_output", "three.h5"])
    run(["simulate"] + SMALL + ["-ts_max_steps", "3", "-gs_snapshot_every", "1", "-gs_output", "snaps.h5"])
    with h5py.File("three.h5") as f:
        u, v = f["state/u"][...], f["state/v"][...]
    with h5py.File("snaps.h5") as f:
        su, sv, steps, dt = f["snapshots/u"][...], f["snapshots/v"][...], f["snapshots/step"][...], f.attrs["dt"]
    for dtype in (np.float64, np.float32):
        name = np.dtype(dtype).name
        write_state(f"state_{name}.h5", u, v, dtype)
        write_snapshots(f"snaps_{name}.h5", su, sv, steps, dt, dtype)
    run(["simulate"] + SMALL + ["-ts_max_steps", "2", "-gs_initial", "three.h5", "-gs_output", "own.h5"], 2)
    for dtype, tol in ((np.float64, 1e-14), (np.float32, 1e-6)):
        name = np.dtype(dtype).name
        for ranks in (1, 2):
            out = f"from_{name}_{ranks}.h5"
            run(["simulate"] + SMALL + ["-ts_max_steps", "2", "-gs_initial", f"state_{name}.h5", "-gs_output", out], ranks)
            with h5py.File("own.h5") as a, h5py.File(out) as b:
                diff = np.abs(a["state/v"][...] - b["state/v"][...]).max()
                assert diff <= tol, (name, ranks, diff)
            for form, path in (("steady", f"state_{name}.h5"), ("transient", f"snaps_{name}.h5")):
                res = f"res_{form}_{name}_{ranks}.h5"
                gsinv(["residual", "-gs_input", path, "-gs_residual_form", form, "-gs_output", res], ranks)
                with h5py.File(res) as f:
                    assert np.all(np.isfinite(f["residual/theta"][...]))
    # -gs_target (gradcheck): the loss against h5py's float32 copy of a state is that state's own, near 0.
    for ranks in (1, 2):
        gsinv(["gradcheck"] + SMALL + ["-ts_max_steps", "3", "-gs_target", "state_float32.h5", "-gs_fd", "0", "-gs_forward", "0",
                                       "-gs_taylor", "0", "-gs_output", f"grad{ranks}.h5"], ranks)
        with h5py.File(f"grad{ranks}.h5") as f:
            assert f["gradcheck/loss"][()] < 1e-12, f["gradcheck/loss"][()]
    # The transient estimate from h5py's float64 copy equals the one from gsinv's own file.
    gsinv(["residual", "-gs_input", "snaps.h5", "-gs_residual_form", "transient", "-gs_output", "res_own.h5"], 2)
    with h5py.File("res_own.h5") as a, h5py.File("res_transient_float64_2.h5") as b:
        assert np.array_equal(a["residual/theta"][...], b["residual/theta"][...])
    # Targets: /targets/v [N][ny][nx] only, float32, no attributes.
    run(["targets"] + TGRID + ["-gs_targets", "2", "-gs_output", "targets.h5"])
    with h5py.File("targets.h5") as f, h5py.File("plain_targets.h5", "w") as g:
        g["targets/v"] = f["targets/v"][...].astype(np.float32)
    for ranks in (1, 2):
        run(["invert"] + TGRID + ["-gs_targets_file", "plain_targets.h5", "-gs_batch", "2", "-gs_loss", "pixel",
                                  "-gs_max_it", "1", "-gs_output", f"inv{ranks}.h5"], ranks)
        with h5py.File(f"inv{ranks}.h5") as f:
            assert f["inversion/step"].shape[0] >= 1 and np.isfinite(f["inversion/loss"][0])


def bad_variants(good_u, good_v):
    """name -> (writer, dataset named in the message, words the message must contain)."""
    ny, nx = good_u.shape
    nan = good_v.copy()
    nan[ny - 1, nx - 1] = np.nan  # on the last rank's patch
    inf = good_v.copy()
    inf[0, 0] = np.inf
    return {
        "int": (lambda f: (f.create_dataset("state/u", data=good_u), f.create_dataset("state/v", data=(good_v * 100).astype(np.int32))), "/state/v", ("32-bit integers", "float64 or float32")),
        "rank": (lambda f: (f.create_dataset("state/u", data=good_u.ravel()), f.create_dataset("state/v", data=good_v)), "/state/u", ("1 dimension", f"[{ny * nx}]", f"[{ny}][{nx}]")),
        "shape": (lambda f: (f.create_dataset("state/u", data=good_u[:, :-1]), f.create_dataset("state/v", data=good_v)), "/state/u", (f"[{ny}][{nx - 1}]", f"[{ny}][{nx}]")),
        "nan": (lambda f: (f.create_dataset("state/u", data=good_u), f.create_dataset("state/v", data=nan)), "/state/v", ("nan", "finite")),
        "inf": (lambda f: (f.create_dataset("state/u", data=good_u), f.create_dataset("state/v", data=inf)), "/state/v", ("inf", "finite")),
        "empty": (lambda f: (f.create_dataset("state/u", data=np.zeros((0, nx))), f.create_dataset("state/v", data=good_v)), "/state/u", ("empty",)),
        "missing": (lambda f: f.create_dataset("state/u", data=good_u), "/state/v", ("no dataset",)),
    }


def case_hdf5_refusals():
    """Integer data, wrong rank or shape, NaN, Inf, empty and missing datasets are refused by every
    reader with one message naming the file and the dataset, what was found and what is expected,
    on 1 and 2 ranks (the NaN lies in rank 1's part only)."""
    run(["simulate"] + SMALL + ["-ts_max_steps", "3", "-gs_output", "three.h5"])
    with h5py.File("three.h5") as f:
        u, v = f["state/u"][...], f["state/v"][...]
    for name, (writer, dataset, words) in bad_variants(u, v).items():
        path = f"bad_{name}.h5"
        with h5py.File(path, "w") as f:
            writer(f)
        for ranks in (1, 2):
            refused(["simulate"] + SMALL + ["-ts_max_steps", "1", "-gs_initial", path, "-gs_output", "x.h5"], path, dataset, ranks, words)
        if name != "shape":  # residual takes its grid from /state/u
            refused(["residual", "-gs_input", path, "-gs_output", "x.h5"], path, dataset, 2, words[:1])
        assert not os.path.exists("x.h5")
    # A truncated file (a copy cut short) and a file that is not HDF5 at all.
    with open("three.h5", "rb") as f:
        data = f.read()
    with open("truncated.h5", "wb") as f:
        f.write(data[: len(data) // 2])
    with open("text.h5", "w") as f:
        f.write("not hdf5\n")
    for path, words in (("truncated.h5", ("truncated",)), ("text.h5", ("not an HDF5 file",)), ("absent.h5", ("absent.h5",))):
        refused(["simulate"] + SMALL + ["-ts_max_steps", "1", "-gs_initial", path, "-gs_output", "x.h5"], path, "-gs_initial", 2, words)
    # Transient input: integer snapshots, too few, steps missing, steps of another length.
    with h5py.File("three.h5") as f:
        stack = np.stack([u, u, u]), np.stack([v, v, v])
    cases = {
        "int_snap": ({"snapshots/u": stack[0].astype(np.int64), "snapshots/v": stack[1], "snapshots/step": [0, 1, 2]}, "/snapshots/u", ("integers",)),
        "one_snap": ({"snapshots/u": stack[0][:1], "snapshots/v": stack[1][:1], "snapshots/step": [0]}, "/snapshots/v", ("at least 2",)),
        "no_step": ({"snapshots/u": stack[0], "snapshots/v": stack[1]}, "/snapshots/step", ("no dataset",)),
        "float_step": ({"snapshots/u": stack[0], "snapshots/v": stack[1], "snapshots/step": np.array([0.0, 1.0, 2.0])}, "/snapshots/step", ("expected integers",)),
        "nan_snap": ({"snapshots/u": stack[0], "snapshots/v": np.where(np.arange(3)[:, None, None] == 2, np.nan, stack[1]), "snapshots/step": [0, 1, 2]}, "/snapshots/v", ("nan", "[2][")),
    }
    for name, (datasets, dataset, words) in cases.items():
        path = f"bad_{name}.h5"
        with h5py.File(path, "w") as f:
            for key, value in datasets.items():
                f[key] = value
            f.attrs["dt"] = 1.0
        refused(["residual", "-gs_input", path, "-gs_residual_form", "transient", "-gs_output", "x.h5"], path, dataset, 2, words)
    # Targets: empty (was a division by zero), integer, NaN, missing.
    targets = {
        "empty": (np.zeros((0, 16, 16)), ("empty", "[0][16][16]")),
        "int": (np.ones((2, 16, 16), dtype=np.int16), ("16-bit integers",)),
        "nan": (np.full((2, 16, 16), np.nan), ("nan", "finite")),
        "rank": (np.ones((16, 16)), ("2 dimensions",)),
    }
    for name, (data, words) in targets.items():
        path = f"targets_{name}.h5"
        with h5py.File(path, "w") as f:
            f["targets/v"] = data
            f["targets"].attrs["seed"], f["targets"].attrs["sample0"] = 1, 0  # what -gs_deterministic needs
        for extra in ([], ["-gs_deterministic"]):
            refused(["invert"] + TGRID + ["-gs_targets_file", path, "-gs_batch", "2", "-gs_max_it", "1", "-gs_output", "x.h5"] + extra,
                    path, "/targets/v", 2, words)
    with h5py.File("no_targets.h5", "w") as f:
        f["other"] = np.ones(3)
    refused(["invert"] + TGRID + ["-gs_targets_file", "no_targets.h5", "-gs_output", "x.h5"], "no_targets.h5", "/targets/v", 1, ("no dataset",))


def case_hdf5_damaged_record():
    """An inversion record damaged on disk is refused for a resume with one message naming the file
    and the dataset, never read as zeros or past its end: /inversion/theta longer than /inversion/step
    (was a heap overflow), /inversion/step missing (was a SEGV), /inversion/loss missing (was exit 0
    with losses replaced by theta), a column of integers, the 'finished' attribute missing."""
    run(["targets"] + TGRID + ["-gs_targets", "2", "-gs_output", "targets.h5"])
    sgd = ["invert"] + TGRID + ["-gs_targets_file", "targets.h5", "-gs_batch", "2", "-gs_deterministic", "-gs_loss", "pixel",
                                "-gs_optimizer", "sgd", "-gs_lr", "1e-4"]
    run(sgd + ["-gs_max_it", "3", "-gs_output", "good.h5"])

    def longer_theta(g):
        theta = g["theta"][...]
        del g["theta"]
        g["theta"] = np.vstack([theta, theta, theta])

    def int_loss(g):
        del g["loss"]
        g["loss"] = np.arange(3)

    damages = {
        "theta_longer": (longer_theta, "/inversion/theta"),
        "no_step": (lambda g: g.__delitem__("step"), "/inversion/step"),
        "no_loss": (lambda g: g.__delitem__("loss"), "/inversion/loss"),
        "int_loss": (int_loss, "/inversion/loss"),
        "no_finished": (lambda g: g.attrs.__delitem__("finished"), "finished"),
    }
    for name, (damage, dataset) in damages.items():
        path = f"{name}.h5"
        with open("good.h5", "rb") as src, open(path, "wb") as dst:
            dst.write(src.read())
        with h5py.File(path, "r+") as f:
            damage(f["inversion"])
        for ranks in (1, 2):
            line = refused(sgd + ["-gs_max_it", "5", "-gs_output", path], path, dataset, ranks, ("damaged", "cannot continue"))
            print(f"{name}, {ranks} rank(s): {line}")
    proc = run(sgd + ["-gs_max_it", "5", "-gs_output", "good.h5"])
    assert "continuing" in proc.stdout


def fill(folder, leave):
    """Fills the file system of folder but `leave` bytes (tmpfs counts 4 KiB pages)."""
    path = os.path.join(folder, "filler")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    try:
        while os.write(fd, b"\0" * 4096) == 4096:
            pass
    except OSError:
        pass
    os.close(fd)
    os.truncate(path, max(0, os.path.getsize(path) - leave))
    return path


def full_disk_refusal(args, ranks, folder, name):
    """Fails within 60 s with one gsinv error line saying disk full and naming the output; no crash,
    no partial file left."""
    cmd = ([MPIEXEC, "-n", str(ranks)] if ranks > 1 else []) + [GSINV] + args + ["-gs_progress_every", "0"]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    lines = [line for line in proc.stderr.splitlines() if line.startswith("gsinv: error")]
    assert proc.returncode not in (0, -11, 139) and len(lines) == 1, (args, proc.returncode, proc.stderr)
    assert "disk full" in lines[0] and name in lines[0], lines[0]
    assert not [f for f in os.listdir(folder) if f.endswith(".partial")], os.listdir(folder)
    return lines[0]


def case_hdf5_disk_full():
    """On a full file system (a 300 KiB tmpfs) simulate (1 and 2 ranks), landscape, targets and invert
    stop with one message saying disk full and naming the file, never hang or crash; so does the
    continuation of an interrupted simulation, which stays as it was; a journal append says disk
    full too; an earlier output in the folder survives intact."""
    if os.geteuid() != 0:
        print("skipped: mounting a tmpfs needs root")
        raise SystemExit(77)
    full = os.path.abspath("full")
    os.mkdir(full)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=300k", "tmpfs", full], capture_output=True, text=True)
    if mounted.returncode != 0:
        print(f"skipped: cannot mount a tmpfs here ({mounted.stderr.strip()})")
        raise SystemExit(77)
    try:
        run(["simulate", "-da_grid_x", "16", "-da_grid_y", "16", "-gs_init_block", "4", "-ts_max_steps", "2",
             "-gs_steady_tol", "0", "-gs_output", os.path.join(full, "earlier.h5")])
        with open(os.path.join(full, "earlier.h5"), "rb") as f:
            earlier = f.read()
        run(["targets"] + TGRID + ["-gs_targets", "2", "-gs_output", "targets.h5"])
        # an interrupted simulation to continue on the full disk (its copy cannot be made)
        endless = ["simulate", "-da_grid_x", "32", "-da_grid_y", "32", "-gs_init_block", "4", "-gs_steady_tol", "0",
                   "-ts_max_steps", "100000000", "-gs_snapshot_every", "100000", "-gs_output"]
        interrupted_simulate(endless + ["stopped.h5"], 1, signal.SIGUSR1, 1.0)
        shutil.copy("stopped.h5", os.path.join(full, "stopped.h5"))
        stopped = open("stopped.h5", "rb").read()
        print(f"interrupted simulation of {len(stopped)} bytes")
        filler = fill(full, 40 * 1024)
        print(full_disk_refusal(endless + [os.path.join(full, "stopped.h5")], 2, full, "stopped.h5"))
        assert open(os.path.join(full, "stopped.h5"), "rb").read() == stopped
        out = os.path.join(full, "out.h5")
        for ranks in (1, 2):
            print(full_disk_refusal(["simulate", "-da_grid_x", "64", "-da_grid_y", "64", "-ts_max_steps", "2", "-gs_steady_tol", "0",
                                     "-gs_output", out], ranks, full, "out.h5"))
        landscape = ["landscape"] + TGRID + ["-gs_targets", "1", "-gs_axes", "F,k", "-gs_lo", "0.03,0.06", "-gs_hi", "0.04,0.07", "-gs_n", "2,2"]
        print(full_disk_refusal(landscape + ["-gs_output", os.path.join(full, "land.h5")], 2, full, "land.h5"))
        print(full_disk_refusal(["targets"] + TGRID + ["-gs_targets", "2", "-gs_output", os.path.join(full, "t.h5")], 2, full, "t.h5"))
        print(full_disk_refusal(["invert"] + TGRID + ["-gs_targets_file", "targets.h5", "-gs_batch", "2", "-gs_max_it", "2",
                                 "-gs_output", os.path.join(full, "inv.h5")], 2, full, "inv.h5"))
        # One page left: the journal's signature takes it, the first record finds the disk full.
        subprocess.run(["rm", "-rf", os.path.join(full, "land.h5.journal"), os.path.join(full, "t.h5.journal")], check=True)
        os.remove(filler)
        fill(full, 4096)
        line = full_disk_refusal(landscape + ["-gs_output", os.path.join(full, "land2.h5")], 1, full, "land2.h5")
        assert "journal" in line, line
        print(line)
        with open(os.path.join(full, "earlier.h5"), "rb") as f:
            assert f.read() == earlier
        with h5py.File(os.path.join(full, "earlier.h5")) as f:
            assert f["state/v"].shape == (16, 16)
    finally:
        subprocess.run(["umount", full], check=False)
