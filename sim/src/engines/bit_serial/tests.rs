//! Hand-computed cycle and access counts for the DaDianNao and Stripes engines.

use eyrie_arch::{Arch, PrecisionGroup, TileGeometry, WindowOrder};
use eyrie_workloads::Layer;
use eyrie_workloads::compress::LayerCompression;

use super::precision::{dynamic_steps_cycles, group_bits, synthetic_activations};
use super::stripes::{FcSchedule, fc_cycles, multiplex_cycles};
use super::*;
use crate::engines::Engine;
use crate::{LayerResult, RunOptions, simulate_layer};

fn preset(name: &str, sets: &[(&str, &str)]) -> Arch {
    let sets: Vec<(String, String)> = sets.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect();
    match Arch::load(name, &sets) {
        Ok(a) => a,
        Err(e) => panic!("{e}"),
    }
}

/// A small node: 2 tiles × 2 filters × 4 terms; `windows` SIP columns.
fn small(kind: &str, windows: u32) -> Arch {
    let cols = windows.to_string();
    preset(
        kind,
        &[
            ("bit_serial.tiles", "2"),
            ("bit_serial.terms_per_filter", "4"),
            ("pe_array.rows", "2"),
            ("pe_array.cols", &cols),
        ],
    )
}

fn comp(act_bits: Option<u32>) -> LayerCompression {
    LayerCompression {
        weight_density: 1.0,
        weight_bits: 16,
        index_bits: 0,
        act_bits,
        encoded_bytes: 0,
        huffman_bytes: None,
        format: eyrie_workloads::compress::Format::Dense,
        sparse: None,
    }
}

fn run(arch: &Arch, layer: &Layer, bits: Option<u32>) -> LayerResult {
    let r = simulate_layer(arch, layer, &comp(bits), &RunOptions::default());
    assert_eq!(r.status, crate::Status::Ok, "{:?}", r.status);
    r
}

/// 6 channels (2 bricks of 4: one full, one with 2 idle lanes), 5 filters (2 sets
/// of 4: the second with 3 idle filter lanes), 5×5 input, 3×3 filter → 3×3 = 9 windows.
fn edge_layer() -> Layer {
    Layer::conv("edge", 6, 5, 5, 5, 3, 3, 1, 0)
}

#[test]
fn dadiannao_small_layer_with_edge_effects() {
    let arch = small("dadiannao", 1);
    let r = run(&arch, &edge_layer(), None);
    // 2 filter sets × 9 windows × (3·3 taps × 2 bricks) = 2 × 9 × 18.
    assert_eq!(r.cycles, 324);
    // 5·6·9·9 = 2430 MACs on 2·2·4 = 16 lanes for 324 cycles.
    assert_eq!(r.macs, 2430);
    assert_eq!(r.pes, 16);
    assert!((r.utilization() - 2430.0 / (324.0 * 16.0)).abs() < 1e-12);
}

#[test]
fn stripes_small_layer_partial_pallets_in_both_orders() {
    // 4 columns: ⌈9/4⌉ = 3 pallets (flat) = 3 rows × ⌈3/4⌉ (row): 2 sets × 3 × 18 steps × 5 bits.
    let arch = small("stripes", 4);
    assert_eq!(run(&arch, &edge_layer(), Some(5)).cycles, 540);
    // 2 columns: flat ⌈9/2⌉ = 5 pallets; by rows 3 × ⌈3/2⌉ = 6 pallets.
    let arch = small("stripes", 2);
    assert_eq!(run(&arch, &edge_layer(), Some(5)).cycles, 2 * 5 * 18 * 5);
    let mut row = arch.clone();
    if let Some(b) = row.bit_serial.as_mut() {
        b.window_order = WindowOrder::Row;
    }
    assert_eq!(run(&row, &edge_layer(), Some(5)).cycles, 2 * 6 * 18 * 5);
}

#[test]
fn grouped_layer_runs_groups_one_after_the_other() {
    // 8 → 6 channels in 2 groups: per group 3 filters (1 set of 4) and 4 channels (1 brick).
    let l = Layer::conv("g", 8, 4, 4, 6, 1, 1, 1, 0).grouped(2);
    let arch = small("dadiannao", 1);
    assert_eq!(run(&arch, &l, None).cycles, 2 * 16);
    let arch = small("stripes", 4);
    assert_eq!(run(&arch, &l, Some(3)).cycles, 2 * 4 * 3);
}

#[test]
fn speedup_is_exactly_16_over_p_when_the_layer_divides_the_tiles() {
    // 256 filters = 16 tiles × 16, 32 channels = 2 bricks, 8×8 = 64 windows = 4 pallets.
    let l = Layer::conv("even", 32, 8, 8, 256, 3, 3, 1, 1);
    let d = run(&preset("dadiannao", &[]), &l, None);
    assert_eq!(d.cycles, 64 * 9 * 2);
    let s = preset("stripes", &[]);
    for p in 1..=16u32 {
        let r = run(&s, &l, Some(p));
        assert_eq!(r.cycles * 16, d.cycles * u64::from(p), "p = {p}");
        assert_eq!(r.extra("act_bits"), Some(f64::from(p)));
        // Both engines fill every lane: utilization 1 at any precision.
        assert!((r.utilization() - 1.0).abs() < 1e-12 && (d.utilization() - 1.0).abs() < 1e-12);
    }
}

#[test]
fn dadiannao_ignores_precision_and_stripes_defaults_to_the_word() {
    let l = Layer::conv("even", 32, 8, 8, 256, 3, 3, 1, 1);
    let d = preset("dadiannao", &[]);
    assert_eq!(run(&d, &l, Some(4)).cycles, run(&d, &l, None).cycles);
    let s = preset("stripes", &[]);
    assert_eq!(run(&s, &l, None).cycles, run(&d, &l, None).cycles);
    let a = preset("stripes", &[("bit_serial.act_bits", "8")]);
    assert_eq!(run(&a, &l, None).cycles * 2, run(&d, &l, None).cycles);
    // The network's precision wins over the arch default.
    assert_eq!(run(&a, &l, Some(4)).cycles * 4, run(&d, &l, None).cycles);
}

#[test]
fn bad_precision_is_a_clear_layer_error() {
    let s = preset("stripes", &[]);
    let r = simulate_layer(&s, &edge_layer(), &comp(Some(17)), &RunOptions::default());
    let crate::Status::Failed(m) = r.status else { panic!("accepted 17 bits") };
    assert!(m.contains("layer `edge`: activation precision 17 bits is outside 1..=16"), "{m}");
    let r = simulate_layer(&s, &edge_layer(), &comp(Some(0)), &RunOptions::default());
    assert!(matches!(r.status, crate::Status::Failed(_)));
}

#[test]
fn fc_layers_get_no_gain_unless_weights_are_serial() {
    let geo = TileGeometry { tiles: 16, filters_per_tile: 16, terms: 16, windows: 16 };
    // Column multiplexing, p ≤ columns: brick j starts at cycle j; the last ends p later.
    assert_eq!(multiplex_cycles(8, 16, 16), 7 + 16);
    // p > columns: each column is busy p cycles, so 3 rounds of 4 start at 0, 6, 12.
    assert_eq!(multiplex_cycles(12, 4, 6), 2 * 6 + 3 + 6);
    assert_eq!(multiplex_cycles(0, 4, 6), 0);
    let fc6 = Layer::fc("fc6", 9216, 4096);
    let m = mapping(&geo, WindowOrder::Flat, &fc6, 16);
    assert_eq!((m.filter_sets, m.chunks), (16, 576));
    // DaDianNao: 16 sets × 576 bricks = 9216 cycles; Stripes: 9215 + p.
    assert_eq!(fc_cycles(&geo, &m, &fc6, 9, None), (9215 + 9, FcSchedule::ColumnMultiplex));
    // Serial 8-bit weights: one set of 16·16·16 = 4096 filters, 576 bricks × 8 cycles = 16/8 faster.
    assert_eq!(fc_cycles(&geo, &m, &fc6, 9, Some(8)), (576 * 8, FcSchedule::SerialWeights));
    // A batch of 32 images fills the columns: 16 sets × 2 pallets × 576 × 9 bits.
    let b = Layer { n: 32, ..fc6.clone() };
    let m = mapping(&geo, WindowOrder::Flat, &b, 16);
    assert_eq!(fc_cycles(&geo, &m, &b, 9, None), (16 * 2 * 576 * 9, FcSchedule::RowsAsWindows));
    // Through the engine: DaDianNao 9216 cycles, Stripes (16-bit FC) 9231.
    let d = run(&preset("dadiannao", &[]), &fc6, None);
    let s = run(&preset("stripes", &[]), &fc6, None);
    assert_eq!((d.cycles, s.cycles), (9216, 9231));
    assert_eq!(s.extra("fc_schedule"), Some(2.0));
}

#[test]
fn memory_counts_of_a_small_layer() {
    // edge layer: 270 weights, 150 input words, 45 output words; both fit NM.
    let l = edge_layer();
    let d = run(&small("dadiannao", 1), &l, None);
    let s = run(&small("stripes", 4), &l, Some(8));
    let lv = |r: &LayerResult, name: &str| r.levels.iter().find(|x| x.name == name).cloned().unwrap_or_default();
    for r in [&d, &s] {
        assert_eq!(lv(r, "dram").reads.weights, 270);
        assert_eq!(lv(r, "dram").reads.inputs, 0);
        assert_eq!(lv(r, "sb").writes.weights, 270);
        // Each of 9 windows reads 3·3·6 = 54 words per filter set, 2 sets.
        assert_eq!(lv(r, "nm").reads.inputs, 2 * 9 * 54);
        assert_eq!(lv(r, "nm").writes.outputs, 45);
        assert_eq!(lv(r, "nbout").writes.outputs, 45);
    }
    // DaDianNao's preset shares an SB read among 16 windows: all 9 here, so each weight once.
    assert_eq!(lv(&d, "sb").reads.weights, 270);
    let d1 = preset("dadiannao", &[("bit_serial.weight_reuse_windows", "1")]);
    assert_eq!(lv(&run(&d1, &l, None), "sb").reads.weights, 270 * 9);
    // Stripes: one read per pallet (3 pallets of 4 columns).
    assert_eq!(lv(&s, "sb").reads.weights, 270 * 3);
    // NBin: ⌈5 / 2⌉ = 3 tile loads × 9 windows × 54 words; Stripes sends 8 of 16 bits.
    assert_eq!(lv(&d, "nbin").writes.inputs, 3 * 9 * 54);
    assert_eq!(lv(&s, "nbin").writes.inputs, 3 * 9 * 54 / 2);
    assert_eq!(s.noc_words.inputs, 3 * 9 * 54 / 2);
    // Energy: Stripes at 8 bits performs half of the 16-bit MAC work.
    assert_eq!(s.effective_macs * 2, s.macs);
    assert_eq!(d.effective_macs, d.macs);
}

#[test]
fn layers_larger_than_nm_stream_through_dram() {
    // 64×224×224 in and out: 2 × 3.2 M words = 12.8 MB > 4 MB NM.
    let l = Layer::conv("big", 64, 224, 224, 64, 3, 3, 1, 1);
    let r = run(&preset("dadiannao", &[]), &l, None);
    assert_eq!(r.levels[0].reads.inputs, 64 * 224 * 224);
    assert_eq!(r.levels[0].writes.outputs, 64 * 224 * 224);
}

#[test]
fn group_precision_trims_leading_and_trailing_zeros() {
    assert_eq!(group_bits(0, true), 0);
    assert_eq!(group_bits(0b1, true), 1);
    assert_eq!(group_bits(0b0110_1000, true), 4);
    assert_eq!(group_bits(0b0110_1000, false), 7);
    assert_eq!(group_bits(0x8001, true), 16);
    assert_eq!(group_bits(0x8000, true), 1);
}

#[test]
fn dynamic_precision_on_hand_made_groups() {
    // 1×1 conv, 4 channels = one brick, input 1×4 → 4 windows, 2 SIP columns → 2 pallets.
    let l = Layer::conv("d", 4, 1, 4, 2, 1, 1, 1, 0);
    let geo = TileGeometry { tiles: 1, filters_per_tile: 2, terms: 4, windows: 2 };
    // acts[c][x]: brick ORs per window x: 0b0110 (bits 1-2: 2), 0b1000_0000 (1), 0b1_0001 (5), 0 (0).
    #[rustfmt::skip]
    let acts: Vec<u16> = vec![
        0b0010, 0b1000_0000, 0b1_0000, 0,
        0b0100, 0,           0b0001,   0,
        0,      0b1000_0000, 0,        0,
        0b0110, 0,           0b1_0001, 0,
    ];
    let brick = |trim| dynamic_steps_cycles(&l, &acts, &geo, WindowOrder::Flat, PrecisionGroup::Brick, trim);
    // Pallet 1: max(2, 1) = 2; pallet 2: max(5, 0) = 5.
    assert_eq!(brick(true).ok(), Some(7));
    // Leading zeros only: max(3, 8) + max(5, 0).
    assert_eq!(brick(false).ok(), Some(13));
    // One detector per pallet: OR 0b1000_0110 → 7 bits; OR 0b1_0001 → 5 bits.
    let pallet = dynamic_steps_cycles(&l, &acts, &geo, WindowOrder::Flat, PrecisionGroup::Pallet, true);
    assert_eq!(pallet.ok(), Some(12));
    // An all-zero step still takes one cycle.
    let zeros = vec![0u16; 16];
    assert_eq!(dynamic_steps_cycles(&l, &zeros, &geo, WindowOrder::Flat, PrecisionGroup::Brick, true).ok(), Some(2));
    assert!(dynamic_steps_cycles(&l, &zeros[..8], &geo, WindowOrder::Flat, PrecisionGroup::Brick, true).is_err());
}

#[test]
fn dynamic_padding_reads_zeros() {
    // 3×3 filter, pad 1 on a 1×1 input of one brick: only the centre tap sees data.
    let l = Layer::conv("pad", 4, 1, 1, 1, 3, 3, 1, 1);
    let geo = TileGeometry { tiles: 1, filters_per_tile: 1, terms: 4, windows: 1 };
    let acts = vec![0b1111u16, 0, 0, 0];
    let c = dynamic_steps_cycles(&l, &acts, &geo, WindowOrder::Flat, PrecisionGroup::Brick, true);
    assert_eq!(c.ok(), Some(8 + 4));
}

#[test]
fn synthetic_activations_are_seeded_relud_and_quantized() {
    let l = Layer::conv("s", 16, 20, 20, 16, 3, 3, 1, 1).with_act_density(0.4);
    let a = synthetic_activations(&l, 7, 1);
    assert_eq!(a.len(), 16 * 20 * 20);
    assert_eq!(a, synthetic_activations(&l, 7, 1));
    assert_ne!(a, synthetic_activations(&l, 7, 2));
    assert_eq!(a.iter().copied().max(), Some(127));
    let nz = a.iter().filter(|&&v| v > 0).count() as f64 / a.len() as f64;
    // 40 % positive before rounding; values below half a step round to zero.
    assert!(nz <= 0.4 + 1e-9 && nz > 0.35, "{nz}");
}

#[test]
fn dynamic_precision_is_at_most_static_and_deterministic() {
    let l = Layer::conv("c", 32, 12, 12, 64, 3, 3, 1, 1).with_act_density(0.5);
    let s = preset("stripes", &[("bit_serial.dynamic_precision", "true")]);
    let a = run(&s, &l, Some(9));
    let b = run(&s, &l, Some(9));
    assert_eq!(a.cycles, b.cycles);
    let stat = a.extra("static_cycles").unwrap_or(0.0);
    // 9 pallets of 16 windows × 9 taps × 2 bricks × 9 bits, one filter set.
    assert_eq!(stat, (9 * 9 * 2) as f64 * 9.0);
    // 256 i.i.d. activations per lockstep step: the slowest brick nearly always needs all 9 bits.
    assert!((a.cycles as f64) <= stat);
    let engine: &dyn Engine = &Stripes;
    assert_eq!(engine.name(), "stripes");
}

#[test]
fn dynamic_precision_gains_when_groups_are_small_and_sparse() {
    // One SIP column of 4 lanes: at density 0.2 about 0.8^4 = 41 % of bricks are all zero (1 cycle).
    let l = Layer::conv("c", 32, 12, 12, 4, 3, 3, 1, 1).with_act_density(0.2);
    let mut s = small("stripes", 1);
    if let Some(b) = s.bit_serial.as_mut() {
        b.dynamic_precision = true;
    }
    let r = run(&s, &l, Some(9));
    let gain = r.extra("dynamic_speedup").unwrap_or(0.0);
    assert!(gain > 1.5 && gain < 9.0, "{gain}");
    assert!((r.cycles as f64 * gain - r.extra("static_cycles").unwrap_or(0.0)).abs() < 1e-6);
}

#[test]
fn pooling_takes_the_same_time_on_both_engines() {
    // AlexNet pool1: 96 × 27 × 27 outputs × 9 compares on 16·16·16 = 4096 lanes.
    let l = Layer::pool("pool1", 96, 55, 55, 3, 2, 0);
    let d = run(&preset("dadiannao", &[]), &l, None);
    let s = run(&preset("stripes", &[]), &l, Some(4));
    assert_eq!((d.cycles, s.cycles), (154, 154));
    assert_eq!(d.levels[0].reads.inputs, 96 * 55 * 55);
}

#[test]
fn serial_weights_take_the_compressors_weight_bits() {
    let fc6 = Layer::fc("fc6", 9216, 4096);
    let s = preset("stripes", &[("bit_serial.serial_weights", "true")]);
    let c = LayerCompression { weight_bits: 8, ..comp(Some(9)) };
    let r = simulate_layer(&s, &fc6, &c, &RunOptions::default());
    // One set of 4096 filters, 576 bricks × 8 weight bits: 16/8 = 2× DaDianNao's 9216 cycles.
    assert_eq!((r.cycles, r.extra("fc_schedule")), (576 * 8, Some(3.0)));
    assert_eq!(r.effective_macs * 2, r.macs);
    // 16-bit weights: serial weights take 576 × 16 = 9216 cycles, DaDianNao's time,
    // just ahead of column multiplexing (9215 + 9).
    let r = simulate_layer(&s, &fc6, &comp(Some(9)), &RunOptions::default());
    assert_eq!((r.cycles, r.extra("fc_schedule")), (9216, Some(3.0)));
}
