#!/usr/bin/env bash
# Eyeriss ISCA 2016 (Sec. VI-B, Figs. 11-13): energy per MAC of WS, OSA, OSB, OSC
# and NLR relative to row stationary, AlexNet batch 16, 256 PEs, equal storage area.
# The paper gives the range ("RS 1.4x to 2.5x lower on CONV, at least 1.3x on FC";
# its bars are not available as numbers), so each dataflow's ratio is drawn with
# the published ends beside eyrie's lowest and highest (tolerance 20 %).
#   scripts/reproduce/eyeriss-isca-dataflows.sh [OUT_DIR]
source "$(dirname "$0")/common.sh"
t=eyeriss-isca-dataflows
validate_table "$t"
figure "$out/$t.csv" "$t" "Eyeriss ISCA 2016: energy relative to RS" --kind reference
