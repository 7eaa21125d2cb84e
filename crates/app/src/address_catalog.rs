//! The address index in memory: every imported BAN address and carte
//! scolaire, searched as people type and resolved to sectors. Built from
//! the stored files when the service starts and after each import.
use std::collections::{BTreeSet, HashMap};
use std::io::BufReader;
use std::sync::Arc;

use passerelle_geocode::{
    AddressIndex, AddressIndexBuilder, CarteScolaire, GeocodeError, QueryProblem, Resolution,
    maybe_gunzip, read_ban,
};
use rstar::RTree;
use rstar::primitives::GeomWithData;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::Error;
use crate::school_year::SchoolYear;

/// Metres per degree of latitude (mean Earth radius).
const METRES_PER_DEGREE: f64 = 6_371_008.8 * std::f64::consts::PI / 180.0;

/// What the reverse lookup needs of an address.
struct Point {
    citycode: Arc<str>,
    street: Arc<str>,
    housenumber: u32,
    rep: Option<Box<str>>,
}

/// Every imported address and carte scolaire, in memory.
pub struct AddressCatalog {
    index: AddressIndex,
    /// Points in a locally isotropic plane: (lon × cos lat, lat) in degrees.
    points: RTree<GeomWithData<[f64; 2], u32>>,
    entries: Vec<Point>,
    cartes: Vec<(SchoolYear, CarteScolaire)>,
}

impl AddressCatalog {
    /// No address at all.
    pub fn empty() -> Self {
        Self {
            index: AddressIndexBuilder::new().build(),
            points: RTree::new(),
            entries: Vec::new(),
            cartes: Vec::new(),
        }
    }

    /// Builds the catalog from gzip BAN files and gzip carte files.
    pub fn build(
        ban_files: Vec<Vec<u8>>,
        carte_files: Vec<(SchoolYear, Vec<u8>)>,
    ) -> anyhow::Result<Self> {
        let mut builder = AddressIndexBuilder::new();
        let mut entries = Vec::new();
        let mut points = Vec::new();
        let mut interned: HashMap<String, Arc<str>> = HashMap::new();
        let mut intern = |s: &str| -> Arc<str> {
            interned
                .entry(s.to_owned())
                .or_insert_with(|| Arc::from(s))
                .clone()
        };
        for file in ban_files {
            let reader = maybe_gunzip(BufReader::new(file.as_slice()))?;
            read_ban(reader, |a| {
                let x = a.lon * a.lat.to_radians().cos();
                points.push(GeomWithData::new([x, a.lat], entries.len() as u32));
                entries.push(Point {
                    citycode: intern(&a.citycode),
                    street: intern(&a.street),
                    housenumber: a.housenumber,
                    rep: a.rep.as_deref().map(Box::from),
                });
                builder.push(a);
            })?;
        }
        let mut cartes = Vec::new();
        for (year, file) in carte_files {
            let reader = maybe_gunzip(BufReader::new(file.as_slice()))?;
            cartes.push((year, CarteScolaire::read(reader)?.0));
        }
        cartes.sort_by_key(|(year, _)| *year);
        Ok(Self {
            index: builder.build(),
            points: RTree::bulk_load(points),
            entries,
            cartes,
        })
    }

    /// How many addresses are loaded.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when no address is loaded.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The best addresses for a query.
    pub fn search(&self, query: &str, limit: usize) -> Result<Vec<AddressHit>, Error> {
        if self.index.is_empty() {
            return Err(Error::NotFound(
                "aucune adresse n'est importée : indiquez votre position sur la carte".into(),
            ));
        }
        let results = self.index.search(query, limit).map_err(|e| match e {
            GeocodeError::Query(problem) => Error::BadRequest(format!(
                "adresse non reconnue : {}",
                query_problem_in_french(problem)
            )),
            other => Error::Internal(other.into()),
        })?;
        Ok(results.into_iter().map(AddressHit::from).collect())
    }

    /// The address nearest to a point, within `max_m` metres, with its
    /// distance.
    fn nearest(&self, lon: f64, lat: f64, max_m: f64) -> Option<(&Point, f64)> {
        let query = [lon * lat.to_radians().cos(), lat];
        let radius = max_m / METRES_PER_DEGREE;
        let found = self.points.nearest_neighbor(query)?;
        let [x, y] = *found.geom();
        let d = ((x - query[0]).powi(2) + (y - query[1]).powi(2)).sqrt();
        (d <= radius).then(|| (&self.entries[found.data as usize], d * METRES_PER_DEGREE))
    }

    /// The carte scolaire answer for an address, from the carte of `year`
    /// (or, by default, of the current year or the latest before it) that
    /// covers its commune. `None` when no carte covers the commune.
    pub fn resolve(
        &self,
        citycode: &str,
        street: &str,
        housenumber: u32,
        rep: Option<&str>,
        year: Option<SchoolYear>,
        now: SchoolYear,
    ) -> Option<(SchoolYear, Resolution)> {
        let years: BTreeSet<SchoolYear> = self.cartes.iter().map(|(y, _)| *y).collect();
        let year = match year {
            Some(y) => y,
            None => *years.iter().rev().find(|y| **y <= now)?,
        };
        self.cartes
            .iter()
            .filter(|(y, _)| *y == year)
            .map(|(_, carte)| carte.resolve_with_rep(citycode, street, housenumber, rep))
            .find(|r| !matches!(r, Resolution::CommuneNotCovered))
            .map(|r| (year, r))
    }

    /// The carte answer for the address nearest to a point, within `max_m`.
    pub fn resolve_point(
        &self,
        lon: f64,
        lat: f64,
        max_m: f64,
        year: Option<SchoolYear>,
        now: SchoolYear,
    ) -> Option<(SchoolYear, Resolution, f64)> {
        if self.cartes.is_empty() {
            return None;
        }
        let (point, distance) = self.nearest(lon, lat, max_m)?;
        let (year, resolution) = self.resolve(
            &point.citycode,
            &point.street,
            point.housenumber,
            point.rep.as_deref(),
            year,
            now,
        )?;
        Some((year, resolution, distance))
    }
}

/// One address found.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct AddressHit {
    pub label: String,
    /// The number with its index, e.g. `12 bis`; null for a street.
    pub housenumber: Option<String>,
    pub street: String,
    pub postcode: String,
    pub city: String,
    pub citycode: String,
    pub lat: f64,
    pub lon: f64,
    /// 0 to 1.
    pub score: f64,
    #[serde(skip)]
    pub number: Option<u32>,
    #[serde(skip)]
    pub rep: Option<String>,
}

impl From<passerelle_geocode::SearchResult> for AddressHit {
    fn from(r: passerelle_geocode::SearchResult) -> Self {
        Self {
            housenumber: r.housenumber.map(|n| match &r.rep {
                Some(rep) => format!("{n} {rep}"),
                None => n.to_string(),
            }),
            label: r.label,
            street: r.street,
            postcode: r.postcode,
            city: r.city,
            citycode: r.citycode,
            lat: r.lat,
            lon: r.lon,
            score: (r.score * 1000.0).round() / 1000.0,
            number: r.housenumber,
            rep: r.rep,
        }
    }
}

/// Why an address query was refused, for the person who typed it. The
/// geocoder's own sentences are English, like the rest of its code.
fn query_problem_in_french(problem: QueryProblem) -> &'static str {
    match problem {
        QueryProblem::Empty => "la recherche est vide",
        QueryProblem::TooLong => "la recherche est trop longue pour une adresse",
        QueryProblem::TooShort => "la recherche est trop courte : tapez au moins le nom de la rue",
        QueryProblem::NoLetters => {
            "la recherche ne contient aucune lettre : tapez le nom de la rue"
        }
        QueryProblem::OnlyStopwords => {
            "la recherche ne contient que des mots courts comme « de » ou « la » : tapez le nom de la rue"
        }
        QueryProblem::NoStreetName => {
            "la recherche ne nomme aucune rue : tapez le nom de la rue, pas seulement son type, la ville ou le code postal"
        }
        // `Unrecognised`, and any problem the geocoder may add later.
        _ => {
            "cela ne ressemble pas à une adresse : aucun mot ne correspond à une rue ou une ville connue"
        }
    }
}
