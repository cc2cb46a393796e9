#!/usr/bin/python3
"""Gather the gsinv bench CSV files of a scaling study into one CSV, one row per run, sorted by ranks.

Usage: gather_scaling.py --kind strong|weak -o scaling.csv bench-1.csv bench-2.csv ...

Every bench column is kept. Added: kind, cells_per_rank, and from the -log_view file next to each
CSV (log-P.txt for bench-P.csv, when present) the whole-run totals of the gsinv events, slowest
rank: log_gsrhs_seconds, log_gshalo_seconds (and their counts): the halo share of the stepping as
PETSc measured it over the whole bench run (calibration, production and TS paths)."""
import argparse
import csv
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gsinv_h5  # noqa: E402

EVENTS = {"GSRHS": "gsrhs", "GSHalo": "gshalo"}


def log_events(path):
    """Max time and count of the gsinv events in a -log_view file ({} when there is none)."""
    out = {}
    if not os.path.exists(path):
        return out
    with open(path) as f:
        for line in f:
            fields = line.split()
            if len(fields) > 4 and fields[0] in EVENTS:
                name = EVENTS[fields[0]]
                # -log_view rows: name, count max, count ratio, time max, time ratio, ...
                out[f"log_{name}_count"] = int(fields[1])
                out[f"log_{name}_seconds"] = float(fields[3])
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("csv", nargs="+", help="gsinv bench CSV files (one per rank count)")
    parser.add_argument("--kind", choices=("strong", "weak"), required=True)
    parser.add_argument("-o", "--output", required=True)
    args = parser.parse_args()
    rows, columns = [], None
    for path in args.csv:
        header, found = gsinv_h5.read_csv(path, ("nx", "ny", "ranks"))
        if columns is None:
            columns = header
        elif header != columns:
            gsinv_h5.fail(f"{path} has other columns than {args.csv[0]}")
        log = os.path.join(os.path.dirname(path), re.sub(r"^bench-(.*)\.csv$", r"log-\1.txt", os.path.basename(path)))
        for row in found:
            row["kind"] = args.kind
            row["cells_per_rank"] = int(row["nx"]) * int(row["ny"]) / int(row["ranks"])
            row.update(log_events(log))
            rows.append(row)
    if not rows:
        gsinv_h5.fail("no rows in the input files")
    rows.sort(key=lambda r: int(r["ranks"]))
    extra = ["kind", "cells_per_rank"] + sorted({k for r in rows for k in r if k.startswith("log_")})
    with open(args.output, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=columns + extra, restval="")
        writer.writeheader()
        writer.writerows(rows)
    print(f"gather_scaling.py: {len(rows)} runs -> {args.output}")


if __name__ == "__main__":
    main()
