#!/usr/bin/env bash
# Stripes MICRO 2016: speedup of Stripes over DaDianNao on the paper's six
# networks (conv layers), with the abstract's average and range (tolerance 5 % on
# the average, 10 % on the range ends), energy efficiency, and Pragmatic's terms
# fraction. Per-layer precisions: the paper's Table 2 as recalled (UNCONFIRMED
# inputs; its per-network speedups are not available, so those bars are eyrie's only).
#   scripts/reproduce/stripes.sh [OUT_DIR]
source "$(dirname "$0")/common.sh"
t=stripes
validate_table "$t"
figure "$out/$t.csv" "$t" "Stripes over DaDianNao (conv layers)" --kind reference \
  --filter "quantity=speedup over DaDianNao"
figure "$out/$t.csv" "$t-efficiency" "Stripes: energy efficiency and terms processed" --kind reference \
  --filter "quantity!=speedup over DaDianNao" --filter "quantity!=Dynamic Stripes speedup over Stripes"
