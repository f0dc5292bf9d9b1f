//! Layers without MACs (pooling, element-wise): pure data movement.
//!
//! Any engine can hand such a layer here. The inputs are read once from
//! off-chip memory and the outputs written once; every on-chip level is
//! written on the way in and read on the way out; the PEs do one compare
//! or add per element per cycle. Latency is the larger of the compute time
//! and the DRAM transfer time at the DRAM level's bandwidth.

use eyrie_arch::{Arch, Operand};
use eyrie_workloads::Layer;

use crate::LayerResult;
use crate::accounting::{dram_index, empty_levels, read, write};

/// Count a no-MAC layer.
pub fn run(arch: &Arch, layer: &Layer) -> LayerResult {
    let mut levels = empty_levels(arch);
    let ins = layer.input_words();
    let outs = layer.output_words();
    let d = dram_index(arch);
    read(&mut levels, d, Operand::Inputs, ins);
    write(&mut levels, d, Operand::Outputs, outs);
    for i in (d + 1)..levels.len() {
        write(&mut levels, i, Operand::Inputs, ins);
        read(&mut levels, i, Operand::Inputs, ins);
        write(&mut levels, i, Operand::Outputs, outs);
        read(&mut levels, i, Operand::Outputs, outs);
    }
    let pes = arch.pe_array.pes().max(1);
    let ops = layer.n * layer.k * layer.p * layer.q * layer.r * layer.s;
    let compute = ops.div_ceil(pes);
    let transfer = match arch.levels.get(d).and_then(|l| l.bandwidth_words_per_cycle) {
        Some(bw) => ((ins + outs) as f64 / bw).ceil() as u64,
        None => 0,
    };
    LayerResult {
        compute_cycles: compute,
        stall_cycles: transfer.saturating_sub(compute),
        pes,
        busy_pe_cycles: ops as f64,
        levels,
        ..LayerResult::default()
    }
}
