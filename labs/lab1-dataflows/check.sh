#!/usr/bin/env bash
# Lab 1 (dataflows on a systolic array): run the lab's commands, check the answers.
# Usage: labs/lab1-dataflows/check.sh [answers.toml]     (see labs/README.md)
LAB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../lib/common.sh
source "$LAB_DIR/../lib/common.sh"
lab_setup "$@"

NET="$LAB_DIR/conv.toml"
for df in os ws is; do
    # Questions 1-10: the preset as shipped (DRAM at 10 words per cycle).
    lab_run "$df.json" run --arch systolic --net "$NET" --set pe_array.dataflow=$df --format json
    # Question 11: ten times the DRAM bandwidth.
    lab_run "$df-bw100.json" run --arch systolic --net "$NET" --set pe_array.dataflow=$df \
        --set levels.dram.bandwidth_words_per_cycle=100 --format json
done
# Question 12: the same 1024 PEs as 128 rows x 8 columns, output stationary.
lab_run os-128x8.json run --arch systolic --net "$NET" --set pe_array.rows=128 --set pe_array.cols=8 --format json

lab_grade <<'PY'
import sys
from labcheck import Q, grade, load_json, layer, extra, level

answers, tmp = sys.argv[1], sys.argv[2]
run = {n: layer(load_json(f"{tmp}/{n}.json"), "conv")
       for n in ["os", "ws", "is", "os-bw100", "ws-bw100", "is-bw100", "os-128x8"]}
DF = ["os", "ws", "is"]

def fewest(suffix, key):
    return min(DF, key=lambda d: run[d + suffix][key])

questions = [
    Q("q1", extra(run["os"], "folds"),
      "OS folds = ceil(M/rows) x ceil(N/cols) with M = P*Q output pixels and N = filters; "
      "eyrie prints it in the `folds` column of --format csv"),
    Q("q2", run["os"]["compute_cycles"],
      "OS: folds x (K + rows + cols - 2) - 1 with K = R*S*C; compare with `compute_cycles` "
      "(not `cycles`, which adds DRAM stalls)"),
    Q("q3", extra(run["ws"], "folds"),
      "WS keeps the filters in the array: ceil(K/rows) x ceil(N/cols) folds"),
    Q("q4", run["ws"]["compute_cycles"],
      "WS: folds x (rows + M + rows + cols - 2) - 1 (load the weights, stream M pixels, drain)"),
    Q("q5", run["is"]["compute_cycles"],
      "IS keeps the input windows: ceil(K/rows) x ceil(M/cols) folds of rows + N + rows + cols - 2 cycles, minus 1"),
    Q("q6", fewest("", "compute_cycles"),
      "compare `compute_cycles` of the three runs", choices=DF),
    Q("q7", level(run["os"], "sram")["reads"]["inputs"],
      "OS streams the whole M x K input matrix once per column fold: ceil(N/cols) x M x K; "
      "in --format json: levels -> sram -> reads -> inputs"),
    Q("q8", level(run["ws"], "sram")["reads"]["weights"],
      "WS loads every weight into the array exactly once: K x N; levels -> sram -> reads -> weights"),
    Q("q9", level(run["ws"], "dram")["writes"]["psums"],
      "WS emits an M x N block per row fold and all but the last are partial sums: "
      "(ceil(K/rows) - 1) x M x N; levels -> dram -> writes -> psums"),
    Q("q10", fewest("", "cycles"),
      "compare `cycles` (= compute + stall cycles) of the three runs at the preset's bandwidth",
      choices=DF),
    Q("q11", fewest("-bw100", "cycles"),
      "rerun the three dataflows with --set levels.dram.bandwidth_words_per_cycle=100 and compare `cycles`",
      choices=DF),
    Q("q12", run["os-128x8"]["compute_cycles"],
      "OS on 128 x 8: ceil(M/128) x ceil(N/8) folds of K + 128 + 8 - 2 cycles, minus 1 "
      "(the last row fold is only partly full but takes as long as a full one)"),
]
sys.exit(grade(answers, questions))
PY
