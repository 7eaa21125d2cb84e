//! The demo town, so that a fresh clone answers lookups at once. Its files
//! are in `data/demo` and go through the same importers as real data.
use crate::error::Error;
use crate::progress::Silent;
use crate::school_year::SchoolYear;
use crate::state::AppState;
use crate::{schools, sectors};

/// The territory name of the demo town.
pub const TERRITORY: &str = "demo";

const SECTORS: &str = include_str!("../../../data/demo/secteurs.geojson");
const SCHOOLS: &str = include_str!("../../../data/demo/colleges.csv");
const IPS: &str = include_str!("../../../data/demo/ips.csv");

/// Loads the demo town for the current school year when no map exists yet.
/// Returns true when it did.
pub async fn load_if_empty(state: &AppState) -> Result<bool, Error> {
    if !state.store.sector_maps().await?.is_empty() {
        return Ok(false);
    }
    schools::import_schools(state, SCHOOLS.as_bytes().to_vec(), &Silent).await?;
    schools::import_ips(state, IPS.as_bytes().to_vec(), &Silent).await?;
    let options = sectors::ImportOptions {
        territory: TERRITORY.to_owned(),
        school_year: SchoolYear::at(chrono::Utc::now()),
        uai_property: "uais".to_owned(),
        replace: false,
    };
    sectors::import_map(state, SECTORS.as_bytes().to_vec(), &options, &Silent).await?;
    Ok(true)
}
