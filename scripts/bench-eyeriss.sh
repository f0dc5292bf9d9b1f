#!/usr/bin/env bash
# Benchmark the dense spatial engine: Eyeriss x AlexNet and Eyeriss x VGG-16,
# one thread (RAYON_NUM_THREADS=1), release build, best of N runs.
# Usage: scripts/bench-eyeriss.sh [runs]   (default 3)
# Goals (issue #4): AlexNet well under a second, VGG-16 a few seconds.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
cargo build --release --quiet
bin=${CARGO_TARGET_DIR:-target}/release/eyrie
export RAYON_NUM_THREADS=1
best() {
  local b=999999
  for _ in $(seq "$runs"); do
    local s e
    s=$(date +%s.%N)
    "$bin" run "$@" --format csv > /dev/null
    e=$(date +%s.%N)
    b=$(echo "$e - $s" | bc -l | awk -v b="$b" '{print ($1 < b) ? $1 : b}')
  done
  printf '%.3f' "$b"
}
printf '%-34s %s\n' "case (1 thread, best of $runs)" "seconds"
printf '%-34s %s\n' "eyeriss alexnet batch 4" "$(best --arch eyeriss --net alexnet --batch 4)"
printf '%-34s %s\n' "eyeriss vgg16 batch 3" "$(best --arch eyeriss --net vgg16 --batch 3)"
printf '%-34s %s\n' "eyeriss resnet50 batch 1" "$(best --arch eyeriss --net resnet50)"
printf '%-34s %s\n' "eyeriss mobilenetv2 batch 1" "$(best --arch eyeriss --net mobilenetv2)"
