use super::*;
use crate::accounting;
use eyrie_workloads::compress::CompressedNetwork;

fn preset(dataflow: &str) -> Arch {
    match Arch::load("systolic", &[("pe_array.dataflow".into(), dataflow.into())]) {
        Ok(a) => a,
        Err(e) => panic!("{e}"),
    }
}

/// A 4x4 array with small partitions (in 8-bit words) and a DRAM of `bw` words per cycle.
fn tiny(dataflow: &str, inputs_kb: f64, weights_kb: f64, bw: f64) -> Arch {
    let sets: Vec<(String, String)> = [
        ("pe_array.rows", "4".to_string()),
        ("pe_array.cols", "4".to_string()),
        ("pe_array.dataflow", dataflow.to_string()),
        ("levels.sram.partition.inputs_kb", inputs_kb.to_string()),
        ("levels.sram.partition.weights_kb", weights_kb.to_string()),
        ("levels.dram.bandwidth_words_per_cycle", bw.to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    match Arch::load("systolic", &sets) {
        Ok(a) => a,
        Err(e) => panic!("{e}"),
    }
}

fn run(arch: &Arch, layer: &Layer) -> LayerResult {
    let comp = CompressedNetwork::dense(eyrie_workloads::Network::new("t", vec![layer.clone()]), 8);
    crate::simulate_layer(arch, layer, &comp.layers[0], &RunOptions::default())
}

fn dram(r: &LayerResult) -> (u64, u64, u64, u64) {
    let l = &r.levels[0];
    (l.reads.inputs, l.reads.weights, l.writes.outputs, l.writes.psums)
}

/// SCALE-Sim's worked example (5x5x3 input, eight 3x3 filters, 32x32 array): everything fits,
/// so every input position (25 x 3 words) and weight (216) is fetched once, 72 outputs written.
#[test]
fn small_layer_fits_and_is_fetched_once() {
    let l = Layer::conv("small", 3, 5, 5, 8, 3, 3, 1, 0);
    for (df, cycles) in [("os", 88), ("ws", 102), ("is", 101)] {
        let r = run(&preset(df), &l);
        assert_eq!(r.status, crate::Status::Ok);
        assert_eq!(r.compute_cycles, cycles, "{df}");
        assert_eq!(dram(&r), (75, 216, 72, 0), "{df}");
        let s = &r.levels[1];
        assert_eq!((s.reads.inputs, s.reads.weights, s.writes.outputs), (243, 216, 72), "{df}");
        // Utilization is SCALE-Sim's overall util: 1944 MACs / (cycles x 1024 PEs).
        assert!((r.utilization() - 1944.0 / (cycles as f64 * 1024.0)).abs() < 1e-12);
    }
}

/// A 6 x 5 by 5 x 9 matmul on a 4x4 array, output stationary, with a 10-word half for the
/// weights and a DRAM of 2 words/cycle, worked by hand.
///
/// Folds (column fold outer): (fc0,fr0) (fc0,fr1) (fc1,fr0) (fc1,fr1) (fc2,fr0) (fc2,fr1), 11 cycles each.
/// Weights: a column fold's 4 filters (5 words each) do not fit in 10 words, so the half swaps
/// after every second filter and each fold refetches all 20; the last column fold has one filter
/// (5 words) that stays. Inputs (30 words) fit in their 50-word half: fetched once.
#[test]
fn refetch_and_stalls_by_hand() {
    let arch = tiny("os", 100.0 / 1024.0, 20.0 / 1024.0, 2.0);
    let l = Layer::matmul("mm", 6, 5, 9);
    let layout = match SystolicLayout::of(&arch) {
        Ok(x) => x,
        Err(e) => panic!("{e}"),
    };
    assert_eq!((layout.input_words, layout.weight_words), (100, 20));
    let g = run_gemm(&arch, &layout, &l);
    assert_eq!(g.traffic.input_reads, vec![20, 10, 0, 0, 0, 0]);
    assert_eq!(g.traffic.weight_reads, vec![20, 20, 20, 20, 5, 0]);
    assert_eq!(g.traffic.output_writes, vec![16, 8, 16, 8, 4, 2]);
    // Fill: 40 words / 2 = 20 cycles. During fold i the next fold's reads and the previous
    // fold's writes move: 30 -> 15 cycles (4 over 11), 20+16 -> 18 (7 over), 20+8 -> 14 (3 over),
    // 5+16 -> 11, 0+8 -> 4, 0+4 -> 2. Drain: 2 words -> 1 cycle.
    assert_eq!(g.stalls, (20, 14, 1));
    let r = run(&arch, &l);
    assert_eq!((r.compute_cycles, r.stall_cycles, r.cycles), (65, 35, 100));
    assert_eq!(dram(&r), (30, 85, 54, 0));
    // The SRAM is written by every DRAM fetch and read by every drained output.
    let s = &r.levels[1];
    assert_eq!((s.writes.inputs, s.writes.weights, s.reads.outputs), (30, 85, 54));
    assert_eq!((s.reads.inputs, s.reads.weights), (90, 90));
}

/// The same matmul in ws and is with ample buffers: every word is fetched once, and the
/// partial sums of the first row fold go to DRAM before the final outputs.
#[test]
fn weight_and_input_stationary_by_hand() {
    let l = Layer::matmul("mm", 6, 5, 9);
    let ws = run(&tiny("ws", 1.0, 1.0, 1000.0), &l);
    // 2 row folds (K = 5) x 3 column folds (N = 9), 16 cycles each.
    assert_eq!(ws.compute_cycles, 95);
    assert_eq!(dram(&ws), (30, 45, 54, 54));
    let is = run(&tiny("is", 1.0, 1.0, 1000.0), &l);
    // 2 row folds (K = 5) x 2 column folds (M = 6), 19 cycles each.
    assert_eq!(is.compute_cycles, 75);
    assert_eq!(dram(&is), (30, 45, 54, 54));
    assert_eq!((is.levels[1].reads.inputs, is.levels[1].reads.weights), (30, 90));
}

/// Grouped convolution: two independent GEMMs, so twice one group's counts.
#[test]
fn groups_run_one_after_the_other() {
    let whole = Layer::conv("g", 8, 6, 6, 8, 3, 3, 1, 1).grouped(2);
    let one = Layer::conv("h", 4, 6, 6, 4, 3, 3, 1, 1);
    for df in ["os", "ws", "is"] {
        let a = preset(df);
        let (rw, ro) = (run(&a, &whole), run(&a, &one));
        assert_eq!(rw.compute_cycles, 2 * ro.compute_cycles);
        assert_eq!(rw.macs, 2 * ro.macs);
        assert_eq!(rw.levels[0].reads, ro.levels[0].reads + ro.levels[0].reads);
        assert_eq!(rw.levels[1].reads, ro.levels[1].reads + ro.levels[1].reads);
        assert_eq!(rw.extra("folds"), Some(2.0 * ro.extra("folds").unwrap_or(0.0)));
    }
}

/// Padding positions are never fetched: a 3x3 "same" conv on 4x4x1 touches all 16 positions.
#[test]
fn padding_is_not_fetched_but_is_read_from_sram() {
    let l = Layer::conv("pad", 1, 4, 4, 2, 3, 3, 1, 1);
    for df in ["os", "ws", "is"] {
        let r = run(&preset(df), &l);
        assert_eq!(r.levels[0].reads.inputs, 16, "{df}");
        // The IFMAP matrix is 16 pixels x 9 taps, padding included.
        let per_pass = 16 * 9;
        assert_eq!(r.levels[1].reads.inputs, per_pass, "{df}");
    }
}

#[test]
fn pooling_goes_to_the_no_mac_path() {
    let l = Layer::pool("p", 4, 8, 8, 2, 2, 0);
    let r = run(&preset("ws"), &l);
    assert_eq!(r.macs, 0);
    assert_eq!(r.levels[0].reads.inputs, 256);
    assert_eq!(r.levels[0].writes.outputs, 64);
}

#[test]
fn a_level_without_capacity_is_a_clear_error() {
    let mut a = preset("os");
    a.levels[1].capacity_kb = None;
    a.levels[1].partition = None;
    let r = run(&a, &Layer::fc("fc", 16, 16));
    match &r.status {
        crate::Status::Failed(m) => assert!(m.contains("level `sram` needs `capacity_kb`"), "{m}"),
        s => panic!("expected a failure, got {s:?}"),
    }
}

mod props {
    use super::*;
    use proptest::prelude::*;

    fn layer() -> impl Strategy<Value = Layer> {
        (1u64..6, 1u64..12, 1u64..4, 1u64..40, 1u64..3, 0u64..2, 1u64..3).prop_filter_map(
            "filter fits",
            |(c, hw, rs, k, stride, pad, groups)| {
                let l = Layer::conv("x", c * groups, hw, hw, k * groups, rs, rs, stride, pad).grouped(groups);
                if l.check().is_empty() { Some(l) } else { None }
            },
        )
    }

    fn arch() -> impl Strategy<Value = (String, u32, u32, f64, f64)> {
        (prop_oneof![Just("os"), Just("ws"), Just("is")], 1u32..9, 1u32..9, 0.02f64..2.0, 0.02f64..2.0)
            .prop_map(|(d, r, c, i, w)| (d.to_string(), r, c, i, w))
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

        /// MACs are counted once, energy is the sum of its parts, the buffers never hold more
        /// than one half of their partition, and DRAM reads lie between the distinct footprint
        /// and the SRAM reads.
        #[test]
        fn counts_are_consistent(l in layer(), (df, rows, cols, ikb, wkb) in arch()) {
            let sets: Vec<(String, String)> = vec![
                ("pe_array.dataflow".into(), df.clone()),
                ("pe_array.rows".into(), rows.to_string()),
                ("pe_array.cols".into(), cols.to_string()),
                ("levels.sram.partition.inputs_kb".into(), ikb.to_string()),
                ("levels.sram.partition.weights_kb".into(), wkb.to_string()),
            ];
            let arch = Arch::load("systolic", &sets).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let layout = SystolicLayout::of(&arch).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let g = run_gemm(&arch, &layout, &l);
            prop_assert!(g.traffic.max_input_words <= layout.input_words / 2);
            prop_assert!(g.traffic.max_weight_words <= layout.weight_words.max(u64::from(rows * cols)));
            prop_assert_eq!(g.gemm.macs() * l.groups, l.macs());

            let mut r = layer_result(&arch, &layout, &l, &g);
            accounting::price(&arch, &mut r);
            prop_assert_eq!(r.macs, l.macs());
            prop_assert!(r.utilization() <= 1.0);
            let e = &r.energy;
            prop_assert_eq!(e.total_pj, e.mac_pj + e.noc_pj + e.leakage_pj + e.levels_pj.iter().sum::<f64>());

            let (d, s) = (&r.levels[0], &r.levels[1]);
            prop_assert!(d.reads.weights >= l.weights());
            prop_assert!(d.reads.weights <= s.reads.weights);
            prop_assert!(d.reads.inputs <= s.reads.inputs);
            // Every fetched word is written into the SRAM once.
            prop_assert_eq!((s.writes.inputs, s.writes.weights), (d.reads.inputs, d.reads.weights));
            prop_assert_eq!(d.writes.outputs, l.output_words());
            let ws_or_is = df != "os";
            let row_folds = g.folding.row_folds;
            prop_assert_eq!(d.writes.psums, if ws_or_is { l.output_words() * (row_folds - 1) } else { 0 });
        }
    }
}
