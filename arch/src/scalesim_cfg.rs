//! SCALE-Sim `.cfg` files as architectures.
//!
//! A SCALE-Sim user can pass their existing config unchanged: the
//! `[architecture_presets]` keys that describe the array, the three SRAMs,
//! the dataflow and the DRAM bandwidth become a systolic [`Arch`]; every key
//! eyrie does not model is listed in [`ScaleSimCfg::ignored`] so the caller
//! can report it once. Values follow SCALE-Sim's configparser syntax
//! (`Key: value` or `Key = value`, `#`/`;` comments, case-insensitive keys).

use crate::{Arch, ArchError, Dataflow, Diagnostic, Diagnostics, EnergyParams, MemLevel, Partition, PeArray, PeKind};

/// The result of reading a SCALE-Sim config.
#[derive(Debug, Clone)]
pub struct ScaleSimCfg {
    /// The systolic architecture it describes.
    pub arch: Arch,
    /// `section.Key` of every key that was read but is not modelled.
    pub ignored: Vec<String>,
}

const MODELLED: &[&str] =
    &["arrayheight", "arraywidth", "ifmapsramszkb", "filtersramszkb", "ofmapsramszkb", "dataflow", "bandwidth"];

/// Parse a SCALE-Sim config; `file` names it in errors.
pub fn parse(file: &str, text: &str) -> Result<ScaleSimCfg, ArchError> {
    let mut section = String::new();
    let mut values: std::collections::BTreeMap<String, (String, usize)> = Default::default();
    let mut ignored = Vec::new();
    let mut problems = Vec::new();
    let mut run_name = String::from("scalesim");
    let diag = |line: usize, key: &str, message: String| Diagnostic {
        file: file.to_string(),
        line,
        col: 1,
        key: key.to_string(),
        message,
    };
    for (i, raw) in text.lines().enumerate() {
        let lineno = i + 1;
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(s) = line.strip_prefix('[') {
            match s.strip_suffix(']') {
                Some(name) => section = name.trim().to_string(),
                None => problems.push(diag(lineno, "", format!("malformed section header `{line}`"))),
            }
            continue;
        }
        let Some(pos) = line.find([':', '=']) else {
            problems.push(diag(lineno, &section, format!("expected `Key: value`, got `{line}`")));
            continue;
        };
        let key = line[..pos].trim();
        let value = line[pos + 1..].trim().to_string();
        let lk = key.to_ascii_lowercase();
        if section == "architecture_presets" && MODELLED.contains(&lk.as_str()) {
            values.insert(lk, (value, lineno));
        } else {
            if section == "general" && lk == "run_name" {
                run_name = value.clone();
            }
            ignored.push(format!("{section}.{key}"));
        }
    }
    let mut num = |k: &str, label: &str| -> Option<f64> {
        let (v, line) = values.get(k)?;
        match v.parse::<f64>() {
            Ok(x) if x.is_finite() && x > 0.0 => Some(x),
            _ => {
                problems.push(diag(
                    *line,
                    &format!("architecture_presets.{label}"),
                    format!("must be a positive number, got `{v}`"),
                ));
                None
            }
        }
    };
    let rows = num("arrayheight", "ArrayHeight");
    let cols = num("arraywidth", "ArrayWidth");
    let ifmap = num("ifmapsramszkb", "IfmapSramSzkB");
    let filt = num("filtersramszkb", "FilterSramSzkB");
    let ofmap = num("ofmapsramszkb", "OfmapSramSzkB");
    let bw = num("bandwidth", "Bandwidth");
    let dataflow = match values.get("dataflow") {
        None => None,
        Some((v, line)) => match v.to_ascii_lowercase().as_str() {
            "os" => Some(Dataflow::Os),
            "ws" => Some(Dataflow::Ws),
            "is" => Some(Dataflow::Is),
            other => {
                problems.push(diag(
                    *line,
                    "architecture_presets.Dataflow",
                    format!("unknown dataflow `{other}`; allowed: os, ws, is"),
                ));
                None
            }
        },
    };
    for (k, label) in [
        ("arrayheight", "ArrayHeight"),
        ("arraywidth", "ArrayWidth"),
        ("ifmapsramszkb", "IfmapSramSzkB"),
        ("filtersramszkb", "FilterSramSzkB"),
        ("ofmapsramszkb", "OfmapSramSzkB"),
        ("dataflow", "Dataflow"),
    ] {
        if !values.contains_key(k) {
            problems.push(diag(0, &format!("architecture_presets.{label}"), "missing; SCALE-Sim requires it".into()));
        }
    }
    if !problems.is_empty() {
        return Err(ArchError::Invalid(Diagnostics(problems)));
    }
    let (rows, cols, ifmap, filt, ofmap) =
        (rows.unwrap_or(1.0), cols.unwrap_or(1.0), ifmap.unwrap_or(1.0), filt.unwrap_or(1.0), ofmap.unwrap_or(1.0));
    let base = Arch::from_toml("arch/presets/systolic.toml", crate::presets::get("systolic").unwrap_or_default())?;
    let arch = Arch {
        name: run_name,
        description: format!("from SCALE-Sim config {file}"),
        pe_array: PeArray {
            rows: rows as u32,
            cols: cols as u32,
            kind: PeKind::Systolic,
            dataflow: dataflow.unwrap_or(Dataflow::Os),
        },
        levels: vec![
            MemLevel {
                bandwidth_words_per_cycle: bw.or(base.levels[0].bandwidth_words_per_cycle),
                ..base.levels[0].clone()
            },
            MemLevel {
                capacity_kb: Some(ifmap + filt + ofmap),
                partition: Some(Partition {
                    inputs_kb: Some(ifmap),
                    weights_kb: Some(filt),
                    outputs_kb: Some(ofmap),
                    ..Partition::default()
                }),
                ..base.levels[1].clone()
            },
        ],
        energy: EnergyParams { ..base.energy.clone() },
        ..base
    };
    Ok(ScaleSimCfg { arch, ignored })
}
