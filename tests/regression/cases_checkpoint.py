"""Regression cases of the adjoint's checkpoints under a memory cap: the same gradient under every
schedule and budget, the binomial cost as executed, the disk level, and peak memory that follows
the budget."""
import os
import signal
import subprocess
import time
from math import comb

import h5py
import numpy as np

from cases_runtime import sanitized
from gsinv_test import GSINV, MPIEXEC, run

GRAD = ["gradcheck", "-gs_forward", "0", "-gs_fd", "0", "-gs_taylor", "0", "-gs_implicit", "0"]
SMALL = GRAD + ["-da_grid_x", "64", "-da_grid_y", "64", "-ts_max_steps", "600"]
STATE_MIB = 64 * 64 * 2 * 8 / 2**20


def revolve_cost(steps, slots):
    """Griewank and Walther's least number of advances for reversing `steps` steps with `slots` slots."""
    t = 0
    while comb(slots + t, slots) < steps:
        t += 1
    return t * steps - comb(slots + t, slots + 1) if t else 0


def result(path):
    with h5py.File(path) as f:
        g = f["gradcheck"]
        return g["adjoint"][...], {k: g.attrs[k] for k in g.attrs}


def case_checkpoint_budget():
    """At 64^2, 600 steps, 1 rank: budgets from 512 MiB (two-level, nothing recomputed but the
    segments) down to 3 states (one slot), a disk level and an online schedule (run to a steady
    state) all give the bit-identical gradient; a known-length schedule's advances equal the binomial
    closed form; a budget below 3 states is refused with the minimum."""
    run(SMALL + ["-gs_output", "ref.h5"])
    ref, info = result("ref.h5")
    assert info["recomputed_steps"] == 600 - 600 // info["checkpoint_segment_length"], info
    os.mkdir("disk")
    budgets = {"2": [], "0.5": [], "0.25": [], "0.1875": [],
               "disk": ["-gs_checkpoint_dir", "disk", "-gs_checkpoint_disk", "1"]}
    for name, extra in budgets.items():
        memory = "0.25" if name == "disk" else name
        run(SMALL + extra + ["-gs_checkpoint_memory", memory, "-gs_output", f"b{name}.h5"])
        grad, info = result(f"b{name}.h5")
        slots = int(info["checkpoint_memory_slots"] + info["checkpoint_disk_slots"])
        length = int(info["checkpoint_segment_length"])
        expected = revolve_cost(-(-600 // length), slots)
        print(f"budget {name}: segment {length}, {slots} slots, {info['schedule_advances']} advances "
              f"(closed form {expected}), {info['recomputed_steps']} recomputed; max |g - ref| {np.abs(grad - ref).max():.1e}")
        assert np.array_equal(grad, ref), name
        assert info["schedule_advances"] == expected, (name, info)
        assert info["peak_rss_mib"] > 0
    assert os.listdir("disk") == [], "the disk checkpoints must be removed"
    proc = run(SMALL + ["-gs_checkpoint_memory", str(2.5 * STATE_MIB), "-gs_output", "no.h5"], check=False)
    errors = [line for line in proc.stderr.splitlines() if line.startswith("gsinv: error")]
    print(errors)
    assert proc.returncode != 0 and len(errors) == 1 and "-gs_checkpoint_memory" in errors[0] and "at least 3" in errors[0]


def case_checkpoint_online_and_ranks():
    """A run to a steady state (length unknown in advance: online thinning) gives the same gradient
    under a tight budget as with every segment start kept; on 2 ranks every budget, the disk level and
    the TS route (-gs_fast_path 0) agree with 1 rank to 1e-12."""
    run(["simulate", "-da_grid_x", "64", "-da_grid_y", "64", "-ts_max_steps", "3000", "-gs_steady_tol", "0",
         "-gs_seed", "5", "-gs_output", "target.h5"])
    steady = GRAD + ["-da_grid_x", "64", "-da_grid_y", "64", "-ts_max_steps", "30000", "-gs_steady_tol", "1e-3",
                     "-gs_target", "target.h5"]
    grads = {}
    for memory in ("512", "1", "0.3"):
        run(steady + ["-gs_checkpoint_memory", memory, "-gs_output", f"s{memory}.h5"])
        grads[memory], info = result(f"s{memory}.h5")
        print(f"steady, budget {memory}: {info['checkpoint_memory_slots']} slots, {info['recomputed_steps']} recomputed")
    assert np.array_equal(grads["1"], grads["512"]) and np.array_equal(grads["0.3"], grads["512"])
    ref, _ = result_of(SMALL, "one.h5", 1)
    os.makedirs("disk2", exist_ok=True)
    for extra in ([], ["-gs_checkpoint_memory", "0.15"], ["-gs_checkpoint_memory", "0.1", "-gs_checkpoint_dir", "disk2"],
                  ["-gs_fast_path", "0", "-gs_checkpoint_memory", "0.25"]):
        grad, info = result_of(SMALL + extra, "two.h5", 2)
        rel = np.abs(grad - ref).max() / np.abs(ref).max()
        print(f"2 ranks {extra}: {info['checkpoint_memory_slots']} + {info['checkpoint_disk_slots']} slots, |g - g_1| / |g_1| = {rel:.1e}")
        assert rel <= 1e-12
    assert os.listdir("disk2") == []


def result_of(args, path, ranks):
    run(args + ["-gs_output", path], ranks)
    return result(path)


def case_checkpoint_memory():
    """At 256^2 (1 MiB a state), 300 steps: the peak memory of a gradient grows with the budget and
    by no more than it: peak(B) - peak(3 states) <= B - 3 MiB + 2 MiB; keeping every segment start
    (no cap) takes far more. A disk level killed mid-run leaves no file behind."""
    big = GRAD + ["-da_grid_x", "256", "-da_grid_y", "256", "-ts_max_steps", "300"]
    peaks = {}
    for budget in (3, 10, 40, 100000):
        _, info = result_of(big + ["-gs_checkpoint_memory", str(budget)], f"m{budget}.h5", 1)
        peaks[budget] = info["peak_rss_mib"]
        print(f"budget {budget} MiB: peak {peaks[budget]:.1f} MiB, {info['checkpoint_memory_slots']} slots, segment {info['checkpoint_segment_length']}")
    if not sanitized():  # AddressSanitizer keeps freed blocks in quarantine: peaks then say little
        for budget in (10, 40):
            assert peaks[budget] - peaks[3] <= budget - 3 + 2, (budget, peaks)
        assert peaks[100000] - peaks[3] >= 60, peaks
    os.mkdir("killdisk")
    proc = subprocess.Popen([GSINV] + big + ["-ts_max_steps", "3000", "-gs_checkpoint_memory", "4", "-gs_checkpoint_dir",
                                             "killdisk", "-gs_output", "k.h5", "-gs_progress_every", "0"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(4)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert os.listdir("killdisk") == [], os.listdir("killdisk")
