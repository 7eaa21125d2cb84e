//! Building the index: addresses are interned one at a time, then frozen
//! into the dictionary, the postings and the stored streets.

use std::collections::HashMap;

use super::dictionary::{Dictionary, idf};
use super::postings::Postings;
use super::streets::{Group, Streets, to_fixed};
use crate::BanAddress;
use crate::normalize::{self, canonical_rep, is_stopword, rep_rank};

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

    /// Freezes what was pushed into the dictionary, the postings and the
    /// streets of an index.
    pub(super) fn into_parts(self) -> (Dictionary, Postings, Streets) {
        let Self {
            names,
            city_list,
            postcodes,
            reps,
            group_list,
            rows,
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
        let postings = Postings::new(tokens.len(), names.len(), content);
        let total_names = names.len() as f32;
        let idf: Vec<f32> = (0..tokens.len())
            .map(|t| idf(total_names, postings.df(t as u32)))
            .collect();
        let name_weight: Vec<f32> = (0..names.len())
            .map(|n| content(n).iter().map(|&t| idf[t as usize]).sum())
            .collect();
        let mut is_city = vec![false; tokens.len()];
        for &t in &city_toks {
            is_city[t as usize] = true;
        }
        let dictionary = Dictionary::new(tokens, idf, is_city, stop);

        let a = AddressLayout::new(names.len(), &group_list, rows, &ids, reps.list);
        let streets = Streets {
            names,
            name_tok_offsets,
            name_toks,
            name_weight,
            name_group_offsets: a.name_group_offsets,
            groups: a.groups,
            group_offsets: a.group_offsets,
            prefix_offsets: a.prefix_offsets,
            prefixes: a.prefixes,
            cities: city_list,
            city_tok_offsets,
            city_toks,
            postcodes: postcodes.list,
            rep_list: a.rep_list,
            rep_canon: a.rep_canon,
            numbers: a.numbers,
            addr_reps: a.addr_reps,
            coords: a.coords,
            id_offsets: a.id_offsets,
            id_suffixes: a.id_suffixes,
        };
        (dictionary, postings, streets)
    }
}

impl Extend<BanAddress> for AddressIndexBuilder {
    fn extend<T: IntoIterator<Item = BanAddress>>(&mut self, iter: T) {
        for a in iter {
            self.push(a);
        }
    }
}

/// The streets sorted by name and their addresses by number, in the
/// arrays of [`Streets`].
struct AddressLayout {
    name_group_offsets: Vec<u32>,
    groups: Vec<Group>,
    group_offsets: Vec<u32>,
    prefix_offsets: Vec<u32>,
    prefixes: String,
    rep_list: Vec<Box<str>>,
    rep_canon: Vec<Box<str>>,
    numbers: Vec<u32>,
    addr_reps: Vec<u16>,
    coords: Vec<[i32; 2]>,
    id_offsets: Vec<u32>,
    id_suffixes: String,
}

impl AddressLayout {
    /// Lays out `rows` of the groups `group_list` (street name, city,
    /// postcode) over `names` street names; `ids` holds the rows' ids.
    fn new(
        names: usize,
        group_list: &[(u32, u32, u32)],
        mut rows: Vec<Row>,
        ids: &str,
        rep_list: Vec<Box<str>>,
    ) -> Self {
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
        let mut name_group_offsets = vec![0u32; names + 1];
        for g in &groups {
            name_group_offsets[g.name as usize + 1] += 1;
        }
        for i in 1..name_group_offsets.len() {
            name_group_offsets[i] += name_group_offsets[i - 1];
        }
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

        Self {
            name_group_offsets,
            groups,
            group_offsets,
            prefix_offsets,
            prefixes,
            rep_list,
            rep_canon,
            numbers,
            addr_reps,
            coords,
            id_offsets,
            id_suffixes,
        }
    }
}

/// Length in bytes of the longest common prefix of `a` and `b`.
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
