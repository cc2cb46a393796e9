#!/bin/bash
# A one-node SLURM cluster in a temporary folder (sourced by run-slurm-test.sh): munged, slurmctld
# and slurmd with their configuration, state, spool, sockets and logs under $CLUSTER, own ports.

# Installs Debian's slurm-wlm and munge when missing.
cluster_install() {
  local missing=() p sudo=""
  for p in slurm-wlm munge; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  echo "cluster: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends "${missing[@]}"
}

# A TCP port nobody listens on, from base upwards.
cluster_free_port() {
  local port=$1
  while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
  echo "$port"
}

# Writes $CLUSTER/slurm.conf for this host with the machine's CPUs and exports SLURM_CONF.
cluster_configure() {
  local node cpus ctld_port slurmd_port
  node=$(hostname -s)
  cpus=$(nproc)
  ctld_port=$(cluster_free_port 16817)
  slurmd_port=$(cluster_free_port $((ctld_port + 1)))
  mkdir -p "$CLUSTER"/{state,spool,log,munge}
  cat > "$CLUSTER/slurm.conf" <<CONF
ClusterName=gsinvtest
SlurmctldHost=$node
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$CLUSTER/munge/munge.socket
StateSaveLocation=$CLUSTER/state
SlurmdSpoolDir=$CLUSTER/spool/%n
SlurmctldPidFile=$CLUSTER/slurmctld.pid
SlurmdPidFile=$CLUSTER/slurmd.pid
SlurmctldLogFile=$CLUSTER/log/slurmctld.log
SlurmdLogFile=$CLUSTER/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
SchedulerParameters=sched_interval=1,bf_interval=1,default_queue_depth=20
MpiDefault=none
ReturnToService=2
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/filetxt
JobCompLoc=$CLUSTER/log/jobcomp.txt
MinJobAge=600
OverTimeLimit=0
KillWait=10
MessageTimeout=5
InactiveLimit=0
Waittime=0
NodeName=$node CPUs=$cpus State=UNKNOWN
PartitionName=test Nodes=$node Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO
CONF
  export SLURM_CONF="$CLUSTER/slurm.conf"
}

# Starts munged, slurmctld and slurmd and waits until the node is idle.
cluster_start() {
  local i
  dd if=/dev/urandom of="$CLUSTER/munge/munge.key" bs=1024 count=1 status=none
  chmod 600 "$CLUSTER/munge/munge.key"
  chmod 700 "$CLUSTER/munge"
  munged --force --key-file="$CLUSTER/munge/munge.key" --socket="$CLUSTER/munge/munge.socket" \
    --pid-file="$CLUSTER/munge/munged.pid" --log-file="$CLUSTER/munge/munged.log" --seed-file="$CLUSTER/munge/munged.seed"
  slurmctld -i -f "$SLURM_CONF"
  slurmd -f "$SLURM_CONF"
  for ((i = 0; i < 60; i++)); do
    sinfo -h -o %t 2>/dev/null | grep -qx idle && return 0
    sleep 1
  done
  echo "cluster: the node did not become idle; logs:"
  tail -n 20 "$CLUSTER"/log/*.log "$CLUSTER"/munge/munged.log
  return 1
}

# Stops the daemons this cluster started (by their pid files) and removes $CLUSTER.
cluster_stop() {
  local f pid
  set +e # runs from an exit trap: every step must run whatever fails before it
  scancel --quiet --full --signal=KILL --user="$(id -un)" 2>/dev/null || true
  for f in "$CLUSTER/slurmd.pid" "$CLUSTER/slurmctld.pid" "$CLUSTER/munge/munged.pid"; do
    [ -f "$f" ] || continue
    pid=$(cat "$f")
    kill "$pid" 2>/dev/null || continue
    for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$pid" 2>/dev/null || true
  done
  rm -rf "$CLUSTER"
}
