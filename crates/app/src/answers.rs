//! The JSON shapes of the answers about sectors. Below both the catalog,
//! which writes each sector's "point inside" answer once when it is built,
//! and the lookups that answer with them.
use bytes::Bytes;
use passerelle_store::SchoolFacts;
use serde::Serialize;
use utoipa::ToSchema;

use crate::preserialized::Preserialized;
use crate::school_year::SchoolYear;

/// How a point was matched.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum MatchType {
    /// Inside a sector polygon.
    Inside,
    /// In a gap between polygons: the nearest sector within the allowed distance.
    Nearest,
    /// By the address-range carte scolaire of the commune.
    Range,
}

/// A sector, briefly.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct SectorRef {
    /// Null for a sector known only from an address-range carte scolaire.
    pub id: Option<i64>,
    pub name: String,
    pub territory: String,
}

/// What the service shows of a collège.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct SchoolView {
    pub uai: String,
    pub name: Option<String>,
    pub address: Option<String>,
    pub postcode: Option<String>,
    pub city: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    /// True for a public collège, false for a private one, null when unknown.
    pub public: Option<bool>,
    pub pupils: Option<i32>,
    /// The DEPP social position index (about 100 nationally).
    pub ips: Option<f64>,
    /// The rentrée the IPS and pupil count describe.
    pub ips_school_year: Option<String>,
}

impl From<SchoolFacts> for SchoolView {
    fn from(f: SchoolFacts) -> Self {
        Self {
            uai: f.uai,
            name: f.name,
            address: f.address,
            postcode: f.postcode,
            city: f.city,
            lat: f.lat,
            lon: f.lon,
            public: f.public,
            pupils: f.pupils,
            ips: f.ips,
            ips_school_year: f.ips_school_year,
        }
    }
}

/// A sector's collèges as answers show them, serialised once per sector.
pub type SchoolList = Preserialized<Vec<SchoolView>>;

/// The answer to "which sector is this point in?".
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct LookupAnswer {
    #[serde(rename = "match")]
    pub match_type: MatchType,
    /// 0 inside a sector; else the distance to the nearest sector, in metres.
    pub distance_m: f64,
    #[schema(value_type = String, example = "2024-2025")]
    pub school_year: SchoolYear,
    #[schema(value_type = SectorRef)]
    pub sector: Preserialized<SectorRef>,
    #[schema(value_type = Vec<SchoolView>)]
    pub schools: SchoolList,
    /// The address matched, for a lookup by address.
    pub address: Option<String>,
    /// The answer's JSON for a point inside a sector, written once per
    /// sector when the catalog is built (see [`LookupAnswer::to_json`]).
    #[serde(skip)]
    pub(crate) inside_json: Option<Bytes>,
}

impl LookupAnswer {
    /// The JSON of the answer for points inside a sector, which the catalog
    /// keeps with the sector: most lookups then copy no byte of it.
    pub fn inside_json(
        school_year: SchoolYear,
        sector: &Preserialized<SectorRef>,
        schools: &SchoolList,
    ) -> Bytes {
        let answer = Self {
            match_type: MatchType::Inside,
            distance_m: 0.0,
            school_year,
            sector: sector.clone(),
            schools: schools.clone(),
            address: None,
            inside_json: None,
        };
        answer.to_json()
    }

    /// The answer as JSON: shared from the catalog for a point inside a
    /// sector (unless an address was set on it since), written now otherwise.
    pub fn to_json(&self) -> Bytes {
        if let (Some(json), MatchType::Inside, None) =
            (&self.inside_json, self.match_type, &self.address)
        {
            return json.clone();
        }
        // Sized for the whole answer: from serde_json's default it would
        // grow, and be copied, three times.
        const HEAD: usize = 256;
        let capacity = HEAD
            + self.sector.json_len()
            + self.address.as_ref().map_or(0, String::len)
            + self.schools.json_len();
        let mut json = Vec::with_capacity(capacity);
        serde_json::to_writer(&mut json, self).expect("plain data always serialises to JSON");
        json.into()
    }
}
