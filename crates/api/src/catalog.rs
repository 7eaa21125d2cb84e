//! The in-memory sector catalog: every imported map in one R-tree, with the
//! facts each answer needs. It is rebuilt from the database after an import
//! and swapped in whole, so a lookup never sees half a map.
use std::collections::HashMap;

use bytes::Bytes;
use geo::MultiPolygon;
use passerelle_sectors::{MatchKind, SectorIndex};
use passerelle_store::{SchoolFacts, StoredSector};

use crate::preserialized::Preserialized;
use crate::school_year::SchoolYear;
use crate::services::sectors::{LookupAnswer, SchoolList, SectorRef};

/// A sector of the catalog.
#[derive(Clone, Debug)]
pub struct CatalogSector {
    pub id: i64,
    /// The sector's collèges joined with `+`: what requests and referents are
    /// matched on, stable when a map is re-imported with new ids.
    pub key: String,
    pub school_year: SchoolYear,
    pub external_id: Option<String>,
    pub uais: Vec<String>,
    /// The facts of `uais`, ready for answers.
    pub schools: SchoolList,
    /// Id, name and territory as answers show them, shared by them.
    pub reference: Preserialized<SectorRef>,
    /// The JSON answer for a point inside the sector.
    pub inside_answer: Bytes,
    territory_slot: usize,
}

impl CatalogSector {
    /// The sector's name, from its map or else from its collèges.
    pub fn name(&self) -> &str {
        &self.reference.name
    }

    /// The territory of its map, such as `paris`.
    pub fn territory(&self) -> &str {
        &self.reference.territory
    }
}

/// Which map(s) a lookup reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum YearChoice {
    /// For each territory, this year's map or else the latest one before it.
    Current(SchoolYear),
    /// Exactly this year.
    Exact(SchoolYear),
}

/// The answer to a point lookup.
#[derive(Clone, Copy, Debug)]
pub struct Found<'a> {
    pub sector: &'a CatalogSector,
    pub kind: MatchKind,
}

/// Every sector map in memory.
pub struct Catalog {
    index: SectorIndex,
    sectors: Vec<CatalogSector>,
    by_id: HashMap<i64, usize>,
    /// Per territory slot, the years imported, ascending.
    territory_years: Vec<Vec<SchoolYear>>,
    schools: HashMap<String, SchoolFacts>,
}

impl Catalog {
    /// An empty catalog (a database with no map yet).
    pub fn empty() -> Self {
        Self::build(Vec::new(), HashMap::new()).expect("an empty catalog always builds")
    }

    /// Builds the catalog from stored sectors. Fails on a geometry that is not
    /// a valid GeoJSON polygon, which only a hand-edited database can hold.
    pub fn build(
        stored: Vec<StoredSector>,
        schools: HashMap<String, SchoolFacts>,
    ) -> anyhow::Result<Self> {
        let mut territory_slots: HashMap<String, usize> = HashMap::new();
        let mut territory_years: Vec<Vec<SchoolYear>> = Vec::new();
        let mut sectors = Vec::with_capacity(stored.len());
        let mut geometries = Vec::with_capacity(stored.len());
        for s in stored {
            let school_year: SchoolYear = s.school_year.parse()?;
            let next = territory_slots.len();
            let slot = *territory_slots.entry(s.territory.clone()).or_insert(next);
            if slot == territory_years.len() {
                territory_years.push(Vec::new());
            }
            if !territory_years[slot].contains(&school_year) {
                territory_years[slot].push(school_year);
            }
            geometries.push(parse_geometry(&s.geometry_geojson).map_err(|e| {
                anyhow::anyhow!("stored geometry of sector {} is invalid: {e}", s.id)
            })?);
            let reference = Preserialized::new(SectorRef {
                id: Some(s.id),
                name: s.name,
                territory: s.territory,
            });
            let schools = school_list(&schools, &s.uais);
            sectors.push(CatalogSector {
                id: s.id,
                key: s.uais.join("+"),
                inside_answer: LookupAnswer::inside_json(school_year, &reference, &schools),
                schools,
                reference,
                territory_slot: slot,
                school_year,
                external_id: s.external_id,
                uais: s.uais,
            });
        }
        for years in &mut territory_years {
            years.sort();
        }
        let by_id = sectors.iter().enumerate().map(|(i, s)| (s.id, i)).collect();
        Ok(Self {
            index: SectorIndex::new(geometries),
            sectors,
            by_id,
            territory_years,
            schools,
        })
    }

    /// The year of a territory's map that `choice` reads.
    fn effective_year(&self, slot: usize, choice: YearChoice) -> Option<SchoolYear> {
        let years = &self.territory_years[slot];
        match choice {
            YearChoice::Exact(year) => years.contains(&year).then_some(year),
            YearChoice::Current(now) => years.iter().rev().find(|y| **y <= now).copied(),
        }
    }

    /// A predicate on sector positions that keeps the maps `choice` reads.
    /// Worked out per candidate, which a lookup has few of, rather than
    /// for every territory up front.
    fn accept(&self, choice: YearChoice) -> impl Fn(usize) -> bool + '_ {
        move |i| {
            let s = &self.sectors[i];
            self.effective_year(s.territory_slot, choice) == Some(s.school_year)
        }
    }

    /// The sector at `lon`, `lat`, or the nearest within `max_distance_m`.
    pub fn lookup(
        &self,
        lon: f64,
        lat: f64,
        choice: YearChoice,
        max_distance_m: f64,
    ) -> Option<Found<'_>> {
        let hit = self
            .index
            .locate(lon, lat, max_distance_m, self.accept(choice))?;
        Some(Found {
            sector: &self.sectors[hit.sector],
            kind: hit.kind,
        })
    }

    /// True when some territory has a map for `choice`.
    pub fn has_year(&self, choice: YearChoice) -> bool {
        (0..self.territory_years.len()).any(|slot| self.effective_year(slot, choice).is_some())
    }

    /// The sectors that `choice` reads, ordered by id.
    pub fn sectors(&self, choice: YearChoice) -> Vec<&CatalogSector> {
        let accept = self.accept(choice);
        (0..self.sectors.len())
            .filter(|i| accept(*i))
            .map(|i| &self.sectors[i])
            .collect()
    }

    /// The sector of each collège in the maps that `choice` reads, by UAI.
    pub fn sectors_by_school(&self, choice: YearChoice) -> HashMap<&str, &CatalogSector> {
        self.sectors(choice)
            .into_iter()
            .flat_map(|s| s.uais.iter().map(move |uai| (uai.as_str(), s)))
            .collect()
    }

    /// One sector by id, with its geometry.
    pub fn sector(&self, id: i64) -> Option<(&CatalogSector, &MultiPolygon<f64>)> {
        let i = *self.by_id.get(&id)?;
        Some((&self.sectors[i], self.index.geometry(i)))
    }

    /// What is known of a collège; at least its UAI.
    pub fn school(&self, uai: &str) -> SchoolFacts {
        school(&self.schools, uai)
    }

    /// The facts of `uais` as answers show them.
    pub fn school_list(&self, uais: &[String]) -> SchoolList {
        school_list(&self.schools, uais)
    }

    /// How many sectors, across every map.
    pub fn len(&self) -> usize {
        self.sectors.len()
    }

    /// True when no map is loaded.
    pub fn is_empty(&self) -> bool {
        self.sectors.is_empty()
    }
}

/// Reads a GeoJSON Polygon or MultiPolygon geometry.
pub fn parse_geometry(text: &str) -> anyhow::Result<MultiPolygon<f64>> {
    let geometry: geojson::Geometry = text.parse()?;
    let geometry: geo::Geometry<f64> = geometry.try_into()?;
    match geometry {
        geo::Geometry::MultiPolygon(m) => Ok(m),
        geo::Geometry::Polygon(p) => Ok(MultiPolygon::new(vec![p])),
        _ => anyhow::bail!("not a polygon"),
    }
}

/// Writes a MultiPolygon as a GeoJSON geometry.
pub fn geometry_to_geojson(geometry: &MultiPolygon<f64>) -> geojson::Geometry {
    geojson::Geometry::from(geometry)
}

fn school(schools: &HashMap<String, SchoolFacts>, uai: &str) -> SchoolFacts {
    schools.get(uai).cloned().unwrap_or_else(|| SchoolFacts {
        uai: uai.to_owned(),
        ..Default::default()
    })
}

fn school_list(schools: &HashMap<String, SchoolFacts>, uais: &[String]) -> SchoolList {
    SchoolList::new(uais.iter().map(|uai| school(schools, uai).into()).collect())
}
