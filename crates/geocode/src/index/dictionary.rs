//! The token dictionary: every word of a street or commune name, sorted so
//! that the completions of a prefix are one contiguous id range, with what
//! a query needs to know of each token, and the typo table that finds a
//! token from a misspelt word.

use crate::normalize::osa_distance;
use crate::typos::TypoTable;

/// Match quality of a token one typo away from the typed word: below an
/// exact match (1.0), so that a real street spelt as typed wins.
pub(super) const ONE_TYPO: f32 = 0.8;
/// Match quality of a token two typos away (words of nine letters or
/// more): still a likely street, but less so than one typo.
pub(super) const TWO_TYPOS: f32 = 0.65;

/// Interned tokens and their per-token facts; a token's id is its rank.
#[derive(Debug)]
pub(super) struct Dictionary {
    /// Sorted and distinct.
    tokens: Vec<Box<str>>,
    /// Length of each token in characters, capped at 255.
    chars: Vec<u8>,
    longest: usize,
    /// Rarity of each token among street names (see [`idf`]).
    pub(super) idf: Vec<f32>,
    /// Whether the token is a word of some commune name.
    pub(super) is_city: Vec<bool>,
    /// Whether the token is a stopword ("de", "la"...).
    pub(super) is_stop: Vec<bool>,
    typos: TypoTable,
}

impl Dictionary {
    /// The dictionary of `tokens` (sorted, distinct) and their facts,
    /// indexed by token id.
    pub(super) fn new(
        tokens: Vec<Box<str>>,
        idf: Vec<f32>,
        is_city: Vec<bool>,
        is_stop: Vec<bool>,
    ) -> Self {
        // Typo table: every token with one (two for long ones) letter deleted.
        let mut deletes: Vec<(u32, u32)> = Vec::new();
        let mut hashes = Vec::new();
        for (t, tok) in tokens.iter().enumerate() {
            if is_stop[t] || tok.bytes().any(|b| b.is_ascii_digit()) {
                continue;
            }
            let chars: Vec<char> = tok.chars().collect();
            if chars.len() < 4 {
                continue;
            }
            hashes.clear();
            deletion_hashes(&chars, if chars.len() >= 8 { 2 } else { 1 }, &mut hashes);
            deletes.extend(hashes.iter().map(|&h| (h, t as u32)));
        }
        let chars: Vec<u8> = tokens
            .iter()
            .map(|t| t.chars().count().min(255) as u8)
            .collect();
        let longest = chars.iter().max().map_or(0, |&l| usize::from(l));
        Self {
            tokens,
            chars,
            longest,
            idf,
            is_city,
            is_stop,
            typos: TypoTable::new(deletes),
        }
    }

    /// The id of a token, if known.
    pub(super) fn id(&self, s: &str) -> Option<u32> {
        self.tokens
            .binary_search_by(|t| (**t).cmp(s))
            .ok()
            .map(|i| i as u32)
    }

    /// The id range `lo..hi` of the tokens starting with `prefix`.
    pub(super) fn completions(&self, prefix: &str) -> (u32, u32) {
        let lo = self.tokens.partition_point(|t| **t < *prefix);
        let hi = lo + self.tokens[lo..].partition_point(|t| t.starts_with(prefix));
        (lo as u32, hi as u32)
    }

    /// Length of token `t` in characters, capped at 255.
    pub(super) fn chars(&self, t: u32) -> u8 {
        self.chars[t as usize]
    }

    /// Known tokens one typo away from `w` (two from nine letters), with
    /// their match quality; not `w` itself.
    pub(super) fn misspelt(&self, w: &str) -> Vec<(u32, f32)> {
        let chars: Vec<char> = w.chars().collect();
        // Four letters may be a five-letter word that lost one ("pmpe").
        // Longer than any known word + 2 is a key mash: skip its n² forms.
        if chars.len() < 4
            || chars.len() > self.longest + 2
            || w.bytes().any(|b| b.is_ascii_digit())
        {
            return Vec::new();
        }
        let depth = if chars.len() >= 9 { 2 } else { 1 };
        let mut hashes = Vec::new();
        deletion_hashes(&chars, depth, &mut hashes);
        let mut found: Vec<u32> = Vec::new();
        for h in hashes {
            found.extend(self.typos.tokens(h));
        }
        found.sort_unstable();
        found.dedup();
        let mut out = Vec::new();
        let mut tc = Vec::new();
        for t in found {
            tc.clear();
            tc.extend(self.tokens[t as usize].chars());
            if chars.len().max(tc.len()) < 5 {
                continue;
            }
            let max = if depth == 2 && tc.len() >= 8 { 2 } else { 1 };
            if let Some(d) = osa_distance(&chars, &tc, max).filter(|&d| d > 0) {
                out.push((t, if d == 1 { ONE_TYPO } else { TWO_TYPOS }));
            }
        }
        out
    }

    /// Bytes on the heap.
    pub(super) fn heap_bytes(&self) -> usize {
        self.tokens.iter().map(|s| s.len()).sum::<usize>()
            + std::mem::size_of_val(self.tokens.as_slice())
            + self.chars.capacity()
            + self.idf.capacity() * std::mem::size_of::<f32>()
            + self.is_city.capacity()
            + self.is_stop.capacity()
            + self.typos.heap_bytes()
    }
}

/// Inverse document frequency of a token found in `df` of `names` street
/// names: rare words tell more. Never zero, so that every word counts.
pub(super) fn idf(names: f32, df: u32) -> f32 {
    ((names + 1.0) / (df as f32 + 0.5)).ln().max(0.01)
}

fn fnv(chars: impl Iterator<Item = char>) -> u32 {
    let mut h: u32 = 0x811c_9dc5;
    for c in chars {
        let mut buf = [0u8; 4];
        for &b in c.encode_utf8(&mut buf).as_bytes() {
            h ^= u32::from(b);
            h = h.wrapping_mul(0x0100_0193);
        }
    }
    h
}

/// Hashes of the word itself and of every form with `depth` or fewer
/// characters removed (the deletion neighbourhood of SymSpell).
fn deletion_hashes(chars: &[char], depth: usize, out: &mut Vec<u32>) {
    let n = chars.len();
    out.push(fnv(chars.iter().copied()));
    for i in 0..n {
        out.push(fnv(chars
            .iter()
            .enumerate()
            .filter(|&(k, _)| k != i)
            .map(|(_, &c)| c)));
        if depth >= 2 {
            for j in i + 1..n {
                out.push(fnv(chars
                    .iter()
                    .enumerate()
                    .filter(|&(k, _)| k != i && k != j)
                    .map(|(_, &c)| c)));
            }
        }
    }
    out.sort_unstable();
    out.dedup();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dictionary(words: &[&str]) -> Dictionary {
        let n = words.len();
        Dictionary::new(
            words.iter().map(|&w| w.into()).collect(),
            vec![1.0; n],
            vec![false; n],
            vec![false; n],
        )
    }

    #[test]
    fn finds_tokens_exactly_by_prefix_and_misspelt() {
        let d = dictionary(&["roquepine", "roquette", "voltaire"]);
        assert_eq!(d.id("roquette"), Some(1));
        assert_eq!(d.id("roq"), None);
        assert_eq!(d.completions("roq"), (0, 2));
        assert_eq!(d.chars(2), 8);
        assert_eq!(d.misspelt("roqette"), vec![(1, ONE_TYPO)]);
        assert!(d.misspelt("roquette").is_empty());
    }
}
