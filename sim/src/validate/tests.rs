use super::*;

fn check(paper: Option<f64>, model: f64, tolerance: Tolerance, documented: Option<Documented>) -> Check {
    Check {
        table: "t",
        quantity: "q".into(),
        item: "i".into(),
        figure: "f".into(),
        file: "x.toml".into(),
        confirmed: true,
        paper,
        model,
        tolerance,
        documented,
        note: String::new(),
    }
}

#[test]
fn verdicts_follow_the_tolerance_and_the_documented_band() {
    let rel = Tolerance::Relative(0.10);
    assert_eq!(check(Some(10.0), 10.9, rel, None).verdict(), Verdict::Within);
    assert_eq!(check(Some(10.0), 9.0, rel, None).verdict(), Verdict::Within);
    assert_eq!(check(Some(10.0), 11.2, rel, None).verdict(), Verdict::Miss);
    assert!((check(Some(10.0), 11.2, rel, None).error() - 0.12).abs() < 1e-12);
    let doc = Documented { doc: "d", why: "w", band: (0.05, 0.20) };
    assert_eq!(check(Some(10.0), 11.2, rel, Some(doc.clone())).verdict(), Verdict::Documented);
    // Out of the documented band: a plain miss again.
    assert_eq!(check(Some(10.0), 12.5, rel, Some(doc.clone())).verdict(), Verdict::Miss);
    // Inside the tolerance the explanation is not needed.
    assert_eq!(check(Some(10.0), 10.2, rel, Some(doc)).verdict(), Verdict::Within);
    let exact = Tolerance::Absolute(0.0);
    assert_eq!(check(Some(4451.0), 4451.0, exact, None).verdict(), Verdict::Within);
    assert_eq!(check(Some(4451.0), 4452.0, exact, None).verdict(), Verdict::Miss);
    assert_eq!(check(Some(154.0), 140.0, Tolerance::Absolute(14.0), None).verdict(), Verdict::Within);
    assert_eq!(check(Some(1.0), 5.0, Tolerance::Context, None).verdict(), Verdict::Context);
    let none = check(None, 5.0, rel, None);
    assert_eq!(none.verdict(), Verdict::Context);
    assert!(none.error().is_nan());
}

const FILE: &str = r#"
[[figure]]
id = "a"
value = 2.5
confirmed = true

[[figure]]
id = "arr"
value = [1, 2.5, "x"]
confirmed = false

[[figure]]
id = "tab"
value = { k = 7 }

[[figure]]
id = "words"
value = "around half"
"#;

fn dir_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let d = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => panic!("{e}"),
    };
    for (name, text) in files {
        if let Err(e) = std::fs::write(d.path().join(name), text) {
            panic!("{e}");
        }
    }
    d
}

#[test]
fn lookups_take_the_first_alternative_present() {
    let d = dir_with(&[("p.toml", FILE), ("arch.toml", "name = \"not figures\"\n")]);
    let refs = match References::from_dir(d.path()) {
        Ok(r) => r,
        Err(e) => panic!("{e}"),
    };
    let get = |at: &[Lookup]| match refs.number(at) {
        Ok(v) => v.map(|(v, id, _, confirmed)| (v, id, confirmed)),
        Err(e) => panic!("{e}"),
    };
    assert_eq!(get(&[Lookup::whole("p", "a")]), Some((2.5, "a".into(), true)));
    assert_eq!(get(&[Lookup::at("p", "arr", 0)]), Some((1.0, "arr[0]".into(), false)));
    assert_eq!(get(&[Lookup { file: "p", id: "tab", sel: Sel::Key("k") }]), Some((7.0, "tab.k".into(), false)));
    // Missing file or id: the next alternative, or None.
    assert_eq!(get(&[Lookup::whole("q", "a"), Lookup::whole("p", "nope"), Lookup::at("p", "arr", 1)]).map(|x| x.0), Some(2.5));
    assert_eq!(get(&[Lookup::whole("arch", "a")]), None);
    // Present but not a number: an error naming the file and the figure.
    for bad in [Lookup::whole("p", "words"), Lookup::at("p", "arr", 2), Lookup::at("p", "arr", 9), Lookup::whole("p", "arr")] {
        match refs.number(&[bad]) {
            Err(e) => {
                let m = e.to_string();
                assert!(m.contains("p.toml") && m.contains(bad.id), "{m}");
            }
            Ok(v) => panic!("{bad:?}: {v:?}"),
        }
    }
}

#[test]
fn a_directory_without_figures_or_with_a_broken_file_is_an_error() {
    let empty = dir_with(&[("arch.toml", "name = \"x\"\n")]);
    assert!(matches!(References::from_dir(empty.path()), Err(ValidateError::Reference { .. })));
    let broken = dir_with(&[("eie.toml", "[[figure]\nid = ")]);
    match References::from_dir(broken.path()) {
        Err(e) => assert!(e.to_string().contains("eie.toml"), "{e}"),
        Ok(_) => panic!("a broken file must not load"),
    }
    assert!(References::from_dir(std::path::Path::new("/no/such/dir")).is_err());
}

#[test]
fn figures_a_reference_set_lacks_are_skipped_not_compared() {
    let d = dir_with(&[("eie.toml", "[[figure]]\nid = \"unrelated\"\nvalue = 1\n")]);
    let refs = match References::from_dir(d.path()) {
        Ok(r) => r,
        Err(e) => panic!("{e}"),
    };
    let out = match validate(&refs, &["eie-table4".into()], 1) {
        Ok(o) => o,
        Err(e) => panic!("{e}"),
    };
    assert!(out.checks.is_empty(), "{:?}", out.checks);
    // Two figures per layer, nine layers.
    assert_eq!(out.skipped.len(), 18);
    assert!(out.skipped[0].figure.contains("eie:table4_latency.eie.actual"), "{:?}", out.skipped[0]);
}

#[test]
fn an_unknown_table_is_an_error_naming_the_known_ones() {
    let refs = match References::builtin() {
        Ok(r) => r,
        Err(e) => panic!("{e}"),
    };
    match validate(&refs, &["nope".into()], 1) {
        Err(e) => assert!(e.to_string().contains("eie-table4"), "{e}"),
        Ok(_) => panic!("unknown table accepted"),
    }
}
