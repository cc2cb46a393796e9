#!/bin/sh
# Build a PETSc release from a petsc/petsc source snapshot against Debian's MPI, HDF5, BLAS/LAPACK, FFTW.
#
# usage: jobs/build-petsc.sh SOURCE [TAG] [PREFIX]
#   SOURCE  a petsc/petsc git directory (bare or not) or an unpacked PETSc source tree
#   TAG     release tag to export from a git SOURCE (default v3.25.4, else the newest v3.2x.y present)
#   PREFIX  where the tree is unpacked and built (default ./petsc-TAG; keep it outside gsinv)
# Nothing is downloaded. Prints the PKG_CONFIG_PATH for `meson setup` at the end.
set -eu

src=${1:?usage: jobs/build-petsc.sh SOURCE [TAG] [PREFIX]}
tag=${2:-}
arch=arch-gsinv
jobs=${PETSC_MAKE_NP:-$(nproc)}

if git -C "$src" rev-parse --git-dir >/dev/null 2>&1; then
  if [ -z "$tag" ]; then
    if git -C "$src" rev-parse -q --verify v3.25.4 >/dev/null; then
      tag=v3.25.4
    else
      tag=$(git -C "$src" tag -l 'v3.2[0-9].[0-9]*' | grep -E '^v3\.2[0-9]\.[0-9]+$' | sort -V | tail -n 1)
    fi
  fi
  [ -n "$tag" ] || { echo "build-petsc: no v3.2x.y tag in $src" >&2; exit 1; }
  prefix=${3:-$PWD/petsc-$tag}
  if [ ! -f "$prefix/configure" ]; then
    mkdir -p "$prefix"
    git -C "$src" archive --format=tar "$tag" | tar -x -C "$prefix"
  fi
else
  [ -f "$src/configure" ] || { echo "build-petsc: $src is neither a git directory nor a PETSc tree" >&2; exit 1; }
  prefix=$(cd "$src" && pwd)
fi
prefix=$(cd "$prefix" && pwd)
echo "build-petsc: PETSc ${tag:-tree} in $prefix (PETSC_ARCH=$arch)"

cd "$prefix"
# Debian 12: Open MPI wrappers in /usr, HDF5's openmpi flavour, reference BLAS/LAPACK, FFTW; no Fortran.
./configure PETSC_ARCH="$arch" --with-mpi-dir=/usr \
  --with-hdf5-include=/usr/include/hdf5/openmpi \
  --with-hdf5-lib="-L/usr/lib/x86_64-linux-gnu/hdf5/openmpi -lhdf5" \
  --with-fftw-dir=/usr --with-blaslapack-lib="-llapack -lblas" \
  --with-debugging=0 --with-fortran-bindings=0 --with-fc=0
make PETSC_DIR="$prefix" PETSC_ARCH="$arch" MAKE_NP="$jobs" all

echo "build-petsc: done. Build gsinv against it with"
echo "  PKG_CONFIG_PATH=$prefix/$arch/lib/pkgconfig meson setup build-new"
echo "PKG_CONFIG_PATH=$prefix/$arch/lib/pkgconfig"
