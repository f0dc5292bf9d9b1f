//! One ONNX node seen by the importer: its name, operator, inputs, outputs
//! and typed attribute look-ups (ONNX IR `AttributeProto`: `i`, `ints`, `f`,
//! `floats`, `s`, `t`, `g`), plus the tensors known so far ([`Env`]).

use std::collections::HashMap;
use std::rc::Rc;

use super::proto::{AttributeProto, GraphProto, NodeProto, TensorProto};
use super::weights::Const;

/// What the importer knows about a tensor.
#[derive(Debug, Clone)]
pub(crate) struct Info {
    /// Its shape (all dimensions known).
    pub shape: Vec<u64>,
    /// Its value, when it is a constant (initializer, `Constant`, or folded).
    pub value: Option<Rc<Const>>,
    /// The layer that wrote it, while it is still that layer's raw output
    /// (for folding BatchNorm and bias into it).
    pub layer: Option<usize>,
}

impl Info {
    /// A tensor whose value is unknown.
    pub fn shape(shape: Vec<u64>) -> Info {
        Info { shape, value: None, layer: None }
    }

    /// A constant tensor.
    pub fn constant(c: Const) -> Info {
        Info { shape: c.dims.iter().map(|&d| d as u64).collect(), value: Some(Rc::new(c)), layer: None }
    }

    /// Number of elements.
    pub fn numel(&self) -> u64 {
        self.shape.iter().fold(1u64, |a, &d| a.saturating_mul(d))
    }
}

/// The most elements a tensor may have (2^40): larger shapes are errors, so
/// products of dimensions never overflow.
pub(crate) const MAX_ELEMS: u64 = 1 << 40;

/// Whether a shape is within [`MAX_ELEMS`].
pub(crate) fn check_shape(shape: &[u64]) -> Result<(), String> {
    match shape.iter().try_fold(1u64, |a, &d| a.checked_mul(d)) {
        Some(n) if n <= MAX_ELEMS => Ok(()),
        _ => Err(format!("shape {shape:?} has more than 2^40 elements")),
    }
}

/// Tensors by name.
pub(crate) type Env = HashMap<String, Info>;

/// A node with convenient attribute access.
pub(crate) struct Node<'a> {
    /// The protobuf.
    pub proto: &'a NodeProto,
    /// Its name, or `<op>_<index>` when the file leaves it empty.
    pub name: String,
}

impl<'a> Node<'a> {
    /// Wrap a node; `index` names unnamed nodes.
    pub fn new(proto: &'a NodeProto, index: usize) -> Node<'a> {
        let name = match proto.name() {
            "" => format!("{}_{index}", proto.op_type()),
            n => n.to_string(),
        };
        Node { proto, name }
    }

    /// Operator type, e.g. `Conv`.
    pub fn op(&self) -> &str {
        self.proto.op_type()
    }

    /// The operator set domain (empty for the default `ai.onnx`).
    pub fn domain(&self) -> &str {
        match self.proto.domain() {
            "ai.onnx" => "",
            d => d,
        }
    }

    /// Input names; an empty name is an omitted optional input.
    pub fn inputs(&self) -> &[String] {
        &self.proto.input
    }

    /// Output names.
    pub fn outputs(&self) -> &[String] {
        &self.proto.output
    }

    fn attr(&self, name: &str) -> Option<&'a AttributeProto> {
        self.proto.attribute.iter().find(|a| a.name() == name)
    }

    /// An integer attribute.
    pub fn int(&self, name: &str) -> Option<i64> {
        self.attr(name).and_then(|a| a.i)
    }

    /// An integer attribute with a default.
    pub fn int_or(&self, name: &str, default: i64) -> i64 {
        self.int(name).unwrap_or(default)
    }

    /// An integer-list attribute.
    pub fn ints(&self, name: &str) -> Option<Vec<i64>> {
        self.attr(name).map(|a| a.ints.clone())
    }

    /// A float attribute.
    pub fn float(&self, name: &str) -> Option<f32> {
        self.attr(name).and_then(|a| a.f)
    }

    /// A float-list attribute.
    pub fn floats(&self, name: &str) -> Option<Vec<f32>> {
        self.attr(name).map(|a| a.floats.clone())
    }

    /// A string attribute.
    pub fn string(&self, name: &str) -> Option<String> {
        self.attr(name).and_then(|a| a.s.as_ref()).map(|s| String::from_utf8_lossy(s).into_owned())
    }

    /// A tensor attribute.
    pub fn tensor(&self, name: &str) -> Option<&'a TensorProto> {
        self.attr(name).and_then(|a| a.t.as_ref())
    }

    /// A graph attribute (the branches of `If`).
    pub fn graph(&self, name: &str) -> Option<&'a GraphProto> {
        self.attr(name).and_then(|a| a.g.as_ref())
    }

    /// Names of the attributes it has.
    pub fn has(&self, name: &str) -> bool {
        self.attr(name).is_some()
    }
}
