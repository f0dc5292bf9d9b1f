//! The built-in architecture presets (`arch/presets/*.toml`), embedded in the binary.

/// `(name, TOML text)` of every preset, in listing order.
pub const PRESETS: &[(&str, &str)] = &[
    ("systolic", include_str!("../presets/systolic.toml")),
    ("eyeriss", include_str!("../presets/eyeriss.toml")),
    ("eie", include_str!("../presets/eie.toml")),
    ("dadiannao", include_str!("../presets/dadiannao.toml")),
    ("stripes", include_str!("../presets/stripes.toml")),
];

/// The TOML text of a preset.
pub fn get(name: &str) -> Option<&'static str> {
    PRESETS.iter().find(|(n, _)| *n == name).map(|(_, t)| *t)
}

/// Names of all presets.
pub fn names() -> Vec<&'static str> {
    PRESETS.iter().map(|(n, _)| *n).collect()
}
