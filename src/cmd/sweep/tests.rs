//! The sweep command end to end on a stand-in engine (the no-MAC data-movement model
//! on every layer), so outputs have real, point-dependent numbers before any
//! production engine is available.

use std::path::{Path, PathBuf};

use eyrie_arch::Arch;
use eyrie_sim::{LayerResult, RunOptions, accounting, engines::nomac};
use eyrie_workloads::Layer;
use eyrie_workloads::compress::LayerCompression;

use super::*;
use crate::cli::MergeArgs;

fn fake(arch: &Arch, layer: &Layer, _c: &LayerCompression, _o: &RunOptions) -> LayerResult {
    let mut r = nomac::run(arch, layer);
    r.engine = "fake".into();
    r.macs = layer.macs();
    r.effective_macs = layer.macs();
    accounting::price(arch, &mut r);
    r
}

const SWEEP: &str = r#"version = 1
name = "t"
[base]
arch = "systolic"
net = "lenet5"
[axes]
arch.pe_array.rows = [4, 8, 16]
arch.levels.sram.capacity_kb = [64, 192]
arch.levels.dram.bandwidth_words_per_cycle = [2.0, 10.0]
"#;

fn setup(text: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => panic!("{e}"),
    };
    let f = dir.path().join("s.toml");
    if let Err(e) = std::fs::write(&f, text) {
        panic!("{e}");
    }
    (dir, f)
}

fn args(file: &Path, out: &Path, jobs: usize) -> SweepArgs {
    SweepArgs {
        file: file.to_path_buf(),
        out: Some(out.to_path_buf()),
        jobs: Some(jobs),
        resume: false,
        shard: None,
        dry_run: false,
        quiet: true,
    }
}

fn run(a: &SweepArgs) -> ExitCode {
    match sweep(a, fake) {
        Ok(c) => c,
        Err(e) => panic!("{e}"),
    }
}

fn read(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap_or_default()
}

fn outputs(dir: &Path) -> (Vec<u8>, Vec<u8>) {
    (read(&dir.join("points.csv")), read(&dir.join("layers.csv")))
}

#[test]
fn one_and_two_threads_write_identical_files() {
    let (tmp, f) = setup(SWEEP);
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    assert_eq!(run(&args(&f, &a, 1)), ExitCode::SUCCESS);
    assert_eq!(run(&args(&f, &b, 2)), ExitCode::SUCCESS);
    let (pa, la) = outputs(&a);
    assert_eq!(outputs(&b), (pa.clone(), la.clone()));
    let points = Table::parse_whole(&pa, "points").unwrap_or_default();
    assert_eq!(points.rows.len(), 12);
    // 12 points × 6 lenet5 layers.
    assert_eq!(Table::parse_whole(&la, "layers").map(|t| t.rows.len()).ok(), Some(72));
    // Sorted by id, all ok, and the points differ: more DRAM bandwidth, fewer cycles.
    let (id, cyc, bw) = (points.col("id").unwrap_or(0), points.col("cycles").unwrap_or(0), 2);
    assert!(points.rows.windows(2).all(|w| w[0][id] < w[1][id]));
    let cycles = |b: &str| -> Vec<u64> {
        points.rows.iter().filter(|r| r[bw] == b).map(|r| r[cyc].parse().unwrap_or(0)).collect()
    };
    assert!(cycles("2").iter().min() > cycles("10").iter().max());
    let m = Manifest::read(&a).ok().flatten();
    assert_eq!(m.map(|m| (m.complete, m.ok, m.points_in_plan)), Some((true, 12, 12)));
}

/// Cut a file at `frac` of its length (mid-line, as a kill would).
fn cut(p: &Path, frac: f64) {
    let bytes = read(p);
    let mut n = (bytes.len() as f64 * frac) as usize;
    if bytes.get(n.saturating_sub(1)) == Some(&b'\n') {
        n += 3;
    }
    if let Err(e) = std::fs::write(p, &bytes[..n]) {
        panic!("{e}");
    }
}

#[test]
fn resume_after_a_kill_loses_and_repeats_nothing() {
    let (tmp, f) = setup(SWEEP);
    let (full, killed) = (tmp.path().join("full"), tmp.path().join("killed"));
    run(&args(&f, &full, 2));
    run(&args(&f, &killed, 2));
    // A killed sweep: both files torn mid-line, layers.csv holding rows of points that never
    // got their points.csv row.
    cut(&killed.join("points.csv"), 0.45);
    cut(&killed.join("layers.csv"), 0.8);
    let partial = Table::parse(&read(&killed.join("points.csv"))).map(|(t, _)| t.rows.len()).unwrap_or(0);
    assert!(partial > 0 && partial < 12, "{partial}");
    // Without --resume the directory is refused.
    assert!(sweep(&args(&f, &killed, 1), fake).is_err_and(|e| e.to_string().contains("--resume")));
    let mut a = args(&f, &killed, 2);
    a.resume = true;
    run(&a);
    assert_eq!(outputs(&killed), outputs(&full));
    // Resuming a complete sweep runs nothing and changes nothing.
    run(&a);
    assert_eq!(outputs(&killed), outputs(&full));
}

#[test]
fn shards_merged_equal_one_run() {
    let (tmp, f) = setup(SWEEP);
    let full = tmp.path().join("full");
    run(&args(&f, &full, 1));
    let mut dirs = Vec::new();
    for i in 1..=3 {
        let d = tmp.path().join(format!("shard{i}"));
        let mut a = args(&f, &d, 1);
        a.shard = Some(format!("{i}/3"));
        run(&a);
        let n = Table::parse(&read(&d.join("points.csv"))).map(|(t, _)| t.rows.len()).unwrap_or(0);
        assert_eq!(n, 4, "shard {i}");
        dirs.push(d);
    }
    let merged = tmp.path().join("merged");
    let m = super::super::merge::merge(&MergeArgs { dirs: dirs.clone(), out: merged.clone() });
    assert!(matches!(m, Ok(c) if c == ExitCode::SUCCESS));
    assert_eq!(outputs(&merged), outputs(&full));
    assert_eq!(read(&merged.join("sweep.json")), read(&full.join("sweep.json")));
    // A shard given twice is refused.
    let twice = super::super::merge::merge(&MergeArgs {
        dirs: vec![dirs[0].clone(), dirs[0].clone()],
        out: tmp.path().join("x"),
    });
    assert!(twice.is_err_and(|e| e.to_string().contains("is in both")));
}

#[test]
fn a_failing_point_is_recorded_and_the_sweep_goes_on() {
    // The real systolic engine, except that every layer of a 4-row array
    // fails: those 4 points record why, the sweep completes and exits 1.
    fn fails_on_four_rows(
        arch: &eyrie_arch::Arch,
        layer: &eyrie_workloads::Layer,
        comp: &eyrie_workloads::compress::LayerCompression,
        opts: &eyrie_sim::RunOptions,
    ) -> eyrie_sim::LayerResult {
        if arch.pe_array.rows == 4 {
            return eyrie_sim::LayerResult::failed(&layer.name, "systolic", "injected failure".into());
        }
        eyrie_sim::simulate_layer(arch, layer, comp, opts)
    }
    let (tmp, f) = setup(SWEEP);
    let out = tmp.path().join("o");
    let code = sweep(&args(&f, &out, 2), fails_on_four_rows);
    let points = Table::parse_whole(&read(&out.join("points.csv")), "points").unwrap_or_default();
    assert_eq!(points.rows.len(), 12);
    let (s, e) = (points.col("status").unwrap_or(0), points.col("error").unwrap_or(0));
    let ok = points.rows.iter().filter(|r| r[s] == "ok").count();
    for r in &points.rows {
        assert!(r[s] == "failed" || r[s] == "ok" || r[s] == "partial", "{}", r[s]);
        assert_eq!(r[s] == "ok", r[e].is_empty());
    }
    assert!(matches!(code, Ok(c) if c == ExitCode::from(1)));
    assert_eq!(ok, 8, "the 4 points with 4 rows fail, the other 8 run");
    let failed: Vec<&Vec<String>> = points.rows.iter().filter(|r| r[s] == "failed").collect();
    assert_eq!(failed.len(), 4);
    assert!(failed.iter().all(|r| r[e].contains("injected failure")));
}
