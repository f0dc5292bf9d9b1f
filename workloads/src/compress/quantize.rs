//! Scalar quantization of the kept weights: linear int-N, k-means weight sharing,
//! binary and ternary.
//!
//! * Linear int-N (Jacob et al., CVPR 2018, Eq. 1: `r = S (q − Z)`), per
//!   tensor or per output channel. Symmetric: `S = max|w| / (2^(N−1) − 1)`,
//!   `Z = 0`, `q ∈ [−(2^(N−1) − 1), 2^(N−1) − 1]`. Asymmetric:
//!   `S = (max − min) / (2^N − 1)`, `Z = round(−min / S)`, `q ∈ [0, 2^N − 1]`.
//!   Scales and zero points are stored at 32 bits each.
//! * k-means weight sharing (Deep Compression Sec. 3, [`super::kmeans`]):
//!   `2^N` shared values per layer, the codebook stored at 32 bits per entry.
//! * Binary (XNOR-Net, Rastegari et al. ECCV 2016): `w ≈ α sign(w)`, `α` the
//!   mean of `|w|`. Ternary (TWN, Li & Liu 2016): threshold `Δ = 0.7 E|w|`,
//!   `w ≈ α sign(w)` where `|w| > Δ`, else 0; `α` the mean `|w|` above `Δ`.
//!   Ternary zeros become pruned positions, so a sparse format stores one bit
//!   per remaining weight.
//!
//! Codes are unsigned: for symmetric linear quantization the stored code is
//! `q + 2^(N−1) − 1`.

use super::kmeans::{self, Init};

/// The kept weights of one layer in row-major order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Kept {
    /// Values of the kept weights.
    pub values: Vec<f32>,
    /// Column of each kept weight.
    pub cols: Vec<u32>,
    /// `rows + 1` offsets: row `r` owns `values[row_ptr[r]..row_ptr[r + 1]]`.
    pub row_ptr: Vec<usize>,
}

impl Kept {
    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.row_ptr.len().saturating_sub(1)
    }
}

/// How codes turn back into values.
#[derive(Debug, Clone, PartialEq)]
pub enum Dequant {
    /// Not quantized: 32-bit floats, `codes` is empty.
    Float,
    /// `value = codebook[code]`.
    Codebook(Vec<f32>),
    /// `value = scale[g] · (code − offset − zero[g])`, with `g` the row (per channel) or 0 (per tensor).
    Linear {
        /// Scale per group.
        scale: Vec<f32>,
        /// Zero point per group.
        zero: Vec<i64>,
        /// Added to the signed integer to make the code unsigned.
        offset: i64,
        /// One group per row (true) or one for the tensor.
        per_row: bool,
    },
}

/// The quantized kept weights of one layer.
#[derive(Debug, Clone, PartialEq)]
pub struct Quantized {
    /// One code per kept weight, in the order of [`Kept::values`]; empty for [`Dequant::Float`].
    pub codes: Vec<u32>,
    /// How to read a code back.
    pub dequant: Dequant,
    /// Bits per stored code.
    pub bits: u32,
    /// Side information in bits: codebook entries or scales and zero points at 32 bits.
    pub overhead_bits: u64,
}

impl Quantized {
    /// Unquantized 32-bit weights.
    pub fn float() -> Quantized {
        Quantized { codes: Vec::new(), dequant: Dequant::Float, bits: 32, overhead_bits: 0 }
    }

    /// The reconstructed value of kept weight `i` in row `row`, whose original value was `orig`.
    pub fn value(&self, row: usize, i: usize, orig: f32) -> f32 {
        match &self.dequant {
            Dequant::Float => orig,
            Dequant::Codebook(cb) => cb[self.codes[i] as usize],
            Dequant::Linear { scale, zero, offset, per_row } => {
                let g = if *per_row { row } else { 0 };
                scale[g] * (i64::from(self.codes[i]) - offset - zero[g]) as f32
            }
        }
    }

    /// Number of distinct code values (`2^bits`), when codes index a table of at most 2^16 entries.
    pub fn alphabet(&self) -> Option<usize> {
        match self.dequant {
            Dequant::Float => None,
            _ if self.bits <= 16 => Some(1usize << self.bits),
            _ => None,
        }
    }

    /// The shared values as a codebook (k-means, binary, ternary, per-tensor linear up to 16 bits).
    pub fn codebook(&self) -> Option<Vec<f32>> {
        match &self.dequant {
            Dequant::Codebook(cb) => Some(cb.clone()),
            Dequant::Linear { scale, zero, offset, per_row: false } if self.bits <= 16 => {
                Some((0..1i64 << self.bits).map(|c| scale[0] * (c - offset - zero[0]) as f32).collect())
            }
            _ => None,
        }
    }
}

/// Linear int-`bits` quantization of the kept weights.
pub fn linear(kept: &Kept, bits: u32, per_channel: bool, symmetric: bool) -> Quantized {
    let groups: Vec<(usize, usize)> = if per_channel {
        (0..kept.rows()).map(|r| (kept.row_ptr[r], kept.row_ptr[r + 1])).collect()
    } else {
        vec![(0, kept.values.len())]
    };
    let levels = if bits >= 63 { i64::MAX } else { (1i64 << bits) - 1 };
    let half = if bits >= 64 { i64::MAX } else { (1i64 << (bits - 1)) - 1 };
    let mut scale = Vec::with_capacity(groups.len());
    let mut zero = Vec::with_capacity(groups.len());
    let mut codes = vec![0u32; kept.values.len()];
    let offset = if symmetric { half } else { 0 };
    for &(a, b) in &groups {
        let vals = &kept.values[a..b];
        let (mut lo, mut hi) = (0.0f32, 0.0f32);
        for &v in vals {
            lo = lo.min(v);
            hi = hi.max(v);
        }
        let (s, z, qmin, qmax) = if symmetric {
            let m = lo.abs().max(hi.abs());
            let s = if m > 0.0 && half > 0 { m / half as f32 } else { 1.0 };
            (s, 0i64, -half, half)
        } else {
            let s = if hi > lo { (hi - lo) / levels as f32 } else { 1.0 };
            (s, (-lo / s).round() as i64, 0, levels)
        };
        for (i, &v) in vals.iter().enumerate() {
            let q = ((v / s).round() as i64 + z).clamp(qmin, qmax);
            codes[a + i] = (q + offset) as u32;
        }
        scale.push(s);
        zero.push(z);
    }
    let per_group = if symmetric { 32 } else { 64 };
    Quantized {
        codes,
        overhead_bits: per_group * groups.len() as u64,
        dequant: Dequant::Linear { scale, zero, offset, per_row: per_channel },
        bits,
    }
}

/// k-means weight sharing with `2^bits` centroids.
pub fn kmeans(kept: &Kept, bits: u32, init: Init, max_iter: u32, seed: u64) -> Quantized {
    let km = kmeans::kmeans_1d(&kept.values, 1usize << bits, init, max_iter, seed);
    let codes = if km.codebook.is_empty() {
        vec![0; kept.values.len()]
    } else {
        kept.values.iter().map(|&v| kmeans::nearest(&km.codebook, v) as u32).collect()
    };
    let overhead_bits = 32 * (1u64 << bits);
    Quantized { codes, dequant: Dequant::Codebook(km.codebook), bits, overhead_bits }
}

/// Binary weights `±α` with `α = mean |w|`: one bit per weight, codebook `[−α, α]`.
pub fn binary(kept: &Kept) -> Quantized {
    let n = kept.values.len().max(1) as f64;
    let alpha = (kept.values.iter().map(|v| f64::from(v.abs())).sum::<f64>() / n) as f32;
    let codes = kept.values.iter().map(|&v| u32::from(v >= 0.0)).collect();
    Quantized { codes, dequant: Dequant::Codebook(vec![-alpha, alpha]), bits: 1, overhead_bits: 32 }
}

/// The ternary threshold `Δ = 0.7 · mean |w|` (TWN, Li & Liu 2016, Eq. 9).
pub fn ternary_threshold(values: &[f32]) -> f32 {
    let n = values.len().max(1) as f64;
    (0.7 * values.iter().map(|v| f64::from(v.abs())).sum::<f64>() / n) as f32
}

/// Ternary weights on kept values already thresholded at [`ternary_threshold`]
/// (the zeros removed): `±α`, `α` their mean `|w|`, one bit each.
pub fn ternary(kept: &Kept) -> Quantized {
    let mut q = binary(kept);
    q.overhead_bits = 32;
    q
}

/// The linear quantizer's default centroid initialisation, re-exported for recipes.
pub use kmeans::Init as KMeansInit;

#[cfg(test)]
mod tests {
    use super::*;

    fn kept(values: Vec<f32>, rows: usize) -> Kept {
        let per = values.len() / rows;
        Kept {
            cols: (0..values.len()).map(|i| (i % per) as u32).collect(),
            row_ptr: (0..=rows).map(|r| r * per).collect(),
            values,
        }
    }

    #[test]
    fn symmetric_int8_per_tensor() {
        // max |w| = 1.27 -> scale 0.01; 0.5 -> q 50 -> code 50 + 127.
        let k = kept(vec![1.27, -1.27, 0.5, 0.004], 1);
        let q = linear(&k, 8, false, true);
        assert_eq!(q.codes, vec![254, 0, 177, 127]);
        assert!((q.value(0, 2, 0.5) - 0.5).abs() < 1e-6);
        assert_eq!(q.value(0, 3, 0.004), 0.0);
        assert_eq!(q.overhead_bits, 32);
        let cb = q.codebook().unwrap_or_default();
        assert_eq!(cb.len(), 256);
        assert!((cb[177] - 0.5).abs() < 1e-6);
    }

    #[test]
    fn asymmetric_per_channel_uses_each_rows_range() {
        // Row 0 in [0, 3]: scale 1, zero 0. Row 1 in [-1, 2]: scale 1, zero 1.
        let k = kept(vec![0.0, 1.0, 2.0, 3.0, -1.0, 0.0, 1.0, 2.0], 2);
        let q = linear(&k, 2, true, false);
        assert_eq!(q.codes, vec![0, 1, 2, 3, 0, 1, 2, 3]);
        assert_eq!(q.value(1, 4, -1.0), -1.0);
        assert_eq!(q.overhead_bits, 128);
        assert!(q.codebook().is_none());
    }

    #[test]
    fn binary_and_ternary_scales() {
        let k = kept(vec![1.0, -3.0, 0.5, -0.5], 1);
        let b = binary(&k);
        assert_eq!(b.codes, vec![1, 0, 1, 0]);
        assert_eq!(b.dequant, Dequant::Codebook(vec![-1.25, 1.25]));
        assert!((ternary_threshold(&k.values) - 0.875).abs() < 1e-6);
    }
}
