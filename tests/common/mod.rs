//! Helpers shared by the end-to-end tests of the `eyrie` binary (each test
//! file uses some of them).
#![allow(dead_code)]

use std::process::{Command, Output};

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_eyrie");
/// The repository root (the working directory of every run).
pub const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// Run `eyrie args` in the repository root.
pub fn eyrie(args: &[&str]) -> Output {
    match Command::new(BIN).args(args).current_dir(ROOT).output() {
        Ok(o) => o,
        Err(e) => panic!("cannot run {BIN}: {e}"),
    }
}

/// Bytes as text (lossy).
pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Run `eyrie args`: (exit code, or -1 if killed; stdout; stderr).
pub fn eyrie_code(args: &[&str]) -> (i32, String, String) {
    let out = eyrie(args);
    (out.status.code().unwrap_or(-1), text(&out.stdout), text(&out.stderr))
}
