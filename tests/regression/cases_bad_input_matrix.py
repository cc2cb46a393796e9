"""The bad-input matrix: a table of rows (subcommand, arguments, ranks, fragment the message must
hold) over every subcommand and option: negative, zero, NaN, inf, 1e300, non-numeric and empty
values, wrong list lengths, impossible grids and rank layouts, bad input files and output places.
Each row must fail before any work: a non-zero exit, exactly one `gsinv: error:` line naming the
option or file, no PETSc or Python noise, no hang, no core, nothing left behind (no .partial, no
journal) and the existing output file byte for byte unchanged."""
import concurrent.futures
import os
import shutil
import subprocess
import time

from cases_runtime import sanitized
from gsinv_test import GSINV, MPIEXEC, run

SANITIZED_SAMPLE = 5

TINY = ["-da_grid_x", "16", "-da_grid_y", "16", "-gs_init_block", "4", "-gs_steady_tol", "0", "-ts_max_steps", "5"]
BASE = {
    "simulate": TINY,
    "landscape": TINY + ["-gs_axes", "F", "-gs_lo", "0.03", "-gs_hi", "0.04", "-gs_n", "2", "-gs_targets", "1"],
    "targets": TINY + ["-gs_targets", "2"],
    "invert": TINY + ["-gs_targets_file", "{fix}/targets.h5", "-gs_batch", "2", "-gs_max_it", "1"],
    "gradcheck": TINY + ["-gs_fd", "0", "-gs_taylor", "0", "-gs_forward", "0", "-gs_implicit", "0"],
    "bench": ["-gs_bench_sizes", "16", "-gs_bench_steps", "2", "-gs_bench_repeat", "1", "-gs_bench_ts", "0",
              "-gs_bench_gradient", "0", "-gs_bench_bandwidth", "0", "-gs_bench_csv", ""],
    "residual": ["-gs_input", "{fix}/sim.h5"],
}
ALL = tuple(BASE)
TS_RUNS = ("simulate", "landscape", "targets", "invert", "gradcheck")  # read -ts_* and the model's options

REAL_BAD = ["abc", "", "nan", "inf"]
INT_BAD = ["abc", "", "2.5", "1e300", "4294967346"]

# option: (integer?, subcommands that read it, further values that must be refused)
OPTIONS = {
    "-gs_F": (False, TS_RUNS, ["-1"]),
    "-gs_k": (False, ("landscape", "bench"), ["-1"]),
    "-gs_Du": (False, ("targets", "residual"), ["-0.1"]),
    "-gs_Dv": (False, ("invert", "gradcheck"), ["-0.1"]),
    "-gs_h": (False, ("simulate", "residual", "bench"), ["0", "-1", "1e300", "1e-300"]),
    "-gs_init_noise": (False, ("simulate", "targets"), ["-1"]),
    "-gs_init_block": (True, ("simulate", "landscape"), ["-1"]),
    "-gs_seed": (True, ("simulate", "targets", "residual"), ["-1", "99999999999"]),
    "-gs_sample": (True, ("simulate", "invert"), ["-1"]),
    "-gs_steady_tol": (False, ("simulate", "gradcheck"), ["-1", "1e300"]),
    "-gs_progress_every": (True, ("simulate", "targets"), ["-1"]),
    "-gs_snapshot_every": (True, ("simulate",), ["-1"]),
    "-ts_dt": (False, TS_RUNS, ["0", "-1"]),
    "-ts_max_steps": (True, TS_RUNS, ["0", "-1"]),
    "-ts_max_time": (False, ("simulate", "invert"), ["0", "-1"]),
    "-da_grid_x": (True, TS_RUNS, ["0", "1", "-1", "4294967312"]),
    "-da_grid_y": (True, ("simulate", "landscape"), ["0", "2"]),
    "-da_processors_x": (True, ("simulate",), ["0", "-2"]),
    "-gs_group_size": (True, ("landscape", "targets", "invert"), ["0", "-1"]),
    "-gs_adjoint_window": (True, ("invert", "gradcheck"), ["-1"]),
    "-gs_checkpoint_stride": (True, ("invert", "gradcheck"), ["-1"]),
    "-gs_checkpoint_cache": (False, ("gradcheck", "bench"), ["-1"]),
    "-gs_checkpoint_memory": (False, ("gradcheck", "invert"), ["0", "-1"]),
    "-gs_loss_tile": (True, ("gradcheck", "landscape"), ["-1"]),
    "-gs_targets": (True, ("landscape", "targets"), ["0", "-1", "99999999999"]),
    "-gs_gallery_size": (True, ("landscape",), ["-1", "1000"]),
    "-gs_cliff_threshold": (False, ("landscape",), ["-1"]),
    "-gs_batch": (True, ("invert",), ["0", "-1", "4294967297"]),
    "-gs_batch_seed": (True, ("invert",), ["-1", "99999999999"]),
    "-gs_lr": (False, ("invert",), ["0", "-1"]),
    "-gs_weight_decay": (False, ("invert",), ["-1"]),
    "-gs_max_it": (True, ("invert",), ["-1"]),
    "-tao_max_it": (True, ("invert",), ["-1"]),
    "-tao_gatol": (False, ("invert",), []),
    "-tao_grtol": (False, ("invert",), []),
    "-gs_fd_step": (False, ("gradcheck",), ["0", "1", "-1", "1e300"]),
    "-gs_taylor_h0": (False, ("gradcheck",), ["-1", "2", "1e300"]),
    "-gs_target_seed": (True, ("gradcheck",), ["-1", "99999999999"]),
    "-gs_bench_steps": (True, ("bench",), ["-1"]),
    "-gs_bench_seconds": (False, ("bench",), ["0", "-1", "1e300"]),
    "-gs_bench_repeat": (True, ("bench",), ["0", "-1"]),
    "-gs_bench_gradient_steps": (True, ("bench",), ["-1"]),
    "-gs_bench_stream_mib": (True, ("bench",), ["0", "-1"]),
    "-gs_residual_pairs": (True, ("residual",), ["-1"]),
    "-gs_obs_noise": (False, ("residual",), ["-1", "1e300"]),
    "-gs_obs_fraction": (False, ("residual",), ["0", "-1", "2", "1e300"]),
    "-gs_obs_smooth": (True, ("residual",), ["-1"]),
}

# Lists, names and layouts: (subcommand, arguments, ranks, fragment).
SPECIAL = [
    ("simulate", ["-da_grid_x", "1", "-da_grid_y", "1"], 1, "-da_grid_x"),
    ("simulate", ["-da_grid_x", "65536", "-da_grid_y", "65536"], 1, "-da_grid_x"),
    ("simulate", ["-da_grid_x", "30000", "-da_grid_y", "30000"], 1, "-da_grid_x"),
    ("residual", ["-da_grid_x", "2.5"], 1, "-da_grid_x"),
    ("simulate", ["-da_grid_x", "3", "-da_grid_y", "3"], 5, "-da_grid_x"),
    ("simulate", ["-da_processors_x", "3"], 2, "-da_processors_x"),
    ("simulate", ["-da_processors_x", "1", "-da_processors_y", "1"], 2, "-da_processors_x"),
    ("landscape", ["-gs_group_size", "3"], 2, "-gs_group_size"),
    ("targets", ["-gs_group_size", "4"], 2, "-gs_group_size"),
    ("invert", ["-gs_group_size", "3"], 2, "-gs_group_size"),
    ("landscape", ["-gs_axes", "F,k,Du", "-gs_lo", "0,0,0", "-gs_hi", "1,1,1", "-gs_n", "2,2,2"], 1, "-gs_axes"),
    ("landscape", ["-gs_axes", "F,x", "-gs_lo", "0,0", "-gs_hi", "1,1"], 1, "-gs_axes"),
    ("landscape", ["-gs_axes", "F,F", "-gs_lo", "0,0", "-gs_hi", "1,1", "-gs_n", "2,2"], 1, "-gs_axes"),
    ("landscape", ["-gs_axes", "F,,k"], 1, "-gs_axes"),
    ("landscape", ["-gs_axes", ""], 1, "-gs_axes"),
    ("landscape", ["-gs_lo", "0.03,0.06"], 1, "-gs_lo"),
    ("landscape", ["-gs_lo", "inf"], 1, "-gs_lo"),
    ("landscape", ["-gs_hi", "nan"], 1, "-gs_hi"),
    ("landscape", ["-gs_hi", "-inf"], 1, "-gs_hi"),
    ("landscape", ["-gs_lo", "-1"], 1, "-gs_lo"),
    ("landscape", ["-gs_lo", "0.04", "-gs_hi", "0.03"], 1, "-gs_lo"),
    ("landscape", ["-gs_lo", "0.03", "-gs_hi", "0.03"], 1, "-gs_lo"),
    ("landscape", ["-gs_lo", "0.03", "-gs_hi", "0.030000000000000002", "-gs_n", "5"], 1, "-gs_lo"),
    ("landscape", ["-gs_n", "0"], 1, "-gs_n"),
    ("landscape", ["-gs_n", "2.5"], 1, "-gs_n"),
    ("landscape", ["-gs_n", ""], 1, "-gs_n"),
    ("landscape", ["-gs_n", "100001"], 1, "-gs_n"),
    ("landscape", ["-gs_n", "4294967298"], 1, "-gs_n"),
    ("landscape", ["-gs_axes", "F,k", "-gs_lo", "0.03,0.06", "-gs_hi", "0.04,0.07", "-gs_n", "65536,65536"], 1, "-gs_n"),
    ("landscape", ["-gs_axes", "F,k", "-gs_lo", "0.03,0.06", "-gs_hi", "0.04,0.07", "-gs_n", "3,,3"], 1, "-gs_n"),
    ("landscape", ["-gs_target_mode", "nosuch"], 1, "-gs_target_mode"),
    ("landscape", ["-gs_loss", "nosuch"], 1, "-gs_loss"),
    ("targets", ["-gs_init_sampler", "gauss"], 1, "-gs_init_sampler"),
    ("landscape", ["-gs_landscape_gradient", "maybe"], 1, "-gs_landscape_gradient"),
    ("landscape", ["-gs_loss", "windowed", "-gs_loss_tile", "7"], 1, "-gs_loss_tile"),
    ("invert", ["-gs_start", "0.03,0.06,0.1"], 1, "-gs_start"),
    ("invert", ["-gs_start", "0.03,0.06,0.1,0.1,0.1"], 1, "-gs_start"),
    ("invert", ["-gs_start", "inf,0.06,0.1,0.1"], 1, "-gs_start"),
    ("invert", ["-gs_start", "inf"], 1, "-gs_start"),
    ("invert", ["-gs_start", "nan,0.06,0.1,0.1"], 1, "-gs_start"),
    ("invert", ["-gs_start", "0.03,-0.06,0.1,0.1"], 1, "-gs_start"),
    ("invert", ["-gs_start", "0.03,,0.1,0.1"], 1, "-gs_start"),
    ("invert", ["-gs_start", ""], 1, "-gs_start"),
    ("invert", ["-gs_start", "abc,0.06,0.1,0.1"], 1, "-gs_start"),
    ("invert", ["-gs_lower", "0,0,0"], 1, "-gs_lower"),
    ("invert", ["-gs_upper", "1,1,1,1,1"], 1, "-gs_upper"),
    ("invert", ["-gs_upper", "inf,1,1,1"], 1, "-gs_upper"),
    ("invert", ["-gs_lower", "0.5,0,0,0"], 1, "-gs_lower"),
    ("invert", ["-gs_optimizer", "adam"], 1, "-gs_optimizer"),
    ("invert", ["-gs_reparam", "cubic"], 1, "-gs_reparam"),
    ("invert", ["-gs_deterministic", "2"], 1, "-gs_deterministic"),
    ("invert", ["-gs_basin", "maybe"], 1, "-gs_basin"),
    ("invert", ["-gs_basin", "-gs_axes", "F", "-gs_lo", "0.03", "-gs_hi", "0.04", "-gs_n", "1001"], 1, "-gs_n"),
    ("invert", ["-gs_basin", "-gs_axes", "F", "-gs_lo", "0.03", "-gs_hi", "0.03", "-gs_n", "3"], 1, "-gs_lo"),
    ("invert", ["-gs_basin", "-gs_axes", "F", "-gs_lo", "inf", "-gs_hi", "0.04", "-gs_n", "3"], 1, "-gs_lo"),
    ("gradcheck", ["-gs_reparam", "cubic"], 1, "-gs_reparam"),
    ("gradcheck", ["-gs_fd", "sometimes"], 1, "-gs_fd"),
    ("simulate", ["-gs_fast_path", "2"], 1, "-gs_fast_path"),
    ("simulate", ["-gs_flush_denormals", "x"], 1, "-gs_flush_denormals"),
    ("bench", ["-gs_bench_sizes", ""], 1, "-gs_bench_sizes"),
    ("bench", ["-gs_bench_sizes", "2"], 1, "-gs_bench_sizes"),
    ("bench", ["-gs_bench_sizes", "abc"], 1, "-gs_bench_sizes"),
    ("bench", ["-gs_bench_sizes", "16,,32"], 1, "-gs_bench_sizes"),
    ("bench", ["-gs_bench_sizes", "65536"], 1, "-gs_bench_sizes"),
    ("bench", ["-gs_bench_ts", "perhaps"], 1, "-gs_bench_ts"),
    ("residual", ["-gs_obs_noise_sweep", ""], 1, "-gs_obs_noise_sweep"),
    ("residual", ["-gs_obs_noise_sweep", "0.1,,0.2"], 1, "-gs_obs_noise_sweep"),
    ("residual", ["-gs_obs_noise_sweep", "0.1,inf"], 1, "-gs_obs_noise_sweep"),
    ("residual", ["-gs_obs_noise_sweep", "0.1,-1"], 1, "-gs_obs_noise_sweep"),
    ("residual", ["-gs_axes", "F,k,Du"], 1, "-gs_axes"),
    ("residual", ["-gs_n", "65536,65536", "-gs_axes", "F,k", "-gs_lo", "0,0", "-gs_hi", "1,1"], 1, "-gs_n"),
    ("residual", ["-gs_residual_form", "sideways"], 1, "-gs_residual_form"),
    ("residual", ["-gs_obs_fields", "w"], 1, "-gs_obs_fields"),
    ("residual", ["-gs_complete", "2"], 1, "-gs_complete"),
    ("simulate", ["-ts_type", "nosuch"], 1, "-ts_"),
    ("simulate", ["-ts_type", "theta", "-ts_theta_theta", "2"], 1, "-ts_theta_theta"),
    ("gradcheck", ["-ts_type", "arkimex"], 1, "-ts_type"),
    ("landscape", ["-ts_type", "rosw"], 1, "-ts_type"),
    ("targets", ["-ts_rk_type", "nosuch"], 1, "-ts_"),
    ("simulate", ["-ts_adapt_type", "nosuch"], 1, "-ts_"),
    ("invert", ["-tao_type", "nosuch"], 1, "-tao_"),
    ("simulate", ["-da_refine", "40"], 1, "-da_"),
    ("targets", ["-gs_targets", "1000000", "-da_grid_x", "4096", "-da_grid_y", "4096"], 1, "-gs_targets"),
    ("landscape", ["-gs_axes", "F,k", "-gs_lo", "0.03,0.06", "-gs_hi", "0.04,0.07", "-gs_n", "300,300", "-gs_gallery_size", "256"], 1, "-gs_gallery_size"),
    # Options at 2 ranks: every rank refuses alike, one message.
    ("simulate", ["-ts_dt", "abc"], 2, "-ts_dt"),
    ("landscape", ["-gs_n", "65536,65536", "-gs_axes", "F,k", "-gs_lo", "0.03,0.06", "-gs_hi", "0.04,0.07"], 2, "-gs_n"),
    ("invert", ["-gs_start", "0.1,0.1,0.1"], 2, "-gs_start"),
    ("targets", ["-ts_max_steps", "4294967346"], 2, "-ts_max_steps"),
    ("gradcheck", ["-da_grid_x", "4294967312"], 2, "-da_grid_x"),
    ("residual", ["-gs_seed", "99999999999"], 2, "-gs_seed"),
]

# Input files: missing, empty, a directory, not HDF5. (option, subcommands, extra arguments)
INPUTS = [
    ("-gs_initial", ("simulate", "gradcheck"), []),
    ("-gs_input", ("residual",), []),
    ("-gs_target", ("gradcheck",), []),
    ("-gs_targets_file", ("invert",), []),
    ("-gs_targets_file", ("landscape",), ["-gs_target_mode", "file"]),
    ("-gs_like", ("residual",), []),
]
BAD_FILES = ["{fix}/missing.h5", "{fix}/empty.h5", "{fix}/folder", "{fix}/text.h5"]

# Output places: a missing folder, a path under a file, a place no one may write.
OUTPUTS = ["no/such/folder/out.h5", "keep.h5/out.h5", "/proc/gsinv-out.h5"]


def known(command, args):
    """Rows whose clean failure is known to depend on work not done yet: reported, not failed. None
    are left; a row added here must say why."""
    return None


def rows():
    table = []
    for option, (integer, commands, extra) in OPTIONS.items():
        values = (INT_BAD if integer else REAL_BAD) + extra
        for i, value in enumerate(values):
            command = commands[i % len(commands)]
            table.append((command, [option, value], 1, option))
    table += SPECIAL
    for option, commands, extra in INPUTS:
        for i, path in enumerate(BAD_FILES):
            table.append((commands[i % len(commands)], extra + [option, path], 1, option))
    for command in ALL:
        for i, path in enumerate(OUTPUTS):
            if (ALL.index(command) + i) % 2 == 0 or command in ("simulate", "landscape"):
                table.append((command, ["-gs_output", path], 1, "-gs_output"))
    return table


def make_fixtures(fix):
    os.makedirs(fix)
    run(["simulate"] + TINY + ["-gs_snapshot_every", "1", "-gs_output", f"{fix}/sim.h5"], quiet=False)
    run(["targets"] + TINY + ["-gs_targets", "2", "-gs_output", f"{fix}/targets.h5"])
    open(f"{fix}/empty.h5", "wb").close()
    os.makedirs(f"{fix}/folder")
    with open(f"{fix}/text.h5", "w") as f:
        f.write("not an HDF5 file\n")


def command_line(command, args, ranks, fix):
    args = [a.replace("{fix}", fix) for a in BASE[command] + args]
    if "-gs_output" not in args:
        args += ["-gs_output", "keep.h5"]
    launcher = [MPIEXEC, "-n", str(ranks)] if ranks > 1 else []
    return launcher + [GSINV, command] + args


def check_row(number, row, fix, keep):
    """Runs one row in its own folder holding keep.h5; returns a list of what went wrong."""
    command, args, ranks, fragment = row
    here = os.path.abspath(f"row{number:03d}")
    os.makedirs(here)
    shutil.copy(keep, os.path.join(here, "keep.h5"))
    cmd = command_line(command, args, ranks, fix)
    try:
        proc = subprocess.run(cmd, cwd=here, capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired:
        return [f"hung (60 s)"], ""
    errors = [line for line in proc.stderr.splitlines() if line.startswith("gsinv: error")]
    problems = []
    if proc.returncode == 0:
        problems.append("exit 0")
    if proc.returncode < 0:
        problems.append(f"killed by signal {-proc.returncode}")
    if len(errors) != 1:
        problems.append(f"{len(errors)} 'gsinv: error' lines")
    elif fragment not in errors[0]:
        problems.append(f"message does not name {fragment}")
    for noise in ("PETSC ERROR", "PETSc error", "Traceback", "HDF5-DIAG"):
        if noise in proc.stderr or noise in proc.stdout:
            problems.append(f"'{noise}' on the output")
    left = sorted(os.listdir(here))
    if left != ["keep.h5"]:
        problems.append(f"left behind: {[name for name in left if name != 'keep.h5']}")
    if open(os.path.join(here, "keep.h5"), "rb").read() != open(keep, "rb").read():
        problems.append("keep.h5 changed")
    shutil.rmtree(here)
    return problems, errors[0] if errors else proc.stderr[-300:]


def case_bad_input_matrix():
    """Every row of the table fails cleanly, on time, and loses nothing."""
    start = time.monotonic()
    fix = os.path.abspath("fixtures")
    make_fixtures(fix)
    keep = os.path.join(fix, "sim.h5")
    for command in ALL:  # the baseline of every row runs: the refusals come from the bad values
        cmd = command_line(command, [], 1, fix)
        cmd[cmd.index("keep.h5")] = os.path.abspath(f"baseline-{command}.h5")
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, f"baseline {' '.join(cmd)}:\n{proc.stderr}"
    print(f"fixtures and baselines: {time.monotonic() - start:.0f} s")
    table = rows()
    if sanitized():
        # under AddressSanitizer every run costs seconds: every SAMPLE-th row (all of them in the release build)
        table = table[::SANITIZED_SAMPLE]
        print(f"sanitizer build: every {SANITIZED_SAMPLE}th row, {len(table)} rows")
    with concurrent.futures.ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(lambda item: check_row(item[0], item[1], fix, keep), enumerate(table)))
    failed, still_known = [], 0
    for (command, args, ranks, fragment), (problems, message) in zip(table, results):
        line = f"{command} {' '.join(repr(a) if a == '' else a for a in args)} ({ranks} rank{'s' if ranks > 1 else ''}): {message}"
        reason = known(command, args)
        if problems and reason:
            still_known += 1
            print(f"KNOWN ({reason}) {'; '.join(problems)}: {line}")
        elif problems:
            failed.append(line)
            print(f"FAIL {'; '.join(problems)}: {line}")
        else:
            print(("ok (no longer known: drop it from known()) " if reason else "ok   ") + line)
    print(f"rows: {time.monotonic() - start:.0f} s")
    print(f"{len(table)} rows, {len(failed)} failed, {still_known} known")
    assert not failed, "\n".join(failed)
