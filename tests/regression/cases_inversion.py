"""Regression cases of gsinv targets and gsinv invert: recovery with BLMVM, exact resume of the
paper's SGD, basin maps, bad input."""
import os
import signal
import subprocess
import time

import h5py
import numpy as np

from gsinv_test import GSINV, MPIEXEC, run

GRID = ["-da_grid_x", "32", "-da_grid_y", "32", "-gs_init_block", "8", "-gs_steady_tol", "0", "-ts_max_steps", "300"]
TRUTH = np.array([0.035, 0.065, 0.16, 0.08])
NEAR = "0.0353,0.0645,0.1615,0.0792"  # about 1% from the truth in every parameter


def make_targets(path="targets.h5", ranks=2):
    run(["targets"] + GRID + ["-gs_targets", "4", "-gs_output", path], ranks)
    with h5py.File(path) as f:
        assert f["targets/v"].shape == (4, 32, 32) and list(f["targets/valid"][...]) == [1, 1, 1, 1]


def case_invert_blmvm():
    """On 32 x 32 with the pixel loss and fixed initial states, BLMVM from a start 1% off recovers
    theta to 1e-4 relative (on 1 and 2 ranks, 2 groups); so does LMVM chosen with -tao_type."""
    make_targets()
    for ranks, extra in ((1, []), (2, []), (1, ["-tao_type", "lmvm"])):
        out = f"blmvm{ranks}{len(extra)}.h5"
        run(["invert"] + GRID + ["-gs_targets_file", "targets.h5", "-gs_batch", "4", "-gs_deterministic", "-gs_loss", "pixel",
                                 "-gs_start", NEAR, "-gs_max_it", "100", "-gs_output", out] + extra, ranks)
        with h5py.File(out) as f:
            final = f["inversion/theta_final"][...]
            err = np.abs(final / TRUTH - 1)
            print(f"{ranks} rank(s): {f['inversion/step'].shape[0]} iterations, {f['inversion'].attrs['reason']}, relative error {err}")
            assert np.all(err <= 1e-4), err
            assert f["inversion"].attrs["finished"] == 1
            for name in ("theta", "loss", "grad_norm", "step", "lr_tries", "valid", "wall_time"):
                assert f["inversion/" + name].shape[0] == f["inversion/step"].shape[0]


def records(path):
    with h5py.File(path) as f:
        return {k: f["inversion/" + k][...] for k in ("theta", "raw_next", "loss", "grad_norm", "step", "lr_tries", "valid")}


def case_invert_resume():
    """The paper's SGD in deterministic mode: a run stopped at an iteration cap and continued, and a
    run killed (SIGKILL) part-way and rerun, give the same record as an uninterrupted run."""
    make_targets()
    sgd = ["invert"] + GRID + ["-gs_targets_file", "targets.h5", "-gs_batch", "4", "-gs_deterministic", "-gs_loss", "pixel",
                               "-gs_optimizer", "sgd", "-gs_lr", "1e-4", "-gs_weight_decay", "5e-4", "-gs_start", NEAR]
    run(sgd + ["-gs_max_it", "12", "-gs_output", "whole.h5"])
    run(sgd + ["-gs_max_it", "5", "-gs_output", "capped.h5"])
    proc = run(sgd + ["-gs_max_it", "12", "-gs_output", "capped.h5"])
    assert "continuing" in proc.stdout
    # the absolute path (in this case's own folder) lets the clean-up below kill this run's ranks only
    killed = os.path.abspath("killed.h5")
    cmd = [MPIEXEC, "-n", "2", GSINV] + sgd + ["-gs_max_it", "12", "-gs_output", killed, "-gs_progress_every", "0"]
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 60
    while time.time() < deadline and p.poll() is None:
        try:
            with h5py.File("killed.h5") as f:
                if f["inversion/step"].shape[0] >= 3:
                    break
        except (OSError, KeyError):
            pass
        time.sleep(0.02)
    if p.poll() is None:
        os.killpg(p.pid, signal.SIGKILL)
    p.wait()
    subprocess.run(["pkill", "-9", "-f", killed], check=False)
    time.sleep(0.2)
    run(sgd + ["-gs_max_it", "12", "-gs_output", "killed.h5"], 2)
    whole = records("whole.h5")
    for other in ("capped.h5", "killed.h5"):
        got = records(other)
        for name, value in whole.items():
            assert np.array_equal(value, got[name]), (other, name)
    assert whole["step"].shape[0] == 12 and np.all(whole["lr_tries"] >= 1)


def case_invert_basin():
    """A 3 x 3 basin map around the truth (+-0.0005 in F and k) on 2 ranks: every start converges; the
    file is complete."""
    make_targets()
    # (+-0.001 in F and k: the start (0.034, 0.066) stops as diverged on the targets of the ziggurat noise)
    run(["invert", "-gs_basin", "-gs_axes", "F,k", "-gs_lo", "0.0345,0.0645", "-gs_hi", "0.0355,0.0655", "-gs_n", "3,3"] + GRID +
        ["-gs_targets_file", "targets.h5", "-gs_batch", "4", "-gs_deterministic", "-gs_loss", "pixel", "-gs_start", "0.035,0.065," + NEAR.split(",", 2)[2],
         "-gs_max_it", "100", "-gs_output", "basin.h5"], 2)
    with h5py.File("basin.h5") as f:
        print(f["basin/converged"][...], f["basin/reason"][...])
        assert f["basin/theta_final"].shape == (3, 3, 4)
        assert np.all(f["basin/converged"][...] == 1)
        assert np.all(np.abs(f["basin/theta_final"][...] / TRUTH - 1) <= 1e-4)
    assert not os.path.exists("basin.h5.journal")
    # a start stopped by the cap reports the steps taken: TAO's iteration 0 is its start
    for optimizer in ("tao", "sgd"):
        proc = run(["invert", "-gs_basin", "-gs_axes", "F", "-gs_lo", "0.02", "-gs_hi", "0.03", "-gs_n", "2"] + GRID +
                   ["-gs_targets_file", "targets.h5", "-gs_batch", "2", "-gs_deterministic", "-gs_loss", "pixel", "-gs_optimizer", optimizer, "-gs_max_it", "3",
                    "-gs_output", f"cap_{optimizer}.h5"], 2)
        with h5py.File(f"cap_{optimizer}.h5") as f:
            its, reason = f["basin/iterations"][...], f["basin/reason"][...]
        print(optimizer, its, reason)
        assert np.all(its[reason == 1] == 3) and np.all(its <= 3) and np.any(reason == 1)
        assert "after 4 iterations" not in proc.stdout


def case_invert_bad_input():
    make_targets(ranks=1)
    base = ["invert"] + GRID + ["-gs_targets_file", "targets.h5", "-gs_output", "bad.h5"]
    cases = [
        (["-gs_targets_file", "missing.h5"], "-gs_targets_file"),
        (["-gs_batch", "0"], "-gs_batch"),
        (["-gs_optimizer", "adam"], "adam"),
        (["-gs_start", "0.03,-0.06,0.1,0.1"], "-gs_start"),
        (["-gs_lr", "0"], "-gs_lr"),
        (["-da_grid_x", "16", "-gs_batch", "1", "-gs_max_it", "1"], "-gs_targets_file"),
    ]
    for extra, name in cases:
        proc = run(base + extra, 2, check=False, timeout=120)
        errors = [line for line in proc.stderr.splitlines() if line.startswith("gsinv: error")]
        print(f"{' '.join(extra)}: exit {proc.returncode}: {errors}")
        assert proc.returncode != 0 and len(errors) == 1 and name in errors[0], proc.stderr
    for extra, name in [(["-gs_init_sampler", "boxmuller"], "-gs_init_sampler ziggurat, this run has boxmuller"),
                        (["-gs_init_noise", "0.03"], "-gs_init_noise 0.02, this run has 0.03")]:
        proc = run(base + ["-gs_max_it", "1", "-gs_deterministic"] + extra, check=False)
        errors = [line for line in proc.stderr.splitlines() if line.startswith("gsinv: error")]
        print(f"deterministic, {' '.join(extra)}: exit {proc.returncode}: {errors}")
        assert proc.returncode != 0 and len(errors) == 1 and name in errors[0] and "-gs_targets_file targets.h5 was made with" in errors[0], proc.stderr
    assert not os.path.exists("bad.h5")
    run(base + ["-gs_max_it", "1", "-gs_deterministic"])
    proc = run(base + ["-gs_max_it", "1", "-gs_loss", "spectrum", "-gs_deterministic"], check=False)
    assert proc.returncode != 0 and "-gs_loss is spectrum but the record -gs_output" in proc.stderr and "made with pixel" in proc.stderr, proc.stderr


def case_invert_usr1():
    """SIGUSR1 (SLURM's time-limit warning) part-way through the paper's SGD on 2 ranks: gsinv drops
    the iteration in progress, exits 0, says so, writes SIGUSR1 to OUTPUT.interrupted; the rerun
    gives the record of an uninterrupted run."""
    make_targets()
    sgd = ["invert"] + GRID + ["-gs_targets_file", "targets.h5", "-gs_batch", "4", "-gs_deterministic", "-gs_loss", "pixel",
                               "-gs_optimizer", "sgd", "-gs_lr", "1e-4", "-gs_weight_decay", "5e-4", "-gs_start", NEAR, "-gs_max_it", "30"]
    run(sgd + ["-gs_output", "whole.h5"], 2)
    p = subprocess.Popen([MPIEXEC, "-n", "2", GSINV] + sgd + ["-gs_output", "stopped.h5"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True, start_new_session=True)
    deadline = time.time() + 60
    while time.time() < deadline and p.poll() is None:
        try:
            with h5py.File("stopped.h5") as f:
                if f["inversion/step"].shape[0] >= 3:
                    break
        except (OSError, KeyError):
            pass
        time.sleep(0.02)
    os.killpg(p.pid, signal.SIGUSR1)
    out, err = p.communicate(timeout=60)
    print(out.splitlines()[-1], p.returncode)
    assert p.returncode == 0, err
    assert "interrupted by SIGUSR1 (the time-limit warning)" in out
    assert open("stopped.h5.interrupted").read().strip() == "SIGUSR1"
    with h5py.File("stopped.h5") as f:
        stopped = f["inversion/step"].shape[0]
        assert f["inversion"].attrs["finished"] == 0 and 3 <= stopped < 30, stopped
    proc = run(sgd + ["-gs_output", "stopped.h5"], 2)
    assert "continuing" in proc.stdout
    whole, got = records("whole.h5"), records("stopped.h5")
    for name, value in whole.items():
        assert np.array_equal(value, got[name]), name
