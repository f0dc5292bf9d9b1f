#!/usr/bin/env bash
# slurm-sweep.sh: run an eyrie sweep on a Slurm cluster, one shard per array task.
#
# Usage: scripts/slurm-sweep.sh SWEEP.toml --shards N --out DIR [options]
#
# Submits two jobs:
#   1. an array job of N tasks; task i runs
#        eyrie sweep SWEEP.toml --shard i/N -j C --out DIR/shard-i --resume
#      and writes its log to DIR/logs/shard-i.log;
#   2. a merge job, held until every task has succeeded
#      (--dependency=afterok:<array>, --kill-on-invalid-dep=yes: if a task
#      fails, Slurm cancels the merge instead of leaving it pending forever), running
#        eyrie merge DIR/shard-1 ... DIR/shard-N --out DIR
#      so the results end up in DIR/points.csv and DIR/layers.csv, as if
#      `eyrie sweep --out DIR` had run on one machine. Its log: DIR/logs/merge.log.
# It prints both job ids (also kept in DIR/slurm/jobs). Running the same command
# again after a failure resumes: every shard continues from the points it
# already has in DIR/shard-i (--resume), so finished points are not redone.
#
# Options:
#   --shards N        number of shards = array tasks (required; at most the
#                     cluster's MaxArraySize, often 1000)
#   --out DIR         output directory on a file system the compute nodes share (required)
#   --cpus C          CPUs per shard: sbatch --cpus-per-task=C and eyrie -j C (default 1)
#   --time T          time limit of each shard, sbatch --time (e.g. 30, 2:00:00, 1-0)
#   --merge-time T    time limit of the merge job (default: --time)
#   --partition P     sbatch --partition
#   --mem M           memory per job, sbatch --mem (e.g. 4G)
#   --account A       sbatch --account
#   --max-running K   at most K shards at once (sbatch --array=1-N%K)
#   --sbatch-arg ARG  any other sbatch option, for both jobs; repeatable
#                     (e.g. --sbatch-arg=--qos=short --sbatch-arg=--constraint=avx2)
#   --eyrie PATH      the eyrie binary, reachable from the compute nodes
#                     (default: $EYRIE, else `eyrie` on PATH, else target/release/eyrie
#                     of this checkout)
#   --wait            wait for both jobs; exit 0 once merged, else 1 naming each
#                     failed shard and its log
#   --poll S          with --wait: seconds between queue checks (default 10)
#   --dry-run         print what would be submitted; submit nothing, write nothing
#   -h, --help        this text
# sbatch also reads SBATCH_* environment variables (SBATCH_ACCOUNT, SBATCH_QOS, ...).
#
# Exit status: 0 submitted (with --wait: merged); 1 with --wait: a shard or the
# merge failed; 2 bad arguments, an invalid sweep file, or a failed submission.
#
# Each task records its exit status in DIR/status/ (the --wait report reads
# it; no Slurm accounting database is needed). A shard whose sweep finished
# with some failed points (eyrie exit 1, the failures recorded in points.csv)
# counts as done: rerunning it would give the same rows.
set -euo pipefail

prog=slurm-sweep
say() { printf '%s: %s\n' "$prog" "$*"; }
die() { printf '%s: error: %s\n' "$prog" "$*" >&2; exit 2; }
usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; }

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# --- arguments ---------------------------------------------------------------
sweep='' shards='' out='' cpus=1 time_limit='' merge_time='' partition='' mem='' account='' max_running=''
eyrie=${EYRIE:-} wait=0 poll_s=10 dry_run=0
extra=()
need_value() { [ $# -ge 2 ] || die "$1 needs a value"; }
while [ $# -gt 0 ]; do
  arg=$1
  # --opt=value is the same as --opt value
  if [[ $arg == --*=* ]]; then set -- "${arg%%=*}" "${arg#*=}" "${@:2}"; arg=$1; fi
  case $arg in
    --shards) need_value "$@"; shards=$2; shift ;;
    --out) need_value "$@"; out=$2; shift ;;
    --cpus) need_value "$@"; cpus=$2; shift ;;
    --time) need_value "$@"; time_limit=$2; shift ;;
    --merge-time) need_value "$@"; merge_time=$2; shift ;;
    --partition) need_value "$@"; partition=$2; shift ;;
    --mem) need_value "$@"; mem=$2; shift ;;
    --account) need_value "$@"; account=$2; shift ;;
    --max-running) need_value "$@"; max_running=$2; shift ;;
    --sbatch-arg) need_value "$@"; extra+=("$2"); shift ;;
    --eyrie) need_value "$@"; eyrie=$2; shift ;;
    --wait) wait=1 ;;
    --poll) need_value "$@"; poll_s=$2; shift ;;
    --dry-run) dry_run=1 ;;
    -h | --help) usage; exit 0 ;;
    -*) die "unknown option $arg (see --help)" ;;
    *) [ -z "$sweep" ] || die "one sweep file only (got $sweep and $arg)"; sweep=$arg ;;
  esac
  shift
done

[ -n "$sweep" ] || die "no sweep file given (usage: $prog SWEEP.toml --shards N --out DIR; see --help)"
[ -f "$sweep" ] || die "sweep file $sweep not found"
[ -n "$shards" ] || die "--shards N is required"
[ -n "$out" ] || die "--out DIR is required"
is_count() { [[ $1 =~ ^[1-9][0-9]*$ ]]; }
is_count "$shards" || die "--shards must be a whole number ≥ 1, not '$shards'"
is_count "$cpus" || die "--cpus must be a whole number ≥ 1, not '$cpus'"
[ -z "$max_running" ] || is_count "$max_running" || die "--max-running must be a whole number ≥ 1, not '$max_running'"
[[ $poll_s =~ ^[0-9]+([.][0-9]+)?$ ]] || die "--poll must be a number of seconds, not '$poll_s'"

# Absolute, without resolving symlinks (a login node and the compute nodes often
# share a path like /home/x only through the same symlink).
abspath() { realpath -ms -- "$1"; }
sweep=$(abspath "$sweep")

# The binary: the compute nodes run it by this absolute path.
if [ -z "$eyrie" ]; then
  if command -v eyrie >/dev/null 2>&1; then
    eyrie=$(command -v eyrie)
  elif [ -x "${CARGO_TARGET_DIR:-$here/../target}/release/eyrie" ]; then
    eyrie=${CARGO_TARGET_DIR:-$here/../target}/release/eyrie
  else
    die "no eyrie binary: pass --eyrie PATH or set EYRIE (build one with cargo build --release)"
  fi
fi
if ! [ -f "$eyrie" ] || ! [ -x "$eyrie" ]; then die "--eyrie $eyrie is not an executable file"; fi
eyrie=$(abspath "$eyrie")

# Check the sweep file here, before queueing N jobs that would all fail on it.
if ! plan=$("$eyrie" sweep "$sweep" --dry-run --quiet 2>&1); then
  printf '%s\n' "$plan" >&2
  die "$(basename "$eyrie") sweep --dry-run failed on $sweep (message above); nothing submitted"
fi
# Its first line reads "sweep NAME: N points ...".
points=$(printf '%s\n' "$plan" | sed -n '1s/^sweep .*: \([0-9][0-9]*\) points.*/\1/p')
name=$(printf '%s\n' "$plan" | sed -n '1s/^sweep \(.*\): [0-9][0-9]* points.*/\1/p' | tr -c 'A-Za-z0-9_.\n-' _)
name=${name:-$(basename "$sweep" .toml)}
if [ -n "$points" ] && [ "$points" -lt "$shards" ]; then
  say "note: $points points over $shards shards; shards $((points + 1))-$shards get none"
fi

if [ "$dry_run" = 0 ]; then mkdir -p "$out" || die "cannot create $out"; fi
out=$(abspath "$out")
jobs_file=$out/slurm/jobs

# --- the job scripts -----------------------------------------------------------
q() { printf '%q' "$1"; }
shard_script() {
  cat <<EOF
#!/usr/bin/env bash
# Written by scripts/slurm-sweep.sh: shard \$SLURM_ARRAY_TASK_ID of $shards of $(q "$sweep").
# To rerun, run slurm-sweep.sh again rather than submitting this file by hand.
eyrie=$(q "$eyrie")
sweep=$(q "$sweep")
out=$(q "$out")
i=\${SLURM_ARRAY_TASK_ID:?not a Slurm array task}
job=\${SLURM_ARRAY_JOB_ID:?not a Slurm array task}
echo "== shard \$i/$shards: job \${job}_\$i on \$(hostname) at \$(date '+%F %T')"
"\$eyrie" sweep "\$sweep" --shard "\$i/$shards" -j $cpus --out "\$out/shard-\$i" --resume --quiet
rc=\$?
status=\$rc
# Exit 1: the shard ran to the end but some points failed; their rows say why,
# and a rerun would give the same rows, so the shard is done.
if [ \$rc = 1 ] && grep -Eq '"complete": *true' "\$out/shard-\$i/sweep.json" 2>/dev/null; then
  status=0
fi
printf '%s %s\n' "\$status" "\$rc" >"\$out/status/.shard-\$i.\$job.tmp" &&
  mv "\$out/status/.shard-\$i.\$job.tmp" "\$out/status/shard-\$i.\$job"
echo "== shard \$i/$shards: eyrie exit \$rc, shard \$([ \$status = 0 ] && echo done || echo FAILED) at \$(date '+%F %T')"
exit \$status
EOF
}
merge_script() {
  cat <<EOF
#!/usr/bin/env bash
# Written by scripts/slurm-sweep.sh: merges the $shards shards of $(q "$sweep").
eyrie=$(q "$eyrie")
out=$(q "$out")
job=\${SLURM_JOB_ID:?not a Slurm job}
echo "== merge: job \$job on \$(hostname) at \$(date '+%F %T')"
dirs=()
for ((i = 1; i <= $shards; i++)); do dirs+=("\$out/shard-\$i"); done
"\$eyrie" merge "\${dirs[@]}" --out "\$out"
rc=\$?
printf '%s %s\n' "\$rc" "\$rc" >"\$out/status/.merge.\$job.tmp" && mv "\$out/status/.merge.\$job.tmp" "\$out/status/merge.\$job"
echo "== merge: eyrie exit \$rc at \$(date '+%F %T')"
exit \$rc
EOF
}

common=(--chdir="$out" --open-mode=append)
[ -z "$partition" ] || common+=(--partition="$partition")
[ -z "$mem" ] || common+=(--mem="$mem")
[ -z "$account" ] || common+=(--account="$account")
common+=("${extra[@]}")
array=1-$shards${max_running:+%$max_running}
shard_args=(--parsable --job-name="eyrie-$name" --array="$array" --cpus-per-task="$cpus"
  --output="$out/logs/shard-%a.log" ${time_limit:+--time="$time_limit"} "${common[@]}")
merge_time=${merge_time:-$time_limit}
merge_args=(--parsable --job-name="eyrie-$name-merge" --cpus-per-task=1
  --output="$out/logs/merge.log" ${merge_time:+--time="$merge_time"} "${common[@]}")

if [ "$dry_run" = 1 ]; then
  say "would write $out/slurm/shard.sh:"
  shard_script | sed 's/^/    /'
  say "would write $out/slurm/merge.sh:"
  merge_script | sed 's/^/    /'
  say "would run: sbatch$(printf ' %q' "${shard_args[@]}" "$out/slurm/shard.sh")"
  say "would run: sbatch$(printf ' %q' "${merge_args[@]}" --dependency=afterok:ARRAY_JOB --kill-on-invalid-dep=yes "$out/slurm/merge.sh")"
  exit 0
fi

for b in sbatch squeue scontrol scancel; do
  command -v "$b" >/dev/null 2>&1 || die "$b not found: run this on a machine that can submit Slurm jobs"
done

# An earlier submission into the same DIR must be over: two shards writing the
# same directory would mix their rows.
if [ -f "$jobs_file" ]; then
  old=$(sed -n 's/^\(ARRAY\|MERGE\)_JOB=\([0-9][0-9]*\)$/\2/p' "$jobs_file" | paste -sd, -)
  if [ -n "$old" ] && live=$(squeue -h -r -j "$old" -o %i 2>/dev/null) && [ -n "$live" ]; then
    die "jobs of an earlier submission into $out are still queued or running ($(paste -sd' ' - <<<"$live")); wait for them, or: scancel ${old//,/ }"
  fi
fi

mkdir -p "$out/logs" "$out/status" "$out/slurm" || die "cannot create directories in $out"
if ! shard_script >"$out/slurm/shard.sh" || ! merge_script >"$out/slurm/merge.sh"; then
  die "cannot write the job scripts into $out/slurm"
fi
chmod +x "$out/slurm/shard.sh" "$out/slurm/merge.sh"

# --- submit --------------------------------------------------------------------
if ! arr=$(sbatch "${shard_args[@]}" "$out/slurm/shard.sh" 2>&1); then
  die "sbatch refused the array job: $arr"
fi
arr=${arr%%;*} # --parsable prints JOBID or JOBID;CLUSTER
[[ $arr =~ ^[0-9]+$ ]] || die "unexpected answer from sbatch: $arr"
if ! merge=$(sbatch "${merge_args[@]}" --dependency="afterok:$arr" --kill-on-invalid-dep=yes "$out/slurm/merge.sh" 2>&1) ||
  ! [[ ${merge%%;*} =~ ^[0-9]+$ ]]; then
  scancel "$arr" 2>/dev/null || true
  die "sbatch refused the merge job ($merge); cancelled array job $arr, nothing runs"
fi
merge=${merge%%;*}
printf 'ARRAY_JOB=%s\nMERGE_JOB=%s\nSHARDS=%s\nSWEEP=%s\nSUBMITTED=%s\n' \
  "$arr" "$merge" "$shards" "$sweep" "$(date '+%F %T')" >"$jobs_file.tmp" && mv "$jobs_file.tmp" "$jobs_file"

say "sweep $name${points:+ ($points points)}: array job $arr runs $shards shards (logs: $out/logs/shard-<i>.log)"
say "merge job $merge runs once every shard has succeeded (results: $out/points.csv, $out/layers.csv)"
if [ "$wait" = 0 ]; then
  say "watch with: squeue -r -j $arr,$merge; after a failure, rerun this command to resume"
  exit 0
fi

# --- wait ----------------------------------------------------------------------
trap 'echo; say "stopped waiting; the jobs go on (cancel them with: scancel $arr $merge)"; exit 130' INT TERM

slurm_state() { # slurm_state JOB: "STATE (Reason)" while the controller still remembers JOB
  local line st reason
  line=$(scontrol show job -o "$1" 2>/dev/null | head -n 1) || return 0
  st=$(printf '%s\n' "$line" | grep -o 'JobState=[A-Z_]*' | cut -d= -f2)
  reason=$(printf '%s\n' "$line" | grep -o 'Reason=[^ ]*' | cut -d= -f2)
  [ -z "$st" ] || printf '%s%s\n' "$st" "$([ -n "$reason" ] && [ "$reason" != None ] && echo " ($reason)")"
}
# verdict STATUS_FILE JOB: how a task ended: "ok", "exit N" (it recorded a
# failure), or "slurm STATE" (it recorded nothing: killed, or never started).
# The file comes first, as the controller forgets finished jobs after MinJobAge
# (300 s by default); a task the controller remembers as COMPLETED is done even
# if its file is not visible here yet (NFS may cache a directory for a minute).
verdict() {
  local st='' rc='' state
  if [ -f "$1" ]; then read -r st rc <"$1" || true; fi
  if [ "$st" = 0 ]; then echo ok; return; fi
  if [ -n "$st" ]; then echo "exit $rc"; return; fi
  state=$(slurm_state "$2")
  case $state in
    COMPLETED*) echo ok ;;
    *) echo "slurm ${state:-no record left}" ;;
  esac
}

last_report='' query_failures=0 never_since=''
while :; do
  if queue=$(squeue -h -r -j "$arr,$merge" -o '%i %T %r' 2>&1); then
    query_failures=0
  elif [[ $queue == *"Invalid job id"* ]]; then
    queue= # both jobs have ended and left the controller's memory
  else
    query_failures=$((query_failures + 1))
    [ "$query_failures" -lt 30 ] || die "squeue keeps failing: $queue (the jobs $arr and $merge may still run)"
    sleep "$poll_s"
    continue
  fi
  [ -n "$queue" ] || break
  # A cluster that ignores --kill-on-invalid-dep leaves the merge pending
  # forever (Slurm itself cancels it within seconds otherwise).
  if printf '%s\n' "$queue" | grep -q "^$merge PENDING DependencyNeverSatisfied"; then
    never_since=${never_since:-$SECONDS}
    if [ $((SECONDS - never_since)) -ge 30 ]; then
      say "a shard failed and Slurm left merge job $merge pending; cancelling it"
      scancel "$merge" || true
    fi
  fi
  done_n=$(find "$out/status" -maxdepth 1 -name "shard-*.$arr" 2>/dev/null | wc -l)
  running=$(printf '%s\n' "$queue" | grep -c "^${arr}_[0-9]* RUNNING" || true)
  report="shards: $done_n of $shards ended, $running running"
  if [ "$report" != "$last_report" ]; then
    say "$(date '+%T') $report"
    last_report=$report
  fi
  sleep "$poll_s"
done

failed=0
for ((i = 1; i <= shards; i++)); do
  v=$(verdict "$out/status/shard-$i.$arr" "${arr}_$i")
  [ "$v" != ok ] || continue
  failed=$((failed + 1))
  log=$out/logs/shard-$i.log
  case $v in
    exit*) say "shard $i/$shards FAILED (eyrie $v); log: $log" ;;
    *) say "shard $i/$shards FAILED: it recorded no exit status (Slurm: ${v#slurm }; time limit, memory, node failure or scancel?); log: $log" ;;
  esac
  if [ -s "$log" ]; then tail -n 5 "$log" | sed 's/^/    /'; fi
done

v=$(verdict "$out/status/merge.$merge" "$merge")
if [ "$failed" = 0 ] && [ "$v" = ok ]; then
  counts=$(grep -Eo '"(ok|partial|failed)": *[0-9]+' "$out/sweep.json" 2>/dev/null | tr -d '"' | paste -sd, - | sed 's/,/, /g')
  say "done: $out/points.csv and $out/layers.csv${counts:+ ($counts)}"
  exit 0
fi
case $v in
  ok) ;;
  exit*)
    say "merge job $merge FAILED (eyrie $v); log: $out/logs/merge.log"
    tail -n 5 "$out/logs/merge.log" 2>/dev/null | sed 's/^/    /'
    ;;
  *)
    if [ "$failed" -gt 0 ]; then
      say "merge job $merge did not run (Slurm: ${v#slurm }) because $failed of $shards shards failed"
    else
      say "merge job $merge recorded no exit status (Slurm: ${v#slurm }); log: $out/logs/merge.log"
    fi
    ;;
esac
say "fix the cause, then run the same command again: each shard resumes from the points it has"
exit 1
