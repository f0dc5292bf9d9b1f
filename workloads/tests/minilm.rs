//! The MiniLM recipe on the real all-MiniLM-L6-v2 weights.
//!
//! Needs `model.safetensors` (fetch it with `scripts/fetch-minilm.sh`), found at
//! `$EYRIE_MINILM` or `data/minilm/model.safetensors` in the repository. Without
//! it the test prints why it is skipped and returns.

use std::path::PathBuf;

use eyrie_workloads::compress::encoding::{RelativeCsc, relative_entries};
use eyrie_workloads::compress::weights::TensorFile;
use eyrie_workloads::compress::{Recipe, WeightSource, compress};

fn model() -> Option<PathBuf> {
    let p = std::env::var_os("EYRIE_MINILM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../data/minilm/model.safetensors"));
    if p.exists() {
        Some(p)
    } else {
        println!(
            "SKIPPED minilm_90_4bit_on_real_weights: {} not found; run scripts/fetch-minilm.sh \
             (or set EYRIE_MINILM) to run this test",
            p.display()
        );
        None
    }
}

#[test]
fn minilm_90_4bit_on_real_weights() {
    let Some(path) = model() else { return };
    let file = match TensorFile::load(&path) {
        Ok(f) => f,
        Err(e) => panic!("{e}"),
    };
    assert!(file.names().contains(&"encoder.layer.5.output.dense.weight"));
    let recipe = Recipe::parse("minilm-90-4bit.toml", include_str!("../recipes/minilm-90-4bit.toml"));
    let Ok(recipe) = recipe else { panic!("{:?}", recipe.err()) };
    let net = eyrie_workloads::zoo::minilm_l6();
    let (cn, report) = match compress(&net, &WeightSource::File(file), &recipe, 1) {
        Ok(x) => x,
        Err(e) => panic!("{e}"),
    };
    print!("{}", report.render_table());
    // 36 linear layers; the 12 attention matmuls are skipped.
    assert_eq!(report.layers.len(), 36);
    assert_eq!(report.skipped.len(), 12);
    assert_eq!(report.total.weights, 10_616_832);
    for (l, c) in cn.network.layers.iter().zip(&cn.layers) {
        if l.name.ends_with("qk") || l.name.ends_with("av") {
            assert!(c.sparse.is_none() && c.weight_bits == 32);
            continue;
        }
        let n = l.weights();
        let Some(m) = &c.sparse else { panic!("{}: no sparse structure", l.name) };
        assert_eq!(m.nnz() as u64, n - (0.9 * n as f64).round() as u64, "{}", l.name);
        assert_eq!(m.codebook.len(), 16);
        assert!(m.codebook.windows(2).all(|w| w[0] <= w[1]));
        assert_eq!(&RelativeCsc::encode(m, 4).decode(), m);
        // P+Q bytes by hand: 4 + 4 bits per entry (fillers included), column pointers
        // as wide as the entry count needs, 16 shared weights at 32 bits.
        let entries: u64 = (0..m.cols as usize).map(|j| relative_entries(m.column(j).0, 4)).sum();
        let width = 64 - u64::from(entries.leading_zeros());
        let bits = 8 * entries + (u64::from(m.cols) + 1) * width + 16 * 32;
        let row = report.layers.iter().find(|r| r.layer == l.name);
        assert_eq!(row.map(|r| (r.entries, r.compressed_bytes)), Some((entries, bits.div_ceil(8))), "{}", l.name);
        assert_eq!(c.encoded_bytes, bits.div_ceil(8));
    }
    assert!(report.total.huffman_bytes < report.total.compressed_bytes);
    assert!(report.total.sqnr_weights_db > 0.0);
}
