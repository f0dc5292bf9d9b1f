//! Reading a point's values: a swept or fixed value, else the base configuration's.
//!
//! Used by `where` constraints (which may name keys that are not swept,
//! e.g. `arch.clock_mhz`) and to pick each point's base architecture.

use toml::Value;

use super::axis::Target;
use super::expr::Val;
use super::spec::{Sweep, resolve_name};

impl Sweep {
    /// The value of a dotted name at a point: the swept or fixed value, else the base's.
    pub fn lookup(&self, values: &[Value], name: &str) -> Option<Val> {
        let target = Target::parse(name)?;
        let v = self
            .axes
            .iter()
            .zip(values)
            .find(|(a, _)| a.target == target)
            .map(|(_, v)| v.clone())
            .or_else(|| self.fixed.iter().rev().find(|f| f.target == target).map(|f| f.value.clone()))
            .or_else(|| self.base_value(values, &target))?;
        match v {
            Value::Integer(i) => Some(Val::Num(i as f64)),
            Value::Float(f) => Some(Val::Num(f)),
            Value::String(s) => Some(Val::Str(s)),
            Value::Boolean(b) => Some(Val::Bool(b)),
            _ => None,
        }
    }

    fn base_value(&self, values: &[Value], target: &Target) -> Option<Value> {
        Some(match target {
            Target::Arch(path) => {
                let (_, table) = self.archs.get(&self.arch_name(values))?;
                return walk_table(table, path);
            }
            Target::Net => Value::String(self.base.net.clone()),
            Target::ArchFile => Value::String(self.base.arch.clone()),
            Target::Seed => Value::Integer(self.base.seed as i64),
            Target::Batch => {
                let b = self.base.batch.or_else(|| self.nets.get(&self.base.net).map(|n| n.batch))?;
                Value::Integer(b as i64)
            }
            Target::Objective => Value::String(self.base.objective.clone()?),
            Target::RecipeFile => Value::String(self.base.recipe.clone()?),
            Target::Recipe(_) => return None,
        })
    }

    /// The base architecture a point starts from.
    pub fn arch_name(&self, values: &[Value]) -> String {
        self.axes
            .iter()
            .zip(values)
            .find(|(a, _)| a.target == Target::ArchFile)
            .and_then(|(_, v)| v.as_str().map(|v| resolve_name(&self.dir, v)))
            .unwrap_or_else(|| self.base.arch.clone())
    }
}

/// A value inside a TOML table by dotted path (arrays of tables by `name` or index).
pub fn walk_table(t: &toml::Table, path: &str) -> Option<Value> {
    let mut cur = Value::Table(t.clone());
    let parts: Vec<&str> = path.split('.').collect();
    let mut i = 0;
    while i < parts.len() {
        cur = match cur {
            Value::Table(mut t) => t.remove(parts[i])?,
            Value::Array(items) => items.into_iter().enumerate().find_map(|(idx, it)| {
                (parts[i] == idx.to_string() || it.get("name").and_then(Value::as_str) == Some(parts[i])).then_some(it)
            })?,
            _ => return None,
        };
        i += 1;
    }
    Some(cur)
}
