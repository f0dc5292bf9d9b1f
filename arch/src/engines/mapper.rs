//! `[mapper]`: how the dense spatial engine searches for mappings.

use serde::{Deserialize, Serialize};

/// What the mapper minimizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Objective {
    /// Total energy.
    #[default]
    Energy,
    /// Total cycles.
    Latency,
    /// Energy × delay.
    Edp,
}

/// Mapper settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MapperParams {
    /// What to minimize.
    #[serde(default)]
    pub objective: Objective,
    /// Upper bound on mappings evaluated per layer.
    #[serde(default = "default_budget")]
    pub budget: u32,
}

fn default_budget() -> u32 {
    20_000
}

impl Default for MapperParams {
    fn default() -> Self {
        MapperParams { objective: Objective::Energy, budget: default_budget() }
    }
}

impl MapperParams {
    pub(crate) fn validate(&self, out: &mut Vec<(String, String)>) {
        if self.budget == 0 {
            out.push(("mapper.budget".into(), "must be at least 1 mapping".into()));
        }
    }
}
