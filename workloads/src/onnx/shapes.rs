//! Shape inference: each node's output shapes from its input shapes, its
//! attributes and the values of its constant inputs, following the ONNX
//! operator specification (onnx/docs/Operators.md) for opsets 7 and later.
//! Windows (conv, pooling) are in [`super::window`]; broadcasting is numpy's.

use super::node::{Info, Node};
pub(crate) use super::window::{conv_transpose_out, window};

/// Normalise an axis that may count from the end.
pub(crate) fn axis(a: i64, rank: usize) -> Result<usize, String> {
    let r = rank as i64;
    let x = if a < 0 { a + r } else { a };
    if (0..r).contains(&x) { Ok(x as usize) } else { Err(format!("axis {a} is outside a rank-{rank} tensor")) }
}

/// Numpy broadcasting of several shapes.
pub(crate) fn broadcast(shapes: &[&[u64]]) -> Result<Vec<u64>, String> {
    let rank = shapes.iter().map(|s| s.len()).max().unwrap_or(0);
    let mut out = vec![1u64; rank];
    for s in shapes {
        for (i, &d) in s.iter().enumerate() {
            let o = &mut out[rank - s.len() + i];
            if *o == 1 {
                *o = d;
            } else if d != 1 && d != *o {
                return Err(format!("shapes {:?} do not broadcast", shapes));
            }
        }
    }
    Ok(out)
}

/// The values of constant input `i` as integers, when present and known.
pub(crate) fn const_ints(ins: &[Option<&Info>], i: usize) -> Option<Vec<i64>> {
    ins.get(i).copied().flatten().and_then(|x| x.value.as_ref()).and_then(|v| v.to_i64())
}

fn need_ints(ins: &[Option<&Info>], i: usize, what: &str) -> Result<Vec<i64>, String> {
    const_ints(ins, i).ok_or_else(|| format!("its {what} (input {i}) must be a constant eyrie can compute"))
}

fn input<'a>(ins: &[Option<&'a Info>], i: usize) -> Result<&'a Info, String> {
    ins.get(i).copied().flatten().ok_or_else(|| format!("input {i} is missing"))
}

/// Axes from the attribute (older opsets) or input `idx` (newer ones).
fn axes_of(node: &Node, ins: &[Option<&Info>], idx: usize) -> Option<Vec<i64>> {
    node.ints("axes").or_else(|| const_ints(ins, idx))
}

/// Output shape of Reshape: `0` copies (unless `allowzero`), `-1` is inferred.
pub(crate) fn reshape(input: &[u64], spec: &[i64], allowzero: bool) -> Result<Vec<u64>, String> {
    let total = input.iter().try_fold(1u64, |a, &d| a.checked_mul(d)).ok_or("the input is too large")?;
    let mut out = Vec::with_capacity(spec.len());
    let mut infer = None;
    for (i, &d) in spec.iter().enumerate() {
        match d {
            -1 if infer.is_none() => {
                infer = Some(i);
                out.push(1);
            }
            0 if !allowzero => out.push(*input.get(i).ok_or(format!("shape {spec:?} copies a missing dimension"))?),
            d if d >= 0 => out.push(d as u64),
            _ => return Err(format!("shape {spec:?} is not a valid reshape target")),
        }
    }
    let known =
        out.iter().try_fold(1u64, |a, &d| a.checked_mul(d)).ok_or_else(|| format!("shape {spec:?} is too large"))?;
    if let Some(i) = infer {
        if known == 0 || !total.is_multiple_of(known) {
            return Err(format!("cannot reshape {input:?} to {spec:?}"));
        }
        out[i] = total / known;
    } else if known != total {
        return Err(format!("cannot reshape {input:?} ({total} values) to {spec:?}"));
    }
    Ok(out)
}

/// The `perm` of a Transpose node (default: reversed), checked to be a permutation.
pub(crate) fn permutation(node: &Node, rank: usize) -> Result<Vec<usize>, String> {
    let perm: Vec<usize> = match node.ints("perm") {
        Some(p) => p.iter().map(|&v| axis(v, rank)).collect::<Result<_, _>>()?,
        None => (0..rank).rev().collect(),
    };
    let mut seen = vec![false; rank];
    for &p in &perm {
        if std::mem::replace(&mut seen[p], true) {
            return Err(format!("perm {perm:?} repeats axis {p}"));
        }
    }
    if perm.len() != rank {
        return Err(format!("perm {perm:?} for a rank-{rank} tensor"));
    }
    Ok(perm)
}

/// Clamped `(start, end, step)` of one Slice axis and its length.
pub(crate) fn slice_range(dim: u64, start: i64, end: i64, step: i64) -> Result<(i64, i64, i64, u64), String> {
    if step == 0 {
        return Err("a Slice step of 0".to_string());
    }
    let d = dim as i64;
    let norm = |x: i64| if x < 0 { x.saturating_add(d) } else { x };
    let (s, e) = if step > 0 {
        (norm(start).clamp(0, d), norm(end).clamp(0, d))
    } else {
        (norm(start).clamp(-1, d - 1), norm(end).clamp(-1, d - 1))
    };
    let (s1, e1, st) = (i128::from(s), i128::from(e), i128::from(step));
    let len = if st > 0 {
        if e1 > s1 { (e1 - s1 + st - 1) / st } else { 0 }
    } else if s1 > e1 {
        (s1 - e1 - st - 1) / -st
    } else {
        0
    };
    Ok((s, e, step, len as u64))
}

/// Per-axis `(axis, start, step, len)` of a Slice node on `shape`.
pub(crate) fn slice_plan(
    node: &Node,
    ins: &[Option<&Info>],
    shape: &[u64],
) -> Result<Vec<(usize, i64, i64, u64)>, String> {
    let (starts, ends, axes, steps) = if node.has("starts") {
        (node.ints("starts").unwrap_or_default(), node.ints("ends").unwrap_or_default(), node.ints("axes"), None)
    } else {
        (need_ints(ins, 1, "starts")?, need_ints(ins, 2, "ends")?, const_ints(ins, 3), const_ints(ins, 4))
    };
    let axes = axes.unwrap_or_else(|| (0..starts.len() as i64).collect());
    let steps = steps.unwrap_or_else(|| vec![1; starts.len()]);
    if ends.len() != starts.len() || axes.len() != starts.len() || steps.len() != starts.len() {
        return Err("starts, ends, axes and steps differ in length".to_string());
    }
    let mut plan = Vec::new();
    for i in 0..starts.len() {
        let a = axis(axes[i], shape.len())?;
        let (s, _, st, len) = slice_range(shape[a], starts[i], ends[i], steps[i])?;
        plan.push((a, s, st, len));
    }
    Ok(plan)
}

/// Split sizes along the axis of a Split node.
pub(crate) fn split_sizes(node: &Node, ins: &[Option<&Info>], dim: u64) -> Result<Vec<u64>, String> {
    let n = node.outputs().len().max(1) as u64;
    let given = node.ints("split").or_else(|| const_ints(ins, 1));
    match given {
        Some(v) if !v.is_empty() => {
            if v.iter().any(|&x| x < 0) || v.iter().map(|&x| i128::from(x)).sum::<i128>() != i128::from(dim) {
                return Err(format!("split {v:?} does not add up to {dim}"));
            }
            Ok(v.iter().map(|&x| x as u64).collect())
        }
        _ => {
            let per = dim.div_ceil(n);
            Ok((0..n).map(|i| per.min(dim.saturating_sub(i.saturating_mul(per)))).collect())
        }
    }
}

/// Output shapes of a node. Every shape is fully known.
pub(crate) fn infer(node: &Node, ins: &[Option<&Info>]) -> Result<Vec<Vec<u64>>, String> {
    let nout = node.outputs().len();
    let x = |i| input(ins, i).map(|t| t.shape.clone());
    let same = |s: Vec<u64>| vec![s; nout];
    let one = |s: Vec<u64>| Ok(vec![s]);
    match node.op() {
        "Conv" | "ConvInteger" | "QLinearConv" => {
            let (xi, wi) = if node.op() == "QLinearConv" { (0, 3) } else { (0, 1) };
            let (xs, ws) = (x(xi)?, x(wi)?);
            if xs.len() < 3 || ws.len() != xs.len() {
                return Err(format!("input {xs:?} and weights {ws:?} are not a 1-, 2- or 3-D convolution"));
            }
            if node.ints("kernel_shape").is_some_and(|k| k.iter().map(|&v| v.max(0) as u64).ne(ws[2..].iter().copied()))
            {
                return Err(format!("`kernel_shape` {:?} differs from the weights {ws:?}", node.ints("kernel_shape")));
            }
            let w = window(node, &xs[2..], &ws[2..], false)?;
            let mut out = vec![xs[0], ws[0]];
            out.extend(w.out);
            one(out)
        }
        "ConvTranspose" => {
            let (xs, ws) = (x(0)?, x(1)?);
            if xs.len() < 3 || ws.len() != xs.len() {
                return Err(format!("input {xs:?} and weights {ws:?} are not a transposed convolution"));
            }
            let mut out = vec![xs[0], ws[1] * node.int_or("group", 1).max(1) as u64];
            out.extend(conv_transpose_out(node, &xs[2..], &ws[2..])?);
            one(out)
        }
        "MaxPool" | "AveragePool" | "LpPool" => {
            let xs = x(0)?;
            if xs.len() < 3 {
                return Err(format!("needs an input of rank 3 or more, got {xs:?}"));
            }
            let k: Vec<u64> =
                node.ints("kernel_shape").ok_or("needs `kernel_shape`")?.iter().map(|&v| v.max(0) as u64).collect();
            let w = window(node, &xs[2..], &k, node.int_or("ceil_mode", 0) != 0)?;
            let mut out = xs[..2].to_vec();
            out.extend(w.out);
            Ok(same(out))
        }
        "GlobalAveragePool" | "GlobalMaxPool" | "GlobalLpPool" => {
            let xs = x(0)?;
            let mut out = xs[..2.min(xs.len())].to_vec();
            out.extend(std::iter::repeat_n(1, xs.len().saturating_sub(2)));
            one(out)
        }
        "Gemm" => {
            let (a, b) = (x(0)?, x(1)?);
            if a.len() != 2 || b.len() != 2 {
                return Err(format!("Gemm needs 2-D operands, got {a:?} and {b:?}"));
            }
            let (m, ka) = if node.int_or("transA", 0) != 0 { (a[1], a[0]) } else { (a[0], a[1]) };
            let (kb, n) = if node.int_or("transB", 0) != 0 { (b[1], b[0]) } else { (b[0], b[1]) };
            if ka != kb {
                return Err(format!("inner dimensions differ: {a:?} × {b:?}"));
            }
            one(vec![m, n])
        }
        "MatMul" | "MatMulInteger" | "QLinearMatMul" => {
            let (ai, bi) = if node.op() == "QLinearMatMul" { (0, 3) } else { (0, 1) };
            one(matmul_shape(&x(ai)?, &x(bi)?)?.0)
        }
        "LSTM" | "GRU" | "RNN" => {
            let (xs, ws) = (x(0)?, x(1)?);
            if xs.len() != 3 || ws.len() != 3 {
                return Err(format!("needs a 3-D input and weights, got {xs:?} and {ws:?}"));
            }
            let h = node.int("hidden_size").map_or(ws[1] / gates(node.op()), |h| h.max(0) as u64);
            let d = ws[0];
            let (t, b) = if node.int_or("layout", 0) == 0 { (xs[0], xs[1]) } else { (xs[1], xs[0]) };
            let (y, yh) = if node.int_or("layout", 0) == 0 {
                (vec![t, d, b, h], vec![d, b, h])
            } else {
                (vec![b, t, d, h], vec![b, d, h])
            };
            Ok((0..nout).map(|i| if i == 0 { y.clone() } else { yh.clone() }).collect())
        }
        "Reshape" => {
            let spec = need_ints(ins, 1, "shape")?;
            one(reshape(&x(0)?, &spec, node.int_or("allowzero", 0) != 0)?)
        }
        "Flatten" => {
            let xs = x(0)?;
            let a = axis(node.int_or("axis", 1), xs.len() + 1)?;
            one(vec![xs[..a].iter().product(), xs[a..].iter().product()])
        }
        "Transpose" => {
            let xs = x(0)?;
            let perm = permutation(node, xs.len())?;
            one(perm.iter().map(|&a| xs[a]).collect())
        }
        "Squeeze" => {
            let xs = x(0)?;
            let out = match axes_of(node, ins, 1) {
                Some(ax) => {
                    let ax: Vec<usize> = ax.iter().map(|&a| axis(a, xs.len())).collect::<Result<_, _>>()?;
                    if let Some(&a) = ax.iter().find(|&&a| xs[a] != 1) {
                        return Err(format!("cannot squeeze axis {a} of size {}", xs[a]));
                    }
                    xs.iter().enumerate().filter(|(i, _)| !ax.contains(i)).map(|(_, &d)| d).collect()
                }
                None => xs.iter().copied().filter(|&d| d != 1).collect(),
            };
            one(out)
        }
        "Unsqueeze" => {
            let xs = x(0)?;
            let ax = axes_of(node, ins, 1).ok_or("needs axes")?;
            let rank = xs.len() + ax.len();
            let mut ax: Vec<usize> = ax.iter().map(|&a| axis(a, rank)).collect::<Result<_, _>>()?;
            ax.sort_unstable();
            let mut out = xs.clone();
            for a in ax {
                out.insert(a.min(out.len()), 1);
            }
            one(out)
        }
        "Concat" => {
            let shapes: Vec<Vec<u64>> = ins.iter().flatten().map(|i| i.shape.clone()).collect();
            let first = shapes.first().ok_or("has no inputs")?.clone();
            let a = axis(node.int("axis").ok_or("needs `axis`")?, first.len())?;
            let mut out = first.clone();
            out[a] = 0;
            for s in &shapes {
                if s.len() != first.len() || s.iter().enumerate().any(|(i, &d)| i != a && d != first[i]) {
                    return Err(format!("cannot concatenate {s:?} with {first:?} on axis {a}"));
                }
                out[a] = out[a].saturating_add(s[a]);
            }
            one(out)
        }
        "Split" => {
            let xs = x(0)?;
            let a = axis(node.int_or("axis", 0), xs.len())?;
            let sizes = split_sizes(node, ins, xs[a])?;
            if sizes.len() != nout {
                return Err(format!("{} split sizes for {nout} outputs", sizes.len()));
            }
            Ok(sizes
                .iter()
                .map(|&s| {
                    let mut o = xs.clone();
                    o[a] = s;
                    o
                })
                .collect())
        }
        "Slice" => {
            let mut xs = x(0)?;
            for (a, _, _, len) in slice_plan(node, ins, &xs)? {
                xs[a] = len;
            }
            one(xs)
        }
        "Gather" => {
            let (d, i) = (x(0)?, x(1)?);
            let a = axis(node.int_or("axis", 0), d.len())?;
            one([&d[..a], &i[..], &d[a + 1..]].concat())
        }
        "GatherElements" => one(x(1)?),
        "Pad" => {
            let xs = x(0)?;
            let pads = node.ints("pads").map_or_else(|| need_ints(ins, 1, "pads"), Ok)?;
            let axes = const_ints(ins, 3).unwrap_or_else(|| (0..xs.len() as i64).collect());
            if pads.len() != 2 * axes.len() {
                return Err(format!("{} pads for {} axes", pads.len(), axes.len()));
            }
            let mut out = xs.clone();
            for (j, &a) in axes.iter().enumerate() {
                let a = axis(a, xs.len())?;
                let d = i128::from(out[a]) + i128::from(pads[j]) + i128::from(pads[j + axes.len()]);
                out[a] = u64::try_from(d)
                    .map_err(|_| format!("pads {pads:?} remove more than the input or are too large"))?;
            }
            one(out)
        }
        "Resize" | "Upsample" => one(resize(node, ins, &x(0)?)?),
        "Expand" => {
            let target = need_ints(ins, 1, "shape")?;
            if target.iter().any(|&d| d < 0) {
                return Err(format!("shape {target:?} has negative dimensions"));
            }
            one(broadcast(&[&x(0)?, &target.iter().map(|&d| d as u64).collect::<Vec<_>>()])?)
        }
        "Tile" => {
            let (xs, r) = (x(0)?, need_ints(ins, 1, "repeats")?);
            if r.len() != xs.len() || r.iter().any(|&v| v < 0) {
                return Err(format!("repeats {r:?} for shape {xs:?}"));
            }
            one(xs.iter().zip(&r).map(|(&d, &v)| d.saturating_mul(v as u64)).collect())
        }
        "DepthToSpace" | "SpaceToDepth" => {
            let xs = x(0)?;
            let b = node.int("blocksize").ok_or("needs `blocksize`")?.clamp(1, 1 << 20) as u64;
            if xs.len() != 4 {
                return Err(format!("needs a 4-D input, got {xs:?}"));
            }
            if node.op() == "DepthToSpace" {
                one(vec![xs[0], xs[1] / (b * b), xs[2] * b, xs[3] * b])
            } else {
                one(vec![xs[0], xs[1] * b * b, xs[2] / b, xs[3] / b])
            }
        }
        op if is_reduce(op) || op == "ArgMax" || op == "ArgMin" => {
            let xs = x(0)?;
            let keep = node.int_or("keepdims", 1) != 0;
            let axes = if op.starts_with("Arg") { Some(vec![node.int_or("axis", 0)]) } else { axes_of(node, ins, 1) };
            let axes: Vec<usize> = match axes {
                Some(a) if !a.is_empty() => a.iter().map(|&v| axis(v, xs.len())).collect::<Result<_, _>>()?,
                _ if node.int_or("noop_with_empty_axes", 0) != 0 => return one(xs),
                _ => (0..xs.len()).collect(),
            };
            let out = xs
                .iter()
                .enumerate()
                .filter_map(|(i, &d)| match (axes.contains(&i), keep) {
                    (false, _) => Some(d),
                    (true, true) => Some(1),
                    (true, false) => None,
                })
                .collect();
            one(out)
        }
        "TopK" => {
            let mut xs = x(0)?;
            let a = axis(node.int_or("axis", -1), xs.len())?;
            let k =
                node.int("k").map_or_else(|| need_ints(ins, 1, "k").map(|v| v.first().copied().unwrap_or(0)), Ok)?;
            xs[a] = k.clamp(0, xs[a] as i64) as u64;
            Ok(same(xs))
        }
        op if is_variadic(op) => {
            let shapes: Vec<Vec<u64>> = ins.iter().flatten().map(|i| i.shape.clone()).collect();
            let refs: Vec<&[u64]> = shapes.iter().map(Vec::as_slice).collect();
            Ok(same(broadcast(&refs)?))
        }
        "Shape" => {
            let rank = x(0)?.len() as i64;
            let clamp = |v: i64| (if v < 0 { v + rank } else { v }).clamp(0, rank);
            let (s, e) = (clamp(node.int_or("start", 0)), clamp(node.int_or("end", rank)));
            one(vec![(e - s).max(0) as u64])
        }
        "Size" => one(vec![]),
        "ConstantOfShape" => one(need_ints(ins, 0, "shape")?.iter().map(|&d| d.max(0) as u64).collect()),
        "Range" => {
            let v = |i: usize| {
                ins.get(i)
                    .copied()
                    .flatten()
                    .and_then(|t: &Info| t.value.as_ref())
                    .and_then(|c| c.to_f32())
                    .and_then(|v| v.first().copied())
            };
            let (Some(start), Some(limit), Some(delta)) = (v(0), v(1), v(2)) else {
                return Err("its start, limit and delta must be constants eyrie can compute".to_string());
            };
            if delta == 0.0 {
                return Err("a Range delta of 0".to_string());
            }
            one(vec![((limit - start) / delta).ceil().max(0.0) as u64])
        }
        "BatchNormalization" => {
            let xs = x(0)?;
            let c = xs.get(1).copied().unwrap_or(1);
            Ok((0..nout).map(|i| if i == 0 { xs.clone() } else { vec![c] }).collect())
        }
        _ => Ok(same(x(0)?)),
    }
}

/// Gates per step of a recurrent cell: LSTM 4 (i, o, f, c), GRU 3 (z, r, h), RNN 1.
pub(crate) fn gates(op: &str) -> u64 {
    match op {
        "LSTM" => 4,
        "GRU" => 3,
        _ => 1,
    }
}

/// Numpy matmul: `(output shape, batch, m, k, n)`.
pub(crate) fn matmul_shape(a: &[u64], b: &[u64]) -> Result<(Vec<u64>, u64, u64, u64, u64), String> {
    if a.is_empty() || b.is_empty() {
        return Err("MatMul of a scalar".to_string());
    }
    let a2: Vec<u64> = if a.len() == 1 { vec![1, a[0]] } else { a.to_vec() };
    let b2: Vec<u64> = if b.len() == 1 { vec![b[0], 1] } else { b.to_vec() };
    let (m, ka) = (a2[a2.len() - 2], a2[a2.len() - 1]);
    let (kb, n) = (b2[b2.len() - 2], b2[b2.len() - 1]);
    if ka != kb {
        return Err(format!("inner dimensions differ: {a:?} × {b:?}"));
    }
    let batch_shape = broadcast(&[&a2[..a2.len() - 2], &b2[..b2.len() - 2]])?;
    let batch: u64 = batch_shape.iter().product();
    let mut out = batch_shape;
    if a.len() > 1 {
        out.push(m);
    }
    if b.len() > 1 {
        out.push(n);
    }
    Ok((out, batch, m, ka, n))
}

fn resize(node: &Node, ins: &[Option<&Info>], xs: &[u64]) -> Result<Vec<u64>, String> {
    let floats = |i: usize| -> Option<Vec<f32>> {
        ins.get(i).copied().flatten().and_then(|t| t.value.as_ref()).and_then(|v| v.to_f32()).filter(|v| !v.is_empty())
    };
    let (scales_at, sizes_at) = if node.op() == "Upsample" || ins.len() == 2 { (1, usize::MAX) } else { (2, 3) };
    let axes: Vec<usize> = match node.ints("axes") {
        Some(a) => a.iter().map(|&v| axis(v, xs.len())).collect::<Result<_, _>>()?,
        None => (0..xs.len()).collect(),
    };
    let mut out = xs.to_vec();
    if let Some(sizes) = const_ints(ins, sizes_at).filter(|v| !v.is_empty()) {
        if sizes.len() != axes.len() {
            return Err(format!("{} sizes for {} axes", sizes.len(), axes.len()));
        }
        for (&a, &s) in axes.iter().zip(&sizes) {
            out[a] = u64::try_from(s).map_err(|_| format!("negative size {s}"))?;
        }
        return Ok(out);
    }
    let scales = node.floats("scales").or_else(|| floats(scales_at)).ok_or("needs constant `scales` or `sizes`")?;
    if scales.len() != axes.len() {
        return Err(format!("{} scales for {} axes", scales.len(), axes.len()));
    }
    for (&a, &s) in axes.iter().zip(&scales) {
        if s.is_nan() || s <= 0.0 {
            return Err(format!("scale {s} is not positive"));
        }
        out[a] = (xs[a] as f64 * f64::from(s)).floor() as u64;
    }
    Ok(out)
}

/// Reductions (their outputs drop or keep the reduced axes).
pub(crate) fn is_reduce(op: &str) -> bool {
    op.starts_with("Reduce")
        && matches!(
            &op[6..],
            "Mean" | "Sum" | "Max" | "Min" | "Prod" | "L1" | "L2" | "LogSum" | "LogSumExp" | "SumSquare"
        )
}

/// Broadcasting element-wise operators with any number of inputs.
pub(crate) fn is_variadic(op: &str) -> bool {
    matches!(
        op,
        "Add"
            | "Sub"
            | "Mul"
            | "Div"
            | "Pow"
            | "Max"
            | "Min"
            | "Sum"
            | "Mean"
            | "Mod"
            | "Equal"
            | "Less"
            | "Greater"
            | "LessOrEqual"
            | "GreaterOrEqual"
            | "And"
            | "Or"
            | "Xor"
            | "BitShift"
            | "Where"
            | "PRelu"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broadcasting_follows_numpy() {
        assert_eq!(broadcast(&[&[2, 1, 4], &[3, 1]]), Ok(vec![2, 3, 4]));
        assert_eq!(broadcast(&[&[], &[5]]), Ok(vec![5]));
        assert!(broadcast(&[&[2, 3], &[4, 3]]).is_err());
    }

    #[test]
    fn reshape_copies_zeros_and_infers_minus_one() {
        assert_eq!(reshape(&[2, 3, 4], &[0, -1], false), Ok(vec![2, 12]));
        assert_eq!(reshape(&[2, 3, 4], &[4, 0, -1], true), Err("cannot reshape [2, 3, 4] to [4, 0, -1]".into()));
        assert!(reshape(&[2, 3, 4], &[5, -1], false).is_err());
        assert!(reshape(&[2, 3, 4], &[-1, -1], false).is_err());
    }

    #[test]
    fn slices_clamp_like_numpy() {
        // [2:10] of 12, [-3:] of 12, reversed [::-1] and a step of 3.
        assert_eq!(slice_range(12, 2, 10, 1).map(|r| r.3), Ok(8));
        assert_eq!(slice_range(12, -3, i64::MAX, 1).map(|r| (r.0, r.3)), Ok((9, 3)));
        assert_eq!(slice_range(12, -1, i64::MIN, -1).map(|r| (r.0, r.3)), Ok((11, 12)));
        assert_eq!(slice_range(10, 0, 10, 3).map(|r| r.3), Ok(4));
        assert!(slice_range(4, 0, 4, 0).is_err());
    }

    #[test]
    fn matmul_shapes_with_batch_and_vectors() {
        assert_eq!(matmul_shape(&[2, 1, 5, 6], &[3, 6, 4]), Ok((vec![2, 3, 5, 4], 6, 5, 6, 4)));
        assert_eq!(matmul_shape(&[6], &[6, 4]), Ok((vec![4], 1, 1, 6, 4)));
        assert_eq!(matmul_shape(&[5, 6], &[6]), Ok((vec![5], 1, 5, 6, 1)));
        assert!(matmul_shape(&[5, 6], &[5, 6]).is_err());
    }
}
