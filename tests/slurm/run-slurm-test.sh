#!/bin/bash
# The SLURM jobs against a real one-node SLURM (Debian's slurm-wlm and munge, installed when
# missing): (a) a landscape chain needing several job lifetimes finishes through its own
# resubmissions, every job COMPLETED with the requested tasks, bit-identical to a run outside
# SLURM; (b) scancel of a running job leaves no successor; (c) two jobs submitted on one output
# do not both compute; (d) an SGD inversion chain gives the record of an uninterrupted run; (e) a
# simulation chain, continued from its interrupted state each time, finishes.
# Usage: tests/slurm/run-slurm-test.sh [--skip-unless-enabled] [BUILD_DIR]   (default build/; about
# 4-5 minutes). With --skip-unless-enabled (meson's 'slurm' suite) it exits 77 (skip) unless
# GSINV_SLURM_TEST=1.
# The daemons, their configuration and every file of the test live in a temporary folder that is
# removed at the end, whatever happens.
set -euo pipefail
if [ "${1:-}" = --skip-unless-enabled ]; then
  shift
  [ "${GSINV_SLURM_TEST:-0}" = 1 ] || { echo "skipped: set GSINV_SLURM_TEST=1 to run the SLURM test"; exit 77; }
fi
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
build=$(cd "${1:-$top/build}" && pwd)
source "$top/tests/slurm/cluster.sh"
export GSINV="$build/gsinv" PYTHON=${PYTHON:-/usr/bin/python3}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
unset OUTPUT INPUT EXTRA_OPTIONS RESUBMIT LEAD LAUNCHER TARGETS GROUP_SIZE
cluster_install
CLUSTER=$(mktemp -d /tmp/gsinv-slurm.XXXXXX)
trap cluster_stop EXIT
trap 'exit 1' INT TERM HUP
cluster_configure
cluster_start
work=$CLUSTER/work
mkdir -p "$work"
ln -s "$top/jobs" "$work/jobs"
cd "$work"
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

LANDSCAPE="-da_grid_x 64 -da_grid_y 64 -ts_max_steps 10000 -gs_targets 2 -gs_progress_every 0"
INVERT="-da_grid_x 32 -da_grid_y 32 -gs_init_block 8 -gs_steady_tol 0 -ts_max_steps 300 -gs_targets_file targets.h5 -gs_batch 4
-gs_deterministic -gs_loss pixel -gs_optimizer sgd -gs_lr 1e-4 -gs_weight_decay 5e-4 -gs_start 0.0353,0.0645,0.1615,0.0792"
# Options files: one option (and its value) per line.
options_file() { echo "$1" | tr '\n' ' ' | sed 's/ -/\n-/g' > "$2"; }
options_file "$LANDSCAPE -gs_n 4,4" small.opts
"$GSINV" targets -da_grid_x 32 -da_grid_y 32 -gs_init_block 8 -gs_steady_tol 0 -ts_max_steps 300 -gs_targets 4 -gs_output targets.h5 > targets.log

# The work of (a), (d) and (e) is sized from the speed of this machine now (shared machines vary
# by 5x): about 60 s (a, e) and 80 s (d: a load that falls after the calibration must not let one
# job finish it) of computing on the jobs' tasks, where one job computes about 25 s (the warning
# comes 20-40 s after the start of a one-minute job), so that a chain needs 2-4 jobs.
start=$(date +%s.%N)
mpiexec -n 2 "$GSINV" landscape -options_file small.opts -gs_output ref-small.h5 > ref-small.log
point=$(echo "$start $(date +%s.%N)" | awk '{ print ($2 - $1) / 16 }')
n=$(awk -v p="$point" 'BEGIN { n = int(sqrt(60 / p)); print (n < 8) ? 8 : (n > 24) ? 24 : n }')
start=$(date +%s.%N)
"$GSINV" invert $INVERT -gs_max_it 20 -gs_output calibrate.h5 > calibrate.log
iterations=$(echo "$start $(date +%s.%N)" | awk '{ n = int(80 * 20 / ($2 - $1)); print (n < 200) ? 200 : (n > 3000) ? 3000 : n }')
SIMULATE="-da_grid_x 128 -da_grid_y 128 -gs_steady_tol 0 -gs_progress_every 0"
start=$(date +%s.%N)
"$GSINV" simulate $SIMULATE -ts_max_steps 20000 -gs_output calibrate-sim.h5 > calibrate-sim.log
sim_steps=$(echo "$start $(date +%s.%N)" | awk '{ n = int(60 * 20000 / ($2 - $1)); print (n < 100000) ? 100000 : (n > 50000000) ? 50000000 : n }')
echo "calibration: $point s per landscape point on 2 ranks -> $n x $n points; $iterations SGD iterations; $sim_steps simulation steps"
options_file "$LANDSCAPE -gs_n $n,$n" big.opts
options_file "$INVERT -gs_max_it $iterations" invert.opts
options_file "$SIMULATE -ts_max_steps $sim_steps -gs_snapshot_every $((sim_steps / 8))" simulate.opts

# The uninterrupted runs, outside SLURM, at a lower priority than the jobs.
setsid bash -c "nice -n 19 mpiexec -n 2 $GSINV landscape -options_file big.opts -gs_output ref-big.h5 > ref-big.log 2>&1 &&
  nice -n 19 mpiexec -n 1 $GSINV invert -options_file invert.opts -gs_output ref-invert.h5 > ref-invert.log 2>&1" &
references=$!
trap 'kill -- -$references 2>/dev/null || true; cluster_stop' EXIT

# Waits for the uninterrupted runs.
wait_references() {
  [ -z "${references_done:-}" ] || return 0
  wait "$references" || fail "a reference run failed: $(tail -n 3 ref-*.log)"
  references_done=1
}
# The chain's job name (as jobs/chain-lib.sh derives it from the output).
chain_name() { echo "gsinv-$1-$(basename "$2")-$(realpath -m "$2" | cksum | cut -c1-6)"; }
# Job ids of every job of name $1 slurmctld still knows (MinJobAge keeps finished ones).
jobs_named() { scontrol -o show job 2>/dev/null | grep " JobName=$1 " | sed 's/^JobId=\([0-9]*\).*/\1/' | sort -n || true; }
# Waits until no job of name $1 nor any of the jobs $3... (named otherwise until they start) is
# pending or running, at most $2 seconds.
wait_chain() {
  local name=$1 limit=$2 t
  shift 2
  for ((t = 0; t < limit; t++)); do
    [ -z "$(squeue -h -n "$name" -o %i)" ] && [ -z "$(squeue -h -j "$(IFS=,; echo "$*")" -o %i 2>/dev/null)" ] && return 0
    sleep 1
  done
  return 1
}
# One field of a job.
job_field() { scontrol -o show job "$1" | tr ' ' '\n' | sed -n "s|^$2=||p" | head -1; }
# Prints a job table: id, state, exit code, tasks, run time, start, end.
report_jobs() {
  local j
  for j in "$@"; do
    printf '  job %-4s %-10s exit %-5s tasks %-2s run %s  %s .. %s\n' "$j" "$(job_field "$j" JobState)" "$(job_field "$j" ExitCode)" \
      "$(job_field "$j" NumTasks)" "$(job_field "$j" RunTime)" "$(job_field "$j" StartTime)" "$(job_field "$j" EndTime)"
  done
}
# The logs (%x-%j.out) of jobs $@, and their chain lines.
job_logs() { local j; for j in "$@"; do cat ./*-"$j".out 2>/dev/null; done; }
show_logs() { job_logs "$@" | grep "^chain:\|^interrupted" | sed 's/^/    /'; }
# Whether two HDF5 files hold the same datasets, bit for bit (but the inversion's wall times).
same_h5() {
  "$PYTHON" - "$1" "$2" <<'PY'
import sys, h5py
def datasets(path):
    out = {}
    keep = lambda name, obj: isinstance(obj, h5py.Dataset) and name != "inversion/wall_time"
    with h5py.File(path, "r") as f:
        f.visititems(lambda name, obj: out.__setitem__(name, obj[()].tobytes()) if keep(name, obj) else None)
        out["attr:finished"] = bytes(str(f["inversion"].attrs["finished"]), "ascii") if "inversion" in f else b""
    return out
a, b = datasets(sys.argv[1]), datasets(sys.argv[2])
diff = sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))
print(f"{sys.argv[1]} vs {sys.argv[2]}: {len(a)} datasets, {'identical' if not diff else 'different: ' + ', '.join(diff)}")
sys.exit(1 if diff else 0)
PY
}

echo "== (a) a landscape chain: $n x $n points, --time=1, LEAD=20, 2 tasks"
name=$(chain_name landscape big.h5)
first=$(INPUT=big.opts OUTPUT=big.h5 LEAD=20 sbatch --parsable --ntasks=2 --time=1 --signal=USR1@20 jobs/landscape.sbatch)
wait_chain "$name" 400 "$first" || fail "(a) the chain did not end within 400 s"
mapfile -t chain < <(jobs_named "$name")
report_jobs "${chain[@]}"
[ "${#chain[@]}" -ge 2 ] || fail "(a) one job finished the landscape: it does not test a chain (${#chain[@]} job)"
for j in "${chain[@]}"; do
  [ "$(job_field "$j" JobState)" = COMPLETED ] || fail "(a) job $j is $(job_field "$j" JobState)"
  [ "$(job_field "$j" NumTasks)" = 2 ] || fail "(a) job $j has $(job_field "$j" NumTasks) tasks"
  [ "$(job_field "$j" TimeLimit)" = 00:01:00 ] || fail "(a) job $j has the time limit $(job_field "$j" TimeLimit)"
done
show_logs "${chain[@]}"
wait_references
[ -f big.h5 ] && same_h5 big.h5 ref-big.h5 || fail "(a) big.h5 differs from the uninterrupted run"

echo "== (c) two jobs submitted on one output at once (1 task each)"
name=$(chain_name landscape small.h5)
first=$(INPUT=small.opts OUTPUT=small.h5 sbatch --parsable --ntasks=1 --time=2 jobs/landscape.sbatch)
second=$(INPUT=small.opts OUTPUT=small.h5 sbatch --parsable --ntasks=1 --time=2 jobs/landscape.sbatch)
wait_chain "$name" 200 "$first" "$second" || fail "(c) the jobs did not end within 200 s"
mapfile -t both < <(jobs_named "$name")
report_jobs "${both[@]}"
show_logs "${both[@]}"
computed=$(job_logs "${both[@]}" | grep -c "^chain: gsinv exited" || true)
deferred=$(job_logs "${both[@]}" | grep -c "another job is running on small.h5" || true)
echo "  jobs $first and $second: $computed computed, $deferred waited for the other"
[ "$computed" = 1 ] || fail "(c) $computed jobs computed small.h5"
[ -f small.h5 ] && same_h5 small.h5 ref-small.h5 || fail "(c) small.h5 differs from the uninterrupted run"

echo "== (b) scancel of a running job; (d) an SGD inversion chain and (e) a simulation chain, --time=1, LEAD=20, 1 task each"
cancel_name=$(chain_name landscape cancel.h5)
cancel=$(INPUT=big.opts OUTPUT=cancel.h5 sbatch --parsable --ntasks=1 --time=5 jobs/landscape.sbatch)
inv_name=$(chain_name invert inv.h5)
inv_first=$(INPUT=invert.opts OUTPUT=inv.h5 LEAD=20 sbatch --parsable --ntasks=1 --time=1 --signal=USR1@20 jobs/invert.sbatch)
sim_name=$(chain_name simulate sim.h5)
sim_first=$(INPUT=simulate.opts OUTPUT=sim.h5 LEAD=20 sbatch --parsable --ntasks=1 --time=1 --signal=USR1@20 jobs/simulate.sbatch)
for ((t = 0; t < 120; t++)); do
  [ "$(find cancel.h5.journal -type f ! -name signature -size +0 2>/dev/null | wc -l)" -gt 0 ] && break
  sleep 1
done
scancel "$cancel"
wait_chain "$cancel_name" 60 "$cancel" || fail "(b) job $cancel did not end"
sleep 3
mapfile -t cancelled < <(jobs_named "$cancel_name")
report_jobs "${cancelled[@]}"
[ "${#cancelled[@]}" = 1 ] || fail "(b) scancel left successors: ${cancelled[*]}"
[ "$(job_field "$cancel" JobState)" = CANCELLED ] || fail "(b) job $cancel is $(job_field "$cancel" JobState)"
show_logs "$cancel"
# Checks a chain of jobs ($1: the check's letter, $2: what it computes) that started with job $4
# under the name $3: it ends within 300 s, has at least two jobs, all COMPLETED; its output $5
# equals the uninterrupted run's $6 (if given).
check_chain() {
  local chain=()
  wait_chain "$3" 300 "$4" || fail "($1) the $2 chain did not end within 300 s"
  mapfile -t chain < <(jobs_named "$3")
  report_jobs "${chain[@]}"
  show_logs "${chain[@]}"
  [ "${#chain[@]}" -ge 2 ] || fail "($1) one job finished the $2: it does not test a chain"
  for j in "${chain[@]}"; do
    [ "$(job_field "$j" JobState)" = COMPLETED ] || fail "($1) job $j is $(job_field "$j" JobState)"
  done
  [ -z "${6:-}" ] && return 0
  wait_references
  [ -f "$5" ] && same_h5 "$5" "$6" || fail "($1) $5 differs from the uninterrupted run"
}
check_chain d inversion "$inv_name" "$inv_first" inv.h5 ref-invert.h5
# (the continued file equals an uninterrupted run's bit for bit: regression case simulate_continue)
check_chain e simulation "$sim_name" "$sim_first" sim.h5
"$PYTHON" - sim.h5 "$sim_steps" <<'PY' || fail "(e) sim.h5 is not the finished simulation"
import sys, h5py
with h5py.File(sys.argv[1], "r") as f:
    reason, steps, frames = f.attrs["reason"], int(f.attrs["steps"]), f["snapshots/step"].shape[0]
    reason = reason.decode() if isinstance(reason, bytes) else reason
print(f"sim.h5: {reason} after {steps} steps, {frames} snapshots")
sys.exit(0 if reason == "fixed_steps" and steps == int(sys.argv[2]) and frames == 9 else 1)
PY

echo "job completion log (jobcomp/filetxt):"
sed 's/^/  /' "$CLUSTER/log/jobcomp.txt" | cut -c1-200
if [ "$failures" -gt 0 ]; then
  echo "$failures check(s) failed; job logs:"
  tail -n 8 ./*.out ./*.err | head -n 300
  exit 1
fi
echo "all SLURM checks passed"
