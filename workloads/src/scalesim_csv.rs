//! SCALE-Sim topology CSV files as networks.
//!
//! Columns: layer name, IFMAP height, IFMAP width, filter height, filter
//! width, channels, number of filters, strides; one header row; trailing
//! commas tolerated. SCALE-Sim's IFMAP sizes already include padding, so the
//! layers get no padding of their own. The output size is SCALE-Sim's
//! `⌈(H − R + stride) / stride⌉` (topology_utils.py in scalesim 3.0.0), not
//! the usual `⌊(H − R) / stride⌋ + 1`: when the stride does not divide
//! `H − R`, SCALE-Sim adds one more output row (column) whose window runs past
//! the bottom (right) edge, e.g. AlexNet CONV1 224×224, 11×11, stride 4 gives
//! 55×55. The positions past the edge are read as nothing (zero padding at
//! the end).

use crate::WorkloadError;
use crate::layer::Layer;
use crate::network::Network;
use eyrie_arch::config::{Diagnostic, Diagnostics};

const COLUMNS: [&str; 8] = [
    "layer name",
    "IFMAP height",
    "IFMAP width",
    "filter height",
    "filter width",
    "channels",
    "num filters",
    "strides",
];

/// Parse a SCALE-Sim topology CSV; `file` names it in errors.
pub fn parse(file: &str, text: &str, name: &str) -> Result<Network, WorkloadError> {
    let mut errs = Vec::new();
    let mut layers = Vec::new();
    let diag = |line: usize, key: &str, message: String| Diagnostic {
        file: file.to_string(),
        line,
        col: 0,
        key: key.to_string(),
        message,
    };
    let mut header_seen = false;
    for (i, raw) in text.lines().enumerate() {
        let lineno = i + 1;
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut cells: Vec<&str> = line.split(',').map(str::trim).collect();
        while cells.last() == Some(&"") {
            cells.pop();
        }
        if !header_seen {
            header_seen = true;
            if cells.get(1).is_some_and(|c| c.parse::<u64>().is_err()) {
                continue;
            }
        }
        if cells.len() != COLUMNS.len() {
            errs.push(diag(
                lineno,
                "",
                format!("expected {} columns ({}), found {}", COLUMNS.len(), COLUMNS.join(", "), cells.len()),
            ));
            continue;
        }
        let mut v = [0u64; 7];
        let mut ok = true;
        for j in 0..7 {
            match cells[j + 1].parse::<u64>() {
                Ok(x) if x > 0 => v[j] = x,
                _ => {
                    errs.push(diag(lineno, COLUMNS[j + 1], format!("`{}` is not a positive integer", cells[j + 1])));
                    ok = false;
                }
            }
        }
        if !ok {
            continue;
        }
        let [h, w, r, s, c, k, stride] = v;
        if r > h || s > w {
            errs.push(diag(lineno, "filter height", format!("a {r}×{s} filter does not fit a {h}×{w} IFMAP")));
            continue;
        }
        let mut l = Layer::conv(cells[0], c, h, w, k, r, s, stride, 0);
        l.p = (h - r + stride).div_ceil(stride);
        l.q = (w - s + stride).div_ceil(stride);
        if h == 1 && w == 1 && r == 1 && s == 1 {
            l.kind = crate::layer::LayerKind::Fc;
        }
        layers.push(l);
    }
    if layers.is_empty() && errs.is_empty() {
        errs.push(diag(0, "", "no layers found".into()));
    }
    if errs.is_empty() { Ok(Network::new(name, layers)) } else { Err(WorkloadError::Invalid(Diagnostics(errs))) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_scalesim_alexnet_rows() {
        let t = "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\nConv1,227,227,11,11,3,96,4,\nConv2,31,31,5,5,96,256,1,\n";
        let n = parse("a.csv", t, "alexnet").map_err(|e| e.to_string());
        let Ok(n) = n else { panic!("{n:?}") };
        assert_eq!(n.layers.len(), 2);
        assert_eq!((n.layers[0].p, n.layers[1].p), (55, 27));
        assert_eq!(n.layers[1].macs(), 256 * 96 * 27 * 27 * 25);
    }

    #[test]
    fn output_size_is_scalesims_ceiling() {
        // SCALE-Sim's AlexNet CONV1 (224x224, 11x11, stride 4) has a 55x55 output, one more than
        // floor((224 - 11) / 4) + 1 = 54; its 16x16, 3x3, stride 2 layer gives 8x8 (not 7x7).
        let t =
            "name,h,w,r,s,c,k,stride,\nConv1,224,224,11,11,3,96,4,\nOdd,16,16,3,3,8,20,2,\nSame,15,15,3,3,16,40,2,\n";
        let n = parse("a.csv", t, "n").map_err(|e| e.to_string());
        let Ok(n) = n else { panic!("{n:?}") };
        let pq: Vec<(u64, u64)> = n.layers.iter().map(|l| (l.p, l.q)).collect();
        assert_eq!(pq, vec![(55, 55), (8, 8), (7, 7)]);
        assert_eq!(n.layers[0].macs(), 55 * 55 * 96 * 363);
    }

    #[test]
    fn malformed_row_names_line_and_column() {
        let t = "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\nConv1,227,227,11,11,3,96,4,\nConv2,31,x,5,5,96,256,1,\nConv3,31,31,5\n";
        let e = parse("a.csv", t, "n").err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e.contains("a.csv:3: key `IFMAP width`: `x` is not a positive integer"), "{e}");
        assert!(e.contains("a.csv:4: expected 8 columns"), "{e}");
    }
}
