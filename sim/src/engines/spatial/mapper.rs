//! The mapper: a bounded, deterministic search for the best legal mapping.
//!
//! The search space is split the way the row-stationary mapping is built
//! (ISCA 2016 Sec. V-B): an *inner* mapping (what one PE keeps, the PE
//! loops, and the spread over the array, i.e. one processing pass) and an
//! *outer* mapping (how passes are grouped into global-buffer tiles, and
//! the loop orders above the array).
//!
//! 1. **Inner configurations.** Scratchpad factors are enumerated over the
//!    dataflow's `rf` dimensions, largest first rejected as soon as a tile
//!    overflows its scratchpad; PE-loop factors over the `pe` dimensions;
//!    array factors over the `spatial_y` / `spatial_x` dimensions, keeping
//!    only *maximal* placements (no factor can grow to its next useful value
//!    without overflowing the axis) that use at least half as many PEs as
//!    the best placement. Factor candidates of a dimension of size `n` are
//!    the smallest factors giving each distinct `ceil(n / f)`.
//! 2. **Phase A.** Every inner configuration (or, if there are more than
//!    half the budget, a sample of that many drawn with a fixed seed) is
//!    priced with a default outer mapping: one pass per global-buffer tile,
//!    DRAM loops ordered so that outputs stay on chip across reductions.
//! 3. **Phase B.** The best [`BEAM`] inner configurations get the rest of
//!    the budget, shared equally: all global-buffer tilings that fit, times
//!    all loop orders of the `dram` and `glb` blocks that differ in effect
//!    (orders are deduplicated by, for each tensor, the innermost loop it
//!    depends on and the loops inside it). If a configuration's outer space
//!    is larger than its share, a fixed-seed uniform sample is taken.
//! 4. **Refinement.** From the best mapping, single steps (one tiling factor
//!    to its neighbouring candidate, or two adjacent loops swapped) are
//!    taken while they improve and budget remains.
//!
//! Every candidate is checked for legality (all tiles fit their buffers,
//! the spatial factors fit the array) before it is priced. Candidates are
//! ranked by the objective, then by the other of energy and cycles, then by
//! the mapping's factors and orders (lexicographic), so the result does not
//! depend on evaluation order or thread count. Budget = mappings priced per
//! layer (`[mapper] budget`, default 20 000).
//!
//! Steps 1 and 2 do not depend on the global buffer's size or partition:
//! nothing reads them except the check that tiles fit (when the buffer's
//! access energy is derived from its capacity, the prices differ and nothing
//! is shared). They are computed with the buffer unbounded (the *prelude*)
//! and each search keeps the phase-A candidates that fit its buffer. With
//! [`search_with`]`(.., share = true)` (sweeps) the prelude is kept in a
//! per-thread cache keyed by layer shape, rest of the architecture, objective
//! and budget, so a sweep over buffer sizes pays for it once per array shape;
//! the results equal a search from scratch. In phase B the candidates of one
//! global-buffer tiling are consecutive; its tiles are derived once and only
//! the loop orders change between them.

use std::cell::RefCell;
use std::cmp::Ordering;
use std::collections::{HashMap, VecDeque};
use std::rc::Rc;

use eyrie_arch::Objective;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use super::mapping::{Block, Mapping, Tiling};
use super::model::{Hierarchy, Loops, evaluate_tiled, fits, level_fits, level_occupancy, occupancy, rlc_ratios};
use super::problem::{Dim, NDIM, Problem, Tensor};
use super::space::{
    Inner, ceil_div, factor_candidates, mask_of, order_options, pe_options, rf_options, spatial_options,
    stationary_order,
};
use super::timing::time;

/// Factors on the array's rows and columns.
type Placement = ([u32; NDIM], [u32; NDIM]);

/// Inner configurations carried from phase A to phase B.
pub const BEAM: usize = 16;
/// Seed of every sample the mapper draws.
pub const SEED: u64 = 0x5EED_E7E5;

/// How the search went.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct SearchStats {
    /// Inner configurations (scratchpad, PE loops, array placement) found.
    pub inner_configs: u64,
    /// Mappings priced.
    pub evaluated: u64,
    /// Whether every legal candidate of the (pruned) space was priced.
    pub exhaustive: bool,
}

/// The chosen mapping and its score.
#[derive(Debug, Clone, PartialEq)]
pub struct Scored {
    /// The mapping.
    pub mapping: Mapping,
    /// Energy (pJ).
    pub energy_pj: f64,
    /// Cycles (compute + stall).
    pub cycles: u64,
    key: (f64, f64),
}

fn cmp_f(a: f64, b: f64) -> Ordering {
    if (a - b).abs() <= 1e-12 * a.abs().max(b.abs()) { Ordering::Equal } else { a.total_cmp(&b) }
}

impl Scored {
    fn cmp(&self, o: &Scored) -> Ordering {
        cmp_f(self.key.0, o.key.0).then(cmp_f(self.key.1, o.key.1)).then_with(|| self.mapping.cmp(&o.mapping))
    }
}

/// Prices candidates and counts them.
pub struct Evaluator<'a> {
    h: &'a Hierarchy,
    p: &'a Problem,
    objective: Objective,
    rlc: (f64, f64),
    /// Candidates priced so far.
    pub evaluated: u64,
}

impl<'a> Evaluator<'a> {
    /// An evaluator for one problem.
    pub fn new(h: &'a Hierarchy, p: &'a Problem, objective: Objective) -> Self {
        Evaluator { h, p, objective, rlc: rlc_ratios(h, p), evaluated: 0 }
    }

    /// The score of a legal mapping; `None` if a tile overflows its buffer or the array.
    pub fn score(&mut self, m: &Mapping) -> Option<Scored> {
        self.evaluated += 1;
        let t = m.tiling(self.p);
        let occ = occupancy(self.h, self.p, &t);
        fits(self.h, m, &occ).ok()?;
        let (energy_pj, cycles, key) = self.price(m, &t);
        Some(Scored { mapping: m.clone(), energy_pj, cycles, key })
    }

    /// Energy, cycles and ranking key of a mapping known to fit, with tiling `t` (not counted).
    fn price(&self, m: &Mapping, t: &Tiling) -> (f64, u64, (f64, f64)) {
        let l = Loops::of(m, t);
        let (c, tr) = evaluate_tiled(self.h, self.p, t, &l, self.rlc);
        let tm = time(self.h, m, &c, &tr);
        let cycles = tm.compute_cycles + tm.stall_cycles;
        let n = self.h.names.len();
        let latency_ms = cycles as f64 / (self.h.clock_mhz * 1e3);
        let e = self.h.prices.energy_pj(
            &c.level_reads()[..n],
            &c.level_writes()[..n],
            c.effective_macs,
            c.noc.iter().sum(),
            latency_ms,
        );
        let cy = cycles as f64;
        let key = match self.objective {
            Objective::Energy => (e, cy),
            Objective::Latency => (cy, e),
            Objective::Edp => (e * cy, e),
        };
        (e, cycles, key)
    }
}

/// Whether a mapping `m` with ranking key `key` ranks before `b` (as [`Scored::cmp`] orders them).
fn beats(key: (f64, f64), m: &Mapping, b: &Scored) -> bool {
    cmp_f(key.0, b.key.0).then(cmp_f(key.1, b.key.1)).then_with(|| m.cmp(&b.mapping)) == Ordering::Less
}

/// What the search does before the global buffer's size matters: the inner
/// configurations and their phase-A prices. The global buffer's capacity and
/// partition only decide which of these mappings fit (the model, the timing
/// and the prices read neither; a buffer whose access energy is derived from
/// its capacity has other prices, hence another prelude), so one prelude
/// serves every buffer size of an otherwise equal architecture.
struct Prelude {
    /// Inner configurations found.
    inner_configs: u64,
    /// The inner configurations of `scored`.
    inners: Vec<Inner>,
    /// Inner configurations priced in phase A.
    picked: u64,
    /// Whether phase A priced every inner configuration.
    all_picked: bool,
    /// Phase-A candidates that fit everything but (perhaps) the global buffer, best first.
    scored: Vec<Cand>,
}

/// A phase-A candidate: its inner configuration, its price and what it needs of the global buffer.
struct Cand {
    inner: u32,
    energy_pj: f64,
    cycles: u64,
    key: (f64, f64),
    /// Words per tensor its tiles take in the global buffer.
    glb: [f64; 3],
}

impl Prelude {
    /// Approximate heap size (for the cache's bound).
    fn bytes(&self) -> usize {
        self.inners.len() * std::mem::size_of::<Inner>() + self.scored.len() * std::mem::size_of::<Cand>()
    }
}

/// The phase-A mapping of an inner configuration: one pass per global-buffer
/// tile, DRAM loops ordered so that outputs stay on chip across reductions.
fn phase_a_mapping(p: &Problem, inn: &Inner) -> Mapping {
    let rem: [u32; NDIM] = std::array::from_fn(|d| ceil_div(p.size[d], inn.product()[d]) as u32);
    let order = stationary_order(mask_of(&rem), Tensor::Outputs);
    inn.mapping(p, &[1; NDIM], order, Dim::ALL)
}

/// Preludes kept per thread, oldest dropped first, within this many bytes.
/// A sweep runs the points that differ only in buffer sizes one after
/// another on one thread, so the preludes of one network's layers suffice.
const PRELUDE_CACHE_BYTES: usize = 16 << 20;

#[derive(Default)]
struct PreludeCache {
    map: HashMap<String, Rc<Result<Prelude, String>>>,
    order: VecDeque<(String, usize)>,
    bytes: usize,
}

thread_local! {
    static PRELUDES: RefCell<PreludeCache> = RefCell::new(PreludeCache::default());
}

/// Drop this thread's cached preludes (tests build them from chosen sizes).
#[cfg(test)]
pub(crate) fn clear_prelude_cache() {
    PRELUDES.with(|c| *c.borrow_mut() = PreludeCache::default());
}

/// The hierarchy with the global buffer unbounded (its size and partition removed).
fn open_glb(h: &Hierarchy) -> Hierarchy {
    let mut o = h.clone();
    if let Some(g) = h.glb {
        o.cap_words[g] = None;
        o.part_words[g] = [None; 3];
    }
    o
}

/// The prelude of `p` on `h`, from this thread's cache when `share`.
fn prelude(h: &Hierarchy, p: &Problem, objective: Objective, budget: u64, share: bool) -> Rc<Result<Prelude, String>> {
    let open = open_glb(h);
    if !share {
        return Rc::new(make_prelude(&open, p, objective, budget));
    }
    let key = format!("{p:?}|{open:?}|{objective:?}|{budget}");
    if let Some(hit) = PRELUDES.with(|c| c.borrow().map.get(&key).cloned()) {
        return hit;
    }
    let made = Rc::new(make_prelude(&open, p, objective, budget));
    let size = made.as_ref().as_ref().map_or(0, Prelude::bytes) + key.len();
    PRELUDES.with(|c| {
        let mut c = c.borrow_mut();
        while c.bytes + size > PRELUDE_CACHE_BYTES
            && let Some((old, n)) = c.order.pop_front()
        {
            c.map.remove(&old);
            c.bytes -= n;
        }
        if size <= PRELUDE_CACHE_BYTES {
            c.bytes += size;
            c.order.push_back((key.clone(), size));
            c.map.insert(key, made.clone());
        }
    });
    made
}

/// Steps 1 and 2 of the search on `open` (the hierarchy with an unbounded global buffer).
fn make_prelude(open: &Hierarchy, p: &Problem, objective: Objective, budget: u64) -> Result<Prelude, String> {
    let h = open;
    // 1. Inner configurations.
    let rfs = rf_options(h, p);
    if rfs.is_empty() {
        return Err(format!(
            "the `{}` scratchpad cannot hold the smallest tile the {} dataflow needs",
            h.rf.map(|i| h.names[i].as_str()).unwrap_or("per-PE"),
            h.df.name
        ));
    }
    let mut spatial_cache: HashMap<[u64; NDIM], Vec<Placement>> = HashMap::new();
    let mut inners = Vec::new();
    for rf in &rfs {
        for pe in pe_options(h, p, rf) {
            let prod: [u64; NDIM] = std::array::from_fn(|d| u64::from(rf[d]) * u64::from(pe[d]));
            let sp = spatial_cache.entry(prod).or_insert_with(|| spatial_options(h, p, &prod));
            let pe_orders = order_options(mask_of(&pe));
            let rf_orders: &[[Dim; NDIM]] = if h.df.forwarding { order_options(mask_of(rf)) } else { &[Dim::ALL] };
            for (y, x) in sp.iter() {
                for po in pe_orders {
                    for ro in rf_orders {
                        inners.push(Inner { rf: *rf, pe, y: *y, x: *x, pe_order: *po, rf_order: *ro });
                    }
                }
            }
        }
    }
    if inners.is_empty() {
        return Err(format!("no placement of the {} dataflow fits the {}x{} array", h.df.name, h.rows, h.cols));
    }
    // 2. Phase A: each inner configuration with a default outer mapping.
    let phase_a = (budget / 2).max(1) as usize;
    let all_picked = inners.len() <= phase_a;
    let picked: Vec<usize> = if all_picked {
        (0..inners.len()).collect()
    } else {
        let mut rng = ChaCha8Rng::seed_from_u64(SEED);
        let mut v = rand::seq::index::sample(&mut rng, inners.len(), phase_a).into_vec();
        v.sort_unstable();
        v
    };
    let ev = Evaluator::new(h, p, objective);
    let mut scored = Vec::with_capacity(picked.len());
    for &i in &picked {
        let m = phase_a_mapping(p, &inners[i]);
        let t = m.tiling(p);
        let occ = occupancy(h, p, &t);
        if fits(h, &m, &occ).is_ok() {
            let (energy_pj, cycles, key) = ev.price(&m, &t);
            let glb = h.glb.map_or([0.0; 3], |g| occ[g]);
            scored.push(Cand { inner: i as u32, energy_pj, cycles, key, glb });
        }
    }
    // Best first, as `Scored::cmp` ranks them (mappings break ties).
    scored.sort_by(|a, b| {
        cmp_f(a.key.0, b.key.0).then(cmp_f(a.key.1, b.key.1)).then_with(|| {
            phase_a_mapping(p, &inners[a.inner as usize]).cmp(&phase_a_mapping(p, &inners[b.inner as usize]))
        })
    });
    // Keep only the configurations a beam can take, in rank order.
    let kept: Vec<Inner> = scored.iter().map(|c| inners[c.inner as usize].clone()).collect();
    for (k, c) in scored.iter_mut().enumerate() {
        c.inner = k as u32;
    }
    Ok(Prelude { inner_configs: inners.len() as u64, inners: kept, picked: picked.len() as u64, all_picked, scored })
}

/// Search for the best mapping of `p` on `h`; the error says why nothing fits.
pub fn search(h: &Hierarchy, p: &Problem, objective: Objective, budget: u32) -> Result<(Scored, SearchStats), String> {
    search_with(h, p, objective, budget, false)
}

/// [`search`], keeping its buffer-size-independent part (the prelude) in a
/// per-thread cache for searches that differ only in the global buffer's size
/// or partition when `share` (sweeps). The result is the same either way.
pub fn search_with(
    h: &Hierarchy,
    p: &Problem,
    objective: Objective,
    budget: u32,
    share: bool,
) -> Result<(Scored, SearchStats), String> {
    let budget = u64::from(budget.max(1));
    let pre = prelude(h, p, objective, budget, share);
    let pre = match pre.as_ref() {
        Ok(x) => x,
        Err(e) => return Err(e.clone()),
    };
    let mut ev = Evaluator::new(h, p, objective);
    ev.evaluated = pre.picked;
    let inner_configs = pre.inner_configs;
    let mut stats = SearchStats { inner_configs, exhaustive: pre.all_picked, ..SearchStats::default() };
    // Phase A's candidates that fit this global buffer (the rest fit already), best first.
    let beam: Vec<(Scored, &Inner)> = pre
        .scored
        .iter()
        .filter(|c| h.glb.is_none_or(|g| level_fits(h, g, &c.glb).is_ok()))
        .take(BEAM)
        .map(|c| {
            let inn = &pre.inners[c.inner as usize];
            let s = Scored { mapping: phase_a_mapping(p, inn), energy_pj: c.energy_pj, cycles: c.cycles, key: c.key };
            (s, inn)
        })
        .collect();
    if inner_configs > beam.len() as u64 && beam.len() == BEAM {
        stats.exhaustive = false;
    }
    let mut best: Option<Scored> = beam.first().map(|b| b.0.clone());
    // 3. Phase B: outer mappings for the best inner configurations.
    let remaining = budget.saturating_sub(ev.evaluated);
    let share = (remaining / beam.len().max(1) as u64).max(1);
    for (rank, (_, inn)) in beam.iter().enumerate() {
        let rem: [u64; NDIM] = std::array::from_fn(|d| ceil_div(p.size[d], inn.product()[d]));
        // The tiles of the pass; each global-buffer tiling only adds the two outer blocks.
        let pass = inn.mapping(p, &[1; NDIM], Dim::ALL, Dim::ALL).tiling(p);
        let glbs = glb_options(h, p, inn, &pass, &rem);
        let drams: Vec<[u32; NDIM]> =
            glbs.iter().map(|g| std::array::from_fn(|d| ceil_div(rem[d], u64::from(g[d])) as u32)).collect();
        let mut counts = Vec::with_capacity(glbs.len());
        let mut total = 0u64;
        for (g, dram) in glbs.iter().zip(&drams) {
            let nd = order_options(mask_of(dram)).len() as u64;
            let ng = order_options(mask_of(g)).len() as u64;
            counts.push((nd, ng));
            total += nd * ng;
        }
        let chosen: Vec<u64> = if total <= share {
            (0..total).collect()
        } else {
            stats.exhaustive = false;
            let mut rng = ChaCha8Rng::seed_from_u64(SEED ^ (rank as u64 + 1));
            let mut v: Vec<u64> = rand::seq::index::sample(&mut rng, total as usize, share as usize)
                .into_iter()
                .map(|x| x as u64)
                .collect();
            v.sort_unstable();
            v
        };
        // Candidates come in index order, so those of one tiling are consecutive:
        // its mapping and tiles are derived once, then only the orders change.
        // (Every listed tiling fits: `glb_options` checked it.)
        let (mut gi, mut base) = (0usize, 0u64);
        let mut m = inn.mapping(p, &[1; NDIM], Dim::ALL, Dim::ALL);
        let mut t = pass.clone();
        let mut at = usize::MAX;
        for k in chosen {
            while gi < glbs.len() && k >= base + counts[gi].0 * counts[gi].1 {
                base += counts[gi].0 * counts[gi].1;
                gi += 1;
            }
            let (Some(g), Some(dram)) = (glbs.get(gi), drams.get(gi)) else { break };
            if at != gi {
                m.factors[Block::Glb.idx()] = *g;
                m.factors[Block::Dram.idx()] = *dram;
                m.tile_blocks(p, &mut t, Block::Dram.idx()..Block::SpatialY.idx());
                at = gi;
            }
            ev.evaluated += 1;
            let local = k - base;
            let (nd, _) = counts[gi];
            let (di, gj) = ((local % nd) as usize, (local / nd) as usize);
            // (Both exist: `di < nd` and `gj < ng` by construction.)
            let (Some(&dorder), Some(&gorder)) =
                (order_options(mask_of(dram)).get(di), order_options(mask_of(g)).get(gj))
            else {
                continue;
            };
            m.order[Block::Dram.idx()] = dorder;
            m.order[Block::Glb.idx()] = gorder;
            let (energy_pj, cycles, key) = ev.price(&m, &t);
            if best.as_ref().is_none_or(|b| beats(key, &m, b)) {
                best = Some(Scored { mapping: m.clone(), energy_pj, cycles, key });
            }
        }
    }
    // 4. Refinement by single steps.
    let Some(mut cur) = best else {
        return Err(format!(
            "no mapping of the {} dataflow fits the buffers (the smallest pass does not fit the global buffer)",
            h.df.name
        ));
    };
    while ev.evaluated < budget {
        let mut improved = false;
        for m in neighbours(p, &cur.mapping) {
            if ev.evaluated >= budget {
                break;
            }
            if let Some(s) = ev.score(&m)
                && s.cmp(&cur) == Ordering::Less
            {
                cur = s;
                improved = true;
                break;
            }
        }
        if !improved {
            break;
        }
    }
    stats.evaluated = ev.evaluated;
    Ok((cur, stats))
}

/// Global-buffer tilings (factors of the `glb` block) over the remaining loops
/// that fit, given the tiles of the pass (`pass`). Only the global buffer's
/// tile grows with the tiling, so once the pass fits, a tiling fits when its
/// global-buffer tile does.
fn glb_options(h: &Hierarchy, p: &Problem, inn: &Inner, pass: &Tiling, rem: &[u64; NDIM]) -> Vec<[u32; NDIM]> {
    let dims: Vec<(Dim, Vec<u32>)> = Dim::ALL
        .iter()
        .filter(|d| rem[d.idx()] > 1)
        .map(|&d| (d, factor_candidates(rem[d.idx()], rem[d.idx()])))
        .collect();
    let mut out = Vec::new();
    let mut m = inn.mapping(p, &[1; NDIM], Dim::ALL, Dim::ALL);
    if fits(h, &m, &occupancy(h, p, pass)).is_err() {
        return out;
    }
    let mut t = pass.clone();
    let mut fits_glb = |g: &[u32; NDIM]| {
        let Some(gl) = h.glb else { return true };
        m.factors[Block::Glb.idx()] = *g;
        m.tile_blocks(p, &mut t, Block::Glb.idx()..Block::SpatialY.idx());
        level_fits(h, gl, &level_occupancy(h, p, &t, gl)).is_ok()
    };
    fn rec(
        dims: &[(Dim, Vec<u32>)],
        cur: &mut [u32; NDIM],
        ok: &mut dyn FnMut(&[u32; NDIM]) -> bool,
        out: &mut Vec<[u32; NDIM]>,
    ) {
        let Some(((d, cands), rest)) = dims.split_first() else {
            out.push(*cur);
            return;
        };
        for &f in cands {
            cur[d.idx()] = f;
            if !ok(cur) {
                break;
            }
            rec(rest, cur, ok, out);
        }
        cur[d.idx()] = 1;
    }
    let mut cur = [1u32; NDIM];
    rec(&dims, &mut cur, &mut fits_glb, &mut out);
    out
}

/// Mappings one step away: a `glb` factor moved to its neighbouring
/// candidate (the `dram` factor follows), or two adjacent loops swapped.
fn neighbours(p: &Problem, m: &Mapping) -> Vec<Mapping> {
    let mut out = Vec::new();
    let (g, dr) = (Block::Glb.idx(), Block::Dram.idx());
    for d in 0..NDIM {
        let inner: u64 = (2..6).map(|b| u64::from(m.factors[b][d])).product();
        let rem = ceil_div(p.size[d], inner);
        if rem <= 1 {
            continue;
        }
        let cands = factor_candidates(rem, rem);
        let cur = m.factors[g][d];
        let pos = cands.iter().position(|&c| c >= cur).unwrap_or(0);
        for np in [pos.checked_sub(1), Some(pos + 1)].into_iter().flatten() {
            if let Some(&c) = cands.get(np)
                && c != cur
            {
                let mut x = m.clone();
                x.factors[g][d] = c;
                x.factors[dr][d] = ceil_div(rem, u64::from(c)) as u32;
                out.push(x);
            }
        }
    }
    for ti in 0..2 {
        for i in 0..NDIM - 1 {
            let mut x = m.clone();
            x.order[ti].swap(i, i + 1);
            if x.order[ti] != m.order[ti] {
                out.push(x);
            }
        }
    }
    out
}
