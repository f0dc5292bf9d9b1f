# Shared by every labs/*/check.sh (sourced, not run).
#
# A check script sets LAB_DIR to its own folder, sources this file, calls
# `lab_setup "$@"`, runs its eyrie commands with `lab_run`, then hands the
# outputs to its grader (python3, using labs/lib/labcheck.py).
#
# lab_setup:
#   * the answers file: the first argument, else answers.toml in the lab folder;
#   * the eyrie binary: $EYRIE if set, else `eyrie` on PATH, else
#     <repo>/target/release/eyrie, else <repo>/target/debug/eyrie;
#   * python3 (the grader reads TOML and eyrie's JSON/CSV output with it);
#   * a temporary directory $LAB_TMP, removed on exit. Every command runs
#     inside it: nothing is written into the source tree.
#
# Exit codes of a check script: 0 every answer right, 1 some answer wrong or
# missing, 2 the check itself could not run (no eyrie, an eyrie command failed,
# an unreadable answers file).

set -euo pipefail

LAB_LIB="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
LAB_REPO="$(cd "$LAB_LIB/../.." && pwd)"
LAB_NAME="$(basename "$LAB_DIR")"

lab_die() {
    echo "$LAB_NAME: error: $*" >&2
    exit 2
}

lab_usage() {
    cat <<EOF
usage: $LAB_DIR/check.sh [ANSWERS.toml]

Runs the lab's eyrie commands in a temporary directory and checks the answers
file (default: $LAB_DIR/answers.toml). Prints one line per question:
'Qn right', 'Qn wrong: <hint>' or 'Qn unanswered'. Exit 0 only if all are right.

The eyrie binary: \$EYRIE if set, else eyrie on PATH, else
$LAB_REPO/target/release/eyrie, else $LAB_REPO/target/debug/eyrie.
EOF
}

# The absolute form of a path given relative to the caller's directory.
lab_abspath() {
    case "$1" in
        /*) printf '%s\n' "$1" ;;
        *) printf '%s/%s\n' "$PWD" "$1" ;;
    esac
}

lab_find_eyrie() {
    if [ -n "${EYRIE:-}" ]; then
        local e="$EYRIE"
        case "$e" in
            */*) e="$(lab_abspath "$e")" ;;
            *) e="$(command -v "$e" || true)" ;;
        esac
        if [ -z "$e" ] || [ ! -f "$e" ] || [ ! -x "$e" ]; then
            lab_die "EYRIE is set to '$EYRIE', which is not an executable file"
        fi
        EYRIE_BIN="$e"
        EYRIE_FROM="\$EYRIE"
    elif command -v eyrie >/dev/null 2>&1; then
        EYRIE_BIN="$(command -v eyrie)"
        EYRIE_FROM="PATH"
    elif [ -x "$LAB_REPO/target/release/eyrie" ]; then
        EYRIE_BIN="$LAB_REPO/target/release/eyrie"
        EYRIE_FROM="release build"
    elif [ -x "$LAB_REPO/target/debug/eyrie" ]; then
        EYRIE_BIN="$LAB_REPO/target/debug/eyrie"
        EYRIE_FROM="debug build"
    else
        lab_die "no eyrie binary: EYRIE is not set, eyrie is not on PATH, and neither
  $LAB_REPO/target/release/eyrie nor $LAB_REPO/target/debug/eyrie exists.
  Build it first:  (cd $LAB_REPO && cargo build --release)"
    fi
}

lab_setup() {
    case "${1:-}" in
        -h | --help)
            lab_usage
            exit 0
            ;;
    esac
    if [ "$#" -gt 1 ]; then
        lab_usage >&2
        exit 2
    fi
    LAB_ANSWERS="$(lab_abspath "${1:-$LAB_DIR/answers.toml}")"
    [ -f "$LAB_ANSWERS" ] || lab_die "no answers file $LAB_ANSWERS (copy the lab's answers.toml and fill it in)"
    command -v python3 >/dev/null 2>&1 ||
        lab_die "python3 is needed to check the answers (3.11 or later reads TOML itself; older versions use a simple fallback)"
    PYTHONPATH="$LAB_LIB" PYTHONDONTWRITEBYTECODE=1 python3 -c '
import sys, labcheck
try:
    labcheck.load_answers(sys.argv[1])
except (OSError, ValueError, UnicodeDecodeError) as e:
    sys.exit(f"'"$LAB_NAME"': error: cannot read the answers: {e}")
' "$LAB_ANSWERS" || exit 2
    lab_find_eyrie
    echo "using eyrie: $EYRIE_BIN (from $EYRIE_FROM; $("$EYRIE_BIN" --version 2>/dev/null | head -n 1 || true))"
    echo "answers: $LAB_ANSWERS"
    LAB_TMP="$(mktemp -d "${TMPDIR:-/tmp}/eyrie-$LAB_NAME.XXXXXX")"
    trap 'rm -rf "$LAB_TMP"' EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    cd "$LAB_TMP"
    LAB_START=$SECONDS
    LAB_COMMANDS=0
}

# lab_run OUT ARGS...: run `eyrie ARGS...` in $LAB_TMP with stdout into OUT
# (relative to $LAB_TMP); stop the check if it fails. LAB_VERBOSE=1 echoes it.
lab_run() {
    local out="$1"
    shift
    LAB_COMMANDS=$((LAB_COMMANDS + 1))
    if [ "${LAB_VERBOSE:-0}" != 0 ]; then
        echo "  \$ eyrie $*" >&2
    fi
    local rc=0
    "$EYRIE_BIN" "$@" >"$out" 2>"$LAB_TMP/.stderr" || rc=$?
    if [ "$rc" != 0 ]; then
        {
            echo "$LAB_NAME: error: this eyrie command failed (exit $rc), so the answers cannot be checked:"
            echo "  eyrie $*"
            sed 's/^/  | /' "$LAB_TMP/.stderr"
        } >&2
        exit 2
    fi
}

# lab_grade: run the lab's grader (python3 on stdin) with the answers file and
# the temporary directory as arguments; exit with its status.
lab_grade() {
    echo "ran $LAB_COMMANDS eyrie commands in $((SECONDS - LAB_START)) s"
    local status=0
    PYTHONPATH="$LAB_LIB${PYTHONPATH:+:$PYTHONPATH}" PYTHONDONTWRITEBYTECODE=1 \
        python3 - "$LAB_ANSWERS" "$LAB_TMP" "$LAB_DIR" || status=$?
    exit "$status"
}
