//! `eyrie compress`: compress a network with a recipe and print the Deep Compression table.

use std::path::Path;
use std::process::ExitCode;

use eyrie_workloads::Network;
use eyrie_workloads::compress::weights::TensorFile;
use eyrie_workloads::compress::{self, CompressedNetwork, Recipe, Report, WeightSource};

use crate::CliResult;
use crate::cli::{CompressArgs, Format};
use crate::output::Staged;

/// Read and check a recipe file.
pub fn load_recipe(path: &Path) -> CliResult<Recipe> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read recipe {file}: {e}"))?;
    Ok(Recipe::parse(&file, &text).map_err(compress::CompressError::Recipe)?)
}

/// The weight source: a tensor file, or synthetic weights of the recipe's distribution.
///
/// An `.onnx` file gives its initializers (mapped to layers by the importer,
/// BatchNorm folded); any other file is read as .npy/.npz/safetensors.
pub fn weight_source(weights: Option<&Path>, recipe: &Recipe) -> CliResult<WeightSource> {
    Ok(match weights {
        Some(p) if p.extension().is_some_and(|e| e == "onnx") => {
            let opts = eyrie_workloads::onnx::ImportOptions::default();
            let tensors = eyrie_workloads::onnx::load_weights(p, &opts)?;
            WeightSource::File(TensorFile::from_tensors(&p.display().to_string(), tensors))
        }
        Some(p) => WeightSource::File(TensorFile::load(p)?),
        None => WeightSource::Synthetic(recipe.distribution),
    })
}

/// The weights to use: `--weights`, else the network file itself when it is an ONNX model
/// (its trained initializers), else none (seeded synthetic weights).
pub fn default_weights(weights: Option<&Path>, net: &str) -> Option<std::path::PathBuf> {
    weights.map(Path::to_path_buf).or_else(|| net.ends_with(".onnx").then(|| std::path::PathBuf::from(net)))
}

/// Compress `net` with the recipe at `recipe_path`.
pub fn compress_network(
    net: &Network,
    recipe_path: &Path,
    weights: Option<&Path>,
    seed: u64,
) -> CliResult<(CompressedNetwork, Report, Recipe)> {
    let recipe = load_recipe(recipe_path)?;
    let source = weight_source(weights, &recipe)?;
    let (cn, report) = compress::compress(net, &source, &recipe, seed)?;
    Ok((cn, report, recipe))
}

/// Read a compressed network file.
pub fn load_compressed(path: &Path) -> CliResult<CompressedNetwork> {
    let file = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {file}: {e}"))?;
    Ok(compress::file::from_bytes(&file, &bytes)?)
}

/// Run `eyrie compress`.
pub fn run(a: CompressArgs) -> CliResult<ExitCode> {
    let net = eyrie_workloads::load_network(&a.net)?;
    let weights = default_weights(a.weights.as_deref(), &a.net);
    let (cn, report, recipe) = compress_network(&net, &a.recipe, weights.as_deref(), a.seed)?;
    if let Some(dir) = &a.out {
        let mut st = Staged::new(dir)?;
        st.add("compressed.eyc", &compress::file::to_bytes(&cn)?)?;
        let mut csv = Vec::new();
        report.write_csv(&mut csv)?;
        st.add("report.csv", &csv)?;
        st.add("report.json", &serde_json::to_vec_pretty(&report)?)?;
        let text = std::fs::read(&a.recipe).map_err(|e| format!("cannot read recipe: {e}"))?;
        st.add("recipe.toml", &text)?;
        st.commit()?;
    }
    match a.format {
        Format::Table => {
            let source = match &a.weights {
                Some(p) => format!("weights {}", p.display()),
                None => format!("synthetic {:?} weights", recipe.distribution).to_lowercase(),
            };
            println!("{} compressed with {} ({source}, seed {})", report.network, report.recipe, a.seed);
            println!(
                "w.bits, i.bits: bits per stored weight and index (+H: after Huffman); P+Q, P+Q+H: bytes; \
                 rate%: compressed / dense 32-bit; SQNR in dB"
            );
            print!("{}", report.render_table());
        }
        Format::Csv => report.write_csv(std::io::stdout().lock())?,
        Format::Json => {
            serde_json::to_writer_pretty(std::io::stdout().lock(), &report)?;
            println!();
        }
    }
    Ok(ExitCode::SUCCESS)
}
