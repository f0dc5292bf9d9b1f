//! DRAM traffic of a folded GEMM, fold by fold, and the stalls it causes.
//!
//! Each operand has its own double-buffered SRAM partition
//! ([`DoubleBuffer`]). The folds run in the array's order (column folds
//! outer, row folds inner), and within a fold the operand's units are asked
//! for in the order the array consumes them:
//!
//! * inputs, os: the fold's output pixels read their windows tap by tap
//!   (filter row, filter column), every pixel of the fold in turn; a unit is
//!   one input position with all its channels;
//! * inputs, ws: the pixels stream one after the other, each reading the
//!   fold's 32 (array rows) window elements; a unit is one input position
//!   with `gcd(C, rows)` channels, so a fold's window slice never splits one;
//! * inputs, is: the stationary block is loaded row by row (last window
//!   element first), each row reading the fold's pixels;
//! * weights, os: one unit per filter of the column fold (its whole window);
//! * weights, ws: every weight is loaded exactly once, so no buffer is needed;
//! * weights, is: one unit per filter and row fold (the fold's window slice).
//!
//! Outputs are never read back: like SCALE-Sim, every output block the
//! array emits (WS and IS: one partial block per row fold) is drained to
//! DRAM through the output partition.
//!
//! Stalls: the DRAM level moves `bandwidth_words_per_cycle` words per cycle,
//! reads and writes together. With double buffering, the words fold `f + 1`
//! needs are fetched, and the outputs of fold `f − 1` drained, while fold
//! `f` computes; fold `f + 1` waits for the difference when that takes
//! longer than a fold. The first fold's words must arrive before it starts
//! (fill) and the last fold's outputs leave after it ends (drain).

use eyrie_arch::Dataflow;

use super::buffer::DoubleBuffer;
use super::folds::Folding;
use super::gemm::Gemm;

/// Words moved between DRAM and the SRAM partitions, per fold (in fold order).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FoldTraffic {
    /// Input words fetched from DRAM for each fold.
    pub input_reads: Vec<u64>,
    /// Weight words fetched from DRAM for each fold.
    pub weight_reads: Vec<u64>,
    /// Final output words each fold writes to DRAM.
    pub output_writes: Vec<u64>,
    /// Partial-sum words each fold writes to DRAM.
    pub psum_writes: Vec<u64>,
    /// The most input words one half of the input partition held.
    pub max_input_words: u64,
    /// The most weight words one half of the weight partition held.
    pub max_weight_words: u64,
}

impl FoldTraffic {
    /// Sum of a per-fold column.
    pub fn total(v: &[u64]) -> u64 {
        v.iter().sum()
    }
}

/// Capacities of one half of each partition, in words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Halves {
    /// Input partition, one half.
    pub inputs: u64,
    /// Weight partition, one half.
    pub weights: u64,
}

/// Skips work whose outcome is known: a tile asked for again while the
/// buffer has not swapped since it was last fully fetched costs nothing, and
/// when a whole pass over the operand never swapped, later identical passes
/// are all hits.
struct Reuse {
    clean_tile: Option<u64>,
    pass_swapped: bool,
}

impl Reuse {
    fn new() -> Reuse {
        Reuse { clean_tile: None, pass_swapped: false }
    }

    /// Fetch `tile` with `fetch` unless it is known to be resident.
    fn run(&mut self, buf: &mut DoubleBuffer, tile: u64, fetch: impl FnOnce(&mut DoubleBuffer) -> u64) -> u64 {
        if self.clean_tile == Some(tile) {
            return 0;
        }
        let before = buf.swaps();
        let words = fetch(buf);
        let swapped = buf.swaps() != before;
        self.pass_swapped |= swapped;
        self.clean_tile = if swapped { None } else { Some(tile) };
        words
    }
}

/// The DRAM traffic of every fold of `g` folded as `f`.
pub fn traffic(g: &Gemm, f: &Folding, halves: Halves) -> FoldTraffic {
    let folds = f.folds() as usize;
    let mut t = FoldTraffic {
        input_reads: Vec::with_capacity(folds),
        weight_reads: Vec::with_capacity(folds),
        output_writes: Vec::with_capacity(folds),
        psum_writes: Vec::with_capacity(folds),
        ..FoldTraffic::default()
    };
    let group = gcd(g.c, f.rows).max(1);
    let (mut inputs, mut weights) = match f.dataflow {
        Dataflow::Os => {
            (DoubleBuffer::new(halves.inputs, g.positions() as usize), DoubleBuffer::new(halves.weights, g.n as usize))
        }
        _ => (
            DoubleBuffer::new(halves.inputs, (g.positions() * (g.c / group)) as usize),
            DoubleBuffer::new(
                halves.weights,
                if f.dataflow == Dataflow::Is { (g.n * f.row_folds) as usize } else { 0 },
            ),
        ),
    };
    let (mut in_reuse, mut w_reuse) = (Reuse::new(), Reuse::new());
    let mut origins = Vec::new();
    let mut segments = Vec::new();
    for fc in 0..f.col_folds {
        for fr in 0..f.row_folds {
            // Inputs.
            let repeat_pass = fc > 0 && !in_reuse.pass_swapped && f.dataflow != Dataflow::Is;
            let ir = if repeat_pass {
                0
            } else {
                match f.dataflow {
                    Dataflow::Os => in_reuse.run(&mut inputs, fr, |b| {
                        let first = fr * f.rows;
                        origins.clear();
                        origins.extend(g.origins(first, f.used_rows(fr)));
                        let mut words = 0;
                        for r in 0..g.r {
                            for s in 0..g.s {
                                for &o in &origins {
                                    if let Some(pos) = g.position(o, r, s) {
                                        words += b.demand(pos as usize, g.c);
                                    }
                                }
                            }
                        }
                        words
                    }),
                    Dataflow::Ws => in_reuse.run(&mut inputs, fr, |b| {
                        window_segments(g, fr * f.rows, f.used_rows(fr), group, &mut segments);
                        let mut words = 0;
                        for o in g.origins(0, g.m) {
                            for &(r, s, c0, c1) in &segments {
                                if let Some(pos) = g.position(o, r, s) {
                                    for cg in c0..c1 {
                                        words += b.demand((pos * (g.c / group) + cg) as usize, group);
                                    }
                                }
                            }
                        }
                        words
                    }),
                    _ => in_reuse.run(&mut inputs, fc * f.row_folds + fr, |b| {
                        window_segments(g, fr * f.rows, f.used_rows(fr), group, &mut segments);
                        let first = fc * f.cols;
                        origins.clear();
                        origins.extend(g.origins(first, f.used_cols(fc)));
                        let mut words = 0;
                        // The stationary block is loaded last window element first.
                        for &(r, s, c0, c1) in segments.iter().rev() {
                            for cg in (c0..c1).rev() {
                                for &o in &origins {
                                    if let Some(pos) = g.position(o, r, s) {
                                        words += b.demand((pos * (g.c / group) + cg) as usize, group);
                                    }
                                }
                            }
                        }
                        words
                    }),
                }
            };
            t.input_reads.push(ir);

            // Weights.
            let wr = match f.dataflow {
                Dataflow::Os => w_reuse.run(&mut weights, fc, |b| {
                    let first = fc * f.cols;
                    (first..first + f.used_cols(fc)).map(|k| b.demand(k as usize, g.k)).sum()
                }),
                Dataflow::Ws => f.used_rows(fr) * f.used_cols(fc),
                _ if fc > 0 && !w_reuse.pass_swapped => 0,
                _ => w_reuse.run(&mut weights, fr, |b| {
                    let rows = f.used_rows(fr);
                    (0..g.n).map(|k| b.demand((k * f.row_folds + fr) as usize, rows)).sum()
                }),
            };
            t.weight_reads.push(wr);

            let (out, partial) = f.fold_outputs(fr, fc);
            t.output_writes.push(if partial { 0 } else { out });
            t.psum_writes.push(if partial { out } else { 0 });
        }
    }
    t.max_input_words = inputs.max_filled();
    t.max_weight_words = match f.dataflow {
        // Each weight block is used once and streamed; at most one block is held.
        Dataflow::Ws => (f.rows * f.cols).min(f.sr * f.sc),
        _ => weights.max_filled(),
    };
    t
}

/// The window elements `first .. first + count` as runs `(r, s, group_lo, group_hi)`
/// of channel groups of `group` channels at one filter tap.
fn window_segments(g: &Gemm, first: u64, count: u64, group: u64, out: &mut Vec<(u64, u64, u64, u64)>) {
    out.clear();
    let end = first + count;
    let mut j = first;
    while j < end {
        let (r, s, c) = g.window_element(j);
        let run = (g.c - c).min(end - j);
        out.push((r, s, c / group, (c + run) / group));
        j += run;
    }
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 { a } else { gcd(b, a % b) }
}

/// Stall cycles of a folded GEMM whose folds move `t`'s words over a DRAM
/// interface of `bandwidth` words per cycle: `(fill, between folds, drain)`.
pub fn stalls(t: &FoldTraffic, f: &Folding, bandwidth: Option<f64>) -> (u64, u64, u64) {
    let Some(bw) = bandwidth else { return (0, 0, 0) };
    let cycles = |words: u64| (words as f64 / bw).ceil() as u64;
    let n = t.input_reads.len();
    let reads = |i: usize| t.input_reads.get(i).copied().unwrap_or(0) + t.weight_reads.get(i).copied().unwrap_or(0);
    let writes = |i: usize| t.output_writes.get(i).copied().unwrap_or(0) + t.psum_writes.get(i).copied().unwrap_or(0);
    let fill = cycles(reads(0));
    let mut between = 0;
    for i in 0..n {
        let moved = reads(i + 1) + if i > 0 { writes(i - 1) } else { 0 };
        between += cycles(moved).saturating_sub(f.fold_cycles);
    }
    let drain = if n > 0 { cycles(writes(n - 1)) } else { 0 };
    (fill, between, drain)
}
