"""Regression cases of gsinv gradcheck: every gradient route against the others, Taylor tests,
decomposition invariance, the implicit-function gradient at an exact steady state, plateaus."""
import h5py
import numpy as np

from gsinv_test import attr, run

SMALL = ["gradcheck", "-da_grid_x", "64", "-da_grid_y", "64", "-ts_max_steps", "200"]


def gradients(path, seeded=True):
    """The gradcheck results of path; a seeded start records its recipe, a start from a file none."""
    with h5py.File(path) as f:
        g = {name: f["gradcheck/" + name][...] for name in f["gradcheck"] if name not in ("loss", "taylor_rate")}
        g["loss"] = float(f["gradcheck/loss"][()])
        if "taylor_rate" in f["gradcheck"]:
            g["taylor_rate"] = float(f["gradcheck/taylor_rate"][()])
        g["reason"], g["steps"] = attr(f, "reason"), attr(f, "steps")
        if seeded:
            assert attr(f, "-gs_init_sampler") in ("ziggurat", "boxmuller") and attr(f, "-gs_init_noise") >= 0, path
        else:
            assert "-gs_init_sampler" not in f.attrs, path
    return g


def relative(a, b):
    return np.abs(a - b) / np.abs(b)


def check_routes(extra, name):
    """Adjoint against central differences (<= 1e-6 per parameter), forward sensitivities
    (<= 1e-8) and the Taylor test (rate >= 1.9) on 64 x 64 over 200 steps."""
    run(SMALL + extra + ["-gs_output", name])
    g = gradients(name)
    fd, fwd = relative(g["fd"], g["adjoint"]), relative(g["forward"], g["adjoint"])
    print(f"{' '.join(extra)}: |fd - adj|/|adj| = {fd}, |fwd - adj|/|adj| = {fwd}, Taylor rate {g['taylor_rate']:.3f}")
    assert g["reason"] == "fixed_steps" and g["steps"] == 200
    assert np.all(fd <= 1e-6), fd
    assert np.all(fwd <= 1e-8), fwd
    assert g["taylor_rate"] >= 1.9, g["taylor_rate"]


def case_gradient_rk():
    check_routes([], "rk.h5")
    check_routes(["-gs_loss", "spectrum"], "rk_spectrum.h5")
    check_routes(["-ts_rk_type", "4", "-ts_dt", "0.5"], "rk4.h5")


def case_gradient_cn():
    check_routes(["-ts_type", "cn"], "cn.h5")


def case_gradient_ranks():
    """The adjoint gradient is the same (<= 1e-10 relative) on 1, 2 and 4 ranks."""
    common = SMALL + ["-gs_loss", "windowed", "-gs_fd", "0", "-gs_forward", "0", "-gs_taylor", "0"]
    grads = {}
    for ranks in (1, 2, 4):
        run(common + ["-gs_output", f"r{ranks}.h5"], ranks)
        grads[ranks] = gradients(f"r{ranks}.h5")["adjoint"]
    for ranks in (2, 4):
        diff = relative(grads[ranks], grads[1])
        print(f"{ranks} ranks: relative difference {diff}")
        assert np.all(diff <= 1e-10), diff


def write_uniform(path, u, v, n=16):
    with h5py.File(path, "w") as f:
        f["state/u"] = np.full((n, n), u)
        f["state/v"] = np.full((n, n), v)


def case_gradient_implicit():
    """At an exact (uniform, stable) steady state, the implicit-function gradient equals the
    unrolled adjoint of the run that converged to it, and dL/dDu = dL/dDv = 0 to round-off (the
    diffusivities do not act on a uniform state: docs/model.md section 6)."""
    write_uniform("start.h5", 0.3, 0.3)
    write_uniform("target.h5", 0.25, 0.35)
    run(["gradcheck", "-da_grid_x", "16", "-da_grid_y", "16", "-gs_F", "0.04", "-gs_k", "0.05", "-gs_initial", "start.h5",
         "-gs_target", "target.h5", "-gs_steady_tol", "1e-13", "-ts_max_steps", "100000", "-gs_output", "uniform.h5"])
    g = gradients("uniform.h5", seeded=False)
    print(f"steady after {g['steps']} steps: adjoint {g['adjoint']}, implicit {g['implicit']}")
    assert g["reason"] == "steady"
    assert np.all(relative(g["implicit"][:2], g["adjoint"][:2]) <= 1e-7)
    assert np.all(np.abs(g["adjoint"][2:]) <= 1e-14 * np.abs(g["adjoint"][:2]).max())
    assert np.all(np.abs(g["implicit"][2:]) <= 1e-14 * np.abs(g["implicit"][:2]).max())
    assert np.all(np.abs(g["fd"][2:]) <= 1e-8 * np.abs(g["fd"][:2]).max())


def case_gradient_plateau():
    """From the trivial state (1, 0) nothing moves: the loss is flat and every route gives 0."""
    run(["simulate", "-da_grid_x", "64", "-da_grid_y", "64", "-ts_max_steps", "200", "-gs_steady_tol", "0", "-gs_output", "pattern.h5"])
    run(SMALL + ["-gs_init_block", "0", "-gs_init_noise", "0", "-gs_target", "pattern.h5", "-gs_output", "flat.h5"])
    g = gradients("flat.h5")
    print(f"loss {g['loss']:.4e}, adjoint {g['adjoint']}, fd {g['fd']}")
    assert g["loss"] > 0
    for route in ("adjoint", "forward", "fd"):
        assert np.all(g[route] == 0), (route, g[route])


def case_gradient_window():
    """Truncated back-propagation: a window as long as the run is the full adjoint; a short one
    differs; the checkpoint stride does not change the adjoint (<= 1e-13)."""
    fast = SMALL + ["-gs_fd", "0", "-gs_forward", "0", "-gs_taylor", "0"]
    run(fast + ["-gs_adjoint_window", "200", "-gs_output", "w200.h5"])
    run(fast + ["-gs_adjoint_window", "20", "-gs_checkpoint_stride", "7", "-gs_output", "w20.h5"])
    run(fast + ["-gs_checkpoint_stride", "1", "-gs_output", "s1.h5"])
    full, w200, w20, s1 = gradients("w200.h5")["adjoint"], gradients("w200.h5")["truncated"], gradients("w20.h5")["truncated"], gradients("s1.h5")["adjoint"]
    print(f"full {full}\nwindow 200 {w200}\nwindow 20 {w20}")
    assert np.all(relative(w200, full) <= 1e-13)
    assert np.all(relative(s1, full) <= 1e-13)
    assert np.any(relative(w20, full) > 1e-3)


def case_gradient_bad_input():
    cases = [
        (["-gs_loss", "nosuchloss"], "nosuchloss"),
        (["-gs_loss", "windowed", "-gs_loss_tile", "7"], "-gs_loss_tile"),
        (["-gs_target", "missing.h5"], "-gs_target"),
        (["-gs_fd_step", "2"], "-gs_fd_step"),
        (["-gs_adjoint_window", "-3"], "-gs_adjoint_window"),
        (["-gs_reparam", "cubic"], "cubic"),
        (["-gs_checkpoint_memory", "0"], "-gs_checkpoint_memory"),
        (["-gs_checkpoint_cache", "-1"], "-gs_checkpoint_cache"),
    ]
    for extra, name in cases:
        proc = run(SMALL + extra + ["-gs_output", "bad.h5"], 2, check=False, timeout=120)
        errors = [line for line in proc.stderr.splitlines() if line.startswith("gsinv: error")]
        print(f"{' '.join(extra)}: exit {proc.returncode}: {errors}")
        assert proc.returncode != 0 and len(errors) == 1 and name in errors[0], proc.stderr


def case_gradient_fast_adjoint():
    """The fused adjoint of forward Euler equals PETSc's TSAdjoint (-gs_fast_path 0) to 1e-12,
    on 1 and 2 ranks, with and without a truncation window."""
    fast = SMALL + ["-gs_fd", "0", "-gs_forward", "0", "-gs_taylor", "0", "-gs_checkpoint_stride", "7"]
    for ranks in (1, 2):
        for window in ([], ["-gs_adjoint_window", "30"]):
            run(fast + window + ["-gs_output", "f.h5"], ranks)
            run(fast + window + ["-gs_fast_path", "0", "-gs_output", "t.h5"], ranks)
            key = "truncated" if window else "adjoint"
            a, b = gradients("f.h5")[key], gradients("t.h5")[key]
            print(f"{ranks} rank(s) {window}: |fast - TS| / |TS| = {relative(a, b)}")
            assert np.all(relative(a, b) <= 1e-12)
