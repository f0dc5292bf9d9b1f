//! The DaDianNao engine: bit-parallel 16-bit tiles (Chen et al., MICRO 2014).
//!
//! As the Toronto group models the node (Bit-Pragmatic, MICRO 2017, Sec. 4.2):
//! each cycle one brick of `terms` activations of one window is broadcast to
//! all tiles, whose `filters_per_tile` inner-product units each multiply it by
//! a brick of weights and accumulate. A MAC layer therefore takes
//!
//! `cycles = images · groups · filter_sets · pallets · R · S · ⌈C/G / terms⌉`
//!
//! with `pallets` = windows (one window per cycle, `pe_array.cols = 1`; a
//! wider array takes `cols` windows per cycle). Fully-connected and matmul
//! layers are the 1×1 case with their rows as windows. Activations are always
//! processed at the full word width: precision profiles do not change
//! DaDianNao's time. Every MAC costs one bit-parallel MAC of energy.

use eyrie_arch::Arch;
use eyrie_workloads::Layer;
use eyrie_workloads::compress::LayerCompression;

use super::{TrafficShape, check, mapping, no_mac, sb_reads, setup, traffic};
use crate::engines::Engine;
use crate::{LayerResult, RunOptions, SimError};

/// The DaDianNao bit-parallel engine.
pub struct DaDianNao;

impl Engine for DaDianNao {
    fn name(&self) -> &'static str {
        "dadiannao"
    }

    fn description(&self) -> &'static str {
        "DaDianNao tiles: one brick of activations x filters_per_tile filters per tile per cycle, bit-parallel"
    }

    fn check(&self, arch: &Arch, layer: &Layer) -> Result<(), SimError> {
        check(arch, layer, self.name())
    }

    fn run_layer(
        &self,
        arch: &Arch,
        layer: &Layer,
        _comp: &LayerCompression,
        _opts: &RunOptions,
    ) -> Result<LayerResult, SimError> {
        let (params, lv) = setup(arch, self.name())?;
        let geo = params.geometry(&arch.pe_array);
        if !layer.kind.has_macs() {
            return Ok(no_mac(arch, &geo, layer));
        }
        let m = mapping(&geo, params.window_order, layer, geo.windows);
        let cycles = m.images * m.groups * m.filter_sets * m.pallets * m.steps;
        let share = geo.windows.max(u64::from(params.weight_reuse_windows));
        let shape = TrafficShape {
            sb_weight_reads: sb_reads(layer, params.window_order, share),
            wire_bits: arch.word_bits,
            psum_words: 0,
        };
        let (levels, noc_words) = traffic(arch, lv, layer, &m, shape);
        let macs = layer.macs();
        Ok(LayerResult {
            compute_cycles: cycles,
            pes: geo.lanes(),
            busy_pe_cycles: macs as f64,
            effective_macs: macs,
            levels,
            noc_words,
            extra: vec![
                ("act_bits".into(), f64::from(arch.word_bits)),
                ("filter_sets".into(), (m.groups * m.filter_sets) as f64),
                ("pallets".into(), (m.images * m.pallets) as f64),
            ],
            ..LayerResult::default()
        })
    }
}
