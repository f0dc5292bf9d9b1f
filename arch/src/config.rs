//! TOML loading with diagnostics that name the file, line, column and key.
//!
//! Every configuration file of eyrie (architectures, networks, recipes,
//! sweeps) goes through this module, so a bad file always produces the same
//! shape of message: `file:line:col: key: what is wrong (what is allowed)`.
//! Positions come from toml's spans; key paths are recovered from the
//! spanned document tree (`toml::de::DeTable`), so validation errors found
//! after deserialization still point at the right line.

use std::ops::Range;

use serde::de::DeserializeOwned;
use toml::de::{DeTable, DeValue};

/// One problem in a configuration file, located by file, line, column and key path.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Diagnostic {
    /// The file name as the user gave it (or `--set` for command-line overrides).
    pub file: String,
    /// 1-based line, 0 when unknown.
    pub line: usize,
    /// 1-based column, 0 when unknown.
    pub col: usize,
    /// Dotted key path, e.g. `levels.glb.capacity_kb`; empty for the whole file.
    pub key: String,
    /// What is wrong and what is allowed.
    pub message: String,
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.file)?;
        if self.line > 0 {
            write!(f, ":{}", self.line)?;
            if self.col > 0 {
                write!(f, ":{}", self.col)?;
            }
        }
        if !self.key.is_empty() {
            write!(f, ": key `{}`", self.key)?;
        }
        write!(f, ": {}", self.message)
    }
}

/// A list of diagnostics, displayed one per line.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl std::fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

/// 1-based line and column of a byte offset in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before.rfind('\n').map_or(offset, |nl| offset - nl - 1) + 1;
    (line, col)
}

/// A parsed TOML source that can answer "where is key X" and "which key is at offset Y".
pub struct Located<'a> {
    file: &'a str,
    text: &'a str,
    root: Option<DeTable<'a>>,
}

impl<'a> Located<'a> {
    /// Parse `text` (already known to be, or expected to be, TOML) for locating keys.
    pub fn new(file: &'a str, text: &'a str) -> Self {
        let root = DeTable::parse(text).ok().map(|t| t.into_inner());
        Located { file, text, root }
    }

    /// A diagnostic at the value of `key` (a dotted path; arrays of tables are
    /// addressed by their `name` field or by index). Falls back to the nearest
    /// existing parent, then to the file.
    pub fn at_key(&self, key: &str, message: impl Into<String>) -> Diagnostic {
        let (line, col) = self.span_of(key).map(|s| line_col(self.text, s.start)).unwrap_or((0, 0));
        Diagnostic { file: self.file.to_string(), line, col, key: key.to_string(), message: message.into() }
    }

    /// Convert a toml deserialization error into a diagnostic with its key path.
    pub fn from_toml_error(&self, err: &toml::de::Error) -> Diagnostic {
        let span = err.span();
        let (line, col) = span.as_ref().map(|s| line_col(self.text, s.start)).unwrap_or((0, 0));
        let key = span.as_ref().and_then(|s| self.key_at(s.start)).unwrap_or_default();
        Diagnostic { file: self.file.to_string(), line, col, key, message: err.message().trim().to_string() }
    }

    /// Span of the value at a dotted key path.
    pub fn span_of(&self, key: &str) -> Option<Range<usize>> {
        let root = self.root.as_ref()?;
        let mut best: Option<Range<usize>> = None;
        let mut table = root;
        let parts: Vec<&str> = key.split('.').filter(|p| !p.is_empty()).collect();
        let mut i = 0;
        while i < parts.len() {
            let (k, v) = table.iter().find(|(k, _)| k.get_ref().as_ref() == parts[i])?;
            best = Some(if i + 1 == parts.len() { v.span() } else { k.span() });
            i += 1;
            match v.get_ref() {
                DeValue::Table(t) => table = t,
                DeValue::Array(a) if i < parts.len() => {
                    let elem = a.iter().enumerate().find(|(idx, e)| {
                        parts[i] == idx.to_string()
                            || matches!(e.get_ref(), DeValue::Table(t)
                                if t.iter().any(|(k, v)| k.get_ref().as_ref() == "name"
                                    && v.get_ref().as_str() == Some(parts[i])))
                    });
                    match elem {
                        Some((_, e)) => {
                            best = Some(e.span());
                            i += 1;
                            match e.get_ref() {
                                DeValue::Table(t) => table = t,
                                _ => break,
                            }
                        }
                        None => break,
                    }
                }
                _ => break,
            }
        }
        best
    }

    /// Dotted path of the innermost key whose key or value span contains `offset`.
    pub fn key_at(&self, offset: usize) -> Option<String> {
        fn walk(table: &DeTable<'_>, offset: usize, path: &mut Vec<String>) -> bool {
            for (k, v) in table.iter() {
                let inside_key = k.span().contains(&offset);
                let vs = v.span();
                let inside_val = vs.contains(&offset) || (vs.start == offset && vs.is_empty());
                if inside_key || inside_val {
                    path.push(k.get_ref().to_string());
                    if inside_val {
                        descend(v.get_ref(), offset, path);
                    }
                    return true;
                }
            }
            // Keys of a [table] header's body may lie outside the header's own span.
            for (k, v) in table.iter() {
                let mut sub = vec![k.get_ref().to_string()];
                if descend(v.get_ref(), offset, &mut sub) && sub.len() > 1 {
                    path.extend(sub);
                    return true;
                }
            }
            false
        }
        fn descend(v: &DeValue<'_>, offset: usize, path: &mut Vec<String>) -> bool {
            match v {
                DeValue::Table(t) => walk(t, offset, path),
                DeValue::Array(a) => {
                    for (idx, e) in a.iter().enumerate() {
                        let mut sub = Vec::new();
                        let hit = e.span().contains(&offset)
                            || matches!(e.get_ref(), DeValue::Table(t) if walk(t, offset, &mut sub));
                        if hit {
                            let label = match e.get_ref() {
                                DeValue::Table(t) => t
                                    .iter()
                                    .find(|(k, _)| k.get_ref().as_ref() == "name")
                                    .and_then(|(_, v)| v.get_ref().as_str().map(str::to_string))
                                    .unwrap_or_else(|| idx.to_string()),
                                _ => idx.to_string(),
                            };
                            path.push(label);
                            if sub.is_empty()
                                && let DeValue::Table(t) = e.get_ref()
                            {
                                walk(t, offset, &mut sub);
                            }
                            path.extend(sub);
                            return true;
                        }
                    }
                    false
                }
                _ => false,
            }
        }
        let root = self.root.as_ref()?;
        let mut path = Vec::new();
        walk(root, offset, &mut path);
        if path.is_empty() { None } else { Some(path.join(".")) }
    }
}

/// Deserialize `text` (from `file`) into `T`, with a located diagnostic on error.
pub fn parse<T: DeserializeOwned>(file: &str, text: &str) -> Result<T, Diagnostic> {
    toml::from_str::<T>(text).map_err(|e| Located::new(file, text).from_toml_error(&e))
}

/// Apply one `--set path=value` override to a TOML document.
///
/// `value` is parsed as a TOML value (`16`, `2.5`, `"os"`, `[1, 2]`, `true`);
/// if that fails it is taken as a bare string, so `--set pe_array.dataflow=ws`
/// works. Arrays of tables are addressed by their `name` field or by index.
/// Missing intermediate tables are created; whether the final key is allowed
/// is decided when the document is deserialized again.
pub fn apply_set(doc: &mut toml::Table, path: &str, value: &str) -> Result<(), String> {
    let parsed: toml::Value = toml::from_str::<toml::Table>(&format!("v = {value}"))
        .ok()
        .and_then(|mut t| t.remove("v"))
        .unwrap_or_else(|| toml::Value::String(value.to_string()));
    let parts: Vec<&str> = path.split('.').collect();
    if parts.iter().any(|p| p.is_empty()) {
        return Err(format!("`{path}` is not a dotted key path"));
    }
    let mut table = doc;
    let mut i = 0;
    while i + 1 < parts.len() {
        let part = parts[i];
        let entry = table.entry(part.to_string()).or_insert_with(|| toml::Value::Table(toml::Table::new()));
        table = match entry {
            toml::Value::Table(t) => t,
            toml::Value::Array(items) => {
                i += 1;
                let sel = parts[i];
                let names: Vec<String> = items
                    .iter()
                    .enumerate()
                    .map(|(idx, it)| {
                        it.get("name").and_then(|n| n.as_str()).map(str::to_string).unwrap_or_else(|| idx.to_string())
                    })
                    .collect();
                let found = items
                    .iter_mut()
                    .enumerate()
                    .find(|(idx, it)| sel == idx.to_string() || it.get("name").and_then(|n| n.as_str()) == Some(sel));
                match found {
                    Some((_, toml::Value::Table(t))) => t,
                    _ => {
                        return Err(format!(
                            "`{}` has no element `{sel}`; it has: {}",
                            parts[..i].join("."),
                            names.join(", ")
                        ));
                    }
                }
            }
            other => {
                return Err(format!("`{}` is a {}, not a table", parts[..=i].join("."), other.type_str()));
            }
        };
        i += 1;
    }
    if i >= parts.len() {
        return Err(format!("`{path}` names a table element, not a key"));
    }
    table.insert(parts[i].to_string(), parsed);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_from_one() {
        let t = "a = 1\nbb = 2\n";
        assert_eq!(line_col(t, 0), (1, 1));
        assert_eq!(line_col(t, 6), (2, 1));
        assert_eq!(line_col(t, 11), (2, 6));
    }

    #[test]
    fn key_path_through_named_array_of_tables() {
        let t = "x = 1\n[[levels]]\nname = \"dram\"\n[[levels]]\nname = \"glb\"\ncapacity_kb = 3\n";
        let loc = Located::new("f.toml", t);
        let d = loc.at_key("levels.glb.capacity_kb", "bad");
        assert_eq!((d.line, d.col), (6, 15));
        let off = t.find("capacity_kb").unwrap_or(0);
        assert_eq!(loc.key_at(off).as_deref(), Some("levels.glb.capacity_kb"));
    }

    #[test]
    fn key_path_in_table_header_body() {
        let t = "version = 1\n[pe_array]\nrows = 0\ncols = 4\n";
        let loc = Located::new("f.toml", t);
        let off = t.find("0").unwrap_or(0);
        assert_eq!(loc.key_at(off).as_deref(), Some("pe_array.rows"));
        assert_eq!(loc.at_key("pe_array.rows", "m").line, 3);
    }

    #[test]
    fn set_parses_values_and_names_arrays() {
        let mut doc: toml::Table =
            toml::from_str("[a]\nb = 1\n[[levels]]\nname = \"glb\"\nsize = 2\n").unwrap_or_default();
        apply_set(&mut doc, "a.b", "16").unwrap_or_default();
        apply_set(&mut doc, "a.c", "ws").unwrap_or_default();
        apply_set(&mut doc, "levels.glb.size", "2.5").unwrap_or_default();
        assert_eq!(doc["a"]["b"].as_integer(), Some(16));
        assert_eq!(doc["a"]["c"].as_str(), Some("ws"));
        assert_eq!(doc["levels"][0]["size"].as_float(), Some(2.5));
        let err = apply_set(&mut doc, "levels.nope.size", "1");
        assert!(err.unwrap_err().contains("has no element `nope`; it has: glb"));
    }
}
