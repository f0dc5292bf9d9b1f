//! ONNX tensors as numbers: initializers and `Constant` values decoded to
//! f32 (fp32, fp64, fp16 and bf16 through `half`) or i64 (every integer type
//! and bool), int8/uint8 weights dequantized with their scales and zero
//! points (`DequantizeLinear`, `QLinearConv`: `(q − zero_point) · scale`, per
//! tensor or per axis, as the ONNX operator spec defines it), and the weight
//! layouts eyrie's layers use.
//!
//! Layout of every layer's weights: `[k, c / groups, r, s]` for convolutions
//! (ONNX's own `Conv` layout) and `[k, c]` (outputs × inputs) for
//! fully-connected and matmul layers, so the element count always equals
//! [`crate::Layer::weights`]. Tensor data follows the ONNX IR
//! (`docs/IR.md`, "Tensor definition"): `raw_data` is little-endian;
//! otherwise fp16/bf16/int8/int16/uint8/uint16/bool travel in `int32_data`,
//! uint32/uint64 in `uint64_data`.

use std::collections::BTreeMap;
use std::path::Path;

use super::proto::TensorProto;
use super::proto::tensor_proto::DataType;

/// One layer's real weights: the shape and the values (row-major).
pub type WeightTensor = (Vec<usize>, Vec<f32>);

/// Layer name → its weights, for the layers whose weights come from the file.
pub type Weights = BTreeMap<String, WeightTensor>;

/// The largest tensor eyrie computes itself while folding constants.
pub(crate) const FOLD_LIMIT: usize = 1 << 22;

/// The numbers of a constant tensor.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Data {
    /// Floating point of any width, as f32.
    F32(Vec<f32>),
    /// Integers of any width and bools, as i64.
    I64(Vec<i64>),
    /// A type eyrie does not decode (strings, complex, fp8, int4); its name.
    Opaque(&'static str),
}

/// A constant tensor: shape and data.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Const {
    /// Dimensions.
    pub dims: Vec<usize>,
    /// Values, row-major.
    pub data: Data,
}

impl Const {
    /// A float tensor.
    pub fn f32(dims: Vec<usize>, v: Vec<f32>) -> Const {
        Const { dims, data: Data::F32(v) }
    }

    /// An integer tensor.
    pub fn i64(dims: Vec<usize>, v: Vec<i64>) -> Const {
        Const { dims, data: Data::I64(v) }
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        self.dims.iter().product()
    }

    /// The values as f32 (integers converted), if decodable.
    pub fn to_f32(&self) -> Option<Vec<f32>> {
        match &self.data {
            Data::F32(v) => Some(v.clone()),
            Data::I64(v) => Some(v.iter().map(|&x| x as f32).collect()),
            Data::Opaque(_) => None,
        }
    }

    /// The values as i64 (floats truncated toward zero), if decodable.
    pub fn to_i64(&self) -> Option<Vec<i64>> {
        match &self.data {
            Data::I64(v) => Some(v.clone()),
            Data::F32(v) => Some(v.iter().map(|&x| x as i64).collect()),
            Data::Opaque(_) => None,
        }
    }
}

fn dtype_name(dt: i32) -> &'static str {
    DataType::try_from(dt).map(|d| d.as_str_name()).unwrap_or("unknown")
}

/// Bytes per element of a fixed-width type in `raw_data`.
fn raw_width(dt: DataType) -> Option<usize> {
    use DataType as D;
    Some(match dt {
        D::Float | D::Int32 | D::Uint32 => 4,
        D::Double | D::Int64 | D::Uint64 => 8,
        D::Float16 | D::Bfloat16 | D::Int16 | D::Uint16 => 2,
        D::Int8 | D::Uint8 | D::Bool => 1,
        _ => return None,
    })
}

/// Decode a tensor's numbers. `dir` is the model's folder, for external data.
pub(crate) fn decode(t: &TensorProto, dir: Option<&Path>) -> Result<Const, String> {
    let mut dims = Vec::with_capacity(t.dims.len());
    for &d in &t.dims {
        dims.push(usize::try_from(d).map_err(|_| format!("has a negative dimension {d}"))?);
    }
    let n = dims
        .iter()
        .try_fold(1usize, |a, &d| a.checked_mul(d))
        .ok_or_else(|| format!("has too many elements ({:?})", t.dims))?;
    let dt_code = t.data_type.unwrap_or(0);
    let Ok(dt) = DataType::try_from(dt_code) else {
        return Err(format!("has unknown data type {dt_code}"));
    };
    let Some(width) = raw_width(dt) else {
        return Ok(Const { dims, data: Data::Opaque(dtype_name(dt_code)) });
    };
    let external;
    let raw: Option<&[u8]> = if t.data_location == Some(1) {
        external = read_external(t, dir, n.saturating_mul(width))?;
        Some(&external)
    } else {
        t.raw_data.as_deref()
    };
    let data = if let Some(raw) = raw {
        if raw.len() != n.saturating_mul(width) {
            return Err(format!("has {} bytes of data for {n} {} values", raw.len(), dt.as_str_name()));
        }
        decode_raw(dt, raw)
    } else {
        decode_typed(t, dt)
    };
    let len = match &data {
        Data::F32(v) => v.len(),
        Data::I64(v) => v.len(),
        Data::Opaque(_) => n,
    };
    if len != n {
        return Err(format!("has {len} values for shape {dims:?} ({n} expected)"));
    }
    Ok(Const { dims, data })
}

fn decode_raw(dt: DataType, raw: &[u8]) -> Data {
    use DataType as D;
    let f = |w: usize, g: &dyn Fn(&[u8]) -> f32| Data::F32(raw.chunks_exact(w).map(g).collect());
    let i = |w: usize, g: &dyn Fn(&[u8]) -> i64| Data::I64(raw.chunks_exact(w).map(g).collect());
    match dt {
        D::Float => f(4, &|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])),
        D::Double => f(8, &|b| f64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]) as f32),
        D::Float16 => f(2, &|b| half::f16::from_le_bytes([b[0], b[1]]).to_f32()),
        D::Bfloat16 => f(2, &|b| half::bf16::from_le_bytes([b[0], b[1]]).to_f32()),
        D::Int8 => i(1, &|b| i64::from(b[0] as i8)),
        D::Uint8 | D::Bool => i(1, &|b| i64::from(b[0])),
        D::Int16 => i(2, &|b| i64::from(i16::from_le_bytes([b[0], b[1]]))),
        D::Uint16 => i(2, &|b| i64::from(u16::from_le_bytes([b[0], b[1]]))),
        D::Int32 => i(4, &|b| i64::from(i32::from_le_bytes([b[0], b[1], b[2], b[3]]))),
        D::Uint32 => i(4, &|b| i64::from(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))),
        D::Int64 => i(8, &|b| i64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]])),
        D::Uint64 => i(8, &|b| u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]) as i64),
        _ => Data::Opaque(dt.as_str_name()),
    }
}

fn decode_typed(t: &TensorProto, dt: DataType) -> Data {
    use DataType as D;
    match dt {
        D::Float => Data::F32(t.float_data.clone()),
        D::Double => Data::F32(t.double_data.iter().map(|&x| x as f32).collect()),
        D::Float16 => Data::F32(t.int32_data.iter().map(|&x| half::f16::from_bits(x as u16).to_f32()).collect()),
        D::Bfloat16 => Data::F32(t.int32_data.iter().map(|&x| half::bf16::from_bits(x as u16).to_f32()).collect()),
        D::Int64 => Data::I64(t.int64_data.clone()),
        D::Uint32 | D::Uint64 => Data::I64(t.uint64_data.iter().map(|&x| x as i64).collect()),
        _ => Data::I64(t.int32_data.iter().map(|&x| i64::from(x)).collect()),
    }
}

/// Read a tensor stored outside the model (`data_location = EXTERNAL`).
fn read_external(t: &TensorProto, dir: Option<&Path>, want_bytes: usize) -> Result<Vec<u8>, String> {
    let get = |k: &str| t.external_data.iter().find(|e| e.key.as_deref() == Some(k)).and_then(|e| e.value.clone());
    let location = get("location").ok_or("is stored externally but names no `location`")?;
    let dir = dir.ok_or("is stored in an external file, which needs the model's path")?;
    let rel = Path::new(&location);
    if rel.is_absolute() || rel.components().any(|c| matches!(c, std::path::Component::ParentDir)) {
        return Err(format!("names external file `{location}` outside the model's folder"));
    }
    let num = |k: &str| -> Result<u64, String> {
        get(k).map_or(Ok(0), |v| v.parse().map_err(|_| format!("has a bad external `{k}` `{v}`")))
    };
    let offset = num("offset")?;
    let path = dir.join(rel);
    let bytes = std::fs::read(&path).map_err(|e| format!("cannot read external data {}: {e}", path.display()))?;
    let start = usize::try_from(offset).unwrap_or(usize::MAX);
    let len = match num("length")? {
        0 => want_bytes,
        l => usize::try_from(l).unwrap_or(usize::MAX),
    };
    bytes
        .get(start..start.saturating_add(len))
        .map(<[u8]>::to_vec)
        .ok_or_else(|| format!("external data {} is shorter than offset {offset} + {len} bytes", path.display()))
}

/// `(q − zero_point) · scale`, per tensor or along `axis` (ONNX DequantizeLinear).
pub(crate) fn dequantize(q: &Const, scale: &Const, zero: Option<&Const>, axis: i64) -> Result<Const, String> {
    let qv = q.to_f32().ok_or("the quantized tensor has a type eyrie cannot decode")?;
    let sv = scale.to_f32().ok_or("the scale has a type eyrie cannot decode")?;
    let zv = match zero {
        Some(z) => z.to_f32().ok_or("the zero point has a type eyrie cannot decode")?,
        None => vec![0.0; sv.len()],
    };
    if sv.is_empty() || zv.len() != sv.len() {
        return Err(format!("{} scales but {} zero points", sv.len(), zv.len()));
    }
    if sv.len() == 1 {
        return Ok(Const::f32(q.dims.clone(), qv.iter().map(|&x| (x - zv[0]) * sv[0]).collect()));
    }
    let rank = q.dims.len() as i64;
    let ax = if axis < 0 { axis + rank } else { axis };
    let Some(&along) = usize::try_from(ax).ok().and_then(|a| q.dims.get(a)) else {
        return Err(format!("axis {axis} is outside a rank-{rank} tensor"));
    };
    if along != sv.len() {
        return Err(format!("{} scales for {along} slices along axis {axis}", sv.len()));
    }
    let inner: usize = q.dims[(ax as usize) + 1..].iter().product();
    let out = qv.iter().enumerate().map(|(i, &x)| {
        let c = (i / inner.max(1)) % along;
        (x - zv[c]) * sv[c]
    });
    Ok(Const::f32(q.dims.clone(), out.collect()))
}

/// Transpose a row-major `rows × cols` matrix.
pub(crate) fn transpose2d(v: &[f32], rows: usize, cols: usize) -> Vec<f32> {
    let mut out = vec![0.0; v.len()];
    for r in 0..rows {
        for c in 0..cols {
            out[c * rows + r] = v[r * cols + c];
        }
    }
    out
}

/// ConvTranspose weights `[c, k/g, r, s]` as the rows of the 1×1 convolution
/// it lowers to: `[g · k/g · r · s, c/g]` (output row = (group, filter, r, s)).
pub(crate) fn conv_transpose_rows(v: &[f32], c: usize, kg: usize, rs: usize, groups: usize) -> Vec<f32> {
    let cg = c / groups.max(1);
    let mut out = vec![0.0; v.len()];
    for ci in 0..c {
        let (g, cl) = (ci / cg.max(1), ci % cg.max(1));
        for j in 0..kg * rs {
            // ONNX index: [ci][j] with j = filter·rs + spatial.
            let row = g * kg * rs + j;
            out[row * cg + cl] = v[ci * kg * rs + j];
        }
    }
    out
}

/// Multiply each output channel's rows by its factor; `rows_per_channel`
/// consecutive rows of `len / (channels · rows_per_channel)` values belong to one channel.
pub(crate) fn scale_channels(w: &mut WeightTensor, factors: &[f32], rows_per_channel: usize) {
    let per = w.1.len() / (factors.len() * rows_per_channel.max(1)).max(1);
    for (i, x) in w.1.iter_mut().enumerate() {
        if let Some(f) = factors.get(i / (per * rows_per_channel.max(1)).max(1)) {
            *x *= f;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tensor(dt: DataType, dims: &[i64], raw: Vec<u8>) -> TensorProto {
        TensorProto { dims: dims.to_vec(), data_type: Some(dt as i32), raw_data: Some(raw), ..Default::default() }
    }

    #[test]
    fn decodes_raw_fp16_int8_and_typed_floats() {
        let h: Vec<u8> = [1.5f32, -2.0].iter().flat_map(|&x| half::f16::from_f32(x).to_le_bytes()).collect();
        let c = decode(&tensor(DataType::Float16, &[2], h), None);
        assert_eq!(c, Ok(Const::f32(vec![2], vec![1.5, -2.0])));
        let c = decode(&tensor(DataType::Int8, &[3], vec![0xff, 0x7f, 0x80]), None);
        assert_eq!(c, Ok(Const::i64(vec![3], vec![-1, 127, -128])));
        let t = TensorProto {
            dims: vec![2, 1],
            data_type: Some(DataType::Float as i32),
            float_data: vec![0.25, 4.0],
            ..Default::default()
        };
        assert_eq!(decode(&t, None), Ok(Const::f32(vec![2, 1], vec![0.25, 4.0])));
    }

    #[test]
    fn short_data_and_negative_dims_are_errors() {
        let e = decode(&tensor(DataType::Float, &[4], vec![0; 12]), None);
        assert_eq!(e, Err("has 12 bytes of data for 4 FLOAT values".to_string()));
        let e = decode(&tensor(DataType::Float, &[-1], vec![]), None);
        assert!(e.is_err_and(|m| m.contains("negative")));
        let e = decode(&tensor(DataType::Float, &[i64::MAX, 4], vec![]), None);
        assert!(e.is_err_and(|m| m.contains("too many")));
    }

    #[test]
    fn dequantizes_per_tensor_and_per_axis() {
        let q = Const::i64(vec![2, 2], vec![10, -10, 4, 8]);
        let s = Const::f32(vec![], vec![0.5]);
        let d = dequantize(&q, &s, Some(&Const::i64(vec![], vec![2])), 1);
        assert_eq!(d, Ok(Const::f32(vec![2, 2], vec![4.0, -6.0, 1.0, 3.0])));
        let s = Const::f32(vec![2], vec![1.0, 0.25]);
        let d = dequantize(&q, &s, None, 0);
        assert_eq!(d, Ok(Const::f32(vec![2, 2], vec![10.0, -10.0, 1.0, 2.0])));
    }

    #[test]
    fn conv_transpose_rows_regroup_by_output() {
        // c = 2 inputs, k/g = 1 filter, 2 spatial taps, 1 group: [2, 1, 2] → [2 rows, 2 inputs].
        let v = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(conv_transpose_rows(&v, 2, 1, 2, 1), vec![1.0, 3.0, 2.0, 4.0]);
        // Two groups of one input each: row (g, tap) holds its group's single input.
        assert_eq!(conv_transpose_rows(&v, 2, 1, 2, 2), vec![1.0, 2.0, 3.0, 4.0]);
    }

    #[test]
    fn scales_each_output_channel() {
        let mut w = (vec![2, 1, 1, 2], vec![1.0, 2.0, 3.0, 4.0]);
        scale_channels(&mut w, &[10.0, 0.5], 1);
        assert_eq!(w.1, vec![10.0, 20.0, 1.5, 2.0]);
        let mut w = (vec![4, 1], vec![1.0, 1.0, 1.0, 1.0]);
        scale_channels(&mut w, &[2.0, 3.0], 2);
        assert_eq!(w.1, vec![2.0, 2.0, 3.0, 3.0]);
    }
}
