#!/bin/bash
# Helpers of the scaling runners (sourced): the weak-scaling grid for P ranks and the bench command.

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
