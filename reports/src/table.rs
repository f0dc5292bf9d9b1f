//! Terminal tables: one row per layer and a total row.

use eyrie_sim::{LayerResult, SimResult, Status};

/// Format a count with thousands separators.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// A plain-text table with right-aligned columns (the first left-aligned).
pub fn render(header: &[String], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            if i < widths.len() {
                widths[i] = widths[i].max(c.chars().count());
            }
        }
    }
    let line = |cells: &[String]| -> String {
        let mut s = String::new();
        for (i, c) in cells.iter().enumerate() {
            let w = widths.get(i).copied().unwrap_or(0);
            let pad = w.saturating_sub(c.chars().count());
            if i > 0 {
                s.push_str("  ");
            }
            if i == 0 {
                s.push_str(c);
                s.push_str(&" ".repeat(pad));
            } else {
                s.push_str(&" ".repeat(pad));
                s.push_str(c);
            }
        }
        s.trim_end().to_string()
    };
    let mut out = line(header);
    out.push('\n');
    out.push_str(&"-".repeat(widths.iter().sum::<usize>() + 2 * widths.len().saturating_sub(1)));
    out.push('\n');
    for r in rows {
        out.push_str(&line(r));
        out.push('\n');
    }
    out
}

/// Which energy parts beside the levels and the MACs the table shows: those that are not
/// zero over the network (NoC, leakage), so the parts add up to the energy column.
#[derive(Clone, Copy)]
struct Parts {
    noc: bool,
    leakage: bool,
}

impl Parts {
    fn of(r: &SimResult) -> Parts {
        Parts { noc: r.total.energy.noc_pj > 0.0, leakage: r.total.energy.leakage_pj > 0.0 }
    }
    fn count(self) -> usize {
        usize::from(self.noc) + usize::from(self.leakage)
    }
}

fn layer_row(r: &SimResult, l: &LayerResult, parts: Parts) -> Vec<String> {
    if let Status::Failed(_) = &l.status {
        let mut v = vec![l.layer.clone(), "failed".to_string()];
        v.resize(10 + level_count(r) + parts.count(), "-".to_string());
        return v;
    }
    let onchip: u64 = l.levels.iter().skip(1).map(|s| s.total_reads() + s.total_writes()).sum();
    let mut v = vec![
        l.layer.clone(),
        thousands(l.cycles),
        format!("{:.4}", l.latency_ms),
        format!("{:.1}", 100.0 * l.utilization()),
        thousands(l.macs),
        thousands(l.dram_read_bytes),
        thousands(l.dram_write_bytes),
        thousands(onchip),
        format!("{:.2}", l.energy.total_pj / 1e6),
    ];
    for i in 0..level_count(r) {
        v.push(format!("{:.2}", l.energy.levels_pj.get(i).copied().unwrap_or(0.0) / 1e6));
    }
    v.push(format!("{:.2}", l.energy.mac_pj / 1e6));
    if parts.noc {
        v.push(format!("{:.2}", l.energy.noc_pj / 1e6));
    }
    if parts.leakage {
        v.push(format!("{:.2}", l.energy.leakage_pj / 1e6));
    }
    v
}

fn level_count(r: &SimResult) -> usize {
    r.layers.iter().map(|l| l.levels.len()).max().unwrap_or(0)
}

/// The per-layer table of a result, with a total row.
pub fn layers(r: &SimResult) -> String {
    let mut header: Vec<String> =
        ["layer", "cycles", "latency ms", "util %", "MACs", "DRAM rd B", "DRAM wr B", "on-chip acc", "energy µJ"]
            .iter()
            .map(|s| s.to_string())
            .collect();
    let names: Vec<String> = r
        .layers
        .iter()
        .max_by_key(|l| l.levels.len())
        .map(|l| l.levels.iter().map(|s| s.name.clone()).collect())
        .unwrap_or_default();
    for n in &names {
        header.push(format!("{n} µJ"));
    }
    header.push("MAC µJ".into());
    let parts = Parts::of(r);
    if parts.noc {
        header.push("NoC µJ".into());
    }
    if parts.leakage {
        header.push("leakage µJ".into());
    }
    let mut rows: Vec<Vec<String>> = r.layers.iter().map(|l| layer_row(r, l, parts)).collect();
    let mut total = layer_row(r, &LayerResult { status: Status::Ok, ..r.total.clone() }, parts);
    total[0] = "total".into();
    rows.push(total);
    let mut out = render(&header, &rows);
    for l in &r.layers {
        if let Status::Failed(m) = &l.status {
            out.push_str(&format!("failed: {}: {m}\n", l.layer));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_separators() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1234567), "1,234,567");
    }

    #[test]
    fn columns_align() {
        let t = render(&["a".into(), "bb".into()], &[vec!["long".into(), "1".into()], vec!["x".into(), "22".into()]]);
        assert_eq!(t, "a     bb\n--------\nlong   1\nx     22\n");
    }
}
