#!/bin/bash
# The main job on its built-in default case, on this machine: set up, build, run a small (F, k)
# loss landscape in the paper's mode on 2 ranks (inputs/main-landscape.opts), draw the figures.
# Usage: bash jobs/run-main.sh [OUTPUT_DIR]   (default: results/)
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$top/jobs/setup.sh"
out=${1:-$top/results}
mkdir -p "$out"
ranks=${GSINV_RANKS:-2}
mpiexec -n "$ranks" "$GSINV" landscape -options_file "$top/inputs/main-landscape.opts" -gs_output "$out/landscape.h5" -gs_progress_every 0
/usr/bin/python3 "$top/postprocess/plot_landscape.py" "$out/landscape.h5" -o "$out/landscape"
echo "main job done: $out/landscape.h5, figures $out/landscape_*.png (the heat map with the bifurcation curves: $out/landscape_heat.png)"
