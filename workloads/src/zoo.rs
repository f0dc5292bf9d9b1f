//! The built-in networks, with their published shapes.
//!
//! * AlexNet: the Caffe / Eyeriss variant (227×227 input, CONV2/4/5 in two
//!   groups), Krizhevsky et al. 2012; Eyeriss JSSC 2017 Table V runs it.
//!   Default input densities of CONV1–5 are the measured non-zero fractions
//!   of Eyeriss JSSC Table V ("zeros in ifmaps": 0.01, 38.7, 72.5, 79.3,
//!   77.6 %); of FC6–8 the activation densities of EIE Table III (35.1, 35.3,
//!   37.5 %). Other zoo layers default to dense (1.0); `--set` or the
//!   compressor changes them. The output density of CONV1–5 and FC6–7 (used
//!   to run-length code outputs) is the input density of the next MAC layer
//!   from the same tables; pooling in between is ignored, so CONV1, CONV2
//!   and CONV5, whose outputs are pooled, get an upper bound (max pooling
//!   removes zeros).
//! * VGG-16: Simonyan & Zisserman 2015, configuration D, 224×224.
//! * ResNet-18 / ResNet-50: He et al. 2016, Table 1, 224×224.
//! * MobileNetV2: Sandler et al. 2018, Table 2, 224×224, width 1.0.
//! * LeNet-300-100 and LeNet-5 (Caffe variant: 20 and 50 filters): the
//!   networks of Han et al. 2015 / Deep Compression Table 1.
//! * eie-bench: the nine EIE benchmark layers, EIE Table III, each with its
//!   published activation and weight density (the density a recipe prunes to).
//! * NiN, GoogLeNet, VGG-M, VGG-S, VGG-19: the Stripes evaluation's networks,
//!   in [`crate::zoo_stripes`].

use crate::layer::Layer;
use crate::network::Network;

/// `(name, one-line description)` of every zoo network.
pub const NETWORKS: &[(&str, &str)] = &[
    ("alexnet", "AlexNet, Caffe/Eyeriss variant, 227x227, grouped CONV2/4/5"),
    ("vgg16", "VGG-16 (configuration D), 224x224"),
    ("resnet18", "ResNet-18, 224x224"),
    ("resnet50", "ResNet-50, 224x224"),
    ("mobilenetv2", "MobileNetV2, width 1.0, 224x224"),
    ("lenet-300-100", "LeNet-300-100, MNIST MLP"),
    ("lenet5", "LeNet-5, Caffe variant (20, 50 filters)"),
    ("eie-bench", "the nine EIE benchmark layers (EIE Table III)"),
    ("nin", "Network in Network (ImageNet, Caffe), 224x224, 12 conv layers"),
    ("googlenet", "GoogLeNet (Caffe bvlc_googlenet), 224x224, 57 conv layers"),
    ("vgg-m", "VGG-M / CNN-M (Chatfield et al. 2014), 224x224"),
    ("vgg-s", "VGG-S / CNN-S (Chatfield et al. 2014), 224x224"),
    ("vgg19", "VGG-19 (configuration E), 224x224"),
    ("minilm-l6", "all-MiniLM-L6-v2 encoder: 6 layers, hidden 384, 12 heads, FFN 1536, 128 tokens"),
];

/// A zoo network by name (case-insensitive).
pub fn get(name: &str) -> Option<Network> {
    let n = name.to_ascii_lowercase();
    Some(match n.as_str() {
        "alexnet" => alexnet(),
        "vgg16" | "vgg-16" => vgg16(),
        "resnet18" | "resnet-18" => resnet(18),
        "resnet50" | "resnet-50" => resnet(50),
        "mobilenetv2" | "mobilenet-v2" => mobilenet_v2(),
        "lenet-300-100" | "lenet300" => lenet_300_100(),
        "lenet5" | "lenet-5" => lenet5(),
        "eie-bench" => eie_bench(),
        "nin" | "googlenet" | "vgg-m" | "vgg_m" | "vggm" | "vgg-s" | "vgg_s" | "vggs" | "vgg19" | "vgg-19" => {
            return crate::zoo_stripes::get(&n);
        }
        "minilm-l6" | "minilm" | "all-minilm-l6-v2" => minilm_l6(),
        _ => return None,
    })
}

/// Names of the zoo networks.
pub fn names() -> Vec<&'static str> {
    NETWORKS.iter().map(|(n, _)| *n).collect()
}

/// AlexNet (Caffe / Eyeriss variant).
pub fn alexnet() -> Network {
    Network::new(
        "alexnet",
        vec![
            Layer::conv("conv1", 3, 227, 227, 96, 11, 11, 4, 0).with_act_density(0.9999).with_out_density(0.613),
            Layer::pool("pool1", 96, 55, 55, 3, 2, 0),
            Layer::conv("conv2", 96, 27, 27, 256, 5, 5, 1, 2)
                .grouped(2)
                .with_act_density(0.613)
                .with_out_density(0.275),
            Layer::pool("pool2", 256, 27, 27, 3, 2, 0),
            Layer::conv("conv3", 256, 13, 13, 384, 3, 3, 1, 1).with_act_density(0.275).with_out_density(0.207),
            Layer::conv("conv4", 384, 13, 13, 384, 3, 3, 1, 1)
                .grouped(2)
                .with_act_density(0.207)
                .with_out_density(0.224),
            Layer::conv("conv5", 384, 13, 13, 256, 3, 3, 1, 1)
                .grouped(2)
                .with_act_density(0.224)
                .with_out_density(0.351),
            Layer::pool("pool5", 256, 13, 13, 3, 2, 0),
            Layer::fc("fc6", 9216, 4096).with_act_density(0.351).with_out_density(0.353),
            Layer::fc("fc7", 4096, 4096).with_act_density(0.353).with_out_density(0.375),
            Layer::fc("fc8", 4096, 1000).with_act_density(0.375),
        ],
    )
}

/// VGG-16.
pub fn vgg16() -> Network {
    let mut layers = Vec::new();
    let mut c = 3;
    let mut hw = 224;
    for (block, (k, convs)) in [(64, 2), (128, 2), (256, 3), (512, 3), (512, 3)].into_iter().enumerate() {
        for i in 0..convs {
            layers.push(Layer::conv(&format!("conv{}_{}", block + 1, i + 1), c, hw, hw, k, 3, 3, 1, 1));
            c = k;
        }
        layers.push(Layer::pool(&format!("pool{}", block + 1), c, hw, hw, 2, 2, 0));
        hw /= 2;
    }
    layers.push(Layer::fc("fc6", 512 * 7 * 7, 4096));
    layers.push(Layer::fc("fc7", 4096, 4096));
    layers.push(Layer::fc("fc8", 4096, 1000));
    Network::new("vgg16", layers)
}

/// ResNet-18 (depth 18) or ResNet-50 (depth 50).
pub fn resnet(depth: u32) -> Network {
    let bottleneck = depth >= 50;
    let blocks: [u64; 4] = if depth >= 50 { [3, 4, 6, 3] } else { [2, 2, 2, 2] };
    let mut layers =
        vec![Layer::conv("conv1", 3, 224, 224, 64, 7, 7, 2, 3), Layer::pool("pool1", 64, 112, 112, 3, 2, 1)];
    let mut c = 64;
    let mut hw = 56;
    for (stage, &nblocks) in blocks.iter().enumerate() {
        let width = 64 << stage;
        let out = if bottleneck { width * 4 } else { width };
        for b in 0..nblocks {
            let stride = if b == 0 && stage > 0 { 2 } else { 1 };
            let pre = format!("res{}{}", stage + 2, (b'a' + b as u8) as char);
            let ohw = hw / stride;
            if bottleneck {
                // torchvision's v1.5 puts the stride on the 3x3 convolution.
                layers.push(Layer::conv(&format!("{pre}_branch2a"), c, hw, hw, width, 1, 1, 1, 0));
                layers.push(Layer::conv(&format!("{pre}_branch2b"), width, hw, hw, width, 3, 3, stride, 1));
                layers.push(Layer::conv(&format!("{pre}_branch2c"), width, ohw, ohw, out, 1, 1, 1, 0));
            } else {
                layers.push(Layer::conv(&format!("{pre}_branch2a"), c, hw, hw, width, 3, 3, stride, 1));
                layers.push(Layer::conv(&format!("{pre}_branch2b"), width, ohw, ohw, width, 3, 3, 1, 1));
            }
            if b == 0 && (stride != 1 || c != out) {
                layers.push(Layer::conv(&format!("{pre}_branch1"), c, hw, hw, out, 1, 1, stride, 0));
            }
            layers.push(Layer::eltwise(&format!("{pre}_add"), out, ohw, ohw, 2));
            c = out;
            hw = ohw;
        }
    }
    layers.push(Layer::pool("pool5", c, 7, 7, 7, 1, 0));
    layers.push(Layer::fc("fc1000", c, 1000));
    Network::new(if bottleneck { "resnet50" } else { "resnet18" }, layers)
}

/// MobileNetV2 (width 1.0).
pub fn mobilenet_v2() -> Network {
    // Sandler et al. 2018 Table 2: (expansion t, channels c, repeats n, stride s).
    let cfg: [(u64, u64, u64, u64); 7] =
        [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1)];
    let mut layers = vec![Layer::conv("conv1", 3, 224, 224, 32, 3, 3, 2, 1)];
    let mut c = 32;
    let mut hw = 112;
    let mut idx = 0;
    for (t, out, n, s) in cfg {
        for i in 0..n {
            let stride = if i == 0 { s } else { 1 };
            let hidden = c * t;
            let pre = format!("block{idx}");
            if t != 1 {
                layers.push(Layer::conv(&format!("{pre}_expand"), c, hw, hw, hidden, 1, 1, 1, 0));
            }
            layers.push(Layer::conv(&format!("{pre}_dw"), hidden, hw, hw, hidden, 3, 3, stride, 1).grouped(hidden));
            let ohw = hw.div_ceil(stride);
            layers.push(Layer::conv(&format!("{pre}_project"), hidden, ohw, ohw, out, 1, 1, 1, 0));
            if stride == 1 && c == out {
                layers.push(Layer::eltwise(&format!("{pre}_add"), out, ohw, ohw, 2));
            }
            c = out;
            hw = ohw;
            idx += 1;
        }
    }
    layers.push(Layer::conv("conv_last", c, hw, hw, 1280, 1, 1, 1, 0));
    layers.push(Layer::pool("pool", 1280, hw, hw, hw, 1, 0));
    layers.push(Layer::fc("fc", 1280, 1000));
    Network::new("mobilenetv2", layers)
}

/// LeNet-300-100.
pub fn lenet_300_100() -> Network {
    Network::new(
        "lenet-300-100",
        vec![Layer::fc("ip1", 784, 300), Layer::fc("ip2", 300, 100), Layer::fc("ip3", 100, 10)],
    )
}

/// LeNet-5 (Caffe variant).
pub fn lenet5() -> Network {
    Network::new(
        "lenet5",
        vec![
            Layer::conv("conv1", 1, 28, 28, 20, 5, 5, 1, 0),
            Layer::pool("pool1", 20, 24, 24, 2, 2, 0),
            Layer::conv("conv2", 20, 12, 12, 50, 5, 5, 1, 0),
            Layer::pool("pool2", 50, 8, 8, 2, 2, 0),
            Layer::fc("ip1", 800, 500),
            Layer::fc("ip2", 500, 10),
        ],
    )
}

/// The nine EIE benchmark layers (EIE Table III: input size, output size, activation and weight density).
pub fn eie_bench() -> Network {
    let rows: [(&str, u64, u64, f64); 9] = [
        ("Alex-6", 9216, 4096, 0.351),
        ("Alex-7", 4096, 4096, 0.353),
        ("Alex-8", 4096, 1000, 0.375),
        ("VGG-6", 25088, 4096, 0.183),
        ("VGG-7", 4096, 4096, 0.375),
        ("VGG-8", 4096, 1000, 0.411),
        ("NT-We", 4096, 600, 1.0),
        ("NT-Wd", 600, 8791, 1.0),
        ("NT-LSTM", 1201, 2400, 1.0),
    ];
    // EIE Table III weight densities (non-zero fraction after pruning), in the same order.
    let weight_density = [0.09, 0.09, 0.25, 0.04, 0.04, 0.23, 0.10, 0.11, 0.10];
    let layers = rows.iter().zip(weight_density);
    Network::new(
        "eie-bench",
        layers
            .map(|(&(n, i, o, d), wd)| Layer { weight_density: wd, ..Layer::fc(n, i, o).with_act_density(d) })
            .collect(),
    )
}

/// all-MiniLM-L6-v2 (Wang et al., "MiniLM", NeurIPS 2020; the sentence-transformers
/// checkpoint): a BERT encoder of 6 layers, hidden size 384, 12 heads of 32,
/// FFN 1536, here on one 128-token sequence. Every linear layer is a matmul of the 128
/// tokens by its weight; the attention scores (`qk`) and the weighted values (`av`) are
/// per-head matmuls of activations (12 groups) and have no trained weights.
/// [`MINILM_TENSORS`] maps the layer names onto the safetensors names.
pub fn minilm_l6() -> Network {
    let (t, d, heads, ffn) = (128, 384, 12, 1536);
    let hd = d / heads;
    let mut layers = Vec::new();
    for i in 0..6 {
        let n = |s: &str| format!("l{i}.{s}");
        layers.push(Layer::matmul(&n("q"), t, d, d));
        layers.push(Layer::matmul(&n("k"), t, d, d));
        layers.push(Layer::matmul(&n("v"), t, d, d));
        layers.push(Layer::matmul(&n("qk"), t, heads * hd, heads * t).grouped(heads));
        layers.push(Layer::matmul(&n("av"), t, heads * t, heads * hd).grouped(heads));
        layers.push(Layer::matmul(&n("attn_out"), t, d, d));
        layers.push(Layer::matmul(&n("ffn_up"), t, d, ffn));
        layers.push(Layer::matmul(&n("ffn_down"), t, ffn, d));
    }
    Network::new("minilm-l6", layers)
}

/// Layer-name globs of [`minilm_l6`] and the safetensors tensor names they map to
/// (`*` is the layer number), as in the `model.safetensors` of all-MiniLM-L6-v2.
pub const MINILM_TENSORS: &[(&str, &str)] = &[
    ("l*.q", "encoder.layer.*.attention.self.query.weight"),
    ("l*.k", "encoder.layer.*.attention.self.key.weight"),
    ("l*.v", "encoder.layer.*.attention.self.value.weight"),
    ("l*.attn_out", "encoder.layer.*.attention.output.dense.weight"),
    ("l*.ffn_up", "encoder.layer.*.intermediate.dense.weight"),
    ("l*.ffn_down", "encoder.layer.*.output.dense.weight"),
];

/// The tensor-name map of a zoo network, as (layer glob, tensor name) pairs.
pub fn tensor_map(network: &str) -> &'static [(&'static str, &'static str)] {
    match network {
        "minilm-l6" => MINILM_TENSORS,
        _ => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_zoo_network_is_consistent() {
        for name in names() {
            let n = get(name);
            let Some(n) = n else { panic!("zoo entry {name} missing") };
            for l in &n.layers {
                assert!(l.check().is_empty(), "{name}/{}: {:?}", l.name, l.check());
            }
        }
    }

    #[test]
    fn published_mac_and_weight_counts() {
        // Eyeriss ISSCC 2016: AlexNet CONV layers 666 M MACs and 2.3 M weights per 227x227 image.
        let a = alexnet();
        let conv: u64 = a.layers.iter().filter(|l| l.name.starts_with("conv")).map(Layer::macs).sum();
        let convw: u64 = a.layers.iter().filter(|l| l.name.starts_with("conv")).map(Layer::weights).sum();
        assert_eq!(conv, 665_784_864);
        assert_eq!(convw, 2_332_704);
        // Deep Compression Table 4: AlexNet has 61 M weights (60,954,656 without biases).
        assert_eq!(a.weights(), 60_954_656);
        // Eyeriss ISSCC 2016: VGG-16 CONV 15.3 G MACs, 14.7 M weights.
        let v = vgg16();
        let conv: u64 = v.layers.iter().filter(|l| l.name.starts_with("conv")).map(Layer::macs).sum();
        assert_eq!(conv, 15_346_630_656);
        assert_eq!(v.weights(), 138_344_128);
        // He et al. 2016 Table 1: ResNet-50 3.8 G FLOPs (multiply-adds), 25.5 M parameters with biases.
        let r = resnet(50);
        assert_eq!(r.macs(), 4_089_184_256);
        assert_eq!(r.weights(), 25_502_912);
        assert_eq!(r.compute_layers(), 54);
        let r18 = resnet(18);
        assert_eq!(r18.macs(), 1_814_073_344);
        // Sandler et al. 2018: MobileNetV2 300 M multiply-adds, 3.4 M parameters.
        let m = mobilenet_v2();
        assert_eq!(m.macs(), 300_774_272);
        // torchvision: 3,504,872 parameters = 3,469,760 weights + 1000 fc bias + 34,112 BatchNorm.
        assert_eq!(m.weights(), 3_469_760);
        assert_eq!(lenet_300_100().weights(), 266_200);
        assert_eq!(lenet5().weights(), 430_500);
        // all-MiniLM-L6-v2: 6 × (4 · 384² + 2 · 384 · 1536) = 10,616,832 encoder weights,
        // plus the two weightless attention matmuls per layer (12 heads × 32 × 128 each).
        let m = minilm_l6();
        let linear: u64 =
            m.layers.iter().filter(|l| !l.name.ends_with("qk") && !l.name.ends_with("av")).map(Layer::weights).sum();
        assert_eq!(linear, 10_616_832);
        assert_eq!(m.layers[3].macs(), 12 * 128 * 128 * 32);
    }
}
