//! End-to-end tests of `eyrie compress` and `eyrie run --compressed/--recipe`: stdout,
//! stderr, exit codes and the files written.

mod common;

use common::eyrie_code as eyrie;

const RECIPE: &str = "version = 1\nname = \"t\"\n[defaults]\nprune = { method = \"magnitude\", rate = 0.9 }\n\
                      quantize = { method = \"kmeans\", bits = 4 }\nencoding = { format = \"csc\", index_bits = 4 }\n\
                      huffman = true\n";

#[test]
fn compress_writes_a_file_that_run_reads_back() {
    let Ok(dir) = tempfile::tempdir() else { panic!("tempdir") };
    let recipe = dir.path().join("r.toml");
    std::fs::write(&recipe, RECIPE).unwrap_or_default();
    let out = dir.path().join("out");
    let (code, stdout, stderr) = eyrie(&[
        "compress",
        "--net",
        "lenet-300-100",
        "--recipe",
        recipe.to_str().unwrap_or(""),
        "--out",
        out.to_str().unwrap_or(""),
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("lenet-300-100 compressed with t (synthetic normal weights, seed 1)"), "{stdout}");
    // ip1: 784 × 300 = 235,200 weights, 23,520 kept.
    assert!(stdout.lines().any(|l| l.starts_with("ip1") && l.contains("235.20K") && l.contains("10.0")), "{stdout}");
    for f in ["compressed.eyc", "report.csv", "report.json", "recipe.toml"] {
        assert!(out.join(f).exists(), "{f} missing");
    }
    let csv = std::fs::read_to_string(out.join("report.csv")).unwrap_or_default();
    assert!(csv.starts_with("layer,weights,kept,kept_pct,entries,fillers,"), "{csv}");
    assert!(csv.contains("\nip1,235200,23520,10.000,"), "{csv}");
    let (code, stdout, stderr) = eyrie(&["run", "--compressed", out.join("compressed.eyc").to_str().unwrap_or("")]);
    assert!(code == 0 || code == 1, "{stderr}");
    assert!(stdout.contains("lenet-300-100 on"), "{stdout}");
    let (code, stdout, _) = eyrie(&["run", "--net", "lenet-300-100", "--recipe", recipe.to_str().unwrap_or("")]);
    assert!(code == 0 || code == 1);
    assert!(stdout.contains("lenet-300-100 on"), "{stdout}");
}

#[test]
fn bad_recipe_exits_2_naming_file_line_and_key() {
    let Ok(dir) = tempfile::tempdir() else { panic!("tempdir") };
    let recipe = dir.path().join("bad.toml");
    std::fs::write(&recipe, "version = 1\n[defaults]\nquantize = { method = \"kmeans\", bits = 0 }\n")
        .unwrap_or_default();
    let out = dir.path().join("out");
    let path = recipe.to_str().unwrap_or("");
    let (code, stdout, stderr) =
        eyrie(&["compress", "--net", "alexnet", "--recipe", path, "--out", out.to_str().unwrap_or("")]);
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert!(stderr.contains(&format!("{path}:3:40: key `defaults.quantize.bits`: bits must be 1..=16")), "{stderr}");
    assert!(!out.exists(), "no output on error");
    let (code, _, stderr) = eyrie(&["run", "--compressed", path]);
    assert_eq!(code, 2);
    assert!(stderr.contains("not an eyrie compressed network"), "{stderr}");
}
