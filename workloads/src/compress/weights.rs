//! Where a layer's weights come from: a seeded synthetic generator or a tensor file.
//!
//! Weights of a layer are always handed out as a row-major `k × (c/g · r · s)`
//! matrix, PyTorch's `[out, in, kh, kw]` order (an FC or matmul layer is
//! `[out, in]`).
//!
//! * **Synthetic** (the default): i.i.d. zero-mean weights with the fan-in
//!   scaling of He et al. ("Delving deep into rectifiers", ICCV 2015):
//!   standard deviation `σ = √(2 / fan_in)` with `fan_in = c/g · r · s`.
//!   The distribution is normal (He's initializer), Laplace with the same
//!   σ (a heavier tail, closer to trained weights), or uniform on
//!   `[−√3σ, √3σ]`. Values are drawn in chunks of 2^20 weights, each chunk
//!   from its own ChaCha8 stream seeded by `(seed, layer index, chunk)`, so
//!   a layer's weights do not depend on the thread count.
//! * **Files**: `.npy` (one tensor, named after the file stem), `.npz`
//!   (numpy archives, `np.savez` and `np.savez_compressed`) and
//!   `.safetensors` (F32, F16, BF16, F64). A layer's tensor is found by
//!   name (see [`TensorFile::resolve`]); a 2-D tensor stored as `[in, out]`
//!   (Keras/TensorFlow order) is transposed when its shape says so
//!   unambiguously (non-square).

use std::collections::BTreeMap;
use std::path::Path;

use rand::SeedableRng;
use rand::distr::Distribution as _;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::CompressError;
use crate::layer::Layer;

/// Shape of a synthetic weight distribution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Distribution {
    /// Normal, σ = √(2 / fan_in).
    #[default]
    Normal,
    /// Laplace with the same σ (scale σ/√2).
    Laplace,
    /// Uniform on [−√3σ, √3σ].
    Uniform,
}

/// Weights in a tensor file, by name.
pub struct TensorFile {
    /// The path as given.
    pub path: String,
    tensors: BTreeMap<String, (Vec<usize>, Vec<f32>)>,
}

/// A source of layer weights.
pub enum WeightSource {
    /// Seeded synthetic weights.
    Synthetic(Distribution),
    /// Real weights from a file.
    File(TensorFile),
}

const CHUNK: usize = 1 << 20;

/// A per-item seed from a base seed and indices (SplitMix64 finalizer on each step).
pub fn mix_seed(seed: u64, parts: &[u64]) -> u64 {
    fn splitmix(mut z: u64) -> u64 {
        z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    parts.iter().fold(splitmix(seed), |acc, &p| splitmix(acc ^ p))
}

/// Synthetic row-major weights of `layer` (the `index`-th layer of its network).
pub fn synthetic(layer: &Layer, index: usize, dist: Distribution, seed: u64) -> Vec<f32> {
    let n = layer.weights() as usize;
    let fan_in = (layer.c_per_group() * layer.r * layer.s).max(1) as f64;
    let sigma = (2.0 / fan_in).sqrt();
    let mut w = vec![0f32; n];
    w.par_chunks_mut(CHUNK).enumerate().for_each(|(chunk, out)| {
        let mut rng = ChaCha8Rng::seed_from_u64(mix_seed(seed, &[index as u64, chunk as u64]));
        match dist {
            Distribution::Normal => {
                let d = statrs::distribution::Normal::standard();
                out.iter_mut().for_each(|x| *x = (sigma * d.sample(&mut rng)) as f32);
            }
            Distribution::Laplace => {
                let d = statrs::distribution::Laplace::new(0.0, sigma / 2f64.sqrt());
                if let Ok(d) = d {
                    out.iter_mut().for_each(|x| *x = d.sample(&mut rng) as f32);
                }
            }
            Distribution::Uniform => {
                let a = 3f64.sqrt() * sigma;
                let d = statrs::distribution::Uniform::new(-a, a);
                if let Ok(d) = d {
                    out.iter_mut().for_each(|x| *x = d.sample(&mut rng) as f32);
                }
            }
        }
    });
    w
}

impl TensorFile {
    /// Read a `.npy`, `.npz` or `.safetensors` file.
    pub fn load(path: &Path) -> Result<TensorFile, CompressError> {
        let shown = path.display().to_string();
        let bad = |message: String| CompressError::Weights { path: shown.clone(), message };
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
        let mut tensors = BTreeMap::new();
        match ext.as_str() {
            "safetensors" => {
                let bytes = std::fs::read(path).map_err(|e| bad(e.to_string()))?;
                let st = safetensors::SafeTensors::deserialize(&bytes).map_err(|e| bad(e.to_string()))?;
                for (name, view) in st.tensors() {
                    if let Some(values) = safetensor_values(&view) {
                        tensors.insert(name, (view.shape().to_vec(), values));
                    }
                }
            }
            "npz" => {
                let f = std::fs::File::open(path).map_err(|e| bad(e.to_string()))?;
                let mut npz = ndarray_npy::NpzReader::new(f).map_err(|e| bad(e.to_string()))?;
                for name in npz.names().map_err(|e| bad(e.to_string()))? {
                    let arr = match npz.by_name::<ndarray::OwnedRepr<f32>, ndarray::IxDyn>(&name) {
                        Ok(a) => a,
                        Err(_) => npz
                            .by_name::<ndarray::OwnedRepr<f64>, ndarray::IxDyn>(&name)
                            .map_err(|e| bad(format!("tensor `{name}`: {e} (only f32 and f64 arrays are read)")))?
                            .mapv(|v| v as f32),
                    };
                    let key = name.strip_suffix(".npy").unwrap_or(&name).to_string();
                    tensors.insert(key, (arr.shape().to_vec(), arr.iter().copied().collect()));
                }
            }
            "npy" => {
                let arr: ndarray::ArrayD<f32> = match ndarray_npy::read_npy(path) {
                    Ok(a) => a,
                    Err(_) => ndarray_npy::read_npy::<_, ndarray::ArrayD<f64>>(path)
                        .map_err(|e| bad(format!("{e} (only f32 and f64 arrays are read)")))?
                        .mapv(|v| v as f32),
                };
                let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("weights").to_string();
                tensors.insert(stem, (arr.shape().to_vec(), arr.iter().copied().collect()));
            }
            _ => return Err(bad("unknown weights format; expected .npy, .npz or .safetensors".into())),
        }
        Ok(TensorFile { path: shown, tensors })
    }

    /// A tensor file from in-memory tensors (name → (shape, row-major values)).
    pub fn from_tensors(path: &str, tensors: BTreeMap<String, (Vec<usize>, Vec<f32>)>) -> TensorFile {
        TensorFile { path: path.to_string(), tensors }
    }

    /// Names of the tensors in the file.
    pub fn names(&self) -> Vec<&str> {
        self.tensors.keys().map(String::as_str).collect()
    }

    /// The tensor for a layer: `mapped` if the recipe maps the layer, else the
    /// layer name itself, then `<name>.weight`, then `<name>/kernel`.
    pub fn resolve(&self, layer: &str, mapped: Option<&str>) -> Option<&str> {
        let candidates: Vec<String> = match mapped {
            Some(m) => vec![m.to_string()],
            None => vec![layer.to_string(), format!("{layer}.weight"), format!("{layer}/kernel")],
        };
        candidates.iter().find_map(|c| self.tensors.get_key_value(c.as_str()).map(|(k, _)| k.as_str()))
    }

    /// Row-major `k × (c/g·r·s)` weights of `layer` from tensor `name`.
    pub fn layer_weights(&self, layer: &Layer, name: &str) -> Result<Vec<f32>, CompressError> {
        let Some((shape, values)) = self.tensors.get(name) else {
            return Err(CompressError::Layer {
                layer: layer.name.clone(),
                message: format!("tensor `{name}` is not in {}", self.path),
            });
        };
        let (k, cols) = (layer.k as usize, (layer.c_per_group() * layer.r * layer.s) as usize);
        if values.len() != k * cols {
            return Err(CompressError::Layer {
                layer: layer.name.clone(),
                message: format!(
                    "tensor `{name}` in {} has shape {shape:?} ({} values); the layer needs {k} × {cols} = {}",
                    self.path,
                    values.len(),
                    k * cols
                ),
            });
        }
        if shape.len() == 2 && shape[0] == cols && shape[1] == k && k != cols {
            let mut t = vec![0f32; values.len()];
            for i in 0..cols {
                for j in 0..k {
                    t[j * cols + i] = values[i * k + j];
                }
            }
            return Ok(t);
        }
        Ok(values.clone())
    }
}

fn safetensor_values(view: &safetensors::tensor::TensorView<'_>) -> Option<Vec<f32>> {
    use safetensors::Dtype;
    let d = view.data();
    Some(match view.dtype() {
        Dtype::F32 => d.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect(),
        Dtype::F64 => d
            .chunks_exact(8)
            .map(|b| f64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]) as f32)
            .collect(),
        Dtype::F16 => d.chunks_exact(2).map(|b| half::f16::from_le_bytes([b[0], b[1]]).to_f32()).collect(),
        Dtype::BF16 => d.chunks_exact(2).map(|b| half::bf16::from_le_bytes([b[0], b[1]]).to_f32()).collect(),
        _ => return None,
    })
}

impl WeightSource {
    /// Synthetic normal weights.
    pub fn synthetic() -> WeightSource {
        WeightSource::Synthetic(Distribution::Normal)
    }

    /// Row-major weights of the `index`-th layer; `mapped` is the recipe's tensor name for it.
    pub fn layer_weights(
        &self,
        layer: &Layer,
        index: usize,
        mapped: Option<&str>,
        seed: u64,
    ) -> Result<Vec<f32>, CompressError> {
        match self {
            WeightSource::Synthetic(d) => Ok(synthetic(layer, index, *d, seed)),
            WeightSource::File(f) => match f.resolve(&layer.name, mapped) {
                Some(name) => f.layer_weights(layer, name),
                None => Err(CompressError::Layer {
                    layer: layer.name.clone(),
                    message: format!(
                        "no tensor for this layer in {} (tried {}); map it in the recipe's [tensors] table \
                         or skip the layer; the file has: {}",
                        f.path,
                        mapped.map_or_else(
                            || format!("`{0}`, `{0}.weight`, `{0}/kernel`", layer.name),
                            |m| format!("`{m}`")
                        ),
                        f.names().into_iter().take(40).collect::<Vec<_>>().join(", ")
                    ),
                }),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synthetic_is_seeded_and_he_scaled() {
        let l = Layer::fc("fc", 2048, 1200);
        let a = synthetic(&l, 3, Distribution::Normal, 7);
        let b = synthetic(&l, 3, Distribution::Normal, 7);
        let c = synthetic(&l, 4, Distribution::Normal, 7);
        assert_eq!(a, b);
        assert_ne!(a, c);
        let n = a.len() as f64;
        let var = a.iter().map(|&x| f64::from(x) * f64::from(x)).sum::<f64>() / n;
        // σ² = 2/2048; the sample variance of 2.4 M draws is within 1 %.
        assert!((var / (2.0 / 2048.0) - 1.0).abs() < 0.01, "{var}");
        for d in [Distribution::Laplace, Distribution::Uniform] {
            let w = synthetic(&l, 0, d, 1);
            let var = w.iter().map(|&x| f64::from(x) * f64::from(x)).sum::<f64>() / n;
            assert!((var / (2.0 / 2048.0) - 1.0).abs() < 0.02, "{d:?} {var}");
        }
    }

    #[test]
    fn npy_npz_and_safetensors_files_load() {
        let Ok(dir) = tempfile::tempdir() else { panic!("tempdir") };
        let a = ndarray::Array2::from_shape_vec((2, 3), vec![1f32, 2.0, 3.0, 4.0, 5.0, 6.0]).unwrap_or_default();
        let npy = dir.path().join("fc.npy");
        assert!(ndarray_npy::write_npy(&npy, &a).is_ok());
        let npz = dir.path().join("w.npz");
        if let Ok(f) = std::fs::File::create(&npz) {
            let mut z = ndarray_npy::NpzWriter::new(f);
            assert!(z.add_array("fc", &a).is_ok() && z.add_array("other", &a.mapv(f64::from)).is_ok());
            assert!(z.finish().is_ok());
        }
        // safetensors: one F32 and one F16 tensor.
        let f32_bytes: Vec<u8> = a.iter().flat_map(|v| v.to_le_bytes()).collect();
        let f16_bytes: Vec<u8> = a.iter().flat_map(|v| half::f16::from_f32(*v).to_le_bytes()).collect();
        let views = [
            ("fc.weight", safetensors::tensor::TensorView::new(safetensors::Dtype::F32, vec![2, 3], &f32_bytes)),
            ("h.weight", safetensors::tensor::TensorView::new(safetensors::Dtype::F16, vec![2, 3], &f16_bytes)),
        ];
        let views: Vec<_> = views.into_iter().filter_map(|(n, v)| v.ok().map(|v| (n, v))).collect();
        let st = dir.path().join("m.safetensors");
        assert!(safetensors::serialize(views, None).map(|b| std::fs::write(&st, b)).is_ok());
        let layer = Layer::fc("fc", 3, 2);
        for path in [&npy, &npz, &st] {
            let f = TensorFile::load(path);
            let Ok(f) = f else { panic!("{path:?}: {:?}", f.err()) };
            let name = f.resolve("fc", None).map(str::to_string).unwrap_or_default();
            assert_eq!(f.layer_weights(&layer, &name).ok(), Some(vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]), "{path:?}");
        }
        let Ok(st) = TensorFile::load(&st) else { panic!("safetensors") };
        assert_eq!(st.layer_weights(&layer, "h.weight").ok(), Some(vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]));
        let Ok(z) = TensorFile::load(&npz) else { panic!("npz") };
        assert_eq!(z.names(), vec!["fc", "other"]);
        let bad = TensorFile::load(&dir.path().join("x.bin")).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(bad.contains("expected .npy, .npz or .safetensors"), "{bad}");
    }

    #[test]
    fn file_tensors_resolve_and_transpose() {
        let mut t = BTreeMap::new();
        t.insert("fc.weight".to_string(), (vec![3, 2], vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]));
        let f = TensorFile::from_tensors("mem", t);
        let l = Layer::fc("fc", 2, 3); // k = 3 outputs, c = 2 inputs: [out, in] = [3, 2]
        assert_eq!(f.resolve("fc", None), Some("fc.weight"));
        assert_eq!(f.layer_weights(&l, "fc.weight").ok(), Some(vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]));
        // The same file read for a 3-input, 2-output layer is stored [in, out] and gets transposed.
        let l2 = Layer::fc("fc", 3, 2);
        assert_eq!(f.layer_weights(&l2, "fc.weight").ok(), Some(vec![1.0, 3.0, 5.0, 2.0, 4.0, 6.0]));
        let src = WeightSource::File(f);
        let e = src.layer_weights(&Layer::fc("x", 2, 3), 0, None, 0).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e.contains("no tensor") && e.contains("fc.weight"), "{e}");
    }
}
