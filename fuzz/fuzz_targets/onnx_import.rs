//! Fuzz the ONNX importer: any bytes must give a network or an error, never a
//! panic (`-a` keeps overflow checks on). Seed a corpus with copies of the fixtures
//! (libFuzzer writes into its corpus folder):
//! `mkdir -p corpus && cp ../workloads/tests/fixtures/onnx/*.onnx corpus/ && cargo +nightly fuzz run -a onnx_import corpus`.

#![no_main]

use eyrie_workloads::onnx::{ImportOptions, import_bytes};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let opts = ImportOptions { input_shapes: Vec::new(), skip_unknown: data.first().is_some_and(|b| b & 1 == 1) };
    let _ = import_bytes("fuzz.onnx", "fuzz", data, None, &opts);
});
