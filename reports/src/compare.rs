//! Side-by-side tables of one network on several architectures (the figures
//! themselves are computed by `eyrie_sim::compare`).

pub use eyrie_sim::compare::{NetworkSummary, Side, mean, summarize};
use eyrie_sim::compare::{ok, ratio, sums};

use crate::table::{render, thousands};

/// Per-layer table: kind, precision, cycles on every arch, speedups and energy efficiencies.
pub fn layer_table(sides: &[Side<'_>], kinds: &[&str]) -> String {
    let Some(base) = sides.first() else { return String::new() };
    let mut header = vec!["layer".to_string(), "kind".into()];
    for s in sides.iter().skip(1) {
        header.push(format!("{} bits", s.label));
    }
    for s in sides {
        header.push(format!("{} cycles", s.label));
    }
    for s in sides.iter().skip(1) {
        header.push(format!("{} speedup", s.label));
        header.push(format!("{} energy eff.", s.label));
    }
    let mut rows = Vec::new();
    for (i, bl) in base.result.layers.iter().enumerate() {
        let kind = kinds.get(i).copied().unwrap_or("");
        let mut row = vec![bl.layer.clone(), kind.to_string()];
        let layer = |s: &Side<'_>| s.result.layers.get(i).cloned().unwrap_or_default();
        for s in sides.iter().skip(1) {
            row.push(layer(s).extra("act_bits").map(|b| format!("{b}")).unwrap_or_else(|| "-".into()));
        }
        for s in sides {
            let l = layer(s);
            row.push(if ok(&l) { thousands(l.cycles) } else { "failed".into() });
        }
        for s in sides.iter().skip(1) {
            let l = layer(s);
            if ok(&l) && ok(bl) {
                row.push(format!("{:.2}", ratio(bl.cycles as f64, l.cycles as f64)));
                row.push(format!("{:.2}", ratio(bl.energy.total_pj, l.energy.total_pj)));
            } else {
                row.push("-".into());
                row.push("-".into());
            }
        }
        rows.push(row);
    }
    let is_conv: Vec<bool> = kinds.iter().map(|k| *k == "conv").collect();
    for (name, conv_only) in [("conv layers", true), ("all layers", false)] {
        let mask = |i: usize| !conv_only || is_conv.get(i).copied().unwrap_or(false);
        let mut row = vec![name.to_string(), String::new()];
        row.extend(sides.iter().skip(1).map(|_| String::new()));
        let totals: Vec<(f64, f64, f64)> = sides.iter().map(|s| sums(s.result, &mask, s.dram_level)).collect();
        row.extend(totals.iter().map(|t| thousands(t.0 as u64)));
        for t in totals.iter().skip(1) {
            row.push(format!("{:.2}", ratio(totals[0].0, t.0)));
            row.push(format!("{:.2}", ratio(totals[0].1, t.1)));
        }
        rows.push(row);
    }
    render(&header, &rows)
}

/// One row per network and compared arch, then arithmetic and geometric means.
pub fn summary_table(rows: &[NetworkSummary]) -> String {
    let header: Vec<String> = [
        "network",
        "arch",
        "speedup conv",
        "speedup all",
        "ideal 16/p conv",
        "terms %",
        "energy eff. conv",
        "energy eff. all",
        "on-chip eff. conv",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let line = |n: &str, a: &str, v: [f64; 7]| {
        let mut r = vec![n.to_string(), a.to_string()];
        for (i, x) in v.iter().enumerate() {
            r.push(if i == 3 { format!("{:.1}", 100.0 * x) } else { format!("{x:.2}") });
        }
        r
    };
    let vals = |s: &NetworkSummary| {
        [
            s.speedup_conv,
            s.speedup_all,
            s.ideal_speedup_conv,
            s.terms_fraction_conv,
            s.energy_eff_conv,
            s.energy_eff_all,
            s.energy_eff_onchip_conv,
        ]
    };
    let mut out: Vec<Vec<String>> = rows.iter().map(|s| line(&s.network, &s.arch, vals(s))).collect();
    let mut archs: Vec<&str> = Vec::new();
    for s in rows {
        if !archs.contains(&s.arch.as_str()) {
            archs.push(&s.arch);
        }
    }
    for a in archs {
        let sel: Vec<[f64; 7]> = rows.iter().filter(|s| s.arch == a).map(vals).collect();
        if sel.len() > 1 {
            let n = sel.len() as f64;
            let mut mean = [0.0; 7];
            let mut geo = [0.0; 7];
            for v in &sel {
                for k in 0..7 {
                    mean[k] += v[k] / n;
                    geo[k] += v[k].ln() / n;
                }
            }
            out.push(line("arithmetic mean", a, mean));
            out.push(line("geometric mean", a, geo.map(f64::exp)));
        }
    }
    render(&header, &out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use eyrie_sim::{LayerResult, SimResult};

    fn layer(name: &str, cycles: u64, pj: f64, macs: u64, bits: Option<f64>) -> LayerResult {
        let mut l = LayerResult { layer: name.into(), cycles, macs, ..LayerResult::default() };
        l.energy.total_pj = pj;
        l.energy.levels_pj = vec![pj / 4.0];
        if let Some(b) = bits {
            l.extra.push(("act_bits".into(), b));
        }
        l
    }

    #[test]
    fn summary_of_two_conv_layers_and_an_fc() {
        let base = SimResult::from_layers(
            "d",
            "n",
            1,
            1.0,
            vec![
                layer("c1", 160, 100.0, 10, None),
                layer("c2", 320, 200.0, 30, None),
                layer("fc", 100, 100.0, 5, None),
            ],
        );
        let other = SimResult::from_layers(
            "s",
            "n",
            1,
            1.0,
            vec![
                layer("c1", 80, 50.0, 10, Some(8.0)),
                layer("c2", 80, 100.0, 30, Some(4.0)),
                layer("fc", 100, 100.0, 5, Some(16.0)),
            ],
        );
        let b = Side { label: "d", result: &base, dram_level: 0 };
        let o = Side { label: "s", result: &other, dram_level: 0 };
        let s = summarize(&b, &o, &[true, true, false], 16);
        assert!((s.speedup_conv - 480.0 / 160.0).abs() < 1e-12);
        assert!((s.speedup_all - 580.0 / 260.0).abs() < 1e-12);
        assert!((s.energy_eff_conv - 2.0).abs() < 1e-12);
        assert!((s.energy_eff_onchip_conv - 2.0).abs() < 1e-12);
        // 16 · 40 / (10·8 + 30·4) = 3.2; terms 200 / 640.
        assert!((s.ideal_speedup_conv - 3.2).abs() < 1e-12);
        assert!((s.terms_fraction_conv - 0.3125).abs() < 1e-12);
        let t = layer_table(&[b, o], &["conv", "conv", "fc"]);
        assert!(t.contains("conv layers") && t.contains("3.00"), "{t}");
        let st = summary_table(&[s.clone(), NetworkSummary { network: "m".into(), ..s }]);
        assert!(st.contains("geometric mean") && st.contains("31.2"), "{st}");
    }
}
