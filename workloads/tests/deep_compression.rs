//! Deep Compression Table 4 (AlexNet) reproduced on synthetic weights.
//!
//! The recipe `recipes/deep-compression-alexnet.toml` applies the paper's
//! per-layer weights-kept percentages, bit widths and 4-bit relative
//! indices to seeded synthetic weights. The compression rate without
//! Huffman coding depends on what the paper fixes (kept fraction, bits,
//! index width) and on the gaps between non-zeros. The target is the
//! paper's rate within 5 % per layer and in total. CONV1–5 and FC8 meet it.
//! FC6, FC7 and the total do not (+8.8 %, +8.7 %, +6.5 % at seed 1): at 9 %
//! density, the i.i.d. positions of synthetic weights leave geometric gaps,
//! and one gap in 4.5 exceeds the 15 zeros a 4-bit index can skip, so 28 %
//! more entries are filler zeros; the paper's 3.0 % implies about 18 %,
//! i.e. trained, pruned weights have fewer long gaps. That is asserted
//! here as what it is (the filler count equals the geometric prediction,
//! and the paper's figure lies between the filler-free bound and ours),
//! not hidden by a looser tolerance. See docs/deep-compression.md.
//! The rate with Huffman coding depends on the statistics of trained
//! weights; it is printed beside the paper's and not asserted.

use eyrie_workloads::compress::{Recipe, Report, WeightSource, compress};

#[derive(serde::Deserialize)]
struct Table {
    layers: Vec<Row>,
}

#[derive(serde::Deserialize)]
#[allow(dead_code)]
struct Row {
    name: String,
    weights: String,
    kept_pct: f64,
    weight_bits: f64,
    weight_bits_huffman: f64,
    index_bits: f64,
    index_bits_huffman: f64,
    rate_pct: f64,
    rate_huffman_pct: f64,
}

fn paper() -> Table {
    toml::from_str(include_str!("../data/deep_compression_table4.toml")).unwrap_or(Table { layers: Vec::new() })
}

fn run(seed: u64) -> Report {
    let text = include_str!("../recipes/deep-compression-alexnet.toml");
    let recipe = Recipe::parse("deep-compression-alexnet.toml", text);
    let Ok(recipe) = recipe else { panic!("{:?}", recipe.err()) };
    let net = eyrie_workloads::zoo::alexnet();
    match compress(&net, &WeightSource::synthetic(), &recipe, seed) {
        Ok((_, report)) => report,
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn alexnet_rates_without_huffman_match_table4_within_5_percent() {
    let table = paper();
    assert_eq!(table.layers.len(), 9);
    let report = run(1);
    let mut worst: f64 = 0.0;
    println!("layer   kept% paper/eyrie   rate% P+Q paper/eyrie/err   rate% P+Q+H paper/eyrie/err   fillers/nnz");
    for row in &table.layers {
        let ours = if row.name == "total" {
            &report.total
        } else {
            report.layers.iter().find(|l| l.layer == row.name).unwrap_or(&report.total)
        };
        let err = ours.rate_pct() / row.rate_pct - 1.0;
        let err_h = ours.rate_huffman_pct() / row.rate_huffman_pct - 1.0;
        println!(
            "{:<6} {:>5.1} {:>6.2}   {:>6.2} {:>6.2} {:>+6.1}%   {:>6.2} {:>6.2} {:>+6.1}%   {:.3}",
            row.name,
            row.kept_pct,
            ours.kept_pct(),
            row.rate_pct,
            ours.rate_pct(),
            100.0 * err,
            row.rate_huffman_pct,
            ours.rate_huffman_pct(),
            100.0 * err_h,
            ours.fillers as f64 / ours.kept.max(1) as f64
        );
        if matches!(row.name.as_str(), "fc6" | "fc7" | "total") {
            // Filler zeros of i.i.d. positions at density d with 4-bit indices:
            // E[floor(gap / 16)] = q^16 / (1 - q^16), q = 1 - d.
            if row.name != "total" {
                let q: f64 = 1.0 - ours.kept as f64 / ours.weights as f64;
                let predicted = q.powi(16) / (1.0 - q.powi(16));
                let measured = ours.fillers as f64 / ours.kept as f64;
                assert!((measured / predicted - 1.0).abs() < 0.03, "{}: fillers {measured} vs {predicted}", row.name);
            }
            let filler_free = ours.rate_pct() * (ours.entries - ours.fillers) as f64 / ours.entries as f64;
            assert!(filler_free < row.rate_pct && row.rate_pct < ours.rate_pct(), "{}", row.name);
            assert!(err < 0.10, "{}: {:.1}%", row.name, 100.0 * err);
        } else {
            worst = worst.max(err.abs());
        }
    }
    print!("{}", report.render_table());
    assert!(worst <= 0.05, "worst P+Q rate error {:.1}% exceeds 5%", 100.0 * worst);
}
