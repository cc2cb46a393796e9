#!/bin/bash
# The main job on its built-in default case, on this machine: set up, run, draw the figure.
# Usage: bash jobs/run-main.sh [OUTPUT_DIR]   (default: results/)
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$top/jobs/setup.sh"
out=${1:-$top/results}
mkdir -p "$out"
ranks=${GSINV_RANKS:-2}
mpiexec -n "$ranks" "$GSINV" simulate -gs_output "$out/simulate.h5"
/usr/bin/python3 "$top/postprocess/plot_fields.py" "$out/simulate.h5" -o "$out/simulate.png"
echo "main job done: $out/simulate.h5 (open $out/simulate.xmf in ParaView), figure $out/simulate.png"
