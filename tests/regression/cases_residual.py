"""Regression cases of gsinv residual: exact recovery, bias, identifiability, landscape."""
import os

import h5py
import numpy as np

from gsinv_test import attr, run


def run_residual(args, ranks=1, check=True, timeout=120):
    """run() for gsinv residual, which has no time loop and so no -gs_progress_every."""
    return run(["residual"] + args, ranks, check, timeout, quiet=False)


def residual_failure(args, ranks):
    """Runs gsinv residual expecting failure; returns its single 'gsinv: error' line."""
    proc = run_residual(args, ranks, check=False)
    errors = [line for line in proc.stderr.splitlines() if line.startswith("gsinv: error")]
    print(f"residual {' '.join(args)} ({ranks} ranks): exit {proc.returncode}: {errors}")
    assert proc.returncode != 0
    assert len(errors) == 1 and "PETSC ERROR" not in proc.stderr, proc.stderr
    return errors[0]


def residual_direct_loss(u, v, theta, h=1.0):
    """mean(r_u^2 + r_v^2) of the steady residual, recomputed from the fields (periodic Laplacians)."""
    F, k, Du, Dv = theta
    lap = lambda x: (np.roll(x, 1, 0) + np.roll(x, -1, 0) + np.roll(x, 1, 1) + np.roll(x, -1, 1) - 4 * x) / h**2
    r_u = Du * lap(u) - u * v * v + F * (1 - u)
    r_v = Dv * lap(v) + u * v * v - (F + k) * v
    return np.mean(r_u**2 + r_v**2)


def case_residual_snapshots():
    """Two consecutive forward-Euler snapshots at the truth give theta to 1e-10 at 1, 2 and 4 ranks;
    the observation model (noise, mask) does not depend on the decomposition."""
    small = ["-da_grid_x", "64", "-da_grid_y", "64", "-gs_steady_tol", "0"]
    run(["simulate"] + small + ["-ts_max_steps", "400", "-gs_output", "s400.h5"], 2)
    run(["simulate"] + small + ["-ts_max_steps", "2", "-gs_initial", "s400.h5", "-gs_snapshot_every", "1",
         "-gs_output", "pair.h5"], 2)
    with h5py.File("s400.h5") as f:
        assert f["state/v"][...].std() > 1e-2, "the pattern must be non-trivial"
    truth = np.array([0.035, 0.065, 0.16, 0.08])
    for ranks in (1, 2, 4):
        for pairs in ("0", "1"):
            out = f"res{ranks}_{pairs}.h5"
            run_residual(["-gs_input", "pair.h5", "-gs_residual_form", "transient", "-gs_residual_pairs", pairs,
                 "-gs_output", out], ranks)
            with h5py.File(out) as f:
                theta = f["residual/theta"][...]
                assert int(f["residual/rank"][()]) == 4 and np.allclose(f["residual/truth"][...], truth)
                assert attr(f["residual"], "form") == "transient" and attr(f, "subcommand") == "residual"
                assert f["residual/cells"][()] == 64 * 64 * (1 if pairs == "1" else 2)
            rel = np.abs(theta - truth) / truth
            print(f"{ranks} ranks, pairs {pairs}: max relative error {rel.max():.2e}")
            assert rel.max() <= 1e-10, rel
    # The steady form on the same (transient) data is biased: the test can tell the forms apart.
    run_residual(["-gs_input", "pair.h5", "-gs_output", "steady.h5"])
    with h5py.File("steady.h5") as f:
        assert np.abs(f["residual/theta"][...] / truth - 1).max() > 1e-4
    obs = ["-gs_input", "s400.h5", "-gs_obs_noise", "1e-4", "-gs_obs_fraction", "0.7", "-gs_seed", "5"]
    for ranks in (1, 4):
        run_residual(obs + ["-gs_output", f"obs{ranks}.h5"], ranks)
    with h5py.File("obs1.h5") as a, h5py.File("obs4.h5") as b:
        assert a["residual/cells"][()] == b["residual/cells"][()] < 0.5 * 64 * 64
        diff = np.abs(a["residual/theta"][...] / b["residual/theta"][...] - 1).max()
        print(f"noise + mask, 1 vs 4 ranks: max relative difference {diff:.2e}")
        assert diff <= 1e-10


def case_residual_quasi_steady():
    """The paper's quasi-steady final state (128^2, tol 1e-4): the bias of each parameter is reported."""
    run(["simulate", "-gs_output", "paper.h5"], 2)
    proc = run_residual(["-gs_input", "paper.h5", "-gs_output", "paper_res.h5"], 2)
    print(proc.stdout)
    assert "relative error" in proc.stdout and "rank 4" in proc.stdout
    with h5py.File("paper_res.h5") as f:
        rel = f["residual/theta"][...] / f["residual/truth"][...] - 1
        assert np.all(np.isfinite(rel)) and np.abs(rel).max() < 0.5, rel
        # quasi-steady, not steady: the residual is ~u_t, not round-off, and theta_hat is not exact
        assert f["residual/norm"][()] > 1e-8 and np.abs(rel).max() > 1e-8
        assert list(f.attrs["grid"]) == [128, 128] and np.isfinite(f["residual/condition"][()])
    for name, value in zip(("F", "k", "Du", "Dv"), rel):
        print(f"bias of {name}: {value:+.3e}")


def case_residual_trivial():
    """The trivial state (u = 1, v = 0): rank 0, non-zero exit, one message, no output; bad input named."""
    run(["simulate", "-da_grid_x", "32", "-da_grid_y", "32", "-gs_init_block", "0", "-gs_init_noise", "0",
         "-gs_steady_tol", "0", "-ts_max_steps", "2", "-gs_output", "trivial.h5"])
    for ranks in (1, 2):
        error = residual_failure(["-gs_input", "trivial.h5", "-gs_output", "trivial_res.h5"], ranks)
        assert "rank 0" in error and "trivial" in error, error
        assert not os.path.exists("trivial_res.h5") and not os.path.exists("trivial_res.h5.partial")
    cases = [
        ([], "-gs_input"),
        (["-gs_input", "missing.h5"], "-gs_input"),
        (["-gs_input", "trivial.h5", "-da_grid_x", "20"], "-da_grid_x"),
        (["-gs_input", "trivial.h5", "-gs_residual_form", "transient"], "-gs_input"),
        (["-gs_input", "trivial.h5", "-gs_obs_fraction", "0"], "-gs_obs_fraction"),
        (["-gs_input", "trivial.h5", "-gs_axes", "F,q", "-gs_lo", "0,0", "-gs_hi", "1,1", "-gs_n", "2,2"], "-gs_axes"),
    ]
    for extra, name in cases:
        assert name in residual_failure(extra + ["-gs_output", "bad.h5"], 2)
    assert not os.path.exists("bad.h5")


def case_residual_landscape():
    """The closed-form landscape equals mean(r_u^2 + r_v^2) recomputed from the fields to 1e-10;
    -gs_like reproduces another file's axes; v alone identifies F + k and Dv only (rank 2, exit 0)."""
    run(["simulate", "-da_grid_x", "64", "-da_grid_y", "48", "-gs_steady_tol", "0",
         "-ts_max_steps", "500", "-gs_output", "state.h5"], 2)
    with h5py.File("state.h5") as f:
        u, v = f["state/u"][...], f["state/v"][...]
    specs = [(["F,k", "0.02,0.05", "0.05,0.08", "9,7"], 2), (["Du,Dv", "0.1,0.05", "0.2,0.1", "5,6"], 2),
             (["Dv", "0", "0.2", "11"], 1)]
    for (axes, lo, hi, n), ranks in specs:
        run_residual(["-gs_input", "state.h5", "-gs_axes", axes, "-gs_lo", lo, "-gs_hi", hi, "-gs_n", n,
             "-gs_Du", "0.15", "-gs_output", "land.h5"], ranks)
        with h5py.File("land.h5") as f:
            loss, base = f["residual_landscape/loss"][...], f["residual_landscape/base"][...]
            theta_hat = f["residual/theta"][...]
            names = [attr(f[f"residual_landscape/axis{a}"], "name") for a in range(loss.ndim)]
            values = [f[f"residual_landscape/axis{a}"][...] for a in range(loss.ndim)]
        assert names == axes.split(",") and loss.shape == tuple(len(x) for x in reversed(values))
        for q, name in enumerate(["F", "k", "Du", "Dv"]):
            if name not in names:  # off the axes: the -gs_Du given, else theta_hat
                assert base[q] == (0.15 if name == "Du" else theta_hat[q]), (name, base, theta_hat)
        worst = 0.0
        for index in [(0,) * loss.ndim, tuple(s - 1 for s in loss.shape), tuple(s // 2 for s in loss.shape)]:
            theta = base.copy()
            for a, name in enumerate(names):
                theta[["F", "k", "Du", "Dv"].index(name)] = values[a][index[loss.ndim - 1 - a]]
            direct = residual_direct_loss(u, v, theta)
            worst = max(worst, abs(loss[index] - direct) / direct)
        print(f"landscape {axes}: max relative difference closed form vs direct {worst:.2e}")
        assert worst <= 1e-10, worst
    with h5py.File("like.h5", "w") as f:
        f["landscape/axis0"] = np.linspace(0.03, 0.04, 4)
        f["landscape/axis0"].attrs["name"] = "F"
        f["landscape/axis1"] = np.array([0.06, 0.062, 0.07])
        f["landscape/axis1"].attrs["name"] = "k"
    run_residual(["-gs_input", "state.h5", "-gs_like", "like.h5", "-gs_output", "liked.h5"], 2)
    with h5py.File("liked.h5") as f:
        assert f["residual_landscape/loss"].shape == (3, 4)
        assert np.array_equal(f["residual_landscape/axis1"][...], [0.06, 0.062, 0.07])
    proc = run_residual(["-gs_input", "state.h5", "-gs_obs_fields", "v", "-gs_output", "vonly.h5"], 2)
    assert "F + k" in proc.stdout, proc.stdout
    with h5py.File("vonly.h5") as f:
        assert int(f["residual/rank"][()]) == 2
        theta = f["residual/theta"][...]
        assert abs((theta[0] + theta[1]) / 0.1 - 1) < 0.05 and abs(theta[3] / 0.08 - 1) < 0.05, theta


def case_residual_completion():
    """Data completion with u hidden on an exact-enough 32^2 steady state: theta to 1e-3 relative
    (every parameter, not only F + k and Dv) at 1 and 2 ranks, and the completed u near the truth."""
    run(["simulate", "-da_grid_x", "32", "-da_grid_y", "32", "-gs_init_block", "8", "-gs_steady_tol", "1e-8",
         "-ts_max_steps", "200000", "-gs_output", "steady32.h5"])
    with h5py.File("steady32.h5") as f:
        assert f["state/v"][...].std() > 1e-2, "the pattern must be non-trivial"
    truth = np.array([0.035, 0.065, 0.16, 0.08])
    thetas = []
    for ranks in (1, 2):
        out = f"complete{ranks}.h5"
        proc = run_residual(["-gs_input", "steady32.h5", "-gs_obs_fields", "v", "-gs_complete", "-gs_output", out], ranks)
        print("\n".join(line for line in proc.stdout.splitlines() if line.startswith("completion")))
        with h5py.File(out) as f:
            g = f["residual/completion"]
            theta, start = g["theta"][...], g["theta_start"][...]
            error_max, error_rms = g["field_error"][...]
            reason, iterations = int(g["reason"][()]), int(g["iterations"][()])
            assert g["completed"][()] == 32 * 32
        rel = np.abs(theta - truth) / truth
        print(f"{ranks} ranks: relative errors {rel}, completed u max error {error_max:.2e} rms {error_rms:.2e}, "
              f"{iterations} iterations, reason {reason}")
        assert np.abs(start / truth - 1).max() > 0.1, "the start must not be the truth"
        assert reason > 0 and rel.max() <= 1e-3, rel
        assert error_max <= 1e-3, error_max
        thetas.append(theta)
    assert np.abs(thetas[0] / thetas[1] - 1).max() <= 1e-8
