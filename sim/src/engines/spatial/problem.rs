//! A layer as the 8-deep loop nest N, G, K, C, P, Q, R, S, and the
//! footprints of its three tensors.
//!
//! The nest follows Eyeriss ISCA 2016 Eq. (1) (and Timeloop's problem
//! shape) with groups G as an explicit loop, so grouped and depthwise
//! convolutions share one analysis: K and C below are per group. Weights
//! depend on G, K, C, R, S; inputs on N, G, C and on (P, R) through the
//! input row `h = p·σ + r·δ` and on (Q, S) through the column; outputs on
//! N, G, K, P, Q. A tile is given by its extent along each loop; its input
//! footprint uses the sliding-window extent `(e_P − 1)·σ + (e_R − 1)·δ + 1`.

use eyrie_workloads::Layer;

/// Number of loop dimensions.
pub const NDIM: usize = 8;

/// A loop dimension of the nest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Dim {
    /// Batch.
    N = 0,
    /// Groups.
    G = 1,
    /// Output channels (filters) per group.
    K = 2,
    /// Input channels per group.
    C = 3,
    /// Output rows.
    P = 4,
    /// Output columns.
    Q = 5,
    /// Filter rows.
    R = 6,
    /// Filter columns.
    S = 7,
}

impl Dim {
    /// All dimensions in index order.
    pub const ALL: [Dim; NDIM] = [Dim::N, Dim::G, Dim::K, Dim::C, Dim::P, Dim::Q, Dim::R, Dim::S];

    /// Position in per-dimension arrays.
    pub fn idx(self) -> usize {
        self as usize
    }

    /// The dimension at position `i` (wraps into range).
    pub fn from_idx(i: usize) -> Dim {
        Dim::ALL[i % NDIM]
    }

    /// Lower-case name used in loop nests.
    pub fn name(self) -> &'static str {
        ["n", "g", "k", "c", "p", "q", "r", "s"][self.idx()]
    }
}

/// A set of dimensions (bit mask).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct DimSet(pub u8);

impl DimSet {
    /// The set of the given dimensions.
    pub const fn of(dims: &[Dim]) -> DimSet {
        let mut m = 0u8;
        let mut i = 0;
        while i < dims.len() {
            m |= 1 << (dims[i] as u8);
            i += 1;
        }
        DimSet(m)
    }
    /// Whether `d` is in the set.
    pub fn has(self, d: Dim) -> bool {
        self.0 & (1 << d.idx()) != 0
    }
    /// The dimensions in the set, in index order.
    pub fn dims(self) -> impl Iterator<Item = Dim> {
        Dim::ALL.into_iter().filter(move |d| self.has(*d))
    }
}

/// The three data spaces of the nest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Tensor {
    /// Filters.
    Weights = 0,
    /// Input activations.
    Inputs = 1,
    /// Outputs and their partial sums.
    Outputs = 2,
}

impl Tensor {
    /// All tensors.
    pub const ALL: [Tensor; 3] = [Tensor::Weights, Tensor::Inputs, Tensor::Outputs];

    /// Position in per-tensor arrays.
    pub fn idx(self) -> usize {
        self as usize
    }

    /// Whether the tensor's index depends on `d`.
    pub fn relevant(self, d: Dim) -> bool {
        use Dim::*;
        match self {
            Tensor::Weights => matches!(d, G | K | C | R | S),
            Tensor::Inputs => !matches!(d, K),
            Tensor::Outputs => matches!(d, N | G | K | P | Q),
        }
    }

    /// Name used in reports.
    pub fn name(self) -> &'static str {
        ["weights", "inputs", "outputs"][self.idx()]
    }
}

/// The loop nest of one MAC layer.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// Loop bounds, indexed by [`Dim::idx`] (K and C per group).
    pub size: [u64; NDIM],
    /// Strides (vertical, horizontal).
    pub stride: [u64; 2],
    /// Dilations (vertical, horizontal).
    pub dil: [u64; 2],
    /// Padding on each side (vertical, horizontal).
    pub pad: [u64; 2],
    /// Input height and width without padding.
    pub in_hw: [u64; 2],
    /// Fraction of non-zero input activations.
    pub act_density: f64,
    /// Fraction of non-zero outputs, when known.
    pub out_density: Option<f64>,
}

impl Problem {
    /// The nest of a conv / fc / matmul layer (fc and matmul are 1×1 convolutions).
    pub fn from_layer(l: &Layer) -> Problem {
        let g = l.groups.max(1);
        Problem {
            size: [l.n, g, l.k_per_group(), l.c_per_group(), l.p, l.q, l.r, l.s].map(|x| x.max(1)),
            stride: [l.stride_h.max(1), l.stride_w.max(1)],
            dil: [l.dil_h.max(1), l.dil_w.max(1)],
            pad: [l.pad_h, l.pad_w],
            in_hw: [l.h.max(1), l.w.max(1)],
            act_density: l.act_density,
            out_density: l.out_density,
        }
    }

    /// Size of one dimension.
    pub fn dim(&self, d: Dim) -> u64 {
        self.size[d.idx()]
    }

    /// Dense multiply-accumulates (the product of all loop bounds).
    pub fn macs(&self) -> f64 {
        self.size.iter().map(|&x| x as f64).product()
    }

    /// Input extent along axis 0 (rows, from P and R) or 1 (columns, from Q and S)
    /// of a tile `e_out` outputs by `e_filt` filter taps, padding included.
    pub fn in_extent(&self, axis: usize, e_out: f64, e_filt: f64) -> f64 {
        let span = (e_out - 1.0) * self.stride[axis] as f64 + (e_filt - 1.0) * self.dil[axis] as f64 + 1.0;
        span.min((self.in_hw[axis] + 2 * self.pad[axis]) as f64)
    }

    /// Words of tensor `t` in a tile with extents `e`.
    pub fn footprint(&self, t: Tensor, e: &[f64; NDIM]) -> f64 {
        use Dim::*;
        let x = |d: Dim| e[d.idx()];
        match t {
            Tensor::Weights => x(G) * x(K) * x(C) * x(R) * x(S),
            Tensor::Inputs => x(N) * x(G) * x(C) * self.in_extent(0, x(P), x(R)) * self.in_extent(1, x(Q), x(S)),
            Tensor::Outputs => x(N) * x(G) * x(K) * x(P) * x(Q),
        }
    }

    /// New input words when a loop over `d` (an input window dimension)
    /// advances by one tile of extents `e`: the part of the next window that
    /// does not overlap the current one (sliding-window reuse).
    pub fn input_slide(&self, d: Dim, e: &[f64; NDIM]) -> Option<f64> {
        use Dim::*;
        let x = |d: Dim| e[d.idx()];
        let (axis, step) = match d {
            P => (0, x(P) * self.stride[0] as f64),
            R => (0, x(R) * self.dil[0] as f64),
            Q => (1, x(Q) * self.stride[1] as f64),
            S => (1, x(S) * self.dil[1] as f64),
            _ => return None,
        };
        let rows = self.in_extent(0, x(P), x(R));
        let cols = self.in_extent(1, x(Q), x(S));
        let plane = x(N) * x(G) * x(C);
        Some(if axis == 0 { plane * rows.min(step) * cols } else { plane * rows * cols.min(step) })
    }

    /// Fraction of a sweep of input tiles that is real data rather than zero
    /// padding, when `tiles` tiles of extent `e` cover each axis: DRAM holds
    /// the unpadded input, so only this fraction of the words travels.
    pub fn real_input_fraction(&self, e: &[f64; NDIM], tiles: [f64; 2]) -> f64 {
        let mut f = 1.0;
        for (axis, (eo, ef)) in [(Dim::P, Dim::R), (Dim::Q, Dim::S)].into_iter().enumerate() {
            let span = self.in_extent(axis, e[eo.idx()], e[ef.idx()]) * tiles[axis].max(1.0);
            let pad = 2.0 * self.pad[axis] as f64;
            if span > 0.0 && pad > 0.0 {
                f *= ((span - pad) / span).clamp(0.0, 1.0);
            }
        }
        f
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn footprints_of_alexnet_conv1() {
        let p = Problem::from_layer(&Layer::conv("c1", 3, 227, 227, 96, 11, 11, 4, 0));
        let mut e = p.size.map(|x| x as f64);
        assert_eq!(p.footprint(Tensor::Weights, &e), 34_848.0);
        assert_eq!(p.footprint(Tensor::Inputs, &e), 3.0 * 227.0 * 227.0);
        assert_eq!(p.footprint(Tensor::Outputs, &e), 96.0 * 55.0 * 55.0);
        // A strip of 7 output rows needs (7 - 1)·4 + 11 = 35 input rows (JSSC Table III, e = 7).
        e[Dim::P.idx()] = 7.0;
        assert_eq!(p.in_extent(0, 7.0, 11.0), 35.0);
        // The next strip starts 28 rows lower: 28 new rows of 227 columns per channel.
        assert_eq!(p.input_slide(Dim::P, &e), Some(3.0 * 28.0 * 227.0));
        assert_eq!(p.input_slide(Dim::K, &e), None);
    }

    #[test]
    fn relevance_and_padding() {
        assert!(Tensor::Inputs.relevant(Dim::R) && !Tensor::Inputs.relevant(Dim::K));
        assert!(!Tensor::Outputs.relevant(Dim::C) && Tensor::Weights.relevant(Dim::G));
        let p = Problem::from_layer(&Layer::conv("c2", 48, 27, 27, 128, 5, 5, 1, 2));
        let e = p.size.map(|x| x as f64);
        // One tile covers the padded 31 x 31 plane; 27 x 27 of it is real.
        let f = p.real_input_fraction(&e, [1.0, 1.0]);
        assert!((f - (27.0 * 27.0) / (31.0 * 31.0)).abs() < 1e-12);
    }
}
