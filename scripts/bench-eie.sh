#!/usr/bin/env bash
# Speed of the EIE engine: AlexNet FC6 phase by phase and the nine EIE benchmark
# layers end to end, on one thread, in an optimized build (sim/benches/eie.rs).
# Goals (issue #6): FC6 recurrence < 50 ms excluding matrix generation; all nine < 1 s.
#
#   scripts/bench-eie.sh            # prints the timings
set -euo pipefail
cd "$(dirname "$0")/.."
RAYON_NUM_THREADS=1 cargo bench -p eyrie-sim --bench eie "$@"
