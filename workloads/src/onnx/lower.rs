//! Lowering ONNX operators to eyrie layers (loop nests).
//!
//! * `Conv` (1-D and 2-D; groups, strides, pads, dilations; depthwise when
//!   `group = C = K`), `ConvInteger`, `QLinearConv` → a conv layer.
//! * `ConvTranspose` → the 1×1 convolution that forms every (filter, tap)
//!   product of each input pixel, `K·R·S` outputs per pixel (the "col2im"
//!   form of a transposed convolution: exactly `N·C·H·W·(K/g)·R·S` MACs, the
//!   operator's true count); when the kernel is larger than the stride the
//!   overlapping products are summed afterwards, which this layer does not
//!   count as traffic.
//! * `Gemm`, `MatMul` (batched: one group per matrix pair), `MatMulInteger`,
//!   `QLinearMatMul` → fc / matmul layers; a constant operand is the weights.
//! * `LSTM`, `GRU`, `RNN` → per direction, the input-gate matmul
//!   (`T·B` rows × `I` → `G·H`), the recurrent-gate matmul (`T·B` rows × `H`
//!   → `G·H`) and an element-wise cell update, with G = 4, 3, 1 gates
//!   (ONNX operator spec equations).
//! * Pooling (windows, global) and reductions → pool layers (no MACs);
//!   activations, arithmetic and normalisations → element-wise layers.

use std::collections::HashSet;

use super::node::{Info, Node};
use super::shapes::{self, gates, matmul_shape, window};
use super::weights::{self, Const, WeightTensor, Weights, dequantize, transpose2d};
use crate::layer::{Layer, LayerKind};

/// Where a layer of an imported network came from.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct LayerOrigin {
    /// The layer's name in the network.
    pub layer: String,
    /// The ONNX node it was lowered from.
    pub node: String,
    /// The node's operator type.
    pub op: String,
    /// Shape of the node's main input.
    pub input_shape: Vec<u64>,
    /// Shape of the node's main output.
    pub output_shape: Vec<u64>,
    /// Whether its weights came from the file (initializer or constant).
    pub real_weights: bool,
    /// Nodes folded into this layer (BatchNormalization, bias Add).
    pub folded: Vec<String>,
    /// How the operator was expressed, when not one-to-one.
    pub note: Option<String>,
}

/// The layers built so far.
#[derive(Debug, Default)]
pub(crate) struct Builder {
    /// Layers in execution order.
    pub layers: Vec<Layer>,
    /// One per layer.
    pub origins: Vec<LayerOrigin>,
    /// Real weights by layer name.
    pub weights: Weights,
    /// Per layer: weight rows per output channel (for folding), if its output is per-channel.
    pub rows_per_channel: Vec<Option<usize>>,
    names: HashSet<String>,
}

/// `(n, c, h, w)` of a tensor for a no-MAC layer: the last three dimensions are
/// `c, h, w` (rank 3 puts its middle one in `c`), leading ones multiply into `n`.
pub(crate) fn nchw(s: &[u64]) -> (u64, u64, u64, u64) {
    match s.len() {
        0 => (1, 1, 1, 1),
        1 => (1, s[0], 1, 1),
        2 => (s[0], s[1], 1, 1),
        3 => (s[0], s[1], 1, s[2]),
        r => (s[..r - 3].iter().product(), s[r - 3], s[r - 2], s[r - 1]),
    }
}

fn value(ins: &[Option<&Info>], i: usize) -> Option<std::rc::Rc<Const>> {
    ins.get(i).copied().flatten().and_then(|t| t.value.clone())
}

fn shape(ins: &[Option<&Info>], i: usize) -> Result<Vec<u64>, String> {
    ins.get(i).copied().flatten().map(|t| t.shape.clone()).ok_or_else(|| format!("input {i} is missing"))
}

/// The float values of a weight operand, dequantized for the integer operators.
fn weight_values(node: &Node, ins: &[Option<&Info>], wi: usize) -> Result<Option<Vec<f32>>, String> {
    let Some(w) = value(ins, wi) else { return Ok(None) };
    let v = match node.op() {
        "QLinearConv" | "QLinearMatMul" => {
            let s = value(ins, wi + 1).ok_or("its weight scale must be a constant")?;
            let axis = if node.op() == "QLinearConv" { 0 } else { -1 };
            dequantize(&w, &s, value(ins, wi + 2).as_deref(), axis)?.to_f32()
        }
        "ConvInteger" | "MatMulInteger" => {
            // No scale: the weights are `q − zero_point`, per tensor or per output channel.
            let zero = value(ins, wi + 2);
            let n = zero.as_ref().map_or(1, |z| z.len().max(1));
            let ones = Const::f32(vec![n], vec![1.0; n]);
            let axis = if node.op() == "ConvInteger" { 0 } else { -1 };
            dequantize(&w, &ones, zero.as_deref(), axis)?.to_f32()
        }
        _ => w.to_f32(),
    };
    Ok(v)
}

impl Builder {
    fn unique(&mut self, base: &str) -> String {
        let mut name = base.to_string();
        let mut i = 2;
        while !self.names.insert(name.clone()) {
            name = format!("{base}_{i}");
            i += 1;
        }
        name
    }

    /// Append a layer; returns its index. Refuses loop nests that are not
    /// valid or whose counts would overflow.
    fn push(
        &mut self,
        mut layer: Layer,
        mut origin: LayerOrigin,
        w: Option<WeightTensor>,
        rows: Option<usize>,
    ) -> Result<usize, String> {
        let big =
            |v: &[u64]| v.iter().try_fold(1u128, |a, &x| a.checked_mul(u128::from(x))).is_none_or(|p| p > 1 << 52);
        let l = &layer;
        let cg = l.c / l.groups.max(1);
        if big(&[l.n, l.k, cg, l.p, l.q, l.r, l.s]) || big(&[l.n, l.c, l.h, l.w, l.r]) || big(&[l.n, l.k, l.p, l.q]) {
            return Err(format!(
                "the layer is too large to count (n {} k {} c {} {}x{} → {}x{})",
                l.n, l.k, l.c, l.h, l.w, l.p, l.q
            ));
        }
        if let Some((f, msg)) = layer.check().into_iter().next() {
            return Err(format!("cannot be expressed as a layer: {f} {msg}"));
        }
        layer.name = self.unique(&layer.name);
        origin.layer = layer.name.clone();
        origin.real_weights = w.is_some();
        if let Some(w) = w {
            self.weights.insert(layer.name.clone(), w);
        }
        self.layers.push(layer);
        self.origins.push(origin);
        self.rows_per_channel.push(rows);
        Ok(self.layers.len() - 1)
    }

    fn origin(node: &Node, input: Vec<u64>, output: Vec<u64>, note: Option<String>) -> LayerOrigin {
        LayerOrigin {
            layer: String::new(),
            node: node.name.clone(),
            op: node.op().to_string(),
            input_shape: input,
            output_shape: output,
            real_weights: false,
            folded: Vec::new(),
            note,
        }
    }

    /// Lower a MAC operator. Returns the layer whose raw output is output 0.
    pub fn mac(&mut self, node: &Node, ins: &[Option<&Info>], outs: &[Vec<u64>]) -> Result<Option<usize>, String> {
        let out = outs.first().cloned().unwrap_or_default();
        match node.op() {
            "Conv" | "ConvInteger" | "QLinearConv" => self.conv(node, ins, out).map(Some),
            "ConvTranspose" => self.conv_transpose(node, ins, out).map(Some),
            "Gemm" => self.gemm(node, ins, out),
            "MatMul" | "MatMulInteger" | "QLinearMatMul" => self.matmul(node, ins, out),
            _ => self.recurrent(node, ins, out).map(|_| None),
        }
    }

    fn conv(&mut self, node: &Node, ins: &[Option<&Info>], out: Vec<u64>) -> Result<usize, String> {
        let wi = if node.op() == "QLinearConv" { 3 } else { 1 };
        let (xs, ws) = (shape(ins, 0)?, shape(ins, wi)?);
        if xs.len() > 4 {
            return Err("3-D convolutions cannot be expressed as eyrie layers (2-D loop nests)".to_string());
        }
        let kernel = node.ints("kernel_shape").map_or(ws[2..].to_vec(), |k| k.iter().map(|&v| v as u64).collect());
        let win = window(node, &xs[2..], &kernel, false)?;
        let groups = node.int_or("group", 1).max(1) as u64;
        if xs[1] != ws[1].saturating_mul(groups) {
            return Err(format!(
                "input has {} channels but weights {ws:?} with {groups} groups expect {}",
                xs[1],
                ws[1] * groups
            ));
        }
        // 1-D convolutions run along the width.
        let two = |v: &[u64], d: u64| if v.len() == 1 { (d, v[0]) } else { (v[0], v[1]) };
        let (h, w) = two(&xs[2..], 1);
        let (r, s) = two(&win.kernel, 1);
        let (p, q) = two(&win.out, 1);
        let (sh, sw) = two(&win.strides, 1);
        let (dh, dw) = two(&win.dilations, 1);
        let total: Vec<u64> = win.pad_begin.iter().zip(&win.pad_end).map(|(a, b)| a + b).collect();
        let (th, tw) = two(&total, 0);
        let asym = win.pad_begin != win.pad_end;
        let layer = Layer {
            kind: LayerKind::Conv,
            n: xs[0],
            k: ws[0],
            c: xs[1],
            groups,
            h,
            w,
            r,
            s,
            p,
            q,
            stride_h: sh,
            stride_w: sw,
            pad_h: th.div_ceil(2),
            pad_w: tw.div_ceil(2),
            dil_h: dh,
            dil_w: dw,
            ..Layer::conv(&node.name, 1, 1, 1, 1, 1, 1, 1, 0)
        };
        let note =
            asym.then(|| format!("asymmetric padding {:?}/{:?}; output size kept exact", win.pad_begin, win.pad_end));
        let wt =
            weight_values(node, ins, wi)?.map(|v| (vec![ws[0] as usize, ws[1] as usize, r as usize, s as usize], v));
        self.push(layer, Self::origin(node, xs, out, note), wt, Some(1))
    }

    fn conv_transpose(&mut self, node: &Node, ins: &[Option<&Info>], out: Vec<u64>) -> Result<usize, String> {
        let (xs, ws) = (shape(ins, 0)?, shape(ins, 1)?);
        if xs.len() > 4 {
            return Err("3-D transposed convolutions cannot be expressed as eyrie layers".to_string());
        }
        let groups = node.int_or("group", 1).max(1) as u64;
        if ws[0] != xs[1] || xs[1] % groups != 0 {
            return Err(format!("input {xs:?} does not match weights {ws:?} with {groups} groups"));
        }
        let taps: u64 = ws[2..].iter().product();
        let (h, w) = if xs.len() == 3 { (1, xs[2]) } else { (xs[2], xs[3]) };
        let k = ws[1].saturating_mul(groups).saturating_mul(taps);
        let layer = Layer { n: xs[0], groups, ..Layer::conv(&node.name, xs[1], h, w, k, 1, 1, 1, 0) };
        let strides = node.ints("strides").unwrap_or_default();
        let overlap = ws[2..].iter().zip(strides.iter().chain(std::iter::repeat(&1))).any(|(&k, &s)| k as i64 > s);
        let note = format!(
            "transposed conv as a 1×1 conv producing {} (filter, tap) products per pixel{}",
            k,
            if overlap { "; overlapping taps are summed afterwards (not counted)" } else { "" }
        );
        let wt = weight_values(node, ins, 1)?.map(|v| {
            let rows = weights::conv_transpose_rows(&v, xs[1] as usize, ws[1] as usize, taps as usize, groups as usize);
            (vec![k as usize, (xs[1] / groups) as usize, 1, 1], rows)
        });
        self.push(layer, Self::origin(node, xs, out, Some(note)), wt, Some(taps as usize))
    }

    fn gemm(&mut self, node: &Node, ins: &[Option<&Info>], out: Vec<u64>) -> Result<Option<usize>, String> {
        let (a, b) = (shape(ins, 0)?, shape(ins, 1)?);
        let (ta, tb) = (node.int_or("transA", 0) != 0, node.int_or("transB", 0) != 0);
        let (m, kk) = if ta { (a[1], a[0]) } else { (a[0], a[1]) };
        let n = if tb { b[0] } else { b[1] };
        let alpha = node.float("alpha").unwrap_or(1.0);
        // Weights as [outputs, inputs], scaled by alpha.
        let as_rows = |v: Vec<f32>, rows: u64, cols: u64, trans: bool| {
            let v = if trans { v } else { transpose2d(&v, cols as usize, rows as usize) };
            (vec![rows as usize, cols as usize], v.iter().map(|x| x * alpha).collect())
        };
        if let Some(v) = weight_values(node, ins, 1)? {
            let layer = Layer { n: m, ..Layer::fc(&node.name, kk, n) };
            return self.push(layer, Self::origin(node, a, out, None), Some(as_rows(v, n, kk, tb)), Some(1)).map(Some);
        }
        if let Some(v) = weight_values(node, ins, 0)? {
            let layer = Layer { n, ..Layer::fc(&node.name, kk, m) };
            let note = Some("constant left operand used as the weights (computed transposed)".to_string());
            self.push(layer, Self::origin(node, b, out, note), Some(as_rows(v, m, kk, !ta)), None)?;
            return Ok(None);
        }
        let note = Some("both operands are activations".to_string());
        self.push(Layer::matmul(&node.name, m, kk, n), Self::origin(node, a, out, note), None, None).map(Some)
    }

    fn matmul(&mut self, node: &Node, ins: &[Option<&Info>], out: Vec<u64>) -> Result<Option<usize>, String> {
        let (ai, bi) = if node.op() == "QLinearMatMul" { (0, 3) } else { (0, 1) };
        let (a, b) = (shape(ins, ai)?, shape(ins, bi)?);
        let (_, batch, m, k, n) = matmul_shape(&a, &b)?;
        let b_batch: u64 = b.iter().rev().skip(2).product();
        let a_batch: u64 = a.iter().rev().skip(2).product();
        let dims = |r: u64, c: u64| vec![r as usize, c as usize];
        if b_batch == 1
            && let Some(v) = weight_values(node, ins, bi)?
        {
            let layer = Layer::matmul(&node.name, batch.saturating_mul(m), k, n);
            let w = (dims(n, k), transpose2d(&v, k as usize, n as usize));
            return self.push(layer, Self::origin(node, a, out, None), Some(w), Some(1)).map(Some);
        }
        if a_batch == 1
            && let Some(v) = weight_values(node, ins, ai)?
        {
            let layer = Layer::matmul(&node.name, batch.saturating_mul(n), k, m);
            let note = Some("constant left operand used as the weights (computed transposed)".to_string());
            self.push(layer, Self::origin(node, b, out, note), Some((dims(m, k), v)), None)?;
            return Ok(None);
        }
        // Batched: one group per matrix pair, so MACs and operand sizes are exact.
        let layer =
            Layer { groups: batch, ..Layer::matmul(&node.name, m, batch.saturating_mul(k), batch.saturating_mul(n)) };
        let note = Some(format!(
            "{batch} independent products; the right operand is {}",
            if value(ins, bi).is_some() { "a batched constant" } else { "an activation" }
        ));
        self.push(layer, Self::origin(node, a, out, note), None, None).map(Some)
    }

    fn recurrent(&mut self, node: &Node, ins: &[Option<&Info>], out: Vec<u64>) -> Result<(), String> {
        let (xs, ws, rs) = (shape(ins, 0)?, shape(ins, 1)?, shape(ins, 2)?);
        let g = gates(node.op());
        let hidden = node.int("hidden_size").map_or(ws[1] / g, |h| h as u64);
        let (t, b, i) = if node.int_or("layout", 0) == 0 { (xs[0], xs[1], xs[2]) } else { (xs[1], xs[0], xs[2]) };
        let gh = g.saturating_mul(hidden);
        if ws[1] != gh
            || ws[2] != i
            || !(1..=2).contains(&ws[0])
            || rs.len() != 3
            || rs[0] != ws[0]
            || rs[1] != gh
            || rs[2] != hidden
        {
            return Err(format!(
                "weights {ws:?} and recurrence {rs:?} do not match hidden size {hidden} with {g} gates"
            ));
        }
        let t_b = t.saturating_mul(b);
        let dirs: &[&str] = match (ws[0], node.string("direction").as_deref()) {
            (2, _) => &["fwd", "bwd"],
            (_, Some("reverse")) => &["rev"],
            _ => &["fwd"],
        };
        let (wv, rv) = (weight_values(node, ins, 1)?, weight_values(node, ins, 2)?);
        let slice = |v: &Option<Vec<f32>>, d: usize, cols: u64| {
            let per = gh.saturating_mul(cols) as usize;
            let part = v.as_ref().and_then(|v| v.get(d * per..(d + 1) * per));
            part.map(|p| (vec![gh as usize, cols as usize], p.to_vec()))
        };
        for (d, dir) in dirs.iter().enumerate() {
            let note = |what: &str| Some(format!("{what} of {g} gates, {t} steps × batch {b}"));
            let x = Layer::matmul(&format!("{}/x_{dir}", node.name), t_b, i, gh);
            self.push(x, Self::origin(node, xs.clone(), out.clone(), note("input matmul")), slice(&wv, d, i), None)?;
            let h = Layer::matmul(&format!("{}/h_{dir}", node.name), t_b, hidden, gh);
            self.push(
                h,
                Self::origin(node, xs.clone(), out.clone(), note("recurrent matmul")),
                slice(&rv, d, hidden),
                None,
            )?;
            let cell = Layer { n: t_b, ..Layer::eltwise(&format!("{}/cell_{dir}", node.name), gh, 1, 1, 1) };
            self.push(
                cell,
                Self::origin(node, xs.clone(), out.clone(), note("gate activations and state update")),
                None,
                None,
            )?;
        }
        Ok(())
    }

    /// Lower a pooling or reduction operator to a pool layer.
    pub fn pool(&mut self, node: &Node, ins: &[Option<&Info>], outs: &[Vec<u64>]) -> Result<(), String> {
        let xs = shape(ins, 0)?;
        let out = outs.first().cloned().unwrap_or_default();
        let op = node.op();
        let layer = if op.starts_with("Global") || op.ends_with("Pool") {
            let sp = &xs[2.min(xs.len())..];
            let two = |v: &[u64]| match v.len() {
                0 => Ok((1, 1)),
                1 => Ok((1, v[0])),
                2 => Ok((v[0], v[1])),
                _ => Err("3-D pooling cannot be expressed as an eyrie layer".to_string()),
            };
            let (h, w) = two(sp)?;
            let (n, c) = (xs.first().copied().unwrap_or(1), xs.get(1).copied().unwrap_or(1));
            let base = Layer { n, ..Layer::pool(&node.name, c, h, w, 1, 1, 0) };
            if op.starts_with("Global") {
                Layer { r: h, s: w, stride_h: h, stride_w: w, p: 1, q: 1, ..base }
            } else {
                let k: Vec<u64> = node.ints("kernel_shape").unwrap_or_default().iter().map(|&v| v as u64).collect();
                let win = window(node, sp, &k, node.int_or("ceil_mode", 0) != 0)?;
                let (r, s) = two(&win.kernel)?;
                let (p, q) = two(&win.out)?;
                let (sh, sw) = two(&win.strides)?;
                let pads: Vec<u64> = win.pad_begin.iter().zip(&win.pad_end).map(|(a, b)| (a + b).div_ceil(2)).collect();
                let (ph, pw) = if pads.len() == 1 { (0, pads[0]) } else { (pads[0], pads[1]) };
                Layer { r, s, p, q, stride_h: sh, stride_w: sw, pad_h: ph, pad_w: pw, ..base }
            }
        } else {
            // A reduction: each output element reduces a window of `in / out` inputs.
            let (i, o): (u64, u64) = (xs.iter().product(), out.iter().product::<u64>().max(1));
            let win = (i / o).max(1);
            Layer { r: 1, s: win, stride_w: win, p: 1, q: 1, ..Layer::pool(&node.name, o, 1, win, 1, 1, 0) }
        };
        self.push(layer, Self::origin(node, xs, out, None), None, None)?;
        Ok(())
    }

    /// Lower any other operator on activations to an element-wise layer over its output.
    pub fn eltwise(
        &mut self,
        node: &Node,
        ins: &[Option<&Info>],
        outs: &[Vec<u64>],
        note: Option<String>,
    ) -> Result<(), String> {
        let out = outs.first().cloned().unwrap_or_default();
        let operands = ins.iter().flatten().filter(|i| i.value.is_none()).count().max(1) as u64;
        let (n, c, h, w) = nchw(&out);
        let layer = Layer { n, ..Layer::eltwise(&node.name, c, h, w, operands) };
        // The main input: the first that is not a constant.
        let first = ins.iter().flatten().find(|i| i.value.is_none()).or_else(|| ins.iter().flatten().next());
        let input = first.map(|i| i.shape.clone()).unwrap_or_default();
        self.push(layer, Self::origin(node, input, out, note), None, None)?;
        Ok(())
    }

    /// Fold a per-output-channel affine map (`scale` may be absent) into layer `li`.
    pub fn fold_into(&mut self, li: usize, node: &Node, scale: Option<&[f32]>) -> bool {
        let Some(rows) = self.rows_per_channel[li] else { return false };
        if let (Some(f), Some(w)) = (scale, self.weights.get_mut(&self.layers[li].name)) {
            let channels = w.0.first().copied().unwrap_or(0) / rows.max(1);
            if f.len() != channels {
                return false;
            }
            weights::scale_channels(w, f, rows);
        }
        self.origins[li].folded.push(format!("{} ({})", node.name, node.op()));
        true
    }

    /// Output channels of layer `li` and the axis they are on in its output.
    pub fn channels(&self, li: usize) -> (u64, usize) {
        let l = &self.layers[li];
        let ch = l.k / self.rows_per_channel[li].unwrap_or(1).max(1) as u64;
        let axis = if l.kind == LayerKind::Conv { 1 } else { self.origins[li].output_shape.len().saturating_sub(1) };
        (ch, axis)
    }
}

/// Whether a constant of shape `c` is one value per channel on `axis` of `out`.
pub(crate) fn per_channel(c: &[u64], out: &[u64], channels: u64, axis: usize) -> bool {
    if c.iter().product::<u64>() != channels || c.len() > out.len() {
        return false;
    }
    let off = out.len() - c.len();
    c.iter().enumerate().all(|(i, &d)| d == 1 || (i + off == axis && d == channels))
}

/// Lowering helpers for tests and the driver.
pub(crate) fn is_mac(op: &str) -> bool {
    matches!(
        op,
        "Conv"
            | "ConvInteger"
            | "QLinearConv"
            | "ConvTranspose"
            | "Gemm"
            | "MatMul"
            | "MatMulInteger"
            | "QLinearMatMul"
            | "LSTM"
            | "GRU"
            | "RNN"
    )
}

/// Pooling and reductions.
pub(crate) fn is_pool(op: &str) -> bool {
    matches!(
        op,
        "MaxPool"
            | "AveragePool"
            | "LpPool"
            | "GlobalAveragePool"
            | "GlobalMaxPool"
            | "GlobalLpPool"
            | "ArgMax"
            | "ArgMin"
    ) || shapes::is_reduce(op)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nchw_folds_leading_dimensions() {
        assert_eq!(nchw(&[]), (1, 1, 1, 1));
        assert_eq!(nchw(&[2, 3]), (2, 3, 1, 1));
        assert_eq!(nchw(&[2, 5, 7]), (2, 5, 1, 7));
        assert_eq!(nchw(&[2, 3, 4, 5, 6]), (6, 4, 5, 6));
    }

    #[test]
    fn per_channel_accepts_only_the_channel_axis() {
        assert!(per_channel(&[1, 8, 1, 1], &[1, 8, 4, 4], 8, 1));
        assert!(per_channel(&[8, 1, 1], &[1, 8, 4, 4], 8, 1));
        assert!(!per_channel(&[8], &[1, 8, 4, 8], 8, 1));
        assert!(per_channel(&[8], &[3, 8], 8, 1));
        assert!(!per_channel(&[1, 1, 4, 4], &[1, 8, 4, 4], 8, 1));
    }
}
