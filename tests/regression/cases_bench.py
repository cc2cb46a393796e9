"""Regression case of gsinv bench at the reduced CI size: the files carry every column, the production
path gives the TS path's result, bad sizes are refused. No timing is asserted: a timing is a
benchmark, never a test."""
import csv

import h5py
import numpy as np

from cases_runtime import sanitized
from gsinv_test import attr, run

# Columns every bench CSV row has, in the order written (the HDF5 file has /bench/<name> for each).
INT_COLUMNS = ["nx", "ny", "ranks", "steps", "gradient_steps", "flush_denormals"]
REAL_COLUMNS = ["bare_seconds", "bare_rate", "production_seconds", "production_rate", "production_vs_bare",
                "production_bytes_per_cell_step", "production_bandwidth_share", "bare_bytes_per_cell_step",
                "bare_bandwidth_share", "ts_seconds", "ts_rate", "ts_vs_bare", "halo_seconds_per_step",
                "forward_seconds", "gradient_seconds", "forward_step_seconds", "adjoint_step_seconds",
                "recompute_step_seconds", "gradient_added_step_seconds", "adjoint_vs_forward",
                "gradient_vs_forward", "adjoint_vs_ts_step", "diff_production_ts", "diff_production_bare",
                "bandwidth_copy_gbs", "bandwidth_triad_gbs", "peak_rss_mib", "state_mib", "forward_peak_rss_mib",
                "gradient_peak_rss_mib", "gradient_recomputed_per_step"]
SMALL = ["bench", "-gs_bench_steps", "40", "-gs_bench_repeat", "1", "-gs_bench_stream_mib", "8"]


def read_rows(path):
    with open(path, newline="") as f:
        reader = csv.DictReader(f)
        assert reader.fieldnames == INT_COLUMNS + REAL_COLUMNS, reader.fieldnames
        return list(reader)


def check_small(ranks):
    """One 64 x 64 size on `ranks` ranks: columns, shapes, agreement of the paths."""
    run(SMALL + ["-gs_bench_sizes", "64", "-gs_output", f"bench{ranks}.h5", "-gs_bench_csv", f"bench{ranks}.csv"], ranks)
    rows = read_rows(f"bench{ranks}.csv")
    assert len(rows) == 1
    row = rows[0]
    assert (int(row["nx"]), int(row["ny"]), int(row["ranks"]), int(row["steps"])) == (64, 64, ranks, 40), row
    assert int(row["gradient_steps"]) == 40
    diff = float(row["diff_production_ts"])
    print(f"{ranks} rank(s): max |x_production - x_TS| = {diff:.3e}")
    assert diff <= 1e-12, diff
    if ranks == 1:
        assert float(row["diff_production_bare"]) <= 1e-12, row["diff_production_bare"]
    else:
        assert row["diff_production_bare"] == "", "several ranks: the bare loop runs each patch alone, nothing to compare"
    for name in ("production_rate", "ts_rate", "bare_rate", "adjoint_step_seconds", "recompute_step_seconds",
                 "gradient_vs_forward", "bandwidth_copy_gbs", "peak_rss_mib"):
        assert float(row[name]) > 0, (name, row[name])
    with h5py.File(f"bench{ranks}.h5") as f:
        assert attr(f, "subcommand") == "bench" and "format_version" in f.attrs and "git_revision" in f.attrs
        assert list(f.attrs["grid"]) == [64, 64]
        for name in INT_COLUMNS[:2] + ["steps", "gradient_steps"] + REAL_COLUMNS:
            assert f["bench/" + name].shape == (1,), name
        assert "meaning" in f["bench/production_rate"].attrs
        assert np.isclose(f["bench/diff_production_ts"][0], diff, rtol=1e-6, atol=1e-300)
        assert f["bench"].attrs["ranks"] == ranks


def case_bench_budgets():
    """gsinv bench -gs_bench_budgets at 256^2 (1 MiB a state), 200 gradient steps: each cap's gradient
    has its own peak, which grows with the cap and by no more than it; the tightest cap recomputes most.
    A cap below 3 states neither stops bench nor goes unreported."""
    run(SMALL + ["-gs_bench_sizes", "256", "-gs_bench_gradient_steps", "200", "-gs_bench_ts", "0", "-gs_bench_bandwidth", "0",
                 "-gs_bench_budgets", "4,16,0", "-gs_output", "budgets.h5", "-gs_bench_csv", ""])
    with h5py.File("budgets.h5") as f:
        b = {name: f["bench/budgets/" + name][0] for name in f["bench/budgets"]}
        state = f["bench/state_mib"][0]
    print(b)
    assert state == 1.0
    assert list(b["budget_mib"]) == [4, 16, 0]
    peak, recomputed = b["peak_rss_mib"], b["recomputed_per_step"]
    if not sanitized():  # AddressSanitizer keeps freed blocks in quarantine: peaks then say little
        assert peak[0] < peak[1] < peak[2], peak
        assert peak[1] - peak[0] <= 12 + 2, peak
    assert recomputed[0] > recomputed[1] > recomputed[2], recomputed
    assert b["memory_slots"][0] == 2 and b["segment_length"][0] == 1
    # a cap below 3 states of the size: the timed gradient runs under 4 states and says so, the
    # budget that cannot hold 3 states is reported as refused (seconds -1), and bench succeeds
    proc = run(SMALL + ["-gs_bench_sizes", "256", "-gs_bench_gradient_steps", "20", "-gs_bench_ts", "0", "-gs_bench_bandwidth", "0",
                        "-gs_checkpoint_memory", "2", "-gs_bench_budgets", "2,0", "-gs_output", "small_cap.h5", "-gs_bench_csv", ""])
    assert "the timed gradient ran under -gs_checkpoint_memory 4" in proc.stdout, proc.stdout
    assert "gradient under -gs_checkpoint_memory 2 MiB: refused, fewer than 3 states" in proc.stdout, proc.stdout
    with h5py.File("small_cap.h5") as f:
        assert f["bench/budgets/seconds"][0][0] == -1 and f["bench/budgets/seconds"][0][1] > 0


def case_bench_small():
    """gsinv bench -gs_bench_sizes 64 on 1 and 2 ranks, two sizes in one run, the denormal switch, bad sizes."""
    for ranks in (1, 2):
        check_small(ranks)
    run(SMALL + ["-gs_bench_sizes", "48,40x24", "-gs_bench_gradient", "0", "-gs_bench_ts", "0",
                 "-gs_flush_denormals", "0", "-gs_output", "two.h5", "-gs_bench_csv", "two.csv"], 1)
    rows = read_rows("two.csv")
    assert [(int(r["nx"]), int(r["ny"])) for r in rows] == [(48, 48), (40, 24)]
    assert all(r["flush_denormals"] == "0" and r["ts_rate"] == "" and r["gradient_steps"] == "0" for r in rows)
    assert read_rows("bench1.csv")[0]["flush_denormals"] == "1", "FTZ/DAZ is on by default (x86)"
    for bad, words in ((["-gs_bench_sizes", "2"], "-gs_bench_sizes '2'"),
                       (["-gs_bench_sizes", "64", "-da_grid_x", "64"], "-gs_bench_sizes and -da_grid_x")):
        proc = run(SMALL + bad, 1, check=False)
        assert proc.returncode != 0 and words in proc.stderr, (bad, proc.stderr)
