//! Liveness and readiness in one: the service answers and its database too.
use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;

use passerelle_app::AppState;

use crate::error::ApiError;

/// The health of the service.
#[derive(Serialize, ToSchema)]
pub struct Health {
    status: &'static str,
    database: &'static str,
    /// Sectors loaded in memory, across every map.
    sectors: usize,
}

/// Checks the database; 503 problem+json when it does not answer.
#[utoipa::path(get, path = "/health", tag = "service",
    responses((status = 200, body = Health), (status = 503, description = "database unavailable")))]
pub async fn health(State(state): State<AppState>) -> Result<Json<Health>, ApiError> {
    passerelle_app::health::ping(&state).await?;
    Ok(Json(Health {
        status: "ok",
        database: "ok",
        sectors: state.catalog().len(),
    }))
}
