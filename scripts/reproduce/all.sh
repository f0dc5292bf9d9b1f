#!/usr/bin/env bash
# Every reproduction script, into one folder (default out/reproduce), then the
# whole validation (validate.csv, validate.json). Exit status: eyrie validate's
# with --allow-documented (non-zero only for an unexplained miss).
#   scripts/reproduce/all.sh [OUT_DIR]
source "$(dirname "$0")/common.sh"
export EYRIE
here="$(dirname "$0")"
for s in eyeriss-jssc-alexnet eyeriss-isca-dataflows eie-table4 eie-queue-depth stripes \
         deep-compression-alexnet scalesim-parity; do
  echo "== $s"
  bash "$here/$s.sh" "$out" > "$out/$s.log"
  grep -h "figures against" "$out/$s.log" || tail -n 3 "$out/$s.log"
done
echo "== eyrie validate"
"$EYRIE" validate --allow-documented --out "$out" | tail -n 1
