//! Rendering of eyrie results: terminal tables, CSV and JSON (plots live in [`plot`] once built).
//!
//! Everything here reads [`eyrie_sim::SimResult`] and writes to any
//! `io::Write`; only the binary decides where files go.

#![warn(missing_docs)]

pub mod compare;
pub mod csv_out;
pub mod csv_table;
pub mod pareto;
pub mod plot;
pub mod sweep_csv;
pub mod table;
pub mod validate;

/// Errors from writing reports.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// Writing failed.
    #[error("cannot write report")]
    Io(#[from] std::io::Error),
    /// CSV encoding failed.
    #[error("cannot write CSV")]
    Csv(#[from] csv::Error),
    /// JSON encoding failed.
    #[error("cannot write JSON")]
    Json(#[from] serde_json::Error),
    /// A column the operation needs is missing.
    #[error("no column `{name}`; the columns are: {available}")]
    Column {
        /// The column asked for.
        name: String,
        /// The columns there are, comma separated.
        available: String,
    },
    /// The data cannot be used as asked (the message says why).
    #[error("{0}")]
    Invalid(String),
    /// Drawing a figure failed.
    #[error("cannot draw the figure: {0}")]
    Plot(String),
}

/// Write a result as pretty JSON (layers and total).
pub fn write_json<W: std::io::Write>(w: W, r: &eyrie_sim::SimResult) -> Result<(), ReportError> {
    serde_json::to_writer_pretty(w, r)?;
    Ok(())
}
