//! Networks: an ordered list of layers and a batch size, and their TOML format.
//!
//! ```toml
//! version = 1
//! name = "tiny"
//! input = [3, 32, 32]          # C, H, W of the first layer (optional)
//!
//! [[layers]]
//! name = "conv1"
//! type = "conv"                # conv | fc | matmul | pool | eltwise
//! filters = 16
//! kernel = 3                   # or [R, S]
//! stride = 1                   # or [stride_h, stride_w]
//! padding = 1                  # or [pad_h, pad_w]
//!
//! [[layers]]
//! name = "fc"
//! type = "fc"
//! outputs = 10                 # inputs default to the flattened previous output
//! ```
//!
//! A layer without `input` takes the previous layer's output shape.

use serde::{Deserialize, Serialize};

use crate::WorkloadError;
use crate::layer::{Layer, LayerKind, out_dim};
use eyrie_arch::config::{self, Diagnostic, Diagnostics, Located};

/// A network.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Network {
    /// Name.
    pub name: String,
    /// Images (or sequences) per run; each layer's `n` already includes it.
    pub batch: u64,
    /// Layers in execution order.
    pub layers: Vec<Layer>,
}

impl Network {
    /// A network of batch 1.
    pub fn new(name: &str, layers: Vec<Layer>) -> Network {
        Network { name: name.to_string(), batch: 1, layers }
    }

    /// The same network at another batch size (rescales every layer's `n`).
    pub fn with_batch(&self, batch: u64) -> Network {
        let batch = batch.max(1);
        let mut out = self.clone();
        for l in &mut out.layers {
            l.n = l.n / self.batch.max(1) * batch;
        }
        out.batch = batch;
        out
    }

    /// Total dense MACs.
    pub fn macs(&self) -> u64 {
        self.layers.iter().map(Layer::macs).sum()
    }

    /// Total weights.
    pub fn weights(&self) -> u64 {
        self.layers.iter().map(Layer::weights).sum()
    }

    /// Layers with MACs.
    pub fn compute_layers(&self) -> usize {
        self.layers.iter().filter(|l| l.kind.has_macs()).count()
    }

    /// Read a network TOML file's text; `file` names it in errors.
    pub fn from_toml(file: &str, text: &str) -> Result<Network, WorkloadError> {
        let spec: NetSpec = config::parse(file, text).map_err(|d| WorkloadError::Invalid(Diagnostics(vec![d])))?;
        let loc = Located::new(file, text);
        spec.build(&loc).map_err(WorkloadError::Invalid)
    }
}

/// One number or a pair (`3` or `[3, 5]`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Pair(pub u64, pub u64);

impl<'de> Deserialize<'de> for Pair {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Pair, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Pair;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a non-negative integer or a pair [height, width]")
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Pair, E> {
                u64::try_from(v)
                    .map(|v| Pair(v, v))
                    .map_err(|_| E::custom(format!("{v} is negative; expected a non-negative integer")))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Pair, E> {
                Ok(Pair(v, v))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut a: A) -> Result<Pair, A::Error> {
                let h: u64 = a.next_element()?.ok_or_else(|| serde::de::Error::invalid_length(0, &self))?;
                let w: u64 = a.next_element()?.ok_or_else(|| serde::de::Error::invalid_length(1, &self))?;
                if a.next_element::<u64>()?.is_some() {
                    return Err(serde::de::Error::invalid_length(3, &self));
                }
                Ok(Pair(h, w))
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NetSpec {
    version: u32,
    name: String,
    #[serde(default = "one")]
    batch: u64,
    input: Option<[u64; 3]>,
    layers: Vec<LayerSpec>,
}

fn one() -> u64 {
    1
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LayerSpec {
    name: String,
    #[serde(rename = "type")]
    kind: LayerKind,
    input: Option<[u64; 3]>,
    filters: Option<u64>,
    kernel: Option<Pair>,
    stride: Option<Pair>,
    padding: Option<Pair>,
    dilation: Option<Pair>,
    groups: Option<u64>,
    inputs: Option<u64>,
    outputs: Option<u64>,
    m: Option<u64>,
    k: Option<u64>,
    n: Option<u64>,
    operands: Option<u64>,
    act_density: Option<f64>,
    weight_density: Option<f64>,
    out_density: Option<f64>,
}

impl NetSpec {
    fn build(self, loc: &Located<'_>) -> Result<Network, Diagnostics> {
        let mut errs = Vec::new();
        if self.version != 1 {
            errs.push(loc.at_key("version", format!("version {} is not supported; allowed: 1", self.version)));
        }
        if self.batch == 0 {
            errs.push(loc.at_key("batch", "must be at least 1"));
        }
        if self.layers.is_empty() {
            errs.push(loc.at_key("layers", "a network needs at least one layer"));
        }
        let mut shape = self.input;
        let mut layers = Vec::new();
        let mut names = std::collections::BTreeSet::new();
        for (i, ls) in self.layers.into_iter().enumerate() {
            let key = |f: &str| format!("layers.{}.{f}", ls.name);
            let need = |v: Option<u64>, f: &str, errs: &mut Vec<Diagnostic>| -> u64 {
                match v {
                    Some(x) => x,
                    None => {
                        errs.push(loc.at_key(
                            &format!("layers.{}", ls.name),
                            format!("layer `{}` of type {} needs `{f}`", ls.name, ls.kind.as_str()),
                        ));
                        1
                    }
                }
            };
            if !names.insert(ls.name.clone()) {
                errs.push(loc.at_key(&key("name"), format!("layer name `{}` is used twice", ls.name)));
            }
            let input = ls.input.or(shape);
            let layer = match ls.kind {
                LayerKind::Conv | LayerKind::Pool => {
                    let Some([c, h, w]) = input else {
                        errs.push(loc.at_key(
                            &format!("layers.{}", ls.name),
                            format!("layer {i} (`{}`) needs `input = [C, H, W]` (or a top-level `input`)", ls.name),
                        ));
                        continue;
                    };
                    let kernel = ls.kernel.unwrap_or(Pair(0, 0));
                    if ls.kernel.is_none() {
                        need(None, "kernel", &mut errs);
                    }
                    let stride = ls.stride.unwrap_or(Pair(1, 1));
                    let pad = ls.padding.unwrap_or(Pair(0, 0));
                    let dil = ls.dilation.unwrap_or(Pair(1, 1));
                    let k = if ls.kind == LayerKind::Pool { c } else { need(ls.filters, "filters", &mut errs) };
                    let groups = if ls.kind == LayerKind::Pool { c } else { ls.groups.unwrap_or(1) };
                    Layer {
                        kind: ls.kind,
                        groups,
                        stride_h: stride.0,
                        stride_w: stride.1,
                        pad_h: pad.0,
                        pad_w: pad.1,
                        dil_h: dil.0,
                        dil_w: dil.1,
                        p: out_dim(h, pad.0, kernel.0, stride.0, dil.0),
                        q: out_dim(w, pad.1, kernel.1, stride.1, dil.1),
                        ..Layer::conv(&ls.name, c, h, w, k, kernel.0, kernel.1, 1, 0)
                    }
                }
                LayerKind::Fc => {
                    let inputs = ls.inputs.or(input.map(|[c, h, w]| c * h * w));
                    let inputs = need(inputs, "inputs", &mut errs);
                    let outputs = need(ls.outputs, "outputs", &mut errs);
                    Layer::fc(&ls.name, inputs, outputs)
                }
                LayerKind::Matmul => {
                    let m = need(ls.m, "m", &mut errs);
                    let k = need(ls.k, "k", &mut errs);
                    let n = need(ls.n, "n", &mut errs);
                    Layer::matmul(&ls.name, m, k, n)
                }
                LayerKind::Eltwise => {
                    let Some([c, h, w]) = input else {
                        errs.push(loc.at_key(
                            &format!("layers.{}", ls.name),
                            format!("layer `{}` needs `input = [C, H, W]`", ls.name),
                        ));
                        continue;
                    };
                    Layer::eltwise(&ls.name, c, h, w, ls.operands.unwrap_or(2))
                }
            };
            let layer = Layer {
                act_density: ls.act_density.unwrap_or(1.0),
                weight_density: ls.weight_density.unwrap_or(1.0),
                out_density: ls.out_density,
                ..layer
            };
            for (f, msg) in layer.check() {
                let field = match f {
                    "k" => "filters",
                    "c" | "h" | "w" => "input",
                    "r" | "s" => "kernel",
                    "n" => "m",
                    other => other,
                };
                errs.push(loc.at_key(&key(field), format!("layer `{}`: {f} {msg}", ls.name)));
            }
            shape = Some([layer.k, layer.p, layer.q]);
            layers.push(Layer { n: layer.n * self.batch.max(1), ..layer });
        }
        if errs.is_empty() {
            Ok(Network { name: self.name, batch: self.batch.max(1), layers })
        } else {
            Err(Diagnostics(errs))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TINY: &str = "version = 1\nname = \"tiny\"\ninput = [3, 32, 32]\n\n[[layers]]\nname = \"conv1\"\ntype = \"conv\"\nfilters = 16\nkernel = 3\npadding = 1\n\n[[layers]]\nname = \"pool1\"\ntype = \"pool\"\nkernel = 2\nstride = 2\n\n[[layers]]\nname = \"fc\"\ntype = \"fc\"\noutputs = 10\n";

    #[test]
    fn shapes_chain_from_layer_to_layer() {
        let n = Network::from_toml("t.toml", TINY).map_err(|e| e.to_string());
        let Ok(n) = n else { panic!("{n:?}") };
        assert_eq!(n.layers.len(), 3);
        assert_eq!((n.layers[0].p, n.layers[0].q, n.layers[0].k), (32, 32, 16));
        assert_eq!((n.layers[1].p, n.layers[1].c), (16, 16));
        assert_eq!(n.layers[2].c, 16 * 16 * 16);
        assert_eq!(n.macs(), 16 * 3 * 9 * 32 * 32 + 4096 * 10);
        let b = n.with_batch(4);
        assert_eq!(b.macs(), 4 * n.macs());
    }

    #[test]
    fn errors_name_file_line_and_key() {
        let bad = TINY.replace("filters = 16", "filters = 16\nfilterz = 3");
        let e = Network::from_toml("t.toml", &bad).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e.contains("t.toml:9:1") && e.contains("layers.conv1.filterz") && e.contains("unknown field"), "{e}");
        let bad = TINY.replace("kernel = 3", "kernel = -3");
        let e = Network::from_toml("t.toml", &bad).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e.contains("t.toml:9:") && e.contains("negative"), "{e}");
        let bad = TINY.replace("kernel = 3", "kernel = 40");
        let e = Network::from_toml("t.toml", &bad).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e.contains("layers.conv1.kernel") && e.contains("does not fit"), "{e}");
    }
}
