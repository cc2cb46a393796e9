"""Regression cases of gsinv simulate: decomposition invariance, steady state, files, bad input."""
import os
import shutil
import signal
import subprocess
import time

import h5py
import numpy as np

from gsinv_test import GSINV, MPIEXEC, attr, run


def case_decomposition():
    """The same 2,000-step run at 1, 2, 3 (1 x 3 strips), 4 (2 x 2) and 4 (4 x 1) ranks gives the same
    final v (max difference <= 1e-12), and on 2 ranks the fast path (edge-only halo exchange) equals
    the TS path (DMGlobalToLocal)."""
    common = ["simulate", "-gs_steady_tol", "0", "-ts_max_steps", "2000", "-gs_seed", "3"]
    layouts = {"1": (1, []), "2": (2, []), "3": (3, ["-da_processors_x", "1", "-da_processors_y", "3"]),
               "4": (4, []), "4x1": (4, ["-da_processors_x", "4", "-da_processors_y", "1"]),
               "2ts": (2, ["-gs_fast_path", "0"])}
    fields = {}
    for name, (ranks, extra) in layouts.items():
        run(common + extra + ["-gs_output", f"dec{name}.h5"], ranks)
        with h5py.File(f"dec{name}.h5") as f:
            assert attr(f, "reason") == "fixed_steps" and attr(f, "steps") == 2000
            fields[name] = f["state/v"][...]
    for name in layouts:
        diff = np.abs(fields[name] - fields["1"]).max()
        print(f"max |v_{name} - v_1| = {diff:.3e}")
        assert diff <= 1e-12, (name, diff)
    assert fields["1"].std() > 1e-3, "the run must develop structure for the comparison to mean anything"


def case_steady_default():
    """mpiexec -n 2 gsinv simulate at the defaults reaches the steady state of the paper's case."""
    run(["simulate", "-gs_output", "steady.h5"], 2)
    assert not os.path.exists("steady.h5.partial")
    assert os.path.exists("steady.xmf")
    with h5py.File("steady.h5") as f:
        steps, reason = attr(f, "steps"), attr(f, "reason")
        print(f"reason {reason} after {steps} steps")
        assert reason == "steady"
        # Reference: 19,301 steps for seed 0 (the paper reports ~20,100 for its own draws).
        assert abs(steps - 19301) <= 100, steps
        assert attr(f, "final_max_change") < 1e-4
        for name in ("format_version", "F", "k", "Du", "Dv", "h", "dt", "grid", "seed", "ts_type",
                     "options", "petsc_version", "git_revision", "steps", "reason"):
            assert name in f.attrs, name
        assert list(f.attrs["grid"]) == [128, 128] and attr(f, "-gs_init_sampler") == "ziggurat"
        v = f["state/v"][...]
        assert v.shape == (128, 128) and 0 <= v.min() and v.max() <= 1 and v.max() > 0.2
    # The recipe before the ziggurat, as inputs/paper-simulate.opts pins it: 18,226 steps.
    run(["simulate", "-gs_init_sampler", "boxmuller", "-gs_output", "steady_bm.h5"], 2)
    with h5py.File("steady_bm.h5") as f:
        print(f"boxmuller: reason {attr(f, 'reason')} after {attr(f, 'steps')} steps")
        assert attr(f, "reason") == "steady" and abs(attr(f, "steps") - 18226) <= 100 and attr(f, "-gs_init_sampler") == "boxmuller"


def case_snapshots():
    """Snapshots every N steps form [T][ny][nx] series with their steps; the last equals /state."""
    run(["simulate", "-da_grid_x", "32", "-da_grid_y", "24", "-gs_init_block", "8", "-gs_steady_tol", "0",
         "-ts_max_steps", "6", "-gs_snapshot_every", "2", "-gs_output", "snap.h5"], 2)
    with h5py.File("snap.h5") as f:
        assert f["snapshots/u"].shape == (4, 24, 32)
        assert list(f["snapshots/step"][...]) == [0, 2, 4, 6]
        assert np.array_equal(f["snapshots/v"][3], f["state/v"][...])
    run(["simulate", "-da_grid_x", "16", "-da_grid_y", "16", "-gs_init_block", "4", "-gs_steady_tol", "0",
         "-ts_max_steps", "5", "-gs_snapshot_every", "1", "-gs_output", "every.h5"], 1)
    with h5py.File("every.h5") as f:
        assert f["snapshots/v"].shape == (6, 16, 16)
    xmf = open("every.xmf").read()
    assert xmf.count("<Grid Name=\"snapshots_") == 6 and "every.h5:/xdmf/snapshots/v/5" in xmf
    assert "HyperSlab" not in xmf and "3DCoRectMesh" in xmf


def case_initial_file():
    """A state written by simulate restarts the run on another number of ranks: 3 + 2 steps == 5 steps."""
    small = ["-da_grid_x", "40", "-da_grid_y", "30", "-gs_init_block", "8", "-gs_steady_tol", "0"]
    run(["simulate"] + small + ["-ts_max_steps", "5", "-gs_output", "five.h5"], 1)
    run(["simulate"] + small + ["-ts_max_steps", "3", "-gs_output", "three.h5"], 2)
    run(["simulate"] + small + ["-ts_max_steps", "2", "-gs_initial", "three.h5", "-gs_output", "restart.h5"], 4)
    with h5py.File("five.h5") as a, h5py.File("restart.h5") as b:
        diff = np.abs(a["state/v"][...] - b["state/v"][...]).max()
        assert diff <= 1e-14, diff
        assert attr(b, "initial") == "three.h5"


def case_implicit():
    """Beyond the explicit limit: RK warns and fails as invalid; CN runs; CN and RK4 agree."""
    base = ["simulate", "-da_grid_x", "32", "-da_grid_y", "32", "-gs_init_block", "8", "-gs_steady_tol", "0"]
    proc = run(base + ["-gs_Du", "0.4", "-ts_max_steps", "3000", "-gs_output", "rk_unstable.h5"])
    assert "unstable" in proc.stderr, proc.stderr
    with h5py.File("rk_unstable.h5") as f:
        assert attr(f, "reason").startswith("invalid"), attr(f, "reason")
    run(base + ["-gs_Du", "0.4", "-ts_type", "cn", "-ts_max_steps", "200", "-gs_output", "cn_stable.h5"])
    with h5py.File("cn_stable.h5") as f:
        assert attr(f, "reason") == "fixed_steps" and attr(f, "ts_type") == "cn"
    run(base + ["-ts_type", "cn", "-ts_dt", "0.25", "-ts_max_steps", "200", "-gs_output", "cn.h5"])
    run(base + ["-ts_type", "rk", "-ts_rk_type", "4", "-ts_dt", "0.25", "-ts_max_steps", "200", "-gs_output", "rk4.h5"])
    run(base + ["-ts_type", "beuler", "-ts_dt", "0.25", "-ts_max_steps", "200", "-gs_output", "be.h5"])
    with h5py.File("cn.h5") as a, h5py.File("rk4.h5") as b, h5py.File("be.h5") as c:
        cn_rk4 = np.abs(a["state/v"][...] - b["state/v"][...]).max()
        be_rk4 = np.abs(c["state/v"][...] - b["state/v"][...]).max()
        print(f"t = 50: max|CN - RK4| = {cn_rk4:.2e}, max|BEuler - RK4| = {be_rk4:.2e}")
        assert cn_rk4 < 1e-4 and be_rk4 < 1e-2 and cn_rk4 < be_rk4


def case_bad_input():
    """Bad input: non-zero exit, exactly one message naming the option, earlier results untouched."""
    run(["simulate", "-da_grid_x", "16", "-da_grid_y", "16", "-gs_init_block", "4", "-ts_max_steps", "3",
         "-gs_steady_tol", "0", "-gs_output", "good.h5"])
    before = open("good.h5", "rb").read()
    os.makedirs("readonly", exist_ok=True)
    cases = [
        (["-gs_Du", "-0.1"], "-gs_Du"),
        (["-da_grid_x", "0"], "-da_grid_x"),
        (["-gs_initial", "missing.h5"], "-gs_initial"),
        (["-gs_initial", "good.xmf"], "-gs_initial"),
        (["-gs_initial", "good.h5", "-da_grid_x", "20"], "-gs_initial"),
        (["-gs_output", "no/such/dir/out.h5"], "-gs_output"),
        (["-gs_Fk", "0.05"], "-gs_Fk"),
        (["-gs_F", "abc"], "-gs_F"),
        (["-ts_max_step", "10"], "-ts_max_step"),
        (["-gs_steady_tol", "-1"], "-gs_steady_tol"),
        (["-ts_dt", "-1"], "-ts_dt"),
    ]
    for extra, name in cases:
        for ranks in (1, 2):
            proc = run(["simulate", "-gs_output", "good.h5"] + extra, ranks, check=False, timeout=120)
            errors = [line for line in proc.stderr.splitlines() if line.startswith("gsinv: error")]
            print(f"{' '.join(extra)} ({ranks} ranks): exit {proc.returncode}: {errors}")
            assert proc.returncode != 0
            assert len(errors) == 1 and name in errors[0], proc.stderr
            assert "PETSC ERROR" not in proc.stderr
    assert open("good.h5", "rb").read() == before
    proc = run(["nosuchcommand"], check=False)
    assert proc.returncode != 0 and "unknown subcommand" in proc.stderr


def case_killed_run():
    """A killed run leaves no file under the final name; the partial file is replaced by the next run."""
    cmd = [MPIEXEC, "-n", "2", GSINV, "simulate", "-gs_steady_tol", "0", "-ts_max_steps", "10000000",
           "-gs_snapshot_every", "200", "-gs_output", "killed.h5"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    time.sleep(3)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert not os.path.exists("killed.h5") and os.path.exists("killed.h5.partial")
    run(["simulate", "-da_grid_x", "16", "-da_grid_y", "16", "-gs_init_block", "4", "-ts_max_steps", "3",
         "-gs_steady_tol", "0", "-gs_output", "killed.h5"])
    assert os.path.exists("killed.h5") and not os.path.exists("killed.h5.partial")


def interrupted_simulate(args, ranks, sig, wait):
    """Runs gsinv ARGS, sends sig to it after `wait` seconds, and returns its stdout (exit 0 required)."""
    launcher = [MPIEXEC, "-n", str(ranks)] if ranks > 1 else []
    p = subprocess.Popen(launcher + [GSINV] + args + ["-gs_progress_every", "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         start_new_session=True)
    time.sleep(wait)
    os.killpg(p.pid, sig)
    out, err = p.communicate(timeout=120)
    assert p.returncode == (0 if sig != signal.SIGKILL else -sig) or sig == signal.SIGKILL, (p.returncode, out, err)
    return out


def same_files(a, b):
    """Every dataset of the HDF5 files a and b is equal, bit for bit; their sidecars say the same."""
    with h5py.File(a) as fa, h5py.File(b) as fb:
        names = []
        fa.visititems(lambda n, o: names.append(n) if isinstance(o, h5py.Dataset) else None)
        others = []
        fb.visititems(lambda n, o: others.append(n) if isinstance(o, h5py.Dataset) else None)
        assert sorted(names) == sorted(others), (names, others)
        for n in names:
            assert fa[n].shape == fb[n].shape and np.array_equal(fa[n][...], fb[n][...]), n
        for key in ("steps", "reason", "final_max_change", "settings_signature"):
            assert attr(fa, key) == attr(fb, key), key
    xa, xb = (open(x[:-3] + ".xmf").read().replace(x, "X") for x in (a, b))
    assert xa == xb
    return len(names)


def case_simulate_continue():
    """A simulation stopped by SIGUSR1 (2 ranks), again by SIGTERM (1 rank) and continued on 2 ranks
    by the same command writes the file of an uninterrupted run, bit for bit; a SIGKILL during a
    continuation leaves the interrupted file as it was; other settings, or a cap below the steps
    taken, are refused naming the option, and the file survives; a damaged interrupted file is
    refused naming the dataset or attribute."""
    base = ["simulate", "-da_grid_x", "64", "-da_grid_y", "48", "-gs_init_block", "8", "-gs_steady_tol", "0", "-gs_snapshot_every", "3000"]
    endless = base + ["-ts_max_steps", "100000000", "-gs_output", "cont.h5"]
    out = interrupted_simulate(endless, 2, signal.SIGUSR1, 1.5)
    assert "interrupted by SIGUSR1" in out and "the same command continues it" in out, out
    assert open("cont.h5.interrupted").read().strip() == "SIGUSR1"
    out = interrupted_simulate(endless, 1, signal.SIGTERM, 1.5)
    assert "continuing the interrupted run in cont.h5 from step" in out and "interrupted by SIGTERM" in out, out
    with h5py.File("cont.h5") as f:
        assert attr(f, "reason") == "interrupted"
        steps = int(attr(f, "steps"))
    print(f"interrupted twice, at step {steps}")
    kept = open("cont.h5", "rb").read()
    interrupted_simulate(endless, 2, signal.SIGKILL, 1.0)
    assert open("cont.h5", "rb").read() == kept, "a killed continuation changed the interrupted file"
    for change, option in ((["-ts_dt", "0.5"], "-ts_dt"), (["-gs_seed", "4"], "-gs_seed"), (["-gs_snapshot_every", "100"], "-gs_snapshot_every")):
        proc = run(base + ["-ts_max_steps", "100000000", "-gs_output", "cont.h5"] + change, 2, check=False)
        assert proc.returncode != 0 and f"{option} is" in proc.stderr and "interrupted run -gs_output cont.h5" in proc.stderr, proc.stderr
    proc = run(base + ["-ts_max_steps", str(steps), "-gs_output", "cont.h5"], check=False)
    assert proc.returncode != 0 and "-ts_max_steps" in proc.stderr and "already taken" in proc.stderr, proc.stderr
    assert open("cont.h5", "rb").read() == kept
    for damage, named in (("snapshots/step", "/snapshots/step"), ("settings_signature", "settings_signature")):
        shutil.copy("cont.h5", "damaged.h5")
        with h5py.File("damaged.h5", "r+") as f:
            del (f if "/" in damage else f.attrs)[damage]
        proc = run(base + ["-ts_max_steps", "100000000", "-gs_output", "damaged.h5"], check=False)
        assert proc.returncode != 0 and named in proc.stderr and "cannot continue it" in proc.stderr, proc.stderr
    final = steps + 4500
    proc = run(base + ["-ts_max_steps", str(final), "-gs_output", "cont.h5"], 2)
    assert "continuing" in proc.stdout and not os.path.exists("cont.h5.partial")
    run(base + ["-ts_max_steps", str(final), "-gs_output", "whole.h5"], 2)
    print(f"continued to {final} steps: {same_files('whole.h5', 'cont.h5')} datasets equal to the uninterrupted run")


def case_help():
    """gsinv SUB -help lists gsinv's own options first, grouped, one line each with its default,
    then how to see PETSc's; it reads no input (invert without targets.h5) and exits 0."""
    for sub in ("simulate", "landscape", "targets", "invert", "gradcheck", "residual", "bench"):
        for ranks in ((1, 2) if sub == "invert" else (1,)):
            proc = run([sub, "-help"], ranks, quiet=False)
            lines = proc.stdout.splitlines()
            options = [line for line in lines if line.startswith("  -gs_")]
            print(f"{sub} on {ranks} rank(s): {len(lines)} lines, {len(options)} options")
            assert lines[0].startswith(f"gsinv {sub}:") and f"gsinv {sub} -help all" in lines[-1], proc.stdout
            assert len(options) >= 10 and len(lines) < 2 * len(options) + 30, proc.stdout
            assert not any(line.lstrip().startswith(("-ts_", "-tao_", "-dm_", "-log_")) for line in lines), proc.stdout
            assert not os.path.exists("targets.h5") and not os.path.exists(f"{sub}.h5")
    lines = run(["simulate", "-help"], quiet=False).stdout.splitlines()
    assert "  -gs_F 0.035" in "\n".join(lines) and "Gray-Scott model:" in lines
    proc = run(["simulate", "-gs_F", "0.04", "-help", "all"], quiet=False)
    assert "-ts_type" in proc.stdout and "[now 0.04]" in proc.stdout
