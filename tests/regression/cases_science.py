"""Regression cases of the science read-outs: end-state classes that do not depend on the step cap,
and the stability boundaries of the simulated forward-Euler map next to the ODE's curves."""
import h5py
import numpy as np

from gsinv_test import attr, run

# The point on the paper's landscape grid: its upper uniform state is stable for the ODE
# but not for the forward-Euler map with dt = 1 on 128^2.
POINT = ["-gs_axes", "F", "-gs_lo", "0.039375", "-gs_hi", "0.039375", "-gs_n", "1", "-gs_k", "0.0578125"]


def end_class(path):
    with h5py.File(path) as f:
        names = attr(f["landscape/class"], "names").split(",")
        return names[int(f["landscape/class"][0])], names


def case_class_transient():
    """(F, k) = (0.039375, 0.0578125), paper grid 128^2, dt = 1, one initial state: after 20,000
    steps the run is spatially uniform and barely moving, but not at a uniform state stable for the
    map (it spirals away from the upper state): `transient`, not `uniform`; after 40,000 steps it
    has collapsed to (1, 0): `trivial`. Decided by the state at a fixed step, not by timing."""
    base = ["landscape", "-da_grid_x", "128", "-da_grid_y", "128", "-gs_targets", "1"] + POINT
    for steps, want in ((20000, "transient"), (40000, "trivial")):
        run(base + ["-ts_max_steps", str(steps), "-gs_output", f"p{steps}.h5"])
        got, names = end_class(f"p{steps}.h5")
        print(f"{steps} steps: {got}")
        assert got == want, (steps, got)
    assert names == ["trivial", "uniform", "pattern", "oscillating", "invalid", "transient"]


def spectral_radius(m):
    return np.max(np.abs(np.linalg.eigvals(m)))


def upper_state(F, k):
    s = np.sqrt(max(0.0, 1 - 4 * (F + k) ** 2 / F))
    v = F * (1 + s) / (2 * (F + k))
    return (F + k) / v, v


def jacobian(F, k, u, v):
    return np.array([[-(v * v + F), -2 * u * v], [v * v, 2 * u * v - (F + k)]])


def case_map_curves():
    """An (F, k) landscape on 32^2 with dt = 1 writes the map's euler_hopf and euler_turing next to
    the ODE's curves ([m][2], attribute family); every euler_hopf point has spectral radius 1 of
    I + dt J (numpy eigenvalues); every euler_turing point has radius 1 over the grid's modes; the
    cliffs carry distances to both families. An implicit run (cn) has no map curves."""
    small = ["landscape", "-da_grid_x", "32", "-da_grid_y", "32", "-gs_init_block", "8", "-ts_max_steps", "1500",
             "-gs_targets", "1", "-gs_loss_tile", "8", "-gs_axes", "F,k", "-gs_lo", "0.02,0.05", "-gs_hi", "0.06,0.0625",
             "-gs_n", "3,3"]
    run(small + ["-gs_output", "fe.h5"])
    with h5py.File("fe.h5") as f:
        curves = f["landscape/curves"]
        assert {"fold", "hopf", "euler_hopf", "euler_turing"} <= set(curves), list(curves)
        assert attr(curves["euler_hopf"], "family") == "map" and attr(curves["hopf"], "family") == "ode"
        ns = curves["euler_hopf"][...]
        ns = ns[np.all(np.isfinite(ns), axis=1)]
        assert ns.ndim == 2 and ns.shape[1] == 2 and len(ns) > 50
        for F, k in ns[::10]:
            r = spectral_radius(np.eye(2) + jacobian(F, k, *upper_state(F, k)))
            assert abs(r - 1) < 1e-8, (F, k, r)
        tu = curves["euler_turing"][...]
        tu = tu[np.all(np.isfinite(tu), axis=1)]
        lam = 4 * (np.sin(np.pi * np.arange(17) / 32)[:, None] ** 2 + np.sin(np.pi * np.arange(17) / 32)[None, :] ** 2)
        for F, k in tu[:: max(1, len(tu) // 5)]:
            J = jacobian(F, k, *upper_state(F, k))
            r = max(spectral_radius(np.eye(2) + J - L * np.diag([0.16, 0.08])) for L in lam.ravel())
            assert abs(r - 1) < 1e-8, (F, k, r)
        print(f"euler_hopf {len(ns)} points, euler_turing {len(tu)} points")
        cliffs = f["landscape/cliffs"]
        assert cliffs["distance_map"].shape == cliffs["distance"].shape
        assert attr(cliffs["nearest_map"], "names").startswith("euler_hopf")
    run(small + ["-ts_type", "cn", "-gs_output", "cn.h5"])
    with h5py.File("cn.h5") as f:
        assert not any(name.startswith("euler_") for name in f["landscape/curves"])
