//! Canonical Huffman coding of the quantized weight indices and the sparse index stream.
//!
//! Deep Compression (Han et al., ICLR 2016, Sec. 4) Huffman-codes both the
//! codebook indices and the relative indices of the sparse format, saving
//! 20–30 % of the storage. Code lengths come from the classic two-queue
//! Huffman construction (ties broken by symbol, so the code is
//! deterministic); codes are canonical, so storing the length of every
//! symbol (one byte each, [`HuffmanCode::table_bits`]) is enough to decode.
//! The encoded size is the real bit count of the stream the encoder writes.

/// A canonical Huffman code over symbols `0..n`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HuffmanCode {
    /// Code length in bits of each symbol; 0 for a symbol that never occurs.
    pub lengths: Vec<u8>,
    /// Canonical code of each symbol (the low `lengths[s]` bits, most significant first).
    pub codes: Vec<u64>,
}

impl HuffmanCode {
    /// The optimal prefix code for symbol counts `freqs`. A single used symbol gets a 1-bit code.
    pub fn from_frequencies(freqs: &[u64]) -> HuffmanCode {
        let n = freqs.len();
        let mut lengths = vec![0u8; n];
        let used: Vec<usize> = (0..n).filter(|&s| freqs[s] > 0).collect();
        match used.len() {
            0 => {}
            1 => lengths[used[0]] = 1,
            _ => {
                // Nodes: leaves first, then internal nodes; parent links give the depths.
                let mut weight: Vec<u64> = used.iter().map(|&s| freqs[s]).collect();
                let mut parent: Vec<usize> = vec![usize::MAX; used.len()];
                let mut leaves: Vec<usize> = (0..used.len()).collect();
                leaves.sort_by_key(|&i| (weight[i], used[i]));
                let mut internal: std::collections::VecDeque<usize> = std::collections::VecDeque::new();
                let mut li = 0;
                let take = |li: &mut usize, internal: &mut std::collections::VecDeque<usize>, weight: &[u64]| {
                    let leaf = leaves.get(*li).copied();
                    match (leaf, internal.front().copied()) {
                        (Some(l), Some(i)) if weight[i] < weight[l] => internal.pop_front().unwrap_or(i),
                        (Some(l), _) => {
                            *li += 1;
                            l
                        }
                        (None, Some(i)) => internal.pop_front().unwrap_or(i),
                        (None, None) => usize::MAX,
                    }
                };
                for _ in 0..used.len() - 1 {
                    let a = take(&mut li, &mut internal, &weight);
                    let b = take(&mut li, &mut internal, &weight);
                    let id = weight.len();
                    weight.push(weight[a] + weight[b]);
                    parent.push(usize::MAX);
                    parent[a] = id;
                    parent[b] = id;
                    internal.push_back(id);
                }
                // Depth of each node, computed from the root down (parents have larger ids).
                let mut depth = vec![0u8; weight.len()];
                for id in (0..weight.len()).rev() {
                    if parent[id] != usize::MAX {
                        depth[id] = depth[parent[id]] + 1;
                    }
                }
                for (i, &s) in used.iter().enumerate() {
                    lengths[s] = depth[i];
                }
            }
        }
        let codes = canonical_codes(&lengths);
        HuffmanCode { lengths, codes }
    }

    /// Bits of the encoded stream for symbol counts `freqs` (the same counts or any other).
    pub fn encoded_bits(&self, freqs: &[u64]) -> u64 {
        freqs.iter().zip(&self.lengths).map(|(&f, &l)| f * u64::from(l)).sum()
    }

    /// Bits to store the code table: one byte (the code length) per symbol.
    pub fn table_bits(&self) -> u64 {
        8 * self.lengths.len() as u64
    }

    /// Encode `symbols` into a bit stream; returns the bytes and the number of bits.
    /// Symbols without a code (never counted) are an error: `Err(symbol)`.
    pub fn encode(&self, symbols: &[u32]) -> Result<(Vec<u8>, u64), u32> {
        let mut out = Vec::new();
        let mut acc: u64 = 0;
        let mut nacc = 0u32;
        let mut bits = 0u64;
        for &s in symbols {
            let len = self.lengths.get(s as usize).copied().unwrap_or(0);
            if len == 0 {
                return Err(s);
            }
            let code = self.codes[s as usize];
            for k in (0..u32::from(len)).rev() {
                acc = (acc << 1) | ((code >> k) & 1);
                nacc += 1;
                if nacc == 8 {
                    out.push(acc as u8);
                    acc = 0;
                    nacc = 0;
                }
            }
            bits += u64::from(len);
        }
        if nacc > 0 {
            out.push((acc << (8 - nacc)) as u8);
        }
        Ok((out, bits))
    }

    /// Decode `count` symbols from a stream written by [`HuffmanCode::encode`];
    /// `None` if the stream ends early or holds an invalid code.
    pub fn decode(&self, bytes: &[u8], count: usize) -> Option<Vec<u32>> {
        // Canonical decoding: per length, the first code and where its symbols start.
        let max_len = self.lengths.iter().copied().max().unwrap_or(0) as usize;
        let mut by_len: Vec<Vec<u32>> = vec![Vec::new(); max_len + 1];
        for (s, &l) in self.lengths.iter().enumerate() {
            if l > 0 {
                by_len[l as usize].push(s as u32);
            }
        }
        let mut first = vec![0u64; max_len + 2];
        let mut code = 0u64;
        for l in 1..=max_len {
            first[l] = code;
            code = (code + by_len[l].len() as u64) << 1;
        }
        let mut out = Vec::with_capacity(count);
        let mut bit = 0usize;
        while out.len() < count {
            let mut c = 0u64;
            let mut found = None;
            for l in 1..=max_len {
                let byte = *bytes.get(bit / 8)?;
                c = (c << 1) | u64::from((byte >> (7 - bit % 8)) & 1);
                bit += 1;
                let idx = c.wrapping_sub(first[l]);
                if c >= first[l] && (idx as usize) < by_len[l].len() {
                    found = Some(by_len[l][idx as usize]);
                    break;
                }
            }
            out.push(found?);
        }
        Some(out)
    }

    /// Average code length in bits per symbol under `freqs`.
    pub fn average_bits(&self, freqs: &[u64]) -> f64 {
        let total: u64 = freqs.iter().sum();
        if total == 0 { 0.0 } else { self.encoded_bits(freqs) as f64 / total as f64 }
    }
}

/// Canonical codes from code lengths: shorter codes first, ties by symbol.
fn canonical_codes(lengths: &[u8]) -> Vec<u64> {
    let mut order: Vec<usize> = (0..lengths.len()).filter(|&s| lengths[s] > 0).collect();
    order.sort_by_key(|&s| (lengths[s], s));
    let mut codes = vec![0u64; lengths.len()];
    let mut code = 0u64;
    let mut prev_len = 0u8;
    for (k, &s) in order.iter().enumerate() {
        if k > 0 {
            code += 1;
        }
        code <<= lengths[s] - prev_len;
        prev_len = lengths[s];
        codes[s] = code;
    }
    codes
}

/// Shannon entropy in bits per symbol of the counts `freqs`.
pub fn entropy_bits(freqs: &[u64]) -> f64 {
    let total: u64 = freqs.iter().sum();
    if total == 0 {
        return 0.0;
    }
    let t = total as f64;
    freqs.iter().filter(|&&f| f > 0).map(|&f| -(f as f64 / t) * (f as f64 / t).log2()).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_code_lengths() {
        // Counts 1, 1, 2, 4: lengths 3, 3, 2, 1; 1·3 + 1·3 + 2·2 + 4·1 = 14 bits.
        let h = HuffmanCode::from_frequencies(&[1, 1, 2, 4]);
        assert_eq!(h.lengths, vec![3, 3, 2, 1]);
        assert_eq!(h.codes, vec![0b110, 0b111, 0b10, 0b0]);
        assert_eq!(h.encoded_bits(&[1, 1, 2, 4]), 14);
        // Dyadic counts: the average length equals the entropy, 1.75 bits.
        assert!((h.average_bits(&[1, 1, 2, 4]) - entropy_bits(&[1, 1, 2, 4])).abs() < 1e-12);
        let one = HuffmanCode::from_frequencies(&[0, 9, 0]);
        assert_eq!(one.lengths, vec![0, 1, 0]);
    }

    #[test]
    fn encode_decode_round_trip() {
        let freqs = [5u64, 0, 9, 12, 13, 16, 45];
        let h = HuffmanCode::from_frequencies(&freqs);
        let syms: Vec<u32> = vec![6, 0, 2, 3, 4, 5, 6, 6, 0, 3];
        let (bytes, bits) = h.encode(&syms).unwrap_or_default();
        assert_eq!(bits, syms.iter().map(|&s| u64::from(h.lengths[s as usize])).sum::<u64>());
        assert_eq!(h.decode(&bytes, syms.len()), Some(syms));
        assert_eq!(h.encode(&[1]), Err(1));
    }
}
