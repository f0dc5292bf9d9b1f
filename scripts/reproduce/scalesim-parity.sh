#!/usr/bin/env bash
# Parity with SCALE-Sim 3.0.0 (docs/reference/scalesim): compute cycles, SRAM and
# DRAM traffic of every layer shape of AlexNet and ResNet-50 and six odd shapes, in
# os, ws and is (cycles and SRAM reads exact, DRAM within 10 %).
#   scripts/reproduce/scalesim-parity.sh [OUT_DIR]
source "$(dirname "$0")/common.sh"
t=scalesim-parity
validate_table "$t"
figure "$out/$t.csv" "$t" "eyrie against SCALE-Sim 3.0.0 (96 shapes x 3 dataflows)" --kind parity \
  --x paper --y eyrie
