//! Convolution and pooling windows, as the ONNX operator spec defines them:
//! `out = ⌊(in + pad_begin + pad_end − dil·(k − 1) − 1) / stride⌋ + 1`
//! (⌈⌉ with `ceil_mode`, dropping a last window that would start in the end
//! padding), `SAME_UPPER`/`SAME_LOWER` auto-padding gives `⌈in / stride⌉`
//! with the odd pad at the end/beginning, `VALID` no padding; a transposed
//! convolution gives `stride·(in − 1) + output_padding + dil·(k − 1) + 1 −
//! pad_begin − pad_end`, or `in·stride` with `SAME_*`.

use super::node::Node;

/// The largest kernel, stride, dilation or padding eyrie accepts.
const MAX_ATTR: i64 = 1 << 31;

/// A convolution or pooling window over the spatial dimensions.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Window {
    /// Kernel size per spatial dimension.
    pub kernel: Vec<u64>,
    /// Strides.
    pub strides: Vec<u64>,
    /// Dilations.
    pub dilations: Vec<u64>,
    /// Padding before each dimension.
    pub pad_begin: Vec<u64>,
    /// Padding after each dimension.
    pub pad_end: Vec<u64>,
    /// Output size per spatial dimension.
    pub out: Vec<u64>,
}

fn spatial_attr(node: &Node, name: &str, n: usize, default: u64) -> Result<Vec<u64>, String> {
    match node.ints(name) {
        None => Ok(vec![default; n]),
        Some(v) if v.len() == n && v.iter().all(|&x| (1..=MAX_ATTR).contains(&x)) => {
            Ok(v.iter().map(|&x| x as u64).collect())
        }
        Some(v) => Err(format!("`{name}` {v:?} needs {n} values from 1 to {MAX_ATTR}")),
    }
}

fn pads_attr(node: &Node, n: usize) -> Result<(Vec<u64>, Vec<u64>), String> {
    match node.ints("pads") {
        None => Ok((vec![0; n], vec![0; n])),
        Some(v) if v.len() == 2 * n && v.iter().all(|&x| (0..=MAX_ATTR).contains(&x)) => {
            Ok((v[..n].iter().map(|&x| x as u64).collect(), v[n..].iter().map(|&x| x as u64).collect()))
        }
        Some(v) => Err(format!("`pads` {v:?} needs {} values from 0 to {MAX_ATTR}", 2 * n)),
    }
}

/// The window of a Conv or pooling node on spatial input `input`.
pub(crate) fn window(node: &Node, input: &[u64], kernel: &[u64], ceil: bool) -> Result<Window, String> {
    let n = input.len();
    if kernel.len() != n {
        return Err(format!("a {}-D kernel on a {n}-D input", kernel.len()));
    }
    if kernel.iter().any(|&k| k == 0 || k > MAX_ATTR as u64) {
        return Err(format!("kernel {kernel:?} needs sizes from 1 to {MAX_ATTR}"));
    }
    let strides = spatial_attr(node, "strides", n, 1)?;
    let dilations = spatial_attr(node, "dilations", n, 1)?;
    let (mut pad_begin, mut pad_end) = pads_attr(node, n)?;
    let auto = node.string("auto_pad").unwrap_or_default();
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let span = dilations[i].saturating_mul(kernel[i].max(1) - 1).saturating_add(1);
        match auto.as_str() {
            "SAME_UPPER" | "SAME_LOWER" => {
                let o = input[i].div_ceil(strides[i]);
                let total =
                    o.saturating_sub(1).saturating_mul(strides[i]).saturating_add(span).saturating_sub(input[i]);
                let (small, big) = (total / 2, total - total / 2);
                (pad_begin[i], pad_end[i]) = if auto == "SAME_UPPER" { (small, big) } else { (big, small) };
                out.push(o);
            }
            "VALID" => {
                (pad_begin[i], pad_end[i]) = (0, 0);
                out.push(if input[i] < span { 0 } else { (input[i] - span) / strides[i] + 1 });
            }
            "" | "NOTSET" => {
                let padded = input[i].saturating_add(pad_begin[i]).saturating_add(pad_end[i]);
                let o = match padded.checked_sub(span) {
                    None => 0,
                    Some(room) if ceil => {
                        let o = room.div_ceil(strides[i]) + 1;
                        // ceil_mode: the last window must start inside the input or its begin padding.
                        if (o - 1).saturating_mul(strides[i]) >= input[i].saturating_add(pad_begin[i]) {
                            o - 1
                        } else {
                            o
                        }
                    }
                    Some(room) => room / strides[i] + 1,
                };
                out.push(o);
            }
            other => return Err(format!("auto_pad `{other}` is not one of NOTSET, SAME_UPPER, SAME_LOWER, VALID")),
        }
        if out[i] == 0 {
            return Err(format!(
                "a kernel spanning {span} does not fit input size {} with padding {}+{}",
                input[i], pad_begin[i], pad_end[i]
            ));
        }
    }
    Ok(Window { kernel: kernel.to_vec(), strides, dilations, pad_begin, pad_end, out })
}

/// Output spatial sizes of a ConvTranspose.
pub(crate) fn conv_transpose_out(node: &Node, input: &[u64], kernel: &[u64]) -> Result<Vec<u64>, String> {
    let n = input.len();
    let strides = spatial_attr(node, "strides", n, 1)?;
    let dil = spatial_attr(node, "dilations", n, 1)?;
    if let Some(os) = node.ints("output_shape") {
        let os = &os[os.len().saturating_sub(n)..];
        if os.len() != n || os.iter().any(|&x| x < 1) {
            return Err(format!("`output_shape` {os:?} needs {n} positive values"));
        }
        return Ok(os.iter().map(|&x| x as u64).collect());
    }
    let opad = match node.ints("output_padding") {
        Some(v) if v.len() == n && v.iter().all(|&x| (0..=MAX_ATTR).contains(&x)) => {
            v.iter().map(|&x| x as u64).collect()
        }
        Some(v) => return Err(format!("`output_padding` {v:?} needs {n} non-negative values")),
        None => vec![0; n],
    };
    let auto = node.string("auto_pad").unwrap_or_default();
    let (pb, pe) = pads_attr(node, n)?;
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let o = if auto.starts_with("SAME") {
            input[i].saturating_mul(strides[i])
        } else {
            let full = strides[i]
                .saturating_mul(input[i].max(1) - 1)
                .saturating_add(opad[i])
                .saturating_add(dil[i].saturating_mul(kernel[i].max(1) - 1))
                .saturating_add(1);
            full.checked_sub(pb[i] + pe[i]).filter(|&o| o > 0).ok_or("the padding removes the whole output")?
        };
        out.push(o);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::onnx::proto::{AttributeProto, NodeProto};

    fn node(attrs: &[(&str, Vec<i64>)], auto_pad: Option<&str>) -> NodeProto {
        let mut attribute: Vec<AttributeProto> = attrs
            .iter()
            .map(|(n, v)| AttributeProto { name: Some(n.to_string()), ints: v.clone(), ..Default::default() })
            .collect();
        if let Some(a) = auto_pad {
            attribute.push(AttributeProto {
                name: Some("auto_pad".into()),
                s: Some(a.as_bytes().to_vec()),
                ..Default::default()
            });
        }
        NodeProto { op_type: Some("Conv".into()), attribute, ..Default::default() }
    }

    #[test]
    fn explicit_pads_strides_and_dilations() {
        let p = node(&[("strides", vec![2, 1]), ("pads", vec![1, 0, 1, 0]), ("dilations", vec![1, 2])], None);
        let w = window(&Node::new(&p, 0), &[7, 7], &[3, 3], false);
        // (7 + 2 − 3) / 2 + 1 = 4; (7 − 5) / 1 + 1 = 3.
        assert_eq!(w.map(|w| w.out), Ok(vec![4, 3]));
    }

    #[test]
    fn ceil_mode_and_same_padding() {
        let p = node(&[("strides", vec![2, 2])], None);
        // 6×6, 3×3 window, stride 2: floor 2, ceil 3 (the last window starts at 4 < 6).
        assert_eq!(window(&Node::new(&p, 0), &[6, 6], &[3, 3], false).map(|w| w.out), Ok(vec![2, 2]));
        assert_eq!(window(&Node::new(&p, 0), &[6, 6], &[3, 3], true).map(|w| w.out), Ok(vec![3, 3]));
        let p = node(&[("strides", vec![2, 2])], Some("SAME_LOWER"));
        let w = window(&Node::new(&p, 0), &[6, 5], &[3, 3], false);
        // ⌈6/2⌉ = 3 with 1 pad (before, for LOWER); ⌈5/2⌉ = 3 with 2 pads.
        assert_eq!(w.map(|w| (w.out, w.pad_begin, w.pad_end)), Ok((vec![3, 3], vec![1, 1], vec![0, 1])));
    }

    #[test]
    fn kernels_that_do_not_fit_are_errors() {
        let p = node(&[], None);
        assert!(window(&Node::new(&p, 0), &[2, 2], &[3, 3], false).is_err());
        let p = node(&[("strides", vec![0, 1])], None);
        assert!(window(&Node::new(&p, 0), &[4, 4], &[1, 1], false).is_err());
    }

    #[test]
    fn transposed_output_sizes() {
        let p = node(&[("strides", vec![2, 2]), ("pads", vec![1, 1, 1, 1]), ("output_padding", vec![1, 1])], None);
        // 2·(10 − 1) + 1 + 3 − 2 = 20.
        assert_eq!(conv_transpose_out(&Node::new(&p, 0), &[10, 10], &[3, 3]), Ok(vec![20, 20]));
        let p = node(&[("output_shape", vec![1, 3, 9, 9])], None);
        assert_eq!(conv_transpose_out(&Node::new(&p, 0), &[4, 4], &[3, 3]), Ok(vec![9, 9]));
    }
}
