//! Low-rank factorization by truncated SVD (Denton et al., "Exploiting linear
//! structure within convolutional networks", NIPS 2014; the SVD row of Deep
//! Compression Table 7).
//!
//! A `rows × cols` weight matrix (a convolution reshaped to
//! `k × (c/g · r · s)`) is replaced by `U_r Σ_r` (`rows × r`) times `V_rᵀ`
//! (`r × cols`). In the network the layer becomes two: the first keeps the
//! original geometry with `r` filters, the second is a 1×1 (or FC) layer
//! from `r` to `rows` outputs. The rank is given, or is the smallest that
//! keeps a fraction of the spectral energy `Σ σ_i²`. The SVD is faer's
//! thin SVD in `f32`.

use faer::Mat;

/// The rank to keep.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RankTarget {
    /// Exactly this rank.
    Rank(usize),
    /// The smallest rank whose singular values hold this fraction of `Σ σ²` (0 < e ≤ 1).
    Energy(f64),
}

/// The two factors of a low-rank approximation, row-major.
#[derive(Debug, Clone, PartialEq)]
pub struct Factors {
    /// Rank kept.
    pub rank: usize,
    /// First layer's weights `V_rᵀ`: `rank × cols`.
    pub first: Vec<f32>,
    /// Second layer's weights `U_r Σ_r`: `rows × rank`.
    pub second: Vec<f32>,
    /// Fraction of the spectral energy kept.
    pub energy_kept: f64,
}

/// Factor row-major `w` (`rows × cols`); `None` if the SVD does not converge.
pub fn factor(w: &[f32], rows: usize, cols: usize, target: RankTarget) -> Option<Factors> {
    let m = Mat::<f32>::from_fn(rows, cols, |i, j| w[i * cols + j]);
    let svd = m.thin_svd().ok()?;
    let s: Vec<f64> = (0..rows.min(cols)).map(|i| f64::from(svd.S().column_vector()[i])).collect();
    let total: f64 = s.iter().map(|x| x * x).sum();
    let rank = match target {
        RankTarget::Rank(r) => r.min(s.len()).max(1),
        RankTarget::Energy(e) => {
            let mut acc = 0.0;
            let mut r = s.len();
            for (i, x) in s.iter().enumerate() {
                acc += x * x;
                if acc >= e * total - 1e-12 * total {
                    r = i + 1;
                    break;
                }
            }
            r.max(1)
        }
    };
    let kept: f64 = s[..rank].iter().map(|x| x * x).sum();
    let (u, v) = (svd.U(), svd.V());
    let mut first = vec![0f32; rank * cols];
    for t in 0..rank {
        for j in 0..cols {
            first[t * cols + j] = v[(j, t)];
        }
    }
    let mut second = vec![0f32; rows * rank];
    for i in 0..rows {
        for t in 0..rank {
            second[i * rank + t] = u[(i, t)] * s[t] as f32;
        }
    }
    Some(Factors { rank, first, second, energy_kept: if total > 0.0 { kept / total } else { 1.0 } })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rank_one_matrix_is_recovered() {
        // w = a bᵀ with a = [1, 2, 3], b = [1, -1, 0.5, 2].
        let a = [1.0f32, 2.0, 3.0];
        let b = [1.0f32, -1.0, 0.5, 2.0];
        let w: Vec<f32> = a.iter().flat_map(|&x| b.iter().map(move |&y| x * y)).collect();
        let Some(f) = factor(&w, 3, 4, RankTarget::Energy(0.999)) else { panic!("svd failed") };
        assert_eq!(f.rank, 1);
        assert!((f.energy_kept - 1.0).abs() < 1e-5);
        for i in 0..3 {
            for j in 0..4 {
                let approx = f.second[i] * f.first[j];
                assert!((approx - w[i * 4 + j]).abs() < 1e-4);
            }
        }
        let Some(f2) = factor(&w, 3, 4, RankTarget::Rank(2)) else { panic!("svd failed") };
        assert_eq!((f2.rank, f2.first.len(), f2.second.len()), (2, 8, 6));
    }
}
