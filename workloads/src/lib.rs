//! Workloads for eyrie: layers, networks, the zoo, importers and the compressor.
//!
//! A [`Network`] is a list of [`Layer`]s, each the loop nest of a
//! (grouped, strided, dilated) convolution; fully-connected and matmul
//! layers are its 1×1 case. Networks come from the [`zoo`], from a network
//! TOML file ([`Network::from_toml`]) or from a SCALE-Sim topology CSV
//! ([`scalesim_csv`]) or an ONNX model ([`onnx`]). The compressor ([`compress`]) turns a network and its
//! weights into a [`compress::CompressedNetwork`] that the engines run.

#![warn(missing_docs)]

pub mod compress;
pub mod layer;
pub mod network;
pub mod onnx;
pub mod precision_profile;
pub mod scalesim_csv;
pub mod zoo;
pub mod zoo_stripes;

pub use eyrie_arch::config::{Diagnostic, Diagnostics};
pub use layer::{Layer, LayerKind};
pub use network::Network;

/// Errors from reading or building workloads.
#[derive(Debug, thiserror::Error)]
pub enum WorkloadError {
    /// A file could not be read.
    #[error("cannot read {path}")]
    Io {
        /// Path as given.
        path: String,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// A file is not valid.
    #[error("invalid input:\n{0}")]
    Invalid(Diagnostics),
    /// A name that is neither a file nor a zoo network.
    #[error("no network file or zoo network named `{name}`; zoo: {zoo}")]
    UnknownNetwork {
        /// The name given.
        name: String,
        /// Zoo names, comma separated.
        zoo: String,
    },
    /// An ONNX file could not be imported.
    #[error(transparent)]
    Onnx(#[from] onnx::OnnxError),
    /// A compression problem.
    #[error("{0}")]
    Compress(String),
}

/// Load a network from a zoo name, a network `.toml`, a SCALE-Sim `.csv` topology or an `.onnx` model.
pub fn load_network(name_or_path: &str) -> Result<Network, WorkloadError> {
    load_network_with(name_or_path, &onnx::ImportOptions::default())
}

/// [`load_network`] with ONNX import options (input shapes, skipping unknown
/// operators); the options must be the defaults for any other kind of network.
pub fn load_network_with(name_or_path: &str, opts: &onnx::ImportOptions) -> Result<Network, WorkloadError> {
    let path = std::path::Path::new(name_or_path);
    if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("onnx")) {
        return Ok(onnx::import_file(path, opts)?.network);
    }
    if *opts != onnx::ImportOptions::default() {
        return Err(WorkloadError::Onnx(onnx::OnnxError::Model {
            file: name_or_path.to_string(),
            msg: "--input-shape and --skip-unknown apply to .onnx models only".to_string(),
        }));
    }
    let path = std::path::Path::new(name_or_path);
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    if path.exists() || matches!(ext, "toml" | "csv") {
        let text = std::fs::read_to_string(path)
            .map_err(|source| WorkloadError::Io { path: name_or_path.to_string(), source })?;
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("net");
        return match ext {
            "csv" => scalesim_csv::parse(name_or_path, &text, stem),
            _ => Network::from_toml(name_or_path, &text),
        };
    }
    zoo::get(name_or_path)
        .ok_or_else(|| WorkloadError::UnknownNetwork { name: name_or_path.to_string(), zoo: zoo::names().join(", ") })
}
