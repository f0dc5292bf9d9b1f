#!/usr/bin/env bash
# Benchmark the compressor: all of AlexNet (61 M synthetic weights) with magnitude
# pruning, 5-bit k-means, 4-bit relative-index CSC and Huffman coding (divan, 3 samples),
# then the wall time of the release CLI on Deep Compression's AlexNet recipe.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo bench -p eyrie-workloads --bench compress
cargo build --release --quiet
start=$(date +%s.%N)
target_dir="${CARGO_TARGET_DIR:-target}"
"$target_dir/release/eyrie" compress --net alexnet --recipe workloads/recipes/deep-compression-alexnet.toml --format csv > /dev/null
end=$(date +%s.%N)
echo "eyrie compress --net alexnet (deep-compression-alexnet.toml), release CLI: $(echo "$end - $start" | bc) s wall"
