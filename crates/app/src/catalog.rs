//! The in-memory sector catalog: every imported map in one R-tree, with the
//! facts each answer needs. It is rebuilt from the database after an import
//! and swapped in whole, so a lookup never sees half a map.
use std::collections::{BTreeSet, HashMap};
use std::ops::Bound::{Excluded, Unbounded};

use bytes::Bytes;
use geo::MultiPolygon;
use passerelle_sectors::{MatchKind, SectorIndex, SectorKey};
use passerelle_store::{SchoolFacts, StoredSector};

use crate::answers::{LookupAnswer, SchoolList, SectorRef};
use crate::preserialized::Preserialized;
use crate::school_year::SchoolYear;

/// A sector of the catalog.
#[derive(Clone, Debug)]
pub struct CatalogSector {
    pub id: i64,
    /// The sector's collèges joined with `+`: what requests and referents are
    /// matched on, stable when a map is re-imported with new ids.
    pub key: SectorKey,
    pub school_year: SchoolYear,
    pub external_id: Option<String>,
    pub uais: Vec<String>,
    /// The facts of `uais`, ready for answers.
    pub schools: SchoolList,
    /// Id, name and territory as answers show them, shared by them.
    pub reference: Preserialized<SectorRef>,
    /// The JSON answer for a point inside the sector.
    pub inside_answer: Bytes,
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

/// The school years in which a sector's map is read: its own, then each
/// year until its territory's next map.
#[derive(Clone, Copy, Debug)]
struct MapSpan {
    year: SchoolYear,
    until: Option<SchoolYear>,
}

impl MapSpan {
    fn read_by(self, choice: YearChoice) -> bool {
        match choice {
            YearChoice::Exact(year) => self.year == year,
            YearChoice::Current(now) => self.year <= now && self.until.is_none_or(|u| now < u),
        }
    }
}

/// Every sector map in memory.
pub struct Catalog {
    index: SectorIndex,
    sectors: Vec<CatalogSector>,
    /// Per sector position, apart from the rest: a lookup tests the span of
    /// each candidate part, and these few bytes per sector stay in cache.
    spans: Vec<MapSpan>,
    by_id: HashMap<i64, usize>,
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
        let mut territory_years: HashMap<String, BTreeSet<SchoolYear>> = HashMap::new();
        let mut sectors = Vec::with_capacity(stored.len());
        let mut geometries = Vec::with_capacity(stored.len());
        for s in stored {
            let school_year: SchoolYear = s.school_year.parse()?;
            territory_years
                .entry(s.territory.clone())
                .or_default()
                .insert(school_year);
            geometries.push(parse_geometry(&s.geometry_geojson).map_err(|e| {
                anyhow::anyhow!("stored geometry of sector {} is invalid: {e}", s.id)
            })?);
            let reference = Preserialized::new(SectorRef {
                id: Some(s.id),
                name: s.name,
                territory: s.territory,
            });
            let schools = school_list(&schools, &s.uais);
            let key = SectorKey::from_uais(&s.uais)
                .map_err(|e| anyhow::anyhow!("stored sector {} has no valid key: {e}", s.id))?;
            sectors.push(CatalogSector {
                id: s.id,
                key,
                inside_answer: LookupAnswer::inside_json(school_year, &reference, &schools),
                schools,
                reference,
                school_year,
                external_id: s.external_id,
                uais: s.uais,
            });
        }
        let spans = sectors
            .iter()
            .map(|s| MapSpan {
                year: s.school_year,
                until: territory_years[s.territory()]
                    .range((Excluded(s.school_year), Unbounded))
                    .next()
                    .copied(),
            })
            .collect();
        let by_id = sectors.iter().enumerate().map(|(i, s)| (s.id, i)).collect();
        Ok(Self {
            index: SectorIndex::new(geometries),
            sectors,
            spans,
            by_id,
            schools,
        })
    }

    /// A predicate on sector positions that keeps the maps `choice` reads.
    fn accept(&self, choice: YearChoice) -> impl Fn(usize) -> bool + '_ {
        move |i| self.spans[i].read_by(choice)
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
        self.spans.iter().any(|span| span.read_by(choice))
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

#[cfg(test)]
mod tests {
    use super::*;

    fn sector(id: i64, territory: &str, year: &str) -> StoredSector {
        StoredSector {
            id,
            territory: territory.into(),
            school_year: year.into(),
            external_id: None,
            name: format!("{territory} {year}"),
            geometry_geojson: r#"{"type":"Polygon","coordinates":[[[2.3,48.8],[2.4,48.8],[2.4,48.9],[2.3,48.8]]]}"#.into(),
            uais: vec![format!("0750{id:03}A")],
        }
    }

    fn ids(catalog: &Catalog, choice: YearChoice) -> Vec<i64> {
        catalog.sectors(choice).iter().map(|s| s.id).collect()
    }

    #[test]
    fn each_territory_reads_its_latest_map_up_to_the_year() {
        let catalog = Catalog::build(
            vec![
                sector(1, "paris", "2022-2023"),
                sector(2, "paris", "2024-2025"),
                sector(3, "lille", "2023-2024"),
                sector(4, "paris", "2024-2025"),
            ],
            HashMap::new(),
        )
        .unwrap();
        let current = |start| YearChoice::Current(SchoolYear::starting(start));
        let exact = |start| YearChoice::Exact(SchoolYear::starting(start));
        assert_eq!(ids(&catalog, current(2021)), Vec::<i64>::new());
        assert_eq!(ids(&catalog, current(2022)), [1]);
        assert_eq!(ids(&catalog, current(2023)), [1, 3]);
        assert_eq!(ids(&catalog, current(2024)), [2, 3, 4]);
        assert_eq!(ids(&catalog, current(2030)), [2, 3, 4]);
        assert_eq!(ids(&catalog, exact(2022)), [1]);
        assert_eq!(ids(&catalog, exact(2025)), Vec::<i64>::new());
        assert!(!catalog.has_year(current(2021)));
        assert!(catalog.has_year(current(2022)));
        assert!(catalog.has_year(exact(2023)));
        assert!(!catalog.has_year(exact(2021)));
        let found = catalog.lookup(2.38, 48.81, current(2023), 0.0).unwrap();
        assert_eq!(
            found.sector.id, 1,
            "the lowest position among overlapping parts"
        );
        let found = catalog.lookup(2.38, 48.81, current(2024), 0.0).unwrap();
        assert_eq!(found.sector.id, 2);
    }
}
