//! The address search index: streets by token, numbers within streets.
//!
//! Layout: a sorted token dictionary (prefix ranges are contiguous id
//! ranges), street-name postings in CSR form, a deletion-neighbourhood table
//! for typos, then groups (one street name in one commune and postcode)
//! whose addresses are stored sorted by number in parallel arrays.

use std::collections::HashMap;

use crate::normalize::{
    self, canonical_into, canonical_rep, fold, is_stopword, is_street_type, osa_distance, rep_rank,
};
use crate::typos::TypoTable;
use crate::{BanAddress, GeocodeError, QueryProblem};

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
/// Results whose score is below this are not returned.
///
/// ```
/// assert!(passerelle_geocode::MIN_SCORE > 0.0 && passerelle_geocode::MIN_SCORE < 1.0);
/// ```
pub const MIN_SCORE: f64 = 0.5;

const MAX_WORDS: usize = 12;
const MAX_LIMIT: usize = 100;
/// Words reaching more street names than this only check candidates, they
/// do not add any; street types ("rue") never add any.
const GENERATION_CAP: u32 = 1_000;
/// A rarest word more frequent than this is intersected with the next one.
const COMMON_WORD: u32 = 5_000;
/// Weight of a word that names the commune or arrondissement.
const CITY_WEIGHT: f32 = 2.5;
const FIXED_POINT: f64 = 1e7;

/// How the chosen address relates to the number asked for.
///
/// ```
/// use passerelle_geocode::MatchKind;
/// assert_ne!(MatchKind::Exact, MatchKind::NearestNumber);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum MatchKind {
    /// The number and repetition index asked for.
    Exact,
    /// The number asked for, with another (or no) repetition index.
    SameNumber,
    /// The number is not in the base: the nearest number on that street.
    NearestNumber,
    /// No number was asked for: a middle address of the street.
    Street,
}

/// One answer of [`AddressIndex::search`], owned and serialisable.
///
/// ```
/// # let index = passerelle_geocode::AddressIndex::build(vec![passerelle_geocode::BanAddress {
/// #     id: "75111_8358_00012_bis".into(), housenumber: 12, rep: Some("bis".into()),
/// #     street: "Rue de la Roquette".into(), postcode: "75011".into(),
/// #     citycode: "75111".into(), city: "Paris 11e Arrondissement".into(),
/// #     lat: 48.8547, lon: 2.3728 }]);
/// let r = &index.search("12b r de la roquette paris", 1)?[0];
/// assert_eq!(r.label, "12 bis Rue de la Roquette 75011 Paris");
/// assert_eq!((r.housenumber, r.rep.as_deref()), (Some(12), Some("bis")));
/// assert_eq!(r.city, "Paris 11e Arrondissement");
/// assert!(r.score > 0.9 && r.score <= 1.0);
/// # Ok::<(), passerelle_geocode::GeocodeError>(())
/// ```
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SearchResult {
    /// "12 bis Rue de la Roquette 75011 Paris" (Paris, Lyon and Marseille
    /// without their arrondissement, as on an envelope).
    pub label: String,
    /// BAN identifier of the address; `None` for a street-level answer.
    pub id: Option<String>,
    /// House number; `None` for a street-level answer.
    pub housenumber: Option<u32>,
    /// Repetition index as the BAN writes it ("bis", "b", "a"...).
    pub rep: Option<String>,
    /// Street name as the BAN writes it.
    pub street: String,
    /// Postcode.
    pub postcode: String,
    /// Commune name as the BAN writes it ("Paris 11e Arrondissement").
    pub city: String,
    /// INSEE code of the commune.
    pub citycode: String,
    /// WGS84 latitude.
    pub lat: f64,
    /// WGS84 longitude.
    pub lon: f64,
    /// Confidence between 0 and 1; 1 is every word, the postcode and the number found.
    pub score: f64,
    /// How the address relates to the number asked for.
    pub kind: MatchKind,
}

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

#[derive(Debug, Clone, Copy)]
struct Row {
    group: u32,
    number: u32,
    lat: i32,
    lon: i32,
    id_start: u32,
    id_len: u16,
    rep: u16,
}

/// Builds an [`AddressIndex`] one address at a time, so that a whole
/// département (or France) never has to sit in memory as [`BanAddress`]es.
///
/// ```
/// use passerelle_geocode::{read_ban, AddressIndexBuilder};
///
/// let csv = "id;numero;rep;nom_voie;code_postal;code_insee;nom_commune;lon;lat\n\
///            35238_1;3;;Rue de Paris;35000;35238;Rennes;-1.67;48.11\n";
/// let mut builder = AddressIndexBuilder::new();
/// read_ban(csv.as_bytes(), |a| builder.push(a))?;
/// let index = builder.build();
/// assert_eq!(index.len(), 1);
/// assert_eq!(index.search("3 rue de paris rennes", 5)?[0].citycode, "35238");
/// # Ok::<(), passerelle_geocode::GeocodeError>(())
/// ```
#[derive(Debug, Default)]
pub struct AddressIndexBuilder {
    names: Interner,
    cities: HashMap<(Box<str>, Box<str>), u32>,
    city_list: Vec<(Box<str>, Box<str>)>,
    postcodes: Interner,
    reps: Interner,
    groups: HashMap<(u32, u32, u32), u32>,
    group_list: Vec<(u32, u32, u32)>,
    rows: Vec<Row>,
    ids: String,
}

#[derive(Debug, Default)]
struct Interner {
    map: HashMap<Box<str>, u32>,
    list: Vec<Box<str>>,
}

impl Interner {
    fn intern(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.map.get(s) {
            return i;
        }
        let i = u32::try_from(self.list.len()).expect("fewer than 4 billion strings");
        self.list.push(s.into());
        self.map.insert(s.into(), i);
        i
    }
}

impl AddressIndexBuilder {
    /// An empty builder.
    ///
    /// ```
    /// assert!(passerelle_geocode::AddressIndexBuilder::new().is_empty());
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of addresses pushed so far.
    ///
    /// ```
    /// assert_eq!(passerelle_geocode::AddressIndexBuilder::new().len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// True before the first [`push`](Self::push).
    ///
    /// ```
    /// assert!(passerelle_geocode::AddressIndexBuilder::new().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Adds one address. Coordinates are kept to 1e-7 degree (1 cm).
    ///
    /// ```
    /// use passerelle_geocode::{AddressIndexBuilder, BanAddress};
    ///
    /// let mut b = AddressIndexBuilder::new();
    /// b.push(BanAddress { id: "x".into(), housenumber: 1, rep: None, street: "Rue A".into(),
    ///     postcode: "35000".into(), citycode: "35238".into(), city: "Rennes".into(),
    ///     lat: 48.1, lon: -1.6 });
    /// assert_eq!(b.len(), 1);
    /// ```
    pub fn push(&mut self, a: BanAddress) {
        let name = self.names.intern(&a.street);
        let key = (Box::<str>::from(a.citycode), Box::<str>::from(a.city));
        let city = match self.cities.get(&key) {
            Some(&c) => c,
            None => {
                let c = u32::try_from(self.city_list.len()).expect("fewer than 4 billion cities");
                self.city_list.push(key.clone());
                self.cities.insert(key, c);
                c
            }
        };
        let postcode = self.postcodes.intern(&a.postcode);
        let group = *self
            .groups
            .entry((name, city, postcode))
            .or_insert_with(|| {
                self.group_list.push((name, city, postcode));
                u32::try_from(self.group_list.len() - 1).expect("fewer than 4 billion streets")
            });
        // Rep ids fit u16: the BAN has a few hundred distinct values.
        let rep = match a.rep.as_deref() {
            None | Some("") => 0,
            Some(r) => u16::try_from(self.reps.intern(r) + 1).unwrap_or(u16::MAX),
        };
        let id_start = u32::try_from(self.ids.len()).expect("ids under 4 GB");
        let id = a.id.get(..a.id.len().min(u16::MAX as usize)).unwrap_or("");
        self.ids.push_str(id);
        self.rows.push(Row {
            group,
            number: a.housenumber,
            lat: to_fixed(a.lat),
            lon: to_fixed(a.lon),
            id_start,
            id_len: id.len() as u16,
            rep,
        });
    }

    /// Freezes the index. Takes about a second for Paris (158,000 addresses).
    ///
    /// ```
    /// let index = passerelle_geocode::AddressIndexBuilder::new().build();
    /// assert!(index.is_empty());
    /// ```
    pub fn build(self) -> AddressIndex {
        let Self {
            names,
            city_list,
            postcodes,
            reps,
            group_list,
            mut rows,
            ids,
            ..
        } = self;
        let names = names.list;

        // Token dictionary over street and city words.
        let name_words: Vec<Vec<String>> = names.iter().map(|n| normalize::words(n)).collect();
        let city_words: Vec<Vec<String>> =
            city_list.iter().map(|(_, n)| normalize::words(n)).collect();
        let mut all: Vec<&str> = name_words
            .iter()
            .chain(&city_words)
            .flatten()
            .map(String::as_str)
            .collect();
        all.sort_unstable();
        all.dedup();
        let tokens: Vec<Box<str>> = all.iter().map(|&s| s.into()).collect();
        drop(all);
        let tid = |s: &str| -> u32 {
            tokens
                .binary_search_by(|t| (**t).cmp(s))
                .expect("token in dictionary") as u32
        };
        let to_csr = |lists: &[Vec<String>]| -> (Vec<u32>, Vec<u32>) {
            let mut offsets = Vec::with_capacity(lists.len() + 1);
            let mut flat = Vec::new();
            offsets.push(0);
            for l in lists {
                flat.extend(l.iter().map(|w| tid(w)));
                offsets.push(flat.len() as u32);
            }
            (offsets, flat)
        };
        let (name_tok_offsets, name_toks) = to_csr(&name_words);
        let (city_tok_offsets, city_toks) = to_csr(&city_words);
        drop(name_words);
        drop(city_words);
        let stop: Vec<bool> = tokens.iter().map(|t| is_stopword(t)).collect();

        // Postings: token → street names containing it (stopwords excluded).
        let mut counts = vec![0u32; tokens.len() + 1];
        let content = |n: usize| -> Vec<u32> {
            let mut v: Vec<u32> = name_toks
                [name_tok_offsets[n] as usize..name_tok_offsets[n + 1] as usize]
                .iter()
                .copied()
                .filter(|&t| !stop[t as usize])
                .collect();
            v.sort_unstable();
            v.dedup();
            v
        };
        for n in 0..names.len() {
            for t in content(n) {
                counts[t as usize + 1] += 1;
            }
        }
        for i in 1..counts.len() {
            counts[i] += counts[i - 1];
        }
        let posting_offsets = counts;
        let mut fill = posting_offsets.clone();
        let mut postings = vec![0u32; *posting_offsets.last().unwrap_or(&0) as usize];
        for n in 0..names.len() {
            for t in content(n) {
                postings[fill[t as usize] as usize] = n as u32;
                fill[t as usize] += 1;
            }
        }
        drop(fill);
        let total_names = names.len() as f32;
        let idf: Vec<f32> = (0..tokens.len())
            .map(|t| idf(total_names, posting_offsets[t + 1] - posting_offsets[t]))
            .collect();
        let name_weight: Vec<f32> = (0..names.len())
            .map(|n| content(n).iter().map(|&t| idf[t as usize]).sum())
            .collect();
        let mut is_city = vec![false; tokens.len()];
        for &t in &city_toks {
            is_city[t as usize] = true;
        }

        // Typo table: every token with one (two for long ones) letter deleted.
        let mut deletes: Vec<(u32, u32)> = Vec::new();
        let mut hashes = Vec::new();
        for (t, tok) in tokens.iter().enumerate() {
            if stop[t] || tok.bytes().any(|b| b.is_ascii_digit()) {
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
        let deletes = TypoTable::new(deletes);

        // Groups sorted by street name, so a name's groups are contiguous.
        let mut order: Vec<u32> = (0..group_list.len() as u32).collect();
        order.sort_unstable_by_key(|&g| group_list[g as usize]);
        let mut new_id = vec![0u32; group_list.len()];
        for (new, &old) in order.iter().enumerate() {
            new_id[old as usize] = new as u32;
        }
        let groups: Vec<Group> = order
            .iter()
            .map(|&g| {
                let (name, city, postcode) = group_list[g as usize];
                Group {
                    name,
                    city,
                    postcode,
                }
            })
            .collect();
        drop(order);
        let mut name_group_offsets = vec![0u32; names.len() + 1];
        for g in &groups {
            name_group_offsets[g.name as usize + 1] += 1;
        }
        for i in 1..name_group_offsets.len() {
            name_group_offsets[i] += name_group_offsets[i - 1];
        }

        let rep_list = reps.list;
        let rep_ranks: Vec<u8> = std::iter::once(0)
            .chain(rep_list.iter().map(|r| rep_rank(Some(r))))
            .collect();
        let rep_canon: Vec<Box<str>> = std::iter::once(Box::<str>::from(""))
            .chain(rep_list.iter().map(|r| canonical_rep(r).into()))
            .collect();
        for r in &mut rows {
            r.group = new_id[r.group as usize];
        }
        drop(new_id);
        rows.sort_unstable_by_key(|r| (r.group, r.number, rep_ranks[r.rep as usize], r.rep));

        // Addresses, with each id stored without its group's common prefix.
        let n = rows.len();
        let mut numbers = Vec::with_capacity(n);
        let mut addr_reps = Vec::with_capacity(n);
        let mut coords = Vec::with_capacity(n);
        let mut id_offsets = Vec::with_capacity(n + 1);
        let mut id_suffixes = String::new();
        let mut group_offsets = Vec::with_capacity(groups.len() + 1);
        let mut prefix_offsets = Vec::with_capacity(groups.len() + 1);
        let mut prefixes = String::new();
        group_offsets.push(0u32);
        prefix_offsets.push(0u32);
        let mut start = 0;
        while start < n {
            let g = rows[start].group;
            let end = start + rows[start..].partition_point(|r| r.group == g);
            let id_of =
                |r: &Row| &ids[r.id_start as usize..r.id_start as usize + r.id_len as usize];
            let first = id_of(&rows[start]);
            let mut common = first.len();
            for r in &rows[start + 1..end] {
                common = common_prefix(&first[..common], id_of(r));
            }
            prefixes.push_str(&first[..common]);
            prefix_offsets.push(prefixes.len() as u32);
            for r in &rows[start..end] {
                numbers.push(r.number);
                addr_reps.push(r.rep);
                coords.push([r.lat, r.lon]);
                id_offsets.push(id_suffixes.len() as u32);
                id_suffixes.push_str(&id_of(r)[common..]);
            }
            group_offsets.push(end as u32);
            start = end;
        }
        id_offsets.push(id_suffixes.len() as u32);
        drop(rows);
        drop(ids);

        AddressIndex {
            tokens,
            token_chars: Vec::new(),
            longest_token: 0,
            idf,
            is_city,
            is_stop: stop,
            posting_offsets,
            postings,
            deletes,
            names,
            name_tok_offsets,
            name_toks,
            name_weight,
            name_group_offsets,
            groups,
            group_offsets,
            prefix_offsets,
            prefixes,
            cities: city_list,
            city_tok_offsets,
            city_toks,
            postcodes: postcodes.list,
            rep_list,
            rep_canon,
            numbers,
            addr_reps,
            coords,
            id_offsets,
            id_suffixes,
        }
        .with_token_chars()
    }
}

impl Extend<BanAddress> for AddressIndexBuilder {
    fn extend<T: IntoIterator<Item = BanAddress>>(&mut self, iter: T) {
        for a in iter {
            self.push(a);
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Group {
    name: u32,
    city: u32,
    postcode: u32,
}

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
    tokens: Vec<Box<str>>,
    token_chars: Vec<u8>,
    longest_token: usize,
    idf: Vec<f32>,
    is_city: Vec<bool>,
    is_stop: Vec<bool>,
    posting_offsets: Vec<u32>,
    postings: Vec<u32>,
    deletes: TypoTable,
    names: Vec<Box<str>>,
    name_tok_offsets: Vec<u32>,
    name_toks: Vec<u32>,
    name_weight: Vec<f32>,
    name_group_offsets: Vec<u32>,
    groups: Vec<Group>,
    group_offsets: Vec<u32>,
    prefix_offsets: Vec<u32>,
    prefixes: String,
    cities: Vec<(Box<str>, Box<str>)>,
    city_tok_offsets: Vec<u32>,
    city_toks: Vec<u32>,
    postcodes: Vec<Box<str>>,
    rep_list: Vec<Box<str>>,
    rep_canon: Vec<Box<str>>,
    numbers: Vec<u32>,
    addr_reps: Vec<u16>,
    coords: Vec<[i32; 2]>,
    id_offsets: Vec<u32>,
    id_suffixes: String,
}

impl FromIterator<BanAddress> for AddressIndex {
    fn from_iter<T: IntoIterator<Item = BanAddress>>(iter: T) -> Self {
        let mut b = AddressIndexBuilder::new();
        b.extend(iter);
        b.build()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum WordKind {
    Text,
    Number,
    Ordinal,
}

#[derive(Debug)]
struct Word {
    kind: WordKind,
    chars: usize,
    exact: Option<u32>,
    /// For a bare number: the arrondissement token ("11" → "11e").
    alt: Option<u32>,
    /// Token id range of the completions of a last, unfinished word.
    prefix: Option<(u32, u32, u8)>,
    fuzzy: Vec<(u32, f32)>,
    /// Street names reachable from this word (postings, all forms).
    df: u32,
    weight: f32,
    generic: bool,
    city_possible: bool,
}

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

#[derive(Debug)]
struct Query {
    number: Option<(u32, Option<String>)>,
    postcode: Option<String>,
    words: Vec<Word>,
    stops: Vec<u32>,
    /// Words of two letters or more, and how many match some known token.
    telling: usize,
    recognised: usize,
}

#[derive(Debug, Clone, Copy)]
struct Candidate {
    score: f32,
    size: u32,
    group: u32,
    addr: u32,
    kind: MatchKind,
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

    fn with_token_chars(mut self) -> Self {
        self.token_chars = self
            .tokens
            .iter()
            .map(|t| t.chars().count().min(255) as u8)
            .collect();
        self.longest_token = self.token_chars.iter().max().map_or(0, |&l| usize::from(l));
        self
    }

    /// Number of addresses indexed.
    ///
    /// ```
    /// assert_eq!(passerelle_geocode::AddressIndex::build(Vec::new()).len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.numbers.len()
    }

    /// True when no address is indexed.
    ///
    /// ```
    /// assert!(passerelle_geocode::AddressIndex::build(Vec::new()).is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.numbers.is_empty()
    }

    /// Number of streets: distinct (street name, commune, postcode).
    ///
    /// ```
    /// assert_eq!(passerelle_geocode::AddressIndex::build(Vec::new()).street_count(), 0);
    /// ```
    pub fn street_count(&self) -> usize {
        self.groups.len()
    }

    /// Heap bytes held by the index (capacity of its vectors and strings),
    /// to size a deployment: about 33 bytes per address for Paris.
    ///
    /// ```
    /// assert!(passerelle_geocode::AddressIndex::build(Vec::new()).heap_bytes() < 1024);
    /// ```
    pub fn heap_bytes(&self) -> usize {
        fn v<T>(x: &Vec<T>) -> usize {
            x.capacity() * std::mem::size_of::<T>()
        }
        fn strs(x: &[Box<str>]) -> usize {
            x.iter().map(|s| s.len()).sum::<usize>() + std::mem::size_of_val(x)
        }
        strs(&self.tokens)
            + v(&self.token_chars)
            + v(&self.idf)
            + v(&self.is_city)
            + v(&self.is_stop)
            + v(&self.posting_offsets)
            + v(&self.postings)
            + self.deletes.heap_bytes()
            + strs(&self.names)
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
        let q = self.parse(query).map_err(GeocodeError::Query)?;
        let limit = limit.min(MAX_LIMIT);
        if limit == 0 {
            return Ok(Vec::new());
        }
        let mut best: Vec<Candidate> = Vec::with_capacity(limit + 1);
        for name in self.candidates(&q) {
            self.score_name(&q, name, limit, &mut best);
        }
        // Nothing found and mostly unknown words: a key mash, not a street
        // missing from the base.
        if best.is_empty() && 2 * q.recognised < q.telling {
            return Err(GeocodeError::Query(QueryProblem::Unrecognised));
        }
        Ok(best.iter().map(|c| self.result(c)).collect())
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
        let q = self.parse(query)?;
        let (housenumber, rep) = q.number.map_or((None, None), |(n, rep)| (Some(n), rep));
        Ok(ParsedQuery {
            housenumber,
            rep,
            postcode: q.postcode,
            words: q.words.len(),
        })
    }

    /// A two-letter repetition index of the base ("ba", "bv" in Paris)
    /// that is not a word of a street, unless a street type follows.
    fn is_known_rep(&self, token: &str, next: Option<&str>) -> bool {
        let mut after = Vec::new();
        if let Some(n) = next {
            canonical_into(n, &mut after);
        }
        token.len() == 2
            && normalize::abbreviation(token).is_none()
            && self.rep_canon.iter().any(|r| **r == *token)
            && (self.token_id(token).is_none_or(|t| self.df(t) == 0)
                || after.first().is_some_and(|w| is_street_type(w)))
    }

    fn token_id(&self, s: &str) -> Option<u32> {
        self.tokens
            .binary_search_by(|t| (**t).cmp(s))
            .ok()
            .map(|i| i as u32)
    }

    fn df(&self, t: u32) -> u32 {
        self.posting_offsets[t as usize + 1] - self.posting_offsets[t as usize]
    }

    fn parse(&self, query: &str) -> Result<Query, QueryProblem> {
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
                Item::Stop(s) => q.stops.extend(self.token_id(s)),
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

    fn word(&self, w: &str, prefix_of: Option<&str>) -> Word {
        let is_digits = w.bytes().all(|b| b.is_ascii_digit());
        let kind = if is_digits {
            WordKind::Number
        } else if normalize::ordinal(w).is_some() {
            WordKind::Ordinal
        } else {
            WordKind::Text
        };
        let exact = self.token_id(w);
        let alt = if is_digits {
            self.token_id(&format!("{w}e"))
        } else {
            None
        };
        let mut prefix = None;
        if kind == WordKind::Text
            && let Some(p) = prefix_of
        {
            let lo = self.tokens.partition_point(|t| **t < *p);
            let hi = lo + self.tokens[lo..].partition_point(|t| t.starts_with(p));
            if hi > lo && !(hi == lo + 1 && Some(lo as u32) == exact) {
                prefix = Some((lo as u32, hi as u32, p.chars().count().min(255) as u8));
            }
        }
        // Typos are looked for even when the word exists: "Beauce" typed
        // "Beaune" is a real street too. Exact matches still score higher.
        let fuzzy = if kind == WordKind::Text && prefix.is_none() {
            self.fuzzy(w)
        } else {
            Vec::new()
        };
        let mut df = exact.map_or(0, |t| self.df(t));
        if let Some((lo, hi, _)) = prefix {
            df += self.posting_offsets[hi as usize] - self.posting_offsets[lo as usize];
        }
        let fuzzy_df = fuzzy.iter().map(|&(t, _)| self.df(t)).sum::<u32>();
        // The weight of a known word is its own rarity, not its neighbours'.
        let weight_df = if df > 0 { df } else { fuzzy_df };
        df += fuzzy_df;
        let city_possible = exact
            .into_iter()
            .chain(alt)
            .any(|t| self.is_city[t as usize])
            || fuzzy.iter().any(|&(t, _)| self.is_city[t as usize])
            || prefix.is_some_and(|(lo, hi, _)| (lo..hi).any(|t| self.is_city[t as usize]));
        let n = self.names.len() as f32;
        let weight = if weight_df > 0 {
            idf(n, weight_df)
        } else if city_possible || kind != WordKind::Text {
            CITY_WEIGHT
        } else {
            idf(n, 0) + 1.0
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

    fn fuzzy(&self, w: &str) -> Vec<(u32, f32)> {
        let chars: Vec<char> = w.chars().collect();
        // Four letters may be a five-letter word that lost one ("pmpe").
        // Longer than any known word + 2 is a key mash: skip its n² forms.
        if chars.len() < 4
            || chars.len() > self.longest_token + 2
            || w.bytes().any(|b| b.is_ascii_digit())
        {
            return Vec::new();
        }
        let depth = if chars.len() >= 9 { 2 } else { 1 };
        let mut hashes = Vec::new();
        deletion_hashes(&chars, depth, &mut hashes);
        let mut found: Vec<u32> = Vec::new();
        for h in hashes {
            found.extend(self.deletes.tokens(h));
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
                out.push((t, if d == 1 { 0.8 } else { 0.65 }));
            }
        }
        out
    }

    /// Street names worth scoring: postings of the rarest word, plus those
    /// of the other selective words (in case the rarest one is a wrong
    /// word), or, when even the rarest word is common, the names that have
    /// both of the two rarest words.
    fn candidates(&self, q: &Query) -> Vec<u32> {
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
            let a = self.posting_offsets[lo as usize] as usize;
            let b = self.posting_offsets[hi as usize] as usize;
            out.extend_from_slice(&self.postings[a..b]);
        }
        if ranges.len() > 1 || w.prefix.is_some() {
            out.sort_unstable();
            out.dedup();
        }
        out
    }

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

    fn token_quality(&self, w: &Word, t: u32) -> f32 {
        if Some(t) == w.exact || Some(t) == w.alt {
            return 1.0;
        }
        let mut q = 0.0f32;
        if let Some((lo, hi, len)) = w.prefix
            && (lo..hi).contains(&t)
        {
            let full = f32::from(self.token_chars[t as usize].max(1));
            q = 0.75 + 0.2 * (f32::from(len) / full).min(1.0);
        }
        for &(f, fq) in &w.fuzzy {
            if f == t {
                q = q.max(fq);
            }
        }
        q
    }

    fn score_name(&self, q: &Query, name: u32, limit: usize, best: &mut Vec<Candidate>) {
        let n = name as usize;
        let toks = &self.name_toks
            [self.name_tok_offsets[n] as usize..self.name_tok_offsets[n + 1] as usize];
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
                .filter(|&&t| !self.is_stop[t as usize])
                .all(|&t| q.words.iter().any(|w| self.token_quality(w, t) > 0.0))
        {
            return;
        }
        // Share of the street's own words that the query mentions.
        let mut covered = 0.0f32;
        for (k, &t) in toks.iter().enumerate() {
            if self.is_stop[t as usize] || toks[..k].contains(&t) {
                continue;
            }
            if q.words.iter().any(|w| self.token_quality(w, t) > 0.0) {
                covered += self.idf[t as usize];
            }
        }
        let weight = self.name_weight[n];
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

        let base = 0.12 * coverage + 0.03 * stop;
        let mut den = 0.75;
        if q.postcode.is_some() {
            den += 0.1;
        }
        if q.number.is_some() {
            den += 0.15;
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
        let bound = (0.6 * (street_text + city_room) / total + base + den - 0.75) / den;
        if (best.len() == limit && bound <= best[limit - 1].score) || bound < MIN_SCORE as f32 {
            return;
        }

        let groups = self.name_group_offsets[n]..self.name_group_offsets[n + 1];
        for g in groups {
            let group = self.groups[g as usize];
            let c = group.city as usize;
            let city_toks = &self.city_toks
                [self.city_tok_offsets[c] as usize..self.city_tok_offsets[c + 1] as usize];
            let mut text = 0.0f32;
            for (i, w) in q.words.iter().enumerate() {
                let mut s = street_q[i];
                if s < 1.0 && w.city_possible {
                    s = s.max(self.quality(w, city_toks));
                }
                text += w.weight * s;
            }
            let mut num = 0.6 * text / total + base;
            if let Some(pc) = &q.postcode {
                let own = &*self.postcodes[group.postcode as usize];
                num += 0.1
                    * if own == pc {
                        1.0
                    } else if own.get(..2) == pc.get(..2) {
                        0.3
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
            if q.number.is_some() && !beats((num + 0.15) / den) {
                continue;
            }
            let (addr, number_score, kind) = self.pick(g, q.number.as_ref());
            num += 0.15 * number_score;
            let score = num / den;
            if !beats(score) {
                continue;
            }
            let size = self.group_offsets[g as usize + 1] - self.group_offsets[g as usize];
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
        let (a, b) = (
            self.group_offsets[g as usize] as usize,
            self.group_offsets[g as usize + 1] as usize,
        );
        let nums = &self.numbers[a..b];
        let Some((n, rep)) = number else {
            return ((a + nums.len() / 2) as u32, 0.0, MatchKind::Street);
        };
        let (n, want) = (*n, rep.as_deref().unwrap_or(""));
        let lo = nums.partition_point(|&x| x < n);
        let hi = lo + nums[lo..].partition_point(|&x| x == n);
        if hi > lo {
            for i in lo..hi {
                if *self.rep_canon[self.addr_reps[a + i] as usize] == *want {
                    return ((a + i) as u32, 1.0, MatchKind::Exact);
                }
            }
            return ((a + lo) as u32, 0.9, MatchKind::SameNumber);
        }
        // Nearest number, preferring the same side of the street.
        let mut best = (a + lo.min(nums.len() - 1), f32::MIN);
        let mut consider = |i: usize| {
            let d = nums[i].abs_diff(n) as f32;
            let side = if nums[i] % 2 == n % 2 { 0.45 } else { 0.3 };
            let s = side / (1.0 + d / 20.0);
            if s > best.1 {
                best = (a + i, s);
            }
        };
        for i in (0..lo).rev().take(64) {
            consider(i);
        }
        for i in (lo..nums.len()).take(64) {
            consider(i);
        }
        (best.0 as u32, best.1.max(0.0), MatchKind::NearestNumber)
    }

    fn result(&self, c: &Candidate) -> SearchResult {
        let group = self.groups[c.group as usize];
        let a = c.addr as usize;
        let street = self.names[group.name as usize].to_string();
        let postcode = self.postcodes[group.postcode as usize].to_string();
        let (citycode, city) = &self.cities[group.city as usize];
        let [lat, lon] = self.coords[a];
        let numbered = c.kind != MatchKind::Street;
        let rep = (numbered && self.addr_reps[a] != 0)
            .then(|| self.rep_list[self.addr_reps[a] as usize - 1].to_string());
        let id = numbered.then(|| {
            let g = c.group as usize;
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
            score: f64::from(c.score.clamp(0.0, 1.0)),
            kind: c.kind,
        }
    }
}

fn idf(names: f32, df: u32) -> f32 {
    ((names + 1.0) / (df as f32 + 0.5)).ln().max(0.01)
}

fn to_fixed(deg: f64) -> i32 {
    (deg * FIXED_POINT).round() as i32
}

fn from_fixed(v: i32) -> f64 {
    // Exact operands, so 23728000 / 1e7 is the double nearest to 2.3728.
    f64::from(v) / FIXED_POINT
}

fn common_prefix(a: &str, b: &str) -> usize {
    let mut n = 0;
    for ((i, x), y) in a.char_indices().zip(b.chars()) {
        if x != y {
            return i;
        }
        n = i + x.len_utf8();
    }
    n
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

    #[test]
    fn labels() {
        assert_eq!(city_label("Paris 1er Arrondissement"), "Paris");
        assert_eq!(city_label("Lyon 3e Arrondissement"), "Lyon");
        assert_eq!(city_label("Saint-Malo"), "Saint-Malo");
        assert_eq!(rep_label("b"), "bis");
        assert_eq!(rep_label("a"), "A");
        assert_eq!(split_number("12bis", true), Some((12, Some("b".into()))));
        assert_eq!(split_number("5001a", false), Some((5001, Some("a".into()))));
        assert_eq!(split_number("11e", false), None);
        assert_eq!(split_number("13e", true), Some((13, Some("e".into()))));
        assert_eq!(split_number("1er", true), None);
        assert_eq!(split_number("12345", true), None);
    }
}
