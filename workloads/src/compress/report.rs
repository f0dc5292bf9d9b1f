//! The Deep Compression table: per layer and in total, what compression did.
//!
//! Columns follow Deep Compression Table 4 (Han et al., ICLR 2016): weights,
//! weights kept after pruning, bits per stored weight and per index with
//! pruning and quantization (P+Q) and with Huffman coding too (P+Q+H), and
//! the compression rate as the compressed size over the dense 32-bit size,
//! in percent. eyrie adds the bytes, the filler zeros, and the
//! reconstruction quality (SQNR) of the weights and of the layer's outputs
//! on seeded sample inputs.

use serde::{Deserialize, Serialize};

/// One layer's row (or the network total).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct LayerReport {
    /// Layer name (`total` for the network row).
    pub layer: String,
    /// Dense weights of the layer as compressed (after structural changes).
    pub weights: u64,
    /// Non-zero weights stored.
    pub kept: u64,
    /// Stored entries (non-zeros plus filler zeros; every position for dense storage).
    pub entries: u64,
    /// Filler zeros inserted by relative indexing.
    pub fillers: u64,
    /// Bits per stored weight after pruning and quantization.
    pub weight_bits: f64,
    /// Average bits per stored weight after Huffman coding (table included).
    pub weight_bits_huffman: f64,
    /// Bits per stored index (0 for dense storage).
    pub index_bits: f64,
    /// Average bits per stored index after Huffman coding (table included).
    pub index_bits_huffman: f64,
    /// Dense 32-bit size.
    pub dense_bytes: u64,
    /// Size after pruning and quantization (P+Q): weights, indices, pointers, codebook.
    pub compressed_bytes: u64,
    /// Size with Huffman coding as well (P+Q+H); equal to `compressed_bytes` without Huffman.
    pub huffman_bytes: u64,
    /// Weight SQNR in dB: `10 log10(Σ w² / Σ (w − ŵ)²)`; infinite when exact (`null` in JSON).
    pub sqnr_weights_db: f64,
    /// Output SQNR in dB on seeded sample inputs; infinite when exact (`null` in JSON).
    pub sqnr_output_db: f64,
    /// What else happened (skipped, low rank, channels removed).
    pub note: String,
    /// Σ w² (for totals).
    #[serde(skip)]
    pub weight_signal: f64,
    /// Σ (w − ŵ)².
    #[serde(skip)]
    pub weight_noise: f64,
    /// Σ y².
    #[serde(skip)]
    pub output_signal: f64,
    /// Σ (y − ŷ)².
    #[serde(skip)]
    pub output_noise: f64,
}

/// Signal-to-noise ratio in dB.
pub fn sqnr_db(signal: f64, noise: f64) -> f64 {
    if noise <= 0.0 { f64::INFINITY } else { 10.0 * (signal / noise).log10() }
}

impl LayerReport {
    /// Weights kept, percent.
    pub fn kept_pct(&self) -> f64 {
        pct(self.kept as f64, self.weights as f64)
    }

    /// Compressed size over dense size, percent (P+Q).
    pub fn rate_pct(&self) -> f64 {
        pct(self.compressed_bytes as f64, self.dense_bytes as f64)
    }

    /// Compressed size over dense size, percent (P+Q+H).
    pub fn rate_huffman_pct(&self) -> f64 {
        pct(self.huffman_bytes as f64, self.dense_bytes as f64)
    }
}

fn pct(a: f64, b: f64) -> f64 {
    if b > 0.0 { 100.0 * a / b } else { 0.0 }
}

/// The whole table.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Report {
    /// Network name.
    pub network: String,
    /// Recipe name.
    pub recipe: String,
    /// Seed used.
    pub seed: u64,
    /// One row per compressed layer (layers without weights are left out).
    pub layers: Vec<LayerReport>,
    /// The network total.
    pub total: LayerReport,
    /// Layers with weights that the recipe skips (`skip = true`): they stay dense and
    /// are not in `layers` or `total`.
    #[serde(default)]
    pub skipped: Vec<String>,
}

impl Report {
    /// Build the table and its total row.
    pub fn new(network: &str, recipe: &str, seed: u64, layers: Vec<LayerReport>) -> Report {
        let mut t = LayerReport { layer: "total".into(), ..LayerReport::default() };
        let (mut wb, mut wbh, mut ib, mut ibh) = (0.0, 0.0, 0.0, 0.0);
        for l in &layers {
            t.weights += l.weights;
            t.kept += l.kept;
            t.entries += l.entries;
            t.fillers += l.fillers;
            t.dense_bytes += l.dense_bytes;
            t.compressed_bytes += l.compressed_bytes;
            t.huffman_bytes += l.huffman_bytes;
            t.weight_signal += l.weight_signal;
            t.weight_noise += l.weight_noise;
            t.output_signal += l.output_signal;
            t.output_noise += l.output_noise;
            let e = l.entries as f64;
            wb += l.weight_bits * e;
            wbh += l.weight_bits_huffman * e;
            ib += l.index_bits * e;
            ibh += l.index_bits_huffman * e;
        }
        let e = (t.entries as f64).max(1.0);
        t.weight_bits = wb / e;
        t.weight_bits_huffman = wbh / e;
        t.index_bits = ib / e;
        t.index_bits_huffman = ibh / e;
        t.sqnr_weights_db = sqnr_db(t.weight_signal, t.weight_noise);
        t.sqnr_output_db = sqnr_db(t.output_signal, t.output_noise);
        Report { network: network.into(), recipe: recipe.into(), seed, layers, total: t, skipped: Vec::new() }
    }

    /// Column names of the CSV form.
    pub const CSV_COLUMNS: [&'static str; 18] = [
        "layer",
        "weights",
        "kept",
        "kept_pct",
        "entries",
        "fillers",
        "weight_bits",
        "weight_bits_huffman",
        "index_bits",
        "index_bits_huffman",
        "dense_bytes",
        "compressed_bytes",
        "huffman_bytes",
        "rate_pct",
        "rate_huffman_pct",
        "sqnr_weights_db",
        "sqnr_output_db",
        "note",
    ];

    /// The rows (layers, then the total) as CSV records.
    pub fn csv_records(&self) -> Vec<Vec<String>> {
        self.layers
            .iter()
            .chain(std::iter::once(&self.total))
            .map(|l| {
                vec![
                    l.layer.clone(),
                    l.weights.to_string(),
                    l.kept.to_string(),
                    format!("{:.3}", l.kept_pct()),
                    l.entries.to_string(),
                    l.fillers.to_string(),
                    format!("{:.3}", l.weight_bits),
                    format!("{:.3}", l.weight_bits_huffman),
                    format!("{:.3}", l.index_bits),
                    format!("{:.3}", l.index_bits_huffman),
                    l.dense_bytes.to_string(),
                    l.compressed_bytes.to_string(),
                    l.huffman_bytes.to_string(),
                    format!("{:.4}", l.rate_pct()),
                    format!("{:.4}", l.rate_huffman_pct()),
                    format!("{:.2}", l.sqnr_weights_db),
                    format!("{:.2}", l.sqnr_output_db),
                    l.note.clone(),
                ]
            })
            .collect()
    }

    /// Write the CSV form.
    pub fn write_csv<W: std::io::Write>(&self, w: W) -> Result<(), csv::Error> {
        let mut wr = csv::Writer::from_writer(w);
        wr.write_record(Self::CSV_COLUMNS)?;
        for r in self.csv_records() {
            wr.write_record(&r)?;
        }
        wr.flush()?;
        Ok(())
    }

    /// The aligned text table, in Deep Compression Table 4's column order.
    pub fn render_table(&self) -> String {
        let head = [
            "layer", "weights", "kept%", "w.bits", "w.bits+H", "i.bits", "i.bits+H", "dense", "P+Q", "P+Q+H", "rate%",
            "rate%+H", "ratio", "SQNR w", "SQNR y",
        ];
        let mut rows: Vec<Vec<String>> = vec![head.iter().map(|s| s.to_string()).collect()];
        for l in self.layers.iter().chain(std::iter::once(&self.total)) {
            let ratio = if l.huffman_bytes > 0 { l.dense_bytes as f64 / l.huffman_bytes as f64 } else { 0.0 };
            rows.push(vec![
                l.layer.clone(),
                human(l.weights as f64, ""),
                format!("{:.1}", l.kept_pct()),
                format!("{:.2}", l.weight_bits),
                format!("{:.2}", l.weight_bits_huffman),
                format!("{:.2}", l.index_bits),
                format!("{:.2}", l.index_bits_huffman),
                human(l.dense_bytes as f64, "B"),
                human(l.compressed_bytes as f64, "B"),
                human(l.huffman_bytes as f64, "B"),
                format!("{:.2}", l.rate_pct()),
                format!("{:.2}", l.rate_huffman_pct()),
                format!("{ratio:.1}x"),
                format!("{:.1}", l.sqnr_weights_db),
                format!("{:.1}", l.sqnr_output_db),
            ]);
        }
        let widths: Vec<usize> =
            (0..head.len()).map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0)).collect();
        let mut out = String::new();
        for (i, r) in rows.iter().enumerate() {
            if i + 1 == rows.len() {
                out.push_str(&"-".repeat(widths.iter().sum::<usize>() + 2 * (widths.len() - 1)));
                out.push('\n');
            }
            let cells: Vec<String> = r
                .iter()
                .enumerate()
                .map(
                    |(c, v)| if c == 0 { format!("{v:<w$}", w = widths[c]) } else { format!("{v:>w$}", w = widths[c]) },
                )
                .collect();
            out.push_str(cells.join("  ").trim_end());
            out.push('\n');
        }
        let notes: Vec<String> =
            self.layers.iter().filter(|l| !l.note.is_empty()).map(|l| format!("  {}: {}", l.layer, l.note)).collect();
        if !notes.is_empty() {
            out.push_str("notes:\n");
            out.push_str(&notes.join("\n"));
            out.push('\n');
        }
        if !self.skipped.is_empty() {
            out.push_str(&format!("skipped (dense, not in the table): {}\n", self.skipped.join(", ")));
        }
        out
    }
}

/// 1234567 -> "1.23M" (with a unit suffix such as "B").
fn human(v: f64, unit: &str) -> String {
    let (x, p) = if v >= 1e9 {
        (v / 1e9, "G")
    } else if v >= 1e6 {
        (v / 1e6, "M")
    } else if v >= 1e3 {
        (v / 1e3, "K")
    } else {
        return format!("{v:.0}{unit}");
    };
    format!("{x:.2}{p}{unit}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totals_add_up_and_average_bits_by_entries() {
        let a = LayerReport {
            layer: "a".into(),
            weights: 100,
            kept: 10,
            entries: 10,
            weight_bits: 4.0,
            dense_bytes: 400,
            compressed_bytes: 20,
            huffman_bytes: 15,
            ..LayerReport::default()
        };
        let b = LayerReport {
            layer: "b".into(),
            weights: 300,
            kept: 90,
            entries: 30,
            weight_bits: 8.0,
            dense_bytes: 1200,
            compressed_bytes: 60,
            huffman_bytes: 45,
            ..a.clone()
        };
        let r = Report::new("n", "r", 1, vec![a, b]);
        assert_eq!((r.total.weights, r.total.kept, r.total.compressed_bytes), (400, 100, 80));
        assert_eq!(r.total.kept_pct(), 25.0);
        assert_eq!(r.total.rate_pct(), 5.0);
        assert_eq!(r.total.weight_bits, 7.0); // (10·4 + 30·8) / 40
        assert!(r.render_table().contains("total"));
        assert_eq!(r.csv_records().len(), 3);
    }
}
