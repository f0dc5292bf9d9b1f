//! The mapping space the mapper searches, dimension by dimension.
//!
//! Candidate factors of a loop of size `n` are the smallest factors giving
//! each distinct `ceil(n / f)` (a larger factor with the same number of
//! tiles only adds idle edge work). Scratchpad factors are enumerated over
//! the dataflow's `rf` dimensions and cut off as soon as a tile overflows;
//! PE-loop factors over its `pe` dimensions; array placements over its
//! `spatial_y` / `spatial_x` dimensions, keeping only *maximal* placements
//! (no factor can grow to its next candidate within the axis) that keep at
//! least [`MIN_ARRAY_SHARE`] of the best placement's PEs busy. Loop orders
//! are enumerated as permutations and deduplicated by their effect: for each
//! tensor, the innermost loop it depends on and the loops inside that one.

use std::collections::HashSet;
use std::sync::OnceLock;

use super::mapping::{Block, Mapping};
use super::model::{Hierarchy, occupancy};
use super::problem::{Dim, DimSet, NDIM, Problem, Tensor};

/// Placements using fewer PEs than this fraction of the best placement are dropped.
pub const MIN_ARRAY_SHARE: f64 = 0.5;

/// The smallest factors `f ≤ max` giving each distinct `ceil(n / f)`, ascending.
pub fn factor_candidates(n: u64, max: u64) -> Vec<u32> {
    let mut out = Vec::new();
    let n = n.max(1);
    let mut f = 1u64;
    while f <= n.min(max.max(1)) {
        out.push(f.min(u64::from(u32::MAX)) as u32);
        let q = n.div_ceil(f);
        if q <= 1 {
            break;
        }
        f = n.div_ceil(q - 1);
    }
    out
}

/// `ceil(a / b)` (b = 0 counts as 1).
pub fn ceil_div(a: u64, b: u64) -> u64 {
    a.div_ceil(b.max(1))
}

/// Does a scratchpad tile with factors `rf` fit? (Checked before the rest of a mapping exists.)
fn rf_fits(h: &Hierarchy, p: &Problem, rf: &[u32; NDIM]) -> bool {
    let Some(i) = h.rf else { return true };
    let mut m = Mapping::unit();
    m.factors[Block::Rf.idx()] = *rf;
    let occ = occupancy(h, p, &m.tiling(p));
    let eps = 1e-6;
    let mut shared = 0.0;
    let mut reserved = 0.0;
    for t in Tensor::ALL {
        let need = occ[i][t.idx()];
        match h.part_words[i][t.idx()] {
            Some(part) if need > part + eps => return false,
            Some(part) => reserved += part,
            None => shared += need,
        }
    }
    h.cap_words[i].is_none_or(|cap| shared <= (cap - reserved).max(0.0) + eps)
}

/// Scratchpad factors that fit.
pub fn rf_options(h: &Hierarchy, p: &Problem) -> Vec<[u32; NDIM]> {
    let mut base = [1u32; NDIM];
    let mut free = Vec::new();
    if h.rf.is_some() {
        for d in h.df.rf_dims.dims() {
            if h.df.rf_full.has(d) {
                base[d.idx()] = p.dim(d) as u32;
            } else {
                free.push(d);
            }
        }
    }
    let mut out = Vec::new();
    if !rf_fits(h, p, &base) {
        return out;
    }
    fn rec(h: &Hierarchy, p: &Problem, free: &[Dim], cur: &mut [u32; NDIM], out: &mut Vec<[u32; NDIM]>) {
        let Some((&d, rest)) = free.split_first() else {
            out.push(*cur);
            return;
        };
        for f in factor_candidates(p.dim(d), p.dim(d)) {
            cur[d.idx()] = f;
            if !rf_fits(h, p, cur) {
                break;
            }
            rec(h, p, rest, cur, out);
        }
        cur[d.idx()] = 1;
    }
    rec(h, p, &free, &mut base, &mut out);
    out
}

fn product_options(dims: &[(Dim, Vec<u32>)]) -> Vec<[u32; NDIM]> {
    let mut out = vec![[1u32; NDIM]];
    for (d, cands) in dims {
        let mut next = Vec::with_capacity(out.len() * cands.len());
        for o in &out {
            for &f in cands {
                let mut x = *o;
                x[d.idx()] = f;
                next.push(x);
            }
        }
        out = next;
    }
    out
}

/// PE-loop factors given the scratchpad factors.
pub fn pe_options(h: &Hierarchy, p: &Problem, rf: &[u32; NDIM]) -> Vec<[u32; NDIM]> {
    let dims: Vec<(Dim, Vec<u32>)> =
        h.df.pe_dims
            .dims()
            .map(|d| {
                let rem = ceil_div(p.dim(d), u64::from(rf[d.idx()]));
                let c = if h.df.pe_full.has(d) { vec![rem as u32] } else { factor_candidates(rem, rem) };
                (d, c)
            })
            .collect();
    product_options(&dims)
}

/// Maximal placements of `dims` on an axis of `cap` PEs (dims in `full` take their whole remaining size).
fn axis_options(dims: DimSet, full: DimSet, rem: &[u64; NDIM], cap: u64) -> Vec<[u32; NDIM]> {
    let mut base = [1u32; NDIM];
    let mut used = 1u64;
    let mut free = Vec::new();
    for d in dims.dims() {
        if full.has(d) {
            base[d.idx()] = rem[d.idx()] as u32;
            used *= rem[d.idx()];
        } else if rem[d.idx()] > 1 {
            free.push((d, factor_candidates(rem[d.idx()], cap)));
        }
    }
    if used > cap {
        return Vec::new();
    }
    let mut out = Vec::new();
    fn rec(free: &[(Dim, Vec<u32>)], cur: &mut [u32; NDIM], used: u64, cap: u64, out: &mut Vec<[u32; NDIM]>) {
        let Some(((d, cands), rest)) = free.split_first() else {
            out.push(*cur);
            return;
        };
        for &f in cands {
            if used * u64::from(f) > cap {
                break;
            }
            cur[d.idx()] = f;
            rec(rest, cur, used * u64::from(f), cap, out);
        }
        cur[d.idx()] = 1;
    }
    rec(&free, &mut base, used, cap, &mut out);
    // Keep placements where no factor can step up to its next candidate.
    out.retain(|o| {
        let prod: u64 = o.iter().map(|&x| u64::from(x)).product();
        free.iter().all(|(d, cands)| {
            let f = o[d.idx()];
            match cands.iter().find(|&&c| c > f) {
                Some(&next) => prod / u64::from(f) * u64::from(next) > cap,
                None => true,
            }
        })
    });
    out
}

/// Array placements (rows, columns) given the factors inside the array.
pub fn spatial_options(h: &Hierarchy, p: &Problem, inner: &[u64; NDIM]) -> Vec<([u32; NDIM], [u32; NDIM])> {
    let rem_y: [u64; NDIM] = std::array::from_fn(|d| ceil_div(p.size[d], inner[d]));
    let mut out = Vec::new();
    for y in axis_options(h.df.y_dims, h.df.y_full, &rem_y, u64::from(h.rows)) {
        let rem_x: [u64; NDIM] = std::array::from_fn(|d| ceil_div(rem_y[d], u64::from(y[d])));
        for x in axis_options(h.df.x_dims, DimSet::default(), &rem_x, u64::from(h.cols)) {
            // A dimension split over both axes must need both.
            if (0..NDIM).any(|d| y[d] > 1 && x[d] > 1 && u64::from(x[d]) >= rem_y[d]) {
                continue;
            }
            out.push((y, x));
        }
    }
    let useful = |(y, x): &([u32; NDIM], [u32; NDIM])| -> f64 {
        (0..NDIM).map(|d| (u64::from(y[d]) * u64::from(x[d])).min(rem_y[d]) as f64).product()
    };
    let best = out.iter().map(useful).fold(0.0, f64::max);
    out.retain(|c| useful(c) >= MIN_ARRAY_SHARE * best);
    out
}

type Sig = [(u8, u8); 3];

fn signature(order: &[Dim; NDIM], mask: DimSet) -> Sig {
    let mut sig = [(u8::MAX, 0u8); 3];
    for t in Tensor::ALL {
        let mut inside = 0u8;
        for &d in order.iter().rev().filter(|d| mask.has(**d)) {
            if t.relevant(d) {
                sig[t.idx()] = (d as u8, inside);
                break;
            }
            inside |= 1 << d.idx();
        }
    }
    sig
}

/// Loop orders over the dimensions in `mask` that differ in effect (others
/// outermost). Computed once per mask for the life of the process.
pub fn order_options(mask: DimSet) -> &'static [[Dim; NDIM]] {
    static TABLE: [OnceLock<Vec<[Dim; NDIM]>>; 256] = [const { OnceLock::new() }; 256];
    TABLE[usize::from(mask.0)].get_or_init(|| enumerate_orders(mask))
}

fn enumerate_orders(mask: DimSet) -> Vec<[Dim; NDIM]> {
    let fixed: Vec<Dim> = Dim::ALL.iter().copied().filter(|d| !mask.has(*d)).collect();
    let mut perm: Vec<Dim> = mask.dims().collect();
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    loop {
        let mut o = [Dim::N; NDIM];
        for (i, d) in fixed.iter().chain(perm.iter()).enumerate() {
            o[i] = *d;
        }
        if seen.insert(signature(&o, mask)) {
            out.push(o);
        }
        // Next lexicographic permutation.
        let Some(i) = (1..perm.len()).rev().find(|&i| perm[i - 1] < perm[i]) else { break };
        let j = (i..perm.len()).rev().find(|&j| perm[j] > perm[i - 1]).unwrap_or(i);
        perm.swap(i - 1, j);
        perm[i..].reverse();
    }
    out
}

/// Order with the loops irrelevant to `t` innermost (so `t` stays resident across them).
pub fn stationary_order(mask: DimSet, t: Tensor) -> [Dim; NDIM] {
    let mut v: Vec<Dim> = Dim::ALL.iter().copied().filter(|d| !mask.has(*d)).collect();
    v.extend(mask.dims().filter(|d| t.relevant(*d)));
    v.extend(mask.dims().filter(|d| !t.relevant(*d)));
    std::array::from_fn(|i| v[i])
}

/// The dimensions with a factor above 1.
pub fn mask_of(f: &[u32; NDIM]) -> DimSet {
    DimSet(Dim::ALL.iter().filter(|d| f[d.idx()] > 1).fold(0, |m, d| m | (1 << d.idx())))
}

/// One inner configuration: a processing pass (scratchpad, PE loops, array placement).
#[derive(Clone)]
pub struct Inner {
    /// `rf` block factors.
    pub rf: [u32; NDIM],
    /// `pe` block factors.
    pub pe: [u32; NDIM],
    /// `y` block factors.
    pub y: [u32; NDIM],
    /// `x` block factors.
    pub x: [u32; NDIM],
    /// Order of the `pe` loops.
    pub pe_order: [Dim; NDIM],
    /// Order of the `rf` loops.
    pub rf_order: [Dim; NDIM],
}

impl Inner {
    /// Product of the inner factors per dimension.
    pub fn product(&self) -> [u64; NDIM] {
        std::array::from_fn(|d| {
            u64::from(self.rf[d]) * u64::from(self.pe[d]) * u64::from(self.y[d]) * u64::from(self.x[d])
        })
    }
    /// The full mapping with `glb` factors and the two outer orders.
    pub fn mapping(&self, p: &Problem, glb: &[u32; NDIM], dram_order: [Dim; NDIM], glb_order: [Dim; NDIM]) -> Mapping {
        let inner = self.product();
        let mut m = Mapping::unit();
        m.factors[Block::Rf.idx()] = self.rf;
        m.factors[Block::Pe.idx()] = self.pe;
        m.factors[Block::SpatialY.idx()] = self.y;
        m.factors[Block::SpatialX.idx()] = self.x;
        m.factors[Block::Glb.idx()] = *glb;
        m.factors[Block::Dram.idx()] =
            std::array::from_fn(|d| ceil_div(ceil_div(p.size[d], inner[d]), u64::from(glb[d])) as u32);
        m.order = [dram_order, glb_order, self.pe_order, self.rf_order];
        m
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candidates_are_minimal_per_ceiling() {
        assert_eq!(factor_candidates(55, 14), vec![1, 2, 3, 4, 5, 6, 7, 8, 10, 11, 14]);
        assert_eq!(factor_candidates(4, 4), vec![1, 2, 4]);
        assert_eq!(factor_candidates(1, 10), vec![1]);
        assert_eq!(factor_candidates(27, 27).last(), Some(&27));
    }

    #[test]
    fn orders_deduplicate_by_effect() {
        // One dimension: one order. N and P affect the same tensors (P also slides), so
        // [N, P] and [P, N] differ only in which is innermost for inputs and outputs.
        assert_eq!(order_options(DimSet::of(&[Dim::K])).len(), 1);
        assert_eq!(order_options(DimSet::of(&[Dim::N, Dim::P])).len(), 2);
        // Every order keeps all eight dimensions.
        for o in order_options(DimSet::of(&[Dim::N, Dim::K, Dim::C])) {
            let mut v = o.to_vec();
            v.sort();
            assert_eq!(v, Dim::ALL.to_vec());
        }
    }
}
