//! Side-by-side comparison of one network on several architectures.
//!
//! The first result is the baseline. Per layer: cycles on each arch, the
//! speedup (baseline cycles / cycles) and energy efficiency (baseline energy
//! / energy). Per network: the same over all layers and over conv layers
//! only (the Stripes and Pragmatic papers report conv layers, Pragmatic
//! MICRO 2017 Sec. 6.1), plus the "ideal" bit-serial speedup
//! `16 · Σ MACs / Σ MACs · p` and the fraction of the baseline's terms
//! (activation bits) processed, `Σ MACs · p / Σ MACs · 16`, of the conv layers.

use eyrie_sim::{LayerResult, SimResult, Status};

use crate::table::{render, thousands};

/// One architecture's result, with how to label it and which level is off-chip.
#[derive(Debug, Clone, Copy)]
pub struct Side<'a> {
    /// Column label (the `--arch` argument).
    pub label: &'a str,
    /// The result.
    pub result: &'a SimResult,
    /// Index of the off-chip level (excluded from on-chip energy).
    pub dram_level: usize,
}

/// Network-level figures of one architecture against the baseline.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct NetworkSummary {
    /// Network name.
    pub network: String,
    /// Label of the compared architecture.
    pub arch: String,
    /// Speedup over the baseline, conv layers only.
    pub speedup_conv: f64,
    /// Speedup over the baseline, all layers.
    pub speedup_all: f64,
    /// Energy efficiency (baseline energy / energy), conv layers only.
    pub energy_eff_conv: f64,
    /// Energy efficiency, all layers.
    pub energy_eff_all: f64,
    /// Energy efficiency of on-chip energy only (no DRAM), conv layers.
    pub energy_eff_onchip_conv: f64,
    /// `16 · Σ MACs / Σ MACs · p` over conv layers (word width for 16), with `p` the
    /// compared arch's `act_bits` extra (the word width where absent).
    pub ideal_speedup_conv: f64,
    /// `Σ MACs · p / Σ MACs · word`: the fraction of the baseline's terms processed.
    pub terms_fraction_conv: f64,
}

fn ok(l: &LayerResult) -> bool {
    l.status == Status::Ok
}

fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 { a / b } else { f64::NAN }
}

fn sums(r: &SimResult, mask: &dyn Fn(usize) -> bool, dram: usize) -> (f64, f64, f64) {
    let mut c = 0.0;
    let mut e = 0.0;
    let mut on = 0.0;
    for (_, l) in r.layers.iter().enumerate().filter(|(i, l)| mask(*i) && ok(l)) {
        c += l.cycles as f64;
        e += l.energy.total_pj;
        on += l.energy.total_pj - l.energy.levels_pj.get(dram).copied().unwrap_or(0.0);
    }
    (c, e, on)
}

/// Summarise `other` against `base`; `is_conv[i]` says whether layer `i` is a conv layer.
pub fn summarize(base: &Side<'_>, other: &Side<'_>, is_conv: &[bool], word_bits: u32) -> NetworkSummary {
    let conv = |i: usize| is_conv.get(i).copied().unwrap_or(false);
    let all = |_: usize| true;
    let (bc, be, bo) = sums(base.result, &conv, base.dram_level);
    let (oc, oe, oo) = sums(other.result, &conv, other.dram_level);
    let (bca, bea, _) = sums(base.result, &all, base.dram_level);
    let (oca, oea, _) = sums(other.result, &all, other.dram_level);
    let word = f64::from(word_bits);
    let (mut macs, mut bits) = (0.0, 0.0);
    for (_, l) in other.result.layers.iter().enumerate().filter(|(i, l)| conv(*i) && ok(l)) {
        macs += l.macs as f64;
        bits += l.macs as f64 * l.extra("act_bits").unwrap_or(word);
    }
    NetworkSummary {
        network: other.result.network.clone(),
        arch: other.label.to_string(),
        speedup_conv: ratio(bc, oc),
        speedup_all: ratio(bca, oca),
        energy_eff_conv: ratio(be, oe),
        energy_eff_all: ratio(bea, oea),
        energy_eff_onchip_conv: ratio(bo, oo),
        ideal_speedup_conv: ratio(word * macs, bits),
        terms_fraction_conv: ratio(bits, word * macs),
    }
}

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

/// Arithmetic mean of a field over summaries.
pub fn mean(rows: &[NetworkSummary], f: impl Fn(&NetworkSummary) -> f64) -> f64 {
    if rows.is_empty() { f64::NAN } else { rows.iter().map(f).sum::<f64>() / rows.len() as f64 }
}

#[cfg(test)]
mod tests {
    use super::*;

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
