#!/usr/bin/python3
"""The postprocess scripts on real gsinv output: `postprocess_test.py CASE GSINV MPIEXEC`.

Each case makes tiny inputs with the built gsinv (16 x 16 grids, tens of steps; the bench CSVs from
`gsinv bench` at 32^2), runs the scripts as README.md and jobs/ call them, and checks what the
figures hold in-process (matplotlib's Agg backend): curves and maps carry the file's numbers, axes are
labelled, titles name the parameters and settings. Bad input: a missing file, and a file without the
needed group, dataset or column, each give one `<script>: error:` line naming it, exit status 1 and
no traceback."""
import contextlib
import csv
import importlib
import importlib.util
import io
import os
import subprocess
import sys
import tempfile
import traceback

import h5py
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
POST = os.path.normpath(os.path.join(HERE, "..", "..", "postprocess"))
sys.path.insert(0, POST)
os.environ["MPLBACKEND"] = "Agg"
import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.collections import QuadMesh  # noqa: E402

GSINV = os.path.abspath(sys.argv[2]) if len(sys.argv) > 3 else "gsinv"
MPIEXEC = sys.argv[3] if len(sys.argv) > 3 else "mpiexec"
GRID = ["-da_grid_x", "16", "-da_grid_y", "16", "-gs_init_block", "4", "-gs_steady_tol", "0", "-ts_max_steps", "30"]
TRUTH_TEXT = "F=0.035 k=0.065 Du=0.16 Dv=0.08"  # the default parameters as the titles print them
SCRIPTS = ("plot_fields.py", "plot_landscape.py", "plot_inversion.py", "plot_residual.py", "plot_scaling.py",
           "gather_scaling.py", "scaling_model.py", "gradient_memory_model.py")


# ---------------------------------------------------------------- running things
def gsinv(args, ranks=1, quiet=True):
    """Runs gsinv ARGS on `ranks` ranks (one rank as an MPI singleton); fails the case on error."""
    cmd = ([MPIEXEC, "-n", str(ranks)] if ranks > 1 else []) + [GSINV] + args + (["-gs_progress_every", "0"] if quiet else [])
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}"
    return proc


def script(line, status=0, program=False):
    """Runs `NAME.py ARGS` of postprocess/ (line as the README writes it): its main() in this process
    with that command line (as `python3 NAME.py ARGS` would, without the start-up of a new
    interpreter, about a second with matplotlib), or as a program of its own when program is set.
    An exception escaping main() counts as a traceback on stderr."""
    name, *args = line.split()
    if program:
        proc = subprocess.run([sys.executable, os.path.join(POST, name)] + args, capture_output=True, text=True, timeout=120)
    else:
        out, err, code = io.StringIO(), io.StringIO(), 0
        saved, sys.argv = sys.argv, [os.path.join(POST, name)] + args
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                module(name[:-3]).main()
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else int(e.code is not None)
            if isinstance(e.code, str):
                err.write(e.code + "\n")
        except Exception:
            code = "exception"
            err.write(traceback.format_exc())
        finally:
            sys.argv = saved
            plt.close("all")
        proc = subprocess.CompletedProcess(line, code, out.getvalue(), err.getvalue())
    print(f"$ {line}  -> {proc.returncode}{' (program)' if program else ''}\n{proc.stdout}{proc.stderr}", end="")
    assert proc.returncode == status, f"{line}: exit {proc.returncode}, expected {status}\n{proc.stdout}\n{proc.stderr}"
    return proc


def module(name):
    return importlib.import_module(name)


def wrote(proc, *paths):
    """The script said it wrote each path, and each is a PNG of some size."""
    for path in paths:
        assert f"wrote {path}" in proc.stdout, (path, proc.stdout)
        with open(path, "rb") as f:
            assert f.read(8) == b"\x89PNG\r\n\x1a\n", path
        assert os.path.getsize(path) > 5000, path


def one_error(proc, name, *mentions):
    """A refusal: exit 1, exactly one line on stderr, `<name>: error: ...` naming each of mentions."""
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 1, (name, proc.returncode, proc.stderr)
    assert "Traceback" not in proc.stderr, proc.stderr
    assert len(lines) == 1 and lines[0].startswith(f"{name}: error: "), proc.stderr
    for m in mentions:
        assert m in lines[0], (m, lines[0])


# ---------------------------------------------------------------- reading figures
def titles(fig):
    """Every text of the figure: suptitle, axes titles, figure texts."""
    parts = [fig._suptitle.get_text()] if fig._suptitle is not None else []
    parts += [ax.get_title() for ax in fig.axes] + [t.get_text() for t in fig.texts]
    return "\n".join(parts)


def data_lines(ax):
    """The lines of ax that carry finite data."""
    return [line for line in ax.get_lines()
            if len(line.get_xdata()) and np.isfinite(np.asarray(line.get_ydata(), float)).any()]


def mesh(ax):
    """The values of the first colour map of ax, flat (NaN where masked)."""
    m = next(c for c in ax.collections if isinstance(c, QuadMesh))
    return np.ma.filled(np.ma.masked_invalid(m.get_array()).astype(float), np.nan).ravel()


def labelled(ax):
    assert ax.get_xlabel().strip() and ax.get_ylabel().strip(), (ax.get_title(), ax.get_xlabel(), ax.get_ylabel())


def same(a, b, rtol=1e-12):
    a, b = np.asarray(a, float).ravel(), np.asarray(b, float).ravel()
    assert a.shape == b.shape, (a.shape, b.shape)
    assert np.array_equal(np.isnan(a), np.isnan(b)), (a, b)
    ok = ~np.isnan(a)
    assert np.allclose(a[ok], b[ok], rtol=rtol, atol=0), (a, b)


def line_with(ax, y):
    """A line of ax whose y data are y (NaN where y is NaN)."""
    for line in data_lines(ax):
        v = np.asarray(line.get_ydata(), float)
        if v.shape == np.shape(y) and np.array_equal(np.isnan(v), np.isnan(y)) and np.allclose(v[~np.isnan(v)], np.asarray(y)[~np.isnan(v)]):
            return line
    raise AssertionError(f"no line with y = {y} in {ax.get_title()!r}: {[list(line.get_ydata()) for line in data_lines(ax)]}")


# ---------------------------------------------------------------- inputs
def landscape(path, extra=()):
    gsinv(["landscape"] + GRID + ["-gs_targets", "1", "-gs_loss_tile", "8", "-gs_axes", "F,k", "-gs_lo", "0.03,0.06",
                                  "-gs_hi", "0.04,0.07", "-gs_n", "3,3", "-gs_output", path] + list(extra))


def landscape_1d(path):
    gsinv(["landscape"] + GRID + ["-gs_targets", "1", "-gs_loss_tile", "8", "-gs_axes", "F", "-gs_lo", "0.03",
                                  "-gs_hi", "0.04", "-gs_n", "3", "-gs_output", path])


def targets(path="targets.h5"):
    gsinv(["targets"] + GRID + ["-gs_targets", "2", "-gs_output", path])


INVERT = ["invert"] + GRID + ["-gs_targets_file", "targets.h5", "-gs_batch", "2", "-gs_deterministic", "-gs_loss", "pixel"]
NEAR = "0.0353,0.0645,0.1615,0.0792"


# ---------------------------------------------------------------- cases
def case_module():
    """gsinv_h5 on its own: typed attributes, the error line, output names, CSV columns; every
    script passes pyflakes (py_compile when pyflakes is missing) and carries its run bits."""
    import gsinv_h5

    with h5py.File("types.h5", "w") as f:
        f.attrs["fixed"] = np.bytes_("pixel")
        f.attrs["vlen"] = "tao"
        f.attrs["count"] = np.int64(4)
        f.attrs["real"] = np.float64(0.25)
        f.attrs["pair"] = np.array([0.03, 0.06])
        f.attrs["scalar"] = np.array(7)
        f.attrs["names"] = np.array([b"F", b"k"])
        f.create_group("g").attrs["name"] = np.bytes_("F")
    with h5py.File("types.h5", "r") as f:
        a = gsinv_h5.attrs(f)
        assert a["fixed"] == "pixel" and type(a["fixed"]) is str
        assert a["vlen"] == "tao" and type(a["vlen"]) is str
        assert a["count"] == 4 and type(a["count"]) is int
        assert a["real"] == 0.25 and type(a["real"]) is float
        assert isinstance(a["pair"], np.ndarray) and list(a["pair"]) == [0.03, 0.06]
        assert a["scalar"] == 7 and type(a["scalar"]) is int
        assert list(a["names"]) == ["F", "k"]
        assert gsinv_h5.attr(f["g"], "name") == "F" and gsinv_h5.attr(f["g"], "other", "x") == "x"
        assert gsinv_h5.text(a["pair"]) == "0.03,0.06" and gsinv_h5.text(None, "?") == "?"

    err = io.StringIO()
    saved = sys.argv
    sys.argv = ["/somewhere/plot_thing.py"]
    try:
        with contextlib.redirect_stderr(err):
            gsinv_h5.fail("x.h5 has no /y")
        raise AssertionError("fail() returned")
    except SystemExit as e:
        assert e.code == 1, e.code
    finally:
        sys.argv = saved
    assert err.getvalue() == "plot_thing.py: error: x.h5 has no /y\n", err.getvalue()

    assert gsinv_h5.output_prefix("run/x.h5", None) == "run/x"
    assert gsinv_h5.output_prefix("x.h5", "out/a/b.png") == "out/a/b" and os.path.isdir("out/a")
    assert gsinv_h5.output_png(None, "x.png") == "x.png" and gsinv_h5.output_png("pics/y", "x.png") == "pics/y.png"
    assert os.path.isdir("pics")
    with open("t.csv", "w") as f:
        f.write("ranks,nx\n1,32\n")
    header, rows = gsinv_h5.read_csv("t.csv", ("ranks",))
    assert header == ["ranks", "nx"] and rows == [{"ranks": "1", "nx": "32"}]

    sources = sorted(os.path.join(POST, n) for n in os.listdir(POST) if n.endswith(".py")) + [os.path.abspath(__file__)]
    checker = "pyflakes" if importlib.util.find_spec("pyflakes") else "py_compile"
    check = [sys.executable, "-m", checker] + sources
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    proc = subprocess.run(check, capture_output=True, text=True, env=env)
    print(f"{checker}: {len(sources)} files, exit {proc.returncode}")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    for name in SCRIPTS:
        assert os.access(os.path.join(POST, name), os.X_OK), f"{name} is not executable"
    print("gsinv_h5: typed attributes, fail, output names, CSV columns as documented")


def case_fields():
    """plot_fields.py on a simulate file with snapshots: the images are the file's fields."""
    gsinv(["simulate"] + GRID + ["-gs_snapshot_every", "10", "-gs_output", "simulate.h5"])
    wrote(script("plot_fields.py simulate.h5 -o fields.png --snapshot 1"), "fields.png")   # README
    wrote(script("plot_fields.py simulate.h5"), "simulate.png")
    PF = module("plot_fields")
    with h5py.File("simulate.h5") as f:
        u1, v1, step1 = f["snapshots/u"][1], f["snapshots/v"][1], int(f["snapshots/step"][1])
        u, v = f["state/u"][...], f["state/v"][...]
    for snapshot, (eu, ev), what in ((1, (u1, v1), f"snapshot 1 (step {step1})"), (None, (u, v), "final state")):
        fig = PF.draw("simulate.h5", snapshot)
        images = [ax for ax in fig.axes if ax.images and ax.get_title()]
        assert len(images) == 2
        for ax, expected, name in zip(images, (eu, ev), "uv"):
            same(ax.images[0].get_array(), expected)
            labelled(ax)
            assert ax.get_title().startswith(f"{name}  [")
        text = titles(fig)
        assert what in text and TRUTH_TEXT in text and "16x16" in text, text
        plt.close(fig)
    print("plot_fields: u and v of the snapshot and of /state, titled with F, k, Du, Dv and the grid")


def case_landscape():
    """plot_landscape.py on a 3 x 3 landscape (gallery, gradient) and a 1-D one: the maps hold the
    losses and classes, the curves are drawn, titles name the truth."""
    landscape("landscape.h5", ["-gs_gallery_size", "4", "-gs_landscape_gradient"])
    os.mkdir("results")
    os.rename("landscape.h5", "results/landscape.h5")
    # README (jobs/run-main.sh's `-o results/landscape` draws a subset of these: tests/readme runs it)
    wrote(script("plot_landscape.py results/landscape.h5 -o all --loss pixel --log --what all"),
          *(f"all_{w}.png" for w in ("heat", "class", "grad", "gallery", "slices", "cliffs")))
    PL = module("plot_landscape")
    L = PL.Landscape("results/landscape.h5")
    assert (L.xname, L.yname, L.shape) == ("F", "k", (3, 3)) and L.curves and set(L.losses) == {"pixel", "spectrum", "windowed"}
    fig = PL.draw(L, "heat", "windowed", False)
    ax = fig.axes[0]
    same(mesh(ax), np.where(L.valid, L.losses["windowed"], np.nan))
    labelled(ax)
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("F", "k")
    curves = [line for line in data_lines(ax) if line.get_linewidth() == 2.0]
    assert len(curves) == len(L.curves), (len(curves), sorted(L.curves))
    text = titles(fig)
    assert "windowed loss" in text and f"ground truth {TRUTH_TEXT}" in text and "3 x 3 points" in text, text
    plt.close(fig)
    fig = PL.draw(L, "class", None, False)
    same(mesh(fig.axes[0]), L.cls)
    assert "class of each point" in titles(fig)
    plt.close(fig)
    fig = PL.draw(L, "grad", None, False)
    same(mesh(fig.axes[0]), PL.floored(np.where(L.valid, L.grad_norm, np.nan))[0])   # log colours: 0 drawn at the floor
    plt.close(fig)
    fig = PL.draw(L, "slices", None, False)
    middle = [ax for ax in fig.axes if ax.get_title().endswith("(middle row)")][0]   # top left: windowed along F
    assert middle.get_ylabel() == "windowed" and fig.axes[-2].get_xlabel() == "F" and fig.axes[-1].get_xlabel() == "k"
    line_with(middle, np.where(L.valid[1], L.losses["windowed"][1], np.nan))
    plt.close(fig)
    for what in ("gallery", "cliffs"):
        fig = PL.draw(L, what, None, False)
        assert TRUTH_TEXT in titles(fig)
        plt.close(fig)

    landscape_1d("line.h5")
    L1 = PL.Landscape("line.h5")
    assert not L1.two_d and L1.shape == (3,)
    fig = PL.draw(L1, "slices", None, False)
    for ax, name in zip(fig.axes, [n for n in PL.LOSSES if n in L1.losses]):
        line = line_with(ax, np.where(L1.valid, L1.losses[name], np.nan))
        same(line.get_xdata(), L1.x)
        assert ax.get_ylabel() == name
    assert fig.axes[-1].get_xlabel() == "F" and TRUTH_TEXT in titles(fig)
    plt.close(fig)
    print("plot_landscape: heat, class, grad and slices hold the file's values; curves and titles present")


def inversion_checks(PI, path, L, lpath, settings):
    """The figures of an inversion file: history and parameters from its records, the trajectory over L."""
    with h5py.File(path) as f:
        I = PI.Inversion(path, f)
        loss, grad, theta, truth = (f["inversion/" + k][...] for k in ("loss", "grad_norm", "theta", "theta_truth"))
    figs = dict(PI.figures("inversion", I, L, None, False, lpath))
    assert list(figs) == ["history", "params", "landscape"]
    history = figs["history"]
    floored = module("plot_landscape").floored   # log axes: values <= 0 drawn at the smallest positive one
    line_with(history.axes[0], floored(np.where(I.valid, loss, np.nan))[0])
    line_with(history.axes[1], floored(np.where(I.valid, grad, np.nan))[0])
    if I.setting("-gs_optimizer") == "sgd":   # the learning rate panel
        with h5py.File(path) as f:
            line_with(history.axes[2], f["inversion/lr"][...])
        assert len(history.axes) == 3 and history.axes[2].get_ylabel() == "learning rate"
    for ax in history.axes:
        assert ax.get_ylabel().strip()
    assert history.axes[-1].get_xlabel() == "iteration"
    text = titles(history)
    assert settings in text and f"truth {TRUTH_TEXT}" in text, text
    params = figs["params"]
    ax = params.axes[0]
    for q, name in enumerate(PI.PARAMS):
        line = line_with(ax, 100 * (theta[:, q] / truth[q] - 1))
        assert line.get_label() == name
    assert "parameters relative to the truth" in titles(params)
    over = figs["landscape"]
    ax = over.axes[0]
    same(mesh(ax), np.where(L.valid, L.losses["pixel"], np.nan))   # the inversion's own loss
    labelled(ax)
    xs = [np.asarray(line.get_xdata(), float) for line in data_lines(ax)]
    assert any(x.size >= theta.shape[0] and np.allclose(x[:theta.shape[0]], theta[:, 0]) for x in xs), "no trajectory"
    for fig in figs.values():
        plt.close(fig)
    return I


def case_inversion():
    """plot_inversion.py on a TAO and an SGD inversion: the history and parameter curves are the
    records; the titles carry the settings read from the typed root attributes."""
    targets()
    gsinv(INVERT + ["-gs_start", NEAR, "-gs_max_it", "3", "-gs_output", "inversion.h5"])
    gsinv(INVERT + ["-gs_start", NEAR, "-gs_max_it", "3", "-gs_optimizer", "sgd", "-gs_lr", "1e-4", "-gs_weight_decay", "5e-4",
                    "-gs_reparam", "log", "-gs_output", "sgd.h5"])
    os.mkdir("results")
    landscape("results/landscape.h5")
    # README (its other call, without --landscape, draws the first two of these)
    wrote(script("plot_inversion.py inversion.h5 --landscape results/landscape.h5"),
          "inversion_history.png", "inversion_params.png", "inversion_landscape.png")
    import gsinv_h5
    with h5py.File("sgd.h5") as f:
        a = gsinv_h5.attrs(f)
    assert a["-gs_optimizer"] == "sgd" and a["-gs_batch"] == 2 and a["-gs_lr"] == 1e-4 and a["-da_grid_x"] == 16
    assert isinstance(a["-gs_start"], np.ndarray) and a["-gs_start"].shape == (4,)
    PI = module("plot_inversion")
    L = module("plot_landscape").Landscape("results/landscape.h5")
    inversion_checks(PI, "inversion.h5", L, "results/landscape.h5",
                         "tao blmvm; reparam identity; loss pixel; batch 2 deterministic; 16x16, 30 steps")
    inversion_checks(PI, "sgd.h5", L, "results/landscape.h5",
                         "sgd; lr 0.0001, weight decay 0.0005; reparam log; loss pixel; batch 2 deterministic; 16x16, 30 steps")
    print("plot_inversion: loss, |g|, learning rate and parameters are the records; settings from typed attributes")


def case_basin():
    """plot_inversion.py on a 2 x 2 basin map: outcome and final-loss maps, starts over the landscape."""
    targets()
    gsinv(["invert", "-gs_basin", "-gs_axes", "F,k", "-gs_lo", "0.034,0.064", "-gs_hi", "0.036,0.066", "-gs_n", "2,2"] + INVERT[1:] +
          ["-gs_max_it", "2", "-gs_output", "basin.h5"])
    landscape("landscape.h5")
    wrote(script("plot_inversion.py basin.h5 --landscape landscape.h5 -o pics/b"), "pics/b_basin.png", "pics/b_basin_landscape.png")
    PI = module("plot_inversion")
    L = module("plot_landscape").Landscape("landscape.h5")
    with h5py.File("basin.h5") as f:
        B = PI.Basin("basin.h5", f)
        final_loss = f["basin/loss"][...]
    figs = dict(PI.figures("basin", B, L, None, False, "landscape.h5"))
    assert list(figs) == ["basin", "basin_landscape"]
    ax, bx = figs["basin"].axes[:2]
    codes, names, _ = B.outcomes()
    same(mesh(ax), codes)
    loss, final_loss = mesh(bx), final_loss.ravel()
    positive = final_loss > 0
    same(loss[positive], final_loss[positive])
    for a in (ax, bx):
        assert (a.get_xlabel(), a.get_ylabel()) == ("F", "k")
    text = titles(figs["basin"])
    assert "basin map" in text and "2 x 2 starts; tao blmvm" in text and f"truth {TRUTH_TEXT}" in text, text
    ax = figs["basin_landscape"].axes[0]
    same(mesh(ax), np.where(L.valid, L.losses["windowed"], np.nan))   # the first of windowed, spectrum, pixel
    starts = np.concatenate([np.asarray(c.get_offsets())[:, 0] for c in ax.collections if not isinstance(c, QuadMesh) and len(c.get_offsets())])
    assert np.all(np.isin(np.round(B.start[..., 0].ravel(), 12), np.round(starts, 12))), starts
    for fig in figs.values():
        plt.close(fig)
    print(f"plot_inversion: basin outcomes ({', '.join(names)}) and final losses are the file's; starts over the landscape")


def case_residual():
    """plot_residual.py beside a 2-D and a 1-D landscape: the residual map is /residual_landscape/loss,
    the unrolled map the landscape's loss, the curves are drawn (they once ended in an error)."""
    gsinv(["simulate"] + GRID + ["-gs_output", "sim.h5"])
    landscape("landscape.h5")
    gsinv(["residual", "-gs_input", "sim.h5", "-gs_like", "landscape.h5", "-gs_output", "residual.h5"], quiet=False)
    wrote(script("plot_residual.py residual.h5 landscape.h5"), "residual_residual.png")
    wrote(script("plot_residual.py residual.h5 -o alone"), "alone.png")
    PR = module("plot_residual")
    R, L, loss = PR.read("residual.h5", "landscape.h5")
    assert loss == "windowed" and set(R.curves) == set(L.curves) and R.map_curves == L.map_curves & set(L.curves)
    fig = PR.draw(R, L, loss, False, ["residual.h5", "landscape.h5"])
    left, right = [ax for ax in fig.axes if any(isinstance(c, QuadMesh) for c in ax.collections) and ax.get_xlabel()]
    same(mesh(left), np.where(L.valid, L.losses["windowed"], np.nan))
    with h5py.File("residual.h5") as f:
        same(mesh(right), f["residual_landscape/loss"][...])
        theta = f["residual/theta"][...]
    for ax in (left, right):
        assert (ax.get_xlabel(), ax.get_ylabel()) == ("F", "k")
        assert len([line for line in data_lines(ax) if line.get_linewidth() == 2.0]) == len(L.curves)
    text = titles(fig)
    assert "closed-form residual loss" in text and f"F={theta[0]:.5g}" in text and "unrolled-simulation windowed loss" in text, text
    plt.close(fig)

    landscape_1d("line.h5")
    gsinv(["residual", "-gs_input", "sim.h5", "-gs_like", "line.h5", "-gs_output", "r1.h5"], quiet=False)
    R, L, loss = PR.read("r1.h5", "line.h5")
    fig = PR.draw(R, L, loss, False, ["r1.h5", "line.h5"])
    ax = fig.axes[0]
    floored = module("plot_landscape").floored   # the 1-D drawing raises losses <= 0 to the smallest positive one
    line = line_with(ax, floored(np.where(L.valid, L.losses[loss], np.nan))[0])
    same(line.get_xdata(), L.x)
    line_with(fig.axes[1], floored(R.loss)[0])
    assert ax.get_xlabel() == "F" and ax.get_ylabel() and fig.axes[1].get_ylabel()
    plt.close(fig)
    print("plot_residual: both maps (2-D) and both curves (1-D) hold the files' losses; curves and titles present")


def bench(name, ranks=1, sizes="32", log=None):
    """gsinv bench at a tiny size into NAME.csv (and NAME.h5), with -log_view into log when given."""
    gsinv(["bench", "-gs_bench_sizes", sizes, "-gs_bench_steps", "20", "-gs_bench_repeat", "1", "-gs_bench_stream_mib", "8",
           "-gs_bench_ts", "0", "-gs_bench_bandwidth", "0", "-gs_output", f"{name}.h5", "-gs_bench_csv", f"{name}.csv"] +
          (["-log_view", f":{log}"] if log else []), ranks, quiet=False)


def case_scaling():
    """gather_scaling.py, plot_scaling.py, scaling_model.py, gradient_memory_model.py on gsinv bench
    CSVs (1 and 2 ranks) and on a gathered CSV with chosen rates (speed-up and efficiency known)."""
    bench("bench-2", 2, log="log-2.txt")
    bench("bench-1", 1, log="log-1.txt")
    bench("one", 1, "32,64")
    proc = script("gather_scaling.py --kind strong -o scaling.csv bench-2.csv bench-1.csv")       # jobs/scaling-*.sbatch
    assert "2 runs -> scaling.csv" in proc.stdout
    with open("scaling.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [int(r["ranks"]) for r in rows] == [1, 2] and {r["kind"] for r in rows} == {"strong"}
    assert [float(r["cells_per_rank"]) for r in rows] == [1024.0, 512.0]
    assert all(float(r["log_gsrhs_seconds"]) > 0 and int(r["log_gsrhs_count"]) > 0 for r in rows), rows
    assert int(rows[1]["log_gshalo_count"]) > 0, rows[1]     # two ranks exchange halos
    wrote(script("plot_scaling.py scaling.csv --kind strong -o strong"), "strong.png")               # jobs/scaling-local.sh

    # chosen production rates at 1, 2, 4 ranks of 64 x 64: speed-up 1, 1.8, 3; efficiency 1, 0.9, 0.75
    header = list(rows[0].keys())
    chosen = []
    for ranks, rate in ((4, 300.0), (1, 100.0), (2, 180.0)):
        row = dict(rows[0], nx="64", ny="64", ranks=str(ranks), production_rate=str(rate), cells_per_rank=str(64 * 64 / ranks))
        chosen.append(row)
    with open("chosen.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=header)
        writer.writeheader()
        writer.writerows(chosen)
    PS = module("plot_scaling")
    ranks, rates, got = PS.read("chosen.csv", "production_rate")
    assert ranks == [1, 2, 4] and rates == [100.0, 180.0, 300.0]
    for kind, speedup, efficiency in (("strong", [1, 1.8, 3.0], [1, 0.9, 0.75]), ("weak", [1, 1.8, 3.0], [1, 0.9, 0.75])):
        s, e = PS.scaling(kind, ranks, rates)
        assert np.allclose(s, speedup) and np.allclose(e, efficiency), (kind, s, e)
        fig = PS.draw(kind, "production", ranks, s, e, got)
        ax_s, ax_e = fig.axes
        same(line_with(ax_s, speedup).get_xdata(), ranks)
        line_with(ax_s, ranks)          # the ideal speed-up
        line_with(ax_e, efficiency)
        for ax in (ax_s, ax_e):
            labelled(ax)
        text = titles(fig)
        assert (f"gsinv {kind} scaling, " + ("grid 64x64" if kind == "strong" else "4096 cells per rank")) in text, text
        plt.close(fig)

    # closed facts of the models: no communication cost -> 100% everywhere; a cap below 3 states is refused
    proc = script("scaling_model.py one.csv --alpha 0 --beta 0 --ranks 100,1000")
    table = [line for line in proc.stdout.splitlines() if line.startswith(("strong", "weak"))]
    assert len(table) == 8 and all(line.endswith("100.0%") for line in table), table
    proc = script("gradient_memory_model.py one.csv --budget 0.01 --grids 64 --steps 100 --ranks 1")
    assert "| 64² | 100 | 1 | 0.0625 | refused (< 3 states) |" in proc.stdout, proc.stdout
    proc = script("gradient_memory_model.py one.csv --budget 64 --grids 64 --steps 100 --ranks 1,2")
    assert proc.stdout.count("(all kept)") == 2, proc.stdout
    print("scaling: gathered rows, speed-up and efficiency curves, and the models' closed cases as expected")


def case_bad_input():
    """Every script: a missing file, and a file without what it needs, give one error line naming it."""
    gsinv(["simulate"] + GRID + ["-gs_output", "sim.h5"])
    with h5py.File("empty.h5", "w") as f:
        f.attrs["subcommand"] = "simulate"
    with open("text.h5", "w") as f:
        f.write("not HDF5\n")
    with open("nocols.csv", "w") as f:
        f.write("a,b\n1,2\n")
    for name in SCRIPTS:
        args = {"plot_scaling.py": " --kind strong", "gather_scaling.py": " --kind strong -o out.csv"}.get(name, "")
        missing = "gone.csv" if name.endswith(("scaling.py", "model.py")) else "gone.h5"
        line = f"{name}{args} {missing}" if name == "gather_scaling.py" else f"{name} {missing}{args}"
        one_error(script(line, 1, program=True), name, missing, "no such file")
    one_error(script("plot_fields.py empty.h5", 1), "plot_fields.py", "empty.h5", "/state/u")
    one_error(script("plot_fields.py sim.h5 --snapshot 0", 1), "plot_fields.py", "sim.h5", "/snapshots/u")
    one_error(script("plot_landscape.py sim.h5", 1), "plot_landscape.py", "sim.h5", "/landscape", "'simulate'")
    one_error(script("plot_landscape.py text.h5", 1), "plot_landscape.py", "text.h5", "cannot open as HDF5")
    one_error(script("plot_inversion.py sim.h5", 1), "plot_inversion.py", "sim.h5", "/inversion or /basin")
    one_error(script("plot_residual.py sim.h5", 1), "plot_residual.py", "sim.h5", "/residual_landscape")
    one_error(script("plot_scaling.py nocols.csv --kind weak", 1), "plot_scaling.py", "nocols.csv", "ranks", "production_rate")
    one_error(script("gather_scaling.py --kind weak -o out.csv nocols.csv", 1), "gather_scaling.py", "nocols.csv", "nx")
    one_error(script("scaling_model.py nocols.csv", 1), "scaling_model.py", "nocols.csv", "production_rate")
    one_error(script("gradient_memory_model.py nocols.csv", 1), "gradient_memory_model.py", "nocols.csv", "production_rate")
    print("bad input: one error line naming the file and what it lacks, exit 1, for every script")


if __name__ == "__main__":
    name = "case_" + sys.argv[1]
    with tempfile.TemporaryDirectory() as work:
        os.chdir(work)
        globals()[name]()
    print(f"{sys.argv[1]}: passed")
