//! `eyrie validate` end to end: every published figure the project models, against the
//! model, with the errors and verdicts a user sees, and the exit codes.

mod common;

use common::{ROOT, eyrie, text};

/// The CSV rows as maps from column to cell.
fn rows(csv: &str) -> Vec<std::collections::HashMap<String, String>> {
    let mut rd = csv::Reader::from_reader(csv.as_bytes());
    let header: Vec<String> = match rd.headers() {
        Ok(h) => h.iter().map(str::to_string).collect(),
        Err(e) => panic!("{e}"),
    };
    rd.records()
        .map(|r| match r {
            Ok(r) => header.iter().cloned().zip(r.iter().map(str::to_string)).collect(),
            Err(e) => panic!("{e}"),
        })
        .collect()
}

fn num(row: &std::collections::HashMap<String, String>, col: &str) -> f64 {
    row.get(col).and_then(|v| v.parse().ok()).unwrap_or(f64::NAN)
}

/// The whole validation: no figure is outside its tolerance without an explanation, and the
/// documented misses are exactly the ones docs/ explains (a change that fixes or breaks one shows).
#[test]
fn every_figure_is_within_tolerance_or_a_documented_miss() {
    let o = eyrie(&["validate", "--format", "csv"]);
    assert_eq!(o.status.code(), Some(1), "documented misses make the default exit 1; stderr: {}", text(&o.stderr));
    let all = rows(&text(&o.stdout));
    let tables: std::collections::BTreeSet<&str> = all.iter().map(|r| r["table"].as_str()).collect();
    assert_eq!(tables.len(), 8, "{tables:?}");
    let misses: Vec<String> = all
        .iter()
        .filter(|r| r["verdict"] == "MISS")
        .map(|r| format!("{} {} {}", r["table"], r["item"], r["quantity"]))
        .collect();
    assert!(misses.is_empty(), "unexplained misses: {misses:#?}");
    let mut documented: Vec<String> = all
        .iter()
        .filter(|r| r["verdict"] == "documented miss")
        .map(|r| format!("{}: {} {}", r["table"], r["item"], r["quantity"]))
        .collect();
    documented.sort();
    let mut expected = vec![
        "eie-table4: Alex-8 latency (us)".to_string(),
        "eie-table4: Alex-8 theoretical latency (us)".into(),
        "eie-table4: VGG-6 latency (us)".into(),
        "eie-table4: VGG-6 theoretical latency (us)".into(),
        "eie-scaling: mean of the nine layers load-balance efficiency at queue depth 1".into(),
        "eie-scaling: Alex-7 throughput 256 PEs / 64 PEs".into(),
        "stripes: highest network speedup over DaDianNao".into(),
        "stripes: average energy efficiency over DaDianNao".into(),
        "deep-compression-alexnet: FC6 compression rate P+Q (%)".into(),
        "deep-compression-alexnet: FC7 compression rate P+Q (%)".into(),
        "deep-compression-alexnet: TOTAL compression rate P+Q (%)".into(),
    ];
    for l in ["Alex-6", "Alex-7", "Alex-8", "VGG-6", "VGG-7", "VGG-8", "NT-We"] {
        expected.push(format!("eie-scaling: {l} energy (uJ)"));
    }
    for l in ["CONV1-1", "CONV1-2", "CONV2-1", "CONV2-2", "CONV3-1", "CONV3-2", "CONV3-3"] {
        expected.push(format!("eyeriss-jssc-vgg16: {l} processing latency (ms)"));
    }
    expected.sort();
    assert_eq!(documented, expected);
    // Spot values (seed 1): SCALE-Sim's ResNet-50 is exact everywhere; JSSC CONV1 DRAM 5.33 MB
    // against 5.00; the Stripes average 1.86 against 1.92.
    let scalesim: Vec<_> = all.iter().filter(|r| r["table"] == "scalesim-parity").collect();
    assert_eq!(scalesim.len(), 96 * 6);
    assert!(scalesim.iter().all(|r| r["verdict"] == "within"));
    let find = |table: &str, item: &str, q: &str| match all
        .iter()
        .find(|r| r["table"] == table && r["item"] == item && r["quantity"] == q)
    {
        Some(r) => r,
        None => panic!("no row {table} {item} {q}"),
    };
    let dram = find("eyeriss-jssc-alexnet", "CONV1", "DRAM accesses (MB)");
    assert_eq!(num(dram, "paper"), 5.0);
    assert!((num(dram, "eyrie") - 5.33).abs() < 0.01, "{dram:?}");
    assert!((num(dram, "error_pct") - 6.5).abs() < 0.2, "{dram:?}");
    let avg = find("stripes", "average", "speedup over DaDianNao");
    assert_eq!(num(avg, "paper"), 1.92);
    assert!((num(avg, "eyrie") - 1.86).abs() < 0.01, "{avg:?}");
    assert_eq!(avg["tolerance"], "±5 %");
    // Model-only rows carry no published value and no error.
    let ws = find("eyeriss-isca-dataflows", "WS", "CONV energy / RS energy");
    assert_eq!((ws["paper"].as_str(), ws["error_pct"].as_str(), ws["verdict"].as_str()), ("", "", "context"));
}

#[test]
fn allow_documented_exits_zero_and_the_table_says_why() {
    let o = eyrie(&["validate", "--only", "eie-table4", "--allow-documented"]);
    let out = text(&o.stdout);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(out.starts_with("EIE ISCA 2016 Table IV"), "{out}");
    assert!(
        out.contains("Alex-6") && out.contains("30.30") && out.contains("28.76") && out.contains("-5.1 %"),
        "{out}"
    );
    assert!(out.contains("documented (docs/eie.md)"), "{out}");
    assert!(out.contains("  VGG-6: the paper's theoretical time is 1.9x the Table III work"), "{out}");
    assert!(
        out.contains(
            "18 figures against docs/reference (built in): 14 within tolerance, 4 documented misses, 0 unexplained"
        ),
        "{out}"
    );
    // Without the flag the same run exits 1 and says so.
    let o = eyrie(&["validate", "--only", "eie-table4"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).contains("4 figure(s) outside their tolerance"), "{}", text(&o.stderr));
}

#[test]
fn a_table_within_tolerance_exits_zero_and_out_writes_csv_and_json() {
    let dir = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => panic!("{e}"),
    };
    let out = dir.path().join("v");
    let o =
        eyrie(&["validate", "--only", "eyeriss-jssc-alexnet", "--format", "json", "--out", &out.display().to_string()]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_default();
    let checks = v["checks"].as_array().cloned().unwrap_or_default();
    assert_eq!(checks.len(), 20);
    assert!(checks.iter().all(|c| c["verdict"] == "within"), "{checks:?}");
    assert_eq!(checks[0]["figure"], "table5_alexnet.CONV1[7]");
    let csv = std::fs::read_to_string(out.join("validate.csv")).unwrap_or_default();
    assert_eq!(rows(&csv).len(), 20);
    assert!(out.join("validate.json").is_file());
}

#[test]
fn another_reference_set_is_read_and_what_it_lacks_is_left_out() {
    let dir = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => panic!("{e}"),
    };
    // A reference set with one changed figure: Alex-6's published latency doubled.
    let eie = std::fs::read_to_string(format!("{ROOT}/docs/reference/eie.toml")).unwrap_or_default();
    let changed = eie.replace(
        "value = [30.3, 12.2, 9.9, 34.4, 8.7, 8.4, 8.0, 13.9, 7.5]",
        "value = [60.6, 12.2, 9.9, 34.4, 8.7, 8.4, 8.0, 13.9, 7.5]",
    );
    assert_ne!(eie, changed, "the fixture edit must apply");
    if let Err(e) = std::fs::write(dir.path().join("eie.toml"), changed) {
        panic!("{e}");
    }
    let d = dir.path().display().to_string();
    let o = eyrie(&["validate", "--reference", &d, "--format", "csv"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    let all = rows(&text(&o.stdout));
    let a6 = all.iter().find(|r| r["item"] == "Alex-6" && r["quantity"] == "latency (us)");
    let Some(a6) = a6 else { panic!("no Alex-6 row") };
    assert_eq!((num(a6, "paper"), a6["verdict"].as_str()), (60.6, "MISS"));
    // Only EIE figures could be compared; the other tables' published figures are left out
    // (their model-only rows remain).
    let compared: Vec<&str> = all.iter().filter(|r| !r["paper"].is_empty()).map(|r| r["table"].as_str()).collect();
    assert!(!compared.is_empty() && compared.iter().all(|t| t.starts_with("eie")), "{compared:?}");
    let o = eyrie(&["validate", "--reference", &d]);
    assert!(text(&o.stdout).contains("not in the reference set: left out"), "{}", text(&o.stdout));
}

#[test]
fn bad_arguments_are_clear_errors() {
    let o = eyrie(&["validate", "--only", "nope"]);
    assert_eq!(o.status.code(), Some(2));
    let e = text(&o.stderr);
    assert!(e.contains("no validation table `nope`") && e.contains("eyeriss-jssc-alexnet"), "{e}");
    let o = eyrie(&["validate", "--reference", "/no/such/dir"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).contains("/no/such/dir"), "{}", text(&o.stderr));
    let o = eyrie(&["validate", "--list"]);
    assert!(o.status.success());
    let out = text(&o.stdout);
    for t in ["eyeriss-jssc-alexnet", "eie-table4", "stripes", "deep-compression-alexnet", "scalesim-parity"] {
        assert!(out.contains(t), "{out}");
    }
}
