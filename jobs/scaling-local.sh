#!/bin/bash
# Strong and weak scaling at 1 and 2 ranks on this machine: the same runs and files as the SLURM
# jobs (jobs/scaling-*.sbatch), with mpiexec. Settings: GRID [1024] (strong), LOCAL [512] (weak),
# RANKS ["1 2"], OUT [results/scaling-local]. Writes OUT/{strong,weak}/scaling.csv and
# OUT/{strong,weak}.png. About a minute on 2 cores.
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$top/jobs/setup.sh"
source "$top/jobs/scaling-lib.sh"
GRID=${GRID:-1024}
LOCAL=${LOCAL:-512}
RANKS=${RANKS:-1 2}
OUT=${OUT:-$top/results/scaling-local}
mkdir -p "$OUT/strong" "$OUT/weak"
for p in $RANKS; do
  mpiexec -n "$p" "$GSINV" bench -gs_bench_sizes "$GRID" $SCALING_BENCH_OPTIONS \
    -gs_output "$OUT/strong/bench-$p.h5" -gs_bench_csv "$OUT/strong/bench-$p.csv" -log_view ":$OUT/strong/log-$p.txt"
  read -r grid px py <<< "$(weak_grid "$p" "$LOCAL")"
  mpiexec -n "$p" "$GSINV" bench -gs_bench_sizes "$grid" -da_processors_x "$px" -da_processors_y "$py" $SCALING_BENCH_OPTIONS \
    -gs_output "$OUT/weak/bench-$p.h5" -gs_bench_csv "$OUT/weak/bench-$p.csv" -log_view ":$OUT/weak/log-$p.txt"
done
for kind in strong weak; do
  "$PYTHON" "$top/postprocess/gather_scaling.py" --kind "$kind" -o "$OUT/$kind/scaling.csv" "$OUT/$kind"/bench-*.csv
  "$PYTHON" "$top/postprocess/plot_scaling.py" "$OUT/$kind/scaling.csv" --kind "$kind" -o "$OUT/$kind"
done
