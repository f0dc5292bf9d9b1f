//! The Stripes engine: bit-serial activations, bit-parallel weights (Judd et al., MICRO 2016).
//!
//! Each tile is a grid of serial inner-product units (SIPs): `filters_per_tile`
//! rows (filters) × `windows` columns (windows). A SIP takes `terms` weights
//! (held for the whole step) and one bit of each of `terms` activations per
//! cycle, so a step over a pallet of `windows` windows takes `p` cycles for
//! `p`-bit activations (Stripes abstract: time scales with the precision;
//! Pragmatic Sec. 3, Fig. 4b). Convolutional layers:
//!
//! `cycles = images · groups · filter_sets · pallets · R · S · ⌈C/G / terms⌉ · p`,
//!
//! i.e. `16/p` times DaDianNao's when the windows fill the pallets. With
//! `dynamic_precision` each step instead lasts the precision its group of
//! activations needs (Dynamic Stripes; see [`super::precision`]).
//!
//! Fully-connected and matmul layers have one window per row, so the control
//! picks the fastest schedule the arch allows:
//! 1. *rows as windows*: the rows (batch images) fill the SIP columns, as a
//!    1×1 convolution: `groups · filter_sets · ⌈n / windows⌉ · chunks · p`;
//! 2. *column multiplexing* (Stripes' FC mode; DNNsim's `FC_MULTIPLEX_COLUMNS`):
//!    the columns take successive bricks of the input, each column loading its
//!    weights from SB in one cycle (SB delivers one column's weights per cycle),
//!    so brick `j` starts at `⌊j/windows⌋ · max(windows, p) + j mod windows` and
//!    the layer ends `p` cycles after the last start: DaDianNao's speed, no gain
//!    (the paper's FC result). Column partial sums are reduced through NBout.
//! 3. *serial weights* (only if `serial_weights`; Tartan/Loom style): weights go
//!    bit-serially, so every SIP holds its own filter and a brick takes the
//!    weight precision `w` cycles: `n · groups · ⌈K/G / (filters · windows · tiles)⌉ · chunks · w`.
//!
//! Energy: a `p`-bit serial product is charged `p/16` of a 16-bit MAC
//! (`effective_macs` counts 16-bit-MAC equivalents), see arch/presets/stripes.toml.

use eyrie_arch::{Arch, TileGeometry};
use eyrie_workloads::compress::LayerCompression;
use eyrie_workloads::{Layer, LayerKind};

use super::precision::{dynamic_steps_cycles, layer_act_bits, synthetic_activations};
use super::{Mapping, TrafficShape, check, mapping, no_mac, sb_reads, setup, traffic};
use crate::engines::Engine;
use crate::{LayerResult, RunOptions, SimError};

/// The Stripes bit-serial engine.
pub struct Stripes;

/// How an FC or matmul layer was scheduled (`fc_schedule` in the result's extras).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FcSchedule {
    /// Rows (batch images) fill the SIP columns.
    RowsAsWindows = 1,
    /// SIP columns take successive input bricks.
    ColumnMultiplex = 2,
    /// Weights bit-serial.
    SerialWeights = 3,
}

/// Cycles of column multiplexing: `bricks` bricks over `columns` columns at `p` cycles each.
pub fn multiplex_cycles(bricks: u64, columns: u64, p: u64) -> u64 {
    if bricks == 0 {
        return 0;
    }
    let cols = columns.max(1);
    let last = bricks - 1;
    (last / cols) * cols.max(p) + last % cols + p
}

/// Cycles and schedule of an FC or matmul layer (see the module docs).
pub fn fc_cycles(
    geo: &TileGeometry,
    m: &Mapping,
    layer: &Layer,
    p: u64,
    weight_bits: Option<u64>,
) -> (u64, FcSchedule) {
    let rows = layer.n;
    let per_group_bricks = m.filter_sets * m.chunks;
    let mut best =
        (m.groups * m.filter_sets * rows.div_ceil(geo.windows.max(1)) * m.chunks * p, FcSchedule::RowsAsWindows);
    let mux = multiplex_cycles(rows * m.groups * per_group_bricks, geo.windows, p);
    if mux < best.0 {
        best = (mux, FcSchedule::ColumnMultiplex);
    }
    if let Some(w) = weight_bits {
        let kg = layer.k / m.groups.max(1);
        let sets = kg.div_ceil((geo.filters_per_pass() * geo.windows).max(1));
        let serial = rows * m.groups * sets * m.chunks * w;
        if serial < best.0 {
            best = (serial, FcSchedule::SerialWeights);
        }
    }
    best
}

impl Engine for Stripes {
    fn name(&self) -> &'static str {
        "stripes"
    }

    fn description(&self) -> &'static str {
        "Stripes tiles: filters x windows bit-serial SIPs, time proportional to activation precision"
    }

    fn check(&self, arch: &Arch, layer: &Layer) -> Result<(), SimError> {
        check(arch, layer, self.name())
    }

    fn run_layer(
        &self,
        arch: &Arch,
        layer: &Layer,
        comp: &LayerCompression,
        opts: &RunOptions,
    ) -> Result<LayerResult, SimError> {
        let (params, lv) = setup(arch, self.name())?;
        let geo = params.geometry(&arch.pe_array);
        if !layer.kind.has_macs() {
            return Ok(no_mac(arch, &geo, layer));
        }
        let (bits, source) = layer_act_bits(arch, params, layer, comp)?;
        let p = u64::from(bits);
        let word = f64::from(arch.word_bits);
        let m = mapping(&geo, params.window_order, layer, geo.windows);
        let macs = layer.macs();
        let mut extra = vec![("act_bits".to_string(), p as f64), ("act_bits_source".to_string(), source.code())];
        let (cycles, product_bits, shape) = if layer.kind == LayerKind::Conv {
            let static_cycles = m.images * m.groups * m.filter_sets * m.pallets * m.steps * p;
            let mut cycles = static_cycles;
            if params.dynamic_precision {
                let acts = synthetic_activations(layer, bits, opts.seed);
                let pass = dynamic_steps_cycles(
                    layer,
                    &acts,
                    &geo,
                    params.window_order,
                    params.precision_group,
                    params.trim_trailing_zeros,
                )?;
                cycles = pass * m.filter_sets;
                extra.push(("static_cycles".into(), static_cycles as f64));
                extra.push(("dynamic_speedup".into(), static_cycles as f64 / cycles.max(1) as f64));
                extra.push(("dynamic_bits_per_step".into(), cycles as f64 / (static_cycles / p).max(1) as f64));
            }
            let share = geo.windows.max(u64::from(params.weight_reuse_windows));
            let shape = TrafficShape {
                sb_weight_reads: sb_reads(layer, params.window_order, share),
                wire_bits: bits,
                psum_words: 0,
            };
            // Bits per product actually stepped through (p, or fewer with dynamic precision).
            (cycles, p as f64 * cycles as f64 / static_cycles.max(1) as f64, shape)
        } else {
            let wbits = params.serial_weights.then(|| u64::from(comp.weight_bits.clamp(1, arch.word_bits)));
            let (cycles, sched) = fc_cycles(&geo, &m, layer, p, wbits);
            extra.push(("fc_schedule".into(), sched as u8 as f64));
            let (reads, product_bits, psums) = match sched {
                FcSchedule::RowsAsWindows => (sb_reads(layer, params.window_order, geo.windows), p as f64, 0),
                FcSchedule::ColumnMultiplex => {
                    (sb_reads(layer, params.window_order, 1), p as f64, layer.n * layer.k * geo.windows.min(m.chunks))
                }
                FcSchedule::SerialWeights => (sb_reads(layer, params.window_order, 1), wbits.unwrap_or(p) as f64, 0),
            };
            (cycles, product_bits, TrafficShape { sb_weight_reads: reads, wire_bits: bits, psum_words: psums })
        };
        let (levels, noc_words) = traffic(arch, lv, layer, &m, shape);
        Ok(LayerResult {
            compute_cycles: cycles,
            pes: geo.lanes(),
            busy_pe_cycles: macs as f64 * product_bits,
            effective_macs: (macs as f64 * product_bits / word).round() as u64,
            levels,
            noc_words,
            extra,
            ..LayerResult::default()
        })
    }
}
