//! The course labs in `labs/` stay correct as the simulator changes.
//!
//! Each lab's `check.sh` runs the lab's eyrie commands (with this build's
//! binary, passed as `EYRIE`) and compares an answers file with eyrie's live
//! output. The reference key `answers.key.toml` must get every question
//! `right`; the blank template `answers.toml` must fail with every question
//! `unanswered`, so the checker can fail. The checks must not write into the
//! source tree. Needs `bash` and `python3` (as the labs do).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_eyrie");
const ROOT: &str = env!("CARGO_MANIFEST_DIR");

const LABS: &[&str] =
    &["lab1-dataflows", "lab2-memory-hierarchy", "lab3-deep-compression", "lab4-precision", "lab5-dse"];

fn labs_dir() -> PathBuf {
    Path::new(ROOT).join("labs")
}

/// Every file under `dir`, relative to it.
fn files(dir: &Path) -> BTreeSet<PathBuf> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeSet<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(base, &p, out);
            } else if let Ok(rel) = p.strip_prefix(base) {
                out.insert(rel.to_path_buf());
            }
        }
    }
    let mut out = BTreeSet::new();
    walk(dir, dir, &mut out);
    out
}

/// The question keys of an answers file: `q1`, `q2`, ... in order of appearance.
fn question_keys(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .filter_map(|l| {
            let key = l.split('=').next()?.trim();
            let digits = key.strip_prefix('q')?;
            (!digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit()) && l.contains('='))
                .then(|| key.to_string())
        })
        .collect()
}

struct Checked {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Checked {
    /// The verdict printed for question `key` (`q3` -> the line starting `Q3 `).
    fn verdict(&self, key: &str) -> Option<&str> {
        let label = format!("Q{} ", key.trim_start_matches('q'));
        self.stdout.lines().find_map(|l| l.strip_prefix(&label)).map(|rest| rest.split(':').next().unwrap_or(rest))
    }

    fn context(&self) -> String {
        format!("exit {:?}\n--- stdout\n{}--- stderr\n{}", self.code, self.stdout, self.stderr)
    }
}

fn check(lab: &str, answers: &str) -> Checked {
    let dir = labs_dir().join(lab);
    let out = Command::new("bash")
        .arg(dir.join("check.sh"))
        .arg(dir.join(answers))
        .env("EYRIE", BIN)
        .env_remove("LAB_PRINT_KEY")
        .env_remove("LAB_VERBOSE")
        .current_dir(ROOT)
        .output()
        .unwrap_or_else(|e| panic!("cannot run bash {}/check.sh: {e}", dir.display()));
    Checked {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn lab(name: &str) {
    let dir = labs_dir().join(name);
    let keys = question_keys(&dir.join("answers.toml"));
    assert!(!keys.is_empty(), "{name}: no questions in answers.toml");
    assert_eq!(
        keys,
        question_keys(&dir.join("answers.key.toml")),
        "{name}: the key and the template ask different questions"
    );
    let before = (files(&dir), files(&labs_dir().join("lib")));

    let key = check(name, "answers.key.toml");
    assert_eq!(key.code, Some(0), "{name}: the reference key does not pass\n{}", key.context());
    for k in &keys {
        assert_eq!(key.verdict(k), Some("right"), "{name}: {k} of the key\n{}", key.context());
    }
    assert!(
        key.stdout.contains(&format!("using eyrie: {BIN}")),
        "{name}: does not say which eyrie it uses\n{}",
        key.context()
    );

    let template = std::fs::read_to_string(dir.join("answers.toml")).unwrap_or_default();
    let filled: Vec<&str> =
        template.lines().filter(|l| l.starts_with('q') && l.contains('=') && !l.trim_end().ends_with("\"\"")).collect();
    assert!(
        filled.is_empty(),
        "{name}: answers.toml is the blank template and must stay blank (`qN = \"\"`), but has {filled:?}; \
         to answer the lab, copy it and pass the copy to check.sh"
    );
    let blank = check(name, "answers.toml");
    assert_eq!(blank.code, Some(1), "{name}: the blank template must fail with exit 1\n{}", blank.context());
    for k in &keys {
        assert_eq!(blank.verdict(k), Some("unanswered"), "{name}: {k} of the blank template\n{}", blank.context());
    }

    let after = (files(&dir), files(&labs_dir().join("lib")));
    assert_eq!(before, after, "{name}: check.sh changed files in the source tree");
}

#[test]
fn every_lab_is_tested_and_complete() {
    let on_disk: BTreeSet<String> = std::fs::read_dir(labs_dir())
        .unwrap_or_else(|e| panic!("labs/: {e}"))
        .flatten()
        .filter(|e| e.path().is_dir())
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .filter(|n| n.starts_with("lab"))
        .collect();
    let listed: BTreeSet<String> = LABS.iter().map(|s| s.to_string()).collect();
    assert_eq!(on_disk, listed, "labs/ and the LABS list of tests/labs.rs differ");
    for name in LABS {
        for f in ["README.md", "answers.toml", "answers.key.toml", "check.sh"] {
            assert!(labs_dir().join(name).join(f).is_file(), "{name}: missing {f}");
        }
    }
    assert!(labs_dir().join("README.md").is_file(), "labs/README.md is missing");
}

#[test]
fn lab1_dataflows() {
    lab("lab1-dataflows");
}

#[test]
fn lab2_memory_hierarchy() {
    lab("lab2-memory-hierarchy");
}

#[test]
fn lab3_deep_compression() {
    lab("lab3-deep-compression");
}

#[test]
fn lab4_precision() {
    lab("lab4-precision");
}

#[test]
fn lab5_dse() {
    lab("lab5-dse");
}
