#!/usr/bin/env bash
# EIE ISCA 2016 Table IV: latency of the nine benchmark layers on 64 PEs at
# 800 MHz, actual and theoretical (tolerance 10 %).
#   scripts/reproduce/eie-table4.sh [OUT_DIR]
source "$(dirname "$0")/common.sh"
t=eie-table4
validate_table "$t"
figure "$out/$t.csv" "$t" "EIE ISCA 2016 Table IV: latency, 64 PEs" --kind reference
