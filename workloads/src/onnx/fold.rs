//! Constant folding: nodes whose inputs are all constants are computed at
//! import time, as the ONNX operator spec defines them, so shape arithmetic
//! (`Shape → Gather → Concat → Reshape`, common in exported PyTorch and
//! Paddle models) yields the shapes it describes, and weight preprocessing
//! (`Cast` of fp16 weights, `DequantizeLinear` of int8 weights, `Transpose`
//! of a weight matrix) yields the weights the MAC layers use. Such nodes are
//! not layers. Arithmetic is folded only up to [`FOLD_LIMIT`] elements.

use std::rc::Rc;

use super::node::{Info, Node};
use super::shapes::{self, axis, broadcast};
use super::weights::{Const, Data, FOLD_LIMIT, dequantize};

/// Row-major strides of a shape.
fn strides(dims: &[usize]) -> Vec<usize> {
    let mut s = vec![1; dims.len()];
    for i in (0..dims.len().saturating_sub(1)).rev() {
        s[i] = s[i + 1] * dims[i + 1];
    }
    s
}

/// Build a tensor of shape `out` whose element at each multi-index comes from
/// `src(index)` (a flat index into `data`).
fn gather_by(data: &Data, out: &[usize], src: impl Fn(&[usize]) -> usize) -> Data {
    let n: usize = out.iter().product();
    let mut idx = vec![0usize; out.len()];
    let mut picks = Vec::with_capacity(n);
    for _ in 0..n {
        picks.push(src(&idx));
        for d in (0..out.len()).rev() {
            idx[d] += 1;
            if idx[d] < out[d] {
                break;
            }
            idx[d] = 0;
        }
    }
    match data {
        Data::F32(v) => Data::F32(picks.iter().map(|&i| v[i]).collect()),
        Data::I64(v) => Data::I64(picks.iter().map(|&i| v[i]).collect()),
        Data::Opaque(t) => Data::Opaque(t),
    }
}

/// Broadcast `c` to `out` (numpy rules; `out` already checked).
fn broadcast_to(c: &Const, out: &[usize]) -> Data {
    let off = out.len() - c.dims.len();
    let st = strides(&c.dims);
    gather_by(&c.data, out, |idx| {
        c.dims.iter().enumerate().map(|(i, &d)| if d == 1 { 0 } else { idx[off + i] * st[i] }).sum()
    })
}

fn is_float_type(t: i64) -> bool {
    matches!(t, 1 | 10 | 11 | 16)
}

fn cast(c: &Const, to: i64) -> Const {
    let data = match (&c.data, is_float_type(to)) {
        (Data::I64(v), true) => Data::F32(v.iter().map(|&x| x as f32).collect()),
        (Data::F32(v), false) if to == 9 => Data::I64(v.iter().map(|&x| i64::from(x != 0.0)).collect()),
        (Data::F32(v), false) => Data::I64(v.iter().map(|&x| x as i64).collect()),
        (Data::I64(v), false) if to == 9 => Data::I64(v.iter().map(|&x| i64::from(x != 0)).collect()),
        (d, _) => d.clone(),
    };
    Const { dims: c.dims.clone(), data }
}

fn binary(op: &str, a: &Const, b: &Const, out: &[usize]) -> Result<Data, String> {
    let (x, y) = (broadcast_to(a, out), broadcast_to(b, out));
    let cmp = |f: &dyn Fn(f64, f64) -> bool, x: &[f64], y: &[f64]| {
        Data::I64(x.iter().zip(y).map(|(&p, &q)| i64::from(f(p, q))).collect())
    };
    let as_f64 = |d: &Data| -> Vec<f64> {
        match d {
            Data::F32(v) => v.iter().map(|&x| f64::from(x)).collect(),
            Data::I64(v) => v.iter().map(|&x| x as f64).collect(),
            Data::Opaque(_) => Vec::new(),
        }
    };
    match (op, &x, &y) {
        ("Equal" | "Less" | "Greater" | "LessOrEqual" | "GreaterOrEqual", _, _) => {
            let (p, q) = (as_f64(&x), as_f64(&y));
            Ok(match op {
                "Equal" => cmp(&|a, b| a == b, &p, &q),
                "Less" => cmp(&|a, b| a < b, &p, &q),
                "Greater" => cmp(&|a, b| a > b, &p, &q),
                "LessOrEqual" => cmp(&|a, b| a <= b, &p, &q),
                _ => cmp(&|a, b| a >= b, &p, &q),
            })
        }
        ("And" | "Or" | "Xor", Data::I64(p), Data::I64(q)) => Ok(Data::I64(
            p.iter()
                .zip(q)
                .map(|(&a, &b)| {
                    let (a, b) = (a != 0, b != 0);
                    i64::from(match op {
                        "And" => a && b,
                        "Or" => a || b,
                        _ => a ^ b,
                    })
                })
                .collect(),
        )),
        (_, Data::I64(p), Data::I64(q)) => {
            let f = |a: i64, b: i64| -> Result<i64, String> {
                Ok(match op {
                    "Add" => a.wrapping_add(b),
                    "Sub" => a.wrapping_sub(b),
                    "Mul" => a.wrapping_mul(b),
                    "Div" => a.checked_div(b).ok_or("an integer division by zero")?,
                    "Mod" => a.checked_rem(b).ok_or("an integer modulo by zero")?,
                    "Max" => a.max(b),
                    "Min" => a.min(b),
                    "Pow" => a.wrapping_pow(u32::try_from(b).unwrap_or(0)),
                    _ => return Err(format!("cannot fold {op}")),
                })
            };
            Ok(Data::I64(p.iter().zip(q).map(|(&a, &b)| f(a, b)).collect::<Result<_, _>>()?))
        }
        _ => {
            let (p, q) = (as_f64(&x), as_f64(&y));
            let f = |a: f64, b: f64| match op {
                "Add" => Some(a + b),
                "Sub" => Some(a - b),
                "Mul" => Some(a * b),
                "Div" => Some(a / b),
                "Pow" => Some(a.powf(b)),
                "Max" => Some(a.max(b)),
                "Min" => Some(a.min(b)),
                "Mod" => Some(a % b),
                _ => None,
            };
            let v: Option<Vec<f32>> = p.iter().zip(&q).map(|(&a, &b)| f(a, b).map(|r| r as f32)).collect();
            v.map(Data::F32).ok_or_else(|| format!("cannot fold {op}"))
        }
    }
}

fn unary(op: &str, c: &Const) -> Option<Data> {
    let f = |x: f64| -> Option<f64> {
        Some(match op {
            "Neg" => -x,
            "Abs" => x.abs(),
            "Sqrt" => x.sqrt(),
            "Floor" => x.floor(),
            "Ceil" => x.ceil(),
            "Relu" => x.max(0.0),
            "Reciprocal" => 1.0 / x,
            "Not" => f64::from(u8::from(x == 0.0)),
            _ => return None,
        })
    };
    match &c.data {
        Data::F32(v) => v.iter().map(|&x| f(f64::from(x)).map(|r| r as f32)).collect::<Option<_>>().map(Data::F32),
        Data::I64(v) => v.iter().map(|&x| f(x as f64).map(|r| r as i64)).collect::<Option<_>>().map(Data::I64),
        Data::Opaque(_) => None,
    }
}

/// The first output shape.
fn first(mut outs: Vec<Vec<u64>>) -> Result<Vec<u64>, String> {
    if outs.is_empty() { Err("has no outputs".to_string()) } else { Ok(outs.swap_remove(0)) }
}

/// The value of a `Constant` node.
pub(crate) fn constant(node: &Node, dir: Option<&std::path::Path>) -> Result<Const, String> {
    if let Some(t) = node.tensor("value") {
        return super::weights::decode(t, dir);
    }
    if let Some(f) = node.float("value_float") {
        return Ok(Const::f32(vec![], vec![f]));
    }
    if let Some(i) = node.int("value_int") {
        return Ok(Const::i64(vec![], vec![i]));
    }
    if let Some(v) = node.floats("value_floats").filter(|_| node.has("value_floats")) {
        return Ok(Const::f32(vec![v.len()], v));
    }
    if let Some(v) = node.ints("value_ints") {
        return Ok(Const::i64(vec![v.len()], v));
    }
    Err("has no value eyrie can read (sparse and string constants are not supported)".to_string())
}

/// Fold `node` if its inputs allow; `None` when it must run as a layer.
pub(crate) fn fold(node: &Node, ins: &[Option<&Info>]) -> Result<Option<Vec<Const>>, String> {
    let op = node.op();
    let shape_of = |i: usize| ins.get(i).copied().flatten().map(|t| t.shape.clone());
    // Shape and Size need only the input's shape.
    if op == "Shape" || op == "Size" {
        let s = shape_of(0).ok_or("input 0 is missing")?;
        let dims = first(shapes::infer(node, ins)?)?;
        let v: Vec<i64> = if op == "Size" {
            vec![s.iter().product::<u64>() as i64]
        } else {
            let rank = s.len() as i64;
            let clamp = |v: i64| (if v < 0 { v + rank } else { v }).clamp(0, rank) as usize;
            s[clamp(node.int_or("start", 0))..clamp(node.int_or("end", rank)).max(clamp(node.int_or("start", 0)))]
                .iter()
                .map(|&d| d as i64)
                .collect()
        };
        return Ok(Some(vec![Const::i64(dims.iter().map(|&d| d as usize).collect(), v)]));
    }
    let present: Vec<&Info> = ins.iter().flatten().copied().collect();
    let opaque = |i: &&Info| i.value.as_ref().is_none_or(|v| matches!(v.data, Data::Opaque(_)));
    if present.is_empty() || present.iter().any(opaque) {
        return Ok(None);
    }
    let val = |i: usize| -> Option<&Rc<Const>> { ins.get(i).copied().flatten().and_then(|t| t.value.as_ref()) };
    let Some(a) = val(0) else { return Ok(None) };
    let small = present.iter().all(|i| i.numel() as usize <= FOLD_LIMIT);
    let with_dims = |d: Vec<u64>, c: &Const| -> Result<Const, String> {
        let dims: Vec<usize> = d.iter().map(|&x| x as usize).collect();
        if dims.iter().product::<usize>() != c.len() {
            return Err(format!("cannot reshape {:?} to {d:?}", c.dims));
        }
        Ok(Const { dims, data: c.data.clone() })
    };
    let out_dims = || -> Result<Vec<usize>, String> {
        Ok(first(shapes::infer(node, ins)?)?.iter().map(|&x| x as usize).collect())
    };
    let one = |c: Const| Ok(Some(vec![c]));
    match op {
        "Identity" | "Dropout" => one((**a).clone()),
        "Cast" => one(cast(a, node.int_or("to", 1))),
        "CastLike" => {
            let to = if matches!(val(1).map(|c| &c.data), Some(Data::F32(_))) { 1 } else { 7 };
            one(cast(a, to))
        }
        "Reshape" | "Flatten" | "Squeeze" | "Unsqueeze" => one(with_dims(first(shapes::infer(node, ins)?)?, a)?),
        "DequantizeLinear" => {
            let s = val(1).ok_or("needs a scale")?;
            one(dequantize(a, s, val(2).map(|c| &**c), node.int_or("axis", 1))?)
        }
        "Transpose" => {
            let perm = shapes::permutation(node, a.dims.len())?;
            let out: Vec<usize> = perm.iter().map(|&p| a.dims[p]).collect();
            let st = strides(&a.dims);
            one(Const {
                data: gather_by(&a.data, &out, |idx| perm.iter().enumerate().map(|(i, &p)| idx[i] * st[p]).sum()),
                dims: out,
            })
        }
        _ if !small => Ok(None),
        _ if out_dims().is_ok_and(|d| d.iter().fold(1usize, |a, &x| a.saturating_mul(x)) > FOLD_LIMIT) => Ok(None),
        "ConstantOfShape" => {
            let dims = out_dims()?;
            if dims.iter().product::<usize>() > FOLD_LIMIT {
                return Ok(None);
            }
            let n = dims.iter().product();
            let fill = match node.tensor("value") {
                Some(t) => super::weights::decode(t, None)?,
                None => Const::f32(vec![1], vec![0.0]),
            };
            let data = match fill.data {
                Data::F32(v) => Data::F32(vec![v.first().copied().unwrap_or(0.0); n]),
                Data::I64(v) => Data::I64(vec![v.first().copied().unwrap_or(0); n]),
                Data::Opaque(t) => Data::Opaque(t),
            };
            one(Const { dims, data })
        }
        "Range" => {
            let n = out_dims()?.first().copied().unwrap_or(0);
            if n > FOLD_LIMIT {
                return Ok(None);
            }
            let (s, d) = (val(0).ok_or("start")?, val(2).ok_or("delta")?);
            let data = match (&s.data, &d.data) {
                (Data::I64(s), Data::I64(d)) => {
                    let (s, d) = (s.first().copied().unwrap_or(0), d.first().copied().unwrap_or(1));
                    Data::I64((0..n as i64).map(|i| s.wrapping_add(i.wrapping_mul(d))).collect())
                }
                _ => {
                    let (s, d) = (s.to_f32().unwrap_or_default(), d.to_f32().unwrap_or_default());
                    let (s, d) = (s.first().copied().unwrap_or(0.0), d.first().copied().unwrap_or(1.0));
                    Data::F32((0..n).map(|i| s + i as f32 * d).collect())
                }
            };
            one(Const { dims: vec![n], data })
        }
        "Concat" => {
            let dims = out_dims()?;
            let ax = axis(node.int("axis").unwrap_or(0), dims.len())?;
            let parts: Vec<&Rc<Const>> = (0..ins.len()).filter_map(val).collect();
            let outer: usize = dims[..ax].iter().product();
            let mut fl = Vec::new();
            let mut it = Vec::new();
            for o in 0..outer {
                for p in &parts {
                    let chunk: usize = p.dims[ax..].iter().product();
                    match &p.data {
                        Data::F32(v) => fl.extend_from_slice(&v[o * chunk..(o + 1) * chunk]),
                        Data::I64(v) => it.extend_from_slice(&v[o * chunk..(o + 1) * chunk]),
                        Data::Opaque(_) => return Ok(None),
                    }
                }
            }
            let data = if fl.is_empty() {
                Data::I64(it)
            } else if it.is_empty() {
                Data::F32(fl)
            } else {
                return Ok(None);
            };
            one(Const { dims, data })
        }
        "Gather" => {
            let idx = val(1).and_then(|c| c.to_i64()).ok_or("needs indices")?;
            let ax = axis(node.int_or("axis", 0), a.dims.len())?;
            let dims = out_dims()?;
            let st = strides(&a.dims);
            let ist = strides(&val(1).map(|c| c.dims.clone()).unwrap_or_default());
            let irank = ist.len();
            let d = a.dims[ax] as i64;
            for &i in &idx {
                if i < -d || i >= d {
                    return Err(format!("index {i} is outside a dimension of {d}"));
                }
            }
            let data = gather_by(&a.data, &dims, |o| {
                let flat_i: usize = (0..irank).map(|j| o[ax + j] * ist[j]).sum();
                let i = idx[flat_i];
                let i = if i < 0 { i + d } else { i } as usize;
                let before: usize = (0..ax).map(|j| o[j] * st[j]).sum();
                let after: usize = (ax + 1..a.dims.len()).map(|j| o[j + irank - 1] * st[j]).sum();
                before + i * st[ax] + after
            });
            one(Const { dims, data })
        }
        "Slice" => {
            let shape: Vec<u64> = a.dims.iter().map(|&d| d as u64).collect();
            let plan = shapes::slice_plan(node, ins, &shape)?;
            let mut dims = a.dims.clone();
            let mut start = vec![0i64; dims.len()];
            let mut step = vec![1i64; dims.len()];
            for (ax, s, st, len) in plan {
                (dims[ax], start[ax], step[ax]) = (len as usize, s, st);
            }
            let st = strides(&a.dims);
            let data = gather_by(&a.data, &dims, |o| {
                (0..o.len()).map(|i| (start[i] + o[i] as i64 * step[i]) as usize * st[i]).sum()
            });
            one(Const { dims, data })
        }
        "Expand" => {
            let dims = out_dims()?;
            one(Const { data: broadcast_to(a, &dims), dims })
        }
        "Where" => {
            let (c, x, y) = (a, val(1).ok_or("x")?, val(2).ok_or("y")?);
            let refs = [c.dims.clone(), x.dims.clone(), y.dims.clone()];
            let r64: Vec<Vec<u64>> = refs.iter().map(|d| d.iter().map(|&v| v as u64).collect()).collect();
            let dims: Vec<usize> = broadcast(&[&r64[0], &r64[1], &r64[2]])?.iter().map(|&v| v as usize).collect();
            let cond = Const { dims: dims.clone(), data: broadcast_to(c, &dims) }.to_i64().unwrap_or_default();
            let pick = |p: Data, q: Data| match (p, q) {
                (Data::F32(p), Data::F32(q)) => Some(Data::F32(
                    cond.iter().zip(p.iter().zip(q)).map(|(&c, (&p, q))| if c != 0 { p } else { q }).collect(),
                )),
                (Data::I64(p), Data::I64(q)) => Some(Data::I64(
                    cond.iter().zip(p.iter().zip(q)).map(|(&c, (&p, q))| if c != 0 { p } else { q }).collect(),
                )),
                _ => None,
            };
            Ok(pick(broadcast_to(x, &dims), broadcast_to(y, &dims)).map(|data| vec![Const { dims, data }]))
        }
        op if ins.len() == 2 && shapes::is_variadic(op) => {
            let b = val(1).ok_or("input 1")?;
            let dims = out_dims()?;
            one(Const { data: binary(op, a, b, &dims)?, dims })
        }
        op => Ok(unary(op, a).map(|data| vec![Const { dims: a.dims.clone(), data }])),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broadcast_and_binary_follow_numpy() {
        let a = Const::i64(vec![2, 1], vec![1, 2]);
        let b = Const::i64(vec![3], vec![10, 20, 30]);
        assert_eq!(binary("Add", &a, &b, &[2, 3]), Ok(Data::I64(vec![11, 21, 31, 12, 22, 32])));
        assert_eq!(binary("Div", &b, &a, &[2, 3]), Ok(Data::I64(vec![10, 20, 30, 5, 10, 15])));
        assert!(binary("Div", &b, &Const::i64(vec![1], vec![0]), &[3]).is_err());
        assert_eq!(binary("Equal", &a, &b, &[2, 3]), Ok(Data::I64(vec![0; 6])));
    }

    #[test]
    fn cast_converts_between_float_and_int() {
        let c = Const::f32(vec![3], vec![1.7, -1.7, 0.0]);
        assert_eq!(cast(&c, 7), Const::i64(vec![3], vec![1, -1, 0]));
        assert_eq!(cast(&c, 9), Const::i64(vec![3], vec![1, 1, 0]));
        assert_eq!(cast(&Const::i64(vec![1], vec![4]), 1), Const::f32(vec![1], vec![4.0]));
    }
}
