#!/usr/bin/env bash
# Lab 2 (the memory hierarchy: Eyeriss row stationary): run the lab's commands, check the answers.
# Usage: labs/lab2-memory-hierarchy/check.sh [answers.toml]     (see labs/README.md)
LAB_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../lib/common.sh
source "$LAB_DIR/../lib/common.sh"
lab_setup "$@"

ISCA="$LAB_REPO/docs/reference/isca2016"
# Part A: the Eyeriss chip on AlexNet, batch 1 (what `eyrie run` does with no arguments).
lab_run base.json run --arch eyeriss --net alexnet --format json
# Part B: a smaller and a larger global buffer.
lab_run glb16.json run --arch eyeriss --net alexnet --set levels.glb.capacity_kb=16 --format json
lab_run glb216.json run --arch eyeriss --net alexnet --set levels.glb.capacity_kb=216 --format json
# Part C: the ISCA 2016 comparison, CONV layers at batch 16.
for df in rs ws osb; do
    lab_run "isca-$df.json" run --arch "$ISCA/$df.toml" --net "$LAB_DIR/alexnet-conv.toml" --batch 16 --format json
done

lab_grade <<'PY'
import sys
from labcheck import Q, grade, load_json, layer, energy_parts, largest

answers, tmp = sys.argv[1], sys.argv[2]
base, g16, g216 = (load_json(f"{tmp}/{n}.json") for n in ["base", "glb16", "glb216"])
isca = {df: layer(load_json(f"{tmp}/isca-{df}.json"), "total") for df in ["rs", "ws", "osb"]}

def parts(l):
    p = energy_parts(l)
    del p["leakage"]                      # not modelled on Eyeriss (0)
    return p

def pj_per_mac(l):
    return l["energy"]["total_pj"] / l["macs"]

def dram_bytes(l):
    return l["dram_read_bytes"] + l["dram_write_bytes"]

fc_pj = sum(layer(base, n)["energy"]["total_pj"] for n in ["fc6", "fc7", "fc8"])
rs, ws, os_ = isca["rs"], isca["ws"], isca["osb"]
ws_extra = {k: v - parts(rs)[k] for k, v in parts(ws).items()}
PARTS = ["mac", "noc", "dram", "glb", "spad"]
ISCA_PARTS = ["mac", "noc", "dram", "glb", "rf"]

questions = [
    Q("q1", largest(parts(layer(base, "total"))),
      "in the `total` row compare dram, glb, spad and MAC µJ; the NoC is `noc_energy_pj` in --format csv",
      choices=PARTS),
    Q("q2", largest(parts(layer(base, "conv3"))),
      "the same comparison in the conv3 row", choices=PARTS),
    Q("q3", pj_per_mac(layer(base, "conv3")),
      "energy per MAC = conv3's energy (µJ x 10^6 = pJ) / conv3's MACs", rel=0.02),
    Q("q4", pj_per_mac(layer(base, "fc6")),
      "energy per MAC = fc6's energy in pJ / fc6's MACs; compare it with one DRAM word (200 x 1.6 pJ)",
      rel=0.02),
    Q("q5", 100 * fc_pj / layer(base, "total")["energy"]["total_pj"],
      "add the energy of fc6, fc7 and fc8 and divide by the total, in percent", rel=0.02),
    Q("q6", dram_bytes(layer(g16, "conv1")) / dram_bytes(layer(base, "conv1")),
      "conv1's DRAM bytes (read + write) with --set levels.glb.capacity_kb=16, divided by the same at 108 KiB",
      rel=0.02),
    Q("q7", layer(g16, "conv1")["latency_ms"],
      "conv1's `latency ms` with the 16 KiB global buffer", rel=0.02),
    Q("q8", dram_bytes(layer(g216, "conv1")) / dram_bytes(layer(base, "conv1")),
      "conv1's DRAM bytes (read + write) with --set levels.glb.capacity_kb=216, divided by the same at 108 KiB",
      rel=0.02),
    Q("q9", pj_per_mac(rs),
      "rs.toml run: total energy (its unit is one MAC's energy, so µJ x 10^6 = MACs' worth) / total MACs",
      rel=0.02),
    Q("q10", pj_per_mac(ws) / pj_per_mac(rs),
      "WS energy per MAC (ws.toml) divided by RS energy per MAC (Q9)", rel=0.02),
    Q("q11", pj_per_mac(os_) / pj_per_mac(rs),
      "OS energy per MAC (osb.toml) divided by RS energy per MAC (Q9)", rel=0.02),
    Q("q12", largest(ws_extra),
      "subtract RS's energy per part from WS's (mac, noc, dram, glb, rf); noc_energy_pj is in --format csv",
      choices=ISCA_PARTS),
    Q("q13", min(["rs", "ws", "os"], key=lambda d: parts(isca["osb" if d == "os" else d])["dram"]),
      "compare the dram µJ of the three total rows", choices=["rs", "ws", "os"]),
]
sys.exit(grade(answers, questions))
PY
