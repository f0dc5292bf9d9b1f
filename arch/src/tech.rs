//! Technology energy tables, with their sources.
//!
//! * 45 nm, 0.9 V: Horowitz, "Computing's Energy Problem", ISSCC 2014, as
//!   used by Han et al. (NIPS 2015 Fig. 1, EIE ISCA 2016 Table I): a 64-bit
//!   SRAM access costs 10 pJ at 8 KB, 20 pJ at 32 KB and 100 pJ at 1 MB; a
//!   32-bit DRAM access 640 pJ; a 32-bit integer multiply 3.1 pJ and add 0.1 pJ.
//! * Eyeriss (65 nm) normalized costs, Chen et al. ISCA 2016 Table IV: per
//!   16-bit access relative to one MAC, DRAM 200, global buffer 6, inter-PE
//!   (array) 2, register file 1, MAC 1.
//!
//! The SRAM curve is interpolated log-linearly in capacity between Horowitz's
//! three points and scaled linearly with the access width; outside the points
//! it is extrapolated along the nearest segment (and clamped to ≥ 1 pJ per
//! 64 bits). This is a model of how access energy grows with array size, not
//! a fit to any result.

/// Horowitz 45 nm: (capacity in bytes, pJ per 64-bit access).
pub const HOROWITZ_SRAM_64B: [(f64, f64); 3] = [(8.0 * 1024.0, 10.0), (32.0 * 1024.0, 20.0), (1024.0 * 1024.0, 100.0)];

/// Han et al. / Horowitz 45 nm: pJ per 32-bit DRAM access (LPDDR2).
pub const DRAM_PJ_PER_32B: f64 = 640.0;

/// Horowitz 45 nm 32-bit integer multiply, pJ.
pub const INT_MULT_32B_PJ: f64 = 3.1;
/// Horowitz 45 nm 32-bit integer add, pJ.
pub const INT_ADD_32B_PJ: f64 = 0.1;
/// Horowitz 45 nm 8-bit integer multiply, pJ.
pub const INT_MULT_8B_PJ: f64 = 0.2;
/// Horowitz 45 nm 8-bit integer add, pJ.
pub const INT_ADD_8B_PJ: f64 = 0.03;

/// Eyeriss ISCA 2016 Table IV normalized energy per access (× one MAC).
pub mod eyeriss_normalized {
    /// One MAC.
    pub const MAC: f64 = 1.0;
    /// Register file (scratchpad) access.
    pub const RF: f64 = 1.0;
    /// Inter-PE transfer through the array.
    pub const ARRAY: f64 = 2.0;
    /// Global buffer access.
    pub const GLB: f64 = 6.0;
    /// DRAM access.
    pub const DRAM: f64 = 200.0;
}

/// Energy of one SRAM access of `word_bits` to an array of `capacity_bytes`, 45 nm (pJ).
pub fn sram_access_pj_45nm(capacity_bytes: f64, word_bits: u32) -> f64 {
    let pts = HOROWITZ_SRAM_64B;
    let cap = capacity_bytes.max(1.0);
    let seg = if cap <= pts[1].0 { (pts[0], pts[1]) } else { (pts[1], pts[2]) };
    let ((c0, e0), (c1, e1)) = seg;
    let t = (cap.ln() - c0.ln()) / (c1.ln() - c0.ln());
    let per64 = (e0 + t * (e1 - e0)).max(1.0);
    per64 * f64::from(word_bits) / 64.0
}

/// Energy of one DRAM access of `word_bits`, 45 nm LPDDR2 (pJ).
pub fn dram_access_pj(word_bits: u32) -> f64 {
    DRAM_PJ_PER_32B * f64::from(word_bits) / 32.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sram_curve_passes_through_horowitz_points() {
        assert!((sram_access_pj_45nm(8192.0, 64) - 10.0).abs() < 1e-9);
        assert!((sram_access_pj_45nm(32768.0, 64) - 20.0).abs() < 1e-9);
        assert!((sram_access_pj_45nm(1048576.0, 64) - 100.0).abs() < 1e-9);
        // 32-bit access to 32 KB: Han et al. quote 5 pJ for a 32-bit SRAM access to a
        // smaller array; halving Horowitz's 8 KB 64-bit figure gives the same.
        assert!((sram_access_pj_45nm(8192.0, 32) - 5.0).abs() < 1e-9);
        assert!((dram_access_pj(16) - 320.0).abs() < 1e-9);
    }

    #[test]
    fn sram_energy_grows_with_capacity() {
        let mut last = 0.0;
        for kb in [1.0, 4.0, 16.0, 64.0, 256.0, 2048.0] {
            let e = sram_access_pj_45nm(kb * 1024.0, 16);
            assert!(e > last, "{kb} KB gave {e} pJ after {last}");
            last = e;
        }
    }
}
