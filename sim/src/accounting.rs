//! The shared accounting: from access counts to energy, bytes and time.
//!
//! Every engine counts; only this module prices. Energy is
//!
//! ```text
//! Σ_levels Σ_operands (reads × read_pj + writes × write_pj)
//!   + effective MACs × mac_pj + NoC words × noc_hop_pj
//!   + (logic + memory leakage) × latency
//! ```
//!
//! with per-access energies from the arch (or its technology table).
//! `total_pj` is computed as the sum of the stored components, in a fixed
//! order, so it equals their sum exactly.

use eyrie_arch::{Arch, Operand, PerOperand};

use crate::result::{EnergyBreakdown, LayerResult, LevelStats};

/// Empty per-level stats in arch order.
pub fn empty_levels(arch: &Arch) -> Vec<LevelStats> {
    arch.levels.iter().map(|l| LevelStats { name: l.name.clone(), ..LevelStats::default() }).collect()
}

/// Index of the off-chip level: the first level marked `off_chip`, else level 0.
pub fn dram_index(arch: &Arch) -> usize {
    arch.levels.iter().position(|l| l.off_chip).unwrap_or(0)
}

/// Fill `latency_ms`, `cycles`, DRAM bytes (from the DRAM level's words at
/// `word_bits`, metadata included) and the energy breakdown.
pub fn price(arch: &Arch, r: &mut LayerResult) {
    r.cycles = r.compute_cycles + r.stall_cycles;
    r.latency_ms = r.cycles as f64 * arch.cycle_seconds() * 1e3;
    let d = dram_index(arch);
    if let Some(l) = r.levels.get(d) {
        r.dram_read_bytes = words_to_bytes(arch, l.reads.total());
        r.dram_write_bytes = words_to_bytes(arch, l.writes.total());
    }
    let mut levels_pj = Vec::with_capacity(r.levels.len());
    for (i, l) in r.levels.iter_mut().enumerate() {
        let (rp, wp) = (arch.read_pj(i), arch.write_pj(i));
        l.energy_pj =
            PerOperand::default().map(|op, _: &f64| *l.reads.get(op) as f64 * rp + *l.writes.get(op) as f64 * wp);
        levels_pj.push(l.energy_pj.total());
    }
    let mac_pj = r.effective_macs as f64 * arch.energy.mac_pj;
    let noc_pj = r.noc_words.total() as f64 * arch.energy.noc_hop_pj;
    let leak_mw = arch.energy.leakage_mw + arch.levels.iter().map(|l| l.leakage_mw).sum::<f64>();
    // mW × ms = µJ = 1e6 pJ.
    let leakage_pj = leak_mw * r.latency_ms * 1e6;
    let total_pj = mac_pj + noc_pj + leakage_pj + levels_pj.iter().sum::<f64>();
    r.energy = EnergyBreakdown { mac_pj, noc_pj, leakage_pj, levels_pj, total_pj };
}

/// Bytes of `words` data words.
pub fn words_to_bytes(arch: &Arch, words: u64) -> u64 {
    (words as f64 * arch.word_bytes()).ceil() as u64
}

/// Add reads of `op` at level `i`.
pub fn read(levels: &mut [LevelStats], i: usize, op: Operand, words: u64) {
    if let Some(l) = levels.get_mut(i) {
        *l.reads.get_mut(op) += words;
    }
}

/// Add writes of `op` at level `i`.
pub fn write(levels: &mut [LevelStats], i: usize, op: Operand, words: u64) {
    if let Some(l) = levels.get_mut(i) {
        *l.writes.get_mut(op) += words;
    }
}

/// Per-access prices of an architecture, for searches that must compare many
/// candidate schedules by energy without building a [`LayerResult`] each
/// time. [`Prices::energy_pj`] is the formula of [`price`], term for term.
#[derive(Debug, Clone, PartialEq)]
pub struct Prices {
    /// Energy per word read at each level (pJ), in arch order.
    pub read_pj: Vec<f64>,
    /// Energy per word written at each level (pJ), in arch order.
    pub write_pj: Vec<f64>,
    /// Energy of one MAC (pJ).
    pub mac_pj: f64,
    /// Energy of one word moved between PEs (pJ).
    pub noc_hop_pj: f64,
    /// Static power of logic and memories (mW).
    pub leakage_mw: f64,
}

impl Prices {
    /// The prices of `arch`.
    pub fn of(arch: &Arch) -> Prices {
        let n = arch.levels.len();
        Prices {
            read_pj: (0..n).map(|i| arch.read_pj(i)).collect(),
            write_pj: (0..n).map(|i| arch.write_pj(i)).collect(),
            mac_pj: arch.energy.mac_pj,
            noc_hop_pj: arch.energy.noc_hop_pj,
            leakage_mw: arch.energy.leakage_mw + arch.levels.iter().map(|l| l.leakage_mw).sum::<f64>(),
        }
    }

    /// Energy (pJ) of `reads[i]` / `writes[i]` words at level `i`, MACs,
    /// NoC words and static power over `latency_ms`, as [`price`] computes it.
    pub fn energy_pj(
        &self,
        reads: &[f64],
        writes: &[f64],
        effective_macs: f64,
        noc_words: f64,
        latency_ms: f64,
    ) -> f64 {
        let mut e = effective_macs * self.mac_pj + noc_words * self.noc_hop_pj + self.leakage_mw * latency_ms * 1e6;
        for (i, (r, w)) in reads.iter().zip(writes).enumerate() {
            e += r * self.read_pj.get(i).copied().unwrap_or(0.0) + w * self.write_pj.get(i).copied().unwrap_or(0.0);
        }
        e
    }
}
