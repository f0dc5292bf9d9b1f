#!/usr/bin/env bash
# Run one example sweep and draw its figures:
#   scripts/sweeps/run.sh NAME [eyrie sweep options...]
# NAME is a file scripts/sweeps/NAME.toml. Results and figures go to
# out/sweeps/NAME (points.csv, layers.csv, sweep.json, *.png, *.svg). The run
# resumes if interrupted: run the same command again.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ $# -lt 1 ] || [ ! -f "scripts/sweeps/$1.toml" ]; then
  echo "usage: $0 NAME [eyrie sweep options]; NAME is one of:" >&2
  for f in scripts/sweeps/*.toml; do
    case "$f" in *-recipe.toml) ;; *) echo "  $(basename "$f" .toml)" >&2 ;; esac
  done
  exit 2
fi
name=$1
shift
exec cargo run --release --quiet -- sweep "scripts/sweeps/$name.toml" --out "out/sweeps/$name" --resume "$@"
