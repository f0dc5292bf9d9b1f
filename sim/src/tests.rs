use super::*;
use eyrie_workloads::zoo;

fn systolic() -> Arch {
    match Arch::load("systolic", &[]) {
        Ok(a) => a,
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn nomac_layer_moves_each_word_once_off_chip() {
    let arch = systolic();
    let l = Layer::pool("p", 8, 10, 10, 2, 2, 0);
    let mut r = engines::nomac::run(&arch, &l);
    accounting::price(&arch, &mut r);
    assert_eq!(r.levels[0].reads.inputs, 800);
    assert_eq!(r.levels[0].writes.outputs, 200);
    assert_eq!(r.dram_read_bytes, 800);
    // 800 + 200 words at 10 words/cycle = 100 cycles; 200 outputs × 4 compares / 1024 PEs = 1 cycle.
    assert_eq!((r.compute_cycles, r.cycles), (1, 100));
}

#[test]
fn energy_total_is_exact_sum_of_components() {
    let arch = systolic();
    let l = Layer::eltwise("e", 64, 56, 56, 2);
    let mut r = engines::nomac::run(&arch, &l);
    r.effective_macs = 1234;
    r.noc_words.inputs = 99;
    accounting::price(&arch, &mut r);
    let e = &r.energy;
    let sum = e.mac_pj + e.noc_pj + e.leakage_pj + e.levels_pj.iter().sum::<f64>();
    assert_eq!(e.total_pj, sum);
    let lv: f64 = r.levels.iter().map(LevelStats::total_energy_pj).sum();
    assert_eq!(lv, e.levels_pj.iter().sum::<f64>());
    assert!((e.mac_pj - 1234.0 * 0.3).abs() < 1e-9);
}

#[test]
fn failed_layers_do_not_stop_the_network() {
    let mut arch = systolic();
    arch.pe_array.kind = eyrie_arch::PeKind::Eie;
    let net = CompressedNetwork::dense(zoo::lenet5(), 16);
    let r = simulate(&arch, &net, &RunOptions::default());
    assert_eq!(r.layers.len(), 6);
    assert!(r.failed_layers() > 0);
}
