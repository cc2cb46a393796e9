"""Integrity of resumes: a resume under settings that change results is refused naming the option and
both values, harmless changes are accepted and give the same file, damaged journals are mended,
and a second run on the same output is refused while the first still writes the right file."""
import os
import shutil
import signal
import struct
import subprocess
import time

import h5py
import numpy as np

from cases_inversion import GRID, NEAR, make_targets, records
from cases_landscape import landscape, assert_same
from gsinv_test import GSINV, MPIEXEC, run

MAGIC = b"GSJ1"
HEADER = 16

LANDSCAPE = ["landscape", "-da_grid_x", "16", "-da_grid_y", "16", "-gs_init_block", "4", "-ts_max_steps", "300", "-gs_targets", "1",
             "-gs_loss_tile", "8", "-gs_axes", "F,k", "-gs_lo", "0.03,0.06", "-gs_hi", "0.04,0.07", "-gs_n", "3,2"]
# option, new value, value in the journal (None: only the option's name is checked)
LANDSCAPE_CHANGES = [("-ts_rk_type", "4", "1fe"), ("-ts_dt", "0.5", "1"), ("-gs_loss_tile", "4", "8"), ("-gs_seed", "3", "0"),
                     ("-ts_max_steps", "200", "300"), ("-gs_loss", "spectrum", "pixel")]


def journal_records(folder):
    """The records of a journal folder: {file: [bytes of each record, header included]}."""
    out = {}
    for name in sorted(os.listdir(folder)):
        if name.startswith("records-"):
            data = open(os.path.join(folder, name), "rb").read()
            out[name] = data
    return out


def record_size(data):
    _, _, size, _ = struct.unpack("<4sIII", data[:HEADER])
    return HEADER + size


def count_records(folder):
    if not os.path.isdir(folder):
        return 0
    return sum(data.count(MAGIC) for data in journal_records(folder).values())


def start(args, ranks, log):
    cmd = ([MPIEXEC, "-n", str(ranks)] if ranks > 1 else []) + [GSINV] + args + ["-gs_progress_every", "0"]
    return subprocess.Popen(cmd, stdout=open(log, "w"), stderr=subprocess.STDOUT, start_new_session=True)


def stop_after_records(args, ranks, folder, count, log="term.log", limit=120):
    """Starts a run, sends SIGTERM once `count` records are in its journal; asserts it stopped early."""
    proc = start(args, ranks, log)
    deadline = time.time() + limit
    while count_records(folder) < count and time.time() < deadline and proc.poll() is None:
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait()
    print(open(log).read()[-400:])
    assert os.path.isdir(folder), f"the run finished before SIGTERM: {folder} is gone"


def assert_refused(args, option, new, old):
    proc = run(args, check=False, timeout=120)
    errors = [line for line in proc.stderr.splitlines() if line.startswith("gsinv: error")]
    print(f"{option} {new}: exit {proc.returncode}: {errors}")
    assert proc.returncode != 0 and len(errors) == 1, proc.stderr
    assert f"{option} is " in errors[0] and "was made with" in errors[0], errors[0]
    if old is not None:
        assert f"{option} is {new} but" in errors[0] and f"made with {old}:" in errors[0], errors[0]


def with_option(args, option, value):
    """args with option set to value (replaced if present)."""
    out = list(args)
    if option in out:
        out[out.index(option) + 1] = value
    else:
        out += [option, value]
    return out


def damage(folder, kind, foreign=None):
    """Damages the first record file of a journal as a crash, a disk or a wrong copy would."""
    name = sorted(n for n in os.listdir(folder) if n.startswith("records-"))[0]
    path = os.path.join(folder, name)
    data = bytearray(open(path, "rb").read())
    size = record_size(data)
    if kind == "zeros":
        data += bytes(360)
    elif kind == "flipped":
        data[size + HEADER + 5] ^= 0x40
    elif kind == "truncated":
        data = data[:len(data) - size // 2]
    elif kind == "foreign":
        other = journal_records(foreign)
        other = next(iter(other.values()))
        assert record_size(other) == size
        data[:size] = other[:size]
    open(path, "wb").write(bytes(data))


def case_integrity_landscape():
    """landscape: changed result options are refused; progress output and rank count may change;
    zero-filled, flipped, truncated and foreign records are recomputed to the same file."""
    run(LANDSCAPE + ["-gs_output", "whole.h5"])
    run(LANDSCAPE + ["-gs_output", "kept.h5", "-gs_keep_journal"])
    for option, new, old in LANDSCAPE_CHANGES:
        assert_refused(with_option(LANDSCAPE, option, new) + ["-gs_output", "kept.h5"], option, new, old)
    os.remove("kept.h5")
    proc = run(LANDSCAPE + ["-gs_output", "kept.h5", "-gs_keep_journal", "-gs_progress_every", "7"], 2)
    assert "6 already in" in proc.stdout, proc.stdout
    assert_same(landscape("kept.h5"), landscape("whole.h5"), rtol=0)
    run(with_option(LANDSCAPE, "-gs_seed", "3") + ["-gs_output", "other.h5", "-gs_keep_journal"])
    for kind in ("zeros", "flipped", "truncated", "foreign"):
        shutil.rmtree("damaged.h5.journal", ignore_errors=True)
        shutil.copytree("kept.h5.journal", "damaged.h5.journal")
        damage("damaged.h5.journal", kind, "other.h5.journal")
        proc = run(LANDSCAPE + ["-gs_output", "damaged.h5"])
        warnings = [line for line in proc.stderr.splitlines() if "warning" in line]
        print(kind, proc.stdout.splitlines()[2:3], warnings)
        assert len(warnings) == 1 and "damaged.h5.journal" in warnings[0], proc.stderr
        assert_same(landscape("damaged.h5"), landscape("whole.h5"), rtol=0)
        with h5py.File("damaged.h5") as f:
            assert f.attrs["-ts_rk_type"].decode() == "1fe" and f.attrs["-ts_max_steps"] == 300
            assert list(f.attrs["-gs_lo"]) == [0.03, 0.06]


def case_integrity_two_writers():
    """Two runs on one output: the second stops at once naming the output and the holder; the first
    writes the right file. The same for simulate, whose runs are short. An output that is an input
    is refused and the input survives."""
    slow = with_option(with_option(LANDSCAPE, "-da_grid_x", "64"), "-da_grid_y", "64")
    slow = with_option(slow, "-ts_max_steps", "8000")
    run(slow + ["-gs_output", "whole.h5"])
    first = start(slow + ["-gs_output", "same.h5"], 1, "first.log")
    while not os.path.exists("same.h5.lock") and first.poll() is None:
        time.sleep(0.01)
    t0 = time.time()
    proc = run(slow + ["-gs_output", "same.h5"], check=False)
    print(f"second run: exit {proc.returncode} after {time.time() - t0:.2f} s: {proc.stderr.strip()}")
    assert first.wait() == 0, open("first.log").read()
    assert proc.returncode != 0 and "-gs_output same.h5 is being written by another gsinv run (pid" in proc.stderr
    assert_same(landscape("same.h5"), landscape("whole.h5"), rtol=0)
    assert not os.path.exists("same.h5.lock") and not os.path.exists("same.h5.journal")
    sim = ["simulate", "-da_grid_x", "64", "-da_grid_y", "64", "-gs_steady_tol", "0", "-ts_max_steps", "40000", "-gs_output", "sim.h5"]
    first = start(sim, 1, "sim.log")
    while not os.path.exists("sim.h5.lock") and first.poll() is None:
        time.sleep(0.01)
    proc = run(sim, check=False)
    assert first.wait() == 0
    assert proc.returncode != 0 and "is being written by another gsinv run" in proc.stderr, proc.stderr
    assert "wrote sim.h5" in open("sim.log").read() and "wrote" not in proc.stdout
    before = open("sim.h5", "rb").read()
    for args, option in ((["simulate", "-da_grid_x", "64", "-da_grid_y", "64", "-ts_max_steps", "5", "-gs_initial", "sim.h5"], "-gs_initial"),
                         (["residual", "-gs_input", "sim.h5"], "-gs_input")):
        proc = run(args + ["-gs_output", "sim.h5"], check=False, quiet=False)
        print(proc.stderr.strip())
        assert proc.returncode != 0 and f"-gs_output sim.h5 is the file of {option} sim.h5" in proc.stderr, proc.stderr
    assert open("sim.h5", "rb").read() == before


def targets_file(path):
    with h5py.File(path) as f:
        return {k: f["targets/" + k][...] for k in ("u", "v", "steps", "valid", "reason")}


def case_integrity_targets():
    """targets stopped by SIGTERM: changed result options are refused; a resume on 2 ranks with a
    zero-filled tail and a flipped record gives the uninterrupted run's file."""
    args = ["targets", "-da_grid_x", "48", "-da_grid_y", "48", "-gs_init_block", "8", "-gs_steady_tol", "0", "-ts_max_steps", "6000",
            "-gs_targets", "8"]
    run(args + ["-gs_output", "whole.h5"])
    stop_after_records(args + ["-gs_output", "t.h5"], 1, "t.h5.journal", 2)
    for option, new, old in [("-ts_rk_type", "4", "1fe"), ("-ts_dt", "0.5", "1"), ("-gs_seed", "3", "0"), ("-ts_max_steps", "3000", "6000"),
                             ("-gs_init_noise", "0.5", None), ("-gs_sample", "2", "0"), ("-gs_init_sampler", "boxmuller", "ziggurat")]:
        assert_refused(with_option(args, option, new) + ["-gs_output", "t.h5"], option, new, old)
    damage("t.h5.journal", "zeros")
    damage("t.h5.journal", "flipped")
    proc = run(args + ["-gs_output", "t.h5"], 2)
    assert "the journal t.h5.journal" in proc.stderr and "damaged" in proc.stderr, proc.stderr
    whole, resumed = targets_file("whole.h5"), targets_file("t.h5")
    for name in whole:
        assert np.array_equal(whole[name], resumed[name]), name
    with h5py.File("t.h5") as f:
        assert f.attrs["-gs_targets"] == 8 and f.attrs["-ts_dt"] == 1.0


def case_integrity_invert():
    """invert: a record capped at 2 iterations is continued only under the same settings (the cap
    may rise); continued on 2 ranks it equals the uninterrupted record."""
    make_targets()
    sgd = ["invert"] + GRID + ["-gs_targets_file", "targets.h5", "-gs_batch", "2", "-gs_deterministic", "-gs_loss", "pixel", "-gs_loss_tile", "8",
                               "-gs_optimizer", "sgd", "-gs_lr", "1e-4", "-gs_weight_decay", "5e-4", "-gs_start", NEAR]
    run(sgd + ["-gs_max_it", "4", "-gs_output", "whole.h5"])
    run(sgd + ["-gs_max_it", "2", "-gs_output", "capped.h5"])
    changes = [("-ts_rk_type", "4", "1fe"), ("-ts_dt", "0.5", "1"), ("-gs_loss_tile", "4", "8"), ("-gs_batch_seed", "3", "0"),
               ("-ts_max_steps", "200", "300"), ("-gs_optimizer", "tao", "sgd"), ("-gs_lr", "0.001", None), ("-gs_start", "0.04,0.06,0.16,0.08", None)]
    for option, new, old in changes:
        assert_refused(with_option(sgd, option, new) + ["-gs_max_it", "4", "-gs_output", "capped.h5"], option, new, old)
    proc = run(sgd + ["-gs_max_it", "4", "-gs_output", "capped.h5", "-gs_progress_every", "3"], 2)
    assert "continuing" in proc.stdout
    whole, got = records("whole.h5"), records("capped.h5")
    for name, value in whole.items():
        assert np.array_equal(value, got[name]), name
    with h5py.File("capped.h5") as f:
        assert f.attrs["-gs_optimizer"].decode() == "sgd" and list(f.attrs["-gs_start"]) == [float(x) for x in NEAR.split(",")]


def basin_file(path):
    with h5py.File(path) as f:
        return {k: f["basin/" + k][...] for k in ("theta_start", "theta_final", "loss", "iterations", "reason", "converged")}


def case_integrity_basin():
    """invert -gs_basin stopped by SIGTERM: changed result options are refused; resumed on 2 ranks
    with a truncated record it gives the uninterrupted map."""
    make_targets()
    args = ["invert", "-gs_basin", "-gs_axes", "F,k", "-gs_lo", "0.034,0.064", "-gs_hi", "0.036,0.066", "-gs_n", "3,3"] + GRID + \
        ["-gs_targets_file", "targets.h5", "-gs_batch", "2", "-gs_deterministic", "-gs_loss", "pixel", "-gs_max_it", "12"]
    run(args + ["-gs_output", "whole.h5"])
    stop_after_records(args + ["-gs_output", "b.h5"], 1, "b.h5.journal", 2)
    for option, new, old in [("-ts_rk_type", "4", "1fe"), ("-ts_dt", "0.5", "1"), ("-gs_max_it", "5", "12"), ("-gs_batch_seed", "3", "0"),
                             ("-ts_max_steps", "200", "300"), ("-tao_type", "nm", "blmvm"), ("-gs_n", "3,2", "3,3")]:
        assert_refused(with_option(args, option, new) + ["-gs_output", "b.h5"], option, new, old)
    damage("b.h5.journal", "truncated")
    proc = run(args + ["-gs_output", "b.h5", "-gs_progress_every", "5"], 2)
    assert "the journal b.h5.journal" in proc.stderr, proc.stderr
    whole, got = basin_file("whole.h5"), basin_file("b.h5")
    for name in whole:
        assert np.array_equal(whole[name], got[name]), name


def case_integrity_two_writers_resumable():
    """targets, invert and invert -gs_basin: while one run writes an output, a second run on it stops
    at once naming the output and the holder; the first, stopped with SIGTERM, exits 0 and leaves no
    lock behind."""
    make_targets()
    runs = {
        "targets": ["targets", "-da_grid_x", "48", "-da_grid_y", "48", "-gs_init_block", "8", "-gs_steady_tol", "0",
                    "-ts_max_steps", "6000", "-gs_targets", "16"],
        "invert": ["invert"] + GRID + ["-gs_targets_file", "targets.h5", "-gs_batch", "2", "-gs_deterministic", "-gs_loss", "pixel",
                                       "-gs_optimizer", "sgd", "-gs_lr", "1e-4", "-gs_start", NEAR, "-gs_max_it", "100000"],
        "basin": ["invert", "-gs_basin", "-gs_axes", "F,k", "-gs_lo", "0.034,0.064", "-gs_hi", "0.036,0.066", "-gs_n", "6,6"] + GRID +
                 ["-gs_targets_file", "targets.h5", "-gs_batch", "2", "-gs_deterministic", "-gs_loss", "pixel", "-gs_max_it", "40"],
    }
    for name, args in runs.items():
        output = f"{name}-same.h5"
        first = start(args + ["-gs_output", output], 1, f"{name}-first.log")
        while not os.path.exists(output + ".lock") and first.poll() is None:
            time.sleep(0.01)
        proc = run(args + ["-gs_output", output], check=False)
        print(f"{name}: second run exit {proc.returncode}: {proc.stderr.strip()}")
        assert proc.returncode != 0 and f"-gs_output {output} is being written by another gsinv run (pid" in proc.stderr, proc.stderr
        os.killpg(first.pid, signal.SIGTERM)
        assert first.wait() == 0, open(f"{name}-first.log").read()
        assert not os.path.exists(output + ".lock")
