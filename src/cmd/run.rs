//! `eyrie run`: one design point.

use std::process::ExitCode;

use eyrie_arch::Arch;
use eyrie_sim::{RunOptions, simulate};
use eyrie_workloads::compress::CompressedNetwork;

use crate::CliResult;
use crate::cli::{Format, RunArgs};
use crate::output::Staged;

/// The architecture `eyrie run` uses when none is given.
pub const DEFAULT_ARCH: &str = "eyeriss";

/// Simulate one design point and print / write the results.
pub fn run(a: RunArgs) -> CliResult<ExitCode> {
    let sets = super::parse_sets(&a.sets)?;
    let mut a = a;
    let arch = match &a.config {
        Some(path) => {
            let (arch, run) = load_config(path)?;
            a.net = run.net;
            a.input_shapes = run.input_shapes.iter().map(|s| s.parse()).collect::<Result<_, String>>()?;
            a.skip_unknown = run.skip_unknown;
            a.batch = a.batch.or(Some(run.batch));
            a.seed = run.seed;
            a.precision_profile = a.precision_profile.take().or(run.precision_profile);
            a.recipe = a.recipe.or(run.recipe);
            a.weights = a.weights.or(run.weights);
            a.compressed = a.compressed.or(run.compressed);
            if sets.is_empty() { arch } else { arch.with_sets(&sets)? }
        }
        None => {
            let arch = Arch::load(&a.arch, &sets)?;
            note_ignored_scalesim_keys(&a.arch);
            arch
        }
    };
    let arch = super::explain::with_objective(arch, a.objective);
    if a.batch == Some(0) {
        return Err("--batch must be at least 1".into());
    }
    let cnet = match (&a.compressed, &a.recipe) {
        (Some(path), _) => {
            let mut c = super::compress::load_compressed(path)?;
            if let Some(b) = a.batch {
                c.network = c.network.with_batch(b);
            }
            c
        }
        (None, recipe) => {
            let mut net = super::inspect::load_net(&a.net, &a.input_shapes, a.skip_unknown)?;
            if let Some(b) = a.batch {
                net = net.with_batch(b);
            }
            match recipe {
                Some(r) => {
                    let weights = super::compress::default_weights(a.weights.as_deref(), &a.net);
                    super::compress::compress_network(&net, r, weights.as_deref(), a.seed)?.0
                }
                None => CompressedNetwork::dense(net, arch.word_bits),
            }
        }
    };
    let (cnet, profile_note) = super::profile::apply(a.precision_profile.as_deref(), cnet)?;
    if let Some(layer) = &a.explain {
        return super::explain::explain(&arch, &cnet.network, layer);
    }
    let opts = RunOptions { seed: a.seed, ..RunOptions::default() };
    let res = simulate(&arch, &cnet, &opts);

    if let Some(dir) = &a.out {
        let mut st = Staged::new(dir)?;
        let mut csv = Vec::new();
        eyrie_reports::csv_out::write_layers(&mut csv, &res)?;
        st.add("layers.csv", &csv)?;
        let mut json = Vec::new();
        eyrie_reports::write_json(&mut json, &res)?;
        st.add("summary.json", &json)?;
        st.add("config.toml", resolved_config(&a, &arch, cnet.network.batch)?.as_bytes())?;
        if a.plot {
            plot_run(&mut st, &csv);
        }
        st.commit()?;
    }
    match a.format {
        Format::Table => {
            println!(
                "{} on {} (batch {}, {} MHz, {} engine)",
                res.network, res.arch, res.batch, arch.clock_mhz, res.total.engine
            );
            if let Some(note) = &profile_note {
                println!("{note}");
            }
            print!("{}", eyrie_reports::table::layers(&res));
        }
        Format::Csv => eyrie_reports::csv_out::write_layers(std::io::stdout().lock(), &res)?,
        Format::Json => {
            eyrie_reports::write_json(std::io::stdout().lock(), &res)?;
            println!();
        }
    }
    if res.failed_layers() > 0 {
        eprintln!("{} of {} layers failed; see the table for why", res.failed_layers(), res.layers.len());
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

/// Name, once, the keys of a SCALE-Sim `.cfg` that eyrie read but does not model.
fn note_ignored_scalesim_keys(path: &str) {
    if !path.ends_with(".cfg") {
        return;
    }
    let Ok(text) = std::fs::read_to_string(path) else { return };
    if let Ok(cfg) = eyrie_arch::scalesim_cfg::parse(path, &text)
        && !cfg.ignored.is_empty()
    {
        eprintln!("note: {path}: SCALE-Sim keys eyrie does not model (ignored): {}", cfg.ignored.join(", "));
    }
}

/// The `[run]` table of a resolved configuration file.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RunSection {
    net: String,
    batch: u64,
    seed: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    precision_profile: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    recipe: Option<std::path::PathBuf>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    weights: Option<std::path::PathBuf>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    compressed: Option<std::path::PathBuf>,
    /// ONNX `--input-shape` values.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    input_shapes: Vec<String>,
    /// ONNX `--skip-unknown`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    skip_unknown: bool,
}

/// A resolved configuration: everything needed to rerun one point.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RunConfig {
    run: RunSection,
    arch: Arch,
}

fn resolved_config(a: &RunArgs, arch: &Arch, batch: u64) -> CliResult<String> {
    let run = RunSection {
        net: a.net.clone(),
        batch,
        seed: a.seed,
        recipe: a.recipe.clone(),
        weights: a.weights.clone(),
        compressed: a.compressed.clone(),
        precision_profile: a.precision_profile.clone(),
        input_shapes: a.input_shapes.iter().map(ToString::to_string).collect(),
        skip_unknown: a.skip_unknown,
    };
    let cfg = RunConfig { run, arch: arch.clone() };
    Ok(format!(
        "# The resolved configuration of one eyrie run; rerun it with\n#   eyrie run --config config.toml\n\n{}",
        toml::to_string_pretty(&cfg)?
    ))
}

/// Read a resolved configuration written by `--out`; returns the arch and the run inputs.
pub(crate) fn load_config(path: &std::path::Path) -> CliResult<(Arch, RunSection)> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {file}: {e}"))?;
    let cfg: RunConfig = eyrie_arch::config::parse(&file, &text)
        .map_err(|d| eyrie_arch::ArchError::Invalid(eyrie_arch::Diagnostics(vec![d])))?;
    let loc = eyrie_arch::config::Located::new(&file, &text);
    let problems = cfg.arch.validate(&|key, msg| loc.at_key(&format!("arch.{key}"), msg));
    if !problems.is_empty() {
        return Err(eyrie_arch::ArchError::Invalid(eyrie_arch::Diagnostics(problems)).into());
    }
    Ok((cfg.arch, cfg.run))
}

/// `--plot`: breakdown and per-layer figures (PNG and SVG) of this run; a figure that
/// cannot be drawn (e.g. no layer ran) is reported and left out.
fn plot_run(st: &mut Staged, layers_csv: &[u8]) {
    use eyrie_reports::plot::{Kind, Options, render};
    let table = match eyrie_reports::csv_table::Table::parse_whole(layers_csv, "layers.csv") {
        Ok(t) => t,
        Err(e) => return eprintln!("warning: no figures: {e}"),
    };
    for (kind, name) in [(Kind::Breakdown, "breakdown"), (Kind::Layers, "layers")] {
        for ext in ["png", "svg"] {
            let file = format!("{name}.{ext}");
            let tmp = st.temp_path(&file);
            match render(&table, &Options::new(kind), &tmp) {
                Ok(_) => st.adopt(tmp, &file),
                Err(e) => {
                    let _ = std::fs::remove_file(&tmp);
                    eprintln!("warning: {file} not drawn: {e}");
                }
            }
        }
    }
}
