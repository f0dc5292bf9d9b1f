use super::mapping::Block;
use super::model::slot;
use super::problem::Dim;
use super::*;
use crate::accounting::price;
use eyrie_arch::Operand::{Inputs, Outputs, Psums, Weights};

/// A 2 x 2 array: DRAM, a 64 KiB buffer and a 256-word scratchpad per PE; unit-like energies.
fn tiny(dataflow: &str, extra: &str) -> Arch {
    let text = format!(
        r#"version = 1
name = "tiny"
clock_mhz = 100.0
word_bits = 16
[pe_array]
rows = 2
cols = 2
kind = "spatial"
dataflow = "{dataflow}"
[[levels]]
name = "dram"
off_chip = true
read_energy_pj = 200.0
[[levels]]
name = "glb"
capacity_kb = 64.0
read_energy_pj = 6.0
[[levels]]
name = "rf"
capacity_kb = 0.5
instances = 4
read_energy_pj = 1.0
[energy]
mac_pj = 1.0
noc_hop_pj = 2.0
{extra}"#
    );
    match Arch::from_toml("tiny.toml", &text) {
        Ok(a) => a,
        Err(e) => panic!("{e}"),
    }
}

fn reads(p: &Plan, level: usize, op: eyrie_arch::Operand) -> f64 {
    p.counts.reads[level][slot(op)]
}
fn writes(p: &Plan, level: usize, op: eyrie_arch::Operand) -> f64 {
    p.counts.writes[level][slot(op)]
}
fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9 * b.abs().max(1.0)
}

#[track_caller]
fn check(p: &Plan, level: usize, rd: [f64; 4], wr: [f64; 4]) {
    let got_r = [Weights, Inputs, Outputs, Psums].map(|o| reads(p, level, o));
    let got_w = [Weights, Inputs, Outputs, Psums].map(|o| writes(p, level, o));
    assert!(got_r.iter().zip(&rd).all(|(a, b)| close(*a, *b)), "level {level} reads {got_r:?}, want {rd:?}");
    assert!(got_w.iter().zip(&wr).all(|(a, b)| close(*a, *b)), "level {level} writes {got_w:?}, want {wr:?}");
}

/// A 3x3 convolution of a 4x4 input (2x2 outputs) output-stationary on a 2x2
/// array: each PE accumulates one output over the 9 taps in its scratchpad.
#[test]
fn hand_counted_3x3_conv_output_stationary_on_2x2() {
    let arch = tiny("osa", "");
    let layer = Layer::conv("c", 1, 4, 4, 1, 3, 3, 1, 0);
    let mut m = Mapping::unit();
    m.set(Block::SpatialY, Dim::P, 2);
    m.set(Block::SpatialX, Dim::Q, 2);
    m.set(Block::Rf, Dim::R, 3);
    m.set(Block::Rf, Dim::S, 3);
    let p = match plan_mapping(&arch, &layer, m) {
        Ok(p) => p,
        Err(e) => panic!("{e}"),
    };
    // DRAM: 9 weights and 16 inputs once; 4 outputs once.
    check(&p, 0, [9.0, 16.0, 0.0, 0.0], [0.0, 0.0, 4.0, 0.0]);
    // GLB: every cycle one weight is broadcast to all 4 PEs (9 reads); the 2x2
    // input window slides by one column per tap and neighbours forward the
    // overlap: per filter row 4 + 2 + 2 = 8 reads, 24 in all.
    check(&p, 1, [9.0, 24.0, 4.0, 0.0], [9.0, 16.0, 4.0, 0.0]);
    // RF: 36 psum updates; the first of each PE's 4 outputs needs no read; 4 drains.
    check(&p, 2, [0.0, 0.0, 4.0, 32.0], [0.0, 0.0, 0.0, 36.0]);
    // Array: one weight and one input delivered to each PE per MAC.
    assert_eq!(p.counts.noc[slot(Weights)], 36.0);
    assert_eq!(p.counts.noc[slot(Inputs)], 36.0);
    assert_eq!(p.counts.noc[slot(Psums)], 0.0);
    assert_eq!((p.timing.passes, p.timing.compute_cycles, p.timing.stall_cycles), (1, 9, 0));
}

/// A 2x2 convolution of a 3x3 input row-stationary on a 2x2 array: filter rows
/// down the columns, output rows across; each PE slides its filter row along
/// its input row (JSSC Fig. 3/4).
#[test]
fn hand_counted_row_stationary_on_2x2_with_pass_timing() {
    let arch = tiny("rs", "[spatial]\nnoc_words_per_cycle = { weights = 1.0, inputs = 1.0, psums = 1.0 }\n");
    let layer = Layer::conv("c", 1, 3, 3, 1, 2, 2, 1, 0);
    let mut m = Mapping::unit();
    m.set(Block::Rf, Dim::S, 2);
    m.set(Block::Pe, Dim::Q, 2);
    m.set(Block::SpatialY, Dim::R, 2);
    m.set(Block::SpatialX, Dim::P, 2);
    let p = match plan_mapping(&arch, &layer, m) {
        Ok(p) => p,
        Err(e) => panic!("{e}"),
    };
    check(&p, 0, [4.0, 9.0, 0.0, 0.0], [0.0, 0.0, 4.0, 0.0]);
    // GLB: each filter row multicast to its PE row (4 reads); each input read
    // once thanks to the diagonal reuse of the set (9); 4 outputs in, 4 out.
    check(&p, 1, [4.0, 9.0, 4.0, 0.0], [4.0, 9.0, 4.0, 0.0]);
    // RF: 2 weights into each PE (8); inputs 2 + 1 per PE (12); 16 MAC reads of
    // each operand; psums: 16 updates, 4 received from the PE below, 4 fresh
    // starts, 8 drains (4 up to the neighbour, 4 out).
    check(&p, 2, [16.0, 16.0, 8.0, 12.0], [8.0, 12.0, 0.0, 20.0]);
    assert_eq!(p.counts.noc[slot(Weights)], 8.0);
    assert_eq!(p.counts.noc[slot(Inputs)], 12.0);
    assert_eq!(p.counts.noc[slot(Psums)], 4.0);
    // One pass: fill = the slowest first load (6 input words at 1/cycle; 4
    // weights), then max(4 MAC cycles, 9 input words) = 9, then 2 psums drain.
    assert_eq!(p.timing.fill_per_pass, 6.0);
    assert_eq!(p.timing.transfer_per_pass, 9.0);
    assert_eq!(p.timing.drain_per_pass, 2.0);
    assert_eq!(p.timing.compute_cycles, 17);
    // Priced through the shared accounting; the parts add up.
    let mut r = p.result(&arch);
    price(&arch, &mut r);
    let e = &r.energy;
    let sum = e.mac_pj + e.noc_pj + e.leakage_pj + e.levels_pj.iter().sum::<f64>();
    assert!(close(e.total_pj, sum));
    // DRAM: 13 reads + 4 writes at 200 pJ; MACs 16 x 1; NoC 24 words x 2.
    assert!(close(e.levels_pj[0], 17.0 * 200.0));
    assert!(close(e.mac_pj, 16.0) && close(e.noc_pj, 48.0));
}

#[test]
fn zero_gating_and_rlc_scale_energy_not_cycles() {
    let arch = tiny("rs", "[spatial]\nzero_gating = true\nrlc = true\n");
    let dense = Layer::conv("c", 1, 3, 3, 1, 2, 2, 1, 0);
    let sparse = dense.clone().with_act_density(0.5).with_out_density(0.5);
    let mut m = Mapping::unit();
    m.set(Block::Rf, Dim::S, 2);
    m.set(Block::Pe, Dim::Q, 2);
    m.set(Block::SpatialY, Dim::R, 2);
    m.set(Block::SpatialX, Dim::P, 2);
    let (Ok(d), Ok(s)) = (plan_mapping(&arch, &dense, m.clone()), plan_mapping(&arch, &sparse, m)) else {
        panic!("plan failed")
    };
    // Half the inputs are zero: half the MACs and filter-spad reads are gated.
    assert_eq!(s.counts.effective_macs, 8.0);
    assert!(close(reads(&s, 2, Weights), 8.0) && close(reads(&d, 2, Weights), 16.0));
    // Psum and ifmap spad traffic is unchanged.
    assert!(close(reads(&s, 2, Inputs), reads(&d, 2, Inputs)));
    // RLC at density 0.5: a 5-bit run + 16-bit level pair (64/3 bits) covers 2
    // values on average, 2/3 of 16-bit words: 9 inputs -> 6, 4 outputs -> 8/3.
    assert!(close(reads(&s, 0, Inputs), 6.0), "{}", reads(&s, 0, Inputs));
    assert!(close(writes(&s, 0, Outputs), 8.0 / 3.0));
    // Dense data is not coded (it would grow); cycles do not change.
    assert!(close(reads(&d, 0, Inputs), 9.0));
    assert_eq!(s.timing, d.timing);
}

#[test]
fn mapper_finds_the_obvious_mapping_on_a_tiny_layer() {
    let arch = tiny("rs", "");
    let layer = Layer::conv("c", 1, 3, 3, 1, 2, 2, 1, 0);
    let p = match plan(&arch, &layer) {
        Ok(p) => p,
        Err(e) => panic!("{e}"),
    };
    // Every MAC counted once, all four PEs busy, the whole space searched.
    assert_eq!(p.counts.macs, 16.0);
    assert!(close(p.mapping.tiling(&p.problem).active_pes(), 4.0));
    assert!(p.stats.exhaustive, "{:?}", p.stats);
    // Each input and weight leaves DRAM once.
    assert!(close(reads(&p, 0, Inputs), 9.0) && close(reads(&p, 0, Weights), 4.0));
}

#[test]
fn fc_runs_as_one_by_one_and_pooling_uses_the_no_mac_model() {
    let arch = tiny("rs", "");
    let fc = Layer::fc("fc", 64, 10);
    let r = crate::simulate_layer(&arch, &fc, &dense_comp(&fc), &RunOptions::default());
    assert_eq!(r.status, crate::Status::Ok, "{:?}", r.status);
    assert_eq!(r.macs, 640);
    assert_eq!(r.levels[0].reads.weights, 640);
    let pool = Layer::pool("p", 4, 8, 8, 2, 2, 0);
    let r = crate::simulate_layer(&arch, &pool, &dense_comp(&pool), &RunOptions::default());
    assert_eq!((r.status, r.macs, r.levels[0].reads.inputs), (crate::Status::Ok, 0, 256));
}

fn dense_comp(l: &Layer) -> LayerCompression {
    LayerCompression {
        weight_density: 1.0,
        weight_bits: 16,
        index_bits: 0,
        act_bits: None,
        encoded_bytes: l.weights() * 2,
        huffman_bytes: None,
        format: eyrie_workloads::compress::Format::Dense,
        sparse: None,
    }
}

#[test]
fn grouped_dilated_and_strided_layers_map_and_count_every_mac() {
    let arch = tiny("rs", "");
    for l in [
        Layer::conv("g", 8, 9, 9, 8, 2, 2, 1, 1).grouped(4),
        Layer::conv("dw", 4, 8, 8, 4, 2, 2, 2, 0).grouped(4),
        Layer::conv("d", 2, 9, 9, 3, 2, 2, 1, 1).dilated(2, 2),
    ] {
        let p = match plan(&arch, &l) {
            Ok(p) => p,
            Err(e) => panic!("{}: {e}", l.name),
        };
        assert_eq!(p.counts.macs, l.macs() as f64, "{}", l.name);
        assert!(p.mapping.covers(&p.problem), "{}", l.name);
        // The MAC reads one weight per MAC from the scratchpad (no gating here).
        assert!(close(reads(&p, 2, Weights), l.macs() as f64), "{}", l.name);
    }
}

#[test]
fn unmappable_layers_and_archs_say_why() {
    // A 3-row filter cannot stand in a 2-row array under RS (JSSC: R <= rows).
    let arch = tiny("rs", "");
    let l = Layer::conv("c", 1, 4, 4, 1, 3, 3, 1, 0);
    match plan(&arch, &l) {
        Err(SimError::NoMapping { reason, .. }) => assert!(reason.contains("2x2 array"), "{reason}"),
        other => panic!("expected NoMapping, got {other:?}"),
    }
    // RS needs a scratchpad; an arch without one is rejected by `check`.
    let mut a = tiny("rs", "");
    a.levels.pop();
    match Spatial.check(&a, &l) {
        Err(SimError::Arch(m)) => assert!(m.contains("per-PE scratchpad"), "{m}"),
        other => panic!("expected Arch error, got {other:?}"),
    }
    // A buffer too small for the chosen mapping is named with its size.
    let mut m = Mapping::unit();
    m.set(Block::Rf, Dim::S, 2);
    m.set(Block::Rf, Dim::K, 300);
    let big = Layer::conv("k", 1, 3, 3, 300, 2, 2, 1, 0);
    match plan_mapping(&tiny("rs", ""), &big, m) {
        Err(SimError::BufferTooSmall { level, .. }) => assert_eq!(level, "rf"),
        other => panic!("expected BufferTooSmall, got {other:?}"),
    }
}

#[test]
fn search_is_deterministic() {
    let arch = tiny("ws", "[mapper]\nbudget = 300\n");
    let l = Layer::conv("c", 6, 10, 10, 5, 3, 3, 1, 1);
    let h = match Hierarchy::new(&arch) {
        Ok(h) => h,
        Err(e) => panic!("{e}"),
    };
    let p = Problem::from_layer(&l);
    let a = mapper::search(&h, &p, Objective::Edp, 300);
    let b = mapper::search(&h, &p, Objective::Edp, 300);
    match (a, b) {
        (Ok((a, sa)), Ok((b, sb))) => {
            assert_eq!(a, b);
            assert_eq!(sa, sb);
            assert!(sa.evaluated <= 300, "{sa:?}");
        }
        other => panic!("{other:?}"),
    }
}

/// The prelude (inner configurations and their phase-A prices) is shared by
/// architectures that differ only in the global buffer's size and partition:
/// a search that reuses one made for another size must equal a fresh search.
#[test]
fn searches_sharing_a_prelude_equal_fresh_searches() {
    let sizes = [8.0, 20.0, 40.0, 108.0, 400.0];
    let hier = |kb: f64, weights_kb: f64| {
        let mut a = match Arch::load("eyeriss", &[]) {
            Ok(a) => a,
            Err(e) => panic!("{e}"),
        };
        a.levels[1].capacity_kb = Some(kb);
        if let Some(part) = a.levels[1].partition.as_mut() {
            part.weights_kb = Some(weights_kb);
        }
        match Hierarchy::new(&a) {
            Ok(h) => h,
            Err(e) => panic!("{e}"),
        }
    };
    let layers =
        [Layer::conv("conv1", 3, 227, 227, 96, 11, 11, 4, 0), Layer::conv("conv3", 256, 13, 13, 384, 3, 3, 1, 1)];
    for l in &layers {
        let p = Problem::from_layer(l);
        let fresh: Vec<_> = sizes.iter().map(|&kb| mapper::search(&hier(kb, 4.0), &p, Objective::Edp, 2000)).collect();
        // A prelude made for the smallest or the largest buffer (or another
        // partition) then serves every size.
        for (first, w) in [(sizes[0], 4.0), (sizes[4], 4.0), (sizes[2], 1.0)] {
            mapper::clear_prelude_cache();
            let _ = mapper::search_with(&hier(first, w), &p, Objective::Edp, 2000, true);
            for (kb, want) in sizes.iter().zip(&fresh) {
                let got = mapper::search_with(&hier(*kb, 4.0), &p, Objective::Edp, 2000, true);
                assert_eq!(&got, want, "{}: {kb} KiB after {first} KiB", l.name);
            }
        }
        // The sizes matter (so a stale whole result could not pass): a small
        // buffer costs energy, and CONV1's smallest pass does not fit 8 KiB.
        let energies: Vec<f64> = fresh.iter().filter_map(|r| r.as_ref().ok()).map(|(s, _)| s.energy_pj).collect();
        assert!(energies.len() >= 4, "{}: {fresh:?}", l.name);
        assert!(energies[0] > energies[energies.len() - 1] * 1.01, "{}: {energies:?}", l.name);
    }
}

mod legality {
    use super::*;
    use proptest::prelude::*;

    const DATAFLOWS: [&str; 6] = ["rs", "ws", "osa", "osb", "osc", "nlr"];

    fn arch(rows: u32, cols: u32, rf_words: u32, glb_kb: u32, df: &str) -> Arch {
        let text = format!(
            "version = 1\nname = \"p\"\nclock_mhz = 100.0\n[pe_array]\nrows = {rows}\ncols = {cols}\nkind = \"spatial\"\n\
             dataflow = \"{df}\"\n[[levels]]\nname = \"dram\"\noff_chip = true\nbandwidth_words_per_cycle = 2.0\n\
             [[levels]]\nname = \"glb\"\ncapacity_kb = {glb_kb}.0\n[[levels]]\nname = \"rf\"\ncapacity_kb = {}\n\
             instances = {}\n[energy]\nmac_pj = 1.0\nnoc_hop_pj = 2.0\n[mapper]\nbudget = 200\n\
             [spatial]\nnoc_words_per_cycle = {{ weights = 2.0, inputs = 1.0, psums = 2.0 }}\n",
            f64::from(rf_words) * 2.0 / 1024.0,
            rows * cols
        );
        match Arch::from_toml("p.toml", &text) {
            Ok(a) => a,
            Err(e) => panic!("{e}"),
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]
        /// No chosen mapping overflows a buffer or the array, every loop is
        /// covered, every MAC is counted once and utilization stays <= 1.
        #[test]
        fn chosen_mappings_are_legal(
            rows in 1u32..7, cols in 1u32..7, rf_words in 4u32..300, glb_kb in 1u32..40, df in 0usize..6,
            n in 1u64..3, c in 1u64..12, k in 1u64..12, hw in 3u64..14, r in 1u64..4, stride in 1u64..3,
            pad in 0u64..2, grouped in any::<bool>(),
        ) {
            let a = arch(rows, cols, rf_words, glb_kb, DATAFLOWS[df]);
            let r = r.min(hw);
            let mut l = Layer::conv("l", c * 2, hw, hw, k * 2, r, r, stride, pad);
            l.n = n;
            if grouped { l = l.grouped(2); }
            prop_assume!(l.check().is_empty());
            match plan(&a, &l) {
                Ok(p) => {
                    let t = p.mapping.tiling(&p.problem);
                    let occ = model::occupancy(&p.hierarchy, &p.problem, &t);
                    prop_assert!(model::fits(&p.hierarchy, &p.mapping, &occ).is_ok());
                    let (ry, cx) = p.mapping.array_use();
                    prop_assert!(ry <= u64::from(rows) && cx <= u64::from(cols));
                    prop_assert!(p.mapping.covers(&p.problem));
                    prop_assert_eq!(p.counts.macs, l.macs() as f64);
                    let mut res = p.result(&a);
                    res.macs = l.macs();
                    price(&a, &mut res);
                    prop_assert!(res.utilization() <= 1.0 + 1e-9);
                    let e = &res.energy;
                    let sum = e.mac_pj + e.noc_pj + e.leakage_pj + e.levels_pj.iter().sum::<f64>();
                    prop_assert!((e.total_pj - sum).abs() <= 1e-9 * sum.max(1.0));
                    prop_assert!(res.busy_pe_cycles <= (res.compute_cycles * res.pes) as f64 + 1e-6);
                }
                Err(SimError::NoMapping { .. }) | Err(SimError::Arch(_)) => {}
                Err(e) => prop_assert!(false, "unexpected error {e}"),
            }
        }
    }
}
