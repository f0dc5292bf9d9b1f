//! Pruning: which weights of a `rows × cols` matrix are kept.
//!
//! * Magnitude pruning at a rate (Han et al., "Learning both weights and
//!   connections", NIPS 2015): the `round(rate · n)` weights of smallest
//!   magnitude go, ties broken by position, so the kept count is exact. The
//!   threshold is found by a two-pass radix select on the bit patterns of
//!   `|w|` (a 2^16-bucket histogram of the high half, then of the low half
//!   inside the chosen bucket): linear time, no copy of the weights, and the
//!   same histograms give one *global* threshold over many layers.
//! * Threshold pruning: drop `|w| < quality · σ`, σ the layer's standard
//!   deviation (Han et al. 2015, Sec. 3.3 as released in their Caffe code).
//! * Structured pruning by the L1 or L2 norm of groups, at the granularities
//!   of Mao et al. ("Exploring the granularity of sparsity in CNNs", CVPRW
//!   2017, Fig. 1): filter (a row), channel (one input channel across all
//!   filters), kernel (one `r × s` kernel), vector (one kernel row).
//! * N:M: in every `m` consecutive weights of a row keep the `n` largest
//!   (Mishra et al., "Accelerating sparse deep neural networks", 2021: 2:4).

use serde::{Deserialize, Serialize};

/// Sortable key of `|w|`: for non-negative floats the bit pattern orders like the value.
fn key(w: f32) -> u32 {
    w.abs().to_bits()
}

/// Histogram of the high 16 bits of `|w|`'s key.
pub fn high_histogram(w: &[f32]) -> Vec<u64> {
    let mut h = vec![0u64; 1 << 16];
    for &x in w {
        h[(key(x) >> 16) as usize] += 1;
    }
    h
}

/// Histogram of the low 16 bits of the keys whose high 16 bits are `hi`.
pub fn low_histogram(w: &[f32], hi: u32) -> Vec<u64> {
    let mut h = vec![0u64; 1 << 16];
    for &x in w {
        let k = key(x);
        if k >> 16 == hi {
            h[(k & 0xFFFF) as usize] += 1;
        }
    }
    h
}

/// Find the bucket holding the `rank`-th smallest (0-based); returns (bucket, count before it).
pub fn find_bucket(hist: &[u64], rank: u64) -> (u32, u64) {
    let mut before = 0;
    for (b, &c) in hist.iter().enumerate() {
        if before + c > rank {
            return (b as u32, before);
        }
        before += c;
    }
    (hist.len().saturating_sub(1) as u32, before)
}

/// A magnitude cut: prune every key below `key`, and the first `ties` weights equal to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cut {
    /// The key of `|w|` at the cut.
    pub key: u32,
    /// How many weights with exactly this key are pruned (the first ones by position).
    pub ties: u64,
}

/// The cut that prunes exactly the `n_prune` smallest-magnitude weights of `w`; `None` prunes nothing.
pub fn cut_for(w: &[f32], n_prune: u64) -> Option<Cut> {
    if n_prune == 0 || w.is_empty() {
        return None;
    }
    let rank = n_prune.min(w.len() as u64) - 1;
    let (hi, before_hi) = find_bucket(&high_histogram(w), rank);
    let low = low_histogram(w, hi);
    let (lo, before_lo) = find_bucket(&low, rank - before_hi);
    Some(Cut { key: hi << 16 | lo, ties: rank - before_hi - before_lo + 1 })
}

/// Apply a cut: `keep[i]` is false for pruned weights.
pub fn apply_cut(w: &[f32], cut: Option<Cut>) -> Vec<bool> {
    let Some(cut) = cut else { return vec![true; w.len()] };
    let mut ties = cut.ties;
    w.iter()
        .map(|&x| {
            let k = key(x);
            if k < cut.key {
                false
            } else if k == cut.key && ties > 0 {
                ties -= 1;
                false
            } else {
                true
            }
        })
        .collect()
}

/// Magnitude pruning at `rate`: exactly `n − round(rate · n)` weights are kept.
pub fn magnitude(w: &[f32], rate: f64) -> Vec<bool> {
    let n_prune = (rate * w.len() as f64).round() as u64;
    apply_cut(w, cut_for(w, n_prune))
}

/// Threshold pruning: keep `|w| ≥ quality · σ(w)`.
pub fn threshold(w: &[f32], quality: f64) -> Vec<bool> {
    let n = w.len().max(1) as f64;
    let mean = w.iter().map(|&x| f64::from(x)).sum::<f64>() / n;
    let var = w.iter().map(|&x| (f64::from(x) - mean).powi(2)).sum::<f64>() / n;
    let t = quality * var.sqrt();
    w.iter().map(|&x| f64::from(x.abs()) >= t).collect()
}

/// Granularity of structured pruning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Granularity {
    /// A whole filter (output channel): one row.
    Filter,
    /// One input channel across all filters.
    Channel,
    /// One `r × s` kernel of one filter and input channel.
    Kernel,
    /// One row (`s` weights) of one kernel.
    Vector,
}

/// Norm used to rank groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Norm {
    /// Sum of magnitudes.
    #[default]
    L1,
    /// Euclidean norm.
    L2,
}

/// The shape of a weight matrix as a filter tensor: rows = `k`, cols = `c × r × s`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FilterShape {
    /// Filters (rows).
    pub k: usize,
    /// Input channels per group.
    pub c: usize,
    /// Kernel height.
    pub r: usize,
    /// Kernel width.
    pub s: usize,
}

impl FilterShape {
    /// Columns of the matrix.
    pub fn cols(&self) -> usize {
        self.c * self.r * self.s
    }

    /// Number of groups at a granularity, and the group of weight (row, col).
    fn group_of(&self, g: Granularity, row: usize, col: usize) -> usize {
        let rs = self.r * self.s;
        match g {
            Granularity::Filter => row,
            Granularity::Channel => col / rs,
            Granularity::Kernel => row * self.c + col / rs,
            Granularity::Vector => row * self.c * self.r + col / self.s,
        }
    }

    /// How many groups a granularity has.
    pub fn groups(&self, g: Granularity) -> usize {
        match g {
            Granularity::Filter => self.k,
            Granularity::Channel => self.c,
            Granularity::Kernel => self.k * self.c,
            Granularity::Vector => self.k * self.c * self.r,
        }
    }
}

/// Which groups structured pruning removes: the `round(rate · groups)` of smallest norm (ties by index).
pub fn structured_groups(w: &[f32], shape: FilterShape, g: Granularity, norm: Norm, rate: f64) -> Vec<bool> {
    let ng = shape.groups(g);
    let mut score = vec![0f64; ng];
    let cols = shape.cols();
    for (i, &x) in w.iter().enumerate() {
        let grp = shape.group_of(g, i / cols, i % cols);
        score[grp] += match norm {
            Norm::L1 => f64::from(x.abs()),
            Norm::L2 => f64::from(x) * f64::from(x),
        };
    }
    let n_prune = ((rate * ng as f64).round() as usize).min(ng);
    let mut order: Vec<usize> = (0..ng).collect();
    order.sort_by(|&a, &b| score[a].total_cmp(&score[b]).then(a.cmp(&b)));
    let mut removed = vec![false; ng];
    for &i in &order[..n_prune] {
        removed[i] = true;
    }
    removed
}

/// Keep mask of structured pruning: weights of removed groups are dropped.
pub fn structured(w: &[f32], shape: FilterShape, g: Granularity, norm: Norm, rate: f64) -> Vec<bool> {
    let removed = structured_groups(w, shape, g, norm, rate);
    let cols = shape.cols();
    (0..w.len()).map(|i| !removed[shape.group_of(g, i / cols, i % cols)]).collect()
}

/// N:M pruning along each row: in every `m` consecutive weights keep the `n` largest magnitudes.
pub fn n_of_m(w: &[f32], cols: usize, n: usize, m: usize) -> Vec<bool> {
    let mut keep = vec![false; w.len()];
    let m = m.max(1);
    for row in 0..w.len() / cols.max(1) {
        for start in (0..cols).step_by(m) {
            let end = (start + m).min(cols);
            let base = row * cols;
            let mut idx: Vec<usize> = (base + start..base + end).collect();
            idx.sort_by(|&a, &b| w[b].abs().total_cmp(&w[a].abs()).then(a.cmp(&b)));
            for &i in idx.iter().take(n) {
                keep[i] = true;
            }
        }
    }
    keep
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magnitude_keeps_exact_count_with_ties() {
        let w = [0.5, -0.1, 0.1, 0.1, -0.9, 0.3, 0.1, 0.0];
        // Prune 4 of 8: 0.0 and the first three 0.1s by position (index 1, 2, 3).
        let keep = magnitude(&w, 0.5);
        assert_eq!(keep, vec![true, false, false, false, true, true, true, false]);
        assert_eq!(magnitude(&w, 0.0), vec![true; 8]);
    }

    #[test]
    fn threshold_uses_standard_deviation() {
        // σ of [1, -1, 3, -3] is √5 ≈ 2.236: quality 1 keeps only ±3.
        assert_eq!(threshold(&[1.0, -1.0, 3.0, -3.0], 1.0), vec![false, false, true, true]);
    }

    #[test]
    fn structured_granularities() {
        // k=2, c=2, r=1, s=2: row 0 = [1 1 | 5 5], row 1 = [2 2 | 0.1 0.1].
        let w = [1.0, 1.0, 5.0, 5.0, 2.0, 2.0, 0.1, 0.1];
        let sh = FilterShape { k: 2, c: 2, r: 1, s: 2 };
        // Filters: L1 12 vs 4.2 -> drop filter 1.
        assert_eq!(structured_groups(&w, sh, Granularity::Filter, Norm::L1, 0.5), vec![false, true]);
        // Channels: ch0 = 6, ch1 = 10.2 -> drop channel 0.
        assert_eq!(
            structured(&w, sh, Granularity::Channel, Norm::L1, 0.5),
            vec![false, false, true, true, false, false, true, true]
        );
        // Kernels: (0,0)=2, (0,1)=10, (1,0)=4, (1,1)=0.2 -> drop two smallest: (1,1), (0,0).
        assert_eq!(
            structured(&w, sh, Granularity::Kernel, Norm::L2, 0.5),
            vec![false, false, true, true, true, true, false, false]
        );
    }

    #[test]
    fn two_of_four() {
        let w = [0.1, -0.9, 0.5, 0.2, 1.0, 0.0, 0.0, -2.0];
        assert_eq!(n_of_m(&w, 8, 2, 4), vec![false, true, true, false, true, false, false, true]);
    }
}
