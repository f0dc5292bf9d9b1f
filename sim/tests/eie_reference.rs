//! EIE against its paper (Han et al., ISCA 2016), figures from docs/reference/eie.toml:
//! the shapes of Fig. 8 and Fig. 11 and the statements of Sec. VI-C and VIII.
//! The per-layer latencies (Table IV), the depth-1 figure, the 256/64-PE ratio
//! and the energies are `eyrie validate`'s (`sim/src/validate/eie.rs`),
//! asserted in `tests/validate.rs`.
//!
//! Tolerances are stated in docs/eie.md before the results: 10 % per figure.
//! Where eyrie misses one, the test pins the documented miss (so a change
//! that moves it is noticed) and docs/eie.md explains it. Run with
//! `cargo test -p eyrie-sim --test eie_reference -- --nocapture` to print
//! every (paper, eyrie, error) row.

use std::sync::OnceLock;

use eyrie_arch::{Arch, EieParams};
use eyrie_sim::engines::eie::matrix::{Csc, PeSlices, synthetic_activations};
use eyrie_sim::engines::eie::{MatrixRun, derive_seed, layer_matrix, run_matrix};
use eyrie_sim::{LayerResult, RunOptions, simulate_layer};
use eyrie_workloads::compress::CompressedNetwork;
use eyrie_workloads::zoo;

const REFERENCE: &str = include_str!("../../docs/reference/eie.toml");
const SEED: u64 = 1;

/// The numbers of figure `id` (a scalar or an array).
fn figure(id: &str) -> Vec<f64> {
    let doc: toml::Table = match toml::from_str(REFERENCE) {
        Ok(d) => d,
        Err(e) => panic!("docs/reference/eie.toml: {e}"),
    };
    let figs = doc.get("figure").and_then(|f| f.as_array()).cloned().unwrap_or_default();
    let Some(fig) = figs.iter().find(|f| f.get("id").and_then(|i| i.as_str()) == Some(id)) else {
        panic!("no figure {id}")
    };
    let num = |v: &toml::Value| v.as_float().or_else(|| v.as_integer().map(|i| i as f64));
    match fig.get("value") {
        Some(toml::Value::Array(a)) => a.iter().filter_map(num).collect(),
        Some(v) => num(v).into_iter().collect(),
        None => Vec::new(),
    }
}

fn arch(sets: &[(&str, &str)]) -> Arch {
    let sets: Vec<(String, String)> = sets.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
    match Arch::load("eie", &sets) {
        Ok(a) => a,
        Err(e) => panic!("{e}"),
    }
}

/// The nine benchmark layers through the whole engine on the preset, priced (run once).
fn preset_results() -> &'static [LayerResult] {
    static RESULTS: OnceLock<Vec<LayerResult>> = OnceLock::new();
    RESULTS.get_or_init(|| {
        let a = arch(&[]);
        let net = zoo::eie_bench();
        let comp = CompressedNetwork::dense(net.clone(), 16);
        net.layers.iter().zip(&comp.layers).map(|(l, c)| simulate_layer(&a, l, c, &RunOptions { seed: SEED, ..RunOptions::default() })).collect()
    })
}

fn err_pct(ours: f64, paper: f64) -> f64 {
    100.0 * (ours / paper - 1.0)
}

/// Every benchmark layer's weight structure and activation vector, as the engine draws them (drawn once).
fn bench_inputs() -> &'static [(Csc, Vec<u32>)] {
    static INPUTS: OnceLock<Vec<(Csc, Vec<u32>)>> = OnceLock::new();
    INPUTS.get_or_init(draw_inputs)
}

fn draw_inputs() -> Vec<(Csc, Vec<u32>)> {
    let net = zoo::eie_bench();
    let comp = CompressedNetwork::dense(net.clone(), 16);
    net.layers
        .iter()
        .zip(&comp.layers)
        .map(|(l, c)| {
            let csc = match layer_matrix(l, c, SEED) {
                Ok(c) => c,
                Err(e) => panic!("{e}"),
            };
            (csc, synthetic_activations(l.c as u32, l.act_density, derive_seed(SEED, &l.name, 1)))
        })
        .collect()
}

/// Slices of a layer's matrix for the PEs of `a`.
fn slices(a: &Arch, csc: &Csc) -> PeSlices {
    let p = a.eie.clone().unwrap_or_else(EieParams::paper);
    let s = csc.as_ref().and_then(|c| PeSlices::from_csc(c, a.pe_array.pes() as u32, p.index_bits, p.act_rf_entries));
    match s {
        Ok(s) => s,
        Err(e) => panic!("{e}"),
    }
}

/// Run slices at a queue depth.
fn run(a: &Arch, s: &PeSlices, acts: &[u32], queue_depth: u32) -> MatrixRun {
    let mut p = a.eie.clone().unwrap_or_else(EieParams::paper);
    p.queue_depth = queue_depth;
    run_matrix(&p, s, [acts])
}

#[test]
fn queue_depth_sweep_fig8() {
    let a = arch(&[]);
    let depths = [1u32, 2, 4, 8, 16, 32, 64, 128, 256];
    let names: Vec<String> = zoo::eie_bench().layers.iter().map(|l| l.name.clone()).collect();
    let mut eff = vec![vec![0.0; depths.len()]; names.len()];
    for (row, (csc, acts)) in eff.iter_mut().zip(bench_inputs()) {
        let s = slices(&a, csc);
        for (d, &depth) in depths.iter().enumerate() {
            row[d] = run(&a, &s, acts, depth).load_balance_efficiency();
        }
    }
    println!("load-balance efficiency (1 - starved PE-cycles / PE-cycles), 64 PEs");
    println!("layer    {}", depths.map(|d| format!("{d:>6}")).join(""));
    for (n, row) in names.iter().zip(&eff) {
        println!("{n:8} {}", row.iter().map(|e| format!("{e:6.3}")).collect::<String>());
        // Deeper queues never lower the efficiency (EIE Fig. 8's shape).
        assert!(row.windows(2).all(|w| w[1] >= w[0] - 1e-12), "{n}: {row:?}");
        // Diminishing returns beyond depth 8 (Sec. VI-C): most of the gain is reached at 8.
        assert!(row[8] - row[3] < 0.1 * (row[8] - row[0]).max(0.0) + 0.05, "{n}: {row:?}");
    }
    // "At FIFO size = 1, around half of the total cycles are idle" (Sec. VI-C).
    let mean1 = eff.iter().map(|r| r[0]).sum::<f64>() / eff.len() as f64;
    println!("mean at depth 1: {mean1:.3} (paper: about 0.5)");
    assert!((0.4..=0.6).contains(&mean1), "{mean1}");
    // NT-We has the poorest load balance (Sec. VI-C).
    let at8: Vec<f64> = eff.iter().map(|r| r[3]).collect();
    let worst = at8.iter().enumerate().min_by(|x, y| x.1.total_cmp(y.1)).map(|(i, _)| names[i].as_str());
    assert_eq!(worst, Some("NT-We"));
}

#[test]
fn pe_count_scaling_fig11_and_sec8() {
    let pes = [1u32, 64, 256];
    let names: Vec<String> = zoo::eie_bench().layers.iter().map(|l| l.name.clone()).collect();
    println!("layer    speedup@64  speedup@256  256/64");
    let mut at256_over_64 = Vec::new();
    for (n, (csc, acts)) in names.iter().zip(bench_inputs()) {
        let cycles: Vec<f64> = pes
            .iter()
            .map(|&p| {
                let a = arch(&[("pe_array.cols", &p.to_string())]);
                run(&a, &slices(&a, csc), acts, 8).timing.cycles as f64
            })
            .collect();
        let (s64, s256) = (cycles[0] / cycles[1], cycles[0] / cycles[2]);
        println!("{n:8} {s64:10.1} {s256:12.1} {:7.2}", s256 / s64);
        at256_over_64.push(s256 / s64);
        // "Good scalability on all benchmarks except NT-We" (Sec. VII-B): near-linear to 64 PEs.
        if n != "NT-We" {
            assert!(s64 > 0.9 * 64.0, "{n}: {s64}");
        } else {
            assert!(s64 < 0.8 * 64.0, "{n}: {s64}");
        }
    }
    // Sec. VIII: "With 256 PEs, EIE has 3.25x more throughput than 64 PEs" (Table V context:
    // AlexNet FC7). Documented miss: eyrie gives 3.69 (+13.5 %), see docs/eie.md.
    let paper = figure("headline.scaling_256pe")[0];
    let ours = at256_over_64[1];
    println!("Alex-7 256 vs 64 PEs: paper {paper}, eyrie {ours:.2} ({:+.1} %)", err_pct(ours, paper));
    assert!((5.0..20.0).contains(&err_pct(ours, paper)), "{ours}");
}

#[test]
fn energy_per_layer_and_breakdown() {
    let a = arch(&[]);
    let net = zoo::eie_bench();
    let actual = figure("table4_latency.eie.actual");
    let watts = figure("arch.chip_power_64pe")[0] / 1e3;
    let level = |n: &str| a.level_index(n).unwrap_or(usize::MAX);
    println!("layer    paper_uJ eyrie_uJ  err%   spmat%  ptr%  arith%  act_rw%  queue%  clock%");
    for (i, l) in net.layers.iter().enumerate() {
        let r = &preset_results()[i];
        let e = &r.energy;
        let lv = |n: &str| e.levels_pj.get(level(n)).copied().unwrap_or(0.0);
        let pct = |x: f64| 100.0 * x / e.total_pj;
        // The paper's energy is measured power × time (Sec. VI-B): 0.59 W × actual time.
        let paper_uj = watts * actual[i];
        let ours_uj = e.total_pj / 1e6;
        println!(
            "{:8} {:8.2} {:8.2} {:+6.1} {:7.1} {:5.1} {:7.1} {:8.1} {:7.1} {:7.1}",
            l.name,
            paper_uj,
            ours_uj,
            err_pct(ours_uj, paper_uj),
            pct(lv("spmat")),
            pct(lv("ptr")),
            pct(e.mac_pj + lv("codebook")),
            pct(lv("act_rf") + lv("act_sram")),
            pct(lv("act_queue")),
            pct(e.leakage_pj)
        );
        let on_chip = r.extra("weights_on_chip") == Some(1.0);
        if on_chip {
            // Documented miss: eyrie is 0–60 % above the paper (Horowitz's 45 nm SRAM figures
            // make a 64-bit read of the 128 KB Spmat SRAM cost 52 pJ); see docs/eie.md.
            assert!((-5.0..60.0).contains(&err_pct(ours_uj, paper_uj)), "{}", l.name);
            // Table II: the sparse-matrix SRAM is the largest consumer, except on NT-We, where
            // every PE reads a pointer pair for each of 4,096 columns holding ~1 entry.
            if l.name != "NT-We" {
                assert!(lv("spmat") > 0.4 * e.total_pj, "{}", l.name);
            } else {
                assert!(lv("ptr") > lv("spmat"), "{}", l.name);
            }
        } else {
            // VGG-6's 25,089 pointers per PE (50 KB) exceed the 32 KB pointer SRAM.
            assert_eq!(l.name, "VGG-6");
        }
    }
    let t2 = |m: &str| figure(&format!("table2_pe_breakdown.by_module.{m}"))[1];
    println!(
        "Table II power shares: spmat {} ptr {} arith {} act_rw {} queue {}",
        t2("spmat_read"),
        t2("ptr_read"),
        t2("arithm_unit"),
        t2("act_rw"),
        t2("act_queue")
    );
}
