#!/usr/bin/env bash
# Benchmark: ResNet-50 on the 32x32 systolic preset in each dataflow (os, ws, is).
#
#   scripts/bench.sh [RUNS]        # RUNS timed runs per case (default 10)
#
# Builds the release binary, then times two networks per dataflow:
#   * `--net resnet50`: eyrie's zoo ResNet-50 (torchvision shapes, padded, 224x224);
#   * SCALE-Sim's own topology `docs/reference/scalesim/Resnet50.csv` with its
#     default config `scale.cfg`: the exact run SCALE-Sim 3.0.0 was timed on, so the
#     two times compare like for like (the cycles are asserted equal in
#     sim/tests/scalesim.rs).
# Uses hyperfine when it is installed, otherwise a bash loop with `date +%s.%N`.
# Prints the mean wall time of one `eyrie run` (process start to exit) per case, and,
# from docs/reference/scalesim/results.csv, SCALE-Sim's time for the same network
# (its per-layer wall times, each counted once per layer of that shape) and the ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS="${1:-10}"

cargo build --release --locked --quiet
# Time a private copy: a shared CARGO_TARGET_DIR may be rebuilt by someone else meanwhile.
BIN="$(mktemp -d)/eyrie"
trap 'rm -rf "$(dirname "$BIN")"' EXIT
cp "${CARGO_TARGET_DIR:-target}/release/eyrie" "$BIN"
FIX=docs/reference/scalesim

# "wall cpu": mean wall seconds and mean CPU seconds (user + system) of one run of "$@"
# over $RUNS runs, after one warm-up run. On a busy machine the wall time includes
# waiting for a CPU; the CPU time does not.
mean_seconds() {
    "$@" > /dev/null 2>&1
    local wall cpu
    if command -v hyperfine > /dev/null; then
        local json
        json="$(mktemp)"
        hyperfine --style none --warmup 1 --runs "$RUNS" --export-json "$json" -- "$(printf '%q ' "$@") 2> /dev/null" > /dev/null
        wall="$(sed -n 's/.*"mean": *\([0-9.e+-]*\).*/\1/p' "$json" | head -n 1)"
        cpu="$(awk -F: '/"user"|"system"/ { gsub(/[ ,]/, "", $2); s += $2 } END { print s }' "$json")"
        rm -f "$json"
    else
        local t0 t1 TIMEFORMAT="%U %S" times
        t0=$(date +%s.%N)
        times="$( { time (for _ in $(seq "$RUNS"); do "$@" > /dev/null 2>&1; done) ; } 2>&1 )"
        t1=$(date +%s.%N)
        wall="$(echo "($t1 - $t0) / $RUNS" | bc -l)"
        cpu="$(echo "$times" | awk -v n="$RUNS" '{ print ($1 + $2) / n }')"
    fi
    echo "$wall $cpu"
}

# SCALE-Sim's wall time for all layers of a network in one dataflow (each shape counted
# once per layer that has it: the column layer_aliases lists them).
scalesim_seconds() {
    awk -F, -v net="$1" -v df="$2" '
        NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
        $col["network"] == net && $col["dataflow"] == df {
            n = split($col["layer_aliases"], a, ";"); t += n * $col["wall_seconds"]; rows++
        }
        END { if (rows) printf "%.1f", t; else print "-" }' "$FIX/results.csv"
}

echo "eyrie $("$BIN" --version | cut -d' ' -f2), $RUNS runs per case, $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg), $(command -v hyperfine > /dev/null && echo hyperfine || echo 'bash loop')"
printf '%-36s %-3s %9s %9s %14s %12s %12s\n' network df "wall ms" "cpu ms" "compute cycles" "SCALE-Sim s" "ratio (wall)"
for df in os ws is; do
    for net in zoo scalesim; do
        if [ "$net" = zoo ]; then
            args=(run --arch systolic --net resnet50 --set "pe_array.dataflow=$df")
            label="resnet50 (zoo)"
            ref="-"
        else
            args=(run --arch "$FIX/scale.cfg" --net "$FIX/Resnet50.csv" --set "pe_array.dataflow=$df")
            label="Resnet50.csv + scale.cfg (SCALE-Sim)"
            ref="$(scalesim_seconds resnet50 "$df")"
        fi
        read -r wall cpu <<< "$(mean_seconds "$BIN" "${args[@]}")"
        cycles="$("$BIN" "${args[@]}" --format csv 2> /dev/null | awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "compute_cycles") c = i; next } { s += $c } END { print s }')"
        ratio="-"
        if [ "$ref" != "-" ]; then ratio="$(echo "$ref / $wall" | bc -l | xargs printf '%.0fx')"; fi
        printf '%-36s %-3s %9.1f %9.1f %14s %12s %12s\n' "$label" "$df" "$(echo "$wall * 1000" | bc -l)" "$(echo "$cpu * 1000" | bc -l)" "$cycles" "$ref" "$ratio"
    done
done
