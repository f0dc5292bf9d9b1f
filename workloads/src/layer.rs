//! Layers as loop nests.
//!
//! Every layer is the 7-deep loop nest N, K, C, P, Q, R, S of a grouped,
//! strided, dilated convolution (fully-connected and matmul layers are the
//! 1×1 case, with N standing for the rows of the left matrix), so every
//! engine analyses one shape. Pooling and element-wise layers have no MACs
//! but move data. Input sizes `h`, `w` exclude padding; output sizes follow
//! `p = (h + 2·pad_h − dil_h·(r − 1) − 1) / stride_h + 1`.

use serde::{Deserialize, Serialize};

/// What a layer computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LayerKind {
    /// Grouped / depthwise 2-D convolution.
    Conv,
    /// Fully-connected (inner product).
    Fc,
    /// Matrix multiplication `n × c` by `c × k` (LSTM gates, attention).
    Matmul,
    /// Max/average pooling: no MACs, reads inputs, writes outputs.
    Pool,
    /// Element-wise (add, activation): no MACs, reads inputs, writes outputs.
    Eltwise,
}

impl LayerKind {
    /// The name used in TOML and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            LayerKind::Conv => "conv",
            LayerKind::Fc => "fc",
            LayerKind::Matmul => "matmul",
            LayerKind::Pool => "pool",
            LayerKind::Eltwise => "eltwise",
        }
    }

    /// True for layers with weights and MACs.
    pub fn has_macs(self) -> bool {
        matches!(self, LayerKind::Conv | LayerKind::Fc | LayerKind::Matmul)
    }
}

/// One layer of a network, as a loop nest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Layer {
    /// Name, unique within the network.
    pub name: String,
    /// What it computes.
    pub kind: LayerKind,
    /// Batch (images), or rows of the left matrix for matmul, times the batch.
    pub n: u64,
    /// Output channels (filters) in total.
    pub k: u64,
    /// Input channels in total.
    pub c: u64,
    /// Groups (1 = dense conv; `c` = depthwise).
    pub groups: u64,
    /// Input height, without padding.
    pub h: u64,
    /// Input width, without padding.
    pub w: u64,
    /// Filter height.
    pub r: u64,
    /// Filter width.
    pub s: u64,
    /// Output height.
    pub p: u64,
    /// Output width.
    pub q: u64,
    /// Vertical stride.
    pub stride_h: u64,
    /// Horizontal stride.
    pub stride_w: u64,
    /// Zero padding on top and bottom.
    pub pad_h: u64,
    /// Zero padding on left and right.
    pub pad_w: u64,
    /// Vertical dilation.
    pub dil_h: u64,
    /// Horizontal dilation.
    pub dil_w: u64,
    /// Fraction of non-zero input activations (1 = dense).
    pub act_density: f64,
    /// Fraction of non-zero weights before compression (1 = dense).
    pub weight_density: f64,
    /// Fraction of non-zero output activations after the activation function,
    /// when known (run-length coding of outputs uses it); `None` = unknown.
    #[serde(default)]
    pub out_density: Option<f64>,
}

/// Output size of one spatial dimension.
pub fn out_dim(input: u64, pad: u64, kernel: u64, stride: u64, dilation: u64) -> u64 {
    let span = dilation * (kernel.max(1) - 1) + 1;
    let padded = input + 2 * pad;
    if padded < span || stride == 0 { 0 } else { (padded - span) / stride + 1 }
}

impl Layer {
    /// A convolution on a `c × h × w` input with `k` filters of `r × s`.
    #[allow(clippy::too_many_arguments)]
    pub fn conv(name: &str, c: u64, h: u64, w: u64, k: u64, r: u64, s: u64, stride: u64, pad: u64) -> Layer {
        Layer {
            name: name.to_string(),
            kind: LayerKind::Conv,
            n: 1,
            k,
            c,
            groups: 1,
            h,
            w,
            r,
            s,
            p: out_dim(h, pad, r, stride, 1),
            q: out_dim(w, pad, s, stride, 1),
            stride_h: stride,
            stride_w: stride,
            pad_h: pad,
            pad_w: pad,
            dil_h: 1,
            dil_w: 1,
            act_density: 1.0,
            weight_density: 1.0,
            out_density: None,
        }
    }

    /// The same layer with `groups` groups (depthwise when `groups == c == k`).
    pub fn grouped(mut self, groups: u64) -> Layer {
        self.groups = groups.max(1);
        self
    }

    /// The same layer with dilation.
    pub fn dilated(mut self, dil_h: u64, dil_w: u64) -> Layer {
        self.dil_h = dil_h.max(1);
        self.dil_w = dil_w.max(1);
        self.p = out_dim(self.h, self.pad_h, self.r, self.stride_h, self.dil_h);
        self.q = out_dim(self.w, self.pad_w, self.s, self.stride_w, self.dil_w);
        self
    }

    /// A fully-connected layer `inputs → outputs`.
    pub fn fc(name: &str, inputs: u64, outputs: u64) -> Layer {
        Layer { kind: LayerKind::Fc, ..Layer::conv(name, inputs, 1, 1, outputs, 1, 1, 1, 0) }
    }

    /// A matrix multiplication `(m × kdim) · (kdim × n)`: `m` rows share the weights.
    pub fn matmul(name: &str, m: u64, kdim: u64, n: u64) -> Layer {
        Layer { kind: LayerKind::Matmul, n: m, ..Layer::conv(name, kdim, 1, 1, n, 1, 1, 1, 0) }
    }

    /// Pooling over `r × s` windows of a `c × h × w` input.
    pub fn pool(name: &str, c: u64, h: u64, w: u64, r: u64, stride: u64, pad: u64) -> Layer {
        Layer { kind: LayerKind::Pool, groups: c, ..Layer::conv(name, c, h, w, c, r, r, stride, pad) }
    }

    /// An element-wise layer over a `c × h × w` tensor with `operands` inputs.
    pub fn eltwise(name: &str, c: u64, h: u64, w: u64, operands: u64) -> Layer {
        Layer {
            kind: LayerKind::Eltwise,
            groups: c,
            r: operands.max(1),
            s: 1,
            ..Layer::conv(name, c, h, w, c, 1, 1, 1, 0)
        }
    }

    /// Input activation density.
    pub fn with_act_density(mut self, d: f64) -> Layer {
        self.act_density = d;
        self
    }

    /// Output activation density (fraction of non-zero outputs).
    pub fn with_out_density(mut self, d: f64) -> Layer {
        self.out_density = Some(d);
        self
    }

    /// Input channels per group.
    pub fn c_per_group(&self) -> u64 {
        self.c / self.groups.max(1)
    }

    /// Output channels per group.
    pub fn k_per_group(&self) -> u64 {
        self.k / self.groups.max(1)
    }

    /// Dense multiply-accumulates.
    pub fn macs(&self) -> u64 {
        if !self.kind.has_macs() {
            return 0;
        }
        self.n * self.k * self.c_per_group() * self.p * self.q * self.r * self.s
    }

    /// Number of weights (dense).
    pub fn weights(&self) -> u64 {
        if !self.kind.has_macs() {
            return 0;
        }
        self.k * self.c_per_group() * self.r * self.s
    }

    /// Input activations read (words, dense, without padding). Element-wise layers read `r` tensors.
    pub fn input_words(&self) -> u64 {
        let t = self.n * self.c * self.h * self.w;
        if self.kind == LayerKind::Eltwise { t * self.r } else { t }
    }

    /// Output activations written (words).
    pub fn output_words(&self) -> u64 {
        self.n * self.k * self.p * self.q
    }

    /// Shape problems, as (field, message).
    pub fn check(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        for (f, v) in [
            ("n", self.n),
            ("k", self.k),
            ("c", self.c),
            ("h", self.h),
            ("w", self.w),
            ("r", self.r),
            ("s", self.s),
            ("stride", self.stride_h.min(self.stride_w)),
            ("groups", self.groups),
            ("dilation", self.dil_h.min(self.dil_w)),
        ] {
            if v == 0 {
                out.push((f, "must be at least 1".to_string()));
            }
        }
        if self.groups > 0 && (!self.c.is_multiple_of(self.groups) || !self.k.is_multiple_of(self.groups)) {
            out.push((
                "groups",
                format!("{} groups must divide input channels {} and output channels {}", self.groups, self.c, self.k),
            ));
        }
        if self.p == 0 || self.q == 0 {
            out.push((
                "kernel",
                format!(
                    "a {}×{} filter does not fit a {}×{} input with padding {}",
                    self.r, self.s, self.h, self.w, self.pad_h
                ),
            ));
        }
        if !(self.act_density > 0.0 && self.act_density <= 1.0) {
            out.push(("act_density", format!("must be in (0, 1], got {}", self.act_density)));
        }
        if let Some(d) = self.out_density
            && !(d > 0.0 && d <= 1.0)
        {
            out.push(("out_density", format!("must be in (0, 1], got {d}")));
        }
        if !(self.weight_density > 0.0 && self.weight_density <= 1.0) {
            out.push(("weight_density", format!("must be in (0, 1], got {}", self.weight_density)));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alexnet_conv1_shape_and_macs() {
        let l = Layer::conv("conv1", 3, 227, 227, 96, 11, 11, 4, 0);
        assert_eq!((l.p, l.q), (55, 55));
        assert_eq!(l.macs(), 96 * 3 * 55 * 55 * 121);
        assert_eq!(l.weights(), 34_848);
    }

    #[test]
    fn grouped_and_depthwise_macs() {
        let g = Layer::conv("conv2", 96, 27, 27, 256, 5, 5, 1, 2).grouped(2);
        assert_eq!((g.p, g.q), (27, 27));
        assert_eq!(g.macs(), 256 * 48 * 27 * 27 * 25);
        let d = Layer::conv("dw", 32, 112, 112, 32, 3, 3, 1, 1).grouped(32);
        assert_eq!(d.macs(), 32 * 112 * 112 * 9);
        assert!(d.check().is_empty());
    }

    #[test]
    fn fc_and_matmul_are_one_by_one() {
        let f = Layer::fc("fc6", 9216, 4096);
        assert_eq!(f.macs(), 9216 * 4096);
        let m = Layer::matmul("qk", 128, 64, 128);
        assert_eq!(m.macs(), 128 * 64 * 128);
        assert_eq!(m.weights(), 64 * 128);
    }

    #[test]
    fn dilation_and_bad_shapes() {
        let l = Layer::conv("d", 8, 16, 16, 8, 3, 3, 1, 2).dilated(2, 2);
        assert_eq!(l.p, 16);
        let bad = Layer::conv("x", 3, 4, 4, 8, 7, 7, 1, 0);
        assert!(bad.check().iter().any(|(f, _)| *f == "kernel"));
        let g = Layer::conv("g", 6, 8, 8, 8, 3, 3, 1, 1).grouped(4);
        assert!(g.check().iter().any(|(f, _)| *f == "groups"));
    }

    #[test]
    fn pool_and_eltwise_have_no_macs() {
        let p = Layer::pool("pool1", 96, 55, 55, 3, 2, 0);
        assert_eq!((p.p, p.macs()), (27, 0));
        let e = Layer::eltwise("add", 64, 56, 56, 2);
        assert_eq!(e.input_words(), 2 * 64 * 56 * 56);
        assert_eq!(e.output_words(), 64 * 56 * 56);
    }
}
