//! Engine-specific sections of an architecture file, one module per engine.
//!
//! Each section is an optional table in the architecture TOML (`[mapper]`,
//! `[spatial]`, `[eie]`, `[bit_serial]`). Each `validate` appends
//! `(key path, message)` pairs; [`crate::Arch::validate`] locates them.

mod bit_serial;
mod eie;
mod mapper;
mod spatial;

pub use bit_serial::BitSerialParams;
pub use bit_serial::{PrecisionGroup, TileGeometry, WindowOrder};
pub use eie::EieParams;
pub use eie::{EIE_OPTIONAL_LEVELS, EIE_REQUIRED_LEVELS, validate_arch as validate_eie_arch};
pub use mapper::{MapperParams, Objective};
pub use spatial::{NocBandwidth, SpatialParams};
