//! Published mappings, to check the model apart from the mapper.
//!
//! Eyeriss JSSC 2017 Table III gives the row-stationary mapping of AlexNet
//! CONV1–CONV5 on the chip at batch 4 as `(m, n, e, p, q, r, t)`: `m` ofmap
//! channels kept in the global buffer, `n` ifmaps per pass, `e` ofmap rows
//! per PE set, `p` filters and `q` channels interleaved per PE, `r` sets of
//! different channels and `t` sets of different filters on the array.
//! [`eyeriss_table3`] writes one as a [`Mapping`]: `p`, `q` and the filter
//! row `S` in the scratchpad; `n` images and the ofmap row `Q` per PE; the
//! filter rows `R`, ofmap-row segments and the `r`/`t` sets on the array
//! (sets side by side when the column room allows, as in CONV1, else
//! stacked); `m / (p·t)` filter groups per global-buffer tile; and the
//! remaining groups, channels, row strips and images in DRAM loops with
//! channels innermost, so psums stay in the GLB until complete (Fig. 7).

use super::mapping::{Block, Mapping};
use super::problem::{Dim, Problem};

/// Table III parameters of one layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RsParams {
    /// Ofmap channels per GLB tile.
    pub m: u32,
    /// Ifmaps per pass.
    pub n: u32,
    /// Ofmap rows per PE set.
    pub e: u32,
    /// Filters per PE.
    pub p: u32,
    /// Channels per PE.
    pub q: u32,
    /// Sets of different channels.
    pub r: u32,
    /// Sets of different filters.
    pub t: u32,
}

/// JSSC 2017 Table III, AlexNet CONV1..CONV5 (batch 4).
pub const ALEXNET_TABLE3: [(&str, RsParams); 5] = [
    ("conv1", RsParams { m: 96, n: 1, e: 7, p: 16, q: 1, r: 1, t: 2 }),
    ("conv2", RsParams { m: 64, n: 1, e: 27, p: 16, q: 2, r: 1, t: 1 }),
    ("conv3", RsParams { m: 64, n: 4, e: 13, p: 16, q: 4, r: 1, t: 4 }),
    ("conv4", RsParams { m: 64, n: 4, e: 13, p: 16, q: 3, r: 2, t: 2 }),
    ("conv5", RsParams { m: 64, n: 4, e: 13, p: 16, q: 3, r: 2, t: 2 }),
];

/// The row-stationary mapping with parameters `x` of problem `p` on an array `cols` PEs wide.
pub fn eyeriss_table3(p: &Problem, x: RsParams, cols: u32) -> Mapping {
    use Dim::*;
    let size = |d: Dim| p.dim(d) as u32;
    let mut m = Mapping::unit();
    m.set(Block::Rf, K, x.p);
    m.set(Block::Rf, C, x.q);
    m.set(Block::Rf, S, size(S));
    m.set(Block::Pe, N, x.n);
    m.set(Block::Pe, Q, size(Q));
    m.set(Block::SpatialY, R, size(R));
    // A set wider than the array is cut into segments stacked vertically.
    let width = x.e.min(cols);
    let segments = x.e.div_ceil(width);
    m.set(Block::SpatialX, P, width);
    m.set(Block::SpatialY, P, segments);
    // Sets go side by side while the columns allow, else they stack.
    let side = (cols / width).max(1);
    let (tx, ty) = if x.t <= side { (x.t, 1) } else { (1, x.t) };
    let rx = if x.r * tx <= side && ty == 1 { x.r } else { 1 };
    m.set(Block::SpatialX, K, tx);
    m.set(Block::SpatialY, K, ty);
    m.set(Block::SpatialX, C, rx);
    m.set(Block::SpatialY, C, x.r / rx);
    m.set(Block::Glb, K, x.m / (x.p * x.t));
    m.set(Block::Dram, K, size(K).div_ceil(x.m));
    m.set(Block::Dram, C, size(C).div_ceil(x.q * x.r));
    m.set(Block::Dram, P, size(P).div_ceil(x.e));
    m.set(Block::Dram, N, size(N).div_ceil(x.n));
    m.set(Block::Dram, G, size(G));
    m.order[0] = [Q, R, S, G, N, P, K, C];
    m.order[1] = [N, G, C, P, Q, R, S, K];
    m.order[2] = [G, K, C, P, R, S, N, Q];
    m
}
