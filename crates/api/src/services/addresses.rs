//! Address search over the national address base, offline.
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::Error;
use crate::state::AppState;

/// One address found.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct AddressHit {
    pub label: String,
    pub housenumber: Option<String>,
    pub street: String,
    pub postcode: String,
    pub city: String,
    pub citycode: String,
    pub lat: f64,
    pub lon: f64,
    /// 0 to 1.
    pub score: f64,
}

/// The best addresses for what someone typed, best first.
pub async fn search(state: &AppState, query: &str, limit: usize) -> Result<Vec<AddressHit>, Error> {
    let _ = (state, query, limit);
    Err(Error::NotFound(
        "la recherche d'adresse n'est pas encore disponible : indiquez votre position sur la carte"
            .into(),
    ))
}
