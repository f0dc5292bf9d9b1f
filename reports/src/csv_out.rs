//! Per-layer CSV: one row per layer, snake_case columns with units.
//!
//! Columns: `layer, engine, status, error, compute_cycles, stall_cycles,
//! cycles, latency_ms, utilization, macs, effective_macs, energy_pj,
//! mac_energy_pj, noc_energy_pj, leakage_energy_pj, dram_read_bytes,
//! dram_write_bytes`, then for every memory level `<level>_reads`,
//! `<level>_writes`, `<level>_energy_pj`, then for every level and tensor
//! that some layer touches `<level>_<tensor>_energy_pj` (tensor: weights,
//! inputs, outputs, psums, metadata), then engine-specific figures.

use eyrie_sim::{LayerResult, SimResult, Status};

use crate::ReportError;

/// The per-layer figures every results CSV carries, in order (see [`figure_cells`]).
pub const FIGURE_COLUMNS: [&str; 13] = [
    "compute_cycles",
    "stall_cycles",
    "cycles",
    "latency_ms",
    "utilization",
    "macs",
    "effective_macs",
    "energy_pj",
    "mac_energy_pj",
    "noc_energy_pj",
    "leakage_energy_pj",
    "dram_read_bytes",
    "dram_write_bytes",
];

/// One layer's values under [`FIGURE_COLUMNS`].
pub fn figure_cells(l: &LayerResult) -> [String; 13] {
    [
        l.compute_cycles.to_string(),
        l.stall_cycles.to_string(),
        l.cycles.to_string(),
        format!("{:.6}", l.latency_ms),
        format!("{:.6}", l.utilization()),
        l.macs.to_string(),
        l.effective_macs.to_string(),
        format!("{:.3}", l.energy.total_pj),
        format!("{:.3}", l.energy.mac_pj),
        format!("{:.3}", l.energy.noc_pj),
        format!("{:.3}", l.energy.leakage_pj),
        l.dram_read_bytes.to_string(),
        l.dram_write_bytes.to_string(),
    ]
}

/// Column names for a result (levels and extras taken from its layers).
pub fn header(r: &SimResult) -> Vec<String> {
    let mut h: Vec<String> = ["layer", "engine", "status", "error"].map(String::from).to_vec();
    h.extend(FIGURE_COLUMNS.map(String::from));
    for l in level_names(r) {
        h.push(format!("{l}_reads"));
        h.push(format!("{l}_writes"));
        h.push(format!("{l}_energy_pj"));
    }
    let names = level_names(r);
    for (i, _, op) in tensor_energy_columns(r) {
        h.push(format!("{}_{op}_energy_pj", names[i]));
    }
    h.extend(extra_names(r));
    h
}

/// (level index, operand position, operand name) with energy in at least one
/// layer, in level then operand order.
fn tensor_energy_columns(r: &SimResult) -> Vec<(usize, usize, &'static str)> {
    let mut out = Vec::new();
    for i in 0..level_names(r).len() {
        let Some(first) = r.layers.iter().find_map(|l| l.levels.get(i)) else { continue };
        for (k, (op, _)) in first.energy_pj.iter().enumerate() {
            let used = r
                .layers
                .iter()
                .any(|l| l.levels.get(i).and_then(|s| s.energy_pj.iter().nth(k)).is_some_and(|(_, e)| *e != 0.0));
            if used {
                out.push((i, k, op.as_str()));
            }
        }
    }
    out
}

fn level_names(r: &SimResult) -> Vec<String> {
    r.layers
        .iter()
        .max_by_key(|l| l.levels.len())
        .map(|l| l.levels.iter().map(|x| x.name.clone()).collect())
        .unwrap_or_default()
}

fn extra_names(r: &SimResult) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for l in &r.layers {
        for (n, _) in &l.extra {
            if !names.contains(n) {
                names.push(n.clone());
            }
        }
    }
    names
}

/// The row of one layer under [`header`].
pub fn row(r: &SimResult, l: &LayerResult) -> Vec<String> {
    let (status, error) = match &l.status {
        Status::Ok => ("ok".to_string(), String::new()),
        Status::Failed(m) => ("failed".to_string(), m.clone()),
    };
    let mut v = vec![l.layer.clone(), l.engine.clone(), status, error];
    v.extend(figure_cells(l));
    for (i, _) in level_names(r).iter().enumerate() {
        match l.levels.get(i) {
            Some(s) => {
                v.push(s.total_reads().to_string());
                v.push(s.total_writes().to_string());
                v.push(format!("{:.3}", s.total_energy_pj()));
            }
            None => v.extend(["0".to_string(), "0".to_string(), "0".to_string()]),
        }
    }
    for (i, k, _) in tensor_energy_columns(r) {
        let e = l.levels.get(i).and_then(|s| s.energy_pj.iter().nth(k)).map_or(0.0, |(_, e)| *e);
        v.push(format!("{e:.3}"));
    }
    for n in extra_names(r) {
        v.push(l.extra(&n).map(|x| format!("{x}")).unwrap_or_default());
    }
    v
}

/// Write the per-layer CSV.
pub fn write_layers<W: std::io::Write>(w: W, r: &SimResult) -> Result<(), ReportError> {
    let mut out = csv::Writer::from_writer(w);
    out.write_record(header(r))?;
    for l in &r.layers {
        out.write_record(row(r, l))?;
    }
    out.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use eyrie_sim::LevelStats;

    #[test]
    fn energy_per_level_and_tensor_columns_only_where_used() {
        let mut a = LayerResult { layer: "a".into(), ..LayerResult::default() };
        let mut dram = LevelStats { name: "dram".into(), ..LevelStats::default() };
        dram.energy_pj.weights = 1.5;
        let mut glb = LevelStats { name: "glb".into(), ..LevelStats::default() };
        glb.energy_pj.psums = 2.0;
        a.levels = vec![dram, glb];
        let mut b = a.clone();
        b.layer = "b".into();
        b.levels[0].energy_pj.weights = 0.0;
        b.levels[0].energy_pj.inputs = 4.0;
        let r = SimResult::from_layers("x", "n", 1, 1.0, vec![a, b]);
        let h = header(&r);
        let cols: Vec<&str> = h.iter().map(String::as_str).filter(|c| c.matches('_').count() == 3).collect();
        assert_eq!(cols, ["dram_weights_energy_pj", "dram_inputs_energy_pj", "glb_psums_energy_pj"]);
        let at = |row: &[String], c: &str| row[h.iter().position(|x| x == c).unwrap_or(0)].clone();
        let rb = row(&r, &r.layers[1]);
        assert_eq!(at(&rb, "dram_inputs_energy_pj"), "4.000");
        assert_eq!(at(&rb, "dram_weights_energy_pj"), "0.000");
        assert_eq!(at(&rb, "glb_psums_energy_pj"), "2.000");
    }
}
