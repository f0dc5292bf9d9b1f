//! Time to compress all of AlexNet (61 M synthetic weights): magnitude pruning,
//! 5-bit k-means weight sharing, 4-bit relative-index CSC and Huffman coding.
//! Run: `cargo bench -p eyrie-workloads --bench compress` (or scripts/bench-compress.sh).

use eyrie_workloads::compress::{Recipe, WeightSource, compress};

const RECIPE: &str = "version = 1\nname = \"bench\"\n[defaults]\n\
    prune = { method = \"magnitude\", rate = 0.9 }\n\
    quantize = { method = \"kmeans\", bits = 5, init = \"linear\" }\n\
    encoding = { format = \"csc\", index_bits = 4 }\nhuffman = true\n";

fn main() {
    divan::main();
}

#[divan::bench(sample_count = 3, sample_size = 1)]
fn alexnet_prune_kmeans5_huffman(b: divan::Bencher) {
    let net = eyrie_workloads::zoo::alexnet();
    let Ok(recipe) = Recipe::parse("bench.toml", RECIPE) else { return };
    b.bench(|| compress(&net, &WeightSource::synthetic(), &recipe, 1).map(|(_, r)| r.total.huffman_bytes).ok());
}

#[divan::bench(sample_count = 3, sample_size = 1)]
fn alexnet_deep_compression_recipe(b: divan::Bencher) {
    let net = eyrie_workloads::zoo::alexnet();
    let text = include_str!("../recipes/deep-compression-alexnet.toml");
    let Ok(recipe) = Recipe::parse("deep-compression-alexnet.toml", text) else { return };
    b.bench(|| compress(&net, &WeightSource::synthetic(), &recipe, 1).map(|(_, r)| r.total.huffman_bytes).ok());
}
