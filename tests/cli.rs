//! End-to-end tests of the real `eyrie` binary: stdout, stderr, exit codes and output files.
//!
//! Bad inputs live in `tests/fixtures/bad/`; each file states, in `# expect:`
//! lines at its top, the text its error message must contain (file, line,
//! key, what is wrong).

mod common;

use std::path::{Path, PathBuf};

use common::{ROOT, eyrie, text};

fn tempdir() -> tempfile::TempDir {
    match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => panic!("tempdir: {e}"),
    }
}

fn fixture(rel: &str) -> String {
    Path::new(ROOT).join(rel).display().to_string()
}

/// Column `name` of the CSV row whose first cell is `layer`.
fn csv_cell(csv: &str, layer: &str, name: &str) -> String {
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().split(',').collect();
    let Some(col) = header.iter().position(|h| *h == name) else { panic!("no column {name} in {header:?}") };
    let row = lines.find(|l| l.split(',').next() == Some(layer)).unwrap_or_else(|| panic!("no row {layer}"));
    row.split(',').nth(col).unwrap_or_default().to_string()
}

#[test]
fn run_with_no_arguments_prints_the_default_table() {
    let o = eyrie(&["run"]);
    let out = text(&o.stdout);
    assert!(o.status.success(), "stderr: {}", text(&o.stderr));
    assert!(out.starts_with("alexnet on eyeriss (batch 1, 200 MHz, spatial engine)"), "{out}");
    for needle in ["layer", "cycles", "util %", "conv1", "pool5", "fc8", "total", "dram µJ", "glb µJ", "spad µJ"] {
        assert!(out.contains(needle), "missing {needle} in\n{out}");
    }
    // 11 AlexNet layers + total + header + rule + title.
    assert_eq!(out.lines().count(), 15, "{out}");
}

#[test]
fn csv_and_json_formats() {
    let o = eyrie(&["run", "--format", "csv"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let csv = text(&o.stdout);
    let header = csv.lines().next().unwrap_or_default();
    for col in [
        "layer",
        "compute_cycles",
        "stall_cycles",
        "cycles",
        "latency_ms",
        "utilization",
        "dram_read_bytes",
        "glb_reads",
        "spad_reads",
    ] {
        assert!(header.split(',').any(|h| h == col), "no {col} in {header}");
    }
    assert_eq!(csv.lines().count(), 12);
    // cycles = compute + stall on every row.
    for layer in ["conv1", "conv2", "pool1", "fc6"] {
        let c: u64 = csv_cell(&csv, layer, "compute_cycles").parse().unwrap_or(0);
        let s: u64 = csv_cell(&csv, layer, "stall_cycles").parse().unwrap_or(0);
        let t: u64 = csv_cell(&csv, layer, "cycles").parse().unwrap_or(0);
        assert!(c > 0 && c + s == t, "{layer}: {c} + {s} != {t}");
    }

    let o = eyrie(&["run", "--format", "json"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("bad JSON: {e}"));
    assert_eq!(v["layers"].as_array().map(Vec::len), Some(11));
    assert_eq!(v["network"], "alexnet");
    let sum: u64 = v["layers"].as_array().into_iter().flatten().filter_map(|l| l["macs"].as_u64()).sum();
    assert_eq!(v["total"]["macs"].as_u64(), Some(sum));
    assert_eq!(sum, 724_406_816);
}

#[test]
fn out_dir_is_written_and_its_config_reproduces_the_run() {
    let tmp = tempdir();
    let dir = tmp.path().join("first");
    let d = dir.display().to_string();
    let o = eyrie(&["run", "--net", "resnet18", "--set", "pe_array.dataflow=ws", "--batch", "2", "--out", &d]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    for f in ["layers.csv", "summary.json", "config.toml"] {
        assert!(dir.join(f).is_file(), "{f} missing");
    }
    let first = std::fs::read_to_string(dir.join("layers.csv")).unwrap_or_default();
    let config = dir.join("config.toml").display().to_string();
    let again: PathBuf = tmp.path().join("again");
    let o = eyrie(&["run", "--config", &config, "--out", &again.display().to_string()]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let second = std::fs::read_to_string(again.join("layers.csv")).unwrap_or_default();
    assert!(first.lines().count() > 20);
    assert_eq!(first, second);
    let json = std::fs::read_to_string(again.join("summary.json")).unwrap_or_default();
    assert!(json.contains("\"batch\": 2") || json.contains("\"batch\":2"), "{json}");
}

/// A SCALE-Sim config and topology run unchanged; `--set` switches the dataflow, and the
/// cycles are SCALE-Sim 3.0.0's (docs/reference/scalesim/results.csv: AlexNet Conv1 ws 112283).
#[test]
fn scalesim_config_and_topology_with_set() {
    let cfg = fixture("docs/reference/scalesim/scale.cfg");
    let topo = fixture("docs/reference/scalesim/alexnet.csv");
    let o = eyrie(&["run", "--arch", &cfg, "--net", &topo, "--set", "pe_array.dataflow=ws", "--format", "csv"]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let err = text(&o.stderr);
    assert!(err.contains("SCALE-Sim keys eyrie does not model (ignored): general.run_name"), "{err}");
    assert!(err.contains("run_presets.InterfaceBandwidth"), "{err}");
    let csv = text(&o.stdout);
    assert_eq!(csv_cell(&csv, "Conv1", "compute_cycles"), "112283");
    assert_eq!(csv_cell(&csv, "Conv2", "compute_cycles"), "373799");
    let o = eyrie(&["run", "--arch", &cfg, "--net", &topo, "--format", "csv"]);
    assert_eq!(csv_cell(&text(&o.stdout), "Conv1", "compute_cycles"), "121124");
}

#[test]
fn unknown_set_path_fails_and_writes_nothing() {
    let tmp = tempdir();
    let dir = tmp.path().join("out");
    let o = eyrie(&["run", "--set", "pe_array.rowz=3", "--out", &dir.display().to_string()]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("--set pe_array.rowz") && err.contains("unknown field `rowz`"), "{err}");
    assert!(!dir.exists());
    let o = eyrie(&["run", "--set", "levels.sram.capacity_kb=3"]);
    assert!(text(&o.stderr).contains("no element `sram`; it has: dram, glb, spad"), "{}", text(&o.stderr));
}

#[test]
fn bad_inputs_name_file_line_and_key_and_write_nothing() {
    let bad = Path::new(ROOT).join("tests/fixtures/bad");
    let mut files: Vec<PathBuf> = match std::fs::read_dir(&bad) {
        Ok(d) => d.filter_map(|e| e.ok().map(|e| e.path())).collect(),
        Err(e) => panic!("{}: {e}", bad.display()),
    };
    files.sort();
    assert!(files.len() >= 5);
    for f in files {
        let src = std::fs::read_to_string(&f).unwrap_or_default();
        let expect: Vec<&str> = src.lines().filter_map(|l| l.strip_prefix("# expect: ")).collect();
        assert!(!expect.is_empty(), "{} states no expected message", f.display());
        let path = f.display().to_string();
        let flag = if path.ends_with(".csv") { "--net" } else { "--arch" };
        let tmp = tempdir();
        let out = tmp.path().join("out");
        let o = eyrie(&["run", flag, &path, "--out", &out.display().to_string()]);
        let err = text(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{path}: {err}");
        for e in expect {
            assert!(err.contains(e), "{path}: expected `{e}` in:\n{err}");
        }
        assert!(!out.exists(), "{path}: the output directory was created");
        assert!(o.stdout.is_empty(), "{path}: printed {}", text(&o.stdout));
    }
}

#[test]
fn missing_files_are_named() {
    let tmp = tempdir();
    let out = tmp.path().join("out");
    let o = eyrie(&["run", "--arch", "no/such/arch.toml", "--out", &out.display().to_string()]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("no/such/arch.toml") && err.contains("no such file"), "{err}");
    let o = eyrie(&["run", "--net", "missing.csv", "--out", &out.display().to_string()]);
    let err = text(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("cannot read missing.csv"), "{err}");
    assert!(!out.exists());
}
