//! Recipe parsing, merging and the errors of bad recipes.

use super::*;
use crate::zoo;

fn errors(text: &str) -> String {
    match Recipe::parse("r.toml", text) {
        Ok(r) => match r.plan(&zoo::alexnet()) {
            Ok(_) => String::new(),
            Err(d) => d.to_string(),
        },
        Err(d) => d.to_string(),
    }
}

#[test]
fn defaults_and_overrides_merge_field_by_field() {
    let text = "version = 1\n[defaults]\nprune = { method = \"magnitude\", rate = 0.5 }\n\
                quantize = { method = \"kmeans\", bits = 5, init = \"density\" }\nhuffman = true\n\
                [[layers]]\nmatch = \"conv*\"\nquantize = { bits = 8 }\n\
                [[layers]]\nmatch = \"conv1\"\nprune = { rate = 0.16 }\nencoding = { index_bits = 4 }\n";
    let r = Recipe::parse("r.toml", text).map_err(|d| d.to_string());
    let Ok(r) = r else { panic!("{r:?}") };
    let plans = r.plan(&zoo::alexnet()).map_err(|d| d.to_string());
    let Ok(p) = plans else { panic!("{plans:?}") };
    assert_eq!(p[0].prune, Prune::Magnitude(0.16));
    assert_eq!(p[0].quant, Quant::KMeans { bits: 8, init: Init::Density, iterations: 100 });
    assert_eq!((p[0].format, p[0].index_bits), (Format::Csc, 4));
    assert_eq!(p[2].prune, Prune::Magnitude(0.5));
    assert_eq!(p[2].index_bits, 8); // Deep Compression's default for conv layers
    assert_eq!(p[8].quant, Quant::KMeans { bits: 5, init: Init::Density, iterations: 100 });
    assert_eq!(p[8].index_bits, 5); // and for FC layers
    assert!(p[1].skip, "pooling has no weights");
    assert!(p.iter().all(|x| x.huffman || x.skip));
}

#[test]
fn glob_and_tensor_maps() {
    assert!(glob("conv*", "conv12") && glob("fc?", "fc6") && !glob("fc?", "fc66") && glob("*", ""));
    let r = Recipe::parse("r.toml", "version = 1\n[tensors]\nfc6 = \"w6\"\n\"l*.q\" = \"enc.*.query\"\n");
    let Ok(r) = r else { panic!("{r:?}") };
    assert_eq!(r.tensor_for("fc6").as_deref(), Some("w6"));
    assert_eq!(r.tensor_for("l3.q").as_deref(), Some("enc.3.query"));
    assert_eq!(r.tensor_for("l3.qk"), None);
    // The zoo maps MiniLM's layers onto its safetensors names.
    let Ok(plans) = r.plan(&zoo::minilm_l6()) else { panic!("plan") };
    assert_eq!(plans[7].tensor.as_deref(), Some("encoder.layer.0.output.dense.weight"));
}

#[test]
fn bad_recipes_name_file_line_and_key() {
    let cases = [
        (
            "version = 1\n[defaults]\nprune = { rate = 0.5, ratio = 2 }\n",
            "r.toml:3:23: key `defaults.prune.ratio`: unknown field `ratio`",
        ),
        (
            "version = 1\n[defaults]\nprune = { rate = 1.0 }\n",
            "r.toml:3:18: key `defaults.prune.rate`: rate must be in [0, 1)",
        ),
        (
            "version = 1\n[[layers]]\nmatch = \"fc6\"\nprune = { rate = -0.1 }\n",
            "r.toml:4:18: key `layers.0.prune.rate`: rate must be in [0, 1)",
        ),
        (
            "version = 1\n[defaults]\nquantize = { method = \"linear\", bits = 0 }\n",
            "r.toml:3:40: key `defaults.quantize.bits`: bits must be 1..=32, got 0",
        ),
        (
            "version = 1\n[defaults]\nquantize = { method = \"linear\", bits = 33 }\n",
            "key `defaults.quantize.bits`: bits must be 1..=32, got 33",
        ),
        ("version = 1\n[defaults]\nquantize = { method = \"kmeans\", bits = 20 }\n", "bits must be 1..=16 for k-means"),
        (
            "version = 1\n[[layers]]\nmatch = \"fc8\"\nlowrank = { rank = 2000 }\n",
            "r.toml:4:20: key `layers.0.lowrank.rank`: layer `fc8`: rank 2000 is larger than the layer allows: its weights are 1000 × 4096, so rank ≤ 1000",
        ),
        (
            "version = 1\n[[layers]]\nmatch = \"fc9\"\n",
            "r.toml:3:9: key `layers.0.match`: `fc9` matches no layer of `alexnet`",
        ),
        ("version = 1\n[[layers]]\nprune = { rate = 0.5 }\n", "key `layers.0`: each [[layers]] entry needs `match"),
        (
            "version = 1\n[defaults]\nprune = { method = \"threshold\" }\n",
            "r.toml:3:9: key `defaults.prune`: layers `conv1`, `conv2` and 6 more: prune method `threshold` needs `quality`",
        ),
        (
            "version = 1\n[defaults]\nprune = { method = \"chop\" }\n",
            "unknown variant `chop`, expected one of `none`, `magnitude`",
        ),
        ("version = 2\n", "r.toml:1:11: key `version`: version 2 is not supported; allowed: 1"),
        ("version = 1\n[defaults]\nact_bits = 0\n", "key `defaults.act_bits`: act_bits must be 1..=32"),
        (
            "version = 1\n[defaults]\nencoding = { format = \"csc\", index_bits = 40 }\n",
            "index_bits must be 1..=32, got 40",
        ),
    ];
    for (text, want) in cases {
        let got = errors(text);
        assert_eq!(got.lines().count(), 1, "one diagnostic for:\n{text}\ngot:\n{got}");
        assert!(got.contains(want), "recipe:\n{text}\nwant: {want}\ngot:  {got}");
    }
}
