#!/bin/bash
# Installs the Debian packages gsinv needs (only those missing) and builds it into build/.
# Sourced by the local runners; safe to run again.
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
packages=(petsc-dev libhdf5-openmpi-dev libopenmpi-dev openmpi-bin libcmocka-dev libfftw3-dev meson ninja-build
          pkg-config hdf5-tools git procps python3-h5py python3-matplotlib python3-numpy clang-format)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
# Open MPI refuses root without these; more ranks than cores needs oversubscription.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
[ -f "$top/build/build.ninja" ] || meson setup "$top/build" "$top" --buildtype=release
ninja -C "$top/build"
GSINV="$top/build/gsinv"
export GSINV
