#!/usr/bin/env bash
# Eyeriss JSSC 2017 Table V: the chip on AlexNet CONV1-5 at batch 4, per layer:
# DRAM accesses, processing and total latency, active PEs (tolerance 15 %, ±14 PEs).
#   scripts/reproduce/eyeriss-jssc-alexnet.sh [OUT_DIR]
source "$(dirname "$0")/common.sh"
t=eyeriss-jssc-alexnet
validate_table "$t"
figure "$out/$t.csv" "$t" "Eyeriss JSSC 2017 Table V: AlexNet, batch 4" --kind reference \
  --filter "quantity!=active PEs"
figure "$out/$t.csv" "$t-pes" "Eyeriss JSSC 2017 Table V: active PEs of 168" --kind reference \
  --filter "quantity=active PEs"
