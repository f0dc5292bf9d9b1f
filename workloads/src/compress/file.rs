//! The compressed-network file (`*.eyc`), written by `eyrie compress --out`
//! and read by `eyrie run --compressed`.
//!
//! Layout, all integers little-endian:
//!
//! | bytes | content |
//! |---|---|
//! | 8 | magic `EYRIECMP` |
//! | 4 | format version, `u32` (this is version 1) |
//! | 8 | `n`, length of the JSON header, `u64` |
//! | n | JSON header: `{"format": "eyrie-compressed-network", "version": 1, "sparse_nnz": [..], "network": CompressedNetwork}` |
//! | … | for each layer whose `sparse` is set, in layer order: `col_ptr` (`cols + 1` × `u32`), `row_idx` (`nnz` × `u32`), `code` (`nnz` × `u16`) |
//!
//! In the JSON header every sparse matrix carries `rows`, `cols` and its
//! `codebook` with empty `col_ptr`, `row_idx` and `code`; `sparse_nnz`
//! lists their entry counts in the same order, and the arrays follow the
//! header in binary. A reader checks the magic, the version, every length
//! and the structure of every matrix.

use serde::{Deserialize, Serialize};

use super::{CompressError, CompressedNetwork, SparseMatrix};

/// The file's magic bytes.
pub const MAGIC: &[u8; 8] = b"EYRIECMP";
/// The version this code writes and reads.
pub const VERSION: u32 = 1;

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Header {
    format: String,
    version: u32,
    sparse_nnz: Vec<u64>,
    network: CompressedNetwork,
}

/// Serialize a compressed network.
pub fn to_bytes(cn: &CompressedNetwork) -> Result<Vec<u8>, serde_json::Error> {
    let mut meta = CompressedNetwork { network: cn.network.clone(), layers: Vec::with_capacity(cn.layers.len()) };
    let mut nnz = Vec::new();
    for l in &cn.layers {
        let mut l2 = l.clone();
        if let Some(m) = &mut l2.sparse {
            nnz.push(m.row_idx.len() as u64);
            m.col_ptr = Vec::new();
            m.row_idx = Vec::new();
            m.code = Vec::new();
        }
        meta.layers.push(l2);
    }
    let header = Header { format: "eyrie-compressed-network".into(), version: VERSION, sparse_nnz: nnz, network: meta };
    let json = serde_json::to_vec(&header)?;
    let mut out = Vec::with_capacity(json.len() + 20);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&VERSION.to_le_bytes());
    out.extend_from_slice(&(json.len() as u64).to_le_bytes());
    out.extend_from_slice(&json);
    for m in cn.layers.iter().filter_map(|l| l.sparse.as_ref()) {
        m.col_ptr.iter().for_each(|x| out.extend_from_slice(&x.to_le_bytes()));
        m.row_idx.iter().for_each(|x| out.extend_from_slice(&x.to_le_bytes()));
        m.code.iter().for_each(|x| out.extend_from_slice(&x.to_le_bytes()));
    }
    Ok(out)
}

/// Read a compressed network; `path` names the file in errors.
pub fn from_bytes(path: &str, bytes: &[u8]) -> Result<CompressedNetwork, CompressError> {
    let bad = |message: String| CompressError::File { path: path.to_string(), message };
    if bytes.len() < 20 || &bytes[..8] != MAGIC {
        return Err(bad("not an eyrie compressed network (bad magic; write one with `eyrie compress --out`)".into()));
    }
    let version = u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]);
    if version != VERSION {
        return Err(bad(format!("format version {version} is not supported; this eyrie reads version {VERSION}")));
    }
    let mut len8 = [0u8; 8];
    len8.copy_from_slice(&bytes[12..20]);
    let n = u64::from_le_bytes(len8) as usize;
    let json = bytes.get(20..20usize.saturating_add(n)).ok_or_else(|| bad("header is truncated".into()))?;
    let header: Header = serde_json::from_slice(json).map_err(|e| bad(format!("header: {e}")))?;
    let mut cn = header.network;
    if cn.layers.len() != cn.network.layers.len() {
        return Err(bad(format!("{} layers but {} compression entries", cn.network.layers.len(), cn.layers.len())));
    }
    let mut at = 20 + n;
    let mut counts = header.sparse_nnz.iter();
    for (i, l) in cn.layers.iter_mut().enumerate() {
        let Some(m) = &mut l.sparse else { continue };
        let nnz = *counts.next().ok_or_else(|| bad("sparse_nnz is shorter than the sparse layers".into()))? as usize;
        let mut take = |count: usize, width: usize| -> Result<&[u8], CompressError> {
            let end = count.checked_mul(width).and_then(|b| b.checked_add(at)).filter(|&e| e <= bytes.len());
            let end = end.ok_or_else(|| bad(format!("layer {i}: sparse arrays are truncated")))?;
            let s = &bytes[at..end];
            at = end;
            Ok(s)
        };
        let u32s = |b: &[u8]| b.chunks_exact(4).map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect();
        m.col_ptr = u32s(take(m.cols as usize + 1, 4)?);
        m.row_idx = u32s(take(nnz, 4)?);
        m.code = take(nnz, 2)?.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect();
        let problems = SparseMatrix::check(m);
        if let Some(p) = problems.first() {
            return Err(bad(format!("layer `{}`: {p}", cn.network.layers[i].name)));
        }
    }
    if at != bytes.len() {
        return Err(bad(format!("{} unexpected bytes after the sparse arrays", bytes.len() - at)));
    }
    Ok(cn)
}
