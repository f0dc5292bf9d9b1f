//! The reference set: published figures by file and id.
//!
//! The built-in set is the repository's copy under `docs/reference/`
//! (compiled in, so a clone without the project's shared folder validates).
//! `References::from_dir` reads the same file names from another directory,
//! in the same format: `[[figure]]` tables with `id`, `value` (a number, an
//! array or an inline table of numbers), `confirmed`. Files and figures a
//! directory lacks are skipped, not errors, so a partial or differently
//! organised set still validates what it has; a file that exists but does
//! not parse is an error naming it.

use std::collections::BTreeMap;
use std::path::Path;

use super::ValidateError;

/// The built-in files: (file stem, where it lives in the repository, text).
const BUILTIN: &[(&str, &str, &str)] = &[
    ("eyeriss", "docs/reference/eyeriss.toml", include_str!("../../../docs/reference/eyeriss.toml")),
    ("eie", "docs/reference/eie.toml", include_str!("../../../docs/reference/eie.toml")),
    ("stripes", "docs/reference/stripes.toml", include_str!("../../../docs/reference/stripes.toml")),
    (
        "deep_compression",
        "docs/reference/deep_compression.toml",
        include_str!("../../../docs/reference/deep_compression.toml"),
    ),
];

/// SCALE-Sim's own results (`docs/reference/scalesim/`): (file, text).
const SCALESIM: &[(&str, &str)] = &[
    ("scalesim/results.csv", include_str!("../../../docs/reference/scalesim/results.csv")),
    ("scalesim/scale.cfg", include_str!("../../../docs/reference/scalesim/scale.cfg")),
];

/// Which part of a figure's value to take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sel {
    /// The value itself (a number).
    Whole,
    /// Element `i` of an array value.
    Index(usize),
    /// Key `k` of an inline-table value.
    Key(&'static str),
}

/// Where a figure may be found: one of several alternatives (reference sets
/// differ in how they file a figure, e.g. a range as one array or two ids).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lookup {
    /// File stem (`eie` for `eie.toml`).
    pub file: &'static str,
    /// Figure id.
    pub id: &'static str,
    /// Element.
    pub sel: Sel,
}

impl Lookup {
    /// A whole-number figure.
    pub const fn whole(file: &'static str, id: &'static str) -> Lookup {
        Lookup { file, id, sel: Sel::Whole }
    }
    /// Element `i` of an array figure.
    pub const fn at(file: &'static str, id: &'static str, i: usize) -> Lookup {
        Lookup { file, id, sel: Sel::Index(i) }
    }
}

/// A loaded reference set.
#[derive(Debug, Clone)]
pub struct References {
    /// Where the set came from (for messages).
    pub origin: String,
    files: BTreeMap<String, (String, toml::Table)>,
    /// Other files (SCALE-Sim's CSV and config): relative path -> (path shown, text).
    extra: BTreeMap<String, (String, String)>,
}

fn parse(path: &str, text: &str) -> Result<toml::Table, ValidateError> {
    toml::from_str(text).map_err(|e| ValidateError::Reference { path: path.to_string(), message: e.to_string() })
}

impl References {
    /// The repository's own copy (`docs/reference/`), compiled in.
    pub fn builtin() -> Result<References, ValidateError> {
        let mut files = BTreeMap::new();
        for (stem, path, text) in BUILTIN {
            files.insert(stem.to_string(), (path.to_string(), parse(path, text)?));
        }
        let extra = SCALESIM.iter().map(|(p, t)| (p.to_string(), (format!("docs/reference/{p}"), t.to_string()))).collect();
        Ok(References { origin: "docs/reference (built in)".into(), files, extra })
    }

    /// The `*.toml` files of `dir` (and `dir/scalesim/` when present).
    pub fn from_dir(dir: &Path) -> Result<References, ValidateError> {
        let shown = dir.display().to_string();
        let entries = std::fs::read_dir(dir)
            .map_err(|e| ValidateError::Reference { path: shown.clone(), message: e.to_string() })?;
        let mut names: Vec<std::path::PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        names.sort();
        let mut files = BTreeMap::new();
        for p in names {
            let path = p.display().to_string();
            let text = std::fs::read_to_string(&p)
                .map_err(|e| ValidateError::Reference { path: path.clone(), message: e.to_string() })?;
            let doc = parse(&path, &text)?;
            // Only files of figures count; other TOML (architectures) is left alone.
            if doc.get("figure").is_some_and(|f| f.is_array())
                && let Some(stem) = p.file_stem().and_then(|s| s.to_str())
            {
                files.insert(stem.to_string(), (path, doc));
            }
        }
        if files.is_empty() {
            return Err(ValidateError::Reference {
                path: shown,
                message: "no reference files here (TOML files with [[figure]] tables)".into(),
            });
        }
        let mut extra = BTreeMap::new();
        for (rel, _) in SCALESIM {
            let path = dir.join(rel);
            if let Ok(t) = std::fs::read_to_string(&path) {
                extra.insert(rel.to_string(), (path.display().to_string(), t));
            }
        }
        Ok(References { origin: shown, files, extra })
    }

    /// A non-figure file (`scalesim/results.csv`) as (path shown, text), if the set has it.
    pub fn extra(&self, rel: &str) -> Option<(&str, &str)> {
        self.extra.get(rel).map(|(p, t)| (p.as_str(), t.as_str()))
    }

    /// The first of `at` this set has, as (value, `id[sel]`, file, confirmed).
    ///
    /// `Ok(None)` when none is present; an error when a figure is present but
    /// its value is not a number where one is asked for.
    pub fn number(&self, at: &[Lookup]) -> Result<Option<(f64, String, String, bool)>, ValidateError> {
        for l in at {
            let Some((path, doc)) = self.files.get(l.file) else { continue };
            let Some(fig) = doc
                .get("figure")
                .and_then(|f| f.as_array())
                .and_then(|a| a.iter().find(|f| f.get("id").and_then(|i| i.as_str()) == Some(l.id)))
            else {
                continue;
            };
            let bad = |what: &str| ValidateError::Reference {
                path: path.clone(),
                message: format!("figure `{}`: {what}", l.id),
            };
            let value = fig.get("value").ok_or_else(|| bad("has no value"))?;
            let (v, shown) = match l.sel {
                Sel::Whole => (value, l.id.to_string()),
                Sel::Index(i) => (
                    value.as_array().and_then(|a| a.get(i)).ok_or_else(|| bad(&format!("has no element {i}")))?,
                    format!("{}[{i}]", l.id),
                ),
                Sel::Key(k) => (
                    value.as_table().and_then(|t| t.get(k)).ok_or_else(|| bad(&format!("has no key `{k}`")))?,
                    format!("{}.{k}", l.id),
                ),
            };
            let n = v
                .as_float()
                .or_else(|| v.as_integer().map(|i| i as f64))
                .ok_or_else(|| bad(&format!("{shown} is not a number")))?;
            let confirmed = fig.get("confirmed").and_then(|c| c.as_bool()).unwrap_or(false);
            return Ok(Some((n, shown, path.clone(), confirmed)));
        }
        Ok(None)
    }
}
