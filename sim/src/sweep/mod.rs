//! Design-space exploration: sweep files, their points, and running them.
//!
//! A sweep file ([`spec`]) names a base design point and axes over any of
//! its fields by dotted path. [`plan::Plan::build`] expands the axes (grid,
//! zip groups, seeded samples, `where` constraints), resolves and validates
//! every point before any runs, and gives each a stable [`id`]. A
//! [`run::Runner`] simulates points in parallel on a local rayon pool and
//! hands each result back as it finishes, so the caller can stream it to
//! disk; [`shard::Shard`] picks a deterministic share for cluster runs. The
//! file format is documented in [`spec`] and in the README ("Design-space
//! exploration").

pub mod axis;
pub mod expr;
pub mod id;
pub mod lookup;
pub mod plan;
pub mod recipe;
pub mod run;
pub mod shard;
pub mod spec;

pub use axis::{Axis, Target, Values};
pub use plan::{Plan, PlanPoint, Resolved};
pub use run::{LayerFn, PointOutcome, Runner, pool};
pub use shard::Shard;
pub use spec::{PlotSpec, Sweep};

use eyrie_arch::Diagnostics;

/// Errors from loading, planning or running a sweep.
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    /// The sweep file could not be read.
    #[error("cannot read sweep file {path}")]
    Io {
        /// Path as given.
        path: String,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// The sweep file or one of its points is invalid.
    #[error("invalid sweep:\n{0}")]
    Invalid(Diagnostics),
    /// The thread pool could not start.
    #[error("cannot start the worker threads")]
    Pool(#[source] rayon::ThreadPoolBuildError),
    /// Writing results failed (the message comes from the caller's sink).
    #[error("cannot write results: {0}")]
    Output(String),
}

#[cfg(test)]
mod tests;
