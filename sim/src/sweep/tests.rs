use std::path::Path;

use super::*;
use crate::accounting;
use crate::engines::nomac;
use eyrie_arch::Arch;
use eyrie_workloads::Layer;
use eyrie_workloads::compress::LayerCompression;

const HEAD: &str = "version = 1\n[base]\narch = \"systolic\"\nnet = \"lenet5\"\n";

fn load(body: &str) -> Result<Sweep, SweepError> {
    Sweep::from_toml("s.toml", &format!("{HEAD}{body}"), Path::new(""), "s")
}

fn sweep(body: &str) -> Sweep {
    match load(body) {
        Ok(s) => s,
        Err(e) => panic!("{e}"),
    }
}

fn plan(s: &Sweep, threads: usize) -> Plan {
    let p = pool(threads).and_then(|p| Plan::build(s, &p));
    match p {
        Ok(p) => p,
        Err(e) => panic!("{e}"),
    }
}

fn errors(body: &str) -> String {
    match load(body).and_then(|s| pool(1).and_then(|p| Plan::build(&s, &p))) {
        Ok(_) => String::new(),
        Err(e) => e.to_string(),
    }
}

fn cells(p: &Plan, axis: usize) -> Vec<String> {
    p.points.iter().map(|pt| axis::cell(&pt.values[axis])).collect()
}

#[test]
fn full_grid_counts_and_order() {
    let s = sweep(
        "[axes]\narch.pe_array.rows = [8, 16, 32]\n\"arch.levels.sram.capacity_kb\" = { range = [64, 256], step = 64 }\n",
    );
    let p = plan(&s, 1);
    assert_eq!((p.points.len(), p.grid_points), (12, 12));
    // The last axis in the file varies fastest.
    assert_eq!(cells(&p, 0)[..5], ["8", "8", "8", "8", "16"]);
    assert_eq!(cells(&p, 1)[..5], ["64", "128", "192", "256", "64"]);
    assert_eq!(p.levels, ["dram", "sram"]);
}

#[test]
fn points_differing_only_in_shared_buffer_sizes_share_a_group() {
    let s = sweep("[axes]\narch.pe_array.rows = [8, 16]\n\"arch.levels.sram.capacity_kb\" = [64, 128, 256]\n");
    let p = plan(&s, 1);
    let groups: Vec<u64> = p.points.iter().map(|pt| pt.group).collect();
    // rows 8 (three sizes), then rows 16 (three sizes).
    assert!(groups[..3].iter().all(|g| *g == groups[0]), "{groups:?}");
    assert!(groups[3..].iter().all(|g| *g == groups[3]), "{groups:?}");
    assert_ne!(groups[0], groups[3]);
    // Each point is still its own architecture for the layer cache.
    let archs: std::collections::HashSet<u64> = p.points.iter().map(|pt| pt.arch_fnv).collect();
    assert_eq!(archs.len(), 6);
}

#[test]
fn zip_groups_vary_together() {
    let s = sweep(
        "[axes]\nnet = [\"lenet5\", \"lenet-300-100\"]\narch.pe_array.rows = [8, 16, 32]\narch.pe_array.cols = [4, 8, 16]\n\
         [points]\nzip = [[\"arch.pe_array.rows\", \"arch.pe_array.cols\"]]\n",
    );
    let p = plan(&s, 1);
    assert_eq!(p.points.len(), 6);
    assert_eq!(cells(&p, 1), ["8", "16", "32", "8", "16", "32"]);
    assert_eq!(cells(&p, 2), ["4", "8", "16", "4", "8", "16"]);
}

#[test]
fn where_drops_points_and_sees_base_fields() {
    let s = sweep(
        "[axes]\narch.pe_array.rows = [8, 16, 32]\narch.pe_array.cols = [8, 16, 32]\n\
         [points]\nwhere = [\"arch.pe_array.rows * arch.pe_array.cols <= 256\", \"arch.clock_mhz == 1000\"]\n",
    );
    let p = plan(&s, 1);
    // 8x8, 8x16, 8x32, 16x8, 16x16, 32x8 pass; 16x32, 32x16, 32x32 do not.
    assert_eq!((p.points.len(), p.rejected), (6, 3));
}

#[test]
fn sampling_is_seeded_distinct_and_in_grid_order() {
    let body = "[axes]\narch.pe_array.rows = { range = [1, 20] }\narch.pe_array.cols = { range = [1, 20] }\n[points]\nsamples = 25\nseed = ";
    let a = plan(&sweep(&format!("{body}7\n")), 1);
    let b = plan(&sweep(&format!("{body}7\n")), 2);
    let c = plan(&sweep(&format!("{body}8\n")), 1);
    assert_eq!(a.points.len(), 25);
    assert_eq!(a, b);
    assert_ne!(a.points, c.points);
    let keys: Vec<(i64, i64)> = a
        .points
        .iter()
        .map(|p| (p.values[0].as_integer().unwrap_or(0), p.values[1].as_integer().unwrap_or(0)))
        .collect();
    let mut sorted = keys.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(keys, sorted, "distinct and in grid order");
}

#[test]
fn continuous_axes_are_drawn_within_bounds() {
    let s = sweep(
        "[axes]\narch.energy.mac_pj = { loguniform = [0.1, 10.0] }\narch.pe_array.rows = [8, 16]\n\
         [points]\nsamples = 40\nseed = 3\nwhere = \"arch.energy.mac_pj < 5\"\n",
    );
    let p = plan(&s, 2);
    assert_eq!(p.points.len(), 40);
    for pt in &p.points {
        let x = pt.values[0].as_float().unwrap_or(-1.0);
        assert!((0.1..5.0).contains(&x), "{x}");
        assert_eq!(format!("{x:.5e}").parse::<f64>().ok(), Some(x), "six significant digits");
    }
    assert!(p.rejected > 0);
}

#[test]
fn ids_depend_on_the_resolved_point_only() {
    let quoted = plan(&sweep("[axes]\n\"arch.pe_array.rows\" = [8, 32]\n"), 1);
    let bare =
        plan(&sweep("# a comment\n[axes]\narch.pe_array.rows = [8, 32]\n[output]\npareto = [\"energy_pj\"]\n"), 1);
    assert_eq!(quoted.points, bare.points);
    assert_ne!(quoted.points[0].id, quoted.points[1].id);
    // rows = 32 is the preset's own value: the point equals the base point.
    let base = plan(&sweep(""), 1);
    assert_eq!(base.points.len(), 1);
    assert_eq!(base.points[0].id, quoted.points[1].id);
}

#[test]
fn equal_resolved_points_are_dropped_once() {
    let p = plan(&sweep("[axes]\narch.levels.sram.capacity_kb = [192, 192.0, 64]\n"), 1);
    assert_eq!((p.points.len(), p.duplicates), (2, 1));
}

#[test]
fn bad_files_name_line_and_key() {
    let e = errors("[axes]\narch.pe_array.rowz = [8, 16]\n");
    assert!(e.contains("s.toml:6") && e.contains("arch.pe_array.rowz") && e.contains("unknown field `rowz`"), "{e}");
    let e = errors("[axes]\narch.pe_array.rows = []\n");
    assert!(e.contains("s.toml:6:1: key `axes.arch.pe_array.rows`: empty axis"), "{e}");
    let e = errors("[axes]\n\narch.pe_array.rows = [8, 12.5]\n");
    assert!(e.contains("s.toml:7") && e.contains("value `12.5`") && e.contains("u32"), "{e}");
    let e = errors("[axes]\npe_array.rows = [8]\n");
    assert!(e.contains("unknown key `pe_array.rows`: keys start with `arch.`"), "{e}");
    let e = errors("[axes]\narch.pe_array.rows = 8\n");
    assert!(e.contains("put it under [fixed]"), "{e}");
    let e = errors("[axes]\na.b = 1\n[points]\nwhere = \"arch.pe_array.rowz > 1\"\n");
    assert!(e.contains("unknown key `a.b`"), "{e}");
    let e = errors("[axes]\narch.pe_array.rows = [8]\n[points]\nwhere = \"arch.pe_array.rowz > 1\"\n");
    assert!(e.contains("s.toml:8") && e.contains("unknown name `arch.pe_array.rowz`"), "{e}");
    let e = errors(
        "[axes]\narch.pe_array.rows = [8, 16]\narch.pe_array.cols = [8]\n[points]\nzip = [[\"arch.pe_array.rows\", \"arch.pe_array.cols\"]]\n",
    );
    assert!(e.contains("equal lengths"), "{e}");
    let e = errors("[axes]\narch.pe_array.rows = [0, 8]\n");
    assert!(
        e.contains("s.toml:6") && e.contains("point arch.pe_array.rows=0: arch `pe_array.rows`: must be at least 1"),
        "{e}"
    );
    let e = errors("[axis]\n");
    assert!(e.contains("s.toml:5:2") && e.contains("unknown field `axis`"), "{e}");
    let e = errors("[axes]\nnet = [\"nosuchnet\"]\n");
    assert!(e.contains("s.toml:6") && e.contains("no network file or zoo network named `nosuchnet`"), "{e}");
}

/// A stand-in engine for tests: the no-MAC data-movement model on every layer, priced.
fn fake(arch: &Arch, layer: &Layer, _c: &LayerCompression, _o: &crate::RunOptions) -> crate::LayerResult {
    let mut r = nomac::run(arch, layer);
    r.engine = "fake".into();
    r.macs = layer.macs();
    accounting::price(arch, &mut r);
    r
}

#[test]
fn runner_matches_direct_simulation_and_caches() {
    let s = sweep("[axes]\narch.pe_array.rows = [4, 8]\narch.energy.mac_pj = [0.3, 0.3]\nbatch = [1, 2]\n");
    let p = plan(&s, 1);
    assert_eq!((p.points.len(), p.duplicates), (4, 4));
    let runner = Runner::new(&s, fake);
    let pool = match pool(2) {
        Ok(p) => p,
        Err(e) => panic!("{e}"),
    };
    let got = std::sync::Mutex::new(Vec::new());
    let todo: Vec<(usize, &PlanPoint)> = p.points.iter().enumerate().collect();
    let res = runner.run_all(&pool, &todo, &|o| {
        got.lock().map_err(|e| e.to_string())?.push(o);
        Ok(())
    });
    assert!(res.is_ok());
    let mut got = got.into_inner().unwrap_or_default();
    got.sort_by_key(|o| o.index);
    assert_eq!(got.len(), 4);
    for o in &got {
        let r = s.resolve(&o.values).map_err(|d| d.to_string());
        let (arch, batch) = match &r {
            Ok(r) => (r.arch.clone(), r.batch.unwrap_or(1)),
            Err(e) => panic!("{e}"),
        };
        let net = eyrie_workloads::zoo::lenet5().with_batch(batch);
        let want: Vec<u64> =
            net.layers.iter().map(|l| fake(&arch, l, &dummy(), &crate::RunOptions::default()).cycles).collect();
        let sim = o.result.as_ref().map_err(String::clone);
        let have: Vec<u64> = sim.iter().flat_map(|r| r.layers.iter().map(|l| l.cycles)).collect();
        assert_eq!(have, want);
        assert_eq!(sim.map(|r| r.batch), Ok(batch));
    }
    // The batch-2 and batch-1 points are different layer shapes; the cache is checked
    // by running the same plan again: every layer is a hit.
    let (_, misses) = runner.cache_stats();
    let again = runner.run_all(&pool, &todo, &|_| Ok(()));
    assert!(again.is_ok());
    let (hits, misses2) = runner.cache_stats();
    assert_eq!(misses2, misses);
    assert_eq!(hits, misses);
}

fn dummy() -> LayerCompression {
    LayerCompression {
        weight_density: 1.0,
        weight_bits: 8,
        index_bits: 0,
        act_bits: None,
        encoded_bytes: 0,
        huffman_bytes: None,
        format: eyrie_workloads::compress::Format::Dense,
        sparse: None,
    }
}
