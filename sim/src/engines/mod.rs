//! The engines, behind one trait; the arch's PE kind picks one.

use eyrie_arch::{Arch, PeKind};
use eyrie_workloads::Layer;
use eyrie_workloads::compress::LayerCompression;

use crate::{LayerResult, RunOptions, SimError};

pub mod bit_serial;
pub mod eie;
pub mod nomac;
pub mod spatial;
pub mod systolic;

/// An engine: prices nothing itself, only counts cycles and accesses.
pub trait Engine: Sync {
    /// Short name, e.g. "systolic".
    fn name(&self) -> &'static str;
    /// One line on what it models.
    fn description(&self) -> &'static str;
    /// Whether it can run this layer on this arch.
    fn check(&self, arch: &Arch, layer: &Layer) -> Result<(), SimError>;
    /// Cycles and access counts of one layer (energy is filled in by the caller).
    fn run_layer(
        &self,
        arch: &Arch,
        layer: &Layer,
        comp: &LayerCompression,
        opts: &RunOptions,
    ) -> Result<LayerResult, SimError>;
}

/// The engine for an arch's PE kind.
pub fn engine_for(arch: &Arch) -> &'static dyn Engine {
    match arch.pe_array.kind {
        PeKind::Systolic => &systolic::Systolic,
        PeKind::Spatial => &spatial::Spatial,
        PeKind::Eie => &eie::Eie,
        PeKind::Stripes => &bit_serial::Stripes,
        PeKind::Dadiannao => &bit_serial::DaDianNao,
    }
}
