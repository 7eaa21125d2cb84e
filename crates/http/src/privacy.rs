//! Export and erasure of one's own data, through one's private link.
use axum::extract::{Path, State};
use http::StatusCode;

use crate::error::ApiError;
use passerelle_app::AppState;
use passerelle_app::privacy;

/// Everything stored about the family of a request (private link).
#[utoipa::path(get, path = "/api/v1/contact-requests/status/{secret}/export", tag = "privacy",
    params(("secret" = String, Path)), responses((status = 200, body = Object), (status = 404)))]
pub async fn export_request(
    State(state): State<AppState>,
    Path(secret): Path<String>,
) -> Result<axum::Json<serde_json::Value>, ApiError> {
    Ok(axum::Json(privacy::export_request(&state, &secret).await?))
}

/// Erases the family of a request (private link); counts are kept.
#[utoipa::path(delete, path = "/api/v1/contact-requests/status/{secret}", tag = "privacy",
    params(("secret" = String, Path)), responses((status = 204), (status = 404)))]
pub async fn erase_request(
    State(state): State<AppState>,
    Path(secret): Path<String>,
) -> Result<StatusCode, ApiError> {
    privacy::erase_request(&state, &secret).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Everything stored about a referent (private link).
#[utoipa::path(get, path = "/api/v1/referents/space/{secret}/export", tag = "privacy",
    params(("secret" = String, Path)), responses((status = 200, body = Object), (status = 404)))]
pub async fn export_referent(
    State(state): State<AppState>,
    Path(secret): Path<String>,
) -> Result<axum::Json<serde_json::Value>, ApiError> {
    Ok(axum::Json(privacy::export_referent(&state, &secret).await?))
}

/// Erases a referent (private link); waiting families are matched again.
#[utoipa::path(delete, path = "/api/v1/referents/space/{secret}", tag = "privacy",
    params(("secret" = String, Path)), responses((status = 204), (status = 404)))]
pub async fn erase_referent(
    State(state): State<AppState>,
    Path(secret): Path<String>,
) -> Result<StatusCode, ApiError> {
    privacy::erase_referent(&state, &secret).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Everything stored about a registration (private link).
#[utoipa::path(get, path = "/api/v1/registrations/{secret}/export", tag = "privacy",
    params(("secret" = String, Path)), responses((status = 200, body = Object), (status = 404)))]
pub async fn export_registration(
    State(state): State<AppState>,
    Path(secret): Path<String>,
) -> Result<axum::Json<serde_json::Value>, ApiError> {
    Ok(axum::Json(
        privacy::export_registration(&state, &secret).await?,
    ))
}

/// Cancels and erases a registration (private link).
#[utoipa::path(delete, path = "/api/v1/registrations/{secret}", tag = "privacy",
    params(("secret" = String, Path)), responses((status = 204), (status = 404)))]
pub async fn erase_registration(
    State(state): State<AppState>,
    Path(secret): Path<String>,
) -> Result<StatusCode, ApiError> {
    privacy::erase_registration(&state, &secret).await?;
    Ok(StatusCode::NO_CONTENT)
}
