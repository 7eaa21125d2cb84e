//! Referents, contact requests, proposals and the matching engine.
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::auth::Organizer;
use super::extract::{Json, Query};
use crate::error::ApiError;
use passerelle_app::AppState;
use passerelle_app::Error;
use passerelle_app::contact_requests::{self, ContactForm, Feedback, RequestStatus};
use passerelle_app::matching::{self, BatchReport, CoverageRow};
use passerelle_app::records::{ProposalState, RequestStatus as RequestState};
use passerelle_app::referents::{self, ReferentSpace, Settings, Volunteer};

/// A new referent and the private link of their space.
#[derive(Serialize, ToSchema)]
pub struct VolunteerCreated {
    id: i64,
    /// Keep it private: it is the referent's key to their space.
    space_url: String,
}

/// A parent volunteers as referent (public).
#[utoipa::path(post, path = "/api/v1/referents", tag = "matching",
    request_body(content = Volunteer, example = json!({"first_name": "Awa", "email": "awa@example.org",
        "uai": "0990001A", "child_grade": "6e", "languages": ["fr"], "monthly_capacity": 3,
        "weekday_evenings": true, "consent": true})),
    responses((status = 201, body = VolunteerCreated), (status = 400), (status = 422)))]
pub async fn volunteer(
    State(state): State<AppState>,
    Json(form): Json<Volunteer>,
) -> Result<(StatusCode, axum::Json<VolunteerCreated>), ApiError> {
    let (referent, secret) = referents::volunteer(&state, form).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(VolunteerCreated {
            id: referent.id,
            space_url: format!("/api/v1/referents/space/{secret}"),
        }),
    ))
}

/// A referent's space (private link).
#[utoipa::path(get, path = "/api/v1/referents/space/{secret}", tag = "matching",
    params(("secret" = String, Path)), responses((status = 200, body = ReferentSpace), (status = 404)))]
pub async fn space(
    State(state): State<AppState>,
    Path(secret): Path<String>,
) -> Result<axum::Json<ReferentSpace>, ApiError> {
    let referent = referents::by_link(&state, &secret).await?;
    Ok(axum::Json(referents::space(&state, referent.id).await?))
}

/// A referent changes capacity or pauses (private link).
#[utoipa::path(patch, path = "/api/v1/referents/space/{secret}", tag = "matching",
    params(("secret" = String, Path)),
    request_body(content = Settings, example = json!({"monthly_capacity": 2, "paused": false})),
    responses((status = 200, body = ReferentSpace), (status = 404), (status = 422)))]
pub async fn update_space(
    State(state): State<AppState>,
    Path(secret): Path<String>,
    Json(settings): Json<Settings>,
) -> Result<axum::Json<ReferentSpace>, ApiError> {
    let referent = referents::by_link(&state, &secret).await?;
    Ok(axum::Json(
        referents::update(&state, referent.id, settings).await?,
    ))
}

/// Accepts a proposal (private link).
#[utoipa::path(post, path = "/api/v1/referents/space/{secret}/proposals/{id}/accept", tag = "matching",
    params(("secret" = String, Path), ("id" = i64, Path)),
    responses((status = 200, body = ReferentSpace), (status = 404), (status = 409)))]
pub async fn accept(
    State(state): State<AppState>,
    Path((secret, id)): Path<(String, String)>,
) -> Result<axum::Json<ReferentSpace>, ApiError> {
    let id = proposal_id(&id)?;
    let referent = referents::by_link(&state, &secret).await?;
    Ok(axum::Json(
        referents::respond(&state, referent.id, id, true).await?,
    ))
}

/// Declines a proposal (private link); the family is matched again.
#[utoipa::path(post, path = "/api/v1/referents/space/{secret}/proposals/{id}/decline", tag = "matching",
    params(("secret" = String, Path), ("id" = i64, Path)),
    responses((status = 200, body = ReferentSpace), (status = 404), (status = 409)))]
pub async fn decline(
    State(state): State<AppState>,
    Path((secret, id)): Path<(String, String)>,
) -> Result<axum::Json<ReferentSpace>, ApiError> {
    let id = proposal_id(&id)?;
    let referent = referents::by_link(&state, &secret).await?;
    Ok(axum::Json(
        referents::respond(&state, referent.id, id, false).await?,
    ))
}

fn proposal_id(text: &str) -> Result<i64, Error> {
    text.parse()
        .map_err(|_| Error::BadRequest(format!("« {text} » n'est pas un numéro de proposition")))
}

/// A new contact request and its private status link.
#[derive(Serialize, ToSchema)]
pub struct RequestCreated {
    id: i64,
    /// Keep it private: it shows the referent's details once they accept.
    status_url: String,
    /// True when a referent was proposed at once.
    proposed: bool,
}

/// A hesitant parent asks to talk with a parent of the collège (public).
#[utoipa::path(post, path = "/api/v1/contact-requests", tag = "matching",
    request_body(content = ContactForm, example = json!({"first_name": "Léo", "email": "leo@example.org",
        "lat": 46.005, "lon": -3.0, "child_grade": "CM2", "preferred_contact": "email", "consent": true})),
    responses((status = 201, body = RequestCreated), (status = 400), (status = 404), (status = 422)))]
pub async fn create_request(
    State(state): State<AppState>,
    Json(form): Json<ContactForm>,
) -> Result<(StatusCode, axum::Json<RequestCreated>), ApiError> {
    let (request, secret, proposal) = contact_requests::create(&state, form).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(RequestCreated {
            id: request.id,
            status_url: format!("/api/v1/contact-requests/status/{secret}"),
            proposed: proposal.is_some(),
        }),
    ))
}

/// The status of a request (private link).
#[utoipa::path(get, path = "/api/v1/contact-requests/status/{secret}", tag = "matching",
    params(("secret" = String, Path)), responses((status = 200, body = RequestStatus), (status = 404)))]
pub async fn request_status(
    State(state): State<AppState>,
    Path(secret): Path<String>,
) -> Result<axum::Json<RequestStatus>, ApiError> {
    Ok(axum::Json(contact_requests::status(&state, &secret).await?))
}

/// Withdraws a request (private link).
#[utoipa::path(post, path = "/api/v1/contact-requests/status/{secret}/withdraw", tag = "matching",
    params(("secret" = String, Path)), responses((status = 200, body = RequestStatus), (status = 404), (status = 409)))]
pub async fn withdraw(
    State(state): State<AppState>,
    Path(secret): Path<String>,
) -> Result<axum::Json<RequestStatus>, ApiError> {
    Ok(axum::Json(
        contact_requests::withdraw(&state, &secret).await?,
    ))
}

/// Feedback after the conversation; completes the request (private link).
#[utoipa::path(post, path = "/api/v1/contact-requests/status/{secret}/feedback", tag = "matching",
    params(("secret" = String, Path)),
    request_body(content = Feedback, example = json!({"met": true, "usefulness": 4})),
    responses((status = 200, body = RequestStatus), (status = 404), (status = 409), (status = 422)))]
pub async fn feedback(
    State(state): State<AppState>,
    Path(secret): Path<String>,
    Json(body): Json<Feedback>,
) -> Result<axum::Json<RequestStatus>, ApiError> {
    Ok(axum::Json(
        contact_requests::feedback(&state, &secret, body).await?,
    ))
}

/// Re-optimises pending proposals (organizer).
#[utoipa::path(post, path = "/api/v1/matching/run", tag = "matching", security(("bearer" = [])),
    responses((status = 200, body = BatchReport), (status = 401), (status = 403), (status = 409)))]
pub async fn run(
    State(state): State<AppState>,
    Organizer(caller): Organizer,
) -> Result<axum::Json<BatchReport>, ApiError> {
    caller.require_every_sector()?;
    Ok(axum::Json(matching::run_batch(&state).await?))
}

/// Query of the coverage report.
#[derive(Deserialize, IntoParams)]
pub struct CoverageQuery {
    /// `json` (default) or `csv`.
    #[param(schema_with = super::extract::row_formats)]
    format: Option<String>,
}

/// Coverage per sector: demand, referents, capacity (organizer).
#[utoipa::path(get, path = "/api/v1/matching/coverage", tag = "matching", params(CoverageQuery),
    security(("bearer" = [])),
    responses((status = 200, content(([CoverageRow] = "application/json"), (String = "text/csv"))),
        (status = 401), (status = 403)))]
pub async fn coverage(
    State(state): State<AppState>,
    Organizer(caller): Organizer,
    Query(query): Query<CoverageQuery>,
) -> Result<Response, ApiError> {
    let mut rows = matching::coverage(&state).await?;
    rows.retain(|r| caller.scope.allows(&r.uais));
    Ok(super::extract::rows(&rows, query.format.as_deref())?)
}

/// A proposal as organizers see it, with the cost terms that chose it.
#[derive(Serialize, ToSchema)]
pub struct ProposalView {
    id: i64,
    request_id: i64,
    referent_id: i64,
    #[schema(value_type = String)]
    state: ProposalState,
    cost: i64,
    #[schema(value_type = Object)]
    explanation: serde_json::Value,
    created_at: chrono::DateTime<chrono::Utc>,
    expires_at: chrono::DateTime<chrono::Utc>,
}

/// Every proposal with its explanation (organizer).
#[utoipa::path(get, path = "/api/v1/proposals", tag = "matching", security(("bearer" = [])),
    responses((status = 200, body = [ProposalView]), (status = 401), (status = 403)))]
pub async fn proposals(
    State(state): State<AppState>,
    Organizer(caller): Organizer,
) -> Result<axum::Json<Vec<ProposalView>>, ApiError> {
    let rows = matching::proposals_for(&state, &caller.scope).await?;
    Ok(axum::Json(
        rows.into_iter()
            .map(|p| ProposalView {
                id: p.id,
                request_id: p.request_id,
                referent_id: p.referent_id,
                state: p.state,
                cost: p.cost,
                explanation: serde_json::from_str(&p.explanation).unwrap_or_default(),
                created_at: p.created_at,
                expires_at: p.expires_at,
            })
            .collect(),
    ))
}

/// A contact request as organizers see it.
#[derive(Serialize, ToSchema)]
pub struct RequestRow {
    id: i64,
    first_name: String,
    email: Option<String>,
    phone: Option<String>,
    sector_name: String,
    sector_uais: String,
    concern_uais: String,
    child_grade: String,
    languages: String,
    preferred_contact: String,
    concerns: Option<String>,
    #[schema(value_type = String)]
    status: RequestState,
    created_at: chrono::DateTime<chrono::Utc>,
}

/// Every contact request (organizer).
#[utoipa::path(get, path = "/api/v1/contact-requests", tag = "matching", security(("bearer" = [])),
    responses((status = 200, body = [RequestRow]), (status = 401), (status = 403)))]
pub async fn requests(
    State(state): State<AppState>,
    Organizer(caller): Organizer,
) -> Result<axum::Json<Vec<RequestRow>>, ApiError> {
    Ok(axum::Json(
        contact_requests::list_for(&state, &caller.scope)
            .await?
            .into_iter()
            .map(|r| RequestRow {
                id: r.id,
                first_name: r.first_name,
                email: r.email,
                phone: r.phone,
                sector_name: r.sector_name,
                sector_uais: r.sector_uais.to_string(),
                concern_uais: r.concern_uais.joined("+"),
                child_grade: r.child_grade,
                languages: r.languages.joined(","),
                preferred_contact: r.preferred_contact,
                concerns: r.concerns,
                status: r.status,
                created_at: r.created_at,
            })
            .collect(),
    ))
}

/// A referent as organizers see it.
#[derive(Serialize, ToSchema)]
pub struct ReferentRow {
    id: i64,
    first_name: String,
    email: String,
    phone: Option<String>,
    uai: String,
    child_grade: String,
    languages: String,
    monthly_capacity: i32,
    weekday_evenings: bool,
    wednesday_afternoons: bool,
    weekends: bool,
    paused: bool,
    created_at: chrono::DateTime<chrono::Utc>,
}

/// Every referent (organizer).
#[utoipa::path(get, path = "/api/v1/referents", tag = "matching", security(("bearer" = [])),
    responses((status = 200, body = [ReferentRow]), (status = 401), (status = 403)))]
pub async fn referents(
    State(state): State<AppState>,
    Organizer(caller): Organizer,
) -> Result<axum::Json<Vec<ReferentRow>>, ApiError> {
    Ok(axum::Json(
        referents::list_for(&state, &caller.scope)
            .await?
            .into_iter()
            .map(|r| ReferentRow {
                id: r.id,
                first_name: r.first_name,
                email: r.email,
                phone: r.phone,
                uai: r.uai,
                child_grade: r.child_grade,
                languages: r.languages.joined(","),
                monthly_capacity: r.monthly_capacity,
                weekday_evenings: r.weekday_evenings,
                wednesday_afternoons: r.wednesday_afternoons,
                weekends: r.weekends,
                paused: r.paused,
                created_at: r.created_at,
            })
            .collect(),
    ))
}

fn figure_formats() -> utoipa::openapi::Object {
    super::extract::formats(&["json", "csv", "geojson"])
}

/// Query of the public figures.
#[derive(Deserialize, IntoParams)]
pub struct FiguresQuery {
    /// School year such as 2025-2026; default: every year.
    #[param(pattern = r"^[0-9]{4}-[0-9]{4}$", example = "2026-2027")]
    year: Option<String>,
    /// `json` (default), `csv` or `geojson`.
    #[param(schema_with = figure_formats)]
    format: Option<String>,
}

/// Figures for public work, per sector and school year; counts under 5 are
/// null (public).
#[utoipa::path(get, path = "/api/v1/figures", tag = "matching", params(FiguresQuery),
    responses((status = 200, content(
        ([passerelle_app::figures::SectorFigures] = "application/json"),
        (String = "text/csv"),
        (Object = "application/geo+json"),
    )), (status = 400)))]
pub async fn figures(
    State(state): State<AppState>,
    Query(query): Query<FiguresQuery>,
) -> Result<Response, ApiError> {
    let year = query
        .year
        .as_deref()
        .map(|y| {
            y.parse::<passerelle_app::school_year::SchoolYear>()
                .map_err(|e| Error::BadRequest(e.to_string()))
        })
        .transpose()?;
    let rows = passerelle_app::figures::figures(&state, year).await?;
    if query.format.as_deref() == Some("geojson") {
        return Ok((
            [(http::header::CONTENT_TYPE, "application/geo+json")],
            axum::Json(passerelle_app::figures::to_geojson(&state, &rows)),
        )
            .into_response());
    }
    Ok(super::extract::rows(&rows, query.format.as_deref())?)
}
