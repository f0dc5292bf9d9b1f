# Shared by the reproduction scripts (sourced, not run).
#
# Each script reproduces one published table or figure: it writes NAME.csv
# (paper, eyrie, error and tolerance per figure, from `eyrie validate`) and
# NAME.png / NAME.svg (the paper's values beside eyrie's) into OUT_DIR,
# default out/reproduce. EYRIE=path/to/eyrie skips the build.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$repo"
out="${1:-out/reproduce}"
mkdir -p "$out"
if [[ -z "${EYRIE:-}" ]]; then
  cargo build --release --quiet
  EYRIE="${CARGO_TARGET_DIR:-$repo/target}/release/eyrie"
fi

# validate_table TABLE: every figure of one validation table into $out/TABLE.csv,
# and the table as `eyrie validate` prints it into $out/TABLE.txt (and stdout).
# `eyrie validate` exits 1 when a figure is outside its tolerance; that is a
# result here (the files say which), not a failure of the script.
validate_table() {
  local rc=0 tmp
  tmp="$(mktemp -d)"
  "$EYRIE" validate --only "$1" --out "$tmp" > "$tmp/table.txt" 2> "$tmp/err.txt" || rc=$?
  if (( rc > 1 )); then
    cat "$tmp/err.txt" >&2
    rm -rf "$tmp"
    echo "eyrie validate --only $1 failed (exit $rc)" >&2
    exit "$rc"
  fi
  mv "$tmp/validate.csv" "$out/$1.csv"
  mv "$tmp/table.txt" "$out/$1.txt"
  rm -rf "$tmp"
  cat "$out/$1.txt"
  echo "wrote $out/$1.csv"
}

# figure CSV NAME TITLE [eyrie plot options...]: NAME.png and NAME.svg in $out.
figure() {
  local csv="$1" name="$2" title="$3"
  shift 3
  "$EYRIE" plot "$csv" --title "$title" --out "$out/$name" "$@"
}
