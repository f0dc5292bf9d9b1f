//! `--shard i/N`: a deterministic share of a sweep's points.
//!
//! Shard `i` of `N` (1-based, `1 ≤ i ≤ N`) takes the points whose position
//! in the plan is `i − 1` modulo `N`. Interleaving spreads neighbouring (and
//! so similarly costly) points over all shards; the plan is the same on
//! every machine, so N machines given `1/N` … `N/N` cover every point once.

use std::fmt;
use std::str::FromStr;

/// One share of a sweep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// 1-based index.
    pub index: u32,
    /// Number of shards.
    pub count: u32,
}

impl Shard {
    /// The whole sweep.
    pub const ALL: Shard = Shard { index: 1, count: 1 };

    /// Whether the point at plan position `pos` belongs to this shard.
    pub fn contains(&self, pos: usize) -> bool {
        pos % self.count as usize == (self.index - 1) as usize
    }
}

impl FromStr for Shard {
    type Err = String;
    fn from_str(s: &str) -> Result<Shard, String> {
        let bad = || format!("`{s}`: expected i/N with 1 ≤ i ≤ N, e.g. 1/4");
        let (i, n) = s.split_once('/').ok_or_else(bad)?;
        let (i, n): (u32, u32) = (i.trim().parse().map_err(|_| bad())?, n.trim().parse().map_err(|_| bad())?);
        if n == 0 || i == 0 || i > n {
            return Err(bad());
        }
        Ok(Shard { index: i, count: n })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_partition_positions() {
        let n = 4;
        for pos in 0..103 {
            let owners = (1..=n).filter(|i| Shard { index: *i, count: n }.contains(pos)).count();
            assert_eq!(owners, 1, "position {pos}");
        }
        assert!(Shard { index: 2, count: 3 }.contains(4));
        assert_eq!("2/3".parse::<Shard>(), Ok(Shard { index: 2, count: 3 }));
        assert!("0/3".parse::<Shard>().is_err());
        assert!("4/3".parse::<Shard>().is_err());
        assert!("x".parse::<Shard>().is_err());
    }
}
