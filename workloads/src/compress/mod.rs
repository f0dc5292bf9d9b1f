//! The compressor and its output, what the engines read.
//!
//! [`compress`] runs Deep Compression's pipeline (Han et al., ICLR 2016:
//! pruning, quantization and weight sharing, Huffman coding) plus the
//! other techniques of the recipe format ([`recipe`]) on seeded synthetic
//! or real weights ([`weights`]), and returns a [`CompressedNetwork`] and
//! the per-layer table ([`report::Report`]).
//!
//! A [`CompressedNetwork`] pairs a [`Network`] with one [`LayerCompression`]
//! per layer: the summary every engine uses (weight density, bits per weight
//! and per index, encoded bytes, activation precision) and, where it was
//! kept, the real sparse structure ([`SparseMatrix`], for EIE). The sparse
//! structure is kept for FC and matmul layers that are pruned, and for any
//! layer whose recipe says `keep_structure = true`; dense copies of the
//! weights are never kept (AlexNet's 61 M weights would be 244 MB).
//!
//! Modules, one per technique: [`weights`], [`prune`], [`structure`],
//! [`quantize`], [`kmeans`], [`pq`], [`lowrank`], [`encoding`], [`huffman`],
//! [`recipe`], [`report`], and [`file`] (the compressed-network file).

use serde::{Deserialize, Serialize};

use crate::layer::Layer;
use crate::network::Network;
use eyrie_arch::config::Diagnostics;

pub mod encoding;
pub mod file;
pub mod huffman;
pub mod kmeans;
pub mod lowrank;
mod pipeline;
pub mod pq;
pub mod prune;
pub mod quantize;
pub mod recipe;
pub mod report;
mod storage;
pub mod structure;
pub mod weights;

pub use encoding::{RelEntry, SparseMatrix, encode_relative, split_column_by_pe};
pub use pipeline::compress;
pub use recipe::{Format, Recipe};
pub use report::{LayerReport, Report};
pub use weights::WeightSource;

/// Errors of the compressor.
#[derive(Debug, thiserror::Error)]
pub enum CompressError {
    /// The recipe is invalid (each diagnostic names file, line and key).
    #[error("invalid recipe:\n{0}")]
    Recipe(Diagnostics),
    /// A weights file could not be read.
    #[error("weights file {path}: {message}")]
    Weights {
        /// Path as given.
        path: String,
        /// What went wrong.
        message: String,
    },
    /// A layer could not be compressed.
    #[error("layer `{layer}`: {message}")]
    Layer {
        /// Layer name.
        layer: String,
        /// What went wrong.
        message: String,
    },
    /// A compressed-network file is invalid.
    #[error("compressed network file {path}: {message}")]
    File {
        /// Path as given.
        path: String,
        /// What is wrong.
        message: String,
    },
}

/// How one layer's weights are stored after compression.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LayerCompression {
    /// Fraction of weights kept (1 = dense).
    pub weight_density: f64,
    /// Bits per stored weight (quantized value or codebook index).
    pub weight_bits: u32,
    /// Bits per sparse index (0 for dense storage).
    pub index_bits: u32,
    /// Fixed-point activation precision in bits, when set (the Stripes engine's `p`).
    pub act_bits: Option<u32>,
    /// Stored bytes of weights, indices, pointers and codebook together, without Huffman
    /// coding: what the accelerator's weight memory holds.
    pub encoded_bytes: u64,
    /// Stored bytes with Huffman coding too (off-chip storage), when the recipe asks for it.
    #[serde(default)]
    pub huffman_bytes: Option<u64>,
    /// The storage format of `encoded_bytes`.
    #[serde(default)]
    pub format: Format,
    /// The real sparse structure (rows = outputs, columns = inputs, codebook indices),
    /// kept for pruned FC/matmul layers and when the recipe asks (`keep_structure`).
    #[serde(default)]
    pub sparse: Option<SparseMatrix>,
}

impl LayerCompression {
    /// A dense, uncompressed layer with `word_bits`-bit weights.
    pub fn dense_layer(l: &Layer, word_bits: u32) -> LayerCompression {
        LayerCompression {
            weight_density: l.weight_density,
            weight_bits: word_bits,
            index_bits: 0,
            act_bits: None,
            encoded_bytes: (l.weights() as f64 * l.weight_density * f64::from(word_bits) / 8.0).ceil() as u64,
            huffman_bytes: None,
            format: Format::Dense,
            sparse: None,
        }
    }
}

/// A network with its compression.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompressedNetwork {
    /// The (possibly reshaped) network.
    pub network: Network,
    /// One entry per layer of `network`, in order.
    pub layers: Vec<LayerCompression>,
}

impl CompressedNetwork {
    /// An uncompressed network: dense weights of `word_bits` each.
    pub fn dense(network: Network, word_bits: u32) -> CompressedNetwork {
        let layers = network.layers.iter().map(|l| LayerCompression::dense_layer(l, word_bits)).collect();
        CompressedNetwork { network, layers }
    }
}

#[cfg(test)]
mod tests;
