//! ONNX import: a model file (graph, shapes and weights) as an eyrie
//! [`Network`] plus its real weights.
//!
//! The file is decoded with prost from the ONNX IR protobuf ([`proto`],
//! generated from the vendored `onnx.proto`). Every tensor's shape is
//! inferred from the graph inputs' shapes (given with
//! [`ImportOptions::input_shapes`] where the model leaves them symbolic) and
//! the operators' attributes (`shapes.rs`); constant subgraphs are computed
//! at import (`fold.rs`); operators become layers (`lower.rs`): MAC operators
//! become conv / fc / matmul layers, pooling and reductions pool layers,
//! activations and arithmetic element-wise layers, and Reshape, Transpose,
//! Concat, Split, Resize and the like are data movement that only carries
//! shapes along. BatchNormalization and a per-channel bias `Add` directly
//! after a MAC layer (whose output nothing else reads) are folded into it.
//! `If` nodes whose condition is a constant are inlined. Every operator
//! eyrie cannot lower is reported by node name and type in one error, or,
//! with [`ImportOptions::skip_unknown`], counted as a no-MAC layer and
//! listed in [`ImportReport::skipped`]; nothing is dropped silently.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use prost::Message;

mod fold;
mod lower;
mod node;
pub mod proto;
mod shapes;
pub mod weights;
mod window;

pub use lower::LayerOrigin;
pub use weights::{WeightTensor, Weights};

use crate::network::Network;
use node::{Env, Node};
use proto::{GraphProto, ModelProto};

/// Errors from importing an ONNX file.
#[derive(Debug, thiserror::Error)]
pub enum OnnxError {
    /// The file could not be read.
    #[error("cannot read {path}")]
    Io {
        /// Path as given.
        path: String,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// The bytes are not an ONNX model.
    #[error("{file}: not a readable ONNX model (truncated or corrupt file?): {reason}")]
    Decode {
        /// File name.
        file: String,
        /// What the decoder said.
        reason: String,
    },
    /// Operators eyrie cannot lower, all of them.
    #[error(
        "{file}: {} operator{} cannot be lowered to eyrie layers:\n{}\n(use --skip-unknown to count each as a no-MAC layer)",
        ops.len(),
        if ops.len() == 1 { "" } else { "s" },
        ops.iter().map(|(n, op)| format!("  node `{n}` ({op})")).collect::<Vec<_>>().join("\n")
    )]
    UnknownOps {
        /// File name.
        file: String,
        /// (node name, operator type), in graph order.
        ops: Vec<(String, String)>,
    },
    /// A graph input's shape is not known.
    #[error("{file}: {msg}")]
    Input {
        /// File name.
        file: String,
        /// What is missing and how to give it.
        msg: String,
    },
    /// A node cannot be imported.
    #[error("{file}: node `{node}` ({op}): {msg}")]
    Node {
        /// File name.
        file: String,
        /// Node name.
        node: String,
        /// Operator type.
        op: String,
        /// What is wrong.
        msg: String,
    },
    /// An initializer or constant cannot be decoded.
    #[error("{file}: tensor `{tensor}` {msg}")]
    Tensor {
        /// File name.
        file: String,
        /// Tensor name.
        tensor: String,
        /// What is wrong.
        msg: String,
    },
    /// Anything else about the model as a whole.
    #[error("{file}: {msg}")]
    Model {
        /// File name.
        file: String,
        /// What is wrong.
        msg: String,
    },
}

/// A shape for one graph input: `1x3x224x224`, or `name=1x3x224x224`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputShape {
    /// The input it applies to; `None` means the first graph input.
    pub name: Option<String>,
    /// Its dimensions.
    pub dims: Vec<u64>,
}

impl std::str::FromStr for InputShape {
    type Err = String;
    fn from_str(s: &str) -> Result<InputShape, String> {
        let (name, dims) = match s.rsplit_once('=') {
            Some((n, d)) => (Some(n.trim().to_string()), d),
            None => (None, s),
        };
        let dims: Result<Vec<u64>, _> = dims.split(['x', 'X', ',']).map(|d| d.trim().parse::<u64>()).collect();
        match dims {
            Ok(d) if !d.is_empty() && d.iter().all(|&x| x > 0) => Ok(InputShape { name, dims: d }),
            _ => Err(format!("`{s}` is not a shape like 1x3x224x224 or NAME=1x3x224x224 (positive dimensions)")),
        }
    }
}

impl std::fmt::Display for InputShape {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let d: Vec<String> = self.dims.iter().map(u64::to_string).collect();
        match &self.name {
            Some(n) => write!(f, "{n}={}", d.join("x")),
            None => f.write_str(&d.join("x")),
        }
    }
}

/// How to import a model.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportOptions {
    /// Shapes for graph inputs whose dimensions are symbolic (or to override them).
    pub input_shapes: Vec<InputShape>,
    /// Count operators eyrie cannot lower as no-MAC layers instead of failing.
    pub skip_unknown: bool,
}

/// A node that only moves or reshapes data (no layer).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct DataMove {
    /// Node name.
    pub node: String,
    /// Operator type.
    pub op: String,
    /// Shape of its first output.
    pub output_shape: Vec<u64>,
}

/// What the import did, for `eyrie inspect`.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct ImportReport {
    /// The file.
    pub file: String,
    /// Producer named in the file.
    pub producer: String,
    /// ONNX IR version.
    pub ir_version: i64,
    /// Default-domain opset.
    pub opset: i64,
    /// Graph inputs (not initializers) and the shapes used.
    pub inputs: Vec<(String, Vec<u64>)>,
    /// Graph outputs and their inferred shapes.
    pub outputs: Vec<(String, Vec<u64>)>,
    /// Nodes in the graph (and inlined branches).
    pub nodes: usize,
    /// One entry per layer, in order.
    pub layers: Vec<LayerOrigin>,
    /// Nodes lowered as data movement.
    pub data_movement: Vec<DataMove>,
    /// Nodes computed at import time (constants, shape arithmetic, weight casts).
    pub folded_constants: usize,
    /// `If` nodes inlined because their condition is a constant.
    pub inlined_ifs: Vec<String>,
    /// Operators eyrie could not lower, by type → node names (only with `skip_unknown`).
    pub skipped: BTreeMap<String, Vec<String>>,
}

/// An imported model.
#[derive(Debug, Clone)]
pub struct OnnxImport {
    /// The network: one inference at the input shape used (batch 1 in eyrie's terms).
    pub network: Network,
    /// Real weights by layer name, in the layout [`weights`] documents.
    pub weights: Weights,
    /// What was lowered, folded, moved and skipped.
    pub report: ImportReport,
}

/// Import an ONNX file.
pub fn import_file(path: &Path, opts: &ImportOptions) -> Result<OnnxImport, OnnxError> {
    let file = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| OnnxError::Io { path: file.clone(), source })?;
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("onnx");
    import_bytes(&file, stem, &bytes, path.parent(), opts)
}

/// The real weights of an ONNX file: layer name → `(shape, values)` for every
/// layer whose weights are an initializer or constant of the file (conv
/// `[k, c/groups, r, s]`, fc/matmul `[k, c]`; BatchNorm folded in; int8 and
/// fp16 converted to f32). Layer names are those of [`import_file`]'s network.
pub fn load_weights(path: &Path, opts: &ImportOptions) -> Result<Weights, OnnxError> {
    import_file(path, opts).map(|i| i.weights)
}

/// Import a model from its bytes; `file` names it in errors, `name` names the
/// network, `dir` is where external tensor data lives.
pub fn import_bytes(
    file: &str,
    name: &str,
    bytes: &[u8],
    dir: Option<&Path>,
    opts: &ImportOptions,
) -> Result<OnnxImport, OnnxError> {
    let model =
        ModelProto::decode(bytes).map_err(|e| OnnxError::Decode { file: file.to_string(), reason: e.to_string() })?;
    let model_err = |msg: String| OnnxError::Model { file: file.to_string(), msg };
    let Some(graph) = model.graph.as_ref() else {
        return Err(OnnxError::Decode { file: file.to_string(), reason: "it holds no graph".to_string() });
    };
    let opset = model
        .opset_import
        .iter()
        .find(|o| matches!(o.domain(), "" | "ai.onnx"))
        .map_or(model.ir_version().clamp(0, 1), |o| o.version());
    if opset < 7 {
        return Err(model_err(format!(
            "opset {opset} is older than 7, the oldest eyrie reads; convert the model with onnx.version_converter"
        )));
    }
    if !graph.sparse_initializer.is_empty() {
        return Err(model_err("sparse initializers are not supported".to_string()));
    }
    let mut cx = Ctx {
        file: file.to_string(),
        dir,
        opts,
        env: Env::new(),
        consumers: HashMap::new(),
        b: lower::Builder::default(),
        report: ImportReport {
            file: file.to_string(),
            producer: format!("{} {}", model.producer_name(), model.producer_version()).trim().to_string(),
            ir_version: model.ir_version(),
            opset,
            ..ImportReport::default()
        },
        unknown: Vec::new(),
        poisoned: HashSet::new(),
    };
    count_consumers(graph, &mut cx.consumers);
    for o in &graph.output {
        *cx.consumers.entry(o.name().to_string()).or_default() += 1;
    }
    cx.add_initializers(graph)?;
    cx.bind_inputs(graph)?;
    cx.run_graph(graph)?;
    if !cx.unknown.is_empty() {
        return Err(OnnxError::UnknownOps { file: file.to_string(), ops: cx.unknown });
    }
    for o in &graph.output {
        if let Some(i) = cx.env.get(o.name()) {
            cx.report.outputs.push((o.name().to_string(), i.shape.clone()));
        }
    }
    let total_macs: u128 = cx.b.layers.iter().map(|l| u128::from(l.macs())).sum();
    if total_macs > 1 << 62 {
        return Err(model_err(format!("the network has {total_macs} MACs, more than eyrie counts (2^62)")));
    }
    if cx.b.layers.is_empty() {
        return Err(model_err("the graph has no layers to simulate (only constants and data movement)".to_string()));
    }
    cx.report.layers = cx.b.origins;
    Ok(OnnxImport { network: Network::new(name, cx.b.layers), weights: cx.b.weights, report: cx.report })
}

/// Operators that become element-wise layers (besides broadcasting arithmetic).
fn is_eltwise(op: &str) -> bool {
    shapes::is_variadic(op)
        || matches!(
            op,
            "Relu"
                | "LeakyRelu"
                | "Sigmoid"
                | "HardSigmoid"
                | "HardSwish"
                | "Tanh"
                | "Clip"
                | "Elu"
                | "Selu"
                | "Celu"
                | "Gelu"
                | "Erf"
                | "Exp"
                | "Log"
                | "Sqrt"
                | "Abs"
                | "Neg"
                | "Reciprocal"
                | "Floor"
                | "Ceil"
                | "Round"
                | "Sign"
                | "Sin"
                | "Cos"
                | "Tan"
                | "Softplus"
                | "Softsign"
                | "Mish"
                | "ThresholdedRelu"
                | "Shrink"
                | "Softmax"
                | "LogSoftmax"
                | "Hardmax"
                | "BatchNormalization"
                | "InstanceNormalization"
                | "LayerNormalization"
                | "GroupNormalization"
                | "LRN"
                | "QuantizeLinear"
                | "DequantizeLinear"
                | "Not"
                | "IsNaN"
                | "IsInf"
                | "CumSum"
                | "TopK"
        )
}

/// Operators that only move or reshape data.
fn is_data_move(op: &str) -> bool {
    matches!(
        op,
        "Identity"
            | "Dropout"
            | "Cast"
            | "CastLike"
            | "Reshape"
            | "Flatten"
            | "Transpose"
            | "Squeeze"
            | "Unsqueeze"
            | "Concat"
            | "Split"
            | "Slice"
            | "Gather"
            | "GatherElements"
            | "Pad"
            | "Resize"
            | "Upsample"
            | "Expand"
            | "Tile"
            | "DepthToSpace"
            | "SpaceToDepth"
            | "Shape"
            | "Size"
            | "ConstantOfShape"
            | "Range"
    )
}

/// Whether eyrie can lower an operator of the default domain.
fn supported(node: &Node) -> bool {
    let op = node.op();
    node.domain().is_empty()
        && (lower::is_mac(op)
            || lower::is_pool(op)
            || is_eltwise(op)
            || is_data_move(op)
            || op == "Constant"
            || op == "If")
}

fn count_consumers(g: &GraphProto, counts: &mut HashMap<String, usize>) {
    for n in &g.node {
        for i in n.input.iter().filter(|i| !i.is_empty()) {
            *counts.entry(i.clone()).or_default() += 1;
        }
        for a in &n.attribute {
            a.g.iter().chain(&a.graphs).for_each(|sub| count_consumers(sub, counts));
        }
    }
}

/// Node indices in an order where every node follows the producers of its inputs.
fn topo_order(g: &GraphProto) -> Result<Vec<usize>, String> {
    let producer: HashMap<&str, usize> =
        g.node.iter().enumerate().flat_map(|(i, n)| n.output.iter().map(move |o| (o.as_str(), i))).collect();
    let mut state = vec![0u8; g.node.len()]; // 0 new, 1 on the stack, 2 placed
    let mut order = Vec::with_capacity(g.node.len());
    for root in 0..g.node.len() {
        let mut stack = vec![(root, 0usize)];
        while let Some(top) = stack.len().checked_sub(1) {
            let (i, next) = stack[top];
            if next == 0 && state[i] == 2 {
                stack.pop();
                continue;
            }
            state[i] = 1;
            let ins = &g.node[i].input;
            let pending = |x: &String| producer.get(x.as_str()).is_some_and(|&p| state[p] != 2);
            match ins[next..].iter().position(pending) {
                Some(dep) => {
                    let p = producer[ins[next + dep].as_str()];
                    stack[top].1 = next + dep + 1;
                    if state[p] == 1 {
                        return Err(format!("the graph has a cycle through node `{}`", g.node[p].name()));
                    }
                    stack.push((p, 0));
                }
                None => {
                    state[i] = 2;
                    order.push(i);
                    stack.pop();
                }
            }
        }
    }
    Ok(order)
}

struct Ctx<'a> {
    file: String,
    dir: Option<&'a Path>,
    opts: &'a ImportOptions,
    env: Env,
    consumers: HashMap<String, usize>,
    b: lower::Builder,
    report: ImportReport,
    unknown: Vec<(String, String)>,
    poisoned: HashSet<String>,
}

mod run;
