#!/bin/bash
# Helpers of the scaling runners (sourced): the weak-scaling grid for P ranks, the bench options,
# one run on P ranks within the allocation. GSINV, LAUNCHER and PYTHON come from jobs/chain-lib.sh.
source "$(dirname "${BASH_SOURCE[0]}")/chain-lib.sh"

# Prints "NXxNY PX PY": P ranks as a PX x PY process grid as square as P allows (PX >= PY), each
# rank owning a LOCAL x LOCAL patch.
weak_grid() {
  local p=$1 local_size=$2 py=1 d
  for ((d = 1; d * d <= p; d++)); do
    if ((p % d == 0)); then py=$d; fi
  done
  echo "$((local_size * p / py))x$((local_size * py)) $((p / py)) $py"
}

# Options of every scaling run: forward paths and halo only (the gradient's memory grows with the
# checkpoints, and it is the forward speed that scales), timings long enough to average noise.
SCALING_BENCH_OPTIONS="-gs_bench_gradient 0 -gs_bench_seconds 0.5 -gs_bench_repeat 3"

# Runs COMMAND... on P ranks with the launcher, pinned to cores; a P above the job's tasks is
# skipped with a message, and a failed run does not stop the study (the others are still gathered).
scaling_launch() {
  local p=$1 allocated=${SLURM_NTASKS:-$(nproc)}
  shift
  if ((p > allocated)); then
    echo "scaling: skipping $p ranks: the allocation has $allocated tasks"
    return 0
  fi
  case "$LAUNCHER" in
  mpiexec* | mpirun*) $LAUNCHER -n "$p" --bind-to core "$@" ;;
  *) $LAUNCHER --ntasks="$p" --cpu-bind=cores "$@" ;;
  esac || echo "scaling: the run on $p ranks failed (status $?)"
}
