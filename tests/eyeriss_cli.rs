//! End-to-end checks of `eyrie run` on the Eyeriss preset: the default run,
//! `--explain`, `--objective`, and the errors they report.

mod common;

use common::eyrie_code as eyrie;

#[test]
fn default_run_is_alexnet_on_eyeriss() {
    let (code, out, err) = eyrie(&["run"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("alexnet on eyeriss"), "{out}");
    for layer in ["conv1", "pool1", "fc8", "total"] {
        assert!(out.lines().any(|l| l.starts_with(layer)), "no row {layer}:\n{out}");
    }
}

#[test]
fn explain_prints_nest_occupancy_accesses_and_timing() {
    let (code, out, err) = eyrie(&["run", "--batch", "4", "--explain", "conv3"]);
    assert_eq!(code, 0, "{err}");
    for part in [
        "conv3 on eyeriss: rs dataflow, objective edp",
        "mapping (outermost loop first):",
        "# spatial_y",
        "buffer occupancy per instance",
        "(staged)",
        "accesses (words) and energy:",
        "timing:",
        "search:",
    ] {
        assert!(out.contains(part), "missing `{part}` in:\n{out}");
    }
    // The loop nest ends in the MAC, and every filter row of a 3x3 conv sits down a column.
    assert!(out.contains("parallel") && out.contains("r 3") && out.contains("mac"), "{out}");
    let (code, out, _) = eyrie(&["run", "--explain", "conv3", "--objective", "energy"]);
    assert_eq!(code, 0);
    assert!(out.contains("objective energy"), "{out}");
}

#[test]
fn explain_rejects_unknown_layers_and_non_spatial_arches() {
    let (code, _, err) = eyrie(&["run", "--explain", "conv9"]);
    assert_eq!(code, 2);
    assert!(err.contains("no layer `conv9` in alexnet; layers: conv1, pool1"), "{err}");
    let (code, _, err) = eyrie(&["run", "--arch", "systolic", "--explain", "conv1"]);
    assert_eq!(code, 2);
    assert!(err.contains("spatial engine"), "{err}");
    let (code, out, _) = eyrie(&["run", "--explain", "pool1"]);
    assert_eq!(code, 0);
    assert!(out.contains("no MACs"), "{out}");
}
