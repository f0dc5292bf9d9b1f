//! The systolic-array engine: output-, weight- and input-stationary dataflows
//! with SCALE-Sim 3.0.0's cycle and SRAM-access counts.
//!
//! A layer is lowered to one GEMM per group ([`gemm`]), folded onto the
//! `rows × cols` array ([`folds`]: cycles, SRAM reads and writes,
//! utilization, exactly as SCALE-Sim v2/v3 counts them, Samajdar et al.
//! ISPASS 2020), and its DRAM traffic is followed fold by fold through
//! double-buffered SRAM partitions ([`buffer`], [`dram`]), which also gives
//! the stall cycles when the DRAM bandwidth cannot keep up.
//!
//! Mapping onto the architecture: the off-chip level is DRAM; the SRAMs are
//! the first on-chip level, split by its `partition` into `inputs_kb`
//! (SCALE-Sim's IfmapSramSzkB), `weights_kb` (FilterSramSzkB) and
//! `outputs_kb` (OfmapSramSzkB); without a partition its capacity is split
//! in three equal parts. Other on-chip levels are not used by this engine.
//!
//! What is counted where (in data words):
//! * SRAM reads of inputs and weights: what the array consumes (SCALE-Sim's
//!   "SRAM reads", equal to its report); SRAM writes of outputs and partial
//!   sums: what the array emits.
//! * DRAM reads of inputs and weights: the fetches of the double-buffer
//!   model (each is also an SRAM write); DRAM writes of outputs and partial
//!   sums: every word the array emits, drained (an SRAM read each).
//! * Compute cycles: SCALE-Sim's "Total Cycles" (index of the last cycle).
//!   Stall cycles: DRAM fill, bandwidth stalls between folds, final drain.
//! * `busy_pe_cycles` = MACs, so utilization is SCALE-Sim's "Overall Util"
//!   (MACs / (compute cycles × PEs)). Its "Mapping Efficiency" and
//!   "Compute Util" are in the extras `mapping_efficiency` and
//!   `scalesim_compute_util` (fractions, not %).
//! * Activation and weight sparsity are ignored: the array is dense.
//!
//! Grouped and depthwise convolutions run as `groups` GEMMs one after the
//! other, each with empty SRAMs, as SCALE-Sim runs `groups` separate layers.
//! Pooling and element-wise layers go to [`super::nomac`].

pub mod buffer;
pub mod dram;
pub mod folds;
pub mod gemm;

use eyrie_arch::{Arch, Dataflow, Operand, PeKind};
use eyrie_workloads::Layer;
use eyrie_workloads::compress::LayerCompression;

use super::Engine;
use crate::accounting::{dram_index, empty_levels, read, write};
use crate::{LayerResult, RunOptions, SimError};

use dram::{FoldTraffic, Halves};
use folds::Folding;
use gemm::Gemm;

/// The systolic engine.
pub struct Systolic;

/// Where the engine keeps its operands: level indices and partition sizes in words.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SystolicLayout {
    /// Index of the off-chip level.
    pub dram: usize,
    /// Index of the SRAM level.
    pub sram: usize,
    /// Input partition, words.
    pub input_words: u64,
    /// Weight partition, words.
    pub weight_words: u64,
    /// Output partition, words.
    pub output_words: u64,
    /// DRAM bandwidth, words per cycle (`None`: unlimited).
    pub dram_words_per_cycle: Option<f64>,
}

impl SystolicLayout {
    /// Find the DRAM and SRAM levels of `arch`.
    pub fn of(arch: &Arch) -> Result<SystolicLayout, SimError> {
        let dram = dram_index(arch);
        let sram = arch.levels.iter().enumerate().position(|(i, l)| i != dram && !l.off_chip).ok_or_else(|| {
            SimError::Arch(format!(
                "the systolic engine needs an on-chip SRAM level after `{}` (SCALE-Sim's ifmap/filter/ofmap SRAMs)",
                arch.levels.get(dram).map(|l| l.name.as_str()).unwrap_or("dram")
            ))
        })?;
        let level = &arch.levels[sram];
        let words = |bytes: f64| (bytes / arch.word_bytes()).floor() as u64;
        let third = level.capacity_kb.map(|kb| kb * 1024.0 / 3.0);
        let part = |op: Operand| level.partition.as_ref().and_then(|p| p.bytes(op)).or(third);
        let (Some(i), Some(w), Some(o)) = (part(Operand::Inputs), part(Operand::Weights), part(Operand::Outputs))
        else {
            return Err(SimError::Arch(format!(
                "level `{}` needs `capacity_kb` or a `partition` with inputs_kb, weights_kb and outputs_kb",
                level.name
            )));
        };
        for (name, bytes) in [("inputs_kb", i), ("weights_kb", w), ("outputs_kb", o)] {
            if words(bytes) < 2 {
                return Err(SimError::Arch(format!(
                    "level `{}`: the {name} partition holds less than two words (one per half of the double buffer)",
                    level.name
                )));
            }
        }
        Ok(SystolicLayout {
            dram,
            sram,
            input_words: words(i),
            weight_words: words(w),
            output_words: words(o),
            dram_words_per_cycle: arch.levels.get(dram).and_then(|l| l.bandwidth_words_per_cycle),
        })
    }
}

/// Everything the engine derives for one GEMM (one group of a layer).
#[derive(Debug, Clone)]
pub struct GemmRun {
    /// The GEMM.
    pub gemm: Gemm,
    /// Its folding.
    pub folding: Folding,
    /// Its DRAM traffic per fold.
    pub traffic: FoldTraffic,
    /// Stall cycles: fill, between folds, drain.
    pub stalls: (u64, u64, u64),
}

/// Fold and time one group of `layer` on `arch`.
pub fn run_gemm(arch: &Arch, layout: &SystolicLayout, layer: &Layer) -> GemmRun {
    let gemm = Gemm::of_group(layer);
    let rows = u64::from(arch.pe_array.rows);
    let cols = u64::from(arch.pe_array.cols);
    let folding = Folding::new(&gemm, rows, cols, arch.pe_array.dataflow);
    let halves = Halves { inputs: layout.input_words / 2, weights: layout.weight_words / 2 };
    let traffic = dram::traffic(&gemm, &folding, halves);
    let stalls = dram::stalls(&traffic, &folding, layout.dram_words_per_cycle);
    GemmRun { gemm, folding, traffic, stalls }
}

impl Engine for Systolic {
    fn name(&self) -> &'static str {
        "systolic"
    }

    fn description(&self) -> &'static str {
        "rows x cols systolic array (os/ws/is), SCALE-Sim 3.0.0 cycle and SRAM counts, double-buffered DRAM traffic"
    }

    fn check(&self, arch: &Arch, layer: &Layer) -> Result<(), SimError> {
        if arch.pe_array.kind != PeKind::Systolic {
            return Err(SimError::Arch(format!(
                "the systolic engine runs `kind = \"systolic\"` arrays, not `{}`",
                arch.pe_array.kind.as_str()
            )));
        }
        if !matches!(arch.pe_array.dataflow, Dataflow::Os | Dataflow::Ws | Dataflow::Is) {
            return Err(SimError::Arch(format!(
                "systolic dataflow must be os, ws or is, not `{}`",
                arch.pe_array.dataflow.as_str()
            )));
        }
        SystolicLayout::of(arch)?;
        if let Some((field, msg)) = layer.check().into_iter().next() {
            return Err(SimError::NoMapping { layer: layer.name.clone(), reason: format!("{field}: {msg}") });
        }
        Ok(())
    }

    fn run_layer(
        &self,
        arch: &Arch,
        layer: &Layer,
        _comp: &LayerCompression,
        _opts: &RunOptions,
    ) -> Result<LayerResult, SimError> {
        if !layer.kind.has_macs() {
            return Ok(super::nomac::run(arch, layer));
        }
        let layout = SystolicLayout::of(arch)?;
        let run = run_gemm(arch, &layout, layer);
        Ok(layer_result(arch, &layout, layer, &run))
    }
}

/// Turn one group's counts into the layer's result (all groups are alike).
pub fn layer_result(arch: &Arch, layout: &SystolicLayout, layer: &Layer, run: &GemmRun) -> LayerResult {
    let groups = layer.groups.max(1);
    let f = &run.folding;
    let t = &run.traffic;
    let mut levels = empty_levels(arch);
    let (d, s) = (layout.dram, layout.sram);
    let (outputs, psums) = f.ofmap_sram_writes();
    let input_fetch = FoldTraffic::total(&t.input_reads);
    let weight_fetch = FoldTraffic::total(&t.weight_reads);
    // Array <-> SRAM.
    read(&mut levels, s, Operand::Inputs, groups * f.ifmap_sram_reads());
    read(&mut levels, s, Operand::Weights, groups * f.filter_sram_reads());
    write(&mut levels, s, Operand::Outputs, groups * outputs);
    write(&mut levels, s, Operand::Psums, groups * psums);
    // SRAM <-> DRAM.
    write(&mut levels, s, Operand::Inputs, groups * input_fetch);
    write(&mut levels, s, Operand::Weights, groups * weight_fetch);
    read(&mut levels, s, Operand::Outputs, groups * outputs);
    read(&mut levels, s, Operand::Psums, groups * psums);
    read(&mut levels, d, Operand::Inputs, groups * input_fetch);
    read(&mut levels, d, Operand::Weights, groups * weight_fetch);
    write(&mut levels, d, Operand::Outputs, groups * outputs);
    write(&mut levels, d, Operand::Psums, groups * psums);

    let (fill, between, drain) = run.stalls;
    let (ni, nw, no, np) = f.noc_words();
    let macs = layer.macs();
    let mut r = LayerResult {
        compute_cycles: groups * f.compute_cycles(),
        stall_cycles: groups * (fill + between + drain),
        pes: arch.pe_array.pes(),
        busy_pe_cycles: macs as f64,
        macs,
        effective_macs: macs,
        levels,
        ..LayerResult::default()
    };
    r.noc_words.inputs = groups * ni;
    r.noc_words.weights = groups * nw;
    r.noc_words.outputs = groups * no;
    r.noc_words.psums = groups * np;
    r.extra = vec![
        ("groups".into(), groups as f64),
        ("row_folds".into(), f.row_folds as f64),
        ("col_folds".into(), f.col_folds as f64),
        ("folds".into(), (groups * f.folds()) as f64),
        ("mapping_efficiency".into(), f.mapping_efficiency()),
        ("scalesim_compute_util".into(), f.scalesim_compute_util()),
        ("dram_fill_cycles".into(), (groups * fill) as f64),
        ("dram_stall_between_folds_cycles".into(), (groups * between) as f64),
        ("dram_drain_cycles".into(), (groups * drain) as f64),
    ];
    r
}

#[cfg(test)]
mod tests;
