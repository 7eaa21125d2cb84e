//! One meeting for its organizers: editing, cancelling, registrations.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::IntoResponse;
use http::{StatusCode, Uri, header};
use passerelle_app::records::{MeetingRecord, RegistrationStatus};

use super::meetings::{MeetingValues, capacity, venue};
use crate::forms::FormData;
use crate::i18n::{self, Tr};
use crate::page::{Ctx, Errors, PageResult, WebError, render, see_other, sentence};
use crate::public::MeetingCard;
use crate::session::Staff;
use passerelle_app::AppState;
use passerelle_app::Error;
use passerelle_app::access::Scope;
use passerelle_app::csv_export::Table;
use passerelle_app::meetings::{self, MeetingPatch};

pub struct RegistrationRow {
    pub name: String,
    pub email: String,
    pub guests: i32,
    pub at: String,
}

#[derive(Template)]
#[template(path = "org_meeting.html")]
struct MeetingAdminPage {
    ctx: Ctx,
    t: &'static Tr,
    m: MeetingCard,
    values: MeetingValues,
    errors: Errors,
    confirmed: Vec<RegistrationRow>,
    waitlisted: Vec<RegistrationRow>,
    flash: Option<&'static str>,
}

/// A meeting of the organizer's sectors; the others do not exist for them.
async fn record_of(
    state: &AppState,
    scope: &Scope,
    ctx: &Ctx,
    id: &str,
) -> Result<MeetingRecord, WebError> {
    let id: i64 = id
        .parse()
        .map_err(|_| ctx.fail(Error::NotFound(format!("la réunion « {id} » n'existe pas"))))?;
    meetings::visible(state, scope, id)
        .await
        .map_err(|e| ctx.fail(e))
}

async fn admin_page(
    state: &AppState,
    scope: &Scope,
    ctx: Ctx,
    record: &MeetingRecord,
    values: MeetingValues,
    errors: Errors,
    flash: Option<&'static str>,
) -> Result<MeetingAdminPage, WebError> {
    let lang = ctx.lang;
    let registrations = meetings::registrations_of(state, scope, record.meeting.id)
        .await
        .map_err(|e| ctx.fail(e))?;
    let row = |r: &passerelle_app::records::Registration| {
        let at = r.created_at.with_timezone(&chrono_tz::Europe::Paris);
        RegistrationRow {
            name: r.name.clone(),
            email: r.email.clone(),
            guests: r.guests,
            at: format!("{}, {}", i18n::date(lang, at), i18n::time(lang, at)),
        }
    };
    Ok(MeetingAdminPage {
        t: ctx.t(),
        m: MeetingCard::new(lang, record),
        confirmed: registrations
            .iter()
            .filter(|r| r.status == RegistrationStatus::Confirmed)
            .map(row)
            .collect(),
        waitlisted: registrations
            .iter()
            .filter(|r| r.status == RegistrationStatus::Waitlisted)
            .map(row)
            .collect(),
        ctx,
        values,
        errors,
        flash,
    })
}

/// `/organisation/reunions/{id}`: edit, cancel, registrations.
pub async fn meeting(
    State(state): State<AppState>,
    session: Staff,
    Path(id): Path<String>,
    uri: Uri,
) -> PageResult {
    let ctx = session.ctx;
    let t = ctx.t();
    let record = record_of(&state, &session.caller.scope, &ctx, &id).await?;
    let flash = match FormData::from_uri(&uri).get("ok") {
        "cree" => Some(t.meeting_created),
        "modifiee" => Some(t.meeting_updated),
        "annulee" => Some(t.meeting_cancelled_flash),
        _ => None,
    };
    let values = MeetingValues::of(&record);
    let page = admin_page(
        &state,
        &session.caller.scope,
        ctx,
        &record,
        values,
        Errors::default(),
        flash,
    )
    .await?;
    Ok(render(StatusCode::OK, &page))
}

/// `POST /organisation/reunions/{id}`: sends only what changed, so that
/// registered people are told of real changes only.
pub async fn update_meeting(
    State(state): State<AppState>,
    session: Staff,
    Path(id): Path<String>,
    form: FormData,
) -> PageResult {
    let mut ctx = session.ctx;
    let t = ctx.t();
    let record = record_of(&state, &session.caller.scope, &ctx, &id).await?;
    let before = MeetingValues::of(&record);
    let values = MeetingValues::from_form(&form);
    let mut errors = Errors::default();
    let capacity = capacity(t, &values, &mut errors);
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    if errors.is_empty() {
        let changed = |a: &str, b: &str| (a != b).then(|| a.to_owned());
        let patch = MeetingPatch {
            title: changed(&values.title, &before.title),
            description: changed(&values.description, &before.description),
            venue: (values.venue_name != before.venue_name
                || values.venue_address != before.venue_address)
                .then(|| venue(&values))
                .flatten(),
            online_url: changed(&values.online_url, &before.online_url).filter(|u| !u.is_empty()),
            starts_at: changed(&values.starts_at, &before.starts_at),
            ends_at: changed(&values.ends_at, &before.ends_at),
            capacity: capacity.filter(|_| values.capacity != before.capacity),
            registration_deadline: changed(
                &values.registration_deadline,
                &before.registration_deadline,
            )
            .filter(|d| !d.trim().is_empty()),
        };
        match meetings::update(&state, &session.caller.scope, record.meeting.id, patch).await {
            Ok(_) => {
                return Ok(see_other(&format!(
                    "/organisation/reunions/{}?ok=modifiee",
                    record.meeting.id
                )));
            }
            Err(Error::Invalid(fields)) => errors.refused(ctx.lang, &fields),
            Err(e @ (Error::BadRequest(_) | Error::Conflict(_))) => {
                status = passerelle_http::error::status(&e);
                errors.general = Some(sentence(&e.to_string()));
            }
            Err(e) => return Err(ctx.fail(e)),
        }
    }
    ctx.link_other_language(&format!("/organisation/reunions/{}", record.meeting.id));
    let page = admin_page(
        &state,
        &session.caller.scope,
        ctx,
        &record,
        values,
        errors,
        None,
    )
    .await?;
    Ok(render(status, &page))
}

/// `POST /organisation/reunions/{id}/annulation`.
pub async fn cancel_meeting(
    State(state): State<AppState>,
    session: Staff,
    Path(id): Path<String>,
    _form: FormData,
) -> PageResult {
    let ctx = session.ctx;
    let record = record_of(&state, &session.caller.scope, &ctx, &id).await?;
    meetings::cancel(&state, &session.caller.scope, record.meeting.id)
        .await
        .map_err(|e| ctx.fail(e))?;
    Ok(see_other(&format!(
        "/organisation/reunions/{}?ok=annulee",
        record.meeting.id
    )))
}

/// `/organisation/reunions/{id}/inscriptions.csv`: registrations and
/// waitlist, in order of arrival.
pub async fn registrations_csv(
    State(state): State<AppState>,
    session: Staff,
    Path(id): Path<String>,
) -> PageResult {
    let ctx = session.ctx;
    let record = record_of(&state, &session.caller.scope, &ctx, &id).await?;
    let rows = meetings::registrations_of(&state, &session.caller.scope, record.meeting.id)
        .await
        .map_err(|e| ctx.fail(e))?;
    let write = || -> Result<Vec<u8>, Error> {
        let mut table = Table::new();
        table.record([
            "id",
            "nom",
            "email",
            "accompagnants",
            "statut",
            "inscrit_le",
        ])?;
        for r in &rows {
            table.record([
                r.id.to_string(),
                r.name.clone(),
                r.email.clone(),
                r.guests.to_string(),
                r.status.to_string(),
                r.created_at.to_rfc3339(),
            ])?;
        }
        table.finish()
    };
    let body = write().map_err(|e| ctx.fail(e))?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"reunion-{}-inscriptions.csv\"",
                    record.meeting.id
                ),
            ),
        ],
        body,
    )
        .into_response())
}
