//! Side-by-side comparison of one network on several architectures.
//!
//! The first result is the baseline. Per layer: cycles on each arch, the
//! speedup (baseline cycles / cycles) and energy efficiency (baseline energy
//! / energy). Per network: the same over all layers and over conv layers
//! only (the Stripes and Pragmatic papers report conv layers, Pragmatic
//! MICRO 2017 Sec. 6.1), plus the "ideal" bit-serial speedup
//! `16 · Σ MACs / Σ MACs · p` and the fraction of the baseline's terms
//! (activation bits) processed, `Σ MACs · p / Σ MACs · 16`, of the conv layers.

use crate::{LayerResult, SimResult, Status};

/// One architecture's result, with how to label it and which level is off-chip.
#[derive(Debug, Clone, Copy)]
pub struct Side<'a> {
    /// Column label (the `--arch` argument).
    pub label: &'a str,
    /// The result.
    pub result: &'a SimResult,
    /// Index of the off-chip level (excluded from on-chip energy).
    pub dram_level: usize,
}

/// Network-level figures of one architecture against the baseline.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct NetworkSummary {
    /// Network name.
    pub network: String,
    /// Label of the compared architecture.
    pub arch: String,
    /// Speedup over the baseline, conv layers only.
    pub speedup_conv: f64,
    /// Speedup over the baseline, all layers.
    pub speedup_all: f64,
    /// Energy efficiency (baseline energy / energy), conv layers only.
    pub energy_eff_conv: f64,
    /// Energy efficiency, all layers.
    pub energy_eff_all: f64,
    /// Energy efficiency of on-chip energy only (no DRAM), conv layers.
    pub energy_eff_onchip_conv: f64,
    /// `16 · Σ MACs / Σ MACs · p` over conv layers (word width for 16), with `p` the
    /// compared arch's `act_bits` extra (the word width where absent).
    pub ideal_speedup_conv: f64,
    /// `Σ MACs · p / Σ MACs · word`: the fraction of the baseline's terms processed.
    pub terms_fraction_conv: f64,
}

/// Whether a layer ran.
pub fn ok(l: &LayerResult) -> bool {
    l.status == Status::Ok
}

/// `a / b`, NaN when `b` is not positive.
pub fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 { a / b } else { f64::NAN }
}

/// (cycles, energy, on-chip energy) of the layers that ran and `mask` selects; `dram` is the
/// off-chip level's index.
pub fn sums(r: &SimResult, mask: &dyn Fn(usize) -> bool, dram: usize) -> (f64, f64, f64) {
    let mut c = 0.0;
    let mut e = 0.0;
    let mut on = 0.0;
    for (_, l) in r.layers.iter().enumerate().filter(|(i, l)| mask(*i) && ok(l)) {
        c += l.cycles as f64;
        e += l.energy.total_pj;
        on += l.energy.total_pj - l.energy.levels_pj.get(dram).copied().unwrap_or(0.0);
    }
    (c, e, on)
}

/// Summarise `other` against `base`; `is_conv[i]` says whether layer `i` is a conv layer.
pub fn summarize(base: &Side<'_>, other: &Side<'_>, is_conv: &[bool], word_bits: u32) -> NetworkSummary {
    let conv = |i: usize| is_conv.get(i).copied().unwrap_or(false);
    let all = |_: usize| true;
    let (bc, be, bo) = sums(base.result, &conv, base.dram_level);
    let (oc, oe, oo) = sums(other.result, &conv, other.dram_level);
    let (bca, bea, _) = sums(base.result, &all, base.dram_level);
    let (oca, oea, _) = sums(other.result, &all, other.dram_level);
    let word = f64::from(word_bits);
    let (mut macs, mut bits) = (0.0, 0.0);
    for (_, l) in other.result.layers.iter().enumerate().filter(|(i, l)| conv(*i) && ok(l)) {
        macs += l.macs as f64;
        bits += l.macs as f64 * l.extra("act_bits").unwrap_or(word);
    }
    NetworkSummary {
        network: other.result.network.clone(),
        arch: other.label.to_string(),
        speedup_conv: ratio(bc, oc),
        speedup_all: ratio(bca, oca),
        energy_eff_conv: ratio(be, oe),
        energy_eff_all: ratio(bea, oea),
        energy_eff_onchip_conv: ratio(bo, oo),
        ideal_speedup_conv: ratio(word * macs, bits),
        terms_fraction_conv: ratio(bits, word * macs),
    }
}

/// Arithmetic mean of a field over summaries.
pub fn mean(rows: &[NetworkSummary], f: impl Fn(&NetworkSummary) -> f64) -> f64 {
    if rows.is_empty() { f64::NAN } else { rows.iter().map(f).sum::<f64>() / rows.len() as f64 }
}
