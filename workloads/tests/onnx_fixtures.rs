//! ONNX import on the small hand-built fixtures of `tests/fixtures/onnx/`
//! (written by `scripts/make-onnx-fixtures.py`): every lowered operator and
//! every error. Expected shapes, MACs and weights are computed by hand in the
//! comments from the fixture script's definitions.

use std::path::{Path, PathBuf};

use eyrie_workloads::LayerKind;
use eyrie_workloads::onnx::{ImportOptions, InputShape, OnnxError, OnnxImport, import_bytes, import_file};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/onnx").join(name)
}

fn import_with(name: &str, opts: &ImportOptions) -> OnnxImport {
    match import_file(&fixture(name), opts) {
        Ok(i) => i,
        Err(e) => panic!("{name}: {e}"),
    }
}

fn import(name: &str) -> OnnxImport {
    import_with(name, &ImportOptions::default())
}

fn error(name: &str, opts: &ImportOptions) -> OnnxError {
    match import_file(&fixture(name), opts) {
        Ok(_) => panic!("{name} imported, but it should fail"),
        Err(e) => e,
    }
}

fn weights<'a>(imp: &'a OnnxImport, layer: &str) -> &'a (Vec<usize>, Vec<f32>) {
    imp.weights.get(layer).unwrap_or_else(|| panic!("no weights for `{layer}`: {:?}", imp.weights.keys()))
}

/// Every weight tensor matches its layer's loop nest.
fn check_weight_shapes(imp: &OnnxImport) {
    for l in &imp.network.layers {
        if let Some((shape, v)) = imp.weights.get(&l.name) {
            assert_eq!(shape.iter().product::<usize>(), v.len(), "{}", l.name);
            assert_eq!(v.len() as u64, l.weights(), "{}: weights vs loop nest", l.name);
        }
    }
}

#[test]
fn conv_batchnorm_relu_pool_gemm() {
    let imp = import("cnn.onnx");
    check_weight_shapes(&imp);
    let net = &imp.network;
    assert_eq!(net.name, "cnn");
    let kinds: Vec<LayerKind> = net.layers.iter().map(|l| l.kind).collect();
    assert_eq!(kinds, [LayerKind::Conv, LayerKind::Eltwise, LayerKind::Pool, LayerKind::Fc]);
    let conv = &net.layers[0];
    assert_eq!((conv.c, conv.k, conv.h, conv.r, conv.p, conv.q, conv.pad_h), (3, 8, 8, 3, 8, 8, 1));
    // 8 filters × 3 channels × 3×3 taps × 8×8 outputs.
    assert_eq!(conv.macs(), 13_824);
    let pool = &net.layers[2];
    assert_eq!((pool.c, pool.r, pool.stride_h, pool.p, pool.q), (8, 2, 2, 4, 4));
    let fc = &net.layers[3];
    assert_eq!((fc.n, fc.c, fc.k, fc.macs()), (1, 128, 10, 1_280));
    assert_eq!(net.macs(), 15_104);
    // BatchNorm folded: every weight is 1, scaled by gamma / sqrt(var + eps) = (k + 1) / 2.
    assert_eq!(imp.report.layers[0].folded, ["bn1 (BatchNormalization)"]);
    let (shape, w) = weights(&imp, "conv1");
    assert_eq!(shape, &[8, 3, 3, 3]);
    assert_eq!((w[0], w[26], w[27], w[215]), (0.5, 0.5, 1.0, 4.0));
    // Gemm with transB = 1 stores [outputs, inputs] already: w2[j] = j / 1280.
    let (shape, w) = weights(&imp, "fc");
    assert_eq!(shape, &[10, 128]);
    assert_eq!((w[1], w[128]), (1.0 / 1280.0, 128.0 / 1280.0));
    assert_eq!(imp.report.data_movement.len(), 1);
    assert_eq!(imp.report.data_movement[0].op, "Flatten");
    assert_eq!(imp.report.outputs, [("y".to_string(), vec![1, 10])]);
}

#[test]
fn depthwise_dilated_strided_and_asymmetric_padding() {
    let imp = import("depthwise.onnx");
    check_weight_shapes(&imp);
    let l = &imp.network.layers;
    // Unnamed nodes are named after their operator and position.
    assert_eq!((l[0].name.as_str(), l[1].name.as_str()), ("Conv_0", "Conv_1"));
    // ⌊(9 + 2 + 2 − 2·(3 − 1) − 1) / 2⌋ + 1 = 5; depthwise: 8 × 1 × 9 × 25.
    assert_eq!((l[0].groups, l[0].dil_h, l[0].stride_w, l[0].p, l[0].q), (8, 2, 2, 5, 5));
    assert_eq!(l[0].macs(), 1_800);
    // Pads 0 before, 1 after: (5 + 1 − 2) / 1 + 1 = 5; 4 × 8 × 4 × 25.
    assert_eq!((l[1].p, l[1].q, l[1].macs()), (5, 5, 3_200));
    assert!(imp.report.layers[1].note.as_deref().is_some_and(|n| n.contains("asymmetric")));
}

#[test]
fn one_dimensional_conv_runs_along_the_width() {
    let imp = import("conv1d.onnx");
    let l = &imp.network.layers[0];
    // SAME_UPPER with stride 2 on 16: 8 outputs; 6 × 4 × 3 × 8.
    assert_eq!((l.h, l.w, l.r, l.s, l.p, l.q, l.stride_w), (1, 16, 1, 3, 1, 8, 2));
    assert_eq!(l.macs(), 576);
    assert_eq!(weights(&imp, "conv1d").0, [6, 4, 1, 3]);
}

#[test]
fn conv_transpose_as_one_by_one_products() {
    let imp = import("conv_transpose.onnx");
    check_weight_shapes(&imp);
    let l = &imp.network.layers;
    // up1: 4 inputs × 25 pixels × 2 filters × 2×2 taps = 800 MACs, 8 products per pixel.
    assert_eq!((l[0].c, l[0].k, l[0].h, l[0].r, l[0].p), (4, 8, 5, 1, 5));
    assert_eq!(l[0].macs(), 800);
    assert_eq!(imp.report.layers[0].folded, ["up1_bias (Add)"]);
    // ONNX weight [ci][ko][r][s] = 8·ci + (4·ko + 2·r + s) lands at row (ko, r, s), column ci.
    let (shape, w) = weights(&imp, "up1");
    assert_eq!(shape, &[8, 4, 1, 1]);
    assert_eq!((w[0], w[1], w[4], w[31]), (0.0, 8.0, 1.0, 31.0));
    // up2: 2 × 100 × 3 × 9 = 5,400; output 2·(10 − 1) + 1 + 3 − 2 = 20.
    assert_eq!(l[1].macs(), 5_400);
    assert_eq!(imp.report.layers[1].output_shape, [1, 3, 20, 20]);
    assert!(imp.report.layers[1].note.as_deref().is_some_and(|n| n.contains("overlapping")));
}

#[test]
fn matmul_with_weights_batched_activations_and_gemm_alpha() {
    let imp = import("matmul.onnx");
    check_weight_shapes(&imp);
    let l = &imp.network.layers;
    // proj: [2, 5, 6] × [6, 4]: 10 rows share the weights.
    assert_eq!((l[0].kind, l[0].n, l[0].c, l[0].k, l[0].macs()), (LayerKind::Matmul, 10, 6, 4, 240));
    let (shape, w) = weights(&imp, "proj");
    assert_eq!(shape, &[4, 6]);
    assert_eq!(&w[..6], &[0.0, 4.0, 8.0, 12.0, 16.0, 20.0]);
    // attn: two independent [5, 6] × [6, 3] products, one group each.
    assert_eq!((l[1].groups, l[1].n, l[1].c, l[1].k, l[1].macs()), (2, 5, 12, 6, 180));
    assert!(!imp.weights.contains_key("attn"));
    // gemm: alpha = 2 is folded into the weights.
    assert_eq!((l[2].kind, l[2].n, l[2].macs()), (LayerKind::Fc, 3, 72));
    assert!(weights(&imp, "gemm").1.iter().all(|&x| x == 2.0));
}

#[test]
fn lstm_and_gru_become_gate_matmuls() {
    let imp = import("recurrent.onnx");
    check_weight_shapes(&imp);
    let names: Vec<&str> = imp.network.layers.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "lstm/x_fwd",
            "lstm/h_fwd",
            "lstm/cell_fwd",
            "lstm/x_bwd",
            "lstm/h_bwd",
            "lstm/cell_bwd",
            "gru/x_fwd",
            "gru/h_fwd",
            "gru/cell_fwd"
        ]
    );
    let l = &imp.network.layers;
    // 5 steps × batch 2 rows; LSTM 4·3 gate outputs from 4 inputs / 3 hidden.
    assert_eq!((l[0].n, l[0].c, l[0].k, l[0].macs()), (10, 4, 12, 480));
    assert_eq!((l[1].c, l[1].macs()), (3, 360));
    assert_eq!(l[2].kind, LayerKind::Eltwise);
    // GRU: 3 gates.
    assert_eq!((l[6].k, l[6].macs(), l[7].macs()), (9, 360, 270));
    assert_eq!(imp.network.macs(), 2 * (480 + 360) + 360 + 270);
    // The backward direction's input weights are the second half of W.
    let (shape, w) = weights(&imp, "lstm/x_bwd");
    assert_eq!(shape, &[12, 4]);
    assert_eq!((w[0], w[47]), (48.0, 95.0));
}

#[test]
fn data_movement_follows_shapes_and_no_mac_layers_remain() {
    let imp = import("data_movement.onnx");
    let names: Vec<&str> = imp.network.layers.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(names, ["relu", "softmax", "gap", "mean", "residual"]);
    assert_eq!(imp.network.macs(), 0);
    let moved: Vec<&str> = imp.report.data_movement.iter().map(|m| m.op.as_str()).collect();
    assert_eq!(moved, ["Transpose", "Split", "Concat", "Resize", "Slice", "Pad", "Reshape", "Unsqueeze", "Squeeze"]);
    // Shape, Gather and the Concat of the reshape target are computed at import.
    assert_eq!(imp.report.folded_constants, 3);
    let shape_of = |op: &str| imp.report.data_movement.iter().find(|m| m.op == op).map(|m| m.output_shape.clone());
    // [1, 6, 6, 4] → resize ×2 → [1, 12, 12, 4] → rows 2..10 → pad 1+1 → [1, 10, 12, 4] → [1, 480].
    assert_eq!(shape_of("Resize"), Some(vec![1, 12, 12, 4]));
    assert_eq!(shape_of("Pad"), Some(vec![1, 10, 12, 4]));
    assert_eq!(shape_of("Reshape"), Some(vec![1, 480]));
    let l = &imp.network.layers;
    assert_eq!((l[1].n, l[1].c, l[1].input_words()), (1, 480, 480));
    assert_eq!((l[2].kind, l[2].r, l[2].s, l[2].p, l[2].output_words()), (LayerKind::Pool, 6, 6, 1, 4));
    // ReduceMean over 6×6 of 4 channels: 4 outputs, each a window of 36 inputs.
    assert_eq!((l[3].c, l[3].s, l[3].input_words(), l[3].output_words()), (4, 36, 144, 4));
    assert_eq!((l[4].kind, l[4].input_words()), (LayerKind::Eltwise, 2 * 144));
    let outs: Vec<(&str, &[u64])> = imp.report.outputs.iter().map(|(n, s)| (n.as_str(), s.as_slice())).collect();
    assert_eq!(outs, [("sm", &[1, 480][..]), ("gap", &[1, 4, 1, 1]), ("rm", &[1, 4]), ("res", &[1, 4, 6, 6])]);
}

#[test]
fn fp16_weights_are_converted() {
    let imp = import("fp16.onnx");
    check_weight_shapes(&imp);
    assert_eq!(weights(&imp, "conv").1, [0.5, -1.25, 2.0, 0.125, -0.5, 3.0]);
    let (shape, w) = weights(&imp, "fc");
    assert_eq!((shape.as_slice(), w.iter().all(|&x| x == 0.25)), (&[2, 8][..], true));
}

#[test]
fn int8_weights_are_dequantized() {
    let imp = import("int8.onnx");
    check_weight_shapes(&imp);
    // (q − zero) · scale per output channel: channel 0 (0, 0.5), channel 1 (2, 0.25).
    assert_eq!(weights(&imp, "conv").1, [5.0, -5.0, 2.0, 1.5, -0.5, -1.0]);
    // QLinearConv: (q − 1) · 0.5.
    assert_eq!(weights(&imp, "qconv").1, [1.0, -2.0]);
    let kinds: Vec<LayerKind> = imp.network.layers.iter().map(|l| l.kind).collect();
    assert_eq!(kinds, [LayerKind::Conv, LayerKind::Eltwise, LayerKind::Conv]);
    assert_eq!(imp.network.macs(), 24 + 8);
}

#[test]
fn integer_matmul_and_conv_subtract_their_zero_points() {
    let imp = import("integer_ops.onnx");
    check_weight_shapes(&imp);
    // MatMulInteger: B − [1, 2] per column = [[3, −6], [1, 4]], stored [outputs, inputs].
    assert_eq!(weights(&imp, "mmi").1, [3.0, 1.0, -6.0, 4.0]);
    // ConvInteger: w − 3.
    assert_eq!(weights(&imp, "convi").1, [2.0, 0.0, -4.0, 4.0]);
    // QLinearMatMul: (B − 0) · 0.5, transposed.
    assert_eq!(weights(&imp, "qmm").1, [2.0, 1.0, -2.0, 3.0]);
    let macs: Vec<u64> = imp.network.layers.iter().map(|l| l.macs()).collect();
    assert_eq!(macs, [3 * 2 * 2, 2 * 2 * 9, 3 * 2 * 2]);
}

#[test]
fn ceil_mode_pooling_rnn_and_more_data_movement() {
    let imp = import("more_ops.onnx");
    let l = &imp.network.layers;
    // 6×6, 3×3 window, stride 2, pad 1, ceil_mode: ⌈(8 − 3) / 2⌉ + 1 = 4.
    assert_eq!((l[0].kind, l[0].r, l[0].stride_h, l[0].p, l[0].q), (LayerKind::Pool, 3, 2, 4, 4));
    let moved: Vec<(&str, &[u64])> =
        imp.report.data_movement.iter().map(|m| (m.op.as_str(), m.output_shape.as_slice())).collect();
    assert_eq!(
        moved,
        [
            ("DepthToSpace", &[1, 2, 8, 8][..]),
            ("Tile", &[1, 2, 8, 16]),
            ("Expand", &[2, 2, 8, 16]),
            ("Gather", &[2, 2, 8, 16]),
            ("Reshape", &[4, 8, 16])
        ]
    );
    // RNN: 4 steps × batch 8 rows, 16 inputs and 5 hidden → 5 outputs, one gate.
    assert_eq!((l[1].name.as_str(), l[1].n, l[1].c, l[1].k, l[1].macs()), ("rnn/x_fwd", 32, 16, 5, 2_560));
    assert_eq!((l[2].c, l[2].macs()), (5, 800));
}

#[test]
fn if_with_a_constant_condition_is_inlined() {
    let imp = import("if_const.onnx");
    assert_eq!(imp.report.inlined_ifs, ["branch (then_branch)"]);
    assert_eq!(imp.network.layers.len(), 1);
    assert_eq!((imp.network.layers[0].name.as_str(), imp.network.macs()), ("then_conv", 2 * 4 * 25));
}

#[test]
fn unknown_operators_are_all_listed() {
    let e = error("unknown_ops.onnx", &ImportOptions::default());
    let OnnxError::UnknownOps { ops, .. } = &e else { panic!("{e}") };
    let want = [("fancy", "com.example.FancyOp"), ("einsum", "Einsum"), ("nonzero", "NonZero")];
    assert_eq!(ops.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect::<Vec<_>>(), want);
    let msg = e.to_string();
    assert!(msg.contains("3 operators cannot be lowered") && msg.contains("node `einsum` (Einsum)"), "{msg}");
    assert!(msg.contains("--skip-unknown"), "{msg}");
}

#[test]
fn skip_unknown_counts_them_as_no_mac_layers() {
    let imp = import_with("unknown_ops.onnx", &ImportOptions { skip_unknown: true, ..ImportOptions::default() });
    let skipped: Vec<(&str, usize)> = imp.report.skipped.iter().map(|(k, v)| (k.as_str(), v.len())).collect();
    assert_eq!(skipped, [("Einsum", 1), ("NonZero", 1), ("com.example.FancyOp", 1)]);
    let names: Vec<&str> = imp.network.layers.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(names, ["relu", "fancy", "einsum", "nonzero", "conv"]);
    assert_eq!(imp.network.layers[1].kind, LayerKind::Eltwise);
    assert_eq!(imp.network.macs(), 2 * 3 * 16);
}

#[test]
fn symbolic_inputs_need_a_shape() {
    let e = error("symbolic.onnx", &ImportOptions::default()).to_string();
    assert!(e.contains("`x` [N, 3, H, W]") && e.contains("--input-shape"), "{e}");
    let shape = |s: &str| ImportOptions {
        input_shapes: vec![s.parse().unwrap_or_else(|m| panic!("{m}"))],
        skip_unknown: false,
    };
    let imp = import_with("symbolic.onnx", &shape("1x3x10x12"));
    let l = &imp.network.layers[0];
    assert_eq!((l.p, l.q, l.macs()), (8, 10, 4 * 27 * 80));
    assert_eq!(imp.report.inputs, [("x".to_string(), vec![1, 3, 10, 12])]);
    assert_eq!(import_with("symbolic.onnx", &shape("x=2x3x5x5")).network.layers[0].n, 2);
    let e = error("symbolic.onnx", &shape("1x3x10")).to_string();
    assert!(e.contains("rank 4"), "{e}");
    let e = error("symbolic.onnx", &shape("y=1x3x10x10")).to_string();
    assert!(e.contains("`y`, which is not a graph input; inputs: x"), "{e}");
}

#[test]
fn input_shape_syntax() {
    assert_eq!("1x3x224x224".parse(), Ok(InputShape { name: None, dims: vec![1, 3, 224, 224] }));
    assert_eq!("state=2x1x128".parse(), Ok(InputShape { name: Some("state".into()), dims: vec![2, 1, 128] }));
    assert!("1x0x3".parse::<InputShape>().is_err());
    assert!("axb".parse::<InputShape>().is_err());
    assert_eq!(InputShape { name: Some("s".into()), dims: vec![2, 1] }.to_string(), "s=2x1");
}

#[test]
fn data_dependent_reshape_is_a_clear_error() {
    let e = error("dynamic_reshape.onnx", &ImportOptions::default());
    let OnnxError::Node { node, op, msg, .. } = &e else { panic!("{e}") };
    assert_eq!((node.as_str(), op.as_str()), ("reshape", "Reshape"));
    assert!(msg.contains("must be a constant"), "{msg}");
}

#[test]
fn old_opsets_are_refused() {
    let e = error("old_opset.onnx", &ImportOptions::default()).to_string();
    assert!(e.contains("opset 6 is older than 7"), "{e}");
}

#[test]
fn truncated_corrupt_empty_and_missing_files_are_clear_errors() {
    for f in ["truncated.onnx", "corrupt.onnx", "empty.onnx"] {
        let e = error(f, &ImportOptions::default());
        assert!(matches!(e, OnnxError::Decode { .. }), "{f}: {e}");
        assert!(e.to_string().contains("truncated or corrupt"), "{f}: {e}");
    }
    let e = error("no-such-model.onnx", &ImportOptions::default());
    assert!(matches!(e, OnnxError::Io { .. }), "{e}");
}

#[test]
fn every_prefix_and_byte_flip_of_a_model_fails_cleanly() {
    // No panic on any truncation or single corrupted byte (the importer's fuzz target does more).
    let bytes = std::fs::read(fixture("cnn.onnx")).unwrap_or_default();
    assert!(bytes.len() > 1000);
    let opts = ImportOptions::default();
    for cut in 0..bytes.len() {
        let _ = import_bytes("cut.onnx", "cut", &bytes[..cut], None, &opts);
    }
    let mut state = 0x2545_f491_4f6c_dd1du64;
    for _ in 0..2000 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let mut b = bytes.clone();
        let i = (state % b.len() as u64) as usize;
        b[i] ^= (state >> 32) as u8 | 1;
        let _ = import_bytes("flip.onnx", "flip", &b, None, &opts);
    }
}

#[test]
fn load_network_dispatches_on_the_extension() {
    let path = fixture("cnn.onnx");
    let net = eyrie_workloads::load_network(&path.display().to_string()).map_err(|e| e.to_string());
    assert_eq!(net.map(|n| n.macs()), Ok(15_104));
    let opts = ImportOptions { skip_unknown: true, ..ImportOptions::default() };
    let e = eyrie_workloads::load_network_with("alexnet", &opts).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(e.contains("apply to .onnx models only"), "{e}");
}

/// Models built in Rust for the regressions the fuzz target found.
mod fuzz_regressions {
    use eyrie_workloads::onnx::proto::{
        AttributeProto, GraphProto, ModelProto, NodeProto, OperatorSetIdProto, TensorProto, TensorShapeProto,
        TypeProto, ValueInfoProto, tensor_shape_proto, type_proto,
    };
    use eyrie_workloads::onnx::{ImportOptions, import_bytes};
    use prost::Message;

    fn input(name: &str, dims: &[i64]) -> ValueInfoProto {
        let dim = dims
            .iter()
            .map(|&d| tensor_shape_proto::Dimension {
                value: Some(tensor_shape_proto::dimension::Value::DimValue(d)),
                ..Default::default()
            })
            .collect();
        let tensor = type_proto::Tensor { elem_type: Some(1), shape: Some(TensorShapeProto { dim }) };
        ValueInfoProto {
            name: Some(name.into()),
            r#type: Some(TypeProto { value: Some(type_proto::Value::TensorType(tensor)), ..Default::default() }),
            ..Default::default()
        }
    }

    fn node(op: &str, ins: &[&str], outs: &[&str], ints: &[(&str, Vec<i64>)]) -> NodeProto {
        NodeProto {
            op_type: Some(op.into()),
            name: Some(op.to_lowercase()),
            input: ins.iter().map(|s| s.to_string()).collect(),
            output: outs.iter().map(|s| s.to_string()).collect(),
            attribute: ints
                .iter()
                .map(|(n, v)| AttributeProto {
                    name: Some(n.to_string()),
                    ints: v.clone(),
                    i: v.first().copied(),
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        }
    }

    fn import_err(x: &[i64], nodes: Vec<NodeProto>, inits: Vec<TensorProto>) -> String {
        let g = GraphProto { node: nodes, input: vec![input("x", x)], initializer: inits, ..Default::default() };
        let m = ModelProto {
            ir_version: Some(8),
            opset_import: vec![OperatorSetIdProto { domain: Some(String::new()), version: Some(17) }],
            graph: Some(g),
            ..Default::default()
        };
        match import_bytes("m.onnx", "m", &m.encode_to_vec(), None, &ImportOptions::default()) {
            Ok(_) => panic!("imported"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn split_sizes_that_overflow() {
        let e =
            import_err(&[4], vec![node("Split", &["x"], &["a", "b"], &[("split", vec![i64::MAX, i64::MAX])])], vec![]);
        assert!(e.contains("does not add up to 4"), "{e}");
    }

    #[test]
    fn axis_of_a_scalar() {
        let e = import_err(&[], vec![node("Split", &["x"], &["a"], &[])], vec![]);
        assert!(e.contains("outside a rank-0 tensor"), "{e}");
    }

    #[test]
    fn node_without_outputs() {
        let e = import_err(&[4], vec![node("Relu", &["x"], &[], &[])], vec![]);
        assert!(e.contains("has no outputs"), "{e}");
    }

    #[test]
    fn transpose_repeating_an_axis() {
        let e = import_err(&[2, 3], vec![node("Transpose", &["x"], &["t"], &[("perm", vec![0, 0])])], vec![]);
        assert!(e.contains("repeats axis 0"), "{e}");
    }

    #[test]
    fn reshape_to_an_enormous_shape() {
        let shape = TensorProto {
            name: Some("s".into()),
            dims: vec![2],
            data_type: Some(7),
            int64_data: vec![1 << 40, 1 << 40],
            ..Default::default()
        };
        let e = import_err(&[4], vec![node("Reshape", &["x", "s"], &["r"], &[])], vec![shape]);
        assert!(e.contains("too large") || e.contains("cannot reshape"), "{e}");
    }
}
