//! Axes of a sweep: what each one sets and which values it takes.
//!
//! An axis is a dotted key (`arch.pe_array.rows`, `recipe.defaults.prune.rate`,
//! `net`, ...) and a generator: an explicit list, an inclusive `range` with a
//! `step`, `linspace` / `logspace` (n values, ends included), `pow2` (the
//! powers of two in a closed interval), or, for random sampling only, a
//! continuous `uniform` / `loguniform` interval. Generated floats are
//! rounded to 12 significant digits so that `0.1 * 3` is written `0.3`.

use toml::Value;

/// What an axis (or a `[fixed]` entry) sets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A field of the architecture, dotted path without the `arch.` prefix.
    Arch(String),
    /// A field of the compression recipe, dotted path without the `recipe.` prefix.
    Recipe(String),
    /// The base architecture (preset name or file).
    ArchFile,
    /// The network (zoo name or file).
    Net,
    /// The batch size.
    Batch,
    /// The seed of synthetic data.
    Seed,
    /// The compression recipe file.
    RecipeFile,
    /// The mapper objective (`energy`, `latency`, `edp`): sets `arch.mapper.objective`.
    Objective,
}

/// The keys accepted besides `arch.<path>` and `recipe.<path>`, for messages.
pub const PLAIN_KEYS: &str =
    "net, batch, seed, objective, base.arch, base.net, base.batch, base.seed, base.recipe, base.objective";

impl Target {
    /// Classify a dotted key; `None` if it names nothing a sweep can set.
    pub fn parse(key: &str) -> Option<Target> {
        let (head, rest) = key.split_once('.').unwrap_or((key, ""));
        match (head, rest) {
            ("arch", p) if !p.is_empty() => Some(Target::Arch(p.to_string())),
            ("recipe", p) if !p.is_empty() => Some(Target::Recipe(p.to_string())),
            ("net", "") | ("base", "net") => Some(Target::Net),
            ("batch", "") | ("base", "batch") => Some(Target::Batch),
            ("seed", "") | ("base", "seed") => Some(Target::Seed),
            ("objective", "") | ("base", "objective") => Some(Target::Objective),
            ("base", "arch") => Some(Target::ArchFile),
            ("base", "recipe") => Some(Target::RecipeFile),
            _ => None,
        }
    }
}

/// The values of an axis.
#[derive(Debug, Clone, PartialEq)]
pub enum Values {
    /// A finite list.
    List(Vec<Value>),
    /// A continuous interval, drawn only when sampling (`log`: uniform in log space).
    Uniform {
        /// Lower end.
        lo: f64,
        /// Upper end.
        hi: f64,
        /// Draw uniformly in log space.
        log: bool,
    },
}

impl Values {
    /// Number of values of a list (`None` for continuous intervals).
    #[allow(clippy::len_without_is_empty)] // lists are never empty (checked when parsed)
    pub fn len(&self) -> Option<usize> {
        match self {
            Values::List(v) => Some(v.len()),
            Values::Uniform { .. } => None,
        }
    }
}

/// One axis as written in the file.
#[derive(Debug, Clone, PartialEq)]
pub struct Axis {
    /// The key as written (also its column name in the CSV files).
    pub key: String,
    /// What it sets.
    pub target: Target,
    /// Its values.
    pub values: Values,
    /// 1-based line of the key in the sweep file (0: unknown).
    pub line: usize,
    /// 1-based column of the key.
    pub col: usize,
}

/// Keys that mark an inline table as an axis generator rather than a nested key.
pub const GENERATORS: &[&str] = &["values", "range", "linspace", "logspace", "pow2", "uniform", "loguniform"];

/// Round to 12 significant digits (removes `0.30000000000000004`).
pub fn round12(v: f64) -> f64 {
    if v == 0.0 || !v.is_finite() {
        return v;
    }
    format!("{v:.11e}").parse().unwrap_or(v)
}

fn num(v: &Value) -> Option<f64> {
    match v {
        Value::Integer(i) => Some(*i as f64),
        Value::Float(f) => Some(*f),
        _ => None,
    }
}

fn pair(t: &toml::Table, k: &str) -> Result<(f64, f64), String> {
    match t.get(k).and_then(Value::as_array).map(|a| a.iter().map(num).collect::<Vec<_>>()) {
        Some(v) if v.len() == 2 && v.iter().all(Option::is_some) => {
            let (a, b) = (v[0].unwrap_or(0.0), v[1].unwrap_or(0.0));
            if a.is_finite() && b.is_finite() { Ok((a, b)) } else { Err(format!("`{k}` must be finite numbers")) }
        }
        _ => Err(format!("`{k}` must be two numbers `[low, high]`")),
    }
}

fn triple(t: &toml::Table, k: &str) -> Result<(f64, f64, usize), String> {
    let bad = || format!("`{k}` must be `[first, last, count]` with count a positive integer");
    let a = t.get(k).and_then(Value::as_array).ok_or_else(bad)?;
    if a.len() != 3 {
        return Err(bad());
    }
    let (lo, hi) = (num(&a[0]).ok_or_else(bad)?, num(&a[1]).ok_or_else(bad)?);
    let n = a[2].as_integer().filter(|n| *n >= 1).ok_or_else(bad)?;
    if n > 1_000_000 {
        return Err(format!("`{k}` asks for {n} values; at most 1000000 per axis"));
    }
    Ok((lo, hi, n as usize))
}

/// Values of an inline-table generator (`{ range = [32, 256], step = 32 }`, ...).
pub fn generate(t: &toml::Table) -> Result<Values, String> {
    let gens: Vec<&str> = GENERATORS.iter().copied().filter(|g| t.contains_key(*g)).collect();
    if gens.len() != 1 {
        return Err(format!("give exactly one of {}", GENERATORS.join(", ")));
    }
    if let Some(k) = t.keys().find(|k| !GENERATORS.contains(&k.as_str()) && k.as_str() != "step") {
        return Err(format!("unknown key `{k}` in an axis; allowed: {}, step", GENERATORS.join(", ")));
    }
    if t.contains_key("step") && gens[0] != "range" {
        return Err("`step` goes with `range` only".into());
    }
    let floats = |v: Vec<f64>| Values::List(v.into_iter().map(|x| Value::Float(round12(x))).collect());
    match gens[0] {
        "values" => match t.get("values") {
            Some(Value::Array(a)) => list(a),
            _ => Err("`values` must be a list".into()),
        },
        "range" => {
            let (lo, hi) = pair(t, "range")?;
            let step = t.get("step").map(|s| num(s).ok_or("`step` must be a number")).transpose()?.unwrap_or(1.0);
            if !(step > 0.0 && step.is_finite()) {
                return Err(format!("`step` must be positive, got {step}"));
            }
            if hi < lo {
                return Err(format!("empty range: {hi} < {lo}"));
            }
            let n = ((hi - lo) / step + 1e-9).floor() as u64 + 1;
            if n > 1_000_000 {
                return Err(format!("range gives {n} values; at most 1000000 per axis"));
            }
            let ints = [t.get("range").and_then(|r| r.get(0)), t.get("range").and_then(|r| r.get(1)), t.get("step")]
                .iter()
                .all(|v| v.is_none_or(|v| v.is_integer()));
            if ints {
                Ok(Values::List((0..n).map(|i| Value::Integer(lo as i64 + (i as f64 * step) as i64)).collect()))
            } else {
                Ok(floats((0..n).map(|i| lo + i as f64 * step).collect()))
            }
        }
        "linspace" => {
            let (lo, hi, n) = triple(t, "linspace")?;
            let d = if n > 1 { (hi - lo) / (n - 1) as f64 } else { 0.0 };
            Ok(floats((0..n).map(|i| if i + 1 == n && n > 1 { hi } else { lo + i as f64 * d }).collect()))
        }
        "logspace" => {
            let (lo, hi, n) = triple(t, "logspace")?;
            if !(lo > 0.0 && hi > 0.0) {
                return Err("`logspace` ends must be positive (they are values, not exponents)".into());
            }
            let r = if n > 1 { (hi / lo).ln() / (n - 1) as f64 } else { 0.0 };
            Ok(floats((0..n).map(|i| if i + 1 == n && n > 1 { hi } else { lo * (r * i as f64).exp() }).collect()))
        }
        "pow2" => {
            let (lo, hi) = pair(t, "pow2")?;
            let v: Vec<Value> =
                (0..63).map(|e| 1i64 << e).filter(|p| *p as f64 >= lo && *p as f64 <= hi).map(Value::Integer).collect();
            if v.is_empty() { Err(format!("no power of two lies in [{lo}, {hi}]")) } else { Ok(Values::List(v)) }
        }
        g => {
            let (lo, hi) = pair(t, g)?;
            let log = g == "loguniform";
            if hi < lo || (log && lo <= 0.0) {
                return Err(format!("`{g}` needs 0 {} low ≤ high, got [{lo}, {hi}]", if log { "<" } else { "≤ or >" }));
            }
            Ok(Values::Uniform { lo, hi, log })
        }
    }
}

/// Check an explicit list of values: non-empty, one TOML type (integers and floats may mix).
pub fn list(a: &[Value]) -> Result<Values, String> {
    if a.is_empty() {
        return Err("empty axis: give at least one value".into());
    }
    let kind = |v: &Value| match v {
        Value::Integer(_) | Value::Float(_) => "number",
        other => other.type_str(),
    };
    let first = kind(&a[0]);
    if let Some(v) = a.iter().find(|v| kind(v) != first) {
        return Err(format!("mixed types: {first} and {} (`{v}`)", kind(v)));
    }
    Ok(Values::List(a.to_vec()))
}

/// A value as it appears in a CSV cell: strings bare, numbers and booleans as TOML writes them.
pub fn cell(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Float(f) => format!("{f}"),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gen_(src: &str) -> Result<Values, String> {
        let t: toml::Table = toml::from_str(&format!("a = {src}")).unwrap_or_default();
        match t.get("a") {
            Some(Value::Table(t)) => generate(t),
            _ => Err("not a table".into()),
        }
    }

    fn cells(v: Values) -> Vec<String> {
        match v {
            Values::List(l) => l.iter().map(cell).collect(),
            Values::Uniform { .. } => vec!["uniform".into()],
        }
    }

    #[test]
    fn range_is_inclusive_and_keeps_integers() {
        let v = cells(gen_("{ range = [32, 256], step = 32 }").unwrap_or(Values::List(vec![])));
        assert_eq!(v, ["32", "64", "96", "128", "160", "192", "224", "256"]);
        let v = cells(gen_("{ range = [0.1, 0.5], step = 0.1 }").unwrap_or(Values::List(vec![])));
        assert_eq!(v, ["0.1", "0.2", "0.3", "0.4", "0.5"]);
    }

    #[test]
    fn linspace_logspace_pow2() {
        let v = cells(gen_("{ linspace = [0.5, 0.95, 10] }").unwrap_or(Values::List(vec![])));
        assert_eq!(v.len(), 10);
        assert_eq!((v[0].as_str(), v[1].as_str(), v[9].as_str()), ("0.5", "0.55", "0.95"));
        let v = cells(gen_("{ logspace = [1, 1000, 4] }").unwrap_or(Values::List(vec![])));
        assert_eq!(v, ["1", "10", "100", "1000"]);
        let v = cells(gen_("{ pow2 = [10, 128] }").unwrap_or(Values::List(vec![])));
        assert_eq!(v, ["16", "32", "64", "128"]);
    }

    #[test]
    fn bad_generators_say_what_is_allowed() {
        assert!(gen_("{ range = [8, 4] }").unwrap_err().contains("empty range"));
        assert!(gen_("{ range = [1, 4], step = 0 }").unwrap_err().contains("positive"));
        assert!(gen_("{ linspace = [0, 1] }").unwrap_err().contains("[first, last, count]"));
        assert!(gen_("{ range = [1, 4], stp = 1 }").unwrap_err().contains("unknown key `stp`"));
        assert!(gen_("{ linspace = [0, 1, 2], step = 1 }").unwrap_err().contains("`step` goes with `range`"));
        assert!(list(&[]).unwrap_err().contains("empty axis"));
        assert!(list(&[Value::Integer(1), Value::String("x".into())]).unwrap_err().contains("mixed types"));
    }

    #[test]
    fn targets() {
        assert_eq!(Target::parse("arch.pe_array.rows"), Some(Target::Arch("pe_array.rows".into())));
        assert_eq!(Target::parse("net"), Some(Target::Net));
        assert_eq!(Target::parse("base.arch"), Some(Target::ArchFile));
        assert_eq!(Target::parse("arch"), None);
        assert_eq!(Target::parse("pe_array.rows"), None);
    }
}
