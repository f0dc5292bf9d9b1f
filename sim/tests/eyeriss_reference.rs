//! Eyeriss against its papers, with the tolerances stated in docs/eyeriss.md.
//!
//! * JSSC 2017 Table V (the chip, AlexNet CONV1–5, batch 4): DRAM accesses,
//!   processing latency and total latency per layer within 15 %, both with
//!   the mapper's own mappings (the `eyeriss` preset as shipped) and with the
//!   published Table III mappings (the model alone).
//! * ISCA 2016 (256 PEs, equal storage area, AlexNet batch 16): RS has the
//!   lowest energy per MAC; the spread of the other dataflows' ratios to RS
//!   on CONV layers matches "1.4x to 2.5x" within 20 % at both ends; on FC
//!   layers RS wins by at least 1.3x within 20 %.
//! * JSSC 2017 Table VI (VGG-16, batch 3) is a documented partial miss:
//!   CONV4–5 processing latency within 20 %; CONV1–3 the model is faster by
//!   the band asserted below (see docs/eyeriss.md for why).
//!
//! Run with `-- --nocapture` to print every figure and its error.

use std::sync::OnceLock;

use eyrie_arch::Arch;
use eyrie_sim::engines::spatial::problem::Problem;
use eyrie_sim::engines::spatial::reference::{ALEXNET_TABLE3, eyeriss_table3};
use eyrie_sim::engines::spatial::{plan, plan_mapping};
use eyrie_sim::{LayerResult, RunOptions, SimResult, accounting, simulate};
use eyrie_workloads::compress::CompressedNetwork;
use eyrie_workloads::{Network, zoo};

const REFERENCE: &str = include_str!("../../docs/reference/eyeriss.toml");
/// JSSC 2017 Table V tolerance (relative error per figure).
const JSSC_TOL: f64 = 0.15;
/// ISCA 2016 ratio tolerance.
const ISCA_TOL: f64 = 0.20;

fn figure(id: &str) -> Vec<f64> {
    static DOC: OnceLock<toml::Table> = OnceLock::new();
    let doc = DOC.get_or_init(|| toml::from_str(REFERENCE).unwrap_or_default());
    let figs = doc.get("figure").and_then(|f| f.as_array()).cloned().unwrap_or_default();
    let Some(f) = figs.iter().find(|f| f.get("id").and_then(|i| i.as_str()) == Some(id)) else {
        panic!("figure {id} missing from docs/reference/eyeriss.toml")
    };
    match f.get("value") {
        Some(toml::Value::Array(a)) => {
            a.iter().map(|v| v.as_float().or(v.as_integer().map(|i| i as f64)).unwrap_or(f64::NAN)).collect()
        }
        Some(v) => vec![v.as_float().or(v.as_integer().map(|i| i as f64)).unwrap_or(f64::NAN)],
        None => panic!("figure {id} has no value"),
    }
}

fn load(name: &str) -> Arch {
    match Arch::load(name, &[]) {
        Ok(a) => a,
        Err(e) => panic!("{name}: {e}"),
    }
}

fn run(arch: &Arch, net: Network) -> SimResult {
    let r = simulate(arch, &CompressedNetwork::dense(net, arch.word_bits), &RunOptions::default());
    assert_eq!(r.failed_layers(), 0, "{:?}", r.layers.iter().map(|l| &l.status).collect::<Vec<_>>());
    r
}

struct Check {
    what: String,
    paper: f64,
    model: f64,
    tol: f64,
}

impl Check {
    fn err(&self) -> f64 {
        self.model / self.paper - 1.0
    }
}

fn report(title: &str, checks: &[Check]) -> Vec<String> {
    println!("\n{title}\n| figure | paper | eyrie | error | tolerance |\n|---|---|---|---|---|");
    let mut misses = Vec::new();
    for c in checks {
        println!(
            "| {} | {:.2} | {:.2} | {:+.1} % | {:.0} % |",
            c.what,
            c.paper,
            c.model,
            100.0 * c.err(),
            100.0 * c.tol
        );
        if c.err().abs() > c.tol {
            misses.push(format!("{}: paper {:.2}, eyrie {:.2} ({:+.1} %)", c.what, c.paper, c.model, 100.0 * c.err()));
        }
    }
    misses
}

fn table5_checks(layers: &[(String, LayerResult)], clock_mhz: f64) -> Vec<Check> {
    let mut out = Vec::new();
    for (name, r) in layers {
        let v = figure(&format!("table5_alexnet.{}", name.to_uppercase()));
        let proc_ms = r.compute_cycles as f64 / (clock_mhz * 1e3);
        let dram_mb = (r.dram_read_bytes + r.dram_write_bytes) as f64 / 1e6;
        out.push(Check { what: format!("{name} DRAM accesses (MB)"), paper: v[7], model: dram_mb, tol: JSSC_TOL });
        out.push(Check { what: format!("{name} processing latency (ms)"), paper: v[2], model: proc_ms, tol: JSSC_TOL });
        out.push(Check { what: format!("{name} total latency (ms)"), paper: v[1], model: r.latency_ms, tol: JSSC_TOL });
    }
    out
}

#[test]
fn jssc_table5_alexnet_with_the_mapper() {
    let arch = load("eyeriss");
    let res = run(&arch, zoo::alexnet().with_batch(4));
    let conv: Vec<(String, LayerResult)> =
        res.layers.iter().filter(|l| l.layer.starts_with("conv")).map(|l| (l.layer.clone(), l.clone())).collect();
    assert_eq!(conv.len(), 5);
    let misses = report("JSSC 2017 Table V, AlexNet batch 4, eyrie's mapper", &table5_checks(&conv, arch.clock_mhz));
    assert!(misses.is_empty(), "{misses:#?}");
}

#[test]
fn jssc_table5_alexnet_with_the_published_mappings() {
    let arch = load("eyeriss");
    let net = zoo::alexnet().with_batch(4);
    let mut conv = Vec::new();
    for (name, x) in ALEXNET_TABLE3 {
        let Some(layer) = net.layers.iter().find(|l| l.name == name) else { panic!("{name}") };
        let m = eyeriss_table3(&Problem::from_layer(layer), x, arch.pe_array.cols);
        let plan = match plan_mapping(&arch, layer, m) {
            Ok(p) => p,
            Err(e) => panic!("{name}: {e}"),
        };
        let mut r = plan.result(&arch);
        accounting::price(&arch, &mut r);
        conv.push((name.to_string(), r));
    }
    let misses =
        report("JSSC 2017 Table V, AlexNet batch 4, Table III mappings", &table5_checks(&conv, arch.clock_mhz));
    assert!(misses.is_empty(), "{misses:#?}");
}

#[test]
fn table3_constants_match_the_reference_file() {
    for (name, x) in ALEXNET_TABLE3 {
        let v = figure(&format!("table3_alexnet_mapping.{}", name.to_uppercase()));
        let got = [x.m, x.n, x.e, x.p, x.q, x.r, x.t].map(f64::from);
        assert_eq!(&v[6..13], &got, "{name}");
    }
}

#[test]
fn jssc_mapper_uses_the_array_like_the_chip() {
    // Table V "active PEs": 154, 135, 156, 156, 156. The mapper's mappings
    // should keep the array as busy (within one PE row or column of 14 / 12).
    let arch = load("eyeriss");
    let net = zoo::alexnet().with_batch(4);
    for name in ["conv1", "conv2", "conv3", "conv4", "conv5"] {
        let Some(layer) = net.layers.iter().find(|l| l.name == name) else { panic!() };
        let p = match plan(&arch, layer) {
            Ok(p) => p,
            Err(e) => panic!("{e}"),
        };
        let active = p.mapping.tiling(&p.problem).active_pes();
        let paper = figure(&format!("table5_alexnet.{}", name.to_uppercase()))[4];
        println!("{name}: active PEs {active:.0} (paper {paper})");
        assert!((active - paper).abs() <= 14.0, "{name}: {active} active PEs, paper {paper}");
    }
}

fn isca_energy_per_mac(dataflow: &str) -> (f64, f64) {
    let path = format!("{}/../docs/reference/isca2016/{dataflow}.toml", env!("CARGO_MANIFEST_DIR"));
    let arch = load(&path);
    let batch = figure("setup.batch_size")[0] as u64;
    let res = run(&arch, zoo::alexnet().with_batch(batch));
    let per_mac = |prefix: &str| {
        let ls: Vec<&LayerResult> = res.layers.iter().filter(|l| l.layer.starts_with(prefix)).collect();
        ls.iter().map(|l| l.energy.total_pj).sum::<f64>() / ls.iter().map(|l| l.macs as f64).sum::<f64>()
    };
    (per_mac("conv"), per_mac("fc"))
}

#[test]
fn isca2016_rs_beats_the_other_dataflows_by_the_published_margins() {
    let dfs = ["rs", "ws", "osa", "osb", "osc", "nlr"];
    let e: Vec<(f64, f64)> = dfs.iter().map(|d| isca_energy_per_mac(d)).collect();
    println!("\nISCA 2016, AlexNet batch 16, 256 PEs: energy per MAC (units of one MAC) and ratio to RS");
    println!("| dataflow | CONV | CONV / RS | FC | FC / RS |\n|---|---|---|---|---|");
    for (d, (c, f)) in dfs.iter().zip(&e) {
        println!("| {d} | {c:.2} | {:.2} | {f:.2} | {:.2} |", c / e[0].0, f / e[0].1);
    }
    let conv: Vec<f64> = e[1..].iter().map(|x| x.0 / e[0].0).collect();
    let fc: Vec<f64> = e[1..].iter().map(|x| x.1 / e[0].1).collect();
    let gain = figure("results.conv_rs_gain");
    let fc_gain = figure("results.fc_rs_gain")[0];
    let lo = conv.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = conv.iter().copied().fold(0.0, f64::max);
    let fc_lo = fc.iter().copied().fold(f64::INFINITY, f64::min);
    let checks = [
        Check { what: "CONV: smallest ratio to RS".into(), paper: gain[0], model: lo, tol: ISCA_TOL },
        Check { what: "CONV: largest ratio to RS".into(), paper: gain[1], model: hi, tol: ISCA_TOL },
        Check { what: "FC: smallest ratio to RS".into(), paper: fc_gain, model: fc_lo, tol: ISCA_TOL },
    ];
    let misses = report("ISCA 2016 headline ratios", &checks);
    assert!(lo > 1.0 && fc_lo > 1.0, "RS must have the lowest energy per MAC: CONV {conv:?}, FC {fc:?}");
    assert!(misses.is_empty(), "{misses:#?}");
}

#[test]
fn jssc_table6_vgg16_processing_latency_bands() {
    let arch = load("eyeriss");
    let res = run(&arch, zoo::vgg16().with_batch(3));
    let mut checks = Vec::new();
    let mut far = Vec::new();
    for l in res.layers.iter().filter(|l| l.layer.starts_with("conv")) {
        let id = l.layer.to_uppercase().replace('_', "-");
        let v = figure(&format!("table6_vgg16.{id}"));
        let proc_ms = l.compute_cycles as f64 / (arch.clock_mhz * 1e3);
        if id.starts_with("CONV4") || id.starts_with("CONV5") {
            checks.push(Check {
                what: format!("{id} processing latency (ms)"),
                paper: v[2],
                model: proc_ms,
                tol: 0.20,
            });
        } else {
            far.push((id, v[2], proc_ms));
        }
    }
    let misses = report("JSSC 2017 Table VI, VGG-16 batch 3, CONV4-5", &checks);
    assert!(misses.is_empty(), "{misses:#?}");
    println!("\nCONV1-3 (documented miss): paper / eyrie processing latency");
    for (id, paper, model) in &far {
        println!("| {id} | {paper:.1} | {model:.1} | x{:.2} |", paper / model);
        assert!((1.3..=5.0).contains(&(paper / model)), "{id}: paper {paper} ms, eyrie {model} ms");
    }
}
