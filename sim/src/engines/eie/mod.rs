//! The EIE sparse engine (Han et al., "EIE: Efficient Inference Engine on
//! Compressed Deep Neural Network", ISCA 2016).
//!
//! A fully-connected, matmul or LSTM-gate layer is a sparse matrix–vector
//! product `b = W a` per input vector (batch `N` = `N` passes; a convolution
//! only when `eie.lower_conv` is set, one pass per output pixel, im2col).
//! The matrix's rows are interleaved over the PEs and each PE's slice is
//! encoded as EIE encodes it ([`matrix`]); the broadcast of non-zero
//! activations through per-PE queues is timed exactly, either cycle by cycle
//! ([`cycle`]) or by an event recurrence that gives the same cycles
//! ([`recurrence`], used by the engine). Load imbalance, queue stalls and
//! filler zeros are measured on the actual structure, not assumed.
//!
//! Counts per memory level (data words of `word_bits`), per visit of a
//! column by a PE: one pointer pair (Sec. IV, Pointer Read Unit); the
//! sparse-matrix SRAM rows its entries span at `spmat_width_bits` per read,
//! less the row the read unit still holds from the previous visit (Sparse
//! Matrix Read Unit: a read's eight entries are issued one per cycle, so the
//! unit keeps the row; consecutive columns share a row); per entry a codebook look-up, a MAC and a
//! read and write of the destination register (Arithmetic Unit, Activation
//! Read/Write); per broadcast a queue write and read in every PE. The
//! source vector is scanned once per output batch; vectors longer than the
//! register files go through the activation SRAM (Sec. IV). The weights
//! stay in the PEs' SRAMs; whatever does not fit is streamed from the
//! off-chip level once per pass.
//!
//! Where the weights come from: [`with_layer_matrix`] is the single place
//! that picks the sparse structure of a layer; today a seeded synthetic
//! pattern at the compression's weight density ([`matrix::synthetic_csc`]).
//! The input activations are a seeded vector at the layer's activation
//! density ([`matrix::synthetic_activations`]); [`run_matrix`] takes any.

pub mod cycle;
pub mod matrix;
pub mod recurrence;

#[cfg(test)]
mod tests;

use eyrie_arch::{Arch, EieParams, Operand};
use eyrie_workloads::compress::LayerCompression;
use eyrie_workloads::{Layer, LayerKind};

use super::Engine;
use crate::accounting::{dram_index, empty_levels, read, write};
use crate::{LayerResult, RunOptions, SimError};
use matrix::{Csc, CscRef, MatrixError, PeSlices};
use recurrence::Recurrence;

/// The EIE engine.
pub struct Eie;

/// The timing of a run of visits (broadcast activations) on the PEs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timing {
    /// Cycles from the first broadcast to the last entry issued (pipeline drain not included).
    pub cycles: u64,
    /// Activations broadcast.
    pub broadcasts: u64,
    /// Cycles in which a broadcast was due but a full queue held it back.
    pub broadcast_stall_cycles: u64,
    /// Cycles each PE spent working (entries issued plus empty-column pointer reads).
    pub pe_busy_cycles: Vec<u64>,
}

/// Everything the engine counts on one matrix over a sequence of input vectors.
#[derive(Debug, Clone, PartialEq)]
pub struct MatrixRun {
    /// Timing of all passes back to back.
    pub timing: Timing,
    /// Input vectors processed.
    pub passes: u64,
    /// Entries issued to the arithmetic units (non-zeros and fillers).
    pub entries: u64,
    /// Multiplications by a non-zero weight.
    pub useful_macs: u64,
    /// Sparse-matrix SRAM reads (rows of `spmat_width_bits`).
    pub spmat_row_reads: u64,
}

impl MatrixRun {
    /// Fraction of PE-cycles not starved: `1 − bubble cycles / total` (EIE Sec. VI-C).
    pub fn load_balance_efficiency(&self) -> f64 {
        let t = &self.timing;
        let total = t.cycles as f64 * t.pe_busy_cycles.len() as f64;
        if total > 0.0 { t.pe_busy_cycles.iter().sum::<u64>() as f64 / total } else { 1.0 }
    }
}

/// Run `slices` on the EIE of `params` for each input vector of `passes`
/// (the increasing indices of its non-zero activations), back to back.
pub fn run_matrix<I>(params: &EieParams, slices: &PeSlices, passes: I) -> MatrixRun
where
    I: IntoIterator,
    I::Item: AsRef<[u32]>,
{
    let n = slices.pes() as usize;
    let per_read = u64::from(params.entries_per_read());
    let mut rec = Recurrence::new(n, params.queue_depth as usize);
    let (mut entries, mut useful, mut rows_read, mut npass) = (0u64, 0u64, 0u64, 0u64);
    // The SRAM row each PE's read unit holds (it hands out a read's entries one per cycle).
    let mut held_row = vec![u64::MAX; n];
    for active in passes {
        npass += 1;
        for b in 0..slices.batches() {
            for &j in active.as_ref() {
                if j >= slices.cols() {
                    continue;
                }
                let counts = slices.counts(b, j);
                rec.visit(counts);
                for ((&c, &off), held) in counts.iter().zip(slices.offsets(b, j)).zip(held_row.iter_mut()) {
                    if c > 0 {
                        let first = u64::from(off) / per_read;
                        let last = (u64::from(off) + u64::from(c) - 1) / per_read;
                        rows_read += last - first + 1 - u64::from(first == *held);
                        *held = last;
                        entries += u64::from(c);
                    }
                }
            }
        }
        useful += active.as_ref().iter().map(|&j| u64::from(slices.column_nonzeros(j))).sum::<u64>();
    }
    MatrixRun { timing: rec.finish(), passes: npass, entries, useful_macs: useful, spmat_row_reads: rows_read }
}

/// FNV-1a hash of a layer name, to give every layer its own random streams.
fn name_hash(name: &str) -> u64 {
    name.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3))
}

/// A seed for stream `index` of layer `name` under the run's `seed` (SplitMix64 finalizer).
pub fn derive_seed(seed: u64, name: &str, index: u64) -> u64 {
    let mut z = seed ^ name_hash(name).rotate_left(17) ^ index.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Matrix shape of a layer run on EIE: `(rows, cols, groups, passes)`.
///
/// Rows are the outputs `k`; columns the inputs of one output, `c·r·s` (all
/// groups side by side, block-diagonal); one pass per output pixel and image.
fn layer_shape(layer: &Layer) -> Result<(u32, u32, u32, u64), SimError> {
    let too_big = |what: &str, v: u64| SimError::Arch(format!("layer `{}`: {what} = {v} exceeds 2^32 − 1", layer.name));
    let rows = u32::try_from(layer.k).map_err(|_| too_big("outputs", layer.k))?;
    let c = layer.c * layer.r * layer.s;
    let cols = u32::try_from(c).map_err(|_| too_big("inputs", c))?;
    let groups = u32::try_from(layer.groups.max(1)).map_err(|_| too_big("groups", layer.groups))?;
    Ok((rows, cols, groups, layer.n * layer.p * layer.q))
}

/// A seeded synthetic structure for a layer's weight matrix: Bernoulli
/// positions at the compression's weight density ([`matrix::synthetic_csc`]),
/// seeded by the run's seed and the layer's name.
pub fn layer_matrix(layer: &Layer, comp: &LayerCompression, seed: u64) -> Result<Csc, SimError> {
    let (rows, cols, groups, _) = layer_shape(layer)?;
    matrix::synthetic_csc(rows, cols, groups, comp.weight_density, derive_seed(seed, &layer.name, 0))
        .map_err(|e| matrix_error(layer, e))
}

/// Call `f` on the sparse structure of a layer's weight matrix: the single
/// place that decides where the structure comes from.
///
/// When the compressor kept the layer's real structure
/// (`LayerCompression::sparse`: rows = outputs, columns = inputs, CSC), the
/// engine runs on it, borrowed, after checking its shape against
/// [`layer_shape`]; otherwise on [`layer_matrix`]'s seeded synthetic pattern
/// at the compression's weight density.
pub fn with_layer_matrix<R>(
    layer: &Layer,
    comp: &LayerCompression,
    seed: u64,
    f: impl FnOnce(CscRef<'_>) -> Result<R, SimError>,
) -> Result<R, SimError> {
    if let Some(sm) = comp.sparse.as_ref() {
        let (rows, cols, _, _) = layer_shape(layer)?;
        if (sm.rows, sm.cols) != (rows, cols) {
            return Err(SimError::Arch(format!(
                "layer `{}`: the compressed matrix is {}×{}, the layer needs {rows}×{cols}",
                layer.name, sm.rows, sm.cols
            )));
        }
        return f(CscRef::new(sm.rows, sm.cols, &sm.col_ptr, &sm.row_idx).map_err(|e| matrix_error(layer, e))?);
    }
    let synthetic = layer_matrix(layer, comp, seed)?;
    f(synthetic.as_ref().map_err(|e| matrix_error(layer, e))?)
}

fn matrix_error(layer: &Layer, e: MatrixError) -> SimError {
    SimError::Arch(format!("layer `{}`: {e}", layer.name))
}

fn params(arch: &Arch) -> Result<&EieParams, SimError> {
    arch.eie.as_ref().ok_or_else(|| {
        SimError::Arch(format!(
            "architecture `{}` has kind = \"eie\" but no [eie] table; see arch/presets/eie.toml",
            arch.name
        ))
    })
}

impl Engine for Eie {
    fn name(&self) -> &'static str {
        "eie"
    }

    fn description(&self) -> &'static str {
        "EIE sparse PEs: interleaved CSC slices, activation broadcast through queues, timed exactly"
    }

    fn check(&self, arch: &Arch, layer: &Layer) -> Result<(), SimError> {
        match layer.kind {
            LayerKind::Pool | LayerKind::Eltwise => Ok(()),
            LayerKind::Fc | LayerKind::Matmul => params(arch).map(|_| ()),
            LayerKind::Conv if params(arch)?.lower_conv => Ok(()),
            LayerKind::Conv => Err(SimError::Unsupported {
                layer: layer.name.clone(),
                engine: self.name().into(),
                kind: "conv".into(),
                suggestion: "EIE runs fully-connected, matmul and LSTM layers; run convolutions on a spatial \
                             (Eyeriss) or systolic architecture, or set eie.lower_conv = true to run them as \
                             matrix-vector products"
                    .into(),
            }),
        }
    }

    fn run_layer(
        &self,
        arch: &Arch,
        layer: &Layer,
        comp: &LayerCompression,
        opts: &RunOptions,
    ) -> Result<LayerResult, SimError> {
        if !layer.kind.has_macs() {
            return Ok(super::nomac::run(arch, layer));
        }
        let p = params(arch)?;
        let pes = u32::try_from(arch.pe_array.pes())
            .map_err(|_| SimError::Arch(format!("{} PEs exceed 2^32 − 1", arch.pe_array.pes())))?;
        let slices = with_layer_matrix(layer, comp, opts.seed, |csc| {
            PeSlices::from_csc(csc, pes, p.index_bits, p.act_rf_entries).map_err(|e| matrix_error(layer, e))
        })?;
        let (_, cols, _, passes) = layer_shape(layer)?;
        let density = layer.act_density;
        let vectors = (0..passes)
            .map(|i| matrix::synthetic_activations(cols, density, derive_seed(opts.seed, &layer.name, i + 1)));
        let run = run_matrix(p, &slices, vectors);
        Ok(layer_result(arch, p, layer, &slices, &run))
    }
}

/// Turn a run's counts into the shared accounting's [`LayerResult`] (no energy: the caller prices it).
pub fn layer_result(arch: &Arch, p: &EieParams, layer: &Layer, slices: &PeSlices, run: &MatrixRun) -> LayerResult {
    let t = &run.timing;
    let n = u64::from(slices.pes());
    let (k_in, m_out, nb) = (u64::from(slices.cols()), u64::from(slices.rows()), u64::from(slices.batches()));
    let word = u64::from(arch.word_bits.max(1));
    let ptr_words = u64::from(p.pointer_bits).div_ceil(word);
    let entry_bits = u64::from(p.entry_bits());
    let visits = t.broadcasts;
    let mut levels = empty_levels(arch);
    let lvl = |name: &str| arch.level_index(name);

    // Sparse-matrix SRAM: whole rows, split between codebook indices (weights) and relative indices (metadata).
    let spmat_bits = run.spmat_row_reads * u64::from(p.spmat_width_bits);
    let spmat_w = spmat_bits * u64::from(p.codebook_bits) / entry_bits / word;
    let spmat_total = spmat_bits.div_ceil(word);
    if let Some(i) = lvl("spmat") {
        read(&mut levels, i, Operand::Weights, spmat_w);
        read(&mut levels, i, Operand::Metadata, spmat_total - spmat_w);
    }
    // Pointer SRAM: p_j and p_j+1 for every visit on every PE.
    if let Some(i) = lvl("ptr") {
        read(&mut levels, i, Operand::Metadata, visits * n * 2 * ptr_words);
    }
    if let Some(i) = lvl("codebook") {
        read(&mut levels, i, Operand::Weights, run.entries);
    }
    // Activation queue: value + column index, written by the broadcast and read by the PE.
    if let Some(i) = lvl("act_queue") {
        write(&mut levels, i, Operand::Inputs, visits * n * 2);
        read(&mut levels, i, Operand::Inputs, visits * n * 2);
    }
    let rf_cap = u64::from(p.act_rf_entries) * n;
    let scans = k_in * nb * run.passes;
    if let Some(i) = lvl("act_rf") {
        // The leading-non-zero detectors scan the source vector once per output batch.
        read(&mut levels, i, Operand::Inputs, scans);
        // Each entry reads and writes its destination accumulator.
        read(&mut levels, i, Operand::Outputs, run.entries);
        write(&mut levels, i, Operand::Outputs, run.entries);
        if k_in > rf_cap {
            write(&mut levels, i, Operand::Inputs, scans);
        }
        if nb > 1 {
            read(&mut levels, i, Operand::Outputs, m_out * run.passes);
        }
    }
    if let Some(i) = lvl("act_sram") {
        if k_in > rf_cap {
            read(&mut levels, i, Operand::Inputs, scans);
        }
        if nb > 1 {
            write(&mut levels, i, Operand::Outputs, m_out * run.passes);
        }
    }

    // Capacity: what does not fit per PE streams from off-chip once per pass.
    let cap_bytes = |name: &str| lvl(name).and_then(|i| arch.level_bytes(i));
    let spmat_bytes = slices.pe_entries().iter().max().copied().unwrap_or(0) * entry_bits / 8;
    let ptr_bytes = nb * (k_in + 1) * u64::from(p.pointer_bits).div_ceil(8);
    let spmat_fits = cap_bytes("spmat").is_none_or(|c| spmat_bytes as f64 <= c);
    let ptr_fits = cap_bytes("ptr").is_none_or(|c| ptr_bytes as f64 <= c);
    let d = dram_index(arch);
    let mut dram_words = 0;
    if !spmat_fits {
        let total_bits = slices.pe_entries().iter().sum::<u64>() * entry_bits;
        let w = total_bits * u64::from(p.codebook_bits) / entry_bits / word * run.passes;
        let all = total_bits.div_ceil(word) * run.passes;
        read(&mut levels, d, Operand::Weights, w);
        read(&mut levels, d, Operand::Metadata, all - w);
        if let Some(i) = lvl("spmat") {
            write(&mut levels, i, Operand::Weights, w);
            write(&mut levels, i, Operand::Metadata, all - w);
        }
        dram_words += all;
    }
    if !ptr_fits {
        let words = n * nb * (k_in + 1) * ptr_words * run.passes;
        read(&mut levels, d, Operand::Metadata, words);
        if let Some(i) = lvl("ptr") {
            write(&mut levels, i, Operand::Metadata, words);
        }
        dram_words += words;
    }

    let drain = if visits > 0 { u64::from(p.pipeline_stages.saturating_sub(1)) } else { 0 };
    let compute_cycles = t.cycles + drain;
    let transfer = match arch.levels.get(d).and_then(|l| l.bandwidth_words_per_cycle) {
        Some(bw) if dram_words > 0 => (dram_words as f64 / bw).ceil() as u64,
        _ => 0,
    };
    let stall_cycles = transfer.saturating_sub(compute_cycles);
    let seconds = (compute_cycles + stall_cycles) as f64 * arch.cycle_seconds();
    let gops = |ops: u64| if seconds > 0.0 { ops as f64 / seconds / 1e9 } else { 0.0 };
    let busy = &t.pe_busy_cycles;
    let busy_sum: u64 = busy.iter().sum();
    let ratio = |a: u64, b: u64| if b > 0 { a as f64 / b as f64 } else { 0.0 };
    let extra: Vec<(String, f64)> = vec![
        ("pes", n as f64),
        ("queue_depth", f64::from(p.queue_depth)),
        ("passes", run.passes as f64),
        ("output_batches", nb as f64),
        ("broadcasts", visits as f64),
        ("nonzero_weights", slices.nonzeros() as f64),
        ("filler_entries", slices.fillers() as f64),
        ("entries_processed", run.entries as f64),
        ("useful_macs", run.useful_macs as f64),
        ("real_work_fraction", ratio(run.useful_macs, run.entries)),
        ("load_balance_efficiency", run.load_balance_efficiency()),
        ("alu_utilization", ratio(run.entries, t.cycles * n)),
        ("broadcast_stall_cycles", t.broadcast_stall_cycles as f64),
        ("pe_busy_cycles_max", busy.iter().copied().max().unwrap_or(0) as f64),
        ("pe_busy_cycles_mean", ratio(busy_sum, n)),
        ("pe_busy_cycles_min", busy.iter().copied().min().unwrap_or(0) as f64),
        ("pe_idle_cycles_mean", t.cycles as f64 - ratio(busy_sum, n)),
        ("theoretical_cycles", run.entries.div_ceil(n.max(1)) as f64),
        ("spmat_row_reads", run.spmat_row_reads as f64),
        ("pointer_pair_reads", (visits * n) as f64),
        ("spmat_bytes_per_pe_max", spmat_bytes as f64),
        ("ptr_bytes_per_pe", ptr_bytes as f64),
        ("weights_on_chip", if spmat_fits && ptr_fits { 1.0 } else { 0.0 }),
        ("gops_actual", gops(2 * run.useful_macs)),
        ("gops_dense_equivalent", gops(2 * layer.macs())),
        ("lnzd_units", p.lnzd_units(n) as f64),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    LayerResult {
        compute_cycles,
        stall_cycles,
        pes: n,
        busy_pe_cycles: run.entries as f64,
        effective_macs: run.entries,
        levels,
        noc_words: eyrie_arch::PerOperand { inputs: visits * n * 2, ..Default::default() },
        extra,
        ..LayerResult::default()
    }
}
