//! `/api/v1/meetings` and registrations, with their iCalendar documents.
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
use passerelle_app::meetings::{
    self, MeetingInput, MeetingPatch, MeetingView, RegistrationCreated, RegistrationInput,
};

fn ics(body: String) -> Response {
    (
        [(http::header::CONTENT_TYPE, "text/calendar; charset=utf-8")],
        body,
    )
        .into_response()
}

fn id(text: &str) -> Result<i64, Error> {
    text.parse()
        .map_err(|_| Error::BadRequest(format!("« {text} » n'est pas un numéro de réunion")))
}

/// Schedules a meeting and invites its sectors (organizer).
#[utoipa::path(post, path = "/api/v1/meetings", tag = "meetings",
    request_body(content = MeetingInput, example = json!({"title": "Réunion de quartier",
        "sector_ids": [1], "online_url": "https://visio.example.org/r",
        "starts_at": "2028-03-12T18:30", "ends_at": "2028-03-12T20:00", "capacity": 20})),
    security(("bearer" = [])),
    responses((status = 201, body = MeetingView), (status = 401), (status = 403), (status = 422)))]
pub async fn create(
    State(state): State<AppState>,
    Organizer(caller): Organizer,
    Json(input): Json<MeetingInput>,
) -> Result<(StatusCode, axum::Json<MeetingView>), ApiError> {
    let record = meetings::create(&state, &caller.scope, input).await?;
    Ok((StatusCode::CREATED, axum::Json(meetings::view(&record))))
}

/// Query of the meeting list.
#[derive(Deserialize, IntoParams)]
pub struct ListQuery {
    /// Only the meetings of this sector.
    sector_id: Option<i64>,
    /// Only meetings ending after this instant (RFC 3339).
    from: Option<chrono::DateTime<chrono::Utc>>,
    /// Only meetings starting before this instant (RFC 3339).
    to: Option<chrono::DateTime<chrono::Utc>>,
}

/// Meetings by start time.
#[utoipa::path(get, path = "/api/v1/meetings", tag = "meetings", params(ListQuery),
    responses((status = 200, body = [MeetingView]), (status = 400), (status = 404)))]
pub async fn list(
    State(state): State<AppState>,
    Query(query): Query<ListQuery>,
) -> Result<axum::Json<Vec<MeetingView>>, ApiError> {
    let records = meetings::list(&state, query.sector_id, query.from, query.to).await?;
    Ok(axum::Json(records.iter().map(meetings::view).collect()))
}

/// One meeting as JSON, or `{id}.ics` as iCalendar (METHOD:PUBLISH).
#[utoipa::path(get, path = "/api/v1/meetings/{id}", tag = "meetings",
    params(("id" = String, Path, description = "meeting id, or id followed by .ics", example = "1")),
    responses((status = 200, content((MeetingView = "application/json"), (String = "text/calendar"))),
        (status = 404)))]
pub async fn show(
    State(state): State<AppState>,
    Path(file): Path<String>,
) -> Result<Response, ApiError> {
    if let Some(number) = file.strip_suffix(".ics") {
        return Ok(ics(meetings::meeting_ics(&state, id(number)?).await?));
    }
    let id = id(&file)?;
    let record = meetings::get(&state, id).await?;
    Ok(axum::Json(meetings::view(&record)).into_response())
}

/// Edits or reschedules a meeting (organizer).
#[utoipa::path(patch, path = "/api/v1/meetings/{id}", tag = "meetings",
    request_body(content = MeetingPatch, example = json!({"title": "Réunion de quartier (salle B)"})),
    params(("id" = i64, Path, example = 1)), security(("bearer" = [])),
    responses((status = 200, body = MeetingView), (status = 401), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn update(
    State(state): State<AppState>,
    Organizer(caller): Organizer,
    Path(file): Path<String>,
    Json(patch): Json<MeetingPatch>,
) -> Result<axum::Json<MeetingView>, ApiError> {
    let record = meetings::update(&state, &caller.scope, id(&file)?, patch).await?;
    Ok(axum::Json(meetings::view(&record)))
}

/// Cancels a meeting (organizer).
#[utoipa::path(post, path = "/api/v1/meetings/{id}/cancel", tag = "meetings",
    params(("id" = i64, Path)), security(("bearer" = [])),
    responses((status = 200, body = MeetingView), (status = 401), (status = 403), (status = 404), (status = 409)))]
pub async fn cancel(
    State(state): State<AppState>,
    Organizer(caller): Organizer,
    Path(file): Path<String>,
) -> Result<axum::Json<MeetingView>, ApiError> {
    let record = meetings::cancel(&state, &caller.scope, id(&file)?).await?;
    Ok(axum::Json(meetings::view(&record)))
}

/// Registers for a meeting (public). The answer holds no private link: the
/// registration's links go by mail, to the address. An e-mail already
/// registered for it gets the same answer, its registration stays as it
/// was, and the address a message saying it is already registered.
#[utoipa::path(post, path = "/api/v1/meetings/{id}/registrations", tag = "meetings",
    params(("id" = i64, Path, example = 2)),
    request_body(content = RegistrationInput, example = json!({"name": "Camille",
        "email": "camille@example.org", "guests": 1})),
    responses((status = 201, body = RegistrationCreated,
            example = json!({"status": "confirmed", "message": meetings::REGISTRATION_MAILED})),
        (status = 404),
        (status = 409, description = "meeting cancelled or registrations closed"),
        (status = 422)))]
pub async fn register(
    State(state): State<AppState>,
    Path(file): Path<String>,
    Json(input): Json<RegistrationInput>,
) -> Result<(StatusCode, axum::Json<RegistrationCreated>), ApiError> {
    let created = meetings::register(&state, id(&file)?, input).await?;
    Ok((StatusCode::CREATED, axum::Json(created)))
}

/// A registration as organizers see it.
#[derive(Serialize, ToSchema)]
pub struct RegistrationRow {
    id: i64,
    name: String,
    email: String,
    guests: i32,
    #[schema(value_type = String)]
    status: passerelle_app::records::RegistrationStatus,
    created_at: chrono::DateTime<chrono::Utc>,
}

/// Query of the registration list.
#[derive(Deserialize, IntoParams)]
pub struct RegistrationsQuery {
    /// `json` (default) or `csv`.
    #[param(schema_with = super::extract::row_formats)]
    format: Option<String>,
}

/// Registrations and waitlist of a meeting, in order (organizer).
#[utoipa::path(get, path = "/api/v1/meetings/{id}/registrations", tag = "meetings",
    params(("id" = i64, Path, example = 1), RegistrationsQuery), security(("bearer" = [])),
    responses((status = 200, content(([RegistrationRow] = "application/json"), (String = "text/csv"))),
        (status = 401), (status = 403), (status = 404)))]
pub async fn registrations(
    State(state): State<AppState>,
    Organizer(caller): Organizer,
    Path(file): Path<String>,
    Query(query): Query<RegistrationsQuery>,
) -> Result<Response, ApiError> {
    let id = id(&file)?;
    let rows: Vec<RegistrationRow> = meetings::registrations_of(&state, &caller.scope, id)
        .await?
        .into_iter()
        .map(|r| RegistrationRow {
            id: r.id,
            name: r.name,
            email: r.email,
            guests: r.guests,
            status: r.status,
            created_at: r.created_at,
        })
        .collect();
    Ok(super::extract::rows(&rows, query.format.as_deref())?)
}

/// A registration's own invite (METHOD:REQUEST, or CANCEL once cancelled).
#[utoipa::path(get, path = "/api/v1/registrations/{secret}/invite.ics", tag = "meetings",
    params(("secret" = String, Path)), responses((status = 200, content_type = "text/calendar"), (status = 404)))]
pub async fn invite(
    State(state): State<AppState>,
    Path(secret): Path<String>,
) -> Result<Response, ApiError> {
    Ok(ics(meetings::registration_invite(&state, &secret).await?))
}

/// The feed of a person's meetings (the feed's own secret, sent by mail).
#[utoipa::path(get, path = "/api/v1/registrations/{secret}/feed.ics", tag = "meetings",
    params(("secret" = String, Path)), responses((status = 200, content_type = "text/calendar"), (status = 404)))]
pub async fn person_feed(
    State(state): State<AppState>,
    Path(secret): Path<String>,
) -> Result<Response, ApiError> {
    Ok(ics(meetings::person_feed(&state, &secret).await?))
}

/// A cancelled registration.
#[derive(Serialize, ToSchema)]
pub struct RegistrationCancelled {
    id: i64,
    #[schema(value_type = String)]
    status: passerelle_app::records::RegistrationStatus,
}

/// Cancels a registration (secret link); the waitlist moves up.
#[utoipa::path(post, path = "/api/v1/registrations/{secret}/cancel", tag = "meetings",
    params(("secret" = String, Path)), responses((status = 200, body = RegistrationCancelled), (status = 404), (status = 409)))]
pub async fn cancel_registration(
    State(state): State<AppState>,
    Path(secret): Path<String>,
) -> Result<axum::Json<RegistrationCancelled>, ApiError> {
    let r = meetings::cancel_registration(&state, &secret).await?;
    Ok(axum::Json(RegistrationCancelled {
        id: r.id,
        status: r.status,
    }))
}

/// The subscription feed of a sector's meetings.
#[utoipa::path(get, path = "/api/v1/sectors/{id}/meetings.ics", tag = "meetings",
    params(("id" = i64, Path, example = 1)),
    responses((status = 200, content_type = "text/calendar"), (status = 404)))]
pub async fn sector_feed(
    State(state): State<AppState>,
    Path(sector): Path<String>,
) -> Result<Response, ApiError> {
    let sector_id: i64 = sector.parse().map_err(|_| {
        Error::BadRequest(format!("« {sector} » n'est pas un identifiant de secteur"))
    })?;
    let catalog = state.catalog();
    let (sector, _) = catalog
        .sector(sector_id)
        .ok_or_else(|| Error::NotFound(format!("le secteur {sector_id} n'existe pas")))?;
    Ok(ics(meetings::sector_feed(&state, sector).await?))
}

/// Query of slot suggestions.
#[derive(Deserialize, IntoParams)]
pub struct SlotQuery {
    /// First day (default: tomorrow).
    from: Option<chrono::NaiveDate>,
    /// Last day (default: four weeks after `from`).
    to: Option<chrono::NaiveDate>,
    /// Minutes (default 90).
    #[param(minimum = 15, maximum = 360)]
    duration: Option<i64>,
}

/// Candidate slots for a sector's meeting, ranked by declared availability,
/// outside school and public holidays and other meetings of the sector.
#[utoipa::path(get, path = "/api/v1/sectors/{id}/slot-suggestions", tag = "meetings",
    params(("id" = i64, Path, example = 1), SlotQuery),
    responses((status = 200, body = [passerelle_app::holidays::SlotView]), (status = 400), (status = 404)))]
pub async fn slot_suggestions(
    State(state): State<AppState>,
    Path(sector): Path<String>,
    Query(query): Query<SlotQuery>,
) -> Result<axum::Json<Vec<passerelle_app::holidays::SlotView>>, ApiError> {
    let sector_id: i64 = sector.parse().map_err(|_| {
        Error::BadRequest(format!("« {sector} » n'est pas un identifiant de secteur"))
    })?;
    let catalog = state.catalog();
    let (sector, _) = catalog
        .sector(sector_id)
        .ok_or_else(|| Error::NotFound(format!("le secteur {sector_id} n'existe pas")))?;
    let from = query
        .from
        .unwrap_or_else(|| chrono::Utc::now().date_naive() + chrono::TimeDelta::days(1));
    let to = query
        .to
        .or_else(|| from.checked_add_days(chrono::Days::new(28)))
        .ok_or_else(|| Error::BadRequest(format!("la date `from` {from} est trop lointaine")))?;
    // Checked here: `TimeDelta::minutes` panics on values near i64::MAX.
    let duration = query.duration.unwrap_or(90);
    if !(15..=360).contains(&duration) {
        return Err(Error::BadRequest(
            "la durée doit être comprise entre 15 et 360 minutes".into(),
        )
        .into());
    }
    let duration = chrono::TimeDelta::minutes(duration);
    Ok(axum::Json(
        passerelle_app::holidays::suggestions(&state, sector, from, to, duration).await?,
    ))
}
