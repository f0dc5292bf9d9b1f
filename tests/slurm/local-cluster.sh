#!/usr/bin/env bash
# A throwaway single-node Slurm cluster on 127.0.0.1, for testing
# scripts/slurm-sweep.sh against a real slurmctld and slurmd.
#
# Everything lives in one directory (config, keys, state, spool, logs); nothing
# under /etc is read or written and no system service is touched. munged,
# slurmctld and slurmd run in the foreground as children of this shell and are
# stopped by their process ids. Needs root (slurmd starts jobs as their user,
# munged must own its key) and Debian's packages:
#   apt-get install -y --no-install-recommends slurmctld slurmd slurm-client munge
# Written for Debian bookworm (Slurm 22.05, MUNGE 0.5.15); no cgroups, no
# accounting database (so no sacct: use squeue / scontrol show job).
#
# Two ways to use it:
#   source tests/slurm/local-cluster.sh; lc_start DIR; ...; lc_stop
#       (tests/slurm/run.sh does this; lc_stop is safe to call from a trap)
#   tests/slurm/local-cluster.sh [--keep] [DIR] -- COMMAND [ARGS...]
#       starts a cluster, runs COMMAND with SLURM_CONF set (so sbatch, squeue,
#       scontrol reach this cluster), stops the cluster, exits with COMMAND's
#       status. E.g. `tests/slurm/local-cluster.sh -- bash` for a shell.
#
# Settings that matter, and why (found on a 2-core container without systemd):
# - A private munge socket (AuthInfo=socket=...): the default /run/munge is
#   not ours. munged refuses a socket directory that is not o+x, or a key
#   readable by group/others, hence the chmods.
# - SlurmctldHost=localhost, NodeName=localhost NodeAddr=127.0.0.1, slurmd -N:
#   works whatever the machine's hostname is, even an unresolvable one.
# - The node line comes from `slurmd -C`: a node configured with more memory or
#   CPUs than slurmd detects goes to state INVAL.
# - proctrack/linuxproc, task/none: no cgroups (read-only in many containers).
# - batch_sched_delay=0: jobs start within a second instead of ~3 s.
# - Ports are picked free at start, so several clusters can run side by side.
# - Stopping slurmd does not stop running jobs (their slurmstepd is reparented
#   and ignores SIGTERM), so lc_stop cancels every job and waits for the queue
#   to drain before stopping the daemons.

# Directory of the running cluster, its daemons' pids (munged, slurmctld, slurmd).
LC_DIR=
LC_PIDS=()

lc_log() { printf '[local-cluster %s] %s\n' "$(date +%T)" "$*" >&2; }

# Why a cluster cannot start here, on stdout; empty if it can.
lc_missing() {
  if [ "$(id -u)" != 0 ]; then
    echo "not root (munged and slurmd must run as root)"
    return
  fi
  local b missing=()
  for b in munged munge unmunge mungekey slurmctld slurmd sbatch squeue sinfo scontrol scancel; do
    command -v "$b" >/dev/null 2>&1 || missing+=("$b")
  done
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "Slurm/MUNGE programs not installed: ${missing[*]}"
  fi
}

# Whether process $1 runs. `kill -0` also succeeds on a zombie, and a daemon
# that died stays a zombie until we wait for it, so read its state instead.
lc_alive() {
  local state
  state=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)
  [ -n "$state" ] && [ "$state" != Z ]
}

# lc_wait SECONDS WHAT COMMAND...: poll COMMAND until it succeeds; fail early
# if a daemon died meanwhile.
lc_wait() {
  local limit=$1 what=$2 pid deadline
  shift 2
  deadline=$(($(date +%s) + limit))
  until "$@" >/dev/null 2>&1; do
    for pid in "${LC_PIDS[@]}"; do
      lc_alive "$pid" || { lc_log "a daemon (pid $pid) exited while waiting for $what"; return 1; }
    done
    [ "$(date +%s)" -lt "$deadline" ] || { lc_log "no $what after ${limit} s"; return 1; }
    sleep 0.3
  done
}

lc_port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Two consecutive free ports, starting from a spot that depends on our pid so
# that parallel clusters rarely try the same ones.
lc_pick_ports() {
  local p _
  p=$((20000 + ($$ * 7) % 20000))
  for _ in $(seq 1 200); do
    if lc_port_free "$p" && lc_port_free "$((p + 1))"; then
      echo "$p $((p + 1))"
      return 0
    fi
    p=$((p + 2))
  done
  return 1
}

lc_munge_ok() { munge -n -S "$LC_DIR/munge/socket" | unmunge -S "$LC_DIR/munge/socket"; }
lc_ctld_up() { timeout 10 scontrol ping | grep -q 'is UP'; }
lc_node_idle() { [ "$(timeout 10 sinfo -h -n localhost -o %T)" = idle ]; }

# lc_start DIR: start the cluster in DIR (created if needed) and export
# SLURM_CONF. Returns non-zero (with the daemons' logs printed) on failure;
# call lc_stop in any case.
lc_start() {
  local why
  why=$(lc_missing)
  [ -z "$why" ] || { lc_log "cannot start: $why"; return 1; }
  mkdir -p "$1" || return 1
  LC_DIR=$(cd "$1" && pwd) || return 1
  # A job submitted from inside a Slurm allocation would inherit its SLURM_*
  # settings (partition, account, job id): drop them all.
  local v
  for v in $(compgen -e | grep '^SLURM_'); do unset "$v"; done
  mkdir -p "$LC_DIR"/{munge,state,spool,log} || return 1
  # munged checks every directory up to its socket: o+x, not o+w.
  chmod 755 "$LC_DIR" "$LC_DIR/munge" || return 1

  # 1. munged with its own key and socket.
  mungekey --create --force --keyfile="$LC_DIR/munge/key" || return 1
  chmod 600 "$LC_DIR/munge/key"
  munged --foreground --socket="$LC_DIR/munge/socket" --key-file="$LC_DIR/munge/key" \
    --pid-file="$LC_DIR/munge/pid" --seed-file="$LC_DIR/munge/seed" \
    --log-file="$LC_DIR/log/munged.log" >"$LC_DIR/log/munged.out" 2>&1 &
  LC_PIDS+=("$!")
  lc_wait 20 "munge credentials" lc_munge_ok || { lc_dump_logs; return 1; }

  # 2. slurm.conf.
  local ports node
  ports=$(lc_pick_ports) || { lc_log "no free ports"; return 1; }
  node=$(slurmd -C | sed -n 's/^NodeName=[^ ]*/NodeName=localhost/p')
  [ -n "$node" ] || { lc_log "slurmd -C printed no node line"; return 1; }
  export SLURM_CONF=$LC_DIR/slurm.conf
  cat >"$SLURM_CONF" <<EOF
# Written by tests/slurm/local-cluster.sh: a single-node cluster on 127.0.0.1.
ClusterName=eyrie-test
SlurmctldHost=localhost
SlurmctldPort=${ports% *}
SlurmdPort=${ports#* }
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$LC_DIR/munge/socket
StateSaveLocation=$LC_DIR/state
SlurmdSpoolDir=$LC_DIR/spool
SlurmctldPidFile=$LC_DIR/slurmctld.pid
SlurmdPidFile=$LC_DIR/slurmd.pid
SlurmctldLogFile=$LC_DIR/log/slurmctld.log
SlurmdLogFile=$LC_DIR/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
MpiDefault=none
SwitchType=switch/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
SchedulerParameters=batch_sched_delay=0
SlurmdParameters=config_overrides
PropagateResourceLimits=NONE
MailProg=/bin/true
ReturnToService=2
MinJobAge=600
KillWait=5
$node State=UNKNOWN NodeAddr=127.0.0.1
PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF

  # 3. the controller, then the node daemon.
  slurmctld -D -i -f "$SLURM_CONF" >"$LC_DIR/log/slurmctld.out" 2>&1 &
  LC_PIDS+=("$!")
  lc_wait 60 "answer from slurmctld" lc_ctld_up || { lc_dump_logs; return 1; }
  slurmd -D -N localhost -f "$SLURM_CONF" >"$LC_DIR/log/slurmd.out" 2>&1 &
  LC_PIDS+=("$!")
  lc_wait 60 "idle node" lc_node_idle || { lc_dump_logs; return 1; }
  lc_log "up in $LC_DIR (ports $ports, pids ${LC_PIDS[*]})"
}

# Cancel every job and wait until none is left; as a last resort kill the
# jobs' processes by the pids slurmd reports.
lc_cancel_jobs() {
  [ "${#LC_PIDS[@]}" = 3 ] && lc_alive "${LC_PIDS[1]}" && lc_alive "${LC_PIDS[2]}" || return 0
  local jobs i pids
  read -ra jobs <<<"$(timeout 10 squeue -h -o %A 2>/dev/null | sort -u | paste -sd' ' -)"
  [ "${#jobs[@]}" -gt 0 ] || return 0
  lc_log "cancelling jobs: ${jobs[*]}"
  timeout 10 scancel "${jobs[@]}" 2>/dev/null
  for i in $(seq 1 60); do
    [ -z "$(timeout 10 squeue -h -o %A 2>/dev/null)" ] && return 0
    sleep 0.5
  done
  read -ra pids <<<"$(timeout 10 scontrol listpids 2>/dev/null | awk 'NR > 1 && $1 ~ /^[0-9]+$/ { print $1 }' | paste -sd' ' -)"
  if [ "${#pids[@]}" -gt 0 ]; then
    lc_log "jobs still running; killing their processes: ${pids[*]}"
    kill -KILL "${pids[@]}" 2>/dev/null
    sleep 1
  fi
}

# Stop the cluster: jobs first, then the daemons in reverse order of start,
# each by pid (TERM, up to 15 s, then KILL), and reap them.
lc_stop() {
  local i pid
  lc_cancel_jobs
  for ((i = ${#LC_PIDS[@]} - 1; i >= 0; i--)); do
    pid=${LC_PIDS[i]}
    if lc_alive "$pid"; then
      kill -TERM "$pid" 2>/dev/null
      for _ in $(seq 1 75); do
        lc_alive "$pid" || break
        sleep 0.2
      done
      if lc_alive "$pid"; then
        lc_log "pid $pid ignored TERM; killing it"
        kill -KILL "$pid" 2>/dev/null
      fi
    fi
    wait "$pid" 2>/dev/null
  done
  LC_PIDS=()
  return 0
}

# The interesting end of each daemon log (without the noise of every fresh start).
lc_dump_logs() {
  local f
  [ -n "$LC_DIR" ] || return 0
  for f in "$LC_DIR"/log/*; do
    [ -s "$f" ] || continue
    echo "---- $f" >&2
    grep -vE 'pmix|Cannot create|state file|backup state|Unauthorized credential' "$f" | tail -n 20 >&2
  done
}

# Run as a command: start, run COMMAND, stop.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -u
  keep=0
  dir=
  while [ $# -gt 0 ] && [ "$1" != -- ]; do
    case $1 in
      --keep) keep=1 ;;
      -h | --help) sed -n '2,/^$/s/^# \{0,1\}//p' "$0"; exit 0 ;;
      *) dir=$1 ;;
    esac
    shift
  done
  [ "${1:-}" = -- ] && shift
  [ $# -gt 0 ] || { echo "usage: $0 [--keep] [DIR] -- COMMAND [ARGS...]" >&2; exit 2; }
  own_dir=0
  if [ -z "$dir" ]; then dir=$(mktemp -d /tmp/eyrie-slurm.XXXXXX) && own_dir=1 || exit 1; fi
  rc=1
  # The directory goes unless asked to keep it or something failed.
  trap 'lc_stop; if [ "$own_dir$keep$rc" = 100 ]; then rm -rf "$dir"; else lc_log "kept $dir"; fi' EXIT
  trap 'exit 130' INT TERM
  lc_start "$dir" || exit 1
  rc=0
  "$@" || rc=$?
  exit "$rc"
fi
