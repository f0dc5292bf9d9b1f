//! A mapping: where each loop of the nest runs.
//!
//! Following Timeloop's split of problem, architecture and mapping, a
//! mapping assigns every loop dimension a factor in each of six blocks,
//! outermost first:
//!
//! | block | meaning |
//! |---|---|
//! | `dram` | temporal loops over global-buffer tiles (data from DRAM) |
//! | `glb` | temporal loops over processing passes (data from the GLB) |
//! | `spatial_y`, `spatial_x` | PEs along the array's rows and columns |
//! | `pe` | temporal loops inside a pass, per PE, over scratchpad tiles |
//! | `rf` | temporal loops over the words held in the scratchpad |
//!
//! Each temporal block has a loop order. Factors are loop bounds; their
//! product may exceed a dimension's size (the last tile is partial, as when
//! Eyeriss strip-mines AlexNet CONV1's 55 rows into strips of 7). Access
//! counts use the *effective* factors (extent ratios, so partial tiles count
//! their real size); cycle counts use the integer bounds.

use super::problem::{Dim, NDIM, Problem};

/// Number of blocks.
pub const NBLOCK: usize = 6;

/// A block of loops.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Block {
    /// Loops over GLB tiles.
    Dram = 0,
    /// Loops over passes within a GLB tile.
    Glb = 1,
    /// PEs along the rows (vertical axis).
    SpatialY = 2,
    /// PEs along the columns (horizontal axis).
    SpatialX = 3,
    /// Per-PE loops over scratchpad tiles within a pass.
    Pe = 4,
    /// Loops over the words in the scratchpad.
    Rf = 5,
}

impl Block {
    /// All blocks, outermost first.
    pub const ALL: [Block; NBLOCK] = [Block::Dram, Block::Glb, Block::SpatialY, Block::SpatialX, Block::Pe, Block::Rf];
    /// The temporal blocks, outermost first; their index is the row of [`Mapping::order`].
    pub const TEMPORAL: [Block; 4] = [Block::Dram, Block::Glb, Block::Pe, Block::Rf];

    /// Position in per-block arrays.
    pub fn idx(self) -> usize {
        self as usize
    }

    /// Row of [`Mapping::order`] for a temporal block.
    pub fn temporal_idx(self) -> Option<usize> {
        match self {
            Block::Dram => Some(0),
            Block::Glb => Some(1),
            Block::Pe => Some(2),
            Block::Rf => Some(3),
            _ => None,
        }
    }

    /// Name used in reports.
    pub fn name(self) -> &'static str {
        ["dram", "glb", "spatial_y", "spatial_x", "pe", "rf"][self.idx()]
    }
}

/// Where every loop runs.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct Mapping {
    /// `factors[block][dim]`: loop bound (temporal blocks) or PEs used (spatial blocks).
    pub factors: [[u32; NDIM]; NBLOCK],
    /// Loop order of each temporal block (`dram`, `glb`, `pe`, `rf`), outermost first.
    pub order: [[Dim; NDIM]; 4],
}

/// Tile extents and effective factors derived from a mapping.
#[derive(Debug, Clone, PartialEq)]
pub struct Tiling {
    /// `ext[block][dim]`: extent of a tile of the loops in `block` and every block inside it.
    pub ext: [[f64; NDIM]; NBLOCK],
    /// `eff[block][dim]`: `ext[block] / ext[next inner block]`, the effective (fractional) bound.
    pub eff: [[f64; NDIM]; NBLOCK],
}

impl Mapping {
    /// A mapping with every factor 1 and index order everywhere.
    pub fn unit() -> Mapping {
        Mapping { factors: [[1; NDIM]; NBLOCK], order: [Dim::ALL; 4] }
    }

    /// Factor of `d` in block `b`.
    pub fn f(&self, b: Block, d: Dim) -> u32 {
        self.factors[b.idx()][d.idx()]
    }

    /// Set the factor of `d` in block `b`.
    pub fn set(&mut self, b: Block, d: Dim, v: u32) {
        self.factors[b.idx()][d.idx()] = v.max(1);
    }

    /// Whether the factors of every dimension cover its size.
    pub fn covers(&self, p: &Problem) -> bool {
        Dim::ALL.iter().all(|&d| {
            let prod: u64 = (0..NBLOCK).map(|b| u64::from(self.factors[b][d.idx()])).product();
            prod >= p.dim(d)
        })
    }

    /// Tile extents and effective factors for problem `p`.
    pub fn tiling(&self, p: &Problem) -> Tiling {
        let mut t = Tiling { ext: [[1.0; NDIM]; NBLOCK], eff: [[1.0; NDIM]; NBLOCK] };
        self.tile_blocks(p, &mut t, 0..NBLOCK);
        t
    }

    /// Fill the rows of `blocks` of `t`, whose blocks inside them are already filled.
    pub fn tile_blocks(&self, p: &Problem, t: &mut Tiling, blocks: std::ops::Range<usize>) {
        let upto = blocks.end.min(NBLOCK);
        let mut inner = if upto < NBLOCK { t.ext[upto] } else { [1.0f64; NDIM] };
        for b in (blocks.start..upto).rev() {
            for (d, i) in inner.iter_mut().enumerate() {
                let e = (*i * f64::from(self.factors[b][d])).min(p.size[d] as f64).max(*i);
                t.eff[b][d] = e / *i;
                t.ext[b][d] = e;
                *i = e;
            }
        }
    }

    /// PEs used on (rows, columns).
    pub fn array_use(&self) -> (u64, u64) {
        let prod = |b: Block| self.factors[b.idx()].iter().map(|&x| u64::from(x)).product::<u64>();
        (prod(Block::SpatialY), prod(Block::SpatialX))
    }

    /// Number of processing passes (iterations of the `dram` and `glb` loops).
    pub fn passes(&self) -> u64 {
        [Block::Dram, Block::Glb]
            .iter()
            .map(|b| self.factors[b.idx()].iter().map(|&x| u64::from(x)).product::<u64>())
            .product()
    }

    /// Cycles of one pass: iterations of the `pe` and `rf` loops (one MAC per PE per cycle).
    pub fn cycles_per_pass(&self) -> u64 {
        [Block::Pe, Block::Rf]
            .iter()
            .map(|b| self.factors[b.idx()].iter().map(|&x| u64::from(x)).product::<u64>())
            .product()
    }

    /// Append the loops of temporal block `b` with an effective bound above 1, innermost first.
    pub fn push_loops(&self, t: &Tiling, b: Block, out: &mut LoopList) {
        let Some(ti) = b.temporal_idx() else { return };
        for &d in self.order[ti].iter().rev() {
            let f = t.eff[b.idx()][d.idx()];
            if f > 1.0 + 1e-9 {
                out.push(d, f);
            }
        }
    }
}

impl Tiling {
    /// PEs doing useful work (effective, so partial sets count their real size).
    pub fn active_pes(&self) -> f64 {
        (0..NDIM).map(|d| self.eff[Block::SpatialY.idx()][d] * self.eff[Block::SpatialX.idx()][d]).product()
    }

    /// Extents of the tile held below block `b` (the tile of `b` and all inner blocks).
    pub fn tile(&self, b: Block) -> [f64; NDIM] {
        self.ext[b.idx()]
    }
}

/// A short list of loops (dimension, effective bound), innermost first.
#[derive(Debug, Clone, Copy)]
pub struct LoopList {
    dims: [Dim; 32],
    bounds: [f64; 32],
    len: usize,
}

impl Default for LoopList {
    fn default() -> Self {
        LoopList { dims: [Dim::N; 32], bounds: [1.0; 32], len: 0 }
    }
}

impl LoopList {
    fn push(&mut self, d: Dim, f: f64) {
        if self.len < 32 {
            self.dims[self.len] = d;
            self.bounds[self.len] = f;
            self.len += 1;
        }
    }

    /// Number of loops.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are no loops.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The loops from position `from` (inclusive) to `to` (exclusive), innermost first.
    pub fn view(&self, from: usize, to: usize) -> LoopView<'_> {
        let to = to.min(self.len);
        let from = from.min(to);
        LoopView { dims: &self.dims[from..to], bounds: &self.bounds[from..to] }
    }
}

/// A contiguous run of a [`LoopList`], innermost first.
#[derive(Debug, Clone, Copy)]
pub struct LoopView<'a> {
    dims: &'a [Dim],
    bounds: &'a [f64],
}

impl LoopView<'_> {
    /// No loops.
    pub const EMPTY: LoopView<'static> = LoopView { dims: &[], bounds: &[] };

    /// The loops, innermost first.
    pub fn iter(&self) -> impl Iterator<Item = (Dim, f64)> + '_ {
        self.dims.iter().copied().zip(self.bounds.iter().copied())
    }

    /// Product of all bounds (innermost first, as the list multiplies them).
    pub fn product(&self) -> f64 {
        self.bounds.iter().product()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use eyrie_workloads::Layer;

    #[test]
    fn partial_tiles_have_fractional_effective_bounds() {
        // AlexNet CONV1 rows: strips of 7 on the array, 8 strips in DRAM loops.
        let p = Problem::from_layer(&Layer::conv("c1", 3, 227, 227, 96, 11, 11, 4, 0));
        let mut m = Mapping::unit();
        m.set(Block::SpatialX, Dim::P, 7);
        m.set(Block::Dram, Dim::P, 8);
        m.set(Block::Pe, Dim::Q, 55);
        let t = m.tiling(&p);
        assert_eq!(t.ext[Block::SpatialX.idx()][Dim::P.idx()], 7.0);
        assert!((t.eff[Block::Dram.idx()][Dim::P.idx()] - 55.0 / 7.0).abs() < 1e-12);
        assert_eq!(m.passes(), 8);
        assert_eq!(m.cycles_per_pass(), 55);
        // CONV2: 27 rows as two segments of 14 (JSSC Fig. 5): 27 of 28 slots active.
        let p2 = Problem::from_layer(&Layer::conv("c2", 48, 27, 27, 128, 5, 5, 1, 2));
        let mut m2 = Mapping::unit();
        m2.set(Block::SpatialX, Dim::P, 14);
        m2.set(Block::SpatialY, Dim::P, 2);
        m2.set(Block::SpatialY, Dim::R, 5);
        assert!((m2.tiling(&p2).active_pes() - 135.0).abs() < 1e-9);
        assert_eq!(m2.array_use(), (10, 14));
    }
}
