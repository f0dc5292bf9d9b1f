#!/usr/bin/env bash
# Deep Compression ICLR 2016 Table 4: AlexNet's compression rate per layer with the
# paper's weights kept, bit widths and 4-bit indices on seeded synthetic weights,
# without Huffman coding (tolerance 5 %) and with it (context: Huffman's gain
# depends on trained weights).
#   scripts/reproduce/deep-compression-alexnet.sh [OUT_DIR]
source "$(dirname "$0")/common.sh"
t=deep-compression-alexnet
validate_table "$t"
figure "$out/$t.csv" "$t" "Deep Compression Table 4: AlexNet, size / 32-bit size" --kind reference
