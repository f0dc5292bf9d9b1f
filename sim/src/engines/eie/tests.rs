//! Tests of the EIE engine: hand-traced cases, the encoding, and recurrence = cycle simulation.

use proptest::prelude::*;

use super::matrix::{Csc, CscRef, PeSlices, synthetic_activations, synthetic_csc};
use super::recurrence::Recurrence;
use super::*;
use eyrie_workloads::compress::CompressedNetwork;

fn eie() -> Arch {
    match Arch::load("eie", &[]) {
        Ok(a) => a,
        Err(e) => panic!("{e}"),
    }
}

fn slices(csc: &Csc, pes: u32, index_bits: u32, batch_rows: u32) -> PeSlices {
    let r = csc.as_ref().and_then(|c| PeSlices::from_csc(c, pes, index_bits, batch_rows));
    match r {
        Ok(s) => s,
        Err(e) => panic!("{e}"),
    }
}

/// Per visit, the entries on each PE, for the given active columns (one batch per pass).
fn visits(s: &PeSlices, passes: &[Vec<u32>]) -> Vec<Vec<u32>> {
    let mut out = Vec::new();
    for active in passes {
        for b in 0..s.batches() {
            for &j in active {
                out.push(s.counts(b, j).to_vec());
            }
        }
    }
    out
}

fn recurrence(pes: usize, depth: usize, v: &[Vec<u32>]) -> Timing {
    let mut r = Recurrence::new(pes, depth);
    for e in v {
        r.visit(e);
    }
    r.finish()
}

/// The 4×4 matrix of the hand traces (x = non-zero), rows interleaved on 2 PEs:
///
/// ```text
///          col 0  col 1  col 2  col 3
/// row 0 (PE0)  x      x      .      x
/// row 1 (PE1)  x      .      x      x
/// row 2 (PE0)  x      .      .      x
/// row 3 (PE1)  .      .      x      x
/// ```
///
/// Entries per column: PE0 = [2, 1, 0, 2], PE1 = [1, 0, 2, 2]; an empty
/// column still costs its PE one cycle (the pointer read), so the work is
/// PE0 = [2, 1, 1, 2], PE1 = [1, 1, 2, 2].
fn hand_matrix() -> Csc {
    #[rustfmt::skip]
    let w = [
        1.0, 1.0, 0.0, 1.0,
        1.0, 0.0, 1.0, 1.0,
        1.0, 0.0, 0.0, 1.0,
        0.0, 0.0, 1.0, 1.0,
    ];
    match Csc::from_dense(4, 4, &w) {
        Ok(c) => c,
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn hand_traced_4x4_on_2_pes_queue_depth_1() {
    // Depth 1: the activation being processed holds the only slot, so column v
    // is broadcast only when every PE has finished column v−1.
    //   v=0: B=0; PE0 works cycles 1–2 (F=3), PE1 cycle 1 (F=2)
    //   v=1: B=max(1, 3)=3; PE0 cycle 4 (F=5), PE1 cycle 4 (F=5)
    //   v=2: B=max(4, 5)=5; PE0 cycle 6 (F=7), PE1 cycles 6–7 (F=8)
    //   v=3: B=max(6, 8)=8; PE0 cycles 9–10 (F=11), PE1 cycles 9–10 (F=11)
    // 11 cycles; the broadcast waited 2 + 1 + 2 = 5 cycles on full queues.
    let s = slices(&hand_matrix(), 2, 4, 64);
    assert_eq!(s.counts(0, 0), [2, 1]);
    assert_eq!(s.counts(0, 2), [0, 2]);
    let v = visits(&s, &[vec![0, 1, 2, 3]]);
    let want = Timing { cycles: 11, broadcasts: 4, broadcast_stall_cycles: 5, pe_busy_cycles: vec![6, 6] };
    assert_eq!(recurrence(2, 1, &v), want);
    assert_eq!(cycle::simulate(2, 1, &v), want);
}

#[test]
fn hand_traced_4x4_on_2_pes_queue_depth_2() {
    // Depth 2: column v needs column v−2 finished on every PE.
    //   v=0: B=0;            PE0 1–2 (F=3),  PE1 1 (F=2)
    //   v=1: B=max(1, 0)=1;  PE0 3 (F=4),    PE1 2 (F=3)
    //   v=2: B=max(2, 3)=3;  PE0 4 (F=5),    PE1 4–5 (F=6)
    //   v=3: B=max(4, 4)=4;  PE0 5–6 (F=7),  PE1 6–7 (F=8)
    // 8 cycles; the broadcast waited 1 cycle (v=2).
    let s = slices(&hand_matrix(), 2, 4, 64);
    let v = visits(&s, &[vec![0, 1, 2, 3]]);
    let want = Timing { cycles: 8, broadcasts: 4, broadcast_stall_cycles: 1, pe_busy_cycles: vec![6, 6] };
    assert_eq!(recurrence(2, 2, &v), want);
    assert_eq!(cycle::simulate(2, 2, &v), want);
    // Unbounded queues: broadcasts at 0, 1, 2, 3; PE1 ends at 1+1+2+2 after starting at 1 → F=7.
    assert_eq!(recurrence(2, 64, &v).cycles, 7);
}

#[test]
fn hand_traced_zero_activation_skips_its_column() {
    // a = [a0, 0, a2, a3]: column 1 is never broadcast. Depth 1:
    //   v=0 (col 0): B=0; PE0 F=3, PE1 F=2
    //   v=1 (col 2): B=3; PE0 cycle 4 (F=5), PE1 cycles 4–5 (F=6)
    //   v=2 (col 3): B=6; both cycles 7–8 (F=9)
    let s = slices(&hand_matrix(), 2, 4, 64);
    let v = visits(&s, &[vec![0, 2, 3]]);
    assert_eq!(recurrence(2, 1, &v).cycles, 9);
    assert_eq!(cycle::simulate(2, 1, &v).cycles, 9);
}

#[test]
fn filler_zeros_follow_the_papers_example() {
    // EIE Sec. III-B: [0,0,1,2,0×18,3] → v=[1,2,0,3], z=[2,0,15,2]: one filler.
    let col = [2u32, 3, 22];
    let c = CscRef::new(23, 1, &[0, 3], &col).map_err(|e| e.to_string());
    let Ok(c) = c else { panic!("{c:?}") };
    let s = match PeSlices::from_csc(c, 1, 4, 64) {
        Ok(s) => s,
        Err(e) => panic!("{e}"),
    };
    assert_eq!((s.counts(0, 0), s.nonzeros(), s.fillers()), ([4u32].as_slice(), 3, 1));
}

#[test]
fn filler_zeros_at_the_index_limit() {
    // 4-bit indices encode gaps 0..=15. Rows 15 (gap 15: no filler), 32 (gap 16: one),
    // 65 (gap 32: two) and 66 (gap 0). Leading gap counts from row 0.
    let rows = [15u32, 32, 65, 66];
    let c = CscRef::new(100, 1, &[0, 4], &rows).map_err(|e| e.to_string());
    let Ok(c) = c else { panic!("{c:?}") };
    let s = match PeSlices::from_csc(c, 1, 4, 128) {
        Ok(s) => s,
        Err(e) => panic!("{e}"),
    };
    assert_eq!((s.counts(0, 0)[0], s.fillers()), (4 + 3, 3));
    // 2-bit indices (gaps 0..=3): 15 → 3 fillers, 16 → 4, 32 → 8, 0 → 0.
    let s = match PeSlices::from_csc(c, 1, 2, 128) {
        Ok(s) => s,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(s.fillers(), 3 + 4 + 8);
    // On 2 PEs the same rows are local rows 7 (PE1), 16 (PE0), 32 (PE1), 33 (PE0):
    // PE0 gaps 16, 16 → 1 + 1 fillers; PE1 gaps 7, 24 → 0 + 1 filler.
    let s = match PeSlices::from_csc(c, 2, 4, 128) {
        Ok(s) => s,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(s.counts(0, 0), [2 + 2, 2 + 1]);
}

#[test]
fn output_batches_restart_relative_indices() {
    // 1 PE, batches of 16 rows: rows 0 and 20 are in batches 0 and 1 (local row 4): no filler,
    // where one 128-row batch needs one (gap 19).
    let c = CscRef::new(32, 1, &[0, 2], &[0, 20]).map_err(|e| e.to_string());
    let Ok(c) = c else { panic!("{c:?}") };
    let batched = PeSlices::from_csc(c, 1, 4, 16).map_err(|e| e.to_string());
    let Ok(batched) = batched else { panic!("{batched:?}") };
    assert_eq!((batched.batches(), batched.counts(0, 0)[0], batched.counts(1, 0)[0]), (2, 1, 1));
    let whole = PeSlices::from_csc(c, 1, 4, 128).map_err(|e| e.to_string());
    assert_eq!(whole.map(|s| s.counts(0, 0)[0]), Ok(3));
}

#[test]
fn malformed_csc_is_an_error_not_a_panic() {
    assert!(CscRef::new(4, 2, &[0, 1], &[0]).is_err());
    assert!(CscRef::new(4, 1, &[0, 2], &[3, 1]).is_err());
    assert!(CscRef::new(4, 1, &[0, 1], &[4]).is_err());
    assert!(CscRef::new(4, 2, &[0, 2, 1], &[0, 1]).is_err());
}

#[test]
fn synthetic_matrix_and_vector_are_seeded_and_dense_enough() {
    let a = synthetic_csc(1000, 500, 1, 0.1, 7).map_err(|e| e.to_string());
    let b = synthetic_csc(1000, 500, 1, 0.1, 7).map_err(|e| e.to_string());
    assert_eq!(a, b);
    let Ok(a) = a else { panic!("{a:?}") };
    assert!(a.as_ref().is_ok());
    let d = a.row_idx.len() as f64 / 500_000.0;
    assert!((d - 0.1).abs() < 0.003, "density {d}");
    let g = synthetic_csc(8, 6, 2, 1.0, 1).map_err(|e| e.to_string());
    let Ok(g) = g else { panic!("{g:?}") };
    // Block-diagonal: columns 0–2 only rows 0–3, columns 3–5 only rows 4–7.
    assert_eq!(g.row_idx.len(), 24);
    assert_eq!(&g.row_idx[12..16], &[4, 5, 6, 7]);
    let v = synthetic_activations(1000, 0.351, 3);
    assert_eq!(v.len(), 351);
    assert!(v.windows(2).all(|w| w[0] < w[1]));
    assert_eq!(v, synthetic_activations(1000, 0.351, 3));
    assert_ne!(v, synthetic_activations(1000, 0.351, 4));
}

#[test]
fn conv_layer_is_an_error_naming_layer_and_engines() {
    let arch = eie();
    let l = Layer::conv("conv3", 256, 13, 13, 384, 3, 3, 1, 1);
    let e = Eie.check(&arch, &l).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(e.contains("`conv3`") && e.contains("systolic") && e.contains("lower_conv"), "{e}");
    let lowered = arch.with_sets(&[("eie.lower_conv".into(), "true".into())]).map_err(|e| e.to_string());
    let Ok(lowered) = lowered else { panic!("{lowered:?}") };
    assert!(Eie.check(&lowered, &l).is_ok());
}

#[test]
fn lowered_conv_runs_one_pass_per_output_pixel() {
    let arch = match eie().with_sets(&[("eie.lower_conv".into(), "true".into())]) {
        Ok(a) => a,
        Err(e) => panic!("{e}"),
    };
    let l = Layer::conv("c", 4, 6, 6, 8, 3, 3, 1, 0).grouped(2);
    let comp = CompressedNetwork::dense(eyrie_workloads::Network::new("n", vec![l.clone()]), 16).layers[0].clone();
    let r = match Eie.run_layer(&arch, &l, &comp, &RunOptions::default()) {
        Ok(r) => r,
        Err(e) => panic!("{e}"),
    };
    // 4×4 output pixels = 16 passes of a dense 8 × 36 block-diagonal matrix (2 groups of 4 × 18):
    // 4 · 18 · 2 = 144 non-zeros, all 36 inputs active in every pass.
    assert_eq!(r.extra("passes"), Some(16.0));
    assert_eq!(r.extra("nonzero_weights"), Some(144.0));
    assert_eq!(r.extra("broadcasts"), Some(16.0 * 36.0));
    assert_eq!(r.extra("useful_macs"), Some(16.0 * 144.0));
    assert_eq!(r.effective_macs, 16 * 144);
}

#[test]
fn fc_layer_counts_add_up() {
    let arch = eie();
    let mut l = Layer::fc("fc", 512, 300).with_act_density(0.5);
    l.weight_density = 0.1;
    let comp = CompressedNetwork::dense(eyrie_workloads::Network::new("n", vec![l.clone()]), 16).layers[0].clone();
    let mut r = match Eie.run_layer(&arch, &l, &comp, &RunOptions::default()) {
        Ok(r) => r,
        Err(e) => panic!("{e}"),
    };
    crate::accounting::price(&arch, &mut r);
    let x = |n: &str| r.extra(n).unwrap_or(f64::NAN);
    assert_eq!(x("broadcasts"), 256.0);
    assert_eq!(x("pointer_pair_reads"), 256.0 * 64.0);
    let ptr = arch.level_index("ptr").unwrap_or(0);
    assert_eq!(r.levels[ptr].reads.metadata, 256 * 64 * 2);
    let cb = arch.level_index("codebook").unwrap_or(0);
    assert_eq!(r.levels[cb].reads.weights, r.effective_macs);
    let spmat = arch.level_index("spmat").unwrap_or(0);
    assert_eq!(r.levels[spmat].reads.total() as f64, x("spmat_row_reads") * 4.0);
    assert_eq!(r.levels[0].reads.total(), 0, "the layer fits on chip: no DRAM traffic");
    assert!(x("load_balance_efficiency") > 0.0 && x("load_balance_efficiency") <= 1.0);
    assert!(x("alu_utilization") <= x("load_balance_efficiency"));
    // cycles = work window + (4 − 1) drain cycles; the window is at least the busiest PE's work + 1.
    assert!(r.compute_cycles as f64 >= x("pe_busy_cycles_max") + 1.0 + 3.0);
    assert_eq!(r.cycles, r.compute_cycles);
    let sum = r.energy.mac_pj + r.energy.noc_pj + r.energy.leakage_pj + r.energy.levels_pj.iter().sum::<f64>();
    assert_eq!(r.energy.total_pj, sum);
}

#[test]
fn same_seed_same_result_and_pe_count_does_not_change_the_matrix() {
    let net = eyrie_workloads::zoo::eie_bench();
    let comp = CompressedNetwork::dense(net.clone(), 16);
    let l = &net.layers[7];
    let a = eie();
    let r1 = Eie.run_layer(&a, l, &comp.layers[7], &RunOptions { seed: 5, ..RunOptions::default() }).map_err(|e| e.to_string());
    let r2 = Eie.run_layer(&a, l, &comp.layers[7], &RunOptions { seed: 5, ..RunOptions::default() }).map_err(|e| e.to_string());
    assert_eq!(r1, r2);
    let b = match a.with_sets(&[("pe_array.cols".into(), "16".into())]) {
        Ok(b) => b,
        Err(e) => panic!("{e}"),
    };
    let r3 = Eie.run_layer(&b, l, &comp.layers[7], &RunOptions { seed: 5, ..RunOptions::default() }).map_err(|e| e.to_string());
    let nz = |r: &Result<LayerResult, String>| r.as_ref().ok().and_then(|r| r.extra("nonzero_weights"));
    assert_eq!(nz(&r1), nz(&r3));
    assert!(nz(&r1).is_some());
}

fn arb_case() -> impl Strategy<Value = (u32, u32, f64, u32, usize, u32, u32, f64, u64)> {
    (1u32..40, 1u32..24, 0.0f64..1.0, 1u32..9, 1usize..6, 1u32..5, 1u32..12, 0.0f64..1.0, any::<u64>())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// The recurrence gives exactly the cycle simulation's cycles, stalls and per-PE work.
    #[test]
    fn recurrence_equals_cycle_simulation(
        (rows, cols, wd, pes, depth, bits, batch_rows, ad, seed) in arb_case(),
        passes in 1usize..3,
    ) {
        let csc = synthetic_csc(rows, cols, 1, wd, seed).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let s = slices(&csc, pes, bits, batch_rows);
        let acts: Vec<Vec<u32>> = (0..passes as u64).map(|p| synthetic_activations(cols, ad, seed ^ p)).collect();
        let v = visits(&s, &acts);
        let exact = cycle::simulate(pes as usize, depth, &v);
        prop_assert_eq!(&recurrence(pes as usize, depth, &v), &exact);
        // And through the engine's own loop.
        let mut p = EieParams::paper();
        p.queue_depth = depth as u32;
        p.index_bits = bits;
        let run = run_matrix(&p, &s, &acts);
        prop_assert_eq!(&run.timing, &exact);
        // Every stored entry of every visited column is issued exactly once.
        let issued: u64 = v.iter().flatten().map(|&c| u64::from(c)).sum();
        prop_assert_eq!(run.entries, issued);
    }

    /// A deeper queue never costs cycles; no run beats its busiest PE.
    #[test]
    fn deeper_queues_never_hurt((rows, cols, wd, pes, depth, bits, batch_rows, ad, seed) in arb_case()) {
        let csc = synthetic_csc(rows, cols, 1, wd, seed).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let s = slices(&csc, pes, bits, batch_rows);
        let v = visits(&s, &[synthetic_activations(cols, ad, seed)]);
        let a = recurrence(pes as usize, depth, &v);
        let b = recurrence(pes as usize, depth + 1, &v);
        prop_assert!(b.cycles <= a.cycles);
        if !v.is_empty() {
            let max_busy = a.pe_busy_cycles.iter().copied().max().unwrap_or(0);
            prop_assert!(a.cycles > max_busy);
            prop_assert!(a.cycles >= v.len() as u64);
        }
    }

    /// Fillers: every PE-column has at least as many entries as non-zeros, and the totals agree.
    #[test]
    fn encoding_conserves_non_zeros((rows, cols, wd, pes, _d, bits, batch_rows, _a, seed) in arb_case()) {
        let csc = synthetic_csc(rows, cols, 1, wd, seed).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let s = slices(&csc, pes, bits, batch_rows);
        let mut total = 0u64;
        for b in 0..s.batches() {
            for j in 0..cols {
                total += s.counts(b, j).iter().map(|&c| u64::from(c)).sum::<u64>();
                for &c in s.counts(b, j) {
                    prop_assert!(c <= s.batch_rows());
                }
            }
        }
        prop_assert_eq!(total, s.nonzeros() + s.fillers());
        prop_assert_eq!(s.pe_entries().iter().sum::<u64>(), total);
    }
}
