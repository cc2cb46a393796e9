#!/bin/bash
# Every test of gsinv: set up, build, run the CMocka, MPI and regression suites, summarise.
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$top/jobs/setup.sh"
status=0
meson test -C "$top/build" --print-errorlogs --num-processes 2 "$@" || status=$?
/usr/bin/python3 - "$top/build/meson-logs/testlog.json" <<'PY'
import json, sys
results = [json.loads(line)["result"] for line in open(sys.argv[1]) if line.strip()]
passed = sum(r in ("OK", "EXPECTEDFAIL") for r in results)
skipped = sum(r == "SKIP" for r in results)
print(f"{passed} passed, {len(results) - passed - skipped} failed, {skipped} skipped")
PY
exit $status
