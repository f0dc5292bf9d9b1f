#!/usr/bin/env bash
# Lab 4 (precision: Stripes against DaDianNao): run the lab's commands, check the answers.
# Usage: labs/lab4-precision/check.sh [answers.toml]     (see labs/README.md)
LAB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../lib/common.sh
source "$LAB_DIR/../lib/common.sh"
lab_setup "$@"

# The README's `eyrie compare` commands (run so that the check fails if they do) ...
lab_run compare.txt compare --arch dadiannao --arch stripes --net alexnet --precision-profile stripes
lab_run compare-8bit.txt compare --arch dadiannao --arch stripes,bit_serial.act_bits=8 --net alexnet
lab_run compare-8bit-b16.txt compare --arch dadiannao --arch stripes,bit_serial.act_bits=8 --net alexnet --batch 16
lab_run compare-dynamic.txt compare --arch dadiannao --arch stripes --arch stripes,bit_serial.dynamic_precision=true \
    --net alexnet --precision-profile stripes
# ... and the same runs one architecture at a time, for their JSON (compare prints tables only).
lab_run dadn.json run --arch dadiannao --net alexnet --precision-profile stripes --format json
lab_run stripes.json run --arch stripes --net alexnet --precision-profile stripes --format json
lab_run dadn-8bit.json run --arch dadiannao --net alexnet --format json
lab_run stripes-8bit.json run --arch stripes --net alexnet --set bit_serial.act_bits=8 --format json
lab_run dadn-8bit-b16.json run --arch dadiannao --net alexnet --batch 16 --format json
lab_run stripes-8bit-b16.json run --arch stripes --net alexnet --set bit_serial.act_bits=8 --batch 16 --format json
lab_run stripes-dynamic.json run --arch stripes --net alexnet --precision-profile stripes \
    --set bit_serial.dynamic_precision=true --format json

lab_grade <<'PY'
import sys
from labcheck import Q, grade, load_json, layer

answers, tmp = sys.argv[1], sys.argv[2]
r = {n: load_json(f"{tmp}/{n}.json") for n in
     ["dadn", "stripes", "dadn-8bit", "stripes-8bit", "dadn-8bit-b16", "stripes-8bit-b16", "stripes-dynamic"]}
CONV = ["conv1", "conv2", "conv3", "conv4", "conv5"]

def cyc(run, name):
    return layer(r[run], name)["cycles"]

def speedup(base, new, name):
    return cyc(base, name) / cyc(new, name)

def conv_sum(run, key):
    return sum((layer(r[run], n)["energy"]["total_pj"] if key == "energy" else layer(r[run], n)[key]) for n in CONV)

gain = {n: speedup("dadn", "stripes-dynamic", n) / speedup("dadn", "stripes", n) for n in CONV}

questions = [
    Q("q1", cyc("dadn", "conv3"),
      "DaDianNao: N x G x ceil(K/G / 256) x P x Q x R x S x ceil(C/G / 16) cycles; conv3 has K = 384, C = 256, "
      "P = Q = 13, R = S = 3"),
    Q("q2", cyc("stripes", "conv3"),
      "Stripes: the same, with P x Q replaced by pallets = ceil(P x Q / 16), times p = 5 bits"),
    Q("q3", conv_sum("dadn", "cycles") / conv_sum("stripes", "cycles"),
      "the `conv layers` row of eyrie compare: DaDianNao cycles / Stripes cycles", rel=0.02),
    Q("q4", speedup("dadn", "stripes", "fc6"),
      "fc6's `stripes speedup` in eyrie compare", rel=0.02),
    Q("q5", conv_sum("dadn", "energy") / conv_sum("stripes", "energy"),
      "`stripes energy eff.` in the `conv layers` row (DaDianNao energy / Stripes energy)", rel=0.02),
    Q("q6", speedup("dadn-8bit", "stripes-8bit", "conv3"),
      "conv3's speedup with --arch stripes,bit_serial.act_bits=8 and no precision profile", rel=0.02),
    Q("q7", speedup("dadn-8bit-b16", "stripes-8bit-b16", "fc6"),
      "fc6's speedup with 8-bit activations and --batch 16", rel=0.02),
    Q("q8", speedup("dadn", "stripes-dynamic", "conv4"),
      "conv4's `stripes#2 speedup` (dynamic precision) in eyrie compare", rel=0.02),
    Q("q9", max(CONV, key=lambda n: gain[n]),
      "divide each conv layer's dynamic speedup (stripes#2) by its static one (stripes)", choices=CONV),
]
sys.exit(grade(answers, questions))
PY
