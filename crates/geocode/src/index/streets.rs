//! Street names, streets and their addresses, as stored once built.
//!
//! A street ("group") is one street name in one commune and postcode.
//! Groups are sorted by street name, so a name's groups are contiguous;
//! each group's addresses are sorted by number in parallel arrays, with
//! each BAN id stored without its group's common prefix.

use std::ops::Range;

use super::answer::{MatchKind, SearchResult};
use crate::normalize::{self, canonical_rep};

/// Coordinates are kept in units of 1e-7 degree (1 cm).
const FIXED_POINT: f64 = 1e7;

/// One street: a street name in one commune and postcode (ids into
/// [`Streets::names`], [`Streets::cities`] and [`Streets::postcodes`]).
#[derive(Debug, Clone, Copy)]
pub(super) struct Group {
    pub(super) name: u32,
    pub(super) city: u32,
    pub(super) postcode: u32,
}

/// Everything an answer is made of, in CSR arrays indexed by ids.
#[derive(Debug)]
pub(super) struct Streets {
    pub(super) names: Vec<Box<str>>,
    pub(super) name_tok_offsets: Vec<u32>,
    pub(super) name_toks: Vec<u32>,
    /// Sum of the rarity of each name's own (non-stopword) tokens.
    pub(super) name_weight: Vec<f32>,
    pub(super) name_group_offsets: Vec<u32>,
    pub(super) groups: Vec<Group>,
    pub(super) group_offsets: Vec<u32>,
    pub(super) prefix_offsets: Vec<u32>,
    pub(super) prefixes: String,
    /// INSEE code and name of each commune.
    pub(super) cities: Vec<(Box<str>, Box<str>)>,
    pub(super) city_tok_offsets: Vec<u32>,
    pub(super) city_toks: Vec<u32>,
    pub(super) postcodes: Vec<Box<str>>,
    /// Repetition indexes as the BAN writes them; rep id `r` is
    /// `rep_list[r - 1]`, 0 is none.
    pub(super) rep_list: Vec<Box<str>>,
    /// Canonical form of each rep id ("" for none).
    pub(super) rep_canon: Vec<Box<str>>,
    pub(super) numbers: Vec<u32>,
    pub(super) addr_reps: Vec<u16>,
    pub(super) coords: Vec<[i32; 2]>,
    pub(super) id_offsets: Vec<u32>,
    pub(super) id_suffixes: String,
}

impl Streets {
    /// Tokens of street name `n`, in order.
    pub(super) fn name_tokens(&self, n: usize) -> &[u32] {
        &self.name_toks[self.name_tok_offsets[n] as usize..self.name_tok_offsets[n + 1] as usize]
    }

    /// Tokens of commune `c`, in order.
    pub(super) fn city_tokens(&self, c: usize) -> &[u32] {
        &self.city_toks[self.city_tok_offsets[c] as usize..self.city_tok_offsets[c + 1] as usize]
    }

    /// The groups of street name `n`.
    pub(super) fn groups_of(&self, n: usize) -> Range<u32> {
        self.name_group_offsets[n]..self.name_group_offsets[n + 1]
    }

    /// The addresses of group `g`.
    pub(super) fn addresses(&self, g: u32) -> Range<usize> {
        self.group_offsets[g as usize] as usize..self.group_offsets[g as usize + 1] as usize
    }

    /// The owned answer for address `addr` of group `group`; a street-level
    /// answer (`kind` [`MatchKind::Street`]) has no number nor id.
    pub(super) fn answer(
        &self,
        group: u32,
        addr: u32,
        kind: MatchKind,
        score: f32,
    ) -> SearchResult {
        let g = self.groups[group as usize];
        let a = addr as usize;
        let street = self.names[g.name as usize].to_string();
        let postcode = self.postcodes[g.postcode as usize].to_string();
        let (citycode, city) = &self.cities[g.city as usize];
        let [lat, lon] = self.coords[a];
        let numbered = kind != MatchKind::Street;
        let rep = (numbered && self.addr_reps[a] != 0)
            .then(|| self.rep_list[self.addr_reps[a] as usize - 1].to_string());
        let id = numbered.then(|| {
            let g = group as usize;
            let prefix = &self.prefixes
                [self.prefix_offsets[g] as usize..self.prefix_offsets[g + 1] as usize];
            let suffix =
                &self.id_suffixes[self.id_offsets[a] as usize..self.id_offsets[a + 1] as usize];
            format!("{prefix}{suffix}")
        });
        let housenumber = numbered.then(|| self.numbers[a]);
        let mut label = String::new();
        if let Some(n) = housenumber {
            label.push_str(&n.to_string());
            if let Some(r) = &rep {
                label.push(' ');
                label.push_str(&rep_label(r));
            }
            label.push(' ');
        }
        label.push_str(&street);
        label.push(' ');
        if !postcode.is_empty() {
            label.push_str(&postcode);
            label.push(' ');
        }
        label.push_str(city_label(city));
        SearchResult {
            label,
            id,
            housenumber,
            rep,
            street,
            postcode,
            city: city.to_string(),
            citycode: citycode.to_string(),
            lat: from_fixed(lat),
            lon: from_fixed(lon),
            score: f64::from(score.clamp(0.0, 1.0)),
            kind,
        }
    }

    /// Bytes on the heap.
    pub(super) fn heap_bytes(&self) -> usize {
        fn v<T>(x: &Vec<T>) -> usize {
            x.capacity() * std::mem::size_of::<T>()
        }
        fn strs(x: &[Box<str>]) -> usize {
            x.iter().map(|s| s.len()).sum::<usize>() + std::mem::size_of_val(x)
        }
        strs(&self.names)
            + v(&self.name_tok_offsets)
            + v(&self.name_toks)
            + v(&self.name_weight)
            + v(&self.name_group_offsets)
            + v(&self.groups)
            + v(&self.group_offsets)
            + v(&self.prefix_offsets)
            + self.prefixes.capacity()
            + self
                .cities
                .iter()
                .map(|(a, b)| a.len() + b.len() + 32)
                .sum::<usize>()
            + v(&self.city_tok_offsets)
            + v(&self.city_toks)
            + strs(&self.postcodes)
            + strs(&self.rep_list)
            + strs(&self.rep_canon)
            + v(&self.numbers)
            + v(&self.addr_reps)
            + v(&self.coords)
            + v(&self.id_offsets)
            + self.id_suffixes.capacity()
    }
}

/// Degrees to the stored fixed-point units.
pub(super) fn to_fixed(deg: f64) -> i32 {
    (deg * FIXED_POINT).round() as i32
}

fn from_fixed(v: i32) -> f64 {
    // Exact operands, so 23728000 / 1e7 is the double nearest to 2.3728.
    f64::from(v) / FIXED_POINT
}

fn rep_label(rep: &str) -> String {
    match canonical_rep(rep).as_str() {
        "b" => "bis".into(),
        "t" => "ter".into(),
        "q" => "quater".into(),
        _ => rep.to_uppercase(),
    }
}

/// "Paris 11e Arrondissement" → "Paris", as on an envelope.
fn city_label(city: &str) -> &str {
    if let Some(head) = city.strip_suffix(" Arrondissement")
        && let Some((name, ord)) = head.rsplit_once(' ')
        && normalize::ordinal(&ord.to_lowercase()).is_some()
    {
        return name;
    }
    city
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels() {
        assert_eq!(city_label("Paris 1er Arrondissement"), "Paris");
        assert_eq!(city_label("Lyon 3e Arrondissement"), "Lyon");
        assert_eq!(city_label("Saint-Malo"), "Saint-Malo");
        assert_eq!(rep_label("b"), "bis");
        assert_eq!(rep_label("a"), "A");
    }
}
