//! Zero activations: run-length coding in DRAM and PE data gating.
//!
//! Eyeriss JSSC 2017 Sec. IV-B (Fig. 8): a run of up to `2^run_bits − 1`
//! zeros is coded as a `run_bits`-bit run followed by the next value as a
//! full-width level; `pairs_per_word` pairs fill one `word_bits` word (3 × 21
//! bits + a last-word flag in 64). Every fmap except the network's input
//! image is stored this way. For activations whose zeros are independent
//! with probability `z = 1 − density`, the number of zeros a pair absorbs
//! before its level is `min(X, M)` with `P(X ≥ k) = z^k`, so a pair covers
//! `1 + z(1 − z^M)/(1 − z)` elements on average. Coding pays off only below
//! a density of about 0.75; above it the coder is bypassed (a dense image
//! stays raw, as the first layer's input does in Eyeriss).
//!
//! Data gating (Sec. V-C) skips the filter-scratchpad read and the MAC for a
//! zero ifmap value; the cycle is still spent.

use eyrie_arch::SpatialParams;

/// Stored words per dense word for activations of `density` under RLC (at most 1).
pub fn rlc_ratio(density: f64, level_bits: u32, s: &SpatialParams) -> f64 {
    let d = density.clamp(1e-9, 1.0);
    let z = 1.0 - d;
    let max_run = f64::from((1u32 << s.rlc_run_bits.min(16)) - 1);
    let absorbed = if z <= 0.0 { 0.0 } else { z * (1.0 - z.powf(max_run)) / d };
    let elements_per_pair = 1.0 + absorbed;
    let bits_per_pair = f64::from(s.rlc_word_bits) / f64::from(s.rlc_pairs_per_word.max(1));
    (bits_per_pair / elements_per_pair / f64::from(level_bits.max(1))).min(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eyeriss() -> SpatialParams {
        SpatialParams { rlc: true, rlc_run_bits: 5, rlc_pairs_per_word: 3, rlc_word_bits: 64, ..Default::default() }
    }

    #[test]
    fn rlc_ratios_for_eyeriss_coding() {
        let s = eyeriss();
        // Dense data would grow to 64/3 bits per 16-bit value: the coder is bypassed.
        assert_eq!(rlc_ratio(1.0, 16, &s), 1.0);
        assert_eq!(rlc_ratio(0.9, 16, &s), 1.0);
        // Half zeros: a pair covers 1 + 0.5(1 − 0.5^31)/0.5 ≈ 2 values: 21.33/2/16 = 0.667.
        assert!((rlc_ratio(0.5, 16, &s) - (64.0 / 3.0) / 2.0 / 16.0).abs() < 1e-6);
        // AlexNet CONV2 input (38.7 % zeros, JSSC Table V): ≈ 4/3 · 0.613 = 0.817.
        assert!((rlc_ratio(0.613, 16, &s) - 0.8173).abs() < 1e-3);
        // Long zero runs saturate at 31 zeros per pair: at density 0.001 a pair covers ≈ 32 values.
        let r = rlc_ratio(0.001, 16, &s);
        assert!(r > (64.0 / 3.0) / 32.0 / 16.0 && r < 0.05, "{r}");
    }
}
