//! ONNX import on real trained models (PP-OCR from `rapidocr-onnxruntime`,
//! Silero VAD from `silero-vad`), checked against MACs, MAC-layer counts and
//! weight counts computed independently by `scripts/onnx_reference.py` with
//! the `onnx` Python package. `scripts/fetch-onnx-models.sh` downloads the
//! models and writes `reference.json` into `$EYRIE_MODELS` (default
//! `target/onnx-models/`); without them these tests print why they skip, and
//! under CI (`CI` set) they fail instead.

use std::collections::BTreeMap;
use std::path::PathBuf;

use eyrie_workloads::LayerKind;
use eyrie_workloads::onnx::{ImportOptions, InputShape, OnnxImport, import_file};
use serde::Deserialize;

#[derive(Debug, Deserialize)]
struct NodeRef {
    macs: u64,
}

#[derive(Debug, Deserialize)]
struct Reference {
    input_shapes: BTreeMap<String, Vec<u64>>,
    macs: u64,
    mac_layers: usize,
    weights_in_file: u64,
    pool_nodes: usize,
    nodes: BTreeMap<String, NodeRef>,
}

fn models_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("EYRIE_MODELS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/onnx-models"));
    if dir.join("reference.json").is_file() {
        return Some(dir);
    }
    let why = format!("no ONNX models in {} (run scripts/fetch-onnx-models.sh)", dir.display());
    if std::env::var_os("CI").is_some() {
        panic!("{why}: CI must run the real-model tests");
    }
    eprintln!("SKIPPED: {why}");
    None
}

fn references(dir: &std::path::Path) -> BTreeMap<String, Reference> {
    let text = std::fs::read_to_string(dir.join("reference.json")).unwrap_or_default();
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("reference.json: {e}"))
}

fn opts(shapes: &BTreeMap<String, Vec<u64>>) -> ImportOptions {
    let input_shapes = shapes
        .iter()
        .map(|(n, d)| InputShape { name: if n.is_empty() { None } else { Some(n.clone()) }, dims: d.clone() })
        .collect();
    ImportOptions { input_shapes, skip_unknown: false }
}

fn import(dir: &std::path::Path, model: &str, opts: &ImportOptions) -> OnnxImport {
    import_file(&dir.join(model), opts).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn real_models_match_the_onnx_reference() {
    let Some(dir) = models_dir() else { return };
    let refs = references(&dir);
    assert!(refs.len() >= 5, "reference.json has {} models", refs.len());
    for (model, r) in &refs {
        let imp = import(&dir, model, &opts(&r.input_shapes));
        let net = &imp.network;
        let real: u64 = imp.weights.values().map(|(_, v)| v.len() as u64).sum();
        let pools = net.layers.iter().filter(|l| l.kind == LayerKind::Pool).count();
        eprintln!(
            "{model}: {} layers, {} MAC layers (reference {}), {} MACs (reference {}), {} weights from the file (reference {})",
            net.layers.len(),
            net.compute_layers(),
            r.mac_layers,
            net.macs(),
            r.macs,
            real,
            r.weights_in_file
        );
        assert_eq!(net.macs(), r.macs, "{model}: MACs");
        assert_eq!(net.compute_layers(), r.mac_layers, "{model}: MAC layers");
        assert_eq!(real, r.weights_in_file, "{model}: weights from the file");
        assert_eq!(pools, r.pool_nodes, "{model}: pooling and reduction layers");
        assert!(imp.report.skipped.is_empty());
        // Node by node: the layers lowered from a node carry its MACs.
        let mut per_node: BTreeMap<&str, u64> = BTreeMap::new();
        for (l, o) in net.layers.iter().zip(&imp.report.layers) {
            *per_node.entry(o.node.as_str()).or_default() += l.macs();
        }
        for (node, want) in &r.nodes {
            assert_eq!(per_node.get(node.as_str()).copied(), Some(want.macs), "{model}: node {node}");
        }
        for l in &net.layers {
            assert!(l.check().is_empty(), "{model}: layer {} is not a valid loop nest: {:?}", l.name, l.check());
            if let Some((_, v)) = imp.weights.get(&l.name) {
                assert_eq!(v.len() as u64, l.weights(), "{model}: {}", l.name);
                assert!(v.iter().all(|x| x.is_finite()), "{model}: {} has non-finite weights", l.name);
            }
        }
    }
}

#[test]
fn silero_lstm_is_lowered_to_gate_matmuls() {
    let Some(dir) = models_dir() else { return };
    let shapes = BTreeMap::from([("input".to_string(), vec![4, 576])]);
    let imp = import(&dir, "silero_vad_16k_sequence.onnx", &opts(&shapes));
    let x: Vec<_> =
        imp.network.layers.iter().filter(|l| l.name.ends_with("/x_fwd") || l.name.ends_with("/h_fwd")).collect();
    assert_eq!(x.len(), 2, "{:?}", imp.network.layers.iter().map(|l| &l.name).collect::<Vec<_>>());
    // Hidden size 128: 4 gates × 128 outputs, 128 inputs (encoder features) and 128 hidden.
    for l in x {
        assert_eq!((l.kind, l.c, l.k), (LayerKind::Matmul, 128, 512), "{}", l.name);
        assert_eq!(imp.weights.get(&l.name).map(|w| w.0.clone()), Some(vec![512, 128]));
    }
}

#[test]
fn silero_with_control_flow_matches_the_static_export() {
    // The op15 export wraps the decoder in `If` nodes whose conditions depend
    // only on shapes; inlined, it is the same network as the static OpenVINO
    // export of the same weights, whose MACs the reference computed.
    let Some(dir) = models_dir() else { return };
    let refs = references(&dir);
    let Some(r) = refs.get("silero_vad_openvino_16k.onnx") else {
        panic!("no reference for silero_vad_openvino_16k.onnx")
    };
    let shapes = BTreeMap::from([("input".to_string(), vec![1, 576])]);
    let imp = import(&dir, "silero_vad_16k_op15.onnx", &opts(&shapes));
    assert!(imp.report.inlined_ifs.len() >= 3, "{:?}", imp.report.inlined_ifs);
    assert_eq!(imp.network.macs(), r.macs);
    assert_eq!(imp.network.compute_layers(), r.mac_layers);
}
