#!/bin/bash
# Writes every kind of gsinv output that has fields at a tiny size and opens each .xmf sidecar
# with ParaView's own XDMF readers (check_sidecars.py under pvbatch). Installs ParaView if missing.
# Usage: run.sh GSINV MPIEXEC
set -euo pipefail
gsinv=$(realpath "$1") mpiexec=$2
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
missing=()
for p in paraview python3-paraview xvfb xauth; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]}"
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends "${missing[@]}"
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
small=(-da_grid_x 12 -da_grid_y 8 -gs_steady_tol 0 -gs_progress_every 0)
run() { "$mpiexec" -n 2 "$gsinv" "$@" > "$work/log" || { cat "$work/log"; exit 1; }; }
# snapshots every 2 steps of 7 (the final state ends the series), dt 0.5, h 0.5
run simulate "${small[@]}" -ts_max_steps 7 -ts_dt 0.5 -gs_h 0.5 -gs_snapshot_every 2 -gs_output snapshots.h5
run simulate "${small[@]}" -ts_max_steps 3 -gs_output state.h5
run targets "${small[@]}" -ts_max_steps 5 -gs_targets 3 -gs_output targets.h5
run landscape "${small[@]}" -ts_max_steps 5 -gs_targets 1 -gs_n 3,2 -gs_gallery_size 4 -gs_output gallery2d.h5
run landscape "${small[@]}" -ts_max_steps 5 -gs_targets 1 -gs_axes F -gs_lo 0.03 -gs_hi 0.04 -gs_n 3 -gs_gallery_size 4 -gs_output gallery1d.h5
xvfb-run -a pvbatch "$here/check_sidecars.py" "$work" snapshots.xmf state.xmf targets.xmf gallery2d.xmf gallery1d.xmf
