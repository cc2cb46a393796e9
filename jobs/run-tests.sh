#!/bin/bash
# Every test of gsinv in the release build (build/), then the memory-relevant ones again in an
# AddressSanitizer + UBSan build (build-asan/, leak check on); one summary line over both.
# GSINV_SANITIZE=0 skips the second.
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$top/jobs/setup.sh"
status=0
logs=("$top/build/meson-logs/testlog.json")
# the release run includes the real-SLURM test (about 5 minutes; GSINV_SLURM_TEST=0 skips it)
GSINV_SLURM_TEST=${GSINV_SLURM_TEST:-1} meson test -C "$top/build" --print-errorlogs --num-processes 2 "$@" || status=$?
if [ "${GSINV_SANITIZE:-1}" != 0 ]; then
  asan="$top/build-asan"
  [ -f "$asan/build.ninja" ] || meson setup "$asan" "$top" --buildtype=debugoptimized -Db_sanitize=address,undefined -Db_lundef=false
  ninja -C "$asan"
  # gsinv's memory under the sanitizers: the unit, MPI and lint tests and the regression cases of
  # suite 'sanitize' (tests/regression/meson.build); the SLURM, ParaView, README and plot tests
  # check the scripts around gsinv and run once, in the release build above
  meson test -C "$asan" --setup sanitize --print-errorlogs --num-processes 2 --suite unit --suite mpi --suite lint --suite sanitize "$@" || status=$?
  logs+=("$asan/meson-logs/testlog-sanitize.json")
fi
/usr/bin/python3 - "${logs[@]}" <<'PY'
import json, os, sys
total = [0, 0, 0]
for log in sys.argv[1:]:
    results = [json.loads(line)["result"] for line in open(log) if line.strip()]
    passed = sum(r in ("OK", "EXPECTEDFAIL") for r in results)
    skipped = sum(r == "SKIP" for r in results)
    counts = (passed, len(results) - passed - skipped, skipped)
    total = [t + c for t, c in zip(total, counts)]
    print(f"{os.path.basename(os.path.dirname(os.path.dirname(log)))}: {counts[0]} passed, {counts[1]} failed, {counts[2]} skipped")
print(f"{total[0]} passed, {total[1]} failed, {total[2]} skipped")
PY
exit $status
