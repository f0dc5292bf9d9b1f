//! Compression recipes: TOML with defaults and per-layer overrides.
//!
//! ```toml
//! version = 1
//! name = "example"
//! seed_distribution = "normal"        # synthetic weights: normal | laplace | uniform
//!
//! [tensors]                           # layer name (or glob with one `*`) -> tensor name
//! "l*.q" = "encoder.layer.*.attention.self.query.weight"
//!
//! [defaults]
//! prune = { method = "magnitude", rate = 0.9 }
//! quantize = { method = "kmeans", bits = 5, init = "linear" }
//! encoding = { format = "csc", index_bits = 4 }
//! huffman = true
//! act_bits = 16
//!
//! [[layers]]
//! match = "conv*"                     # a layer name or a glob (`*`, `?`)
//! prune = { rate = 0.6 }              # merged field by field into the defaults
//! quantize = { bits = 8 }
//! ```
//!
//! Overrides apply in file order after the defaults; a later match wins
//! field by field. Values are checked where they are written (rates in
//! [0, 1), bits 1–32, …) and again against the network (a rank larger than
//! the layer); every error names the file, line and key.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::kmeans::Init;
use super::lowrank::RankTarget;
use super::prune::{Granularity, Norm};
use super::weights::Distribution;
use crate::network::Network;
use eyrie_arch::config::{self, Diagnostic, Diagnostics, Located};

/// Pruning method names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PruneMethod {
    /// No pruning.
    None,
    /// Magnitude at a rate (per layer, or one global rate with `scope = "global"`).
    Magnitude,
    /// `|w| < quality · σ`.
    Threshold,
    /// Whole filters.
    Filter,
    /// Whole input channels.
    Channel,
    /// Whole kernels.
    Kernel,
    /// Kernel rows.
    Vector,
    /// N of every M.
    Nm,
}

/// Scope of a magnitude rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// The rate applies to each layer.
    Layer,
    /// One threshold over all layers that say `global`.
    Global,
}

/// Quantization method names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuantMethod {
    /// 32-bit floats.
    None,
    /// Linear int-N.
    Linear,
    /// k-means weight sharing.
    Kmeans,
    /// ±α.
    Binary,
    /// {−α, 0, α}.
    Ternary,
    /// Product quantization.
    Pq,
}

/// Storage formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// Every position stored.
    #[default]
    Dense,
    /// Relative-index compressed sparse columns.
    Csc,
    /// Relative-index compressed sparse rows.
    Csr,
    /// Presence bitmask plus values.
    Bitmask,
    /// Run-length (zeros, value) pairs.
    Rle,
}

/// `prune = { … }`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PruneSpec {
    method: Option<PruneMethod>,
    rate: Option<f64>,
    quality: Option<f64>,
    scope: Option<Scope>,
    norm: Option<Norm>,
    n: Option<u32>,
    m: Option<u32>,
}

/// `quantize = { … }`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuantSpec {
    method: Option<QuantMethod>,
    bits: Option<u32>,
    init: Option<Init>,
    per_channel: Option<bool>,
    symmetric: Option<bool>,
    iterations: Option<u32>,
    subvector: Option<u32>,
}

/// `encoding = { … }`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EncodingSpec {
    format: Option<Format>,
    index_bits: Option<u32>,
}

/// `lowrank = { rank = r }` or `{ energy = e }`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LowRankSpec {
    rank: Option<u32>,
    energy: Option<f64>,
}

/// The settings of `[defaults]` and of each `[[layers]]` entry.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    #[serde(rename = "match")]
    pattern: Option<String>,
    prune: Option<PruneSpec>,
    quantize: Option<QuantSpec>,
    encoding: Option<EncodingSpec>,
    lowrank: Option<LowRankSpec>,
    huffman: Option<bool>,
    act_bits: Option<u32>,
    keep_structure: Option<bool>,
    skip: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RecipeFile {
    version: u32,
    name: Option<String>,
    description: Option<String>,
    source: Option<String>,
    seed_distribution: Option<Distribution>,
    #[serde(default)]
    tensors: BTreeMap<String, String>,
    #[serde(default)]
    defaults: Settings,
    #[serde(default)]
    layers: Vec<Settings>,
}

/// A parsed, range-checked recipe.
#[derive(Debug, Clone)]
pub struct Recipe {
    /// The file name used in diagnostics.
    pub file: String,
    text: String,
    /// Name of the recipe.
    pub name: String,
    /// Distribution of synthetic weights.
    pub distribution: Distribution,
    tensors: BTreeMap<String, String>,
    defaults: Settings,
    layers: Vec<Settings>,
}

/// How one layer is pruned.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Prune {
    /// Not pruned.
    None,
    /// Magnitude at a per-layer rate.
    Magnitude(f64),
    /// Magnitude at one rate shared by all `Global` layers.
    Global(f64),
    /// `|w| < quality · σ` pruned.
    Threshold(f64),
    /// Structured, by group norm.
    Structured(Granularity, Norm, f64),
    /// Keep `n` of every `m`.
    NOfM(u32, u32),
}

/// How one layer is quantized.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Quant {
    /// 32-bit floats.
    None,
    /// Linear int-N.
    Linear {
        /// Bits.
        bits: u32,
        /// One scale per output channel.
        per_channel: bool,
        /// Zero point fixed at 0.
        symmetric: bool,
    },
    /// k-means.
    KMeans {
        /// Bits (2^bits shared weights).
        bits: u32,
        /// Initialisation.
        init: Init,
        /// Lloyd iterations at most.
        iterations: u32,
    },
    /// ±α.
    Binary,
    /// {−α, 0, α}.
    Ternary,
    /// Product quantization.
    Product {
        /// Bits per code (2^bits centroids per sub-space).
        bits: u32,
        /// Sub-vector length.
        subvector: u32,
        /// Lloyd iterations at most.
        iterations: u32,
    },
}

/// The resolved plan of one layer.
#[derive(Debug, Clone, PartialEq)]
pub struct LayerPlan {
    /// Pruning.
    pub prune: Prune,
    /// Quantization.
    pub quant: Quant,
    /// Storage format.
    pub format: Format,
    /// The recipe set the format (rather than the default: sparse when pruned, else dense).
    pub format_set: bool,
    /// Relative-index (or run) bits for csc, csr and rle.
    pub index_bits: u32,
    /// Low-rank factorization.
    pub lowrank: Option<RankTarget>,
    /// Huffman-code the weight and index streams.
    pub huffman: bool,
    /// Fixed-point activation precision.
    pub act_bits: Option<u32>,
    /// Keep the sparse structure in the output (default: FC and matmul layers that are pruned).
    pub keep_structure: Option<bool>,
    /// Leave the layer uncompressed.
    pub skip: bool,
    /// Tensor name in the weights file, from `[tensors]`.
    pub tensor: Option<String>,
}

/// Map a layer name through (glob with one `*`, tensor name) pairs; the `*` matches
/// a run without dots and is substituted into the tensor name.
pub fn map_tensor<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>, layer: &str) -> Option<String> {
    pairs.into_iter().find_map(|(pat, t)| {
        let (pre, post) = pat.split_once('*')?;
        let mid = layer.strip_prefix(pre)?.strip_suffix(post)?;
        (!mid.contains('.')).then(|| t.replacen('*', mid, 1))
    })
}

/// Glob match with `*` (any run) and `?` (one character).
pub fn glob(pattern: &str, name: &str) -> bool {
    fn go(p: &[u8], n: &[u8]) -> bool {
        match (p.first(), n.first()) {
            (None, None) => true,
            (Some(b'*'), _) => go(&p[1..], n) || (!n.is_empty() && go(p, &n[1..])),
            (Some(b'?'), Some(_)) => go(&p[1..], &n[1..]),
            (Some(a), Some(b)) if a == b => go(&p[1..], &n[1..]),
            _ => false,
        }
    }
    go(pattern.as_bytes(), name.as_bytes())
}

impl Recipe {
    /// Parse and range-check a recipe's text; `file` names it in diagnostics.
    pub fn parse(file: &str, text: &str) -> Result<Recipe, Diagnostics> {
        let f: RecipeFile = config::parse(file, text).map_err(|d| Diagnostics(vec![d]))?;
        let loc = Located::new(file, text);
        let mut errs = Vec::new();
        if f.version != 1 {
            errs.push(loc.at_key("version", format!("version {} is not supported; allowed: 1", f.version)));
        }
        if f.defaults.pattern.is_some() {
            errs.push(loc.at_key("defaults.match", "`match` belongs in a [[layers]] entry, not in [defaults]"));
        }
        check_settings(&f.defaults, "defaults", &loc, &mut errs);
        for (i, s) in f.layers.iter().enumerate() {
            let at = format!("layers.{i}");
            if s.pattern.as_deref().is_none_or(str::is_empty) {
                errs.push(loc.at_key(&at, "each [[layers]] entry needs `match = \"name or glob\"`"));
            }
            check_settings(s, &at, &loc, &mut errs);
        }
        let _ = (&f.description, &f.source);
        if !errs.is_empty() {
            return Err(Diagnostics(errs));
        }
        Ok(Recipe {
            file: file.to_string(),
            text: text.to_string(),
            name: f.name.unwrap_or_else(|| "recipe".into()),
            distribution: f.seed_distribution.unwrap_or_default(),
            tensors: f.tensors,
            defaults: f.defaults,
            layers: f.layers,
        })
    }

    /// The tensor name `[tensors]` maps a layer to (a `*` in the key is substituted into the value).
    pub fn tensor_for(&self, layer: &str) -> Option<String> {
        if let Some(t) = self.tensors.get(layer) {
            return Some(t.clone());
        }
        map_tensor(self.tensors.iter().map(|(a, b)| (a.as_str(), b.as_str())), layer)
    }

    /// Resolve the plan of every layer of `net`, checking values against the layers' shapes.
    pub fn plan(&self, net: &Network) -> Result<Vec<LayerPlan>, Diagnostics> {
        let loc = Located::new(&self.file, &self.text);
        let mut errs = Vec::new();
        for (i, s) in self.layers.iter().enumerate() {
            let p = s.pattern.as_deref().unwrap_or("");
            if !net.layers.iter().any(|l| glob(p, &l.name)) {
                let names: Vec<&str> = net.layers.iter().map(|l| l.name.as_str()).take(30).collect();
                errs.push(loc.at_key(
                    &format!("layers.{i}.match"),
                    format!("`{p}` matches no layer of `{}`; its layers: {}", net.name, names.join(", ")),
                ));
            }
        }
        let mut problems: Vec<(String, String, String)> = Vec::new();
        let mut plans = Vec::with_capacity(net.layers.len());
        for layer in &net.layers {
            let mut eff = self.defaults.clone();
            let mut at = Where::default();
            at.note(&self.defaults, "defaults");
            for (i, s) in self.layers.iter().enumerate() {
                if glob(s.pattern.as_deref().unwrap_or(""), &layer.name) {
                    merge(&mut eff, s);
                    at.note(s, &format!("layers.{i}"));
                }
            }
            plans.push(resolve(&eff, &at, layer, &mut problems));
            if let Some(last) = plans.last_mut() {
                last.tensor = self
                    .tensor_for(&layer.name)
                    .or_else(|| map_tensor(crate::zoo::tensor_map(&net.name).iter().copied(), &layer.name));
            }
        }
        // One diagnostic per key and problem, naming every layer it affects.
        let mut grouped: Vec<(String, String, Vec<String>)> = Vec::new();
        for (key, what, layer) in problems {
            match grouped.iter_mut().find(|(k, w, _)| *k == key && *w == what) {
                Some(g) => g.2.push(layer),
                None => grouped.push((key, what, vec![layer])),
            }
        }
        for (key, what, layers) in grouped {
            let who = match layers.len() {
                1 => format!("layer `{}`", layers[0]),
                n if n <= 4 => format!("layers `{}`", layers.join("`, `")),
                n => format!("layers `{}`, `{}` and {} more", layers[0], layers[1], n - 2),
            };
            errs.push(loc.at_key(&key, format!("{who}: {what}")));
        }
        if errs.is_empty() { Ok(plans) } else { Err(Diagnostics(errs)) }
    }
}

/// Where each section of a layer's effective settings was last set.
#[derive(Debug, Default)]
struct Where {
    prune: String,
    quantize: String,
    lowrank: String,
    encoding: String,
}

impl Where {
    fn note(&mut self, s: &Settings, at: &str) {
        let set = |slot: &mut String, present: bool, name: &str| {
            if present {
                *slot = format!("{at}.{name}");
            }
        };
        set(&mut self.prune, s.prune.is_some(), "prune");
        set(&mut self.quantize, s.quantize.is_some(), "quantize");
        set(&mut self.lowrank, s.lowrank.is_some(), "lowrank");
        set(&mut self.encoding, s.encoding.is_some(), "encoding");
    }
}

fn merge(eff: &mut Settings, s: &Settings) {
    macro_rules! fields {
        ($dst:expr, $src:expr, $($f:ident),*) => { $( if $src.$f.is_some() { $dst.$f = $src.$f.clone(); } )* };
    }
    if let Some(p) = &s.prune {
        let d = eff.prune.get_or_insert_with(PruneSpec::default);
        fields!(d, p, method, rate, quality, scope, norm, n, m);
    }
    if let Some(q) = &s.quantize {
        let d = eff.quantize.get_or_insert_with(QuantSpec::default);
        fields!(d, q, method, bits, init, per_channel, symmetric, iterations, subvector);
    }
    if let Some(e) = &s.encoding {
        let d = eff.encoding.get_or_insert_with(EncodingSpec::default);
        fields!(d, e, format, index_bits);
    }
    if let Some(r) = &s.lowrank {
        // A rank and an energy are alternatives: the later entry's choice replaces the earlier one.
        eff.lowrank = Some(r.clone());
    }
    fields!(eff, s, huffman, act_bits, keep_structure, skip);
}

mod resolve;
use resolve::{check_settings, resolve};

#[cfg(test)]
mod tests;
