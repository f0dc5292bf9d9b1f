#!/usr/bin/env bash
# The EIE design-space curves of Han et al., ISCA 2016, on the nine benchmark layers:
#   queue_depth.csv  load-balance efficiency vs activation-queue depth 1..256, 64 PEs (Fig. 8)
#   pe_count.csv     speedup vs PE count 1..256, queue depth 8 (Fig. 11), with the
#                    real-work fraction (Fig. 12) and load balance (Fig. 13)
# Every point is `eyrie run --arch eie --net eie-bench` with one --set; same seed, so
# every point sees the same weight matrices and activation vectors.
#
#   scripts/eie-sweeps.sh [OUT_DIR] [extra eyrie run args, e.g. --seed 7]
#   (default OUT_DIR: out/eie-sweeps; EYRIE=path/to/eyrie to skip the build)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-out/eie-sweeps}"
shift || true
if [[ -z "${EYRIE:-}" ]]; then
  cargo build --release --quiet
  EYRIE="${CARGO_TARGET_DIR:-target}/release/eyrie"
fi
mkdir -p "$out"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# Columns of an eyrie CSV by header name: pick FILE COL...
pick() {
  local file="$1"; shift
  awk -F, -v cols="$*" 'NR == 1 { for (i = 1; i <= NF; i++) idx[$i] = i; n = split(cols, want, " "); next }
    { line = ""; for (c = 1; c <= n; c++) line = line (c > 1 ? "," : "") $(idx[want[c]]); print line }' "$file"
}

echo "layer,queue_depth,cycles,latency_us,load_balance_efficiency,alu_utilization,broadcast_stall_cycles" \
  > "$tmp/queue_depth.csv"
for d in 1 2 4 8 16 32 64 128 256; do
  "$EYRIE" run --arch eie --net eie-bench --format csv --set "eie.queue_depth=$d" "$@" > "$tmp/q.csv"
  pick "$tmp/q.csv" layer cycles latency_ms load_balance_efficiency alu_utilization broadcast_stall_cycles |
    awk -F, -v d="$d" -v OFS=, '{ print $1, d, $2, $3 * 1000, $4, $5, $6 }' >> "$tmp/queue_depth.csv"
done

echo "layer,pes,cycles,latency_us,speedup_vs_1pe,load_balance_efficiency,real_work_fraction" > "$tmp/pe_count.csv"
for n in 1 2 4 8 16 32 64 128 256; do
  "$EYRIE" run --arch eie --net eie-bench --format csv --set "pe_array.cols=$n" "$@" > "$tmp/p.csv"
  pick "$tmp/p.csv" layer cycles latency_ms load_balance_efficiency real_work_fraction > "$tmp/p$n.csv"
done
for n in 1 2 4 8 16 32 64 128 256; do
  awk -F, -v n="$n" -v OFS=, 'NR == FNR { base[$1] = $2; next }
    { print $1, n, $2, $3 * 1000, base[$1] / $2, $4, $5 }' "$tmp/p1.csv" "$tmp/p$n.csv" >> "$tmp/pe_count.csv"
done

mv "$tmp/queue_depth.csv" "$out/queue_depth.csv"
mv "$tmp/pe_count.csv" "$out/pe_count.csv"
echo "wrote $out/queue_depth.csv and $out/pe_count.csv"
