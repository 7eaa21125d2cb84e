//! `/api/v1/sectors`: lookup, listing, one sector, and map import.
use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::auth::Organizer;
use super::extract::Query;
use crate::error::ApiError;
use passerelle_app::AppState;
use passerelle_app::Error;
use passerelle_app::catalog::CatalogSector;
use passerelle_app::progress::Logged;
use passerelle_app::school_year::SchoolYear;
use passerelle_app::sectors::{
    self as service, ImportOptions, ImportReport, LookupAnswer, SchoolList, SchoolView,
};

/// Query of a point lookup. Values are read as text so that a bad one gets
/// a message naming it.
#[derive(Deserialize, IntoParams)]
pub struct LookupQuery {
    /// An address as people type it; instead of `lat` and `lon`.
    address: Option<String>,
    /// Latitude, WGS84 degrees.
    #[param(value_type = Option<f64>, minimum = -90, maximum = 90, example = 46.005)]
    lat: Option<String>,
    /// Longitude, WGS84 degrees.
    #[param(value_type = Option<f64>, minimum = -180, maximum = 180, example = -3.0)]
    lon: Option<String>,
    /// School year such as 2024-2025; default: the current one.
    #[param(pattern = r"^[0-9]{4}-[0-9]{4}$", example = "2022-2023")]
    year: Option<String>,
}

fn coordinate(name: &str, value: Option<&str>) -> Result<f64, Error> {
    let value = value.ok_or_else(|| Error::BadRequest(format!("le paramètre `{name}` manque")))?;
    value
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or_else(|| {
            Error::BadRequest(format!(
                "le paramètre `{name}` doit être un nombre, pas « {value} »"
            ))
        })
}

fn year(value: Option<&str>) -> Result<Option<SchoolYear>, Error> {
    value
        .map(|y| {
            y.parse()
                .map_err(|e: passerelle_app::school_year::BadSchoolYear| {
                    Error::BadRequest(e.to_string())
                })
        })
        .transpose()
}

/// The sector of a point, with its collèges.
#[utoipa::path(get, path = "/api/v1/sectors/lookup", tag = "sectors", params(LookupQuery),
    responses(
        (status = 200, body = LookupAnswer),
        (status = 400, description = "coordinates missing, not numbers or out of range; an address that cannot be read"),
        (status = 404, description = "no sector within the allowed distance; no such address"),
        (status = 409, description = "the carte scolaire contradicts itself for this address"),
    ))]
pub async fn lookup(
    State(state): State<AppState>,
    Query(query): Query<LookupQuery>,
) -> Result<Response, ApiError> {
    let year = year(query.year.as_deref())?;
    let catalog = state.catalog();
    let addresses = state.addresses();
    let max = state.config.nearest_max_m;
    let answer = match &query.address {
        Some(address) => service::lookup_address(&catalog, &addresses, address, year, max)?,
        None => {
            let lat = coordinate("lat", query.lat.as_deref())?;
            let lon = coordinate("lon", query.lon.as_deref())?;
            service::lookup(&catalog, &addresses, lat, lon, year, max)?
        }
    };
    Ok((
        [(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("application/json"),
        )],
        answer.to_json(),
    )
        .into_response())
}

/// Query of the sector list.
#[derive(Deserialize, IntoParams)]
pub struct ListQuery {
    /// School year such as 2024-2025; default: the current map of each territory.
    #[param(pattern = r"^[0-9]{4}-[0-9]{4}$", example = "2022-2023")]
    year: Option<String>,
}

/// A sector in a list.
#[derive(Serialize, ToSchema)]
pub struct SectorSummary {
    id: i64,
    name: String,
    territory: String,
    school_year: String,
    external_id: Option<String>,
    uais: Vec<String>,
}

impl From<&CatalogSector> for SectorSummary {
    fn from(s: &CatalogSector) -> Self {
        Self {
            id: s.id,
            name: s.name().to_owned(),
            territory: s.territory().to_owned(),
            school_year: s.school_year.to_string(),
            external_id: s.external_id.clone(),
            uais: s.uais.clone(),
        }
    }
}

/// The sector list.
#[derive(Serialize, ToSchema)]
pub struct SectorList {
    sectors: Vec<SectorSummary>,
}

/// The sectors of a school year.
#[utoipa::path(get, path = "/api/v1/sectors", tag = "sectors", params(ListQuery),
    responses((status = 200, body = SectorList), (status = 400, description = "bad year")))]
pub async fn list(
    State(state): State<AppState>,
    Query(query): Query<ListQuery>,
) -> Result<Json<SectorList>, ApiError> {
    let choice = service::year_choice(year(query.year.as_deref())?);
    let catalog = state.catalog();
    Ok(Json(SectorList {
        sectors: catalog
            .sectors(choice)
            .into_iter()
            .map(Into::into)
            .collect(),
    }))
}

/// One sector with its collèges and GeoJSON geometry.
#[derive(Serialize, ToSchema)]
pub struct SectorDetail {
    #[serde(flatten)]
    summary: SectorSummary,
    #[schema(value_type = Vec<SchoolView>)]
    schools: SchoolList,
    /// GeoJSON MultiPolygon, WGS84.
    #[schema(value_type = Object)]
    geometry: geojson::Geometry,
}

/// One sector.
#[utoipa::path(get, path = "/api/v1/sectors/{id}", tag = "sectors",
    params(("id" = i64, Path, description = "sector id", example = 1)),
    responses((status = 200, body = SectorDetail), (status = 400), (status = 404)))]
pub async fn show(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<SectorDetail>, ApiError> {
    let id: i64 = id
        .parse()
        .map_err(|_| Error::BadRequest(format!("« {id} » n'est pas un identifiant de secteur")))?;
    let catalog = state.catalog();
    let (sector, geometry) = catalog
        .sector(id)
        .ok_or_else(|| Error::NotFound(format!("le secteur {id} n'existe pas")))?;
    Ok(Json(SectorDetail {
        summary: sector.into(),
        schools: sector.schools.clone(),
        geometry: passerelle_app::catalog::geometry_to_geojson(geometry),
    }))
}

/// Query of a map import.
#[derive(Deserialize, IntoParams)]
pub struct ImportQuery {
    /// Territory name, e.g. `paris`.
    territory: String,
    /// School year such as 2024-2025.
    year: String,
    /// Property of each feature that holds its UAI(s); default `uais`.
    uai_property: Option<String>,
    /// Swap out an existing map of that territory and year.
    #[serde(default)]
    replace: bool,
}

/// Imports a GeoJSON sector map (organizer token). One transaction: on any
/// error nothing changes.
#[utoipa::path(post, path = "/api/v1/sectors/import", tag = "sectors", params(ImportQuery),
    request_body(content = String, content_type = "application/geo+json", description = "GeoJSON FeatureCollection"),
    security(("bearer" = [])),
    responses(
        (status = 201, body = ImportReport),
        (status = 401), (status = 403),
        (status = 409, description = "the map exists and `replace` is not set"),
        (status = 413), (status = 422, description = "invalid map"),
    ))]
pub async fn import(
    State(state): State<AppState>,
    Organizer(caller): Organizer,
    Query(query): Query<ImportQuery>,
    body: Result<Bytes, BytesRejection>,
) -> Result<(StatusCode, Json<ImportReport>), ApiError> {
    caller.require_every_sector()?;
    let body = body?;
    let school_year: SchoolYear =
        query
            .year
            .parse()
            .map_err(|e: passerelle_app::school_year::BadSchoolYear| {
                Error::BadRequest(e.to_string())
            })?;
    let options = ImportOptions {
        territory: query.territory,
        school_year,
        uai_property: query.uai_property.unwrap_or_else(|| "uais".to_owned()),
        replace: query.replace,
    };
    tracing::info!(token = %caller.name, "sector import requested");
    let report = service::import_map(&state, body.to_vec(), &options, &Logged).await?;
    Ok((StatusCode::CREATED, Json(report)))
}

/// Query of an address search.
#[derive(Deserialize, IntoParams)]
pub struct GeocodeQuery {
    /// What someone typed, e.g. `12 rue de la roq`.
    #[param(required = true, example = "12 rue de la roquette")]
    q: Option<String>,
    /// 1 to 20; default 5.
    #[param(value_type = Option<u8>, minimum = 1, maximum = 20)]
    limit: Option<String>,
}

/// Addresses found.
#[derive(Serialize, ToSchema)]
pub struct GeocodeAnswer {
    results: Vec<passerelle_app::addresses::AddressHit>,
}

/// Address search over the imported national address base, offline.
#[utoipa::path(get, path = "/api/v1/geocode", tag = "sectors", params(GeocodeQuery),
    responses(
        (status = 200, body = GeocodeAnswer),
        (status = 400, description = "empty or unreadable query"),
        (status = 404, description = "no address base is imported"),
    ))]
pub async fn geocode(
    State(state): State<AppState>,
    Query(query): Query<GeocodeQuery>,
) -> Result<Json<GeocodeAnswer>, ApiError> {
    let q = query
        .q
        .as_deref()
        .ok_or_else(|| Error::BadRequest("le paramètre `q` manque".into()))?;
    let limit = match query.limit.as_deref() {
        None => 5,
        Some(l) => l
            .parse()
            .map_err(|_| Error::BadRequest(format!("`limit` doit être un nombre, pas « {l} »")))?,
    };
    Ok(Json(GeocodeAnswer {
        results: passerelle_app::addresses::search(&state, q, limit).await?,
    }))
}
