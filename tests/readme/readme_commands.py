#!/usr/bin/python3
"""Every command of README.md runs as written, at a small size: `readme_commands.py TOP GSINV MPIEXEC`.

COMMANDS maps each command as the README writes it (code lines and `inline` commands) to the shell
lines run here, in a scratch folder laid out like the checkout (build/gsinv, inputs/, jobs/,
postprocess/), with options appended that shrink grids, steps and counts; or to the reason it is
not run here. A README command missing from COMMANDS fails the test, so the two stay together.
Scripts that the README runs directly must carry their run bits.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile

GRID = "-da_grid_x 16 -da_grid_y 16 -gs_init_block 4 -gs_steady_tol 0 -ts_max_steps 20 -gs_progress_every 0"
LANDSCAPE = f"{GRID} -gs_n 3,3 -gs_targets 1 -gs_gallery_size 4 -gs_loss_tile 8"
SUBCOMMANDS = ("simulate", "landscape", "targets", "invert", "gradcheck", "residual", "bench")
MAIN = "bash jobs/run-main.sh"

COMMANDS = {
    "bash jobs/run-tests.sh": "skip: the test suite this test belongs to (.ci/run runs it)",
    # run-main.sh's own two commands (it runs them at the full size, ~1 min on 2 ranks)
    MAIN: [f"mpiexec -n 2 build/gsinv landscape -options_file inputs/main-landscape.opts -gs_output results/landscape.h5 {LANDSCAPE}",
           "postprocess/plot_landscape.py results/landscape.h5 -o results/landscape"],
    "build/gsinv <subcommand> -help": [f"build/gsinv {sub} -help" for sub in SUBCOMMANDS],
    "build/gsinv <subcommand> -help all": [f"build/gsinv {sub} -help all" for sub in SUBCOMMANDS],
    "mpiexec -n 2 build/gsinv <subcommand> [options]": [f"mpiexec -n 2 build/gsinv simulate {GRID} -gs_snapshot_every 5"],
    "export PATH=$PWD/build:$PATH": ["export PATH=$PWD/build:$PATH && gsinv simulate -help"],
    "build/gsinv": "skip: names the executable",
    "gsinv": "skip: names the executable (on PATH after the export above)",
    "gsinv bench": ["build/gsinv bench -gs_bench_sizes 32 -gs_bench_steps 20 -gs_bench_repeat 1 -gs_bench_stream_mib 8"],
    "gsinv bench -gs_bench_budgets 64,512,0": ["build/gsinv bench -gs_bench_sizes 64 -gs_bench_steps 20 -gs_bench_gradient_steps 50 -gs_bench_repeat 1 "
                                                "-gs_bench_ts 0 -gs_bench_bandwidth 0 -gs_bench_budgets 0.5,2,0"],
    "gsinv targets": "skip: names the subcommand (its README command runs below)",
    "mpiexec -n 2 build/gsinv targets -gs_targets 16 -gs_output targets.h5": [f"mpiexec -n 2 build/gsinv targets -gs_targets 16 -gs_output targets.h5 {GRID} -gs_targets 2"],
    "mpiexec -n 2 build/gsinv invert -gs_targets_file targets.h5 -gs_output inversion.h5 [options]":
        [f"mpiexec -n 2 build/gsinv invert -gs_targets_file targets.h5 -gs_output inversion.h5 {GRID} -gs_batch 2 -gs_max_it 2"],
    "postprocess/plot_landscape.py FILE.h5 [-o PREFIX] [--loss L] [--log] [--what heat,class,grad,gallery,slices,cliffs|all]":
        ["postprocess/plot_landscape.py results/landscape.h5 -o all --loss pixel --log --what all"],
    "postprocess/plot_inversion.py FILE.h5 [--landscape L.h5]": ["postprocess/plot_inversion.py inversion.h5",
                                                                 "postprocess/plot_inversion.py inversion.h5 --landscape results/landscape.h5"],
    "postprocess/plot_fields.py FILE.h5 [-o PNG] [--snapshot T]": ["postprocess/plot_fields.py simulate.h5 -o fields.png --snapshot 1"],
    "xvfb-run -a pvbatch script.py": "skip: ParaView scripts run in the test paraview_sidecars",
    "jobs/sweep-throughput.sh": "skip: a timing study (timings are benchmarks, never tests)",
    "bash jobs/sweep-throughput.sh": "skip: a timing study (timings are benchmarks, never tests)",
    "bash jobs/scaling-local.sh": "skip: a timing study (timings are benchmarks, never tests)",
    "jobs/scaling-local.sh": "skip: a timing study (timings are benchmarks, never tests)",
    "postprocess/plot_scaling.py": "skip: draws the output of the scaling studies",
    "apt-get install libpetsc64-real-dev; meson setup build64 -Dpetsc_pkg=PETSc64": "skip: installs a package and builds a second tree",
    # the plateau table's command (continued on the next README line), at a small size with s = 1
    "gsinv gradcheck -da_grid_x n -da_grid_y n -gs_steady_tol 1e-4 -ts_max_steps 40000 -gs_loss LOSS \\":
        ["build/gsinv gradcheck -da_grid_x 16 -da_grid_y 16 -gs_steady_tol 1e-4 -ts_max_steps 40000 -gs_loss spectrum "
         "-gs_seed 1 -gs_target_seed 11 -gs_k 0.07 -gs_fd 0 -gs_forward 0 -gs_taylor 0 -gs_implicit 0 -gs_steady_tol 0 -ts_max_steps 30 -gs_init_block 4"],
    # the lower-cliff blocks (continued on the next README line), one block at (F0, K0) = (0.035, 0.056875), shrunk
    "mpiexec -n 2 build/gsinv landscape -options_file inputs/paper-landscape-Fk.opts -gs_gallery_size 0 \\":
        [f"mpiexec -n 2 build/gsinv landscape -options_file inputs/paper-landscape-Fk.opts -gs_gallery_size 0 "
         f"-gs_n 7,2 -gs_lo 0.035,0.056875 -gs_hi 0.03875,0.05734375 -gs_output block.h5 {GRID} -gs_n 2,2 -gs_targets 1"],
    "export OMPI_MCA_io=...": "skip: names a setting the user may choose",
    "jobs/build-petsc.sh SOURCE [TAG] [PREFIX]": "skip: builds a PETSc release from source (about an hour on 2 cores)",
    "jobs/build-petsc.sh": "skip: builds a PETSc release from source (about an hour on 2 cores)",
}
# SLURM jobs are named, not run, in the README
SLURM = re.compile(r"^jobs/[\w-]+\.sbatch$")
FIRST_WORDS = ("bash", "mpiexec", "build/gsinv", "gsinv", "export", "apt-get", "xvfb-run")


def readme_commands(text):
    """Code lines and inline code spans of the README that are commands, comments stripped."""
    found = []
    for line in text.splitlines():
        if line.startswith("    ") and not line.startswith("     "):
            found.append(line[4:].split("  #")[0].strip())
        found += re.findall(r"`([^`]+)`", line)
    return [c for c in found if c and (c.split()[0] in FIRST_WORDS or c.startswith(("postprocess/", "jobs/")) and not c.endswith(".md"))]


def scratch(top, gsinv):
    """A folder laid out like the checkout, with the executable under test."""
    work = tempfile.mkdtemp()
    os.mkdir(os.path.join(work, "build"))
    os.mkdir(os.path.join(work, "results"))
    os.symlink(os.path.abspath(gsinv), os.path.join(work, "build", "gsinv"))
    for d in ("inputs", "jobs", "postprocess"):
        os.symlink(os.path.join(top, d), os.path.join(work, d))
    return work


def check_run_bits(top, commands):
    for c in commands:
        path = c.split()[0]
        if path.startswith(("postprocess/", "jobs/")) and not SLURM.match(path) and not c.startswith("bash "):
            assert os.access(os.path.join(top, path), os.X_OK), f"{path} is run directly in the README but is not executable"


def run_all(work, env):
    ran = 0
    for readme in COMMANDS:  # in order: each output exists before a command reads it
        action = COMMANDS[readme]
        if isinstance(action, str):
            print(f"{readme}: {action}")
            continue
        for line in action:
            proc = subprocess.run(["bash", "-c", line], cwd=work, env=env, capture_output=True, text=True, timeout=300)
            assert proc.returncode == 0, f"README command `{readme}` as `{line}` failed ({proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
            ran += 1
        print(f"{readme}: ran {len(action)} line(s)")
    return ran


def main():
    top, gsinv, mpiexec = os.path.abspath(sys.argv[1]), sys.argv[2], sys.argv[3]
    commands = readme_commands(open(os.path.join(top, "README.md")).read())
    missing = [c for c in dict.fromkeys(commands) if c not in COMMANDS and not SLURM.match(c)]
    assert not missing, f"README commands not in {__file__}: {missing}"
    check_run_bits(top, [c for c in commands if c in COMMANDS and not isinstance(COMMANDS[c], str)])
    work = scratch(top, gsinv)
    env = dict(os.environ, PATH=os.path.dirname(os.path.abspath(mpiexec)) + os.pathsep + os.environ["PATH"])
    try:
        ran = run_all(work, env)
    finally:
        shutil.rmtree(work)
    print(f"{ran} command lines ran; {len(set(commands))} README commands checked")


if __name__ == "__main__":
    main()
