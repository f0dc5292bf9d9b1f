//! Eyeriss's model alone against JSSC 2017 Table V: the chip's AlexNet
//! CONV1–5 at batch 4 with the mappings JSSC Table III publishes (not the
//! mapper's), DRAM accesses, processing and total latency per layer within
//! 15 % (docs/eyeriss.md). The comparisons with eyrie's own mapper (Table V,
//! Table VI, the ISCA 2016 dataflows) are `eyrie validate`'s
//! (`sim/src/validate/eyeriss.rs`), asserted in `tests/validate.rs`.
//!
//! Run with `-- --nocapture` to print every figure and its error.

use std::sync::OnceLock;

use eyrie_arch::Arch;
use eyrie_sim::engines::spatial::problem::Problem;
use eyrie_sim::engines::spatial::reference::{ALEXNET_TABLE3, eyeriss_table3};
use eyrie_sim::engines::spatial::plan_mapping;
use eyrie_sim::{LayerResult, accounting};
use eyrie_workloads::zoo;

const REFERENCE: &str = include_str!("../../docs/reference/eyeriss.toml");
/// JSSC 2017 Table V tolerance (relative error per figure).
const JSSC_TOL: f64 = 0.15;

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

