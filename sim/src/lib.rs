//! The engines of eyrie and the accounting they share.
//!
//! [`simulate`] picks the engine for the architecture's PE kind, runs every
//! layer of a compressed network on it (layers in parallel, results in
//! network order, so the output is identical for any thread count), prices
//! the access counts with [`accounting::price`] and sums the layers into a
//! [`SimResult`]. A layer an engine cannot run becomes a failed layer; the
//! rest of the network still runs.

#![warn(missing_docs)]

pub mod accounting;
pub mod compare;
pub mod engines;
pub mod result;
pub mod sweep;
pub mod validate;

use rayon::prelude::*;

use eyrie_arch::Arch;
use eyrie_workloads::Layer;
use eyrie_workloads::compress::{CompressedNetwork, LayerCompression};

pub use engines::{Engine, engine_for};
pub use result::{EnergyBreakdown, LayerResult, LevelStats, SimResult, Status};

/// Errors from simulating a layer.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SimError {
    /// The engine cannot run this kind of layer.
    #[error("layer `{layer}`: the {engine} engine cannot run {kind} layers; {suggestion}")]
    Unsupported {
        /// Layer name.
        layer: String,
        /// Engine name.
        engine: String,
        /// Layer kind.
        kind: String,
        /// What to do instead.
        suggestion: String,
    },
    /// No legal mapping fits the buffers and the array.
    #[error("layer `{layer}`: no mapping fits: {reason}")]
    NoMapping {
        /// Layer name.
        layer: String,
        /// Why.
        reason: String,
    },
    /// A buffer is too small for the smallest tile.
    #[error("layer `{layer}`: level `{level}` needs {needed_bytes} bytes but has {capacity_bytes}")]
    BufferTooSmall {
        /// Layer name.
        layer: String,
        /// Level name.
        level: String,
        /// Bytes the smallest tile needs.
        needed_bytes: u64,
        /// Bytes available.
        capacity_bytes: u64,
    },
    /// The architecture lacks something this engine needs.
    #[error("{0}")]
    Arch(String),
    /// This engine is not built yet.
    #[error("the {engine} engine is not available in this version of eyrie")]
    NotImplemented {
        /// Engine name.
        engine: String,
    },
}

/// Options shared by all engines.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RunOptions {
    /// Seed for every random draw (synthetic activations); results depend only on it and the inputs.
    pub seed: u64,
    /// Keep the part of each mapping search that does not depend on the
    /// global buffer's size, for later runs on architectures that differ only
    /// there (set by sweeps; costs memory, changes no result). Not serialized.
    #[serde(skip)]
    pub share_searches: bool,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions { seed: 1, share_searches: false }
    }
}

/// Run one layer on the arch's engine and price it.
pub fn simulate_layer(arch: &Arch, layer: &Layer, comp: &LayerCompression, opts: &RunOptions) -> LayerResult {
    let engine = engine_for(arch);
    let run = engine.check(arch, layer).and_then(|()| engine.run_layer(arch, layer, comp, opts));
    match run {
        Ok(mut r) => {
            r.layer = layer.name.clone();
            r.engine = engine.name().to_string();
            r.macs = layer.macs();
            if r.pes == 0 {
                r.pes = arch.pe_array.pes();
            }
            accounting::price(arch, &mut r);
            r
        }
        Err(e) => LayerResult::failed(&layer.name, engine.name(), e.to_string()),
    }
}

/// Run a whole network; layers run in parallel, results keep network order.
pub fn simulate(arch: &Arch, net: &CompressedNetwork, opts: &RunOptions) -> SimResult {
    let layers: Vec<LayerResult> = net
        .network
        .layers
        .par_iter()
        .zip(net.layers.par_iter())
        .map(|(l, c)| simulate_layer(arch, l, c, opts))
        .collect();
    SimResult::from_layers(&arch.name, &net.network.name, net.network.batch, arch.clock_mhz, layers)
}

#[cfg(test)]
mod tests;
