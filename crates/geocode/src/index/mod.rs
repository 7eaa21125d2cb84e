//! The address search index: streets by token, numbers within streets.
//!
//! Layout: a sorted token dictionary (prefix ranges are contiguous id
//! ranges, [`dictionary`]), street-name postings in CSR form
//! ([`postings`]), a deletion-neighbourhood table for typos, then groups
//! (one street name in one commune and postcode) whose addresses are
//! stored sorted by number in parallel arrays ([`streets`]). A search reads
//! the query ([`query`]), then scores the streets its words reach
//! ([`scoring`]).
//!
//! Modules use only those listed before them: `answer`, `dictionary`,
//! `postings`, `streets`, then `builder`, `query`, `scoring`, and this one.

mod answer;
mod builder;
mod dictionary;
mod postings;
mod query;
mod scoring;
mod streets;

pub use answer::{MatchKind, SearchResult};
pub use builder::AddressIndexBuilder;
pub use query::{MAX_QUERY_CHARS, ParsedQuery};
pub use scoring::MIN_SCORE;

use crate::{BanAddress, GeocodeError, QueryProblem};
use dictionary::Dictionary;
use postings::Postings;
use query::QueryReader;
use scoring::{Candidate, Scorer};
use streets::Streets;

/// At most this many results per search, whatever the caller asks.
const MAX_LIMIT: usize = 100;

/// Offline address search over BAN addresses; see [`AddressIndex::search`].
///
/// ```
/// use passerelle_geocode::{AddressIndex, BanAddress};
///
/// let a = |n: u32, street: &str, lat: f64| BanAddress {
///     id: format!("75111_{n}"), housenumber: n, rep: None, street: street.into(),
///     postcode: "75011".into(), citycode: "75111".into(),
///     city: "Paris 11e Arrondissement".into(), lat, lon: 2.37,
/// };
/// let index = AddressIndex::build(vec![
///     a(10, "Rue de la Roquette", 48.8550),
///     a(12, "Rue de la Roquette", 48.8551),
///     a(12, "Rue Roquépine", 48.8740),
/// ]);
/// let hits = index.search("12 rue de la roq", 5)?;
/// assert_eq!(hits[0].label, "12 Rue de la Roquette 75011 Paris");
/// assert!(index.search("qwxzkvtplmhgfd", 5).is_err());
/// # Ok::<(), passerelle_geocode::GeocodeError>(())
/// ```
#[derive(Debug)]
pub struct AddressIndex {
    dictionary: Dictionary,
    postings: Postings,
    streets: Streets,
}

impl FromIterator<BanAddress> for AddressIndex {
    fn from_iter<T: IntoIterator<Item = BanAddress>>(iter: T) -> Self {
        let mut b = AddressIndexBuilder::new();
        b.extend(iter);
        b.build()
    }
}

impl AddressIndexBuilder {
    /// Freezes the index. Takes about a second for Paris (158,000 addresses).
    ///
    /// ```
    /// let index = passerelle_geocode::AddressIndexBuilder::new().build();
    /// assert!(index.is_empty());
    /// ```
    pub fn build(self) -> AddressIndex {
        let (dictionary, postings, streets) = self.into_parts();
        AddressIndex {
            dictionary,
            postings,
            streets,
        }
    }
}

impl AddressIndex {
    /// Indexes the given addresses; see [`AddressIndexBuilder`] to stream them.
    ///
    /// ```
    /// let index = passerelle_geocode::AddressIndex::build(Vec::new());
    /// assert_eq!(index.len(), 0);
    /// ```
    pub fn build(addresses: Vec<BanAddress>) -> Self {
        addresses.into_iter().collect()
    }

    /// Number of addresses indexed.
    ///
    /// ```
    /// assert_eq!(passerelle_geocode::AddressIndex::build(Vec::new()).len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.streets.numbers.len()
    }

    /// True when no address is indexed.
    ///
    /// ```
    /// assert!(passerelle_geocode::AddressIndex::build(Vec::new()).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.streets.numbers.is_empty()
    }

    /// Number of streets: distinct (street name, commune, postcode).
    ///
    /// ```
    /// assert_eq!(passerelle_geocode::AddressIndex::build(Vec::new()).street_count(), 0);
    /// ```
    pub fn street_count(&self) -> usize {
        self.streets.groups.len()
    }

    /// Heap bytes held by the index (capacity of its vectors and strings),
    /// to size a deployment: about 33 bytes per address for Paris.
    ///
    /// ```
    /// assert!(passerelle_geocode::AddressIndex::build(Vec::new()).heap_bytes() < 1024);
    /// ```
    pub fn heap_bytes(&self) -> usize {
        self.dictionary.heap_bytes() + self.postings.heap_bytes() + self.streets.heap_bytes()
    }

    /// Finds the addresses a person meant by `query`, best first, at most
    /// `limit` (capped at 100), one per street.
    ///
    /// Copes with missing accents, any case, hyphens, punctuation, usual
    /// abbreviations ("bd", "av", "st", "fbg"...), "bis"/"ter" written
    /// "12b", "12 B" or "12bis", a missing or wrong postcode, "Paris 11e",
    /// one typo in a word of five letters or more (two from nine; a
    /// five-letter word may have lost a letter), and an unfinished last
    /// word (autocomplete). When the street is found but not
    /// the number, the nearest number of that street comes with a lower score.
    ///
    /// Returns an empty list when no street matches well enough, and
    /// [`GeocodeError::Query`] for a query that cannot name an address
    /// (empty, no letters, only "de la", only a street type or a city,
    /// mostly unknown words and no match). Never logs the query.
    ///
    /// ```
    /// use passerelle_geocode::{AddressIndex, BanAddress, GeocodeError, MatchKind, QueryProblem};
    ///
    /// let a = |n: u32, rep: Option<&str>| BanAddress {
    ///     id: format!("75111_8358_{n:05}"), housenumber: n, rep: rep.map(Into::into),
    ///     street: "Boulevard Voltaire".into(), postcode: "75011".into(),
    ///     citycode: "75111".into(), city: "Paris 11e Arrondissement".into(),
    ///     lat: 48.86 - f64::from(n) * 1e-5, lon: 2.37,
    /// };
    /// let index = AddressIndex::build(vec![a(10, None), a(10, Some("bis")), a(14, None)]);
    ///
    /// let hit = &index.search("10 B, bd voltaire PARIS 11e", 3)?[0];
    /// assert_eq!((hit.label.as_str(), hit.kind), ("10 bis Boulevard Voltaire 75011 Paris", MatchKind::Exact));
    ///
    /// let hit = &index.search("16 boulevard voltair 75012", 3)?[0];
    /// assert_eq!((hit.housenumber, hit.kind), (Some(14), MatchKind::NearestNumber));
    ///
    /// assert!(index.search("12 boulevard de la Paix", 3)?.is_empty());
    /// assert!(matches!(index.search("de la", 3), Err(GeocodeError::Query(QueryProblem::OnlyStopwords))));
    /// assert!(matches!(index.search("12, 75011", 3), Err(GeocodeError::Query(QueryProblem::NoLetters))));
    /// # Ok::<(), GeocodeError>(())
    /// ```
    pub fn search(&self, query: &str, limit: usize) -> Result<Vec<SearchResult>, GeocodeError> {
        let q = self.reader().parse(query).map_err(GeocodeError::Query)?;
        let limit = limit.min(MAX_LIMIT);
        if limit == 0 {
            return Ok(Vec::new());
        }
        let scorer = self.scorer();
        let mut best: Vec<Candidate> = Vec::with_capacity(limit + 1);
        for name in scorer.candidates(&q) {
            scorer.score_name(&q, name, limit, &mut best);
        }
        // Nothing found and mostly unknown words: a key mash, not a street
        // missing from the base.
        if best.is_empty() && 2 * q.recognised < q.telling {
            return Err(GeocodeError::Query(QueryProblem::Unrecognised));
        }
        Ok(best
            .iter()
            .map(|c| self.streets.answer(c.group, c.addr, c.kind, c.score))
            .collect())
    }

    /// Reads a typed address into number, repetition index, postcode and
    /// words, as [`AddressIndex::search`] does before looking anything up
    /// (words are checked against this index). Fails with the same
    /// [`QueryProblem`]s.
    ///
    /// ```
    /// use passerelle_geocode::{AddressIndex, QueryProblem};
    ///
    /// let index = AddressIndex::build(Vec::new());
    /// assert_eq!(index.parse_query("12, 75011").unwrap_err(), QueryProblem::NoLetters);
    /// ```
    pub fn parse_query(&self, query: &str) -> Result<ParsedQuery, QueryProblem> {
        let q = self.reader().parse(query)?;
        let (housenumber, rep) = q.number.map_or((None, None), |(n, rep)| (Some(n), rep));
        Ok(ParsedQuery {
            housenumber,
            rep,
            postcode: q.postcode,
            words: q.words.len(),
        })
    }

    fn reader(&self) -> QueryReader<'_> {
        QueryReader {
            dictionary: &self.dictionary,
            postings: &self.postings,
            streets: &self.streets,
        }
    }

    fn scorer(&self) -> Scorer<'_> {
        Scorer {
            dictionary: &self.dictionary,
            postings: &self.postings,
            streets: &self.streets,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addr(
        n: u32,
        rep: Option<&str>,
        street: &str,
        pc: &str,
        code: &str,
        city: &str,
    ) -> BanAddress {
        BanAddress {
            id: format!("{code}_{}_{n:05}{}", street.len(), rep.unwrap_or("")),
            housenumber: n,
            rep: rep.map(Into::into),
            street: street.into(),
            postcode: pc.into(),
            citycode: code.into(),
            city: city.into(),
            lat: 48.85 + f64::from(n) * 1e-4 + street.len() as f64 * 1e-3,
            lon: 2.35 + pc.len() as f64 * 1e-3,
        }
    }

    fn paris(n: u32, rep: Option<&str>, street: &str, arr: u32) -> BanAddress {
        let ord = if arr == 1 {
            "1er".to_string()
        } else {
            format!("{arr}e")
        };
        addr(
            n,
            rep,
            street,
            &format!("750{arr:02}"),
            &format!("751{arr:02}"),
            &format!("Paris {ord} Arrondissement"),
        )
    }

    fn sample() -> AddressIndex {
        let mut v = Vec::new();
        for n in [1, 2, 3, 10, 12, 14, 20, 86] {
            v.push(paris(n, None, "Rue de la Roquette", 11));
        }
        v.push(paris(12, Some("bis"), "Rue de la Roquette", 11));
        v.push(paris(12, Some("ter"), "Rue de la Roquette", 11));
        for n in [2, 12, 14] {
            v.push(paris(n, None, "Rue Roquépine", 8));
        }
        for n in [1, 3, 5, 7] {
            v.push(paris(n, None, "Rue de Vaugirard", 6));
        }
        for n in [300, 302, 304] {
            v.push(paris(n, None, "Rue de Vaugirard", 15));
        }
        for n in [4, 6, 8] {
            v.push(paris(n, None, "Boulevard Saint-Germain", 5));
            v.push(paris(n, None, "Rue du Faubourg Saint-Antoine", 11));
            v.push(paris(n, None, "Place de la République", 3));
            v.push(paris(n, None, "Avenue des Champs-Élysées", 8));
            v.push(paris(n, None, "Rue du 4 Septembre", 2));
            v.push(paris(n, None, "Passage Saint-Maur", 11));
            v.push(paris(n, None, "Rue Saint-Maur", 11));
            v.push(paris(n, None, "Rue de Paris", 12));
        }
        v.push(addr(3, None, "Rue de Paris", "35000", "35238", "Rennes"));
        AddressIndex::build(v)
    }

    fn first(index: &AddressIndex, q: &str) -> SearchResult {
        index
            .search(q, 5)
            .unwrap_or_else(|e| panic!("{q:?}: {e}"))
            .into_iter()
            .next()
            .unwrap_or_else(|| panic!("{q:?}: no result"))
    }

    #[test]
    fn exact_and_sloppy_spellings_find_the_address() {
        let idx = sample();
        for q in [
            "12 rue de la Roquette 75011 Paris",
            "12 RUE DE LA ROQUETTE",
            "12, r. de la roquette",
            "12 rue de la roqette",
            "12 rue de la roquete paris 11e",
            "12 rue de la roquette paris 11",
            "12 rue de la roquette 75012",
            "rue de la roquette 12",
            "12 rue de la roq",
        ] {
            let r = first(&idx, q);
            assert_eq!(r.label, "12 Rue de la Roquette 75011 Paris", "{q:?}");
            assert_eq!(r.kind, MatchKind::Exact, "{q:?}");
        }
    }

    #[test]
    fn repetition_indexes_in_every_spelling() {
        let idx = sample();
        for q in [
            "12 bis rue de la roquette",
            "12bis rue de la roquette",
            "12b rue de la roquette",
            "12 B rue de la roquette",
        ] {
            let r = first(&idx, q);
            assert_eq!(r.label, "12 bis Rue de la Roquette 75011 Paris", "{q:?}");
            assert_eq!(r.kind, MatchKind::Exact);
        }
        let r = first(&idx, "12 t rue de la roquette");
        assert_eq!(r.rep.as_deref(), Some("ter"));
        let r = first(&idx, "12 quater rue de la roquette");
        assert_eq!((r.housenumber, r.kind), (Some(12), MatchKind::SameNumber));
        // "r" after the number is the street type, not a repetition index.
        let r = first(&idx, "12 r de la roquette");
        assert_eq!((r.rep, r.kind), (None, MatchKind::Exact));
    }

    #[test]
    fn abbreviations_and_hyphens() {
        let idx = sample();
        assert_eq!(
            first(&idx, "6 bd st germain").street,
            "Boulevard Saint-Germain"
        );
        assert_eq!(
            first(&idx, "6 fbg st antoine").street,
            "Rue du Faubourg Saint-Antoine"
        );
        assert_eq!(
            first(&idx, "4 pl republique").street,
            "Place de la République"
        );
        assert_eq!(
            first(&idx, "8 av des champs elysees").street,
            "Avenue des Champs-Élysées"
        );
        assert_eq!(
            first(&idx, "4 rue du 4-septembre").street,
            "Rue du 4 Septembre"
        );
        assert_eq!(first(&idx, "4 rue st maur").street, "Rue Saint-Maur");
        assert_eq!(
            first(&idx, "4 passage saint maur").street,
            "Passage Saint-Maur"
        );
    }

    #[test]
    fn postcode_and_city_pick_among_homonyms() {
        let idx = sample();
        let r = first(&idx, "4 rue de paris 75012");
        assert_eq!(r.citycode, "75112");
        let r = first(&idx, "3 rue de paris rennes");
        assert_eq!(r.citycode, "35238");
        assert_eq!(r.label, "3 Rue de Paris 35000 Rennes");
        // The number settles which arrondissement of Rue de Vaugirard.
        assert_eq!(first(&idx, "302 rue de vaugirard").postcode, "75015");
        assert_eq!(first(&idx, "5 rue de vaugirard 75015").postcode, "75006");
    }

    #[test]
    fn missing_number_gives_the_nearest_with_a_lower_score() {
        let idx = sample();
        let exact = first(&idx, "14 rue de la roquette");
        let near = first(&idx, "16 rue de la roquette");
        assert_eq!(near.kind, MatchKind::NearestNumber);
        assert_eq!(near.housenumber, Some(14));
        assert!(near.score < exact.score);
        let street = first(&idx, "rue de la roquette");
        assert_eq!(
            (street.kind, street.housenumber, street.id),
            (MatchKind::Street, None, None)
        );
        assert_eq!(street.label, "Rue de la Roquette 75011 Paris");
    }

    #[test]
    fn refuses_queries_that_name_no_address() {
        let idx = sample();
        let problem = |q: &str| match idx.search(q, 5) {
            Err(GeocodeError::Query(p)) => p,
            other => panic!("{q:?}: expected a refusal, got {other:?}"),
        };
        assert_eq!(problem(""), QueryProblem::Empty);
        assert_eq!(problem("   "), QueryProblem::Empty);
        assert_eq!(problem("r"), QueryProblem::TooShort);
        assert_eq!(problem("12 75011"), QueryProblem::NoLetters);
        assert_eq!(problem("de la du"), QueryProblem::OnlyStopwords);
        assert_eq!(problem("12 rue"), QueryProblem::NoStreetName);
        assert_eq!(problem("Paris 11e"), QueryProblem::NoStreetName);
        assert_eq!(problem("xkcdqwzzpt vbnmlkjhgf"), QueryProblem::Unrecognised);
        assert_eq!(problem(&"rue ".repeat(60)), QueryProblem::TooLong);
        assert!(idx.search("12 rue des lilas", 5).unwrap().is_empty());
        assert!(idx.search("12 rue de la roquette", 0).unwrap().is_empty());
    }

    #[test]
    fn ids_round_trip_through_prefix_compression() {
        let idx = sample();
        let r = first(&idx, "12 ter rue de la roquette");
        assert_eq!(r.id.as_deref(), Some("75111_18_00012ter"));
        let r = first(&idx, "3 rue de paris rennes");
        assert_eq!(r.id.as_deref(), Some("35238_12_00003"));
        assert!((r.lat - 48.8623).abs() < 1e-9 && (r.lon - 2.355).abs() < 1e-9);
    }
}
