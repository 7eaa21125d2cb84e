//! Scoring: which street names are worth a look, and how well each of
//! their streets and addresses answers a query.
//!
//! A score is a weighted share of what was typed that the address
//! matches: the words (street and commune), the coverage of the street's
//! own words, the stopwords, then the postcode and the number when they
//! were typed. It lies between 0 and 1.

use super::answer::MatchKind;
use super::dictionary::Dictionary;
use super::postings::Postings;
use super::query::{MAX_WORDS, Query, Word};
use super::streets::Streets;

/// Results whose score is below this are not returned.
///
/// ```
/// assert!(passerelle_geocode::MIN_SCORE > 0.0 && passerelle_geocode::MIN_SCORE < 1.0);
/// ```
pub const MIN_SCORE: f64 = 0.5;

/// Words reaching more street names than this only check candidates, they
/// do not add any; street types ("rue") never add any.
const GENERATION_CAP: u32 = 1_000;
/// A rarest word more frequent than this is intersected with the next one.
const COMMON_WORD: u32 = 5_000;

/// Share of the words typed that match the street or the commune, each
/// weighted by its rarity: the bulk of the score, since the words are
/// what a person remembers best.
const WORDS: f32 = 0.6;
/// Share of the street's own words that the query mentions: tells "rue
/// de la Roquette" from "passage de la Roquette" when "rue" is missing.
const COVERAGE: f32 = 0.12;
/// Share of the typed stopwords ("de", "la") found in the street name: a
/// tie-breaker between names that differ only by them.
const STOPWORDS: f32 = 0.03;
/// `WORDS + COVERAGE + STOPWORDS`, written out: the denominator of a
/// query with neither postcode nor number.
const ALWAYS_COUNTED: f32 = 0.75;
/// Weight of a typed postcode: enough to choose among homonym streets of
/// different communes, not enough to override the words.
const POSTCODE: f32 = 0.1;
/// Share of the postcode weight kept when only the département (first two
/// digits) matches: people often type a neighbouring postcode.
const SAME_DEPARTEMENT: f32 = 0.3;
/// Weight of a typed house number: choosing the street that has it.
const NUMBER: f32 = 0.15;

/// Match quality of the first completion of an unfinished word; the rest
/// of [`PREFIX_SPAN`] grows with the share of the word typed.
const PREFIX_BASE: f32 = 0.75;
const PREFIX_SPAN: f32 = 0.2;

/// Number score of the number asked for with another repetition index.
const SAME_NUMBER: f32 = 0.9;
/// Number score of the nearest number on the same side of the street
/// (same parity), before its distance is counted.
const SAME_SIDE: f32 = 0.45;
/// Same, on the other side: across the street is another block, maybe
/// another sector.
const OTHER_SIDE: f32 = 0.3;
/// Distance in numbers over which the nearest number's score halves.
const NUMBER_HALVING: f32 = 20.0;
/// Numbers looked at on each side of the one asked for.
const NEAREST_SCAN: usize = 64;

// Anything short of the address asked for scores below it.
const _: () = assert!(SAME_NUMBER < 1.0 && SAME_SIDE > OTHER_SIDE && SAME_SIDE < SAME_NUMBER);
const _: () = assert!(PREFIX_BASE + PREFIX_SPAN < 1.0);

/// One scored address: the best of its street for the query.
#[derive(Debug, Clone, Copy)]
pub(super) struct Candidate {
    pub(super) score: f32,
    /// Addresses in the street: a bigger street wins a tie.
    size: u32,
    pub(super) group: u32,
    pub(super) addr: u32,
    pub(super) kind: MatchKind,
}

/// Scores queries against one index.
pub(super) struct Scorer<'a> {
    pub(super) dictionary: &'a Dictionary,
    pub(super) postings: &'a Postings,
    pub(super) streets: &'a Streets,
}

impl Scorer<'_> {
    /// Street names worth scoring: postings of the rarest word, plus those
    /// of the other selective words (in case the rarest one is a wrong
    /// word), or, when even the rarest word is common, the names that have
    /// both of the two rarest words.
    pub(super) fn candidates(&self, q: &Query) -> Vec<u32> {
        let mut order: Vec<&Word> = q
            .words
            .iter()
            .filter(|w| w.df > 0 && !w.generic && !w.city_possible)
            .collect();
        if order.is_empty() {
            // "rue du Sentier, Paris": the street may be made of type words.
            order = q.words.iter().filter(|w| w.df > 0).collect();
        }
        order.sort_by_key(|w| w.df);
        let Some(first) = order.first() else {
            return Vec::new();
        };
        let mut out = self.postings_of(first);
        if first.df > COMMON_WORD
            && let Some(second) = order.get(1)
        {
            let other = self.postings_of(second);
            let both: Vec<u32> = out
                .iter()
                .copied()
                .filter(|n| other.binary_search(n).is_ok())
                .collect();
            if !both.is_empty() {
                return both;
            }
        }
        for w in order
            .iter()
            .skip(1)
            .take(2)
            .filter(|w| w.df <= GENERATION_CAP)
        {
            out.extend(self.postings_of(w));
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The street names a word reaches in any of its forms, sorted.
    fn postings_of(&self, w: &Word) -> Vec<u32> {
        let mut ranges: Vec<(u32, u32)> = Vec::new();
        ranges.extend(w.exact.map(|t| (t, t + 1)));
        ranges.extend(w.prefix.map(|(lo, hi, _)| (lo, hi)));
        ranges.extend(w.fuzzy.iter().map(|&(t, _)| (t, t + 1)));
        let mut out = Vec::new();
        for &(lo, hi) in &ranges {
            out.extend_from_slice(self.postings.names(lo, hi));
        }
        if ranges.len() > 1 || w.prefix.is_some() {
            out.sort_unstable();
            out.dedup();
        }
        out
    }

    /// The best quality of `w` among `toks`.
    fn quality(&self, w: &Word, toks: &[u32]) -> f32 {
        let mut best = 0.0f32;
        for &t in toks {
            best = best.max(self.token_quality(w, t));
            if best >= 1.0 {
                break;
            }
        }
        best
    }

    /// How well token `t` matches `w`: 1 exactly, less as a completion or
    /// a misspelling, 0 not at all.
    fn token_quality(&self, w: &Word, t: u32) -> f32 {
        if Some(t) == w.exact || Some(t) == w.alt {
            return 1.0;
        }
        let mut q = 0.0f32;
        if let Some((lo, hi, len)) = w.prefix
            && (lo..hi).contains(&t)
        {
            let full = f32::from(self.dictionary.chars(t).max(1));
            q = PREFIX_BASE + PREFIX_SPAN * (f32::from(len) / full).min(1.0);
        }
        for &(f, fq) in &w.fuzzy {
            if f == t {
                q = q.max(fq);
            }
        }
        q
    }

    /// Scores the streets of name `name` into `best`, kept sorted and at
    /// most `limit` long.
    pub(super) fn score_name(&self, q: &Query, name: u32, limit: usize, best: &mut Vec<Candidate>) {
        let n = name as usize;
        let toks = self.streets.name_tokens(n);
        let mut street_q = [0f32; MAX_WORDS];
        let mut distinctive = false;
        for (i, w) in q.words.iter().enumerate() {
            street_q[i] = self.quality(w, toks);
            distinctive |= street_q[i] > 0.0 && !w.generic;
        }
        // "Rue du Sentier" has only type words: all of them must be typed.
        if !distinctive
            && !toks
                .iter()
                .filter(|&&t| !self.dictionary.is_stop[t as usize])
                .all(|&t| q.words.iter().any(|w| self.token_quality(w, t) > 0.0))
        {
            return;
        }
        // Share of the street's own words that the query mentions.
        let mut covered = 0.0f32;
        for (k, &t) in toks.iter().enumerate() {
            if self.dictionary.is_stop[t as usize] || toks[..k].contains(&t) {
                continue;
            }
            if q.words.iter().any(|w| self.token_quality(w, t) > 0.0) {
                covered += self.dictionary.idf[t as usize];
            }
        }
        let weight = self.streets.name_weight[n];
        let coverage = if weight > 0.0 {
            (covered / weight).min(1.0)
        } else {
            0.0
        };
        let stop = if q.stops.is_empty() {
            1.0
        } else {
            q.stops.iter().filter(|s| toks.contains(s)).count() as f32 / q.stops.len() as f32
        };
        let total: f32 = q.words.iter().map(|w| w.weight).sum();

        let base = COVERAGE * coverage + STOPWORDS * stop;
        let mut den = ALWAYS_COUNTED;
        if q.postcode.is_some() {
            den += POSTCODE;
        }
        if q.number.is_some() {
            den += NUMBER;
        }
        // Upper bound for this name: every other word matches the commune.
        let street_text: f32 = q
            .words
            .iter()
            .zip(street_q)
            .map(|(w, s)| w.weight * s)
            .sum();
        let city_room: f32 = q
            .words
            .iter()
            .zip(street_q)
            .filter(|(w, _)| w.city_possible)
            .map(|(w, s)| w.weight * (1.0 - s))
            .sum();
        let bound = (WORDS * (street_text + city_room) / total + base + den - ALWAYS_COUNTED) / den;
        if (best.len() == limit && bound <= best[limit - 1].score) || bound < MIN_SCORE as f32 {
            return;
        }

        for g in self.streets.groups_of(n) {
            let group = self.streets.groups[g as usize];
            let city_toks = self.streets.city_tokens(group.city as usize);
            let mut text = 0.0f32;
            for (i, w) in q.words.iter().enumerate() {
                let mut s = street_q[i];
                if s < 1.0 && w.city_possible {
                    s = s.max(self.quality(w, city_toks));
                }
                text += w.weight * s;
            }
            let mut num = WORDS * text / total + base;
            if let Some(pc) = &q.postcode {
                let own = &*self.streets.postcodes[group.postcode as usize];
                num += POSTCODE
                    * if own == pc {
                        1.0
                    } else if own.get(..2) == pc.get(..2) {
                        SAME_DEPARTEMENT
                    } else {
                        0.0
                    };
            }
            // A full list is only entered by beating its last score: ties
            // keep the earlier, deterministic order.
            let (floor, full) = if best.len() == limit {
                (best[limit - 1].score, true)
            } else {
                (MIN_SCORE as f32, false)
            };
            let beats = |score: f32| if full { score > floor } else { score >= floor };
            if q.number.is_some() && !beats((num + NUMBER) / den) {
                continue;
            }
            let (addr, number_score, kind) = self.pick(g, q.number.as_ref());
            num += NUMBER * number_score;
            let score = num / den;
            if !beats(score) {
                continue;
            }
            let size = self.streets.addresses(g).len() as u32;
            let cand = Candidate {
                score,
                size,
                group: g,
                addr,
                kind,
            };
            let pos = best.partition_point(|b| {
                (b.score, b.size, std::cmp::Reverse(b.group))
                    >= (cand.score, cand.size, std::cmp::Reverse(cand.group))
            });
            best.insert(pos, cand);
            best.truncate(limit);
        }
    }

    /// The address of group `g` closest to the number asked for.
    fn pick(&self, g: u32, number: Option<&(u32, Option<String>)>) -> (u32, f32, MatchKind) {
        let addresses = self.streets.addresses(g);
        let a = addresses.start;
        let nums = &self.streets.numbers[addresses];
        let Some((n, rep)) = number else {
            return ((a + nums.len() / 2) as u32, 0.0, MatchKind::Street);
        };
        let (n, want) = (*n, rep.as_deref().unwrap_or(""));
        let lo = nums.partition_point(|&x| x < n);
        let hi = lo + nums[lo..].partition_point(|&x| x == n);
        if hi > lo {
            for i in lo..hi {
                if *self.streets.rep_canon[self.streets.addr_reps[a + i] as usize] == *want {
                    return ((a + i) as u32, 1.0, MatchKind::Exact);
                }
            }
            return ((a + lo) as u32, SAME_NUMBER, MatchKind::SameNumber);
        }
        // Nearest number, preferring the same side of the street.
        let mut best = (a + lo.min(nums.len() - 1), f32::MIN);
        let mut consider = |i: usize| {
            let d = nums[i].abs_diff(n) as f32;
            let side = if nums[i] % 2 == n % 2 {
                SAME_SIDE
            } else {
                OTHER_SIDE
            };
            let s = side / (1.0 + d / NUMBER_HALVING);
            if s > best.1 {
                best = (a + i, s);
            }
        };
        for i in (0..lo).rev().take(NEAREST_SCAN) {
            consider(i);
        }
        for i in (lo..nums.len()).take(NEAREST_SCAN) {
            consider(i);
        }
        (best.0 as u32, best.1.max(0.0), MatchKind::NearestNumber)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_add_up_to_one() {
        assert!((WORDS + COVERAGE + STOPWORDS - ALWAYS_COUNTED).abs() < 1e-6);
        assert!((ALWAYS_COUNTED + POSTCODE + NUMBER - 1.0).abs() < 1e-6);
    }
}
