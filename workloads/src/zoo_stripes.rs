//! The networks of the Stripes evaluation (Judd et al., MICRO 2016), with their published shapes.
//!
//! AlexNet is the zoo's own ([`crate::zoo::alexnet`]). The others follow the
//! Caffe models the Toronto group used:
//!
//! * NiN: Lin, Chen, Yan, "Network in Network", ICLR 2014, ImageNet model
//!   (Caffe model zoo): 4 mlpconv blocks of one spatial convolution and two
//!   1×1 "cccp" layers, 224×224 input, global average pooling. 12 conv layers.
//! * GoogLeNet: Szegedy et al., CVPR 2015, Table 1 (Caffe `bvlc_googlenet`),
//!   224×224, 9 inception modules; auxiliary classifiers (training only) left out.
//!   Layer names follow Caffe (`inception_3a/3x3_reduce`), so a precision
//!   profile can cover a whole module by its prefix.
//! * VGG-M and VGG-S: Chatfield et al., "Return of the Devil in the Details",
//!   BMVC 2014, Table 1 (CNN-M, CNN-S), 224×224.
//! * VGG-19: Simonyan & Zisserman, ICLR 2015, configuration E, 224×224.
//!
//! Caffe rounds pooling output sizes up (`ceil`); [`pool_ceil`] reproduces that,
//! so every layer's input is the size Caffe feeds it (e.g. NiN's conv2 sees 27×27).

use crate::layer::Layer;
use crate::network::Network;

/// `(name, description)` of the networks added here.
pub const NETWORKS: &[(&str, &str)] = &[
    ("nin", "Network in Network (ImageNet, Caffe), 224x224, 12 conv layers"),
    ("googlenet", "GoogLeNet (Caffe bvlc_googlenet), 224x224, 57 conv layers"),
    ("vgg-m", "VGG-M / CNN-M (Chatfield et al. 2014), 224x224"),
    ("vgg-s", "VGG-S / CNN-S (Chatfield et al. 2014), 224x224"),
    ("vgg19", "VGG-19 (configuration E), 224x224"),
];

/// A network of this module by name (lower case; `vgg_m`, `vgg-19` etc. accepted).
pub fn get(name: &str) -> Option<Network> {
    Some(match name.to_ascii_lowercase().replace('_', "-").as_str() {
        "nin" => nin(),
        "googlenet" => googlenet(),
        "vgg-m" | "vggm" => vgg_m(),
        "vgg-s" | "vggs" => vgg_s(),
        "vgg19" | "vgg-19" => vgg19(),
        _ => return None,
    })
}

/// Max pooling with Caffe's output size, `ceil((h + 2·pad − k) / stride) + 1`.
pub fn pool_ceil(name: &str, c: u64, h: u64, k: u64, stride: u64, pad: u64) -> Layer {
    let mut l = Layer::pool(name, c, h, h, k, stride, pad);
    let span = (h + 2 * pad).saturating_sub(k);
    let out = span.div_ceil(stride.max(1)) + 1;
    l.p = out;
    l.q = out;
    l
}

/// Network in Network (ImageNet).
pub fn nin() -> Network {
    let conv = Layer::conv;
    Network::new(
        "nin",
        vec![
            conv("conv1", 3, 224, 224, 96, 11, 11, 4, 0),
            conv("cccp1", 96, 54, 54, 96, 1, 1, 1, 0),
            conv("cccp2", 96, 54, 54, 96, 1, 1, 1, 0),
            pool_ceil("pool1", 96, 54, 3, 2, 0),
            conv("conv2", 96, 27, 27, 256, 5, 5, 1, 2),
            conv("cccp3", 256, 27, 27, 256, 1, 1, 1, 0),
            conv("cccp4", 256, 27, 27, 256, 1, 1, 1, 0),
            pool_ceil("pool2", 256, 27, 3, 2, 0),
            conv("conv3", 256, 13, 13, 384, 3, 3, 1, 1),
            conv("cccp5", 384, 13, 13, 384, 1, 1, 1, 0),
            conv("cccp6", 384, 13, 13, 384, 1, 1, 1, 0),
            pool_ceil("pool3", 384, 13, 3, 2, 0),
            conv("conv4-1024", 384, 6, 6, 1024, 3, 3, 1, 1),
            conv("cccp7-1024", 1024, 6, 6, 1024, 1, 1, 1, 0),
            conv("cccp8-1024", 1024, 6, 6, 1000, 1, 1, 1, 0),
            Layer::pool("pool4", 1000, 6, 6, 6, 1, 0),
        ],
    )
}

/// One inception module: (1×1, 3×3 reduce, 3×3, 5×5 reduce, 5×5, pool projection) filters.
fn inception(layers: &mut Vec<Layer>, name: &str, c: u64, hw: u64, f: [u64; 6]) -> u64 {
    let [f1, r3, f3, r5, f5, fp] = f;
    let conv = |n: &str, cin, k, r, pad| Layer::conv(&format!("{name}/{n}"), cin, hw, hw, k, r, r, 1, pad);
    layers.push(conv("1x1", c, f1, 1, 0));
    layers.push(conv("3x3_reduce", c, r3, 1, 0));
    layers.push(conv("3x3", r3, f3, 3, 1));
    layers.push(conv("5x5_reduce", c, r5, 1, 0));
    layers.push(conv("5x5", r5, f5, 5, 2));
    layers.push(Layer::pool(&format!("{name}/pool"), c, hw, hw, 3, 1, 1));
    layers.push(conv("pool_proj", c, fp, 1, 0));
    f1 + f3 + f5 + fp
}

/// GoogLeNet (inference graph).
pub fn googlenet() -> Network {
    let mut l = vec![
        Layer::conv("conv1/7x7_s2", 3, 224, 224, 64, 7, 7, 2, 3),
        pool_ceil("pool1/3x3_s2", 64, 112, 3, 2, 0),
        Layer::conv("conv2/3x3_reduce", 64, 56, 56, 64, 1, 1, 1, 0),
        Layer::conv("conv2/3x3", 64, 56, 56, 192, 3, 3, 1, 1),
        pool_ceil("pool2/3x3_s2", 192, 56, 3, 2, 0),
    ];
    // Szegedy et al. 2015, Table 1: #1x1, #3x3 reduce, #3x3, #5x5 reduce, #5x5, pool proj.
    let mut c = inception(&mut l, "inception_3a", 192, 28, [64, 96, 128, 16, 32, 32]);
    c = inception(&mut l, "inception_3b", c, 28, [128, 128, 192, 32, 96, 64]);
    l.push(pool_ceil("pool3/3x3_s2", c, 28, 3, 2, 0));
    c = inception(&mut l, "inception_4a", c, 14, [192, 96, 208, 16, 48, 64]);
    c = inception(&mut l, "inception_4b", c, 14, [160, 112, 224, 24, 64, 64]);
    c = inception(&mut l, "inception_4c", c, 14, [128, 128, 256, 24, 64, 64]);
    c = inception(&mut l, "inception_4d", c, 14, [112, 144, 288, 32, 64, 64]);
    c = inception(&mut l, "inception_4e", c, 14, [256, 160, 320, 32, 128, 128]);
    l.push(pool_ceil("pool4/3x3_s2", c, 14, 3, 2, 0));
    c = inception(&mut l, "inception_5a", c, 7, [256, 160, 320, 32, 128, 128]);
    c = inception(&mut l, "inception_5b", c, 7, [384, 192, 384, 48, 128, 128]);
    l.push(Layer::pool("pool5/7x7_s1", c, 7, 7, 7, 1, 0));
    l.push(Layer::fc("loss3/classifier", c, 1000));
    Network::new("googlenet", l)
}

/// VGG-M (CNN-M).
pub fn vgg_m() -> Network {
    Network::new(
        "vgg-m",
        vec![
            Layer::conv("conv1", 3, 224, 224, 96, 7, 7, 2, 0),
            pool_ceil("pool1", 96, 109, 3, 2, 0),
            Layer::conv("conv2", 96, 54, 54, 256, 5, 5, 2, 1),
            pool_ceil("pool2", 256, 26, 3, 2, 0),
            Layer::conv("conv3", 256, 13, 13, 512, 3, 3, 1, 1),
            Layer::conv("conv4", 512, 13, 13, 512, 3, 3, 1, 1),
            Layer::conv("conv5", 512, 13, 13, 512, 3, 3, 1, 1),
            pool_ceil("pool5", 512, 13, 3, 2, 0),
            Layer::fc("fc6", 512 * 6 * 6, 4096),
            Layer::fc("fc7", 4096, 4096),
            Layer::fc("fc8", 4096, 1000),
        ],
    )
}

/// VGG-S (CNN-S).
pub fn vgg_s() -> Network {
    Network::new(
        "vgg-s",
        vec![
            Layer::conv("conv1", 3, 224, 224, 96, 7, 7, 2, 0),
            pool_ceil("pool1", 96, 109, 3, 3, 0),
            Layer::conv("conv2", 96, 37, 37, 256, 5, 5, 1, 0),
            pool_ceil("pool2", 256, 33, 2, 2, 0),
            Layer::conv("conv3", 256, 17, 17, 512, 3, 3, 1, 1),
            Layer::conv("conv4", 512, 17, 17, 512, 3, 3, 1, 1),
            Layer::conv("conv5", 512, 17, 17, 512, 3, 3, 1, 1),
            pool_ceil("pool5", 512, 17, 3, 3, 0),
            Layer::fc("fc6", 512 * 6 * 6, 4096),
            Layer::fc("fc7", 4096, 4096),
            Layer::fc("fc8", 4096, 1000),
        ],
    )
}

/// VGG-19 (configuration E).
pub fn vgg19() -> Network {
    let mut layers = Vec::new();
    let mut c = 3;
    let mut hw = 224;
    for (block, (k, convs)) in [(64, 2), (128, 2), (256, 4), (512, 4), (512, 4)].into_iter().enumerate() {
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
    Network::new("vgg19", layers)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each layer's input must be the previous MAC or pool layer's output
    /// (inception branches read the module input; checked by channel sums below).
    fn chained(n: &Network) {
        let mut prev: Option<&Layer> = None;
        for l in &n.layers {
            if l.name.contains("inception") || l.kind == crate::LayerKind::Fc {
                prev = None;
                continue;
            }
            if let Some(p) = prev {
                assert_eq!((l.c, l.h, l.w), (p.k, p.p, p.q), "{}: {} after {}", n.name, l.name, p.name);
            }
            prev = Some(l);
        }
    }

    #[test]
    fn shapes_chain_and_match_the_papers() {
        for (name, _) in NETWORKS {
            let Some(n) = get(name) else { panic!("{name} missing") };
            for l in &n.layers {
                assert!(l.check().is_empty(), "{name}/{}: {:?}", l.name, l.check());
            }
            chained(&n);
        }
        let conv = |n: &Network| n.layers.iter().filter(|l| l.kind == crate::LayerKind::Conv).count();
        // Layer counts match the Stripes precision profiles' entries (12, 5, 5, 16) and
        // GoogLeNet's 57 convolutions (3 stem + 9 modules x 6).
        assert_eq!(
            [conv(&nin()), conv(&vgg_m()), conv(&vgg_s()), conv(&vgg19()), conv(&googlenet())],
            [12, 5, 5, 16, 57]
        );
        // Caffe sizes: NiN conv1 54x54 then pool 27; VGG-M conv2 26x26; VGG-S pool1 37, pool5 6.
        assert_eq!((nin().layers[0].p, nin().layers[3].p), (54, 27));
        assert_eq!(vgg_m().layers[2].p, 26);
        assert_eq!((vgg_s().layers[1].p, vgg_s().layers[7].p), (37, 6));
        // GoogLeNet: inception outputs 256, 480, 512, 512, 512, 528, 832, 832, 1024 channels.
        let g = googlenet();
        let fc = g.layers.last().map(|l| l.c);
        assert_eq!(fc, Some(1024));
        // VGG-19 conv MACs: 19.5 G (Simonyan & Zisserman report 19.6 GFLOPs incl. FC).
        let v: u64 = vgg19().layers.iter().filter(|l| l.kind == crate::LayerKind::Conv).map(Layer::macs).sum();
        assert_eq!(v, 19_508_428_800);
        // GoogLeNet: about 1.5 G multiply-adds (Szegedy et al. 2015, Sec. 5).
        assert_eq!(g.macs(), 1_582_671_872);
    }
}
