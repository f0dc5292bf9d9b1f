#!/usr/bin/env bash
# End-to-end test of scripts/slurm-sweep.sh on a real Slurm cluster started
# on 127.0.0.1 for the test (tests/slurm/local-cluster.sh), with the example
# sweep tests/slurm/sweep.toml (36 points) in 4 shards:
#   1. the merged points.csv and layers.csv equal a local `eyrie sweep` byte for byte;
#   2. a shard that fails makes Slurm cancel the merge job, and --wait names
#      the failed shard and its log;
#   3. running the same command again resumes: only the failed shard's points
#      run, the other shards' rows stay as they were, and the merge equals case 1;
#   4. a sweep with infeasible points (failed rows, eyrie exit 1) still merges
#      (tests/slurm/infeasible.toml), equal to a local sweep;
#   5. a shard that Slurm kills (scancel here; a time limit alike) leaves no
#      exit status; --wait reports it with its Slurm state.
#
# Usage: tests/slurm/run.sh [--install] [--required] [--eyrie PATH] [--keep]
#   --install    install the Slurm and MUNGE packages with apt-get if missing (root)
#   --required   fail, rather than skip, when the cluster cannot run here (no
#                root, no packages); implied by CI=true
#   --eyrie PATH the eyrie binary (default: $EYRIE, else release/eyrie under
#                $CARGO_TARGET_DIR or target/)
#   --keep       keep the work directory (it is always kept when a case fails)
# Exit status: 0 every case passed; 1 a case failed, or the test could not run
# and was required to; 77 skipped, with the reason printed.
# The last line is "slurm: P passed, F failed" (or "slurm: skipped: REASON").
set -uo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=SCRIPTDIR/local-cluster.sh
source "$repo/tests/slurm/local-cluster.sh"

install=0 required=0 keep=0 eyrie=${EYRIE:-}
[ "${CI:-}" = true ] && required=1
while [ $# -gt 0 ]; do
  case $1 in
    --install) install=1 ;;
    --required) required=1 ;;
    --keep) keep=1 ;;
    --eyrie) eyrie=${2:-}; shift ;;
    --eyrie=*) eyrie=${1#*=} ;;
    -h | --help) sed -n '2,/^set -uo/{/^set -uo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
    *) echo "unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

t_start=$SECONDS
say() { printf '[slurm-test %s] %s\n' "$(date +%T)" "$*"; }

# --- can a cluster run here? ----------------------------------------------------
not_here() {
  if [ "$required" = 1 ]; then
    say "cannot run: $1"
    echo "slurm: 0 passed, 1 failed (could not run: $1)"
    exit 1
  fi
  echo "slurm: skipped: $1"
  exit 77
}

why=$(lc_missing)
if [ -n "$why" ] && [ "$install" = 1 ] && [ "$(id -u)" = 0 ]; then
  if ! command -v apt-get >/dev/null 2>&1; then
    not_here "$why, and there is no apt-get to install them"
  fi
  say "installing Slurm and MUNGE (apt-get)"
  t0=$SECONDS
  ilog=$(mktemp /tmp/eyrie-slurm-install.XXXXXX)
  if ! { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
    slurmctld slurmd slurm-client munge; } >"$ilog" 2>&1; then
    tail -n 20 "$ilog"
    not_here "apt-get could not install slurmctld slurmd slurm-client munge (log: $ilog)"
  fi
  rm -f "$ilog"
  say "installed in $((SECONDS - t0)) s"
  why=$(lc_missing)
fi
if [ -n "$why" ] && [ "$install" = 0 ] && [ "$(id -u)" = 0 ]; then why="$why (--install installs them)"; fi
[ -z "$why" ] || not_here "$why"

if [ -z "$eyrie" ]; then eyrie=${CARGO_TARGET_DIR:-$repo/target}/release/eyrie; fi
if ! [ -x "$eyrie" ]; then
  say "no eyrie binary at $eyrie: build it (cargo build --release) or pass --eyrie PATH"
  echo "slurm: 0 passed, 1 failed (no eyrie binary)"
  exit 1
fi
eyrie=$(realpath -ms -- "$eyrie")
submit=$repo/scripts/slurm-sweep.sh
sweep=$repo/tests/slurm/sweep.toml

# --- the cluster -----------------------------------------------------------------
work=$(mktemp -d /tmp/eyrie-slurm-test.XXXXXX)
chmod 755 "$work" # munged wants every directory above its socket to be o+x
passed=0 failed=0
child='' # a running slurm-sweep.sh
finish() {
  trap - EXIT INT TERM
  if [ -n "$child" ]; then kill "$child" 2>/dev/null; wait "$child" 2>/dev/null; fi
  lc_stop
  if [ "$failed" -gt 0 ] || [ "$keep" = 1 ]; then
    [ "$failed" = 0 ] || lc_dump_logs
    say "kept $work"
  else
    rm -rf "$work"
  fi
}
trap finish EXIT
trap 'say interrupted; failed=$((failed + 1)); exit 130' INT TERM

# The reference: the same sweep on this machine, in one process, 2 threads.
# Before the cluster starts: it also checks that this eyrie has `sweep` and `merge`.
local_out=$work/local
if ! "$eyrie" sweep "$sweep" --out "$local_out" -j 2 --quiet >"$work/local.txt" 2>&1 ||
  ! "$eyrie" merge --help >/dev/null 2>&1; then
  cat "$work/local.txt"
  failed=1
  echo "slurm: 0 passed, 1 failed (the local reference sweep with $eyrie failed)"
  exit 1
fi

t0=$SECONDS
if ! lc_start "$work/cluster"; then
  failed=1
  echo "slurm: 0 passed, 1 failed (the local cluster did not start)"
  exit 1
fi
say "cluster up in $((SECONDS - t0)) s"

# --- helpers -------------------------------------------------------------------
problems=()
problem() { problems+=("$*"); }

# submit OUTDIR [ARGS...]: slurm-sweep.sh the sweep $sweep_file into OUTDIR
# with --wait; its output goes to OUTDIR.submit.txt, its status to $submit_rc.
submit_rc=0 sweep_file=$sweep
submit() {
  local dir=$1
  shift
  submit_rc=0
  # In the background, so that a signal reaches our trap at once.
  timeout 120 "$submit" "$sweep_file" --shards 4 --out "$dir" --wait --poll 1 --eyrie "$eyrie" "$@" \
    >"$dir.submit.txt" 2>&1 &
  child=$!
  wait "$child" || submit_rc=$?
  child=''
  sed 's/^/    | /' "$dir.submit.txt"
  [ "$submit_rc" != 124 ] || problem "slurm-sweep.sh --wait did not finish within 120 s"
}

job_of() { sed -n "s/^$1_JOB=//p" "$2/slurm/jobs" 2>/dev/null; }
state_of() { timeout 10 scontrol show job -o "$1" 2>/dev/null | grep -o 'JobState=[A-Z_]*' | cut -d= -f2 | sort -u | paste -sd' ' -; }

same_files() { # same_files DIR_A DIR_B: points.csv and layers.csv identical
  local f
  for f in points.csv layers.csv; do
    if ! [ -f "$1/$f" ]; then
      problem "$1/$f is missing"
    elif ! cmp -s "$1/$f" "$2/$f"; then
      problem "$1/$f differs from the local sweep's $2/$f"
      diff "$1/$f" "$2/$f" | head -n 6 | sed 's/^/    /'
    fi
  done
}

# The last "ran N points" line of a shard's log: the points its latest run simulated.
points_ran() { grep -o '^ran [0-9]* points' "$1" | tail -n 1 | cut -d' ' -f2; }

run_case() { # run_case TITLE FUNCTION
  local t0=$SECONDS p
  problems=()
  say "case: $1"
  "$2"
  if [ "${#problems[@]}" = 0 ]; then
    passed=$((passed + 1))
    say "ok ($((SECONDS - t0)) s): $1"
  else
    failed=$((failed + 1))
    for p in "${problems[@]}"; do say "  FAIL: $p"; done
    say "FAILED ($((SECONDS - t0)) s): $1"
  fi
}

# --- case 1 -----------------------------------------------------------------------
case_sharded_equals_local() {
  local out=$work/sharded arr merge line
  submit "$out" --time 5 --merge-time 2 --max-running 3 --sbatch-arg=--comment=eyrie-test
  [ "$submit_rc" = 0 ] || problem "slurm-sweep.sh exited $submit_rc, expected 0"
  arr=$(job_of ARRAY "$out") merge=$(job_of MERGE "$out")
  if [ -z "$arr" ] || [ -z "$merge" ]; then
    problem "no job ids in $out/slurm/jobs"
    return
  fi
  grep -q "array job $arr " "$out.submit.txt" || problem "the output does not name array job $arr"
  grep -q "merge job $merge " "$out.submit.txt" || problem "the output does not name merge job $merge"
  [ "$(state_of "$arr")" = COMPLETED ] || problem "array job $arr: $(state_of "$arr"), expected every task COMPLETED"
  [ "$(state_of "$merge")" = COMPLETED ] || problem "merge job $merge: $(state_of "$merge"), expected COMPLETED"
  # The sbatch options reached Slurm.
  line=$(timeout 10 scontrol show job -o "${arr}_1")
  for want in TimeLimit=00:05:00 ArrayTaskThrottle=3 Comment=eyrie-test NumCPUs=1; do
    [[ " $line " == *" $want "* ]] || problem "array task ${arr}_1 lacks $want"
  done
  line=$(timeout 10 scontrol show job -o "$merge")
  for want in TimeLimit=00:02:00 Comment=eyrie-test; do
    [[ " $line " == *" $want "* ]] || problem "merge job $merge lacks $want"
  done
  local n i
  n=$(timeout 10 scontrol show job -o "$arr" | grep -c 'ArrayTaskId=')
  [ "$n" = 4 ] || problem "array job $arr has $n tasks, expected 4"
  for i in 1 2 3 4; do
    n=$(wc -l <"$out/shard-$i/points.csv" 2>/dev/null)
    [ "$n" = 10 ] || problem "shard $i: points.csv has ${n:-no} lines, expected a header and 9 points"
  done
  same_files "$out" "$local_out"
}

# --- case 2 -----------------------------------------------------------------------
# Shard 2 fails for real: a plain file sits where its output directory must go.
failing=$work/failing
case_failed_shard_cancels_merge() {
  local out=$failing arr merge i
  mkdir -p "$out" && echo "not a directory" >"$out/shard-2"
  submit "$out"
  [ "$submit_rc" = 1 ] || problem "slurm-sweep.sh exited $submit_rc, expected 1"
  grep -q "shard 2/4 FAILED" "$out.submit.txt" || problem "the output does not name shard 2/4 as failed"
  grep -qF "$out/logs/shard-2.log" "$out.submit.txt" || problem "the output does not give the log $out/logs/shard-2.log"
  for i in 1 3 4; do
    if grep -q "shard $i/4 FAILED" "$out.submit.txt"; then problem "shard $i/4 is reported failed"; fi
  done
  grep -q "cannot create $out/shard-2" "$out/logs/shard-2.log" 2>/dev/null ||
    problem "the log of shard 2 does not say why it failed"
  arr=$(job_of ARRAY "$out") merge=$(job_of MERGE "$out")
  [ -n "$merge" ] || { problem "no job ids in $out/slurm/jobs"; return; }
  [ "$(state_of "$merge")" = CANCELLED ] || problem "merge job $merge: $(state_of "$merge"), expected CANCELLED"
  [ -z "$(timeout 10 squeue -h -j "$merge" 2>/dev/null)" ] || problem "merge job $merge is still in the queue"
  timeout 10 scontrol show job -o "${arr}_2" | grep -q 'JobState=FAILED' || problem "task ${arr}_2 is not FAILED"
  grep -q "merge job $merge did not run (Slurm: CANCELLED" "$out.submit.txt" ||
    problem "the output does not say that merge job $merge was cancelled"
  if grep -q "Slurm left merge job" "$out.submit.txt"; then
    problem "Slurm did not cancel the merge itself (--kill-on-invalid-dep); the script had to"
  fi
  [ ! -e "$out/points.csv" ] || problem "$out/points.csv exists although the merge did not run"
}

# --- case 3 -----------------------------------------------------------------------
case_resubmit_resumes() {
  local out=$failing i before after ran
  rm -f "$out/shard-2"
  before=$(cd "$out" && md5sum shard-{1,3,4}/points.csv shard-{1,3,4}/layers.csv 2>&1)
  submit "$out"
  [ "$submit_rc" = 0 ] || problem "slurm-sweep.sh exited $submit_rc, expected 0"
  after=$(cd "$out" && md5sum shard-{1,3,4}/points.csv shard-{1,3,4}/layers.csv 2>&1)
  [ "$before" = "$after" ] || problem "the finished shards' files changed on resubmission"
  for i in 1 3 4; do
    ran=$(points_ran "$out/logs/shard-$i.log")
    [ "$ran" = 0 ] || problem "shard $i ran ${ran:-?} points on resubmission, expected 0 (all 9 were done)"
  done
  ran=$(points_ran "$out/logs/shard-2.log")
  [ "$ran" = 9 ] || problem "shard 2 ran ${ran:-?} points on resubmission, expected its 9"
  grep -q '^== shard 2/4: eyrie exit 2, shard FAILED' "$out/logs/shard-2.log" ||
    problem "the log of shard 2 lost its first, failed attempt"
  same_files "$out" "$local_out"
}

# --- case 4 -----------------------------------------------------------------------
case_failed_points_still_merge() {
  local out=$work/infeasible ref=$work/infeasible-local rc=0
  "$eyrie" sweep "$repo/tests/slurm/infeasible.toml" --out "$ref" -j 2 --quiet >"$ref.txt" 2>&1 || rc=$?
  [ "$rc" = 1 ] || problem "the local sweep of infeasible.toml exited $rc, expected 1 (some points fail)"
  sweep_file=$repo/tests/slurm/infeasible.toml submit "$out"
  [ "$submit_rc" = 0 ] || problem "slurm-sweep.sh exited $submit_rc, expected 0: failed points are results"
  grep -q "ok: 4, partial: 0, failed: 4" "$out.submit.txt" || problem "the output does not count 4 ok and 4 failed points"
  same_files "$out" "$ref"
}

# --- case 5 -----------------------------------------------------------------------
case_killed_shard_is_reported() {
  local out=$work/killed slow=$work/slow-eyrie arr='' i
  # An eyrie that hangs in shard 3, so that the test can cancel that task.
  printf '#!/usr/bin/env bash\ncase " $* " in *" --shard 3/4 "*) exec sleep 300 ;; esac\nexec %q "$@"\n' \
    "$eyrie" >"$slow"
  chmod +x "$slow"
  mkdir -p "$out"
  timeout 120 "$submit" "$sweep" --shards 4 --out "$out" --wait --poll 1 --eyrie "$slow" >"$out.submit.txt" 2>&1 &
  child=$!
  for i in $(seq 1 100); do
    arr=$(job_of ARRAY "$out")
    [ -n "$arr" ] && [ -n "$(timeout 10 squeue -h -j "${arr}_3" -t RUNNING 2>/dev/null)" ] && break
    sleep 0.3
  done
  if [ -n "$arr" ]; then timeout 10 scancel "${arr}_3"; else problem "no array job appeared"; fi
  submit_rc=0
  wait "$child" || submit_rc=$?
  child=''
  sed 's/^/    | /' "$out.submit.txt"
  [ "$submit_rc" = 1 ] || problem "slurm-sweep.sh exited $submit_rc, expected 1"
  grep -q "shard 3/4 FAILED: it recorded no exit status (Slurm: CANCELLED" "$out.submit.txt" ||
    problem "the output does not report shard 3/4 as cancelled by Slurm"
  grep -qF "$out/logs/shard-3.log" "$out.submit.txt" || problem "the output does not give the log of shard 3"
  for i in 1 2 4; do
    if grep -q "shard $i/4 FAILED" "$out.submit.txt"; then problem "shard $i/4 is reported failed"; fi
  done
  grep -q "merge job [0-9]* did not run (Slurm: CANCELLED" "$out.submit.txt" ||
    problem "the output does not say that the merge job was cancelled"
}

run_case "4 shards on Slurm, merged, equal a local sweep byte for byte; sbatch options pass" case_sharded_equals_local
run_case "a failed shard cancels the merge and is reported with its log" case_failed_shard_cancels_merge
run_case "resubmitting resumes: only the failed shard's points run" case_resubmit_resumes
run_case "failed points are results: their shards count as done, the merge runs" case_failed_points_still_merge
run_case "a shard killed by Slurm is reported with its Slurm state" case_killed_shard_is_reported

say "total $((SECONDS - t_start)) s"
echo "slurm: $passed passed, $failed failed"
[ "$failed" = 0 ]
