#!/usr/bin/env bash
# Reproduce the Stripes paper's comparison with DaDianNao (Judd et al., MICRO 2016):
# the six networks of its evaluation, per-layer tables (cycles, speedup, energy
# efficiency), a per-network summary with means, and the paper's headline figures
# against eyrie's with the tolerances of docs/reference/stripes.toml.
# Then the sensitivity runs of docs/stripes.md: Dynamic Stripes (per-group precision
# measured on seeded synthetic activations) and DaDianNao reading its synapse buffer
# every cycle (no weight reuse).
#
# Usage: scripts/stripes-vs-dadiannao.sh [--summary] [PROFILE]
#   PROFILE: stripes (100 % accuracy, default) or stripes-99, or a profile TOML file.
#   EYRIE=path/to/eyrie to use a built binary instead of `cargo run --release`.
set -euo pipefail
cd "$(dirname "$0")/.."

summary=()
if [[ "${1:-}" == "--summary" ]]; then
  summary=(--summary)
  shift
fi
profile="${1:-stripes}"
if [[ -n "${EYRIE:-}" ]]; then
  eyrie=("$EYRIE")
else
  eyrie=(cargo run --release --quiet --)
fi
nets=()
for n in alexnet nin googlenet vgg-m vgg-s vgg19; do
  nets+=(--net "$n")
done
ref=()
[[ "$profile" == "stripes" ]] && ref=(--reference stripes)

echo "== Stripes vs DaDianNao, precision profile: $profile"
"${eyrie[@]}" compare --arch dadiannao --arch stripes --precision-profile "$profile" "${nets[@]}" \
  "${summary[@]}" "${ref[@]}"

echo
echo "== Sensitivity: Dynamic Stripes (seed 1) and DaDianNao without weight reuse"
"${eyrie[@]}" compare --arch dadiannao --arch stripes --arch stripes,bit_serial.dynamic_precision=true \
  --arch dadiannao,bit_serial.weight_reuse_windows=1 --precision-profile "$profile" "${nets[@]}" --summary
