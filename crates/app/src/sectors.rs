//! Sector maps: import, and point lookup with collège facts.

use chrono::Utc;
use passerelle_geocode::Resolution;
use passerelle_sectors::{MatchKind, ParsedSector, parse_feature_collection};
use passerelle_store::NewSector;
use serde::Serialize;
use utoipa::ToSchema;

use crate::address_catalog::AddressCatalog;
pub use crate::answers::{LookupAnswer, MatchType, SchoolList, SchoolView, SectorRef};
use crate::catalog::{Catalog, Found, YearChoice, geometry_to_geojson};
use crate::error::Error;
use crate::preserialized::Preserialized;
use crate::progress::Progress;
use crate::school_year::SchoolYear;
use crate::state::AppState;

/// What to import a map as.
#[derive(Clone, Debug)]
pub struct ImportOptions {
    pub territory: String,
    pub school_year: SchoolYear,
    pub uai_property: String,
    pub replace: bool,
}

/// What an import did.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ImportReport {
    pub territory: String,
    pub school_year: String,
    pub sectors: usize,
    /// True when an existing map of that territory and year was swapped out.
    pub replaced: bool,
    /// Zero-area polygon parts of the file that were left out.
    pub dropped_empty_parts: usize,
    /// UAIs of the map that no imported collège list knows yet.
    pub unknown_uais: Vec<String>,
}

/// Checks a territory name: lowercase letters, digits and hyphens.
pub fn validate_territory(territory: &str) -> Result<(), Error> {
    let ok = !territory.is_empty()
        && territory.len() <= 64
        && territory
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !territory.starts_with('-');
    if ok {
        Ok(())
    } else {
        Err(Error::BadRequest(format!(
            "territory `{territory}` is not valid: use lowercase letters, digits and hyphens, such as `paris`"
        )))
    }
}

/// Imports a GeoJSON sector map in one transaction, then reloads the catalog.
/// On any error nothing is written.
pub async fn import_map(
    state: &AppState,
    geojson: Vec<u8>,
    options: &ImportOptions,
    progress: &dyn Progress,
) -> Result<ImportReport, Error> {
    validate_territory(&options.territory)?;
    progress.stage("reading the map", None);
    let property = options.uai_property.clone();
    let parsed = tokio::task::spawn_blocking(move || parse_feature_collection(&geojson, &property))
        .await
        .map_err(anyhow::Error::from)?
        .map_err(|e| Error::Refused(e.to_string()))?;
    let catalog = state.catalog();
    let new_sectors: Vec<NewSector> = parsed
        .sectors
        .iter()
        .map(|s| new_sector(s, &catalog))
        .collect();
    let mut unknown_uais: Vec<String> = new_sectors
        .iter()
        .flat_map(|s| &s.uais)
        .filter(|uai| catalog.school(uai).name.is_none())
        .cloned()
        .collect();
    unknown_uais.sort();
    unknown_uais.dedup();
    progress.stage("saving sectors", Some(new_sectors.len() as u64));
    let summary = state
        .store
        .save_sector_map(
            &options.territory,
            &options.school_year.to_string(),
            &new_sectors,
            options.replace,
            &|done| progress.set(done as u64),
        )
        .await?;
    progress.finish();
    state.reload_catalog().await?;
    tracing::info!(
        territory = %options.territory,
        school_year = %options.school_year,
        sectors = summary.sector_count,
        replaced = summary.replaced,
        "sector map imported"
    );
    Ok(ImportReport {
        territory: options.territory.clone(),
        school_year: options.school_year.to_string(),
        sectors: summary.sector_count,
        replaced: summary.replaced,
        dropped_empty_parts: parsed.dropped_empty_parts,
        unknown_uais,
    })
}

/// A sector to store; it is named after the map, or else after its collèges.
fn new_sector(parsed: &ParsedSector, catalog: &Catalog) -> NewSector {
    let name = parsed.name.clone().unwrap_or_else(|| {
        let names: Vec<String> = parsed
            .uais
            .iter()
            .map(|uai| catalog.school(uai).name.unwrap_or_else(|| uai.clone()))
            .collect();
        format!("Secteur {}", names.join(" / "))
    });
    NewSector {
        feature_index: parsed.feature_index as i32,
        external_id: parsed.external_id.clone(),
        name,
        geometry_geojson: geometry_to_geojson(&parsed.geometry).to_string(),
        uais: parsed.uais.clone(),
    }
}

/// Checks that a coordinate pair is WGS84 longitude/latitude.
pub fn validate_coordinates(lat: f64, lon: f64) -> Result<(), Error> {
    if !lat.is_finite() || !(-90.0..=90.0).contains(&lat) {
        return Err(Error::BadRequest(format!(
            "la latitude {lat} est hors limites : elle doit être comprise entre -90 et 90"
        )));
    }
    if !lon.is_finite() || !(-180.0..=180.0).contains(&lon) {
        return Err(Error::BadRequest(format!(
            "la longitude {lon} est hors limites : elle doit être comprise entre -180 et 180"
        )));
    }
    Ok(())
}

/// Which map(s) to read: `year`, or the current school year.
pub fn year_choice(year: Option<SchoolYear>) -> YearChoice {
    match year {
        Some(year) => YearChoice::Exact(year),
        None => YearChoice::Current(SchoolYear::at(Utc::now())),
    }
}

/// How far a point may be from the address that decides its sector in a
/// commune mapped by address ranges.
pub const RANGE_POINT_MAX_M: f64 = 150.0;

/// Finds the sector of a point: in the polygons, else through the nearest
/// address where the commune is mapped by address ranges.
pub fn lookup(
    catalog: &Catalog,
    addresses: &AddressCatalog,
    lat: f64,
    lon: f64,
    year: Option<SchoolYear>,
    max_distance_m: f64,
) -> Result<LookupAnswer, Error> {
    validate_coordinates(lat, lon)?;
    let choice = year_choice(year);
    if let Some(found) = catalog.lookup(lon, lat, choice, max_distance_m) {
        return Ok(answer(found));
    }
    let now = SchoolYear::at(Utc::now());
    if let Some((year, resolution, distance)) =
        addresses.resolve_point(lon, lat, RANGE_POINT_MAX_M, year, now)
        && let Resolution::Found(uais) | Resolution::Conflict { uais, .. } = &resolution
    {
        return range_answer(catalog, &resolution, uais, year, distance, None);
    }
    if let (YearChoice::Exact(y), false) = (choice, catalog.has_year(choice)) {
        return Err(Error::NotFound(format!(
            "aucune carte des secteurs n'est importée pour l'année scolaire {y}"
        )));
    }
    Err(Error::NotFound(format!(
        "aucun secteur de collège connu à moins de {max_distance_m} m de ce point"
    )))
}

/// Finds the sector of an address: by the commune's address-range carte
/// scolaire when it has one, by the polygons otherwise.
pub fn lookup_address(
    catalog: &Catalog,
    addresses: &AddressCatalog,
    query: &str,
    year: Option<SchoolYear>,
    max_distance_m: f64,
) -> Result<LookupAnswer, Error> {
    let best = addresses
        .search(query, 1)?
        .into_iter()
        .next()
        .ok_or_else(|| Error::NotFound("aucune adresse ne correspond à cette recherche".into()))?;
    let now = SchoolYear::at(Utc::now());
    let number = best.number.unwrap_or(0);
    let mut answer = match addresses.resolve(
        &best.citycode,
        &best.street,
        number,
        best.rep.as_deref(),
        year,
        now,
    ) {
        Some((year, resolution)) => match &resolution {
            Resolution::Found(uais) | Resolution::Conflict { uais, .. } => {
                range_answer(catalog, &resolution, uais, year, 0.0, Some(&best.label))?
            }
            Resolution::NumberNotCovered if best.number.is_none() => {
                return Err(Error::NotFound(
                    "la carte scolaire de cette commune dépend du numéro : précisez-le".into(),
                ));
            }
            _ => {
                return Err(Error::NotFound(format!(
                    "la carte scolaire de la commune ne couvre pas « {} »",
                    best.label
                )));
            }
        },
        None => lookup(catalog, addresses, best.lat, best.lon, year, max_distance_m)?,
    };
    answer.address = Some(best.label);
    Ok(answer)
}

fn range_answer(
    catalog: &Catalog,
    resolution: &Resolution,
    uais: &[String],
    year: SchoolYear,
    distance_m: f64,
    label: Option<&str>,
) -> Result<LookupAnswer, Error> {
    if let Resolution::Conflict { lines, .. } = resolution {
        return Err(Error::Conflict(format!(
            "la carte scolaire se contredit pour cette adresse (lignes {}) : collèges {}",
            lines
                .iter()
                .map(u64::to_string)
                .collect::<Vec<_>>()
                .join(", "),
            uais.join(", ")
        )));
    }
    let schools = catalog.school_list(uais);
    let names: Vec<String> = schools
        .iter()
        .map(|s| s.name.clone().unwrap_or_else(|| s.uai.clone()))
        .collect();
    Ok(LookupAnswer {
        match_type: MatchType::Range,
        distance_m: round_cm(distance_m),
        school_year: year,
        sector: Preserialized::new(SectorRef {
            id: None,
            name: format!("Secteur {}", names.join(" / ")),
            territory: "carte-scolaire".to_owned(),
        }),
        schools,
        address: label.map(str::to_owned),
        inside_json: None,
    })
}

fn answer(found: Found<'_>) -> LookupAnswer {
    let (match_type, distance_m) = match found.kind {
        MatchKind::Inside => (MatchType::Inside, 0.0),
        MatchKind::Nearest { distance_m } => (MatchType::Nearest, round_cm(distance_m)),
    };
    let sector = found.sector;
    LookupAnswer {
        match_type,
        distance_m,
        school_year: sector.school_year,
        sector: sector.reference.clone(),
        schools: sector.schools.clone(),
        address: None,
        inside_json: (match_type == MatchType::Inside).then(|| sector.inside_answer.clone()),
    }
}

fn round_cm(metres: f64) -> f64 {
    (metres * 100.0).round() / 100.0
}

/// The sector maps imported, by territory and school year.
pub async fn maps(
    state: &AppState,
) -> Result<Vec<passerelle_store::entities::sector_maps::Model>, Error> {
    Ok(state.store.sector_maps().await?)
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use passerelle_store::{SchoolFacts, StoredSector};

    use super::*;

    fn catalog() -> Catalog {
        let sector = StoredSector {
            id: 7,
            territory: "paris".into(),
            school_year: "2024-2025".into(),
            external_id: None,
            name: "Collège « Test »".into(),
            geometry_geojson: r#"{"type":"Polygon","coordinates":[[[2.30,48.80],[2.35,48.80],[2.35,48.85],[2.30,48.85],[2.30,48.80]]]}"#.into(),
            uais: vec!["0750001A".into()],
        };
        let school = SchoolFacts {
            uai: "0750001A".into(),
            name: Some("Collège \"Test\"".into()),
            address: None,
            postcode: Some("75005".into()),
            city: Some("Paris".into()),
            department_code: Some("075".into()),
            lat: Some(48.82),
            lon: Some(2.32),
            public: Some(true),
            pupils: Some(500),
            ips: Some(101.5),
            ips_school_year: Some("2022-2023".into()),
        };
        Catalog::build(vec![sector], HashMap::from([(school.uai.clone(), school)])).unwrap()
    }

    fn json(answer: &LookupAnswer) -> serde_json::Value {
        serde_json::from_slice(&answer.to_json()).unwrap()
    }

    #[test]
    fn shared_inside_answers_are_the_answers_written_out() {
        let catalog = catalog();
        let addresses = AddressCatalog::empty();
        let year = Some(SchoolYear::starting(2024));
        let inside = lookup(&catalog, &addresses, 48.82, 2.32, year, 100.0).unwrap();
        assert!(inside.inside_json.is_some());
        assert_eq!(inside.to_json(), serde_json::to_vec(&inside).unwrap());
        assert_eq!(json(&inside)["match"], "inside");
        assert_eq!(json(&inside)["schools"][0]["name"], "Collège \"Test\"");

        // An address set afterwards, as a lookup by address does, shows.
        let mut with_address = inside.clone();
        with_address.address = Some("1 rue Test 75005 Paris".into());
        assert_eq!(json(&with_address)["address"], "1 rue Test 75005 Paris");

        // Nearest answers carry their own distance.
        let near = lookup(&catalog, &addresses, 48.8505, 2.32, year, 100.0).unwrap();
        assert!(near.inside_json.is_none());
        assert_eq!(json(&near)["match"], "nearest");
        assert!(json(&near)["distance_m"].as_f64().unwrap() > 50.0);
    }
}
