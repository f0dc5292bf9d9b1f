//! A layer (one group of it) as the matrix product a systolic array computes.
//!
//! A convolution is lowered the way SCALE-Sim (Samajdar et al., ISPASS 2020,
//! Sec. III) lowers it: `OFMAP[M × N] = IFMAP[M × K] · FILTER[K × N]`, where
//! the `M` rows are the output pixels (all images of the batch, row-major),
//! the `K` columns of the IFMAP matrix are the filter window
//! (`R × S × C/groups`, channel fastest, then filter column, then filter
//! row) and the `N` columns of the FILTER matrix are the filters of the
//! group. A fully-connected layer is the 1×1 case (`M` = batch), a matmul
//! has `M` = its rows. A grouped (or depthwise) convolution is `groups`
//! independent GEMMs with `C/groups` channels and `K/groups` filters each,
//! run one after the other; in SCALE-Sim the same layer must be written as
//! `groups` topology rows of that shape (depthwise: a layer name containing
//! `DP`, which SCALE-Sim expands into `C` single-channel layers).
//!
//! Besides the three sizes, the GEMM keeps the input geometry, so the DRAM
//! model can name the input word behind every IFMAP-matrix element.

use eyrie_workloads::Layer;

/// One group of a layer as a GEMM, with its input geometry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gemm {
    /// Rows of IFMAP and OFMAP: output pixels of all images.
    pub m: u64,
    /// The reduction dimension: the filter window `R · S · C/groups`.
    pub k: u64,
    /// Columns of FILTER and OFMAP: filters of the group.
    pub n: u64,
    /// Images in the batch.
    pub images: u64,
    /// Input height and width (without padding).
    pub h: u64,
    /// Input width.
    pub w: u64,
    /// Input channels of the group.
    pub c: u64,
    /// Filter height.
    pub r: u64,
    /// Filter width.
    pub s: u64,
    /// Output height.
    pub p: u64,
    /// Output width.
    pub q: u64,
    /// Strides (vertical, horizontal).
    pub stride: (u64, u64),
    /// Zero padding (top/bottom, left/right); padded positions are never fetched.
    pub pad: (u64, u64),
    /// Dilation (vertical, horizontal).
    pub dil: (u64, u64),
}

impl Gemm {
    /// One group of `layer` (all groups of a layer have the same shape).
    pub fn of_group(layer: &Layer) -> Gemm {
        let c = layer.c_per_group().max(1);
        Gemm {
            m: layer.n * layer.p * layer.q,
            k: layer.r * layer.s * c,
            n: layer.k_per_group(),
            images: layer.n,
            h: layer.h,
            w: layer.w,
            c,
            r: layer.r,
            s: layer.s,
            p: layer.p,
            q: layer.q,
            stride: (layer.stride_h.max(1), layer.stride_w.max(1)),
            pad: (layer.pad_h, layer.pad_w),
            dil: (layer.dil_h.max(1), layer.dil_w.max(1)),
        }
    }

    /// Multiply-accumulates of this GEMM.
    pub fn macs(&self) -> u64 {
        self.m * self.k * self.n
    }

    /// Input positions (image, row, column) of all images: the size of the position index space.
    pub fn positions(&self) -> u64 {
        self.images * self.h * self.w
    }

    /// The first input row and column of output pixel `pixel`'s window, and its image,
    /// as signed offsets (negative inside the top/left padding).
    pub fn pixel_origin(&self, pixel: u64) -> (u64, i64, i64) {
        let per_image = (self.p * self.q).max(1);
        let b = pixel / per_image;
        let rest = pixel % per_image;
        let (oy, ox) = (rest / self.q.max(1), rest % self.q.max(1));
        (b, (oy * self.stride.0) as i64 - self.pad.0 as i64, (ox * self.stride.1) as i64 - self.pad.1 as i64)
    }

    /// The window origins of output pixels `first .. first + count`, in order, computed by
    /// stepping through the output (one division for the first pixel only).
    pub fn origins(&self, first: u64, count: u64) -> impl Iterator<Item = (u64, i64, i64)> + '_ {
        let q = self.q.max(1);
        let per_image = (self.p * q).max(1);
        let (mut b, rest) = (first / per_image, first % per_image);
        let (mut oy, mut ox) = (rest / q, rest % q);
        (0..count).map(move |_| {
            let o =
                (b, (oy * self.stride.0) as i64 - self.pad.0 as i64, (ox * self.stride.1) as i64 - self.pad.1 as i64);
            ox += 1;
            if ox == q {
                ox = 0;
                oy += 1;
                if oy == self.p {
                    oy = 0;
                    b += 1;
                }
            }
            o
        })
    }

    /// The input position read by filter tap (`r`, `s`) of the window at `origin`,
    /// or `None` where it falls into padding or past the edge (SCALE-Sim's `-1`).
    pub fn position(&self, origin: (u64, i64, i64), r: u64, s: u64) -> Option<u64> {
        let (b, y0, x0) = origin;
        let iy = y0 + (r * self.dil.0) as i64;
        let ix = x0 + (s * self.dil.1) as i64;
        if iy < 0 || ix < 0 || iy as u64 >= self.h || ix as u64 >= self.w {
            return None;
        }
        Some((b * self.h + iy as u64) * self.w + ix as u64)
    }

    /// Filter tap and channel of window element `j`: `(r, s, c)`.
    pub fn window_element(&self, j: u64) -> (u64, u64, u64) {
        let c = j % self.c;
        let rs = j / self.c;
        (rs / self.s.max(1), rs % self.s.max(1), c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grouped_conv_is_one_gemm_per_group() {
        // AlexNet CONV2: 96 -> 256 channels in 2 groups, 5x5, 27x27 output.
        let l = Layer::conv("conv2", 96, 27, 27, 256, 5, 5, 1, 2).grouped(2);
        let g = Gemm::of_group(&l);
        assert_eq!((g.m, g.k, g.n), (27 * 27, 5 * 5 * 48, 128));
        assert_eq!(g.macs() * 2, l.macs());
    }

    #[test]
    fn positions_follow_stride_padding_and_edges() {
        let l = Layer::conv("c", 2, 5, 5, 4, 3, 3, 2, 1);
        let g = Gemm::of_group(&l);
        assert_eq!((g.p, g.q), (3, 3));
        // Pixel 0 starts at (-1, -1): tap (0, 0) is padding, tap (1, 1) is input (0, 0).
        let o = g.pixel_origin(0);
        assert_eq!(g.position(o, 0, 0), None);
        assert_eq!(g.position(o, 1, 1), Some(0));
        // Pixel 4 = (1, 1) starts at (1, 1); tap (2, 2) reads input (3, 3) = position 18.
        assert_eq!(g.position(g.pixel_origin(4), 2, 2), Some(18));
        // Channel is fastest in the window: j = 5 is tap (0, 2), channel 1.
        assert_eq!(g.window_element(5), (0, 2, 1));
    }

    #[test]
    fn stepped_origins_equal_computed_ones() {
        let l = Layer::conv("c", 2, 7, 6, 4, 3, 2, 2, 1).dilated(1, 2);
        let l = eyrie_workloads::Network::new("n", vec![l]).with_batch(3).layers[0].clone();
        let g = Gemm::of_group(&l);
        let stepped: Vec<_> = g.origins(5, g.m - 5).collect();
        let direct: Vec<_> = (5..g.m).map(|p| g.pixel_origin(p)).collect();
        assert_eq!(stepped, direct);
        assert_eq!(stepped.last().map(|o| o.0), Some(2));
    }
}
