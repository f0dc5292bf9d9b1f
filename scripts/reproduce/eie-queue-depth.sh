#!/usr/bin/env bash
# EIE ISCA 2016 Sec. VI-C and Fig. 8: load-balance efficiency against the
# activation-queue depth (1 to 256), 64 PEs, nine benchmark layers. The paper's
# bars are not available as numbers; its text gives "at FIFO size = 1, around half
# of the total cycles are idle" (drawn as the paper's point at depth 1), diminishing
# returns beyond depth 8, and NT-We as the worst balanced layer.
# Writes eie-queue-depth.csv (per layer and depth, plus the paper's point),
# eie-queue-depth.png/.svg, and eie-scaling.csv (the figures eyrie validates:
# depth 1, 256 vs 64 PEs, energy).
#   scripts/reproduce/eie-queue-depth.sh [OUT_DIR]
source "$(dirname "$0")/common.sh"
t=eie-queue-depth
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
# The depth curves as scripts/eie-sweeps.sh computes them (it also writes the PE-count curves).
EYRIE="$EYRIE" bash scripts/eie-sweeps.sh "$tmp" > /dev/null
validate_table eie-scaling
paper="$(awk -F, '/queue depth 1/ { print $4; exit }' "$out/eie-scaling.csv")"
{
  cat "$tmp/queue_depth.csv"
  echo "paper (Sec. VI-C),1,,,${paper:-0.5},,"
} > "$tmp/$t.csv"
mv "$tmp/$t.csv" "$out/$t.csv"
echo "wrote $out/$t.csv"
figure "$out/$t.csv" "$t" "EIE: load balance against queue depth, 64 PEs" --kind lines \
  --x queue_depth --y load_balance_efficiency --color layer --log-x
