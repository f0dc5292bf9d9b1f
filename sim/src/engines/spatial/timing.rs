//! Times a mapping pass by pass.
//!
//! A processing pass (JSSC 2017 Sec. IV-A) is one iteration of the `dram`
//! and `glb` loops: the array runs the `pe` and `rf` loops, one MAC per PE
//! per cycle (zero gating saves energy, not cycles). Every pass is timed as
//!
//! `fill + max(compute, each network's transfers, the feeding level's transfers) + drain`
//!
//! * *compute*: the product of the `pe` and `rf` loop bounds (partial tiles
//!   take a full iteration: folding and edge effects idle PEs);
//! * *transfers*: words through each array network (filters, ifmaps, psums
//!   in, psums out) at its width, and all accesses of the level feeding the
//!   array at its bandwidth; they stream while the PEs compute;
//! * *fill*: the first scratchpad tiles must arrive before the first MAC
//!   ("it takes time to load data from the GLB into the PE array to ramp up
//!   each processing pass", JSSC Sec. VI-A). The networks load in parallel,
//!   so the fill is the slowest network's share, unless the scratchpad is
//!   double-buffered for that tensor;
//! * *drain*: the psums of the last tile leave after the last MAC.
//!
//! Transfers between DRAM and the global buffer happen when a GLB tile
//! changes. A tensor prefetched there (double-buffered) overlaps its
//! transfer with the previous tile's passes and stalls only for the excess;
//! otherwise the array waits for the whole transfer (Eyeriss "does not
//! perform processing while it is loading ifmap from DRAM or dumping ofmaps
//! to DRAM"). Stalls go to `stall_cycles`, so `compute_cycles` is the
//! latency with DRAM fully overlapped (JSSC Table V "processing latency").

use super::mapping::Mapping;
use super::model::{Counts, Hierarchy, MAX_LEVELS, Traffic};
use super::problem::Tensor;

/// Cycle counts of one mapping.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize)]
pub struct Timing {
    /// Processing passes.
    pub passes: u64,
    /// MAC cycles per pass.
    pub compute_per_pass: u64,
    /// Exposed fill cycles per pass.
    pub fill_per_pass: f64,
    /// Exposed drain cycles per pass.
    pub drain_per_pass: f64,
    /// The slowest transfer per pass (cycles).
    pub transfer_per_pass: f64,
    /// Cycles with DRAM transfers overlapped.
    pub compute_cycles: u64,
    /// Cycles waiting for DRAM.
    pub stall_cycles: u64,
}

fn cycles(words: f64, bw: Option<f64>) -> f64 {
    match bw {
        Some(b) if b > 0.0 => words / b,
        _ => 0.0,
    }
}

/// Time mapping `m` from its counts and traffic.
pub fn time(h: &Hierarchy, m: &Mapping, c: &Counts, tr: &Traffic) -> Timing {
    let passes = m.passes().max(1);
    let np = passes as f64;
    let compute = m.cycles_per_pass().max(1);
    let bw = |t: Tensor| h.noc_bw[t.idx()];
    // Transfers per pass through each network and at the level feeding the array.
    let nets = [
        cycles(tr.array_words[0], bw(Tensor::Weights)),
        cycles(tr.array_words[1], bw(Tensor::Inputs)),
        cycles(tr.array_words[2], bw(Tensor::Outputs)),
        cycles(tr.array_words[3], bw(Tensor::Outputs)),
    ];
    let ap = tr.array_parent.min(MAX_LEVELS - 1);
    let level_words = c.reads[ap].iter().sum::<f64>() + c.writes[ap].iter().sum::<f64>();
    let level = if ap == h.dram && h.glb.is_some() { 0.0 } else { cycles(level_words, h.level_bw[ap]) };
    let transfer = nets.iter().copied().fold(level, f64::max) / np;
    let rf = h.rf.unwrap_or(0);
    let mut fill: f64 = 0.0;
    for t in Tensor::ALL {
        let hidden = h.rf.is_some() && h.prefetch[rf][t.idx()];
        if !hidden {
            fill = fill.max(cycles(tr.fill_words[t.idx()], bw(t)));
        }
    }
    let drain = if h.rf.is_some() && h.prefetch[rf][Tensor::Outputs.idx()] {
        0.0
    } else {
        cycles(tr.drain_words, bw(Tensor::Outputs))
    };
    let per_pass = fill + (compute as f64).max(transfer) + drain;
    let compute_cycles = (np * per_pass).ceil();
    // DRAM <-> global buffer, when the buffer (not DRAM) feeds the array.
    let mut stall = 0.0;
    if let Some(g) = h.glb {
        for t in Tensor::ALL {
            let (events, words) = tr.dram_events[t.idx()];
            if events <= 0.0 || words <= 0.0 {
                continue;
            }
            let transfer = cycles(words, h.level_bw[h.dram]);
            if h.prefetch[g][t.idx()] {
                let period = compute_cycles / events;
                stall += events * (transfer / events - period).max(0.0);
            } else {
                stall += transfer;
            }
        }
    }
    Timing {
        passes,
        compute_per_pass: compute,
        fill_per_pass: fill,
        drain_per_pass: drain,
        transfer_per_pass: transfer,
        compute_cycles: compute_cycles as u64,
        stall_cycles: stall.ceil() as u64,
    }
}
