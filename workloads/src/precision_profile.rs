//! Per-layer activation precision profiles (Stripes, Judd et al., MICRO 2016, Sec. 5 / Table 2).
//!
//! A profile gives the activation precision, in bits, each layer of a network
//! needs; bit-serial engines run a layer in time proportional to it. Profiles
//! are TOML (one file may hold many, for several networks):
//!
//! ```toml
//! version = 1
//! [[profile]]
//! name = "stripes"            # selected by --precision-profile stripes
//! network = "alexnet"         # optional: the network it is for
//! accuracy = "100%"           # optional notes
//! confirmed = false           # whether the values were checked against their source
//! source = "Stripes MICRO 2016 Table 2"
//! act_bits = [9, 8, 5, 5, 7]  # one per conv layer, in network order ...
//! # layers = ["conv1", ...]   # ... or one per named layer / layer-name prefix
//! ```
//!
//! With `layers`, an entry covers the layer of that name and every layer whose
//! name starts with it followed by `/` (`inception_3a` covers
//! `inception_3a/1x1`), so one precision can cover a GoogLeNet module.
//! Profiles are applied by writing [`LayerCompression::act_bits`], the same
//! field the compressor's fixed-point activations set. The Stripes paper's
//! profiles are built in ([`BUILTIN`]); their values are recalled, not
//! confirmed, which every report that uses them must say.

use serde::Deserialize;

use crate::WorkloadError;
use crate::compress::CompressedNetwork;
use crate::layer::LayerKind;
use crate::network::Network;
use eyrie_arch::config::{self, Diagnostic, Diagnostics, Located};

/// The built-in profiles (the Stripes paper's Table 2 as recalled).
pub const BUILTIN: &str = include_str!("../data/stripes_profiles.toml");
/// The name the built-in file has in messages.
pub const BUILTIN_FILE: &str = "workloads/data/stripes_profiles.toml";
/// Largest precision a profile may give (the 16-bit fixed point of DaDianNao and Stripes).
pub const MAX_BITS: i64 = 16;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfileFile {
    version: u32,
    profile: Vec<ProfileSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfileSpec {
    name: String,
    network: Option<String>,
    #[serde(default)]
    accuracy: String,
    #[serde(default)]
    confirmed: bool,
    #[serde(default)]
    source: String,
    layers: Option<Vec<String>>,
    act_bits: Vec<i64>,
}

/// A profile resolved against one network.
#[derive(Debug, Clone, PartialEq)]
pub struct PrecisionProfile {
    /// Profile name.
    pub name: String,
    /// File it came from.
    pub file: String,
    /// Accuracy note, e.g. "100%".
    pub accuracy: String,
    /// Whether its values were confirmed against the source.
    pub confirmed: bool,
    /// Where the values come from.
    pub source: String,
    /// `(layer index, bits)` for every layer the profile covers, in network order.
    pub layer_bits: Vec<(usize, u32)>,
}

impl PrecisionProfile {
    /// One line for the head of a table: name, source and whether confirmed.
    pub fn note(&self) -> String {
        let conf = if self.confirmed { "confirmed" } else { "UNCONFIRMED (recalled values, used as inputs)" };
        let acc = if self.accuracy.is_empty() { String::new() } else { format!(", {} accuracy", self.accuracy) };
        format!("activation precision: profile `{}`{acc} from {}, {conf}; {}", self.name, self.file, self.source)
    }

    /// Write the profile's precisions into a compressed network's `act_bits`.
    pub fn apply(&self, net: &mut CompressedNetwork) {
        for &(i, bits) in &self.layer_bits {
            if let Some(l) = net.layers.get_mut(i) {
                l.act_bits = Some(bits);
            }
        }
    }
}

/// Names of the built-in profiles.
pub fn builtin_names() -> Vec<String> {
    let mut names: Vec<String> = config::parse::<ProfileFile>(BUILTIN_FILE, BUILTIN)
        .map(|f| f.profile.into_iter().map(|p| p.name).collect())
        .unwrap_or_default();
    names.dedup();
    names
}

/// Read profiles from `text` (named `file` in messages) and resolve the one for `net`.
///
/// `name` selects profiles by name (required for files holding several); among
/// those, the one whose `network` is `net`'s name, else one without a network.
pub fn resolve(file: &str, text: &str, name: Option<&str>, net: &Network) -> Result<PrecisionProfile, WorkloadError> {
    let invalid = |d: Vec<Diagnostic>| WorkloadError::Invalid(Diagnostics(d));
    let spec: ProfileFile = config::parse(file, text).map_err(|d| invalid(vec![d]))?;
    let loc = Located::new(file, text);
    let mut errs = Vec::new();
    if spec.version != 1 {
        errs.push(loc.at_key("version", format!("version {} is not supported; allowed: 1", spec.version)));
    }
    for (i, p) in spec.profile.iter().enumerate() {
        if p.act_bits.is_empty() {
            errs.push(loc.at_key(&format!("profile.{i}.act_bits"), "needs at least one precision"));
        }
        for (j, &b) in p.act_bits.iter().enumerate() {
            if !(1..=MAX_BITS).contains(&b) {
                errs.push(loc.at_key(
                    &format!("profile.{i}.act_bits.{j}"),
                    format!("profile `{}`: precision {b} is outside 1..={MAX_BITS} bits", p.name),
                ));
            }
        }
        if let Some(layers) = &p.layers
            && layers.len() != p.act_bits.len()
        {
            errs.push(loc.at_key(
                &format!("profile.{i}.layers"),
                format!(
                    "profile `{}`: {} layers but {} precisions in act_bits; give one precision per entry",
                    p.name,
                    layers.len(),
                    p.act_bits.len()
                ),
            ));
        }
    }
    if !errs.is_empty() {
        return Err(invalid(errs));
    }
    let by_name: Vec<(usize, &ProfileSpec)> =
        spec.profile.iter().enumerate().filter(|(_, p)| name.is_none_or(|n| p.name == n)).collect();
    let chosen = by_name
        .iter()
        .find(|(_, p)| p.network.as_deref().is_some_and(|n| same_network(n, &net.name)))
        .or_else(|| by_name.iter().find(|(_, p)| p.network.is_none()));
    let Some(&(i, p)) = chosen else {
        let have: Vec<String> = spec
            .profile
            .iter()
            .map(|p| format!("{} ({})", p.name, p.network.as_deref().unwrap_or("any network")))
            .collect();
        let what = name.map(|n| format!("profile `{n}`")).unwrap_or_else(|| "no profile".into());
        let msg = format!("{what} for network `{}` is not in this file; it has: {}", net.name, have.join(", "));
        return Err(invalid(vec![loc.at_key("profile", msg)]));
    };
    let layer_bits = map_layers(&loc, i, p, net)?;
    Ok(PrecisionProfile {
        name: p.name.clone(),
        file: file.to_string(),
        accuracy: p.accuracy.clone(),
        confirmed: p.confirmed,
        source: p.source.clone(),
        layer_bits,
    })
}

/// Resolve a built-in profile by name for `net`.
pub fn builtin(name: &str, net: &Network) -> Result<PrecisionProfile, WorkloadError> {
    if !builtin_names().iter().any(|n| n == name) {
        return Err(WorkloadError::Compress(format!(
            "no precision profile file or built-in profile named `{name}`; built-in: {}",
            builtin_names().join(", ")
        )));
    }
    resolve(BUILTIN_FILE, BUILTIN, Some(name), net)
}

fn same_network(a: &str, b: &str) -> bool {
    let norm = |s: &str| s.to_ascii_lowercase().replace(['_', '-'], "");
    norm(a) == norm(b)
}

fn map_layers(loc: &Located<'_>, i: usize, p: &ProfileSpec, net: &Network) -> Result<Vec<(usize, u32)>, WorkloadError> {
    let bits = |j: usize| p.act_bits.get(j).copied().unwrap_or(1).clamp(1, MAX_BITS) as u32;
    let fail = |key: String, msg: String| WorkloadError::Invalid(Diagnostics(vec![loc.at_key(&key, msg)]));
    let Some(entries) = &p.layers else {
        let conv: Vec<usize> =
            net.layers.iter().enumerate().filter(|(_, l)| l.kind == LayerKind::Conv).map(|(k, _)| k).collect();
        if conv.len() != p.act_bits.len() {
            let names: Vec<&str> = conv.iter().map(|&k| net.layers[k].name.as_str()).collect();
            return Err(fail(
                format!("profile.{i}.act_bits"),
                format!(
                    "profile `{}` has {} precisions but network `{}` has {} conv layers ({}); give one per conv \
                     layer, or a `layers` list",
                    p.name,
                    p.act_bits.len(),
                    net.name,
                    conv.len(),
                    names.join(", ")
                ),
            ));
        }
        return Ok(conv.into_iter().enumerate().map(|(j, k)| (k, bits(j))).collect());
    };
    let mut out: Vec<(usize, u32)> = Vec::new();
    for (j, e) in entries.iter().enumerate() {
        let hits: Vec<usize> = net
            .layers
            .iter()
            .enumerate()
            .filter(|(_, l)| l.kind.has_macs() && (l.name == *e || l.name.starts_with(&format!("{e}/"))))
            .map(|(k, _)| k)
            .collect();
        if hits.is_empty() {
            return Err(fail(
                format!("profile.{i}.layers.{j}"),
                format!(
                    "`{e}` matches no conv, fc or matmul layer of network `{}` (by name or `{e}/` prefix)",
                    net.name
                ),
            ));
        }
        for k in hits {
            if out.iter().any(|(x, _)| *x == k) {
                return Err(fail(
                    format!("profile.{i}.layers.{j}"),
                    format!("layer `{}` is covered by two entries", net.layers[k].name),
                ));
            }
            out.push((k, bits(j)));
        }
    }
    let missed: Vec<&str> = net
        .layers
        .iter()
        .enumerate()
        .filter(|(k, l)| l.kind == LayerKind::Conv && !out.iter().any(|(x, _)| x == k))
        .map(|(_, l)| l.name.as_str())
        .collect();
    if !missed.is_empty() {
        return Err(fail(
            format!("profile.{i}.layers"),
            format!("profile `{}` leaves conv layers of `{}` uncovered: {}", p.name, net.name, missed.join(", ")),
        ));
    }
    out.sort_unstable();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::zoo;

    fn err(text: &str, net: &Network) -> String {
        match resolve("p.toml", text, None, net) {
            Ok(p) => panic!("accepted: {p:?}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn builtin_profiles_cover_the_six_networks() {
        for net in ["alexnet", "nin", "googlenet", "vgg-m", "vgg-s", "vgg19"] {
            let Some(n) = zoo::get(net) else { panic!("{net}") };
            let p = builtin("stripes", &n).map_err(|e| e.to_string());
            let Ok(p) = p else { panic!("{net}: {p:?}") };
            assert!(!p.confirmed);
            assert_eq!(p.layer_bits.len(), n.layers.iter().filter(|l| l.kind == LayerKind::Conv).count());
        }
        let a = builtin("stripes", &zoo::alexnet()).map_err(|e| e.to_string());
        let bits: Vec<u32> = a.map(|p| p.layer_bits.iter().map(|x| x.1).collect()).unwrap_or_default();
        assert_eq!(bits, [9, 8, 5, 5, 7]);
        // GoogLeNet: module 3a's six convolutions all get the third entry (10 bits).
        let Some(g) = zoo::get("googlenet") else { panic!() };
        let p = builtin("stripes", &g).map_err(|e| e.to_string());
        let Ok(p) = p else { panic!("{p:?}") };
        let three_a: Vec<u32> =
            p.layer_bits.iter().filter(|(k, _)| g.layers[*k].name.starts_with("inception_3a/")).map(|x| x.1).collect();
        assert_eq!(three_a, [10; 6]);
        assert!(builtin("stripes-99", &zoo::get("vgg19").unwrap_or_else(zoo::alexnet)).is_err());
    }

    #[test]
    fn wrong_layer_count_names_file_line_and_key() {
        let text = "version = 1\n[[profile]]\nname = \"x\"\nact_bits = [9, 8, 5, 5]\n";
        let e = err(text, &zoo::alexnet());
        assert!(e.contains("p.toml:4:12: key `profile.0.act_bits`"), "{e}");
        assert!(e.contains("has 4 precisions but network `alexnet` has 5 conv layers (conv1, conv2"), "{e}");
    }

    #[test]
    fn precision_outside_range_is_located_at_the_element() {
        let text = "version = 1\n[[profile]]\nname = \"x\"\nact_bits = [9, 8, 0, 5, 17]\n";
        let e = err(text, &zoo::alexnet());
        assert!(
            e.contains("p.toml:4:19: key `profile.0.act_bits.2`: profile `x`: precision 0 is outside 1..=16"),
            "{e}"
        );
        assert!(e.contains("p.toml:4:25: key `profile.0.act_bits.4`: profile `x`: precision 17 is outside"), "{e}");
    }

    #[test]
    fn layer_lists_must_match_and_cover() {
        let net = zoo::alexnet();
        let t = "version = 1\n[[profile]]\nname = \"x\"\nlayers = [\"conv1\", \"conv9\"]\nact_bits = [9, 8]\n";
        let e = err(t, &net);
        assert!(e.contains("key `profile.0.layers.1`") && e.contains("`conv9` matches no"), "{e}");
        let t = "version = 1\n[[profile]]\nname = \"x\"\nlayers = [\"conv1\"]\nact_bits = [9]\n";
        assert!(err(t, &net).contains("uncovered: conv2, conv3, conv4, conv5"));
        let t = "version = 1\n[[profile]]\nname = \"x\"\nlayers = [\"conv1\"]\nact_bits = [9, 8]\n";
        assert!(err(t, &net).contains("1 layers but 2 precisions"));
        let t = "version = 1\n[[profile]]\nname = \"x\"\nnetwork = \"nin\"\nact_bits = [9]\n";
        assert!(err(t, &net).contains("for network `alexnet` is not in this file; it has: x (nin)"));
        let t = "version = 1\n[[profile]]\nname = \"x\"\nact_bits = [9, 8, 5, 5, 7]\nbits = 3\n";
        let e = err(t, &net);
        assert!(e.contains("p.toml:5:1: key `profile.x.bits`: unknown field `bits`"), "{e}");
    }

    #[test]
    fn apply_writes_act_bits_of_covered_layers_only() {
        let net = zoo::alexnet();
        let Ok(p) = builtin("stripes", &net) else { panic!() };
        let mut c = CompressedNetwork::dense(net, 16);
        p.apply(&mut c);
        let bits: Vec<Option<u32>> = c.layers.iter().map(|l| l.act_bits).collect();
        let n = None;
        assert_eq!(bits, [Some(9), n, Some(8), n, Some(5), Some(5), Some(7), n, n, n, n]);
        assert!(p.note().contains("UNCONFIRMED"));
    }
}
