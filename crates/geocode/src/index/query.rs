//! Reading a typed address: house number, repetition index, postcode, and
//! words, each looked up in the dictionary (exactly, as a prefix, or
//! misspelt) and weighted by its rarity.

use super::dictionary::{Dictionary, idf};
use super::postings::Postings;
use super::streets::Streets;
use crate::QueryProblem;
use crate::normalize::{self, canonical_into, canonical_rep, fold, is_stopword, is_street_type};

/// Queries longer than this many characters are refused.
///
/// ```
/// use passerelle_geocode::{AddressIndex, GeocodeError, QueryProblem, MAX_QUERY_CHARS};
///
/// let long = "a".repeat(MAX_QUERY_CHARS + 1);
/// let err = AddressIndex::build(Vec::new()).search(&long, 5).unwrap_err();
/// assert!(matches!(err, GeocodeError::Query(QueryProblem::TooLong)));
/// ```
pub const MAX_QUERY_CHARS: usize = 200;
/// More words than this is not an address (and bounds the per-word arrays
/// of scoring).
pub(super) const MAX_WORDS: usize = 12;
/// Weight of a word that names the commune or arrondissement, or of a
/// number, when it is no word of any street: about the rarity of a word
/// found in a dozen street names of a big city, so that the commune
/// counts without outweighing the street.
const CITY_WEIGHT: f32 = 2.5;
/// Extra weight of a word found nowhere (a street missing from the base):
/// more than the rarest known word, so that the answer loses confidence.
const UNKNOWN_WORD_EXTRA: f32 = 1.0;

/// What [`AddressIndex::parse_query`] read in a typed address.
///
/// ```
/// # let index = passerelle_geocode::AddressIndex::build(vec![passerelle_geocode::BanAddress {
/// #     id: "75111_8358_00012_bis".into(), housenumber: 12, rep: Some("bis".into()),
/// #     street: "Rue de la Roquette".into(), postcode: "75011".into(),
/// #     citycode: "75111".into(), city: "Paris 11e Arrondissement".into(),
/// #     lat: 48.8547, lon: 2.3728 }]);
/// let q = index.parse_query("12 B, r de la Roquette 75011 PARIS")?;
/// assert_eq!((q.housenumber, q.rep.as_deref()), (Some(12), Some("b")));
/// assert_eq!(q.postcode.as_deref(), Some("75011"));
/// assert!(q.words >= 2);
/// # Ok::<(), passerelle_geocode::QueryProblem>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedQuery {
    /// The house number, when one was typed.
    pub housenumber: Option<u32>,
    /// Its repetition index, folded ("bis", "b").
    pub rep: Option<String>,
    /// The first five-digit postcode typed.
    pub postcode: Option<String>,
    /// Words left for the street and the commune, abbreviations expanded.
    pub words: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum WordKind {
    Text,
    Number,
    Ordinal,
}

/// One word of a query and the tokens it may stand for.
#[derive(Debug)]
pub(super) struct Word {
    pub(super) kind: WordKind,
    pub(super) chars: usize,
    pub(super) exact: Option<u32>,
    /// For a bare number: the arrondissement token ("11" → "11e").
    pub(super) alt: Option<u32>,
    /// Token id range of the completions of a last, unfinished word, and
    /// the length typed.
    pub(super) prefix: Option<(u32, u32, u8)>,
    /// Tokens one or two typos away, with their match quality.
    pub(super) fuzzy: Vec<(u32, f32)>,
    /// Street names reachable from this word (postings, all forms).
    pub(super) df: u32,
    /// Rarity of the word: its share of the query's text score.
    pub(super) weight: f32,
    /// A street type ("rue", "boulevard").
    pub(super) generic: bool,
    pub(super) city_possible: bool,
}

/// A token of the first pass, before the house number is chosen.
#[derive(Debug)]
enum Item<'a> {
    Number {
        n: u32,
        rep: Option<String>,
        raw: &'a str,
    },
    Postcode(&'a str),
    Stop(&'a str),
    Word(Word),
}

/// A query as read, before any street is looked at.
#[derive(Debug)]
pub(super) struct Query {
    pub(super) number: Option<(u32, Option<String>)>,
    pub(super) postcode: Option<String>,
    pub(super) words: Vec<Word>,
    /// Token ids of the stopwords typed.
    pub(super) stops: Vec<u32>,
    /// Words of two letters or more, and how many match some known token.
    pub(super) telling: usize,
    pub(super) recognised: usize,
}

/// Reads queries against the words of one index.
pub(super) struct QueryReader<'a> {
    pub(super) dictionary: &'a Dictionary,
    pub(super) postings: &'a Postings,
    pub(super) streets: &'a Streets,
}

impl QueryReader<'_> {
    /// A two-letter repetition index of the base ("ba", "bv" in Paris)
    /// that is not a word of a street, unless a street type follows.
    fn is_known_rep(&self, token: &str, next: Option<&str>) -> bool {
        let mut after = Vec::new();
        if let Some(n) = next {
            canonical_into(n, &mut after);
        }
        token.len() == 2
            && normalize::abbreviation(token).is_none()
            && self.streets.rep_canon.iter().any(|r| **r == *token)
            && (self
                .dictionary
                .id(token)
                .is_none_or(|t| self.postings.df(t) == 0)
                || after.first().is_some_and(|w| is_street_type(w)))
    }

    /// Reads `query`, or says why it cannot name an address.
    pub(super) fn parse(&self, query: &str) -> Result<Query, QueryProblem> {
        if query.trim().is_empty() {
            return Err(QueryProblem::Empty);
        }
        if query.chars().count() > MAX_QUERY_CHARS {
            return Err(QueryProblem::TooLong);
        }
        let folded = fold(query);
        let raw: Vec<&str> = folded.split_whitespace().collect();
        let alnum: usize = raw.iter().map(|t| t.chars().count()).sum();
        if alnum < 2 {
            return Err(QueryProblem::TooShort);
        }
        if !folded.chars().any(char::is_alphabetic) {
            return Err(QueryProblem::NoLetters);
        }

        // First pass: numbers, postcodes, stopwords and words, in order.
        let mut items: Vec<Item<'_>> = Vec::new();
        let mut i = 0;
        while i < raw.len() {
            let t = raw[i];
            let is_last = i + 1 == raw.len();
            i += 1;
            if t.len() == 5 && t.bytes().all(|b| b.is_ascii_digit()) {
                items.push(Item::Postcode(t));
            } else if let Some((n, mut rep)) = split_number(t, items.is_empty()) {
                if rep.is_none()
                    && let Some(&next) = raw.get(i)
                    && (is_rep_word(next, raw.get(i + 1).copied())
                        || self.is_known_rep(next, raw.get(i + 1).copied()))
                {
                    rep = Some(canonical_rep(next));
                    i += 1;
                }
                items.push(Item::Number { n, rep, raw: t });
            } else if t == "cedex" {
            } else if is_stopword(t) {
                items.push(Item::Stop(t));
            } else {
                let mut canon = Vec::new();
                canonical_into(t, &mut canon);
                // An abbreviation may also start a word: "ch" → chemin or Chapelle.
                let abbreviated = normalize::abbreviation(t).is_some();
                for w in &canon {
                    let prefix = is_last.then_some(if abbreviated { t } else { w.as_str() });
                    items.push(Item::Word(self.word(w, prefix)));
                }
            }
        }

        // The house number leads ("12 rue..."), or trails the street
        // ("rue de la roquette 12 75011"), or precedes a street type.
        let city_only = |it: &Item<'_>| match it {
            Item::Word(w) => w.df == 0 && (w.city_possible || w.kind == WordKind::Ordinal),
            _ => false,
        };
        let house = match items.first() {
            Some(Item::Number { .. }) => Some(0),
            _ => (0..items.len()).rev().find(|&j| {
                matches!(items[j], Item::Number { .. })
                    && !(j > 0 && city_only(&items[j - 1]))
                    && (items[j + 1..]
                        .iter()
                        .all(|it| matches!(it, Item::Postcode(_) | Item::Stop(_)) || city_only(it))
                        || matches!(items.get(j + 1), Some(Item::Word(w)) if w.generic))
            }),
        };

        let mut q = Query {
            number: None,
            postcode: None,
            words: Vec::new(),
            stops: Vec::new(),
            telling: 0,
            recognised: 0,
        };
        for (j, it) in items.into_iter().enumerate() {
            match it {
                Item::Number { n, rep, .. } if Some(j) == house => q.number = Some((n, rep)),
                Item::Number { raw, .. } => {
                    let mut canon = Vec::new();
                    canonical_into(raw, &mut canon);
                    q.words.extend(canon.iter().map(|w| self.word(w, None)));
                }
                Item::Postcode(p) => {
                    q.postcode.get_or_insert_with(|| p.to_string());
                }
                Item::Stop(s) => q.stops.extend(self.dictionary.id(s)),
                Item::Word(w) => q.words.push(w),
            }
        }
        if q.words.is_empty() {
            return Err(QueryProblem::OnlyStopwords);
        }
        if q.words.len() > MAX_WORDS {
            return Err(QueryProblem::TooLong);
        }
        let recognised = |w: &Word| {
            w.exact.is_some() || w.alt.is_some() || w.prefix.is_some() || !w.fuzzy.is_empty()
        };
        if !q.words.iter().any(recognised) {
            return Err(QueryProblem::Unrecognised);
        }
        // Numbers and single letters match something too often to count.
        let telling = q
            .words
            .iter()
            .filter(|w| w.kind == WordKind::Text && w.chars >= 2);
        q.telling = telling.clone().count();
        q.recognised = telling.filter(|w| recognised(w)).count();
        // A word of a street name, not only of a commune ("Paris 11e"),
        // unless a street type says so ("rue de Paris"). An unknown word
        // may be a street missing from the base: that gives no result.
        let types = q.words.iter().filter(|w| w.generic).count();
        if q.words.iter().all(recognised)
            && types < 2
            && !q
                .words
                .iter()
                .any(|w| w.df > 0 && !w.generic && (types > 0 || !w.city_possible))
        {
            return Err(QueryProblem::NoStreetName);
        }
        Ok(q)
    }

    /// Looks a word up; `prefix_of` is the typed form of a last word,
    /// which may be unfinished.
    fn word(&self, w: &str, prefix_of: Option<&str>) -> Word {
        let is_digits = w.bytes().all(|b| b.is_ascii_digit());
        let kind = if is_digits {
            WordKind::Number
        } else if normalize::ordinal(w).is_some() {
            WordKind::Ordinal
        } else {
            WordKind::Text
        };
        let exact = self.dictionary.id(w);
        let alt = if is_digits {
            self.dictionary.id(&format!("{w}e"))
        } else {
            None
        };
        let mut prefix = None;
        if kind == WordKind::Text
            && let Some(p) = prefix_of
        {
            let (lo, hi) = self.dictionary.completions(p);
            if hi > lo && !(hi == lo + 1 && Some(lo) == exact) {
                prefix = Some((lo, hi, p.chars().count().min(255) as u8));
            }
        }
        // Typos are looked for even when the word exists: "Beauce" typed
        // "Beaune" is a real street too. Exact matches still score higher.
        let fuzzy = if kind == WordKind::Text && prefix.is_none() {
            self.dictionary.misspelt(w)
        } else {
            Vec::new()
        };
        let mut df = exact.map_or(0, |t| self.postings.df(t));
        if let Some((lo, hi, _)) = prefix {
            df += self.postings.df_range(lo, hi);
        }
        let fuzzy_df = fuzzy.iter().map(|&(t, _)| self.postings.df(t)).sum::<u32>();
        // The weight of a known word is its own rarity, not its neighbours'.
        let weight_df = if df > 0 { df } else { fuzzy_df };
        df += fuzzy_df;
        let city_possible = exact
            .into_iter()
            .chain(alt)
            .any(|t| self.dictionary.is_city[t as usize])
            || fuzzy
                .iter()
                .any(|&(t, _)| self.dictionary.is_city[t as usize])
            || prefix
                .is_some_and(|(lo, hi, _)| (lo..hi).any(|t| self.dictionary.is_city[t as usize]));
        let n = self.streets.names.len() as f32;
        let weight = if weight_df > 0 {
            idf(n, weight_df)
        } else if city_possible || kind != WordKind::Text {
            CITY_WEIGHT
        } else {
            idf(n, 0) + UNKNOWN_WORD_EXTRA
        };
        Word {
            kind,
            chars: w.chars().count(),
            exact,
            alt,
            prefix,
            fuzzy,
            df,
            weight,
            // "che" typed last may be "chemin" or the start of "Chevaleret".
            generic: is_street_type(w) && !prefix_of.is_some_and(|p| p != w && p.len() >= 3),
            city_possible,
        }
    }
}

/// "12", "12b", "12bis", "5001a" → number and canonical repetition index.
/// "13e" is "13 E" at the start of a query, an arrondissement elsewhere.
fn split_number(token: &str, leading: bool) -> Option<(u32, Option<String>)> {
    let digits = token.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits > 4 {
        return None;
    }
    let n: u32 = token[..digits].parse().ok()?;
    let rest = &token[digits..];
    if rest.is_empty() {
        return Some((n, None));
    }
    if normalize::ordinal(token).is_some() && !(leading && rest == "e") {
        return None;
    }
    let rep_like = matches!(rest, "bis" | "ter" | "quater" | "quinquies")
        || (rest.len() <= 3
            && rest.as_bytes()[0].is_ascii_lowercase()
            && rest.bytes().skip(1).all(|b| b.is_ascii_alphanumeric()));
    rep_like.then(|| (n, Some(canonical_rep(rest))))
}

/// Whether the token after a house number is its repetition index: "bis",
/// "ter", a letter, a letter and a digit. "r" and "q" are "rue" and "quai"
/// unless a street type follows.
fn is_rep_word(token: &str, next: Option<&str>) -> bool {
    if matches!(token, "bis" | "ter" | "quater" | "quinquies") {
        return true;
    }
    let b = token.as_bytes();
    let letter = !b.is_empty() && b[0].is_ascii_lowercase();
    let shape = letter && (b.len() == 1 || (b.len() == 2 && b[1].is_ascii_digit()));
    if !shape {
        return false;
    }
    if matches!(token, "r" | "q") {
        let mut w = Vec::new();
        if let Some(n) = next {
            canonical_into(n, &mut w);
        }
        return w.first().is_some_and(|w| is_street_type(w));
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_with_their_repetition_index() {
        assert_eq!(split_number("12bis", true), Some((12, Some("b".into()))));
        assert_eq!(split_number("5001a", false), Some((5001, Some("a".into()))));
        assert_eq!(split_number("11e", false), None);
        assert_eq!(split_number("13e", true), Some((13, Some("e".into()))));
        assert_eq!(split_number("1er", true), None);
        assert_eq!(split_number("12345", true), None);
    }
}
