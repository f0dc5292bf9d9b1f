//! Prices one mapping: words moved per memory level and tensor.
//!
//! The analysis follows the data-movement hierarchy of Eyeriss ISCA 2016
//! Sec. VI-C (DRAM, global buffer, array, RF) in the loop-nest form of
//! Timeloop. For each tensor the levels that hold it form a chain from DRAM
//! to the MAC. Between a level and the next one down:
//!
//! * the child's tile is refilled whenever a loop outside its boundary that
//!   the tensor depends on advances; loops it does not depend on that sit
//!   inside the innermost such loop reuse the resident tile (stationarity),
//!   and an input window sliding along `P`/`Q`/`R`/`S` brings in only its new
//!   rows or columns (convolutional reuse);
//! * when the child is per PE and the parent is shared, the parent reads the
//!   union of what all PEs need at once (multicast, and the diagonal ifmap
//!   reuse of a row-stationary set fall out of the union's window), and every
//!   word delivered into a PE is one array (NoC) transfer — ISCA Eq. (3);
//! * output tiles leave their level when an output loop outside advances;
//!   if a reduction loop (`C`, `R`, `S`) further out revisits them, the
//!   partial sums are written up and read back (psum spills, ISCA Eq. (4));
//!   psums of PEs that share outputs (reduction dims on the array) are summed
//!   PE to PE before one value reaches the parent.
//!
//! The MAC reads one weight and one input and updates one psum at the
//! innermost level holding each; it keeps nothing, except that a dataflow
//! that forwards ifmaps between neighbours retains the window overlap in
//! the array. Zero gating scales the MAC-side weight reads by the input
//! density; run-length coding scales input reads and final output writes at
//! DRAM by the coded size; DRAM carries no padding.

use eyrie_arch::{Arch, Operand, SpatialParams};

use super::dataflows::Constraints;
use super::mapping::{Block, LoopList, LoopView, Mapping, Tiling};
use super::problem::{Dim, NDIM, Problem, Tensor};
use super::sparsity::rlc_ratio;
use crate::accounting::{Prices, dram_index};

/// Most memory levels the spatial engine models (DRAM, a global buffer, a scratchpad, and one spare).
pub const MAX_LEVELS: usize = 4;

/// Slot of an operand in per-operand count arrays ([`Operand::ALL`] order).
pub fn slot(op: Operand) -> usize {
    match op {
        Operand::Weights => 0,
        Operand::Inputs => 1,
        Operand::Outputs => 2,
        Operand::Psums => 3,
        Operand::Metadata => 4,
    }
}

/// The operand under which a tensor's capacity and bandwidth are listed.
pub fn operand_of(t: Tensor) -> Operand {
    match t {
        Tensor::Weights => Operand::Weights,
        Tensor::Inputs => Operand::Inputs,
        Tensor::Outputs => Operand::Psums,
    }
}

/// What a level does with a tensor.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Holds the tile of its loops and everything inside, reusing it across its own loops.
    Keep,
    /// Holds one iteration of its own loops only (a staging buffer).
    Stage,
    /// Not held.
    Bypass,
}

/// The architecture as the spatial engine sees it.
#[derive(Debug, Clone)]
pub struct Hierarchy {
    /// Level names, in arch order.
    pub names: Vec<String>,
    /// Index of DRAM (always 0).
    pub dram: usize,
    /// The shared on-chip buffer, if any.
    pub glb: Option<usize>,
    /// The per-PE scratchpad, if any.
    pub rf: Option<usize>,
    /// PE rows.
    pub rows: u32,
    /// PE columns.
    pub cols: u32,
    /// `role[level][tensor]`.
    pub role: [[Role; 3]; MAX_LEVELS],
    /// `prefetch[level][tensor]`: double-buffered.
    pub prefetch: [[bool; 3]; MAX_LEVELS],
    /// Words reserved per tensor at each level (per instance), if partitioned.
    pub part_words: [[Option<f64>; 3]; MAX_LEVELS],
    /// Words per instance of each level (`None`: unbounded).
    pub cap_words: [Option<f64>; MAX_LEVELS],
    /// Bandwidth of each level (words/cycle, all tensors).
    pub level_bw: [Option<f64>; MAX_LEVELS],
    /// Bandwidth of the array networks per tensor (words/cycle).
    pub noc_bw: [Option<f64>; 3],
    /// Zero gating of MACs and weight reads.
    pub zero_gating: bool,
    /// RLC settings, when enabled.
    pub rlc: Option<SpatialParams>,
    /// Data word width.
    pub word_bits: u32,
    /// Core clock (MHz).
    pub clock_mhz: f64,
    /// Energy prices, for the mapper's objective.
    pub prices: Prices,
    /// The dataflow's constraints.
    pub df: Constraints,
}

impl Hierarchy {
    /// Read the hierarchy of `arch`; the message says what the engine cannot model.
    pub fn new(arch: &Arch) -> Result<Hierarchy, String> {
        let df = Constraints::of(arch.pe_array.dataflow).ok_or_else(|| {
            format!(
                "the spatial engine models dataflows rs, ws, os, osa, osb, osc and nlr, not `{}`",
                arch.pe_array.dataflow.as_str()
            )
        })?;
        let n = arch.levels.len();
        if n > MAX_LEVELS {
            return Err(format!(
                "the spatial engine models at most {MAX_LEVELS} memory levels, `{}` has {n}",
                arch.name
            ));
        }
        if dram_index(arch) != 0 {
            return Err("the spatial engine needs the off-chip level first in `levels`".into());
        }
        let pes = arch.pe_array.pes();
        let (mut glb, mut rf) = (None, None);
        for (i, l) in arch.levels.iter().enumerate().skip(1) {
            if l.capacity_kb.is_none() {
                return Err(format!("on-chip level `{}` needs `capacity_kb`", l.name));
            }
            if l.instances == 1 {
                if glb.is_some() || rf.is_some() {
                    return Err(format!(
                        "level `{}`: the spatial engine models one shared buffer above the PE array and one per-PE scratchpad below it",
                        l.name
                    ));
                }
                glb = Some(i);
            } else {
                if rf.is_some() {
                    return Err(format!("level `{}`: only one per-PE scratchpad level is modelled", l.name));
                }
                if u64::from(l.instances) != pes {
                    return Err(format!(
                        "level `{}` has {} instances; a per-PE scratchpad needs one per PE ({} = {} x {})",
                        l.name, l.instances, pes, arch.pe_array.rows, arch.pe_array.cols
                    ));
                }
                rf = Some(i);
            }
        }
        let s = arch.spatial.clone().unwrap_or_default();
        let wb = arch.word_bytes();
        let mut h = Hierarchy {
            names: arch.levels.iter().map(|l| l.name.clone()).collect(),
            dram: 0,
            glb,
            rf,
            rows: arch.pe_array.rows,
            cols: arch.pe_array.cols,
            role: [[Role::Bypass; 3]; MAX_LEVELS],
            prefetch: [[false; 3]; MAX_LEVELS],
            part_words: [[None; 3]; MAX_LEVELS],
            cap_words: [None; MAX_LEVELS],
            level_bw: [None; MAX_LEVELS],
            noc_bw: Tensor::ALL.map(|t| s.noc_words_per_cycle.get(operand_of(t))),
            zero_gating: s.zero_gating,
            rlc: if s.rlc { Some(s.clone()) } else { None },
            word_bits: arch.word_bits,
            clock_mhz: arch.clock_mhz,
            prices: Prices::of(arch),
            df,
        };
        for (i, l) in arch.levels.iter().enumerate() {
            h.cap_words[i] = l.capacity_kb.map(|kb| kb * 1024.0 / wb);
            h.level_bw[i] = l.bandwidth_words_per_cycle;
            for t in Tensor::ALL {
                let op = operand_of(t);
                let bypass = SpatialParams::lists(&s.bypass, &l.name, op);
                h.role[i][t.idx()] = if i == 0 {
                    Role::Keep
                } else if Some(i) == rf {
                    if df.keeps(t) && !bypass { Role::Keep } else { Role::Bypass }
                } else if bypass {
                    Role::Bypass
                } else if SpatialParams::lists(&s.stage, &l.name, op) {
                    Role::Stage
                } else {
                    Role::Keep
                };
                h.prefetch[i][t.idx()] = SpatialParams::lists(&s.prefetch, &l.name, op);
                h.part_words[i][t.idx()] = l.partition.as_ref().and_then(|p| p.bytes(op)).map(|b| b / wb);
            }
        }
        for t in Tensor::ALL {
            if df.keeps(t) && rf.is_none_or(|r| h.role[r][t.idx()] == Role::Bypass) {
                return Err(format!(
                    "dataflow `{}` keeps {} in a per-PE scratchpad, but the architecture has none for them",
                    df.name,
                    t.name()
                ));
            }
        }
        Ok(h)
    }

    /// Levels holding `t`, outermost first, and how many.
    pub fn holders(&self, t: Tensor) -> ([usize; MAX_LEVELS], usize) {
        let mut out = [0; MAX_LEVELS];
        let mut n = 0;
        for (i, r) in self.role.iter().enumerate().take(self.names.len()) {
            if r[t.idx()] != Role::Bypass {
                out[n] = i;
                n += 1;
            }
        }
        (out, n)
    }
}

/// Accesses of one mapping (words; fractional because partial tiles count their real size).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Counts {
    /// `reads[level][operand slot]`.
    pub reads: [[f64; 5]; MAX_LEVELS],
    /// `writes[level][operand slot]`.
    pub writes: [[f64; 5]; MAX_LEVELS],
    /// Words moved into or between PEs, per operand slot.
    pub noc: [f64; 5],
    /// Dense MACs.
    pub macs: f64,
    /// MACs performed (zero gating skips the rest).
    pub effective_macs: f64,
}

impl Counts {
    /// Total reads per level.
    pub fn level_reads(&self) -> [f64; MAX_LEVELS] {
        self.reads.map(|r| r.iter().sum())
    }
    /// Total writes per level.
    pub fn level_writes(&self) -> [f64; MAX_LEVELS] {
        self.writes.map(|w| w.iter().sum())
    }
    fn read(&mut self, level: usize, op: Operand, words: f64) {
        self.reads[level][slot(op)] += words.max(0.0);
    }
    fn write(&mut self, level: usize, op: Operand, words: f64) {
        self.writes[level][slot(op)] += words.max(0.0);
    }
}

/// What the timing model needs beyond the counts.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Traffic {
    /// Words through the array networks over the layer: weights, inputs, psums in, psums out.
    pub array_words: [f64; 4],
    /// The level feeding the array.
    pub array_parent: usize,
    /// Per tensor: words of the first scratchpad tiles a pass needs before its first MAC.
    pub fill_words: [f64; 3],
    /// Per tensor: whether its scratchpad tile stays the same for a whole pass.
    pub pass_stationary: [bool; 3],
    /// Psums that leave the array after the last MAC of a pass.
    pub drain_words: f64,
    /// Per tensor: (transfer events, words) between DRAM and the shared buffer below it.
    pub dram_events: [(f64, f64); 3],
    /// Stored fraction of input activations in DRAM (RLC).
    pub rlc_inputs: f64,
    /// Stored fraction of final outputs in DRAM (RLC).
    pub rlc_outputs: f64,
}

/// Where a tile sits in the chain of a tensor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Node {
    Level(usize),
    Mac,
}

struct Bound<'a> {
    tile: [f64; NDIM],
    loops: LoopView<'a>,
    per_pe: bool,
}

/// The loop lists the model reads, derived once per mapping (the search prices
/// thousands of mappings per layer). Every list the model needs is a run of
/// the whole nest (innermost first: `rf`, `pe`, `glb`, `dram` loops), so one
/// list and the positions where each block starts describe them all.
pub struct Loops {
    all: LoopList,
    /// Start of the `pe`, `glb` and `dram` loops in `all`.
    pe_at: usize,
    glb_at: usize,
    dram_at: usize,
}

impl Loops {
    /// The loop lists of `m` with tiling `t`.
    pub fn of(m: &Mapping, t: &Tiling) -> Loops {
        use Block::*;
        let mut all = LoopList::default();
        let mut at = [0usize; 4];
        for (k, b) in [Rf, Pe, Glb, Dram].into_iter().enumerate() {
            at[k] = all.len();
            m.push_loops(t, b, &mut all);
        }
        Loops { all, pe_at: at[1], glb_at: at[2], dram_at: at[3] }
    }
    /// Every temporal loop: around a MAC.
    fn mac(&self) -> LoopView<'_> {
        self.all.view(0, usize::MAX)
    }
    /// Above the scratchpads (`pe`, `glb`, `dram`).
    fn rf(&self) -> LoopView<'_> {
        self.all.view(self.pe_at, usize::MAX)
    }
    /// Above a staging buffer (`glb`, `dram`).
    fn stage(&self) -> LoopView<'_> {
        self.all.view(self.glb_at, usize::MAX)
    }
    /// Above the global buffer (`dram`).
    fn glb(&self) -> LoopView<'_> {
        self.all.view(self.dram_at, usize::MAX)
    }
    /// Inside a PE over scratchpad tiles (`pe`).
    fn pe(&self) -> LoopView<'_> {
        self.all.view(self.pe_at, self.glb_at)
    }
}

fn bound<'a>(h: &Hierarchy, t: &Tiling, l: &'a Loops, node: Node, tensor: Tensor, size: &[f64; NDIM]) -> Bound<'a> {
    use Block::*;
    match node {
        Node::Mac => Bound { tile: [1.0; NDIM], loops: l.mac(), per_pe: true },
        Node::Level(i) if Some(i) == h.rf => Bound { tile: t.tile(Rf), loops: l.rf(), per_pe: true },
        Node::Level(i) if i == h.dram => Bound { tile: *size, loops: LoopView::EMPTY, per_pe: false },
        Node::Level(i) => match h.role[i][tensor.idx()] {
            Role::Stage => Bound { tile: t.tile(SpatialY), loops: l.stage(), per_pe: false },
            _ => Bound { tile: t.tile(Glb), loops: l.glb(), per_pe: false },
        },
    }
}

/// The union, over all PEs at one moment, of a per-PE tile.
fn union(t: &Tiling, tile: &[f64; NDIM]) -> [f64; NDIM] {
    let (y, x) = (Block::SpatialY.idx(), Block::SpatialX.idx());
    let mut u = *tile;
    for d in 0..NDIM {
        u[d] = (tile[d] * t.eff[y][d] * t.eff[x][d]).min(t.ext[y][d]);
    }
    u
}

/// Words moved into a tile of extents `e` over `loops` (innermost first),
/// with the number of tile residencies (visits) and of distinct tiles.
/// Without `reuse` every iteration refetches.
pub fn fills(p: &Problem, t: Tensor, e: &[f64; NDIM], loops: LoopView<'_>, reuse: bool) -> (f64, f64, f64) {
    let tile = p.footprint(t, e);
    let total = loops.product();
    let unique: f64 = loops.iter().filter(|(d, _)| t.relevant(*d)).map(|(_, f)| f).product();
    if !reuse {
        return (total * tile, total, unique);
    }
    let mut inside = 1.0;
    for (d, f) in loops.iter() {
        if t.relevant(d) {
            let outside = total / (inside * f);
            let sweep = match (t, p.input_slide(d, e)) {
                (Tensor::Inputs, Some(delta)) => tile + (f - 1.0) * delta,
                _ => f * tile,
            };
            return (sweep * outside, f * outside, unique);
        }
        inside *= f;
    }
    (tile, 1.0, 1.0)
}

/// Counts and traffic of mapping `m` for problem `p` on hierarchy `h`.
pub fn evaluate(h: &Hierarchy, p: &Problem, m: &Mapping) -> (Counts, Traffic) {
    let t = m.tiling(p);
    let l = Loops::of(m, &t);
    evaluate_tiled(h, p, &t, &l, rlc_ratios(h, p))
}

/// Stored fractions of input activations and final outputs in DRAM under RLC (1 without).
pub fn rlc_ratios(h: &Hierarchy, p: &Problem) -> (f64, f64) {
    let inputs = h.rlc.as_ref().map_or(1.0, |s| rlc_ratio(p.act_density, h.word_bits, s));
    let outputs = match (&h.rlc, p.out_density) {
        (Some(s), Some(d)) => rlc_ratio(d, h.word_bits, s),
        _ => 1.0,
    };
    (inputs, outputs)
}

/// [`evaluate`] of a mapping whose tiling `t` and loops `l` are already derived,
/// with the problem's [`rlc_ratios`].
pub fn evaluate_tiled(h: &Hierarchy, p: &Problem, t: &Tiling, l: &Loops, rlc: (f64, f64)) -> (Counts, Traffic) {
    let size = p.size.map(|x| x as f64);
    let active = t.active_pes();
    let mut c = Counts { macs: p.macs(), ..Counts::default() };
    c.effective_macs = if h.zero_gating { c.macs * p.act_density } else { c.macs };
    let mut tr =
        Traffic { array_parent: h.glb.unwrap_or(h.dram), rlc_inputs: rlc.0, rlc_outputs: rlc.1, ..Traffic::default() };
    for tensor in Tensor::ALL {
        tr.pass_stationary[tensor.idx()] = !l.pe().iter().any(|(d, _)| tensor.relevant(d));
    }
    for tensor in [Tensor::Weights, Tensor::Inputs] {
        read_only(h, p, l, t, &size, active, tensor, &mut c, &mut tr);
    }
    outputs(h, p, l, t, &size, active, &mut c, &mut tr);
    (c, tr)
}

/// Weights or inputs: fills down the chain of holders to the MAC.
#[allow(clippy::too_many_arguments)]
fn read_only(
    h: &Hierarchy,
    p: &Problem,
    l: &Loops,
    t: &Tiling,
    size: &[f64; NDIM],
    active: f64,
    tensor: Tensor,
    c: &mut Counts,
    tr: &mut Traffic,
) {
    let op = operand_of(tensor);
    let (chain, n) = h.holders(tensor);
    for k in 0..n {
        let parent = chain[k];
        let child = if k + 1 < n { Node::Level(chain[k + 1]) } else { Node::Mac };
        let b = bound(h, t, l, child, tensor, size);
        // DRAM holds the unpadded (and, for activations, run-length coded) tensor.
        let real = if tensor == Tensor::Inputs {
            let (pi, qi) = (super::problem::Dim::P.idx(), super::problem::Dim::Q.idx());
            p.real_input_fraction(&b.tile, [size[pi] / b.tile[pi], size[qi] / b.tile[qi]])
        } else {
            1.0
        };
        let coded = if tensor == Tensor::Inputs { tr.rlc_inputs } else { 1.0 };
        let at_dram = |w: f64| if parent == h.dram { w * real * coded } else { w };
        let child_keeps = child != Node::Mac;
        let (w_child, visits, _) = fills(p, tensor, &b.tile, b.loops, child_keeps);
        if b.per_pe {
            let delivered = w_child * active;
            if Some(parent) != h.rf {
                let u = union(t, &b.tile);
                let reuse = child_keeps || (h.df.forwarding && tensor == Tensor::Inputs);
                let (w_union, _, _) = fills(p, tensor, &u, b.loops, reuse);
                let read = at_dram(w_union);
                c.read(parent, op, read);
                c.noc[slot(op)] += delivered;
                tr.array_parent = parent;
                tr.array_words[tensor.idx()] += read;
                if child_keeps {
                    tr.fill_words[tensor.idx()] = p.footprint(tensor, &u);
                }
            } else {
                let gate = if tensor == Tensor::Weights && h.zero_gating { p.act_density } else { 1.0 };
                c.read(parent, op, delivered * gate);
            }
            if let Node::Level(i) = child {
                c.write(i, op, delivered);
            }
        } else if let Node::Level(i) = child {
            let read = at_dram(w_child);
            c.read(parent, op, read);
            c.write(i, op, if parent == h.dram { w_child * real } else { w_child });
            if parent == h.dram {
                tr.dram_events[tensor.idx()] = (visits, read);
            }
        }
    }
}

/// Outputs: updates at the innermost holder, drains and psum spills up the chain.
#[allow(clippy::too_many_arguments)]
fn outputs(
    h: &Hierarchy,
    p: &Problem,
    l: &Loops,
    t: &Tiling,
    size: &[f64; NDIM],
    active: f64,
    c: &mut Counts,
    tr: &mut Traffic,
) {
    let o = Tensor::Outputs;
    let (chain, n) = h.holders(o);
    let inner = chain[n - 1];
    let total_outputs = p.footprint(o, size);
    let mac = bound(h, t, l, Node::Mac, o, size);
    let in_rf = Some(inner) == h.rf;
    let updates = if in_rf {
        c.macs
    } else {
        // No per-PE psum storage: every cycle the array's reduced psums update the holder.
        let uw = p.footprint(o, &union(t, &mac.tile));
        let cycles = mac.loops.product();
        c.noc[slot(Operand::Psums)] += cycles * (active - uw).max(0.0);
        cycles * uw
    };
    let mut fresh = total_outputs;
    for k in (0..n.saturating_sub(1)).rev() {
        let (parent, child) = (chain[k], chain[k + 1]);
        let b = bound(h, t, l, Node::Level(child), o, size);
        let (_, v, u) = fills(p, o, &b.tile, b.loops, true);
        let coded = if parent == h.dram { tr.rlc_outputs } else { 1.0 };
        let tile = p.footprint(o, &b.tile);
        if b.per_pe {
            let uw = p.footprint(o, &union(t, &b.tile));
            let held = tile * active;
            let (fin, part) = (u * uw, (v - u) * uw);
            c.write(parent, Operand::Outputs, fin * coded);
            c.write(parent, Operand::Psums, part);
            c.read(parent, Operand::Psums, part);
            let final_share = if v > 0.0 { u / v } else { 1.0 };
            c.read(child, Operand::Outputs, v * held * final_share);
            c.read(child, Operand::Psums, v * held * (1.0 - final_share));
            let hops = v * (held - uw).max(0.0);
            c.noc[slot(Operand::Psums)] += hops;
            c.write(child, Operand::Psums, part + hops);
            tr.array_parent = parent;
            tr.array_words[2] += part;
            tr.array_words[3] += v * uw;
            tr.drain_words = uw;
            tr.fill_words[2] = if v > u { uw } else { 0.0 };
            if child == inner {
                fresh = v * held - part - hops;
            }
        } else {
            let (fin, part) = (u * tile, (v - u) * tile);
            c.write(parent, Operand::Outputs, fin * coded);
            c.write(parent, Operand::Psums, part);
            c.read(parent, Operand::Psums, part);
            c.read(child, Operand::Outputs, fin);
            c.read(child, Operand::Psums, part);
            c.write(child, Operand::Psums, part);
            if parent == h.dram {
                tr.dram_events[2] = (v, fin * coded + 2.0 * part);
            }
            if child == inner {
                fresh = u * tile;
            }
        }
    }
    c.read(inner, Operand::Psums, updates - fresh);
    c.write(inner, Operand::Psums, updates);
    if !in_rf {
        tr.array_parent = inner;
        tr.array_words[2] += (updates - fresh).max(0.0);
        tr.array_words[3] += updates;
    }
}

/// Words each level must hold per instance, per tensor (double-buffered tiles count twice).
/// Needs only the tiling, so the mapper can reject a candidate before deriving its loops.
pub fn occupancy(h: &Hierarchy, p: &Problem, t: &Tiling) -> [[f64; 3]; MAX_LEVELS] {
    let mut occ = [[0.0; 3]; MAX_LEVELS];
    for (i, row) in occ.iter_mut().enumerate().take(h.names.len()).skip(1) {
        *row = level_occupancy(h, p, t, i);
    }
    occ
}

/// [`occupancy`] of on-chip level `i` alone.
pub fn level_occupancy(h: &Hierarchy, p: &Problem, t: &Tiling, i: usize) -> [f64; 3] {
    let pe = Block::Pe.idx();
    let mut row = [0.0; 3];
    for tensor in Tensor::ALL {
        let role = h.role[i][tensor.idx()];
        if role == Role::Bypass {
            continue;
        }
        // The tile a level holds, as `bound` places it.
        let tile = if Some(i) == h.rf {
            t.tile(Block::Rf)
        } else if role == Role::Stage {
            t.tile(Block::SpatialY)
        } else {
            t.tile(Block::Glb)
        };
        let words = p.footprint(tensor, &tile);
        // A staged tile whose consumers (the scratchpads) hold it for the
        // whole pass frees its space once delivered: one copy suffices.
        // (A `pe` loop counts when its effective bound exceeds 1, as in `Mapping::push_loops`.)
        let held_below = role == Role::Stage
            && h.rf.is_some_and(|r| h.role[r][tensor.idx()] != Role::Bypass)
            && !(0..NDIM).any(|d| t.eff[pe][d] > 1.0 + 1e-9 && tensor.relevant(Dim::from_idx(d)));
        let copies = if h.prefetch[i][tensor.idx()] && !held_below { 2.0 } else { 1.0 };
        row[tensor.idx()] = words * copies;
    }
    row
}

/// A buffer that a mapping overflows.
#[derive(Debug, Clone, PartialEq)]
pub struct Overflow {
    /// Level index.
    pub level: usize,
    /// Words needed.
    pub needed_words: f64,
    /// Words available.
    pub capacity_words: f64,
}

/// Check that every tile fits its level and the array holds the spatial loops.
pub fn fits(h: &Hierarchy, m: &Mapping, occ: &[[f64; 3]; MAX_LEVELS]) -> Result<(), Overflow> {
    let (rows, cols) = m.array_use();
    if rows > u64::from(h.rows) || cols > u64::from(h.cols) {
        return Err(Overflow {
            level: usize::MAX,
            needed_words: (rows * cols) as f64,
            capacity_words: f64::from(h.rows * h.cols),
        });
    }
    for (i, row) in occ.iter().enumerate().take(h.names.len()).skip(1) {
        level_fits(h, i, row)?;
    }
    Ok(())
}

/// Check that the tiles `row` (words per tensor) fit level `i`.
pub fn level_fits(h: &Hierarchy, i: usize, row: &[f64; 3]) -> Result<(), Overflow> {
    let eps = 1e-6;
    let mut shared = 0.0;
    let mut reserved = 0.0;
    for tensor in Tensor::ALL {
        let need = row[tensor.idx()];
        match h.part_words[i][tensor.idx()] {
            Some(part) => {
                if need > part + eps {
                    return Err(Overflow { level: i, needed_words: need, capacity_words: part });
                }
                reserved += part;
            }
            None => shared += need,
        }
    }
    if let Some(cap) = h.cap_words[i]
        && shared > (cap - reserved).max(0.0) + eps
    {
        return Err(Overflow { level: i, needed_words: shared, capacity_words: (cap - reserved).max(0.0) });
    }
    Ok(())
}
