//! The DaDianNao (bit-parallel) and Stripes (bit-serial) engines and what they share.
//!
//! Both follow the node organisation the Toronto group uses (Bit-Pragmatic,
//! MICRO 2017, Sec. 4.2; Stripes, MICRO 2016): `tiles` tiles receive the same
//! brick of `terms` activations (broadcast from the neuron memory NM through
//! each tile's NBin) and hold different filters, `filters_per_tile` each, so a
//! layer is processed in *filter sets* of `tiles × filters_per_tile` filters,
//! group after group. Within a set, every output window needs `R·S·⌈C/G / terms⌉`
//! *steps* (one per filter tap and brick of channels). DaDianNao does one
//! window-step per cycle; Stripes does a *pallet* of `windows` windows per
//! step in `p` cycles for `p`-bit activations. Every ceiling is an edge effect:
//! idle multiplier lanes when channels are not a multiple of `terms`, idle
//! filter lanes when filters are not a multiple of the set, idle SIP columns
//! in the last pallet of a row or image.
//!
//! Memory counts (data words; energies are priced by [`crate::accounting::price`]):
//! weights come from DRAM once per layer into the synapse buffers (SB) and are
//! read from SB once per weight-sharing group of windows; each window's bricks
//! are read from NM once per filter set and written to the NBin of every tile
//! holding filters of that set; each output is written once to NBout and then
//! to NM. A layer whose input and output together exceed NM streams them
//! through DRAM (the Pragmatic Sec. 4.2 policy keeps activations on chip).
//! Stripes moves activations from NM to the tiles serially at their precision,
//! so its NBin and broadcast traffic is `p/16` of a word per activation.
//! Pooling and element-wise layers go to [`super::nomac`].

pub mod dadiannao;
pub mod precision;
pub mod stripes;

#[cfg(test)]
mod tests;

pub use dadiannao::DaDianNao;
pub use stripes::Stripes;

use eyrie_arch::{Arch, BitSerialParams, Operand, PerOperand, TileGeometry, WindowOrder};
use eyrie_workloads::{Layer, LayerKind};

use crate::SimError;
use crate::accounting::{dram_index, empty_levels, read, write};
use crate::result::LevelStats;

/// How a MAC layer maps onto the node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mapping {
    /// Independent images (conv: the batch; fc and matmul: 1, their rows are windows).
    pub images: u64,
    /// Groups, processed one after the other.
    pub groups: u64,
    /// Filter sets per group: `⌈K/G / (tiles · filters_per_tile)⌉`.
    pub filter_sets: u64,
    /// Tile loads per group, summed over its sets: `⌈K/G / filters_per_tile⌉`.
    pub tile_loads: u64,
    /// Channel bricks per filter tap: `⌈C/G / terms⌉`.
    pub chunks: u64,
    /// Steps per window: `R · S · chunks`.
    pub steps: u64,
    /// Windows per image (conv: `P · Q`; fc and matmul: the rows `n`).
    pub windows: u64,
    /// Pallets per image: windows grouped `per_pallet` at a time in the arch's order.
    pub pallets: u64,
}

/// Pallets of `per` windows over a `p × q` output (a row-major list of `p·q`
/// windows for `Flat`, each output row on its own for `Row`).
pub fn pallet_count(p: u64, q: u64, per: u64, order: WindowOrder) -> u64 {
    let per = per.max(1);
    match order {
        WindowOrder::Flat => (p * q).div_ceil(per),
        WindowOrder::Row => p * q.div_ceil(per),
    }
}

/// The mapping of a MAC layer with pallets of `per_pallet` windows.
pub fn mapping(geo: &TileGeometry, order: WindowOrder, layer: &Layer, per_pallet: u64) -> Mapping {
    let groups = layer.groups.max(1);
    let kg = layer.k / groups;
    let chunks = layer.c_per_group().div_ceil(geo.terms.max(1));
    let conv = layer.kind == LayerKind::Conv;
    let (images, windows, pallets) = if conv {
        (layer.n, layer.p * layer.q, pallet_count(layer.p, layer.q, per_pallet, order))
    } else {
        (1, layer.n, layer.n.div_ceil(per_pallet.max(1)))
    };
    Mapping {
        images,
        groups,
        filter_sets: kg.div_ceil(geo.filters_per_pass().max(1)),
        tile_loads: kg.div_ceil(geo.filters_per_tile.max(1)),
        chunks,
        steps: layer.r * layer.s * chunks,
        windows,
        pallets,
    }
}

/// Indices of the levels the engines use.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Levels {
    dram: usize,
    nm: usize,
    sb: usize,
    nbin: usize,
    nbout: usize,
}

/// The `[bit_serial]` section and the level indices, or why the arch cannot run.
pub(crate) fn setup<'a>(arch: &'a Arch, engine: &str) -> Result<(&'a BitSerialParams, Levels), SimError> {
    let Some(p) = arch.bit_serial.as_ref() else {
        return Err(SimError::Arch(format!(
            "the {engine} engine needs a [bit_serial] table in the architecture (tiles, terms_per_filter)"
        )));
    };
    let idx = |key: &str, name: &str| {
        arch.level_index(name)
            .ok_or_else(|| SimError::Arch(format!("bit_serial.{key} = `{name}` names no memory level of the arch")))
    };
    let levels = Levels {
        dram: dram_index(arch),
        nm: idx("nm_level", &p.nm_level)?,
        sb: idx("sb_level", &p.sb_level)?,
        nbin: idx("nbin_level", &p.nbin_level)?,
        nbout: idx("nbout_level", &p.nbout_level)?,
    };
    Ok((p, levels))
}

/// Shared check: the arch has what the engines need and the layer's shape is sound.
pub(crate) fn check(arch: &Arch, layer: &Layer, engine: &str) -> Result<(), SimError> {
    setup(arch, engine)?;
    if let Some((field, msg)) = layer.check().into_iter().next() {
        return Err(SimError::Arch(format!("layer `{}`: {field} {msg}", layer.name)));
    }
    Ok(())
}

/// What differs between the engines' memory traffic.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TrafficShape {
    /// Weight words read from SB.
    pub sb_weight_reads: u64,
    /// Bits per activation sent from NM to the tiles (the word width, or `p` on Stripes).
    pub wire_bits: u32,
    /// Partial-sum words written to and read back from NBout.
    pub psum_words: u64,
}

/// Count every level's reads and writes and the broadcast traffic of one MAC layer.
pub(crate) fn traffic(
    arch: &Arch,
    lv: Levels,
    layer: &Layer,
    m: &Mapping,
    t: TrafficShape,
) -> (Vec<LevelStats>, PerOperand<u64>) {
    let mut levels = empty_levels(arch);
    let weights = layer.weights();
    let (ins, outs) = (layer.input_words(), layer.output_words());
    let nm_words = arch
        .level_bytes(lv.nm)
        .map_or(f64::INFINITY, |b| b * f64::from(arch.levels[lv.nm].instances) / arch.word_bytes());
    let spill = (ins + outs) as f64 > nm_words;
    // Brick reads from NM: every window's taps and channels, once per filter set.
    let per_window = layer.r * layer.s * layer.c_per_group();
    let nm_reads = m.images * m.groups * m.filter_sets * m.windows * per_window;
    let delivered = m.images * m.groups * m.tile_loads * m.windows * per_window;
    let wire = |words: u64| (words as f64 * f64::from(t.wire_bits) / f64::from(arch.word_bits)).ceil() as u64;

    read(&mut levels, lv.dram, Operand::Weights, weights);
    write(&mut levels, lv.sb, Operand::Weights, weights);
    read(&mut levels, lv.sb, Operand::Weights, t.sb_weight_reads);
    if spill {
        read(&mut levels, lv.dram, Operand::Inputs, ins);
        write(&mut levels, lv.nm, Operand::Inputs, ins);
        write(&mut levels, lv.dram, Operand::Outputs, outs);
        read(&mut levels, lv.nm, Operand::Outputs, outs);
    }
    read(&mut levels, lv.nm, Operand::Inputs, nm_reads);
    write(&mut levels, lv.nbin, Operand::Inputs, wire(delivered));
    read(&mut levels, lv.nbin, Operand::Inputs, wire(delivered));
    write(&mut levels, lv.nbout, Operand::Psums, t.psum_words);
    read(&mut levels, lv.nbout, Operand::Psums, t.psum_words);
    write(&mut levels, lv.nbout, Operand::Outputs, outs);
    read(&mut levels, lv.nbout, Operand::Outputs, outs);
    write(&mut levels, lv.nm, Operand::Outputs, outs);
    let noc = PerOperand { inputs: wire(delivered), outputs: outs, ..PerOperand::default() };
    (levels, noc)
}

/// A pooling or element-wise layer: [`super::nomac`]'s counts, timed on the node's
/// bit-parallel lanes (`tiles · filters_per_tile · terms`, the same on both engines:
/// Stripes keeps DaDianNao's non-MAC units).
pub(crate) fn no_mac(arch: &Arch, geo: &TileGeometry, layer: &Layer) -> crate::LayerResult {
    let mut r = super::nomac::run(arch, layer);
    let lanes = (geo.tiles * geo.filters_per_tile * geo.terms).max(1);
    let ops = layer.n * layer.k * layer.p * layer.q * layer.r * layer.s;
    let transfer = match arch.levels.get(dram_index(arch)).and_then(|l| l.bandwidth_words_per_cycle) {
        Some(bw) => ((layer.input_words() + layer.output_words()) as f64 / bw).ceil() as u64,
        None => 0,
    };
    r.compute_cycles = ops.div_ceil(lanes);
    r.stall_cycles = transfer.saturating_sub(r.compute_cycles);
    r.pes = lanes;
    r
}

/// SB weight reads when each read serves `share` windows: every weight once per
/// group of `share` windows of every image.
pub(crate) fn sb_reads(layer: &Layer, order: WindowOrder, share: u64) -> u64 {
    let w = layer.weights();
    match layer.kind {
        LayerKind::Conv => w * layer.n * pallet_count(layer.p, layer.q, share, order),
        _ => w * layer.n.div_ceil(share.max(1)),
    }
}
