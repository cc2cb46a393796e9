#!/bin/bash
# Job chains for the SLURM jobs (sourced): run one gsinv subcommand, and resubmit the same job
# with the same resources only when SLURM's time-limit warning stopped it and it made progress.
#
# Settings shared by every job (defaults in brackets):
#   GSINV [build/gsinv]   LAUNCHER ["srun --mpi=pmix"; "mpiexec" works too]
#   PYTHON [/usr/bin/python3]: the Python with h5py and numpy of every job
#   OUTPUT [the options file's -gs_output]: overrides -gs_output only when set
#   EXTRA_OPTIONS [none]: more gsinv options, after the options file
#   RESUBMIT [1]: 0 ends the chain after this job; so does a file OUTPUT.stop (touch it to stop a
#     chain whose next job is already queued: that job then does nothing)
#   LEAD [60]: seconds between the warning (SIGUSR1 to the tasks) and the time limit; the next job
#     gets --signal=USR1@LEAD, at most half the time limit. Give the first job the same:
#     LEAD=120 sbatch --signal=USR1@120 ...  (the #SBATCH line says 60)
GSINV=${GSINV:-build/gsinv}
LAUNCHER=${LAUNCHER:-srun --mpi=pmix}
PYTHON=${PYTHON:-/usr/bin/python3}
RESUBMIT=${RESUBMIT:-1}
LEAD=${LEAD:-60}
export GSINV LAUNCHER PYTHON LEAD

# One field (Name=value) of `scontrol show job` for this job.
chain_job_field() {
  scontrol show job "$SLURM_JOB_ID" 2>/dev/null | tr ' ' '\n' | sed -n "s|^$1=||p" | head -1
}

# The output file: OUTPUT, else the last -gs_output of EXTRA_OPTIONS or INPUT, else default $1.
chain_output() {
  local found
  if [ -n "${OUTPUT:-}" ]; then echo "$OUTPUT"; return; fi
  found=$(sed -n 's/^[[:space:]]*-gs_output[[:space:]]\{1,\}\([^[:space:]#]*\).*/\1/p' "$INPUT" 2>/dev/null | tail -1)
  [[ "${EXTRA_OPTIONS:-}" =~ -gs_output[[:space:]]+([^[:space:]]+) ]] && found=${BASH_REMATCH[1]}
  echo "${found:-$1}"
}

# Bytes of finished records in FILE.journal (0 without one).
chain_journal_bytes() {
  [ -d "$1.journal" ] || { echo 0; return; }
  find "$1.journal" -type f ! -name signature ! -name '*lock*' -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }'
}

# Iterations recorded in an inversion's FILE and whether it is finished: "ITERATIONS FINISHED".
chain_inversion_state() {
  [ -f "$1" ] || { echo "0 0"; return; }
  "$PYTHON" - "$1" 2>/dev/null <<'PY' || echo "0 0"
import sys, h5py
with h5py.File(sys.argv[1], "r") as f:
    g = f.get("inversion")
    print("0 0" if g is None else f"{g['step'].shape[0]} {int(g.attrs.get('finished', 0))}")
PY
}

# Steps taken by a simulation in FILE and whether it is finished: "STEPS FINISHED" (an interrupted
# run is not finished; the same command continues it).
chain_simulation_state() {
  [ -f "$1" ] || { echo "0 0"; return; }
  "$PYTHON" - "$1" 2>/dev/null <<'PY' || echo "0 0"
import sys, h5py
with h5py.File(sys.argv[1], "r") as f:
    reason = f.attrs.get("reason", b"")
    reason = reason.decode() if isinstance(reason, bytes) else str(reason)
    print(f"{int(f.attrs.get('steps', 0))} {int(reason != 'interrupted')}")
PY
}

# Progress so far (a number that grows with the work) and whether the work is done.
chain_progress() {
  local its fin
  if [ "$CHAIN_KIND" = simulate ]; then
    read -r its fin <<< "$(chain_simulation_state "$CHAIN_OUTPUT")"
    CHAIN_DONE=$fin
    CHAIN_PROGRESS=$its
  elif [ "$CHAIN_KIND" = invert ] && [[ " ${EXTRA_OPTIONS:-} $(cat "$INPUT" 2>/dev/null) " != *" -gs_basin "* ]]; then
    read -r its fin <<< "$(chain_inversion_state "$CHAIN_OUTPUT")"
    CHAIN_DONE=0
    [ "$fin" != 0 ] && CHAIN_DONE=1
    CHAIN_PROGRESS=$its
  else
    CHAIN_DONE=0
    [ -f "$CHAIN_OUTPUT" ] && [ ! -d "$CHAIN_OUTPUT.journal" ] && CHAIN_DONE=1
    CHAIN_PROGRESS=$(chain_journal_bytes "$CHAIN_OUTPUT")
  fi
}

# sbatch of this job script again, with this job's resources and the chain's name, after any job
# of that name (singleton: one job at a time per output); inherited SLURM_* variables are cleared
# (srun of the new job would take them for its own). Prints the new job id.
chain_submit() {
  local limit lead script vars
  limit=$(chain_job_field TimeLimit)
  lead=$LEAD
  if [[ "$limit" =~ ^(([0-9]+)-)?([0-9]+):([0-9]+):([0-9]+)$ ]]; then
    local seconds=$(((10#${BASH_REMATCH[2]:-0} * 24 + 10#${BASH_REMATCH[3]}) * 3600 + 10#${BASH_REMATCH[4]} * 60 + 10#${BASH_REMATCH[5]}))
    ((lead > seconds / 2)) && lead=$((seconds / 2))
  fi
  script=$(chain_job_field Command)
  [ -r "$script" ] || script=$0
  vars=$(compgen -e | grep '^SLURM_' | grep -v '^SLURM_CONF$' | sed 's/^/-u /' | tr '\n' ' ')
  # shellcheck disable=SC2086
  env $vars sbatch --parsable --job-name="$CHAIN_NAME" --dependency=singleton --chdir="$(chain_job_field WorkDir)" \
    --partition="$(chain_job_field Partition)" --nodes="$(chain_job_field NumNodes | cut -d- -f1)" \
    --ntasks="$(chain_job_field NumTasks)" --cpus-per-task="$(chain_job_field CPUs/Task)" \
    ${limit:+$([ "$limit" != UNLIMITED ] && echo "--time=$limit")} --signal="USR1@$lead" "$script"
}

# Runs `gsinv KIND -options_file INPUT [-gs_output OUTPUT] ARGS... EXTRA_OPTIONS` with the launcher,
# then decides about the next job. KIND's default output name is DEFAULT.
# Usage: chain_run KIND DEFAULT [gsinv options...]
chain_run() {
  CHAIN_KIND=$1
  CHAIN_OUTPUT=$(chain_output "$2")
  shift 2
  local sum status=0 cancelled=0 before child signal="" next
  sum=$(realpath -m "$CHAIN_OUTPUT" | cksum | cut -c1-6)
  CHAIN_NAME="gsinv-$CHAIN_KIND-$(basename "$CHAIN_OUTPUT")-$sum"
  if [ -f "$CHAIN_OUTPUT.stop" ]; then
    echo "chain: $CHAIN_OUTPUT.stop exists: not running (remove it to continue)"
    return 0
  fi
  # One job at a time per output: a job submitted by hand is renamed, and waits if another runs.
  scontrol update JobId="$SLURM_JOB_ID" JobName="$CHAIN_NAME" 2>/dev/null
  if squeue -h -t RUNNING -n "$CHAIN_NAME" -o %i | grep -vqx "$SLURM_JOB_ID"; then
    next=$(chain_submit)
    echo "chain: another job is running on $CHAIN_OUTPUT; this job computes nothing and job $next follows it"
    return 0
  fi
  chain_progress
  before=$CHAIN_PROGRESS
  if [ "$CHAIN_DONE" = 1 ]; then
    echo "chain: $CHAIN_OUTPUT is already finished: nothing to do"
    return 0
  fi
  echo "chain: job $SLURM_JOB_ID ($CHAIN_NAME), ${SLURM_NTASKS:-?} tasks on ${SLURM_JOB_NUM_NODES:-?} node(s), limit $(chain_job_field TimeLimit): gsinv $CHAIN_KIND -> $CHAIN_OUTPUT; progress before: $before"
  rm -f "$CHAIN_OUTPUT.interrupted"
  trap 'cancelled=1' TERM
  # shellcheck disable=SC2086
  $LAUNCHER "$GSINV" "$CHAIN_KIND" -options_file "$INPUT" ${OUTPUT:+-gs_output "$OUTPUT"} "$@" ${EXTRA_OPTIONS:-} &
  child=$!
  while :; do
    wait "$child" && status=0 || status=$?
    kill -0 "$child" 2>/dev/null || break
  done
  trap - TERM
  [ -f "$CHAIN_OUTPUT.interrupted" ] && signal=$(cat "$CHAIN_OUTPUT.interrupted")
  chain_progress
  echo "chain: gsinv exited with status $status${signal:+ after $signal}; progress after: $CHAIN_PROGRESS"
  if [ "$cancelled" = 1 ] || [ "$signal" = SIGTERM ] || [ "$signal" = SIGINT ]; then
    echo "chain: cancelled: no next job"
  elif [ "$CHAIN_DONE" = 1 ]; then
    echo "chain: $CHAIN_OUTPUT is finished"
  elif [ "$status" != 0 ] || [ "$signal" != SIGUSR1 ]; then
    echo "chain: gsinv did not stop on the time-limit warning: no next job"
  elif [ "$CHAIN_PROGRESS" = "$before" ]; then
    echo "chain: this job made no progress (raise --time or lower LEAD): no next job"
  elif [ "$RESUBMIT" != 1 ] || [ -f "$CHAIN_OUTPUT.stop" ]; then
    echo "chain: stopped by RESUBMIT=$RESUBMIT or $CHAIN_OUTPUT.stop; the same command continues"
  else
    next=$(chain_submit) && echo "chain: unfinished: next job $next" || echo "chain: sbatch failed: no next job"
  fi
  return "$status"
}
