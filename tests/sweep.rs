//! The design-space commands through the real binary: `sweep`, `merge`, `pareto`, `plot`.
//! (Sweeps with numbers in every row run on a stand-in engine in `src/cmd/sweep/tests.rs`.)

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn eyrie(args: &[&str], dir: &Path) -> Output {
    match Command::new(env!("CARGO_BIN_EXE_eyrie")).args(args).current_dir(dir).env("CI", "1").output() {
        Ok(o) => o,
        Err(e) => panic!("cannot run eyrie: {e}"),
    }
}

fn text(o: &Output) -> (String, String) {
    (String::from_utf8_lossy(&o.stdout).into_owned(), String::from_utf8_lossy(&o.stderr).into_owned())
}

fn tmp() -> tempfile::TempDir {
    match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => panic!("{e}"),
    }
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("reports/tests/fixtures").join(name)
}

fn write(dir: &Path, name: &str, body: &str) -> PathBuf {
    let p = dir.join(name);
    if let Err(e) = std::fs::write(&p, body) {
        panic!("{e}");
    }
    p
}

const GOOD: &str = "version = 1\n[base]\narch = \"systolic\"\nnet = \"lenet5\"\n[axes]\n\
    arch.pe_array.rows = { pow2 = [4, 64] }\narch.pe_array.cols = [8, 16]\n\
    [points]\nwhere = \"arch.pe_array.rows * arch.pe_array.cols < 1024\"\n";

#[test]
fn dry_run_counts_points_and_writes_nothing() {
    let d = tmp();
    write(d.path(), "s.toml", GOOD);
    let o = eyrie(&["sweep", "s.toml", "--dry-run", "--out", "o"], d.path());
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    // 5 row counts × 2 column counts = 10; 64 × 16 is rejected.
    assert!(out.starts_with("sweep s: 9 points (grid 10, 1 rejected by `where`, 0 duplicates)"), "{out}");
    assert_eq!(out.lines().filter(|l| l.contains(" 4 ") || l.contains(" 64 ")).count(), 3, "{out}");
    assert!(!d.path().join("o").exists());
    let o = eyrie(&["sweep", "s.toml", "--dry-run", "--shard", "2/4"], d.path());
    assert!(text(&o).0.contains("; shard 2/4: 2 points"), "{}", text(&o).0);
}

#[test]
fn bad_sweep_files_exit_2_naming_file_line_and_key() {
    let d = tmp();
    write(
        d.path(),
        "bad.toml",
        "version = 1\n[base]\narch = \"systolic\"\nnet = \"lenet5\"\n[axes]\narch.pe_array.colz = [1, 2]\n",
    );
    let o = eyrie(&["sweep", "bad.toml"], d.path());
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err.contains("bad.toml:6:1: key `axes.arch.pe_array.colz`: values `1`, `2`: unknown field `colz`"),
        "{err}"
    );
    write(d.path(), "plot.toml", &format!("{GOOD}[[plot]]\nkind = \"pie\"\nname = \"p\"\n"));
    let o = eyrie(&["sweep", "plot.toml", "--out", "o"], d.path());
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(2));
    assert!(err.contains("invalid sweep:\nplot.toml:11:8: key `plot.0.kind`: unknown plot kind `pie`"), "{err}");
    assert!(!d.path().join("o").exists(), "nothing is written for a bad file");
    let o = eyrie(&["sweep", "s.toml", "--shard", "0/2"], d.path());
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn failed_points_are_recorded_and_the_exit_code_says_so() {
    // Until an engine for the systolic preset is built in, every layer fails: the sweep still
    // completes, records each error and exits 1; a second run without --resume is refused.
    let d = tmp();
    write(d.path(), "s.toml", GOOD);
    let o = eyrie(&["sweep", "s.toml", "--out", "o", "-j", "2"], d.path());
    let (out, err) = text(&o);
    assert!(out.contains("ok 0, partial 0, failed 9") || out.contains("ok 9"), "{out}{err}");
    let points = std::fs::read_to_string(d.path().join("o/points.csv")).unwrap_or_default();
    assert_eq!(points.lines().count(), 10);
    assert!(points.starts_with("arch.pe_array.rows,arch.pe_array.cols,id,status,error,"));
    let o = eyrie(&["sweep", "s.toml", "--out", "o"], d.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).1.contains("pass --resume"));
    let o = eyrie(&["sweep", "s.toml", "--out", "o", "--resume"], d.path());
    assert!(text(&o).0.contains("ran 0 points"), "{}", text(&o).0);
}

#[test]
fn pareto_prints_and_writes_the_front() {
    let d = tmp();
    let o = eyrie(&["pareto", &fixture("points.csv").display().to_string(), "--out", "front.csv"], d.path());
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(out.contains("4 of 24 points are Pareto-optimal (minimizing energy_pj, latency_ms"), "{out}");
    let front = std::fs::read_to_string(d.path().join("front.csv")).unwrap_or_default();
    assert_eq!(front.lines().count(), 5);
    // The fixture's own `pareto` column agrees.
    assert!(front.lines().skip(1).all(|l| l.ends_with(",true")), "{front}");
    let o = eyrie(&["pareto", &fixture("points.csv").display().to_string(), "--minimize", "nope"], d.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).1.contains("no column `nope`"));
}

#[test]
fn plot_writes_png_and_svg() {
    let d = tmp();
    let pts = fixture("points.csv").display().to_string();
    let o = eyrie(&["plot", &pts, "--kind", "lines", "--out", "lines"], d.path());
    assert!(o.status.success(), "{}", text(&o).1);
    let png = std::fs::read(d.path().join("lines.png")).unwrap_or_default();
    assert_eq!(png.get(..4), Some(&b"\x89PNG"[..]));
    assert!(std::fs::read_to_string(d.path().join("lines.svg")).unwrap_or_default().contains("<svg"));
    let o = eyrie(
        &[
            "plot",
            &fixture("layers.csv").display().to_string(),
            "--kind",
            "roofline",
            "--arch",
            "systolic",
            "--out",
            "r.svg",
        ],
        d.path(),
    );
    assert!(o.status.success(), "{}", text(&o).1);
    let o = eyrie(&["plot", &pts, "--kind", "pareto", "--filter", "arch.pe_array.rows=99", "--out", "x.png"], d.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).1.contains("nothing to plot"));
    assert!(!d.path().join("x.png").exists());
}

#[test]
fn merge_refuses_a_point_in_two_directories() {
    let d = tmp();
    for s in ["a", "b"] {
        let dir = d.path().join(s);
        if std::fs::create_dir_all(&dir).is_err() {
            panic!("mkdir");
        }
        let _ = std::fs::copy(fixture("points.csv"), dir.join("points.csv"));
        write(&dir, "layers.csv", "id,layer_index\n");
    }
    let o = eyrie(&["merge", "a", "b", "--out", "m"], d.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).1.contains("is in both a/points.csv and b/points.csv"), "{}", text(&o).1);
}
