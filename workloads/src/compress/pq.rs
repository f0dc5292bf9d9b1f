//! Product quantization of a dense weight matrix (Jégou et al., TPAMI 2011;
//! applied to CNN weights by Gong et al., "Compressing deep convolutional
//! networks using vector quantization", 2014, Sec. 3.3).
//!
//! Each row of the `rows × cols` matrix is split into sub-vectors of `d`
//! consecutive columns (the last one zero-padded); the sub-vectors of one
//! column block form a sub-space, clustered by k-means into `k = 2^bits`
//! centroids of dimension `d`. Storage: one `bits`-bit code per row and
//! sub-space, plus every sub-space's codebook at 32 bits per element.
//! Sub-spaces run in parallel, each with its own seed derived from
//! `(seed, sub-space)`, so the result is the same for any thread count.

use rand::SeedableRng;
use rand::seq::index::sample;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

/// A product-quantized matrix.
#[derive(Debug, Clone, PartialEq)]
pub struct ProductQuantized {
    /// Sub-vector length `d`.
    pub subvector: usize,
    /// Centroids per sub-space.
    pub centroids: usize,
    /// Code of row `r` in sub-space `b` at `codes[r * blocks + b]`.
    pub codes: Vec<u16>,
    /// Codebook of sub-space `b`: `centroids × d` values at `codebooks[b]`.
    pub codebooks: Vec<Vec<f32>>,
    /// Rows of the matrix.
    pub rows: usize,
    /// Columns of the matrix.
    pub cols: usize,
}

impl ProductQuantized {
    /// Reconstructed weight at (row, col).
    pub fn value(&self, row: usize, col: usize) -> f32 {
        let b = col / self.subvector;
        let blocks = self.cols.div_ceil(self.subvector);
        let c = self.codes[row * blocks + b] as usize;
        self.codebooks[b][c * self.subvector + col % self.subvector]
    }

    /// Bits of the codes plus the codebooks at 32 bits per element.
    pub fn storage_bits(&self, bits: u32) -> u64 {
        let blocks = self.cols.div_ceil(self.subvector) as u64;
        self.rows as u64 * blocks * u64::from(bits) + blocks * self.centroids as u64 * self.subvector as u64 * 32
    }
}

/// Product-quantize row-major `w` (`rows × cols`) with sub-vectors of `d` and `2^bits` centroids.
pub fn product_quantize(
    w: &[f32],
    rows: usize,
    cols: usize,
    d: usize,
    bits: u32,
    max_iter: u32,
    seed: u64,
) -> ProductQuantized {
    let d = d.max(1);
    let blocks = cols.div_ceil(d);
    let k = (1usize << bits).min(rows.max(1));
    let per_block: Vec<(Vec<u16>, Vec<f32>)> = (0..blocks)
        .into_par_iter()
        .map(|b| {
            let mut x = vec![0f32; rows * d];
            for r in 0..rows {
                for t in 0..d {
                    let c = b * d + t;
                    if c < cols {
                        x[r * d + t] = w[r * cols + c];
                    }
                }
            }
            let mut rng = ChaCha8Rng::seed_from_u64(seed ^ (b as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15));
            lloyd(&x, rows, d, k, max_iter, &mut rng)
        })
        .collect();
    let mut codes = vec![0u16; rows * blocks];
    let mut codebooks = Vec::with_capacity(blocks);
    for (b, (c, cb)) in per_block.into_iter().enumerate() {
        for r in 0..rows {
            codes[r * blocks + b] = c[r];
        }
        codebooks.push(cb);
    }
    ProductQuantized { subvector: d, centroids: k, codes, codebooks, rows, cols }
}

/// Lloyd's k-means on `n` points of dimension `d`, Forgy initialisation.
fn lloyd(x: &[f32], n: usize, d: usize, k: usize, max_iter: u32, rng: &mut ChaCha8Rng) -> (Vec<u16>, Vec<f32>) {
    // Forgy: the first k distinct points of a seeded permutation.
    let mut cent = vec![0f32; k * d];
    let mut picked = 0;
    if n > 0 {
        for i in sample(rng, n, n) {
            let p = &x[i * d..(i + 1) * d];
            if (0..picked).all(|j| &cent[j * d..(j + 1) * d] != p) {
                cent[picked * d..(picked + 1) * d].copy_from_slice(p);
                picked += 1;
                if picked == k {
                    break;
                }
            }
        }
    }
    let mut assign = vec![u16::MAX; n];
    for _ in 0..max_iter.max(1) {
        let mut changed = false;
        for i in 0..n {
            let p = &x[i * d..(i + 1) * d];
            let mut best = (f32::INFINITY, 0usize);
            for j in 0..k {
                let dist: f32 = p.iter().zip(&cent[j * d..(j + 1) * d]).map(|(a, b)| (a - b) * (a - b)).sum();
                if dist < best.0 {
                    best = (dist, j);
                }
            }
            if assign[i] != best.1 as u16 {
                assign[i] = best.1 as u16;
                changed = true;
            }
        }
        if !changed {
            break;
        }
        let mut sum = vec![0f64; k * d];
        let mut count = vec![0usize; k];
        for i in 0..n {
            let j = assign[i] as usize;
            count[j] += 1;
            for t in 0..d {
                sum[j * d + t] += f64::from(x[i * d + t]);
            }
        }
        for j in 0..k {
            if count[j] > 0 {
                for t in 0..d {
                    cent[j * d + t] = (sum[j * d + t] / count[j] as f64) as f32;
                }
            }
        }
    }
    (assign, cent)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_when_rows_repeat() {
        // Rows are copies of two patterns: 2 centroids reproduce the matrix exactly.
        let a = [1.0, 2.0, 3.0, 4.0];
        let b = [-1.0, 0.5, 0.0, 2.0];
        let mut w = Vec::new();
        for r in 0..6 {
            w.extend_from_slice(if r % 2 == 0 { &a } else { &b });
        }
        let pq = product_quantize(&w, 6, 4, 2, 1, 20, 7);
        for r in 0..6 {
            for c in 0..4 {
                assert_eq!(pq.value(r, c), w[r * 4 + c]);
            }
        }
        // 6 rows × 2 blocks × 1 bit + 2 blocks × 2 centroids × 2 × 32.
        assert_eq!(pq.storage_bits(1), 12 + 256);
    }
}
