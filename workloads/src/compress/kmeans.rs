//! One-dimensional k-means weight sharing (Deep Compression, Han et al. ICLR 2016, Sec. 3).
//!
//! The kept weights of a layer are clustered into `k = 2^bits` shared
//! values by Lloyd's algorithm, minimising the within-cluster sum of
//! squares (Eq. 2 of the paper). Centroid initialisation follows Sec. 3.2:
//! *linear* (evenly spaced between the smallest and largest weight, the
//! paper's best), *density* (evenly spaced on the CDF's y axis) and
//! *random* (Forgy: `k` weights drawn at random, seeded).
//!
//! In one dimension the clusters of sorted data are contiguous ranges split
//! at the midpoints between neighbouring centroids. So the values are
//! sorted once, prefix sums are taken once, and each Lloyd iteration only
//! binary-searches `k − 1` split points and reads `k` range means: O(k log n)
//! per iteration instead of O(n k). The final codebook is sorted and every
//! weight gets the index of its nearest centroid.

use rand::SeedableRng;
use rand::seq::index::sample;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// How the centroids start (Deep Compression Sec. 3.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Init {
    /// Evenly spaced over `[min, max]` of the weights.
    #[default]
    Linear,
    /// Evenly spaced quantiles of the weights.
    Density,
    /// `k` distinct weights drawn at random (Forgy).
    Random,
}

/// A 1-D k-means result: the sorted codebook and the iterations used.
#[derive(Debug, Clone, PartialEq)]
pub struct KMeans {
    /// Shared values, sorted ascending; empty when there was nothing to cluster.
    pub codebook: Vec<f32>,
    /// Lloyd iterations run.
    pub iterations: u32,
}

/// Cluster `values` into at most `k` centroids; `seed` drives the random initialisation.
pub fn kmeans_1d(values: &[f32], k: usize, init: Init, max_iter: u32, seed: u64) -> KMeans {
    if values.is_empty() || k == 0 {
        return KMeans { codebook: Vec::new(), iterations: 0 };
    }
    let mut sorted: Vec<f32> = values.iter().copied().filter(|v| v.is_finite()).collect();
    sorted.sort_unstable_by(f32::total_cmp);
    let n = sorted.len();
    if n == 0 {
        return KMeans { codebook: Vec::new(), iterations: 0 };
    }
    let mut prefix = Vec::with_capacity(n + 1);
    let mut acc = 0.0f64;
    prefix.push(0.0);
    for &v in &sorted {
        acc += f64::from(v);
        prefix.push(acc);
    }
    let (lo, hi) = (f64::from(sorted[0]), f64::from(sorted[n - 1]));
    let mut c: Vec<f64> = match init {
        Init::Linear if k == 1 => vec![(lo + hi) / 2.0],
        Init::Linear => (0..k).map(|i| lo + (hi - lo) * i as f64 / (k - 1) as f64).collect(),
        Init::Density => (0..k).map(|i| f64::from(sorted[((i as f64 + 0.5) / k as f64 * n as f64) as usize])).collect(),
        Init::Random => {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let mut picks: Vec<f64> = sample(&mut rng, n, k.min(n)).into_iter().map(|i| f64::from(sorted[i])).collect();
            picks.sort_by(f64::total_cmp);
            picks
        }
    };
    c.sort_by(f64::total_cmp);
    let mut splits = vec![0usize; c.len() + 1];
    splits[c.len()] = n;
    let mut iterations = 0;
    for _ in 0..max_iter {
        iterations += 1;
        let mut changed = false;
        for j in 1..c.len() {
            let mid = (c[j - 1] + c[j]) / 2.0;
            let s = sorted.partition_point(|&v| f64::from(v) < mid);
            if s != splits[j] {
                splits[j] = s;
                changed = true;
            }
        }
        for j in 0..c.len() {
            let (a, b) = (splits[j], splits[j + 1].max(splits[j]));
            if b > a {
                c[j] = (prefix[b] - prefix[a]) / (b - a) as f64;
            }
        }
        c.sort_by(f64::total_cmp);
        if !changed && iterations > 1 {
            break;
        }
    }
    KMeans { codebook: c.into_iter().map(|v| v as f32).collect(), iterations }
}

/// Index of the centroid of sorted `codebook` nearest to `v` (ties go to the lower one).
pub fn nearest(codebook: &[f32], v: f32) -> usize {
    // The number of midpoints strictly below v is the nearest centroid's index.
    let (mut lo, mut hi) = (0usize, codebook.len().saturating_sub(1));
    while lo < hi {
        let mid = (lo + hi) / 2;
        let m = (f64::from(codebook[mid]) + f64::from(codebook[mid + 1])) / 2.0;
        if f64::from(v) > m { lo = mid + 1 } else { hi = mid }
    }
    lo
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_obvious_clusters() {
        let v = [1.0, 1.1, 0.9, 5.0, 5.2, 4.8];
        let km = kmeans_1d(&v, 2, Init::Linear, 50, 0);
        assert_eq!(km.codebook.len(), 2);
        assert!((km.codebook[0] - 1.0).abs() < 1e-6 && (km.codebook[1] - 5.0).abs() < 1e-6, "{:?}", km.codebook);
        assert_eq!(nearest(&km.codebook, 2.9), 0);
        assert_eq!(nearest(&km.codebook, 3.1), 1);
    }

    #[test]
    fn inits_give_sorted_codebooks_and_nearest_assignment() {
        let v: Vec<f32> = (0..1000).map(|i| ((i * 7919) % 1000) as f32 / 100.0 - 5.0).collect();
        for init in [Init::Linear, Init::Density, Init::Random] {
            let km = kmeans_1d(&v, 8, init, 100, 3);
            assert!(km.codebook.windows(2).all(|w| w[0] <= w[1]), "{init:?}");
            for &x in &v {
                let q = nearest(&km.codebook, x);
                let d = (x - km.codebook[q]).abs();
                assert!(km.codebook.iter().all(|&c| d <= (x - c).abs() + 1e-6));
            }
        }
    }
}
