//! `eyrie compare`: networks on several architectures, per-layer and total speedup and
//! energy efficiency against the first (e.g. DaDianNao vs Stripes), and optionally a
//! comparison of the summary with a paper's published figures.

use std::process::ExitCode;

use eyrie_arch::Arch;
use eyrie_reports::compare::{NetworkSummary, Side, layer_table, mean, summarize, summary_table};
use eyrie_reports::table::render;
use eyrie_sim::{RunOptions, SimResult, accounting::dram_index, simulate};
use eyrie_workloads::compress::CompressedNetwork;

use crate::CliResult;
use crate::cli::CompareArgs;

/// The built-in reference figures `--reference stripes` compares with (docs/reference/stripes.toml).
const STRIPES_REFERENCE: &str = include_str!("../../docs/reference/stripes.toml");

/// Run the comparison.
pub fn compare(a: CompareArgs) -> CliResult<ExitCode> {
    if a.archs.len() < 2 {
        return Err("compare needs at least two --arch (the first is the baseline)".into());
    }
    if a.batch == Some(0) {
        return Err("--batch must be at least 1".into());
    }
    let mut archs: Vec<(String, Arch)> = Vec::new();
    let mut legend = Vec::new();
    for spec in &a.archs {
        let mut parts = spec.split(',');
        let name = parts.next().unwrap_or_default().trim();
        let sets = super::parse_sets(&parts.map(str::to_string).collect::<Vec<_>>())?;
        let arch = Arch::load(name, &sets)?;
        // Label: the arch's name, numbered when it repeats (`stripes#2`).
        let same = archs.iter().filter(|(_, x)| x.name == arch.name).count();
        let label = if same == 0 { arch.name.clone() } else { format!("{}#{}", arch.name, same + 1) };
        if label != *spec {
            legend.push(format!("{label} = --arch {spec}"));
        }
        archs.push((label, arch));
    }
    for l in &legend {
        println!("{l}");
    }
    let opts = RunOptions { seed: a.seed, ..RunOptions::default() };
    let mut summaries: Vec<NetworkSummary> = Vec::new();
    let mut failed = 0;
    for net_name in &a.nets {
        let mut net = eyrie_workloads::load_network(net_name)?;
        if let Some(b) = a.batch {
            net = net.with_batch(b);
        }
        let kinds: Vec<&str> = net.layers.iter().map(|l| l.kind.as_str()).collect();
        let is_conv: Vec<bool> = kinds.iter().map(|k| *k == "conv").collect();
        let mut results: Vec<SimResult> = Vec::new();
        let mut note = None;
        for (_, arch) in &archs {
            let cnet = CompressedNetwork::dense(net.clone(), arch.word_bits);
            let (cnet, n) = super::profile::apply(a.precision_profile.as_deref(), cnet)?;
            note = n;
            let r = simulate(arch, &cnet, &opts);
            failed += r.failed_layers();
            results.push(r);
        }
        let sides: Vec<Side<'_>> = archs
            .iter()
            .zip(&results)
            .map(|((label, arch), r)| Side { label: label.as_str(), result: r, dram_level: dram_index(arch) })
            .collect();
        let base_word = archs[0].1.word_bits;
        for s in sides.iter().skip(1) {
            summaries.push(summarize(&sides[0], s, &is_conv, base_word));
        }
        if !a.summary {
            println!("{} (batch {}), baseline {}", net.name, net.batch, sides[0].label);
            println!("{}", note.as_deref().unwrap_or("activation precision: no profile (network or arch defaults)"));
            print!("{}", layer_table(&sides, &kinds));
            for (s, r) in sides.iter().zip(&results) {
                for l in r.layers.iter().filter(|l| l.status != eyrie_sim::Status::Ok) {
                    if let eyrie_sim::Status::Failed(m) = &l.status {
                        println!("failed on {}: {}: {m}", s.label, l.layer);
                    }
                }
            }
            println!();
        }
    }
    println!("summary (speedup and energy efficiency over {}; conv = conv layers only)", archs[0].0);
    if let Some(p) = &a.precision_profile {
        println!("activation precisions from profile `{p}`{}", unconfirmed_note(p));
    }
    print!("{}", summary_table(&summaries));
    if let Some(r) = &a.reference {
        print_reference(r, &summaries, &archs)?;
    }
    if failed > 0 {
        eprintln!("{failed} layer runs failed; see the tables for why");
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

fn unconfirmed_note(p: &str) -> &'static str {
    if eyrie_workloads::precision_profile::builtin_names().iter().any(|n| n == p) {
        " (the Stripes paper's Table 2 as recalled: UNCONFIRMED values, used as inputs)"
    } else {
        ""
    }
}

#[derive(serde::Deserialize)]
struct RefFile {
    figure: Vec<RefFigure>,
}

#[derive(serde::Deserialize)]
struct RefFigure {
    id: String,
    value: f64,
    confirmed: bool,
    tolerance: Option<f64>,
}

/// Paper vs eyrie for the figures of a built-in reference file.
fn print_reference(name: &str, rows: &[NetworkSummary], archs: &[(String, Arch)]) -> CliResult<()> {
    if name != "stripes" {
        return Err(format!("no built-in reference `{name}`; available: stripes").into());
    }
    let file: RefFile = toml::from_str(STRIPES_REFERENCE)?;
    // The figures are about the first compared arch against the baseline.
    let first = archs.get(1).map(|(l, _)| l.as_str()).unwrap_or_default();
    let rows: Vec<NetworkSummary> = rows.iter().filter(|s| s.arch == first).cloned().collect();
    let rows = rows.as_slice();
    let fig = |id: &str| file.figure.iter().find(|f| f.id == id);
    let speed: Vec<f64> = rows.iter().map(|s| s.speedup_conv).collect();
    let min = speed.iter().copied().fold(f64::INFINITY, f64::min);
    let max = speed.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let area = match (archs.first(), archs.get(1)) {
        (Some((_, b)), Some((_, o))) => match (b.bit_serial.as_ref(), o.bit_serial.as_ref()) {
            (Some(b), Some(o)) => o.area_mm2.zip(b.area_mm2).map(|(o, b)| o / b - 1.0),
            _ => None,
        },
        _ => None,
    };
    let ours: [(&str, &str, Option<f64>); 8] = [
        ("headline.speedup_avg", "mean conv speedup", Some(mean(rows, |s| s.speedup_conv))),
        ("headline.speedup_min", "lowest network conv speedup", Some(min)),
        ("headline.speedup_max", "highest network conv speedup", Some(max)),
        ("headline.energy_efficiency", "mean conv energy efficiency", Some(mean(rows, |s| s.energy_eff_conv))),
        ("headline.area_overhead", "area_mm2 ratio - 1 (input)", area),
        ("pragmatic.str_terms_fraction", "mean conv terms fraction", Some(mean(rows, |s| s.terms_fraction_conv))),
        ("pragmatic.str_speedup_conv", "mean conv speedup", Some(mean(rows, |s| s.speedup_conv))),
        ("pragmatic.str_energy_efficiency", "mean conv energy efficiency", Some(mean(rows, |s| s.energy_eff_conv))),
    ];
    let header: Vec<String> = ["figure", "paper", "eyrie", "eyrie measure", "error", "tolerance", "verdict"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let mut out = Vec::new();
    for (id, what, v) in ours {
        let Some(f) = fig(id) else { continue };
        let Some(v) = v else { continue };
        let err = v / f.value - 1.0;
        let (tol, verdict) = match f.tolerance {
            Some(t) if err.abs() <= t => (format!("±{:.0}%", 100.0 * t), "within"),
            Some(t) => (format!("±{:.0}%", 100.0 * t), "MISS"),
            None => ("-".into(), "context"),
        };
        let conf = if f.confirmed { "" } else { " (unconfirmed)" };
        out.push(vec![
            format!("{id}{conf}"),
            format!("{:.2}", f.value),
            format!("{v:.2}"),
            what.to_string(),
            format!("{:+.1}%", 100.0 * err),
            tol,
            verdict.to_string(),
        ]);
    }
    let six = ["alexnet", "nin", "googlenet", "vgg-m", "vgg-s", "vgg19"];
    if rows.len() != six.len() || !rows.iter().all(|r| six.contains(&r.network.as_str())) {
        println!("\nnote: the paper's figures are over {}; this run has {} of them", six.join(", "), rows.len());
    }
    println!(
        "\nreference: {first} vs {} against docs/reference/stripes.toml (tolerances stated there before the model was run)",
        archs.first().map(|(l, _)| l.as_str()).unwrap_or_default()
    );
    print!("{}", render(&header, &out));
    Ok(())
}
