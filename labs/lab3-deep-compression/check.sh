#!/usr/bin/env bash
# Lab 3 (Deep Compression on EIE): run the lab's commands, check the answers.
# Usage: labs/lab3-deep-compression/check.sh [answers.toml]     (see labs/README.md)
LAB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../lib/common.sh
source "$LAB_DIR/../lib/common.sh"
lab_setup "$@"

NET="$LAB_DIR/alexnet-fc.toml"
RECIPE="$LAB_DIR/deep-compression-fc.toml"
# Part A: compress (the table, and compressed.eyc for part B).
lab_run compress.json compress --net "$NET" --recipe "$RECIPE" --out out --format json
# Questions 5-6: the same recipe with 8-bit relative indices (the one-line change the README asks for).
sed 's/index_bits = 4/index_bits = 8/' "$RECIPE" >recipe-index8.toml
grep -q 'index_bits = 8' recipe-index8.toml || lab_die "could not make the 8-bit-index recipe from $RECIPE"
lab_run compress-index8.json compress --net "$NET" --recipe recipe-index8.toml --format json
# Part B: EIE, compressed and dense.
lab_run eie.json run --arch eie --compressed out/compressed.eyc --format json
lab_run eie-dense.json run --arch eie --net "$NET" --format json
# Question 11: activation queues of depth 1.
lab_run eie-q1.json run --arch eie --compressed out/compressed.eyc --set eie.queue_depth=1 --format json

lab_grade <<'PY'
import sys
from labcheck import Q, grade, load_json, layer, extra

answers, tmp = sys.argv[1], sys.argv[2]
comp = load_json(f"{tmp}/compress.json")
comp8 = load_json(f"{tmp}/compress-index8.json")
eie, dense, q1 = (load_json(f"{tmp}/{n}.json") for n in ["eie", "eie-dense", "eie-q1"])

def crow(report, name):
    if name == "total":
        return report["total"]
    return next(l for l in report["layers"] if l["layer"] == name)

fc6c = crow(comp, "fc6")
tot, tot8 = crow(comp, "total"), crow(comp8, "total")
fc6, fc6d, fc6q1 = layer(eie, "fc6"), layer(dense, "fc6"), layer(q1, "fc6")

def smaller(key):
    return "4" if tot[key] <= tot8[key] else "8"

questions = [
    Q("q1", fc6c["fillers"] / fc6c["kept"],
      "fillers per kept weight: `fillers` / `kept` in --format csv; a 4-bit index skips at most 15 zeros, "
      "so expect q^16 / (1 - q^16) with q = 0.91", rel=0.02),
    Q("q2", fc6c["compressed_bytes"] / 1e6,
      "fc6's P+Q column (bytes after pruning and quantization, 1 MB = 10^6 bytes)", rel=0.02),
    Q("q3", tot["dense_bytes"] / tot["huffman_bytes"],
      "the total row: dense / P+Q+H (the `ratio` column)", rel=0.02),
    Q("q4", tot["compressed_bytes"] / tot["huffman_bytes"],
      "the total row: P+Q divided by P+Q+H", rel=0.02),
    Q("q5", smaller("compressed_bytes"),
      "compare the total P+Q of the 4-bit-index recipe with the 8-bit one", choices=["4", "8"]),
    Q("q6", smaller("huffman_bytes"),
      "compare the total P+Q+H of the two recipes", choices=["4", "8"]),
    Q("q7", fc6["latency_ms"] * 1000,
      "fc6's `latency ms` on EIE times 1000 (microseconds)", rel=0.02),
    Q("q8", fc6d["cycles"] / fc6["cycles"],
      "fc6's cycles dense (no --compressed) divided by its cycles compressed", rel=0.02),
    Q("q9", fc6d["energy"]["total_pj"] / fc6["energy"]["total_pj"],
      "fc6's energy dense divided by its energy compressed; look at where the dense run's energy goes",
      rel=0.02),
    Q("q10", extra(fc6, "load_balance_efficiency"),
      "the `load_balance_efficiency` column of --format csv for fc6 (a fraction, 0-1)", abs_tol=0.01),
    Q("q11", extra(fc6q1, "load_balance_efficiency"),
      "rerun with --set eie.queue_depth=1 and read fc6's `load_balance_efficiency`", abs_tol=0.01),
    Q("q12", extra(fc6, "pe_busy_cycles_max"),
      "the busiest PE's busy cycles: `pe_busy_cycles_max` of fc6"),
]
sys.exit(grade(answers, questions))
PY
