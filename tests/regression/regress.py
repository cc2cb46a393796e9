#!/usr/bin/python3
"""Regression cases that run the real gsinv executable: `regress.py CASE GSINV MPIEXEC`.

Each case asserts against closed facts or stored reference values with stated tolerances; the
cases live in cases_*.py by subcommand."""
import os
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cases_bad_input_matrix  # noqa: E402
import cases_bench  # noqa: E402
import cases_checkpoint  # noqa: E402
import cases_gradient  # noqa: E402
import cases_integrity  # noqa: E402
import cases_hdf5  # noqa: E402
import cases_inversion  # noqa: E402
import cases_landscape  # noqa: E402
import cases_residual  # noqa: E402
import cases_science  # noqa: E402
import cases_science2  # noqa: E402
import cases_runtime  # noqa: E402
import cases_simulate  # noqa: E402

if __name__ == "__main__":
    name = "case_" + sys.argv[1]
    module = next(m for m in (cases_bench, cases_simulate, cases_residual, cases_gradient, cases_landscape, cases_inversion, cases_science, cases_science2, cases_integrity, cases_checkpoint, cases_hdf5, cases_bad_input_matrix, cases_runtime) if hasattr(m, name))
    with tempfile.TemporaryDirectory() as work:
        os.chdir(work)
        getattr(module, name)()
    print(f"{sys.argv[1]}: passed")
