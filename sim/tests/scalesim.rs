//! The systolic engine against SCALE-Sim 3.0.0, layer by layer.
//!
//! `docs/reference/scalesim/results.csv` holds the numbers of the real simulator
//! (PyPI `scalesim==3.0.0`, its shipped `configs/scale.cfg` = `scale.cfg`
//! here, dataflow switched to os/ws/is, topologies `alexnet.csv`,
//! `Resnet50.csv` and `odd_shapes.csv` here; ResNet-50 layers of the same
//! shape were run once, `layer_aliases` names them all). Each row is run
//! through eyrie the way a user would: the `.cfg` through the SCALE-Sim
//! config importer, the layer through the topology-CSV importer.
//!
//! Asserted exactly: compute cycles, input and filter SRAM reads, output
//! SRAM writes (SCALE-Sim's OS count minus its `rows + cols` phantom writes
//! per fold), overall utilization, mapping efficiency and compute
//! utilization. Asserted within 10 %: DRAM reads of inputs and filters and
//! DRAM writes of outputs (partial sums included); the error of each is
//! printed (`cargo test -p eyrie-sim --test scalesim -- --nocapture`).

use eyrie_arch::{Arch, scalesim_cfg};
use eyrie_sim::{LayerResult, RunOptions, simulate_layer};
use eyrie_workloads::compress::CompressedNetwork;
use eyrie_workloads::{Layer, scalesim_csv};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/reference/scalesim");

struct Row {
    network: String,
    layer: String,
    aliases: usize,
    shape: [u64; 7],
    dataflow: String,
    fields: std::collections::HashMap<String, String>,
}

impl Row {
    fn int(&self, k: &str) -> Option<i64> {
        self.fields.get(k).and_then(|v| v.parse::<f64>().ok()).map(|v| v as i64)
    }
    fn float(&self, k: &str) -> Option<f64> {
        self.fields.get(k).and_then(|v| v.parse::<f64>().ok())
    }
}

fn rows() -> Vec<Row> {
    let path = format!("{FIXTURES}/results.csv");
    let mut rd = match csv::Reader::from_path(&path) {
        Ok(r) => r,
        Err(e) => panic!("{path}: {e}"),
    };
    let header: Vec<String> = match rd.headers() {
        Ok(h) => h.iter().map(str::to_string).collect(),
        Err(e) => panic!("{path}: {e}"),
    };
    let mut out = Vec::new();
    for rec in rd.records() {
        let rec = match rec {
            Ok(r) => r,
            Err(e) => panic!("{path}: {e}"),
        };
        let fields: std::collections::HashMap<String, String> =
            header.iter().cloned().zip(rec.iter().map(str::to_string)).collect();
        let get = |k: &str| fields.get(k).cloned().unwrap_or_default();
        let num = |k: &str| get(k).parse::<u64>().unwrap_or_else(|e| panic!("{path}: {k}: {e}"));
        out.push(Row {
            network: get("network"),
            layer: get("layer_name"),
            aliases: get("layer_aliases").split(';').count(),
            shape: ["ifmap_h", "ifmap_w", "filt_h", "filt_w", "channels", "num_filters", "stride"].map(num),
            dataflow: get("dataflow"),
            fields,
        });
    }
    out
}

fn arch(dataflow: &str) -> Arch {
    let path = format!("{FIXTURES}/scale.cfg");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let cfg = scalesim_cfg::parse(&path, &text).unwrap_or_else(|e| panic!("{e}"));
    cfg.arch.with_sets(&[("pe_array.dataflow".into(), dataflow.into())]).unwrap_or_else(|e| panic!("{e}"))
}

fn layer(r: &Row) -> Layer {
    let [h, w, fh, fw, c, k, s] = r.shape;
    let text = format!("Layer name,H,W,R,S,C,K,Stride,\n{},{h},{w},{fh},{fw},{c},{k},{s},\n", r.layer);
    match scalesim_csv::parse("row.csv", &text, "row") {
        Ok(n) => n.layers[0].clone(),
        Err(e) => panic!("{e}"),
    }
}

fn eyrie(arch: &Arch, l: &Layer) -> LayerResult {
    let net = CompressedNetwork::dense(eyrie_workloads::Network::new("n", vec![l.clone()]), arch.word_bits);
    simulate_layer(arch, l, &net.layers[0], &RunOptions::default())
}

#[test]
fn cycles_and_sram_reads_equal_scalesim_dram_within_ten_percent() {
    let rows = rows();
    assert!(rows.len() >= 18, "expected the odd shapes at least, got {} rows", rows.len());
    let mut failures = Vec::new();
    let mut exact = 0;
    let mut dram_rows = 0;
    let mut worst: (f64, String) = (0.0, String::new());
    println!(
        "{:<9} {:<20} {:<3} {:>10} {:>10}  {:>8} {:>8} {:>8}   (DRAM error: inputs, filters, outputs)",
        "network", "layer", "df", "cycles", "scalesim", "in %", "filt %", "out %"
    );
    for r in &rows {
        let a = arch(&r.dataflow);
        let l = layer(r);
        let e = eyrie(&a, &l);
        let id = format!("{} {} {}", r.network, r.layer, r.dataflow);
        if let eyrie_sim::Status::Failed(m) = &e.status {
            failures.push(format!("{id}: failed: {m}"));
            continue;
        }
        let sram = &e.levels[1];
        let folds = e.extra("folds").unwrap_or(0.0) as i64;
        let phantom = if r.dataflow == "os" { folds * (32 + 32) } else { 0 };
        let checks: [(&str, i64, Option<i64>); 5] = [
            ("compute_cycles", e.compute_cycles as i64, r.int("compute_cycles")),
            ("ifmap_sram_reads", sram.reads.inputs as i64, r.int("ifmap_sram_reads")),
            ("filter_sram_reads", sram.reads.weights as i64, r.int("filter_sram_reads")),
            (
                "ofmap_sram_writes",
                (sram.writes.outputs + sram.writes.psums) as i64 + phantom,
                r.int("ofmap_sram_writes"),
            ),
            ("num_macs", e.macs as i64, r.int("num_macs")),
        ];
        let mut all_exact = true;
        for (k, mine, theirs) in checks {
            if Some(mine) != theirs {
                all_exact = false;
                failures.push(format!("{id}: {k}: eyrie {mine}, SCALE-Sim {theirs:?}"));
            }
        }
        let pct = [
            ("overall_util_pct", 100.0 * e.utilization()),
            ("mapping_eff_pct", 100.0 * e.extra("mapping_efficiency").unwrap_or(f64::NAN)),
            ("compute_util_pct", 100.0 * e.extra("scalesim_compute_util").unwrap_or(f64::NAN)),
        ];
        for (k, mine) in pct {
            let theirs = r.float(k).unwrap_or(f64::NAN);
            if (mine - theirs).abs() > 1e-9 * theirs.abs().max(1.0) {
                all_exact = false;
                failures.push(format!("{id}: {k}: eyrie {mine}, SCALE-Sim {theirs}"));
            }
        }
        if all_exact {
            exact += 1;
        }
        let dram = &e.levels[0];
        let pairs = [
            ("dram_ifmap_reads", dram.reads.inputs, r.int("dram_ifmap_reads")),
            ("dram_filter_reads", dram.reads.weights, r.int("dram_filter_reads")),
            ("dram_ofmap_writes", dram.writes.outputs + dram.writes.psums, r.int("dram_ofmap_writes")),
        ];
        let mut errs = Vec::new();
        for (k, mine, theirs) in pairs {
            let Some(theirs) = theirs else { continue };
            let err = (mine as f64 - theirs as f64) / (theirs as f64).max(1.0);
            if err.abs() > worst.0.abs() {
                worst = (err, format!("{id} {k}"));
            }
            if err.abs() > 0.10 {
                failures.push(format!("{id}: {k}: eyrie {mine}, SCALE-Sim {theirs} ({:+.1} %)", 100.0 * err));
            }
            errs.push(format!("{:>+8.2}", 100.0 * err));
        }
        if errs.len() == 3 {
            dram_rows += 1;
        } else {
            errs = vec!["       -".into(); 3];
        }
        println!(
            "{:<9} {:<20} {:<3} {:>10} {:>10}  {}",
            r.network,
            r.layer,
            r.dataflow,
            e.compute_cycles,
            r.int("compute_cycles").unwrap_or(-1),
            errs.join(" ")
        );
    }
    let layers: usize = rows.iter().map(|r| r.aliases).sum();
    println!(
        "{exact} of {} (network, layer shape, dataflow) rows exact ({layers} layers counting repeated shapes); \
         DRAM compared on {dram_rows}; largest DRAM error {:+.2} % ({})",
        rows.len(),
        100.0 * worst.0,
        worst.1
    );
    assert!(failures.is_empty(), "{} mismatches:\n{}", failures.len(), failures.join("\n"));
}

/// Every layer of SCALE-Sim's AlexNet and ResNet-50 topologies is in the fixture, in all three
/// dataflows (so "every layer matches" is not vacuous).
#[test]
fn the_fixture_covers_alexnet_and_resnet50() {
    let rows = rows();
    for (net, file) in [("alexnet", "alexnet.csv"), ("resnet50", "Resnet50.csv")] {
        let path = format!("{FIXTURES}/{file}");
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let topo = scalesim_csv::parse(&path, &text, net).unwrap_or_else(|e| panic!("{e}"));
        for l in &topo.layers {
            for df in ["os", "ws", "is"] {
                let found = rows.iter().any(|r| {
                    r.network == net
                        && r.dataflow == df
                        && r.fields.get("layer_aliases").is_some_and(|a| a.split(';').any(|n| n.trim() == l.name))
                });
                assert!(found, "{net} {} {df} is not in results.csv", l.name);
            }
        }
    }
}
