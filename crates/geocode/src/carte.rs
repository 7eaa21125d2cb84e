//! The address-range carte scolaire (`fr-en-carte-scolaire-colleges-publics`).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Read;

use crate::GeocodeError;
use crate::ban::trim_bom;
use crate::normalize::{osa_distance, rep_rank, street_key};

/// What a carte scolaire says about one address.
///
/// ```
/// use passerelle_geocode::Resolution;
///
/// let r = Resolution::Found(vec!["0350734H".into()]);
/// assert_eq!(r.uais(), ["0350734H"]);
/// assert!(Resolution::StreetNotFound.uais().is_empty());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Resolution {
    /// The collège(s) of the sector, sorted; several when the map lists the
    /// same range (or commune) for several collèges: the family gets one of them.
    Found(Vec<String>),
    /// Rows that overlap for this address name different collèges; the map
    /// must be fixed. Also listed in [`CarteReport::conflicts`].
    Conflict {
        /// Every collège named by the overlapping rows, sorted.
        uais: Vec<String>,
        /// The 1-based lines of those rows.
        lines: Vec<u64>,
    },
    /// The map has no row for this commune (INSEE code).
    CommuneNotCovered,
    /// The commune is split by street, and this street is not listed.
    StreetNotFound,
    /// The street is listed, but no range holds this number.
    NumberNotCovered,
}

impl Resolution {
    /// The collèges found, or an empty slice.
    ///
    /// ```
    /// assert!(passerelle_geocode::Resolution::CommuneNotCovered.uais().is_empty());
    /// ```
    pub fn uais(&self) -> &[String] {
        match self {
            Self::Found(u) => u,
            _ => &[],
        }
    }
}

/// A range (or a whole commune) that the map assigns to several collèges.
///
/// ```
/// let s = passerelle_geocode::SharedSector { citycode: "35238".into(), street: None,
///     lines: vec![2, 3], uais: vec!["0350895H".into(), "0351638R".into()] };
/// assert_eq!(s.uais.len(), 2);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SharedSector {
    /// INSEE code of the commune.
    pub citycode: String,
    /// `Type_et_Libelle` as written, `None` for a whole commune.
    pub street: Option<String>,
    /// The 1-based lines of the rows.
    pub lines: Vec<u64>,
    /// The collèges, sorted.
    pub uais: Vec<String>,
}

/// Two ranges of one street that overlap (same number, compatible parity)
/// but name different collèges.
///
/// ```
/// let c = passerelle_geocode::RangeConflict { citycode: "35238".into(),
///     street: "LIEU DIT LES 5 CHEMINS".into(), lines: vec![1307, 1308],
///     uais: vec!["0350760L".into(), "0351796M".into()] };
/// assert!(c.lines.contains(&1308));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RangeConflict {
    /// INSEE code of the commune.
    pub citycode: String,
    /// `Type_et_Libelle` as written in the first row.
    pub street: String,
    /// The 1-based lines of the rows of both ranges.
    pub lines: Vec<u64>,
    /// Every collège they name, sorted.
    pub uais: Vec<String>,
}

/// A row that was left out, and why.
///
/// ```
/// let r = passerelle_geocode::RejectedRow { line: 9, problem: "bad UAI".into() };
/// assert_eq!(r.line, 9);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RejectedRow {
    /// 1-based line.
    pub line: u64,
    /// What is wrong with it.
    pub problem: String,
}

/// What [`CarteScolaire::read`] found in a file, for the person importing it.
///
/// ```
/// let r = passerelle_geocode::CarteReport::default();
/// assert!(r.conflicts.is_empty() && r.rejected.is_empty());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CarteReport {
    /// Data rows read (the header excluded).
    pub rows: usize,
    /// Communes with at least one row.
    pub communes: usize,
    /// Distinct collèges (UAIs).
    pub colleges: usize,
    /// Rows with `Secteur_unique = O` (whole commune).
    pub whole_commune_rows: usize,
    /// Rows by street and number range.
    pub street_rows: usize,
    /// Ranges or communes listed for several collèges: normal for the
    /// sectors that have more than one collège.
    pub shared: Vec<SharedSector>,
    /// Overlapping ranges of one street with different collèges: never
    /// resolved silently, [`CarteScolaire::resolve`] answers
    /// [`Resolution::Conflict`] there.
    pub conflicts: Vec<RangeConflict>,
    /// Pairs of lines that overlap but name the same collège (harmless).
    pub redundant: Vec<[u64; 2]>,
    /// Communes with both whole-commune and street rows: street rows win
    /// where they list the street, the whole-commune rows elsewhere.
    pub mixed_communes: Vec<String>,
    /// Rows left out (unreadable numbers, invalid UAI, street missing).
    pub rejected: Vec<RejectedRow>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Parity {
    Even,
    Odd,
    Both,
}

impl Parity {
    fn admits(self, n: u32) -> bool {
        match self {
            Self::Even => n.is_multiple_of(2),
            Self::Odd => n % 2 == 1,
            Self::Both => true,
        }
    }

    fn meets(self, other: Self) -> bool {
        self == Self::Both || other == Self::Both || self == other
    }
}

/// (number, repetition rank), compared in address order.
type Bound = (u32, u8);

/// One distinct range of a street, with every row that lists it.
#[derive(Debug, Clone)]
struct Range {
    start: Bound,
    end: Bound,
    parity: Parity,
    uais: Vec<u16>,
    lines: Vec<u64>,
}

impl Range {
    fn holds(&self, at: Bound) -> bool {
        self.start <= at && at <= self.end && self.parity.admits(at.0)
    }

    /// Whether some address lies in both ranges.
    fn overlaps(&self, other: &Self) -> bool {
        let lo = self.start.max(other.start);
        let hi = self.end.min(other.end);
        if lo > hi || !self.parity.meets(other.parity) {
            return false;
        }
        let parity = if self.parity == Parity::Both {
            other.parity
        } else {
            self.parity
        };
        // Two or more numbers in common: both parities are there.
        hi.0 > lo.0 || parity.admits(lo.0)
    }
}

#[derive(Debug, Clone)]
struct Street {
    label: Box<str>,
    words: Vec<Vec<char>>,
    ranges: Vec<Range>,
}

#[derive(Debug, Default)]
struct Commune {
    whole: Vec<u16>,
    streets: HashMap<String, Street>,
}

/// An address-range carte scolaire, ready to answer which collège serves
/// an address; see [`CarteScolaire::resolve`].
///
/// ```
/// use passerelle_geocode::{CarteScolaire, Resolution};
///
/// let csv = "\u{feff}code_insee;libelle_commune;Type_et_Libelle;No_de_voie_debut;\
/// Indice_de_repetition_debut;No_de_voie_fin;Indice_de_repetition_fin;Parite;Code_RNE;Secteur_unique
/// 35001;Acigné;;;;;;;0352167R;O
/// 35238;Rennes;R DE NANTES;2;;9999;;P;0350734H;N
/// 35238;Rennes;R DE NANTES;117;;203;;I;0350033W;N
/// ";
/// let (carte, report) = CarteScolaire::read(csv.as_bytes())?;
/// assert_eq!((report.rows, report.communes, report.colleges), (3, 2, 3));
/// assert_eq!(carte.resolve("35001", "Rue du Stade", 4), Resolution::Found(vec!["0352167R".into()]));
/// assert_eq!(carte.resolve("35238", "Rue de Nantes", 44), Resolution::Found(vec!["0350734H".into()]));
/// assert_eq!(carte.resolve("35238", "rue de nantes", 121), Resolution::Found(vec!["0350033W".into()]));
/// assert_eq!(carte.resolve("35238", "Rue de Nantes", 5), Resolution::NumberNotCovered);
/// assert_eq!(carte.resolve("35238", "Rue de Brest", 5), Resolution::StreetNotFound);
/// assert_eq!(carte.resolve("75111", "Rue de Nantes", 5), Resolution::CommuneNotCovered);
/// # Ok::<(), passerelle_geocode::GeocodeError>(())
/// ```
#[derive(Debug)]
pub struct CarteScolaire {
    communes: HashMap<String, Commune>,
    uais: Vec<String>,
}

const COLUMNS: [&str; 10] = [
    "code_insee",
    "Type_et_Libelle",
    "No_de_voie_debut",
    "Indice_de_repetition_debut",
    "No_de_voie_fin",
    "Indice_de_repetition_fin",
    "Parite",
    "Code_RNE",
    "Secteur_unique",
    "lieu_dit",
];
/// Columns 0..OPTIONAL_FROM are required; the others may be missing.
const OPTIONAL_FROM: usize = 9;

impl CarteScolaire {
    /// Reads the national `fr-en-carte-scolaire-colleges-publics` CSV
    /// (`;`-separated, BOM and CRLF tolerated, columns matched by name,
    /// case-insensitively).
    ///
    /// Missing columns, invalid UTF-8 and read failures are errors. Rows
    /// that cannot be used are listed in [`CarteReport::rejected`], and
    /// overlapping rows in [`CarteReport::conflicts`],
    /// [`CarteReport::shared`] and [`CarteReport::redundant`].
    ///
    /// ```
    /// use passerelle_geocode::CarteScolaire;
    ///
    /// let err = CarteScolaire::read("code_insee;Code_RNE\n".as_bytes()).unwrap_err();
    /// assert_eq!(err.to_string(), "line 1: missing column `Type_et_Libelle`");
    /// ```
    pub fn read(reader: impl Read) -> Result<(Self, CarteReport), GeocodeError> {
        let (reader, line_of) =
            crate::lines::count_lines(crate::TextGuard::new(reader).final_line_break());
        let mut csv = csv::ReaderBuilder::new()
            .delimiter(b';')
            .flexible(false)
            .from_reader(reader);
        let header = csv
            .byte_headers()
            .map_err(|e| GeocodeError::from_csv(e, &line_of, 0))?
            .clone();
        let mut cols = [usize::MAX; COLUMNS.len()];
        for (k, name) in COLUMNS.iter().enumerate() {
            match header.iter().position(|h| {
                trim_bom(h)
                    .trim_ascii()
                    .eq_ignore_ascii_case(name.as_bytes())
            }) {
                Some(i) => cols[k] = i,
                None if k >= OPTIONAL_FROM => {}
                None => {
                    return Err(GeocodeError::MissingColumn {
                        column: (*name).to_string(),
                    });
                }
            }
        }

        let mut report = CarteReport::default();
        let mut uai_ids: HashMap<String, u16> = HashMap::new();
        let mut uais: Vec<String> = Vec::new();
        let mut communes: HashMap<String, Commune> = HashMap::new();
        let mut has_whole: BTreeMap<String, Vec<u64>> = BTreeMap::new();
        let mut record = csv::ByteRecord::new();
        let mut last_line = 1;
        while let Some(line) = line_of.next_record(&mut csv, &mut record, &mut last_line)? {
            report.rows += 1;
            let mut f = [""; COLUMNS.len()];
            for (k, &c) in cols.iter().enumerate() {
                if c == usize::MAX {
                    continue;
                }
                f[k] = std::str::from_utf8(&record[c])
                    .map_err(|_| {
                        GeocodeError::row(line, format!("invalid UTF-8 in column `{}`", COLUMNS[k]))
                    })?
                    .trim();
            }
            let [
                code,
                street,
                start,
                start_rep,
                end,
                end_rep,
                parity,
                uai,
                unique,
                _lieu,
            ] = f;
            let mut reject = |problem: String| report.rejected.push(RejectedRow { line, problem });
            if code.is_empty() {
                reject("empty code_insee".into());
                continue;
            }
            let uai = uai.to_ascii_uppercase();
            if !is_uai(&uai) {
                reject(format!(
                    "Code_RNE {uai:?} is not a UAI (7 digits and a letter)"
                ));
                continue;
            }
            let next = uais.len();
            let Ok(next) = u16::try_from(next) else {
                reject("more than 65,535 collèges in one file".into());
                continue;
            };
            let u = *uai_ids.entry(uai.clone()).or_insert_with(|| {
                uais.push(uai);
                next
            });
            let commune = communes.entry(code.to_string()).or_default();
            if unique.eq_ignore_ascii_case("O") {
                report.whole_commune_rows += 1;
                commune.whole.push(u);
                has_whole.entry(code.to_string()).or_default().push(line);
                continue;
            }
            let key = street_key(street);
            if key.is_empty() {
                reject("Secteur_unique is not O and Type_et_Libelle is empty".into());
                continue;
            }
            let number = |text: &str, what: &str, default: u32| -> Result<u32, String> {
                if text.is_empty() {
                    return Ok(default);
                }
                text.parse::<u32>()
                    .map_err(|_| format!("{what} {text:?} is not a whole number"))
            };
            let (first, last) = match (
                number(start, "No_de_voie_debut", 0),
                number(end, "No_de_voie_fin", u32::MAX),
            ) {
                (Ok(a), Ok(b)) => (a, b),
                (Err(e), _) | (_, Err(e)) => {
                    reject(e);
                    continue;
                }
            };
            // 9999 means "to the end of the street".
            let end_bound = if last >= 9999 {
                (u32::MAX, u8::MAX)
            } else if end_rep.is_empty() {
                (last, u8::MAX)
            } else {
                (last, rep_rank(Some(end_rep)))
            };
            let start_bound = (
                first,
                rep_rank((!start_rep.is_empty()).then_some(start_rep)),
            );
            if start_bound > end_bound {
                reject(format!("range starts at {first} after it ends at {last}"));
                continue;
            }
            let parity = match parity.to_ascii_uppercase().as_str() {
                "P" => Parity::Even,
                "I" => Parity::Odd,
                _ => Parity::Both,
            };
            report.street_rows += 1;
            let entry = commune.streets.entry(key).or_insert_with_key(|k| Street {
                label: street.into(),
                words: k.split(' ').map(|w| w.chars().collect()).collect(),
                ranges: Vec::new(),
            });
            match entry
                .ranges
                .iter_mut()
                .find(|r| (r.start, r.end, r.parity) == (start_bound, end_bound, parity))
            {
                Some(r) => {
                    r.uais.push(u);
                    r.lines.push(line);
                }
                None => entry.ranges.push(Range {
                    start: start_bound,
                    end: end_bound,
                    parity,
                    uais: vec![u],
                    lines: vec![line],
                }),
            }
        }

        let names = |set: &[u16]| -> Vec<String> {
            let s: BTreeSet<&str> = set.iter().map(|&u| uais[u as usize].as_str()).collect();
            s.into_iter().map(str::to_string).collect()
        };
        let mut codes: Vec<&String> = communes.keys().collect();
        codes.sort();
        for code in codes {
            let c = &communes[code];
            if !c.whole.is_empty() {
                if names(&c.whole).len() > 1 {
                    report.shared.push(SharedSector {
                        citycode: code.clone(),
                        street: None,
                        lines: has_whole[code].clone(),
                        uais: names(&c.whole),
                    });
                }
                if !c.streets.is_empty() {
                    report.mixed_communes.push(code.clone());
                }
            }
            let mut streets: Vec<&Street> = c.streets.values().collect();
            streets.sort_by_key(|s| s.ranges[0].lines[0]);
            for s in streets {
                for (i, a) in s.ranges.iter().enumerate() {
                    if names(&a.uais).len() > 1 {
                        report.shared.push(SharedSector {
                            citycode: code.clone(),
                            street: Some(s.label.to_string()),
                            lines: a.lines.clone(),
                            uais: names(&a.uais),
                        });
                    } else if a.lines.len() > 1 {
                        report.redundant.push([a.lines[0], a.lines[1]]);
                    }
                    for b in &s.ranges[i + 1..] {
                        if !a.overlaps(b) {
                            continue;
                        }
                        if names(&a.uais) == names(&b.uais) {
                            report.redundant.push([a.lines[0], b.lines[0]]);
                        } else {
                            let mut lines = [a.lines.clone(), b.lines.clone()].concat();
                            lines.sort_unstable();
                            report.conflicts.push(RangeConflict {
                                citycode: code.clone(),
                                street: s.label.to_string(),
                                lines,
                                uais: names(&[a.uais.clone(), b.uais.clone()].concat()),
                            });
                        }
                    }
                }
            }
        }
        report.communes = communes.len();
        report.colleges = uais.len();
        Ok((Self { communes, uais }, report))
    }

    /// Which collège(s) serve `housenumber` `street` in commune `citycode`
    /// (INSEE code, as [`crate::SearchResult::citycode`]).
    ///
    /// The street is matched after the search normalisation (case, accents,
    /// abbreviations, "de"/"la"...), so "R DE PARIS" meets "Rue de Paris";
    /// failing that, a unique street of the commune that differs by one typo.
    ///
    /// ```
    /// use passerelle_geocode::{CarteScolaire, Resolution};
    ///
    /// let csv = "code_insee;Type_et_Libelle;No_de_voie_debut;Indice_de_repetition_debut;\
    /// No_de_voie_fin;Indice_de_repetition_fin;Parite;Code_RNE;Secteur_unique
    /// 35360;RUE DE PARIS;63;;83;B;I;0352008T;N
    /// ";
    /// let (carte, _) = CarteScolaire::read(csv.as_bytes())?;
    /// assert_eq!(carte.resolve("35360", "Rue de Paris", 83).uais(), ["0352008T"]);
    /// assert_eq!(carte.resolve("35360", "Rue de Paris", 84), Resolution::NumberNotCovered);
    /// # Ok::<(), passerelle_geocode::GeocodeError>(())
    /// ```
    pub fn resolve(&self, citycode: &str, street: &str, housenumber: u32) -> Resolution {
        self.resolve_with_rep(citycode, street, housenumber, None)
    }

    /// [`resolve`](Self::resolve) for a number with a repetition index
    /// ("bis", "ter", "a"...), which matters where a range starts or ends
    /// at "83 B".
    ///
    /// ```
    /// use passerelle_geocode::{CarteScolaire, Resolution};
    ///
    /// let csv = "code_insee;Type_et_Libelle;No_de_voie_debut;Indice_de_repetition_debut;\
    /// No_de_voie_fin;Indice_de_repetition_fin;Parite;Code_RNE;Secteur_unique
    /// 35360;RUE DE PARIS;63;;83;B;I;0352008T;N
    /// ";
    /// let (carte, _) = CarteScolaire::read(csv.as_bytes())?;
    /// assert_eq!(carte.resolve_with_rep("35360", "Rue de Paris", 83, Some("bis")).uais(), ["0352008T"]);
    /// assert_eq!(carte.resolve_with_rep("35360", "Rue de Paris", 83, Some("ter")), Resolution::NumberNotCovered);
    /// # Ok::<(), passerelle_geocode::GeocodeError>(())
    /// ```
    pub fn resolve_with_rep(
        &self,
        citycode: &str,
        street: &str,
        housenumber: u32,
        rep: Option<&str>,
    ) -> Resolution {
        let Some(commune) = self.communes.get(citycode) else {
            return Resolution::CommuneNotCovered;
        };
        let whole = || Resolution::Found(self.names(commune.whole.iter().copied()));
        let Some(found) = self.find_street(commune, street) else {
            return if commune.whole.is_empty() {
                Resolution::StreetNotFound
            } else {
                whole()
            };
        };
        let at = (housenumber, rep_rank(rep.filter(|r| !r.trim().is_empty())));
        let hits: Vec<&Range> = found.ranges.iter().filter(|r| r.holds(at)).collect();
        let Some(first) = hits.first() else {
            return Resolution::NumberNotCovered;
        };
        let first_set = self.names(first.uais.iter().copied());
        if hits
            .iter()
            .all(|r| self.names(r.uais.iter().copied()) == first_set)
        {
            return Resolution::Found(first_set);
        }
        let mut lines: Vec<u64> = hits.iter().flat_map(|r| r.lines.iter().copied()).collect();
        lines.sort_unstable();
        Resolution::Conflict {
            uais: self.names(hits.iter().flat_map(|r| r.uais.iter().copied())),
            lines,
        }
    }

    fn names(&self, ids: impl Iterator<Item = u16>) -> Vec<String> {
        let set: BTreeSet<&str> = ids.map(|u| self.uais[u as usize].as_str()).collect();
        set.into_iter().map(str::to_string).collect()
    }

    fn find_street<'a>(&self, commune: &'a Commune, street: &str) -> Option<&'a Street> {
        let key = street_key(street);
        if let Some(s) = commune.streets.get(&key) {
            return Some(s);
        }
        // One typo in one long word, if that designates a single street.
        let words: Vec<Vec<char>> = key.split(' ').map(|w| w.chars().collect()).collect();
        let mut found = None;
        for s in commune.streets.values() {
            if s.words.len() != words.len() {
                continue;
            }
            let mut typos = 0;
            let close = s.words.iter().zip(&words).all(|(a, b)| {
                a == b
                    || (a.len().min(b.len()) >= 5 && osa_distance(a, b, 1).is_some() && {
                        typos += 1;
                        true
                    })
            });
            if close && typos <= 1 {
                if found.is_some() {
                    return None;
                }
                found = Some(s);
            }
        }
        found
    }
}

fn is_uai(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 8 && b[..7].iter().all(u8::is_ascii_digit) && b[7].is_ascii_uppercase()
}

#[cfg(test)]
mod tests;
