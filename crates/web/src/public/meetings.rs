//! Meetings for parents: one meeting, registering, and a registration's
//! own page with its cancellation.
use askama::Template;
use axum::extract::{Path, State};
use chrono::Utc;
use http::{StatusCode, Uri};
use passerelle_app::records::{MeetingRecord, MeetingStatus, RegistrationStatus};

use crate::forms;
use crate::forms::FormData;
use crate::i18n::{self, Lang, PageLang, Tr};
use crate::page::{Ctx, Errors, PageResult, render, see_other, sentence};
use passerelle_app::AppState;
use passerelle_app::Error;
use passerelle_app::meetings::{self, RegistrationInput};

pub struct MeetingCard {
    pub id: i64,
    pub title: String,
    pub when: String,
    pub place: String,
    pub description: String,
    pub cancelled: bool,
    /// Registrations are open.
    pub open: bool,
    pub ics_url: String,
    pub sectors: String,
}

impl MeetingCard {
    pub fn new(lang: Lang, record: &MeetingRecord) -> Self {
        let m = &record.meeting;
        let t = lang.tr();
        let tz = record.zone;
        let cancelled = m.status == MeetingStatus::Cancelled;
        let place = match (&m.venue_name, &m.venue_address, &m.online_url) {
            (Some(name), Some(address), _) => format!("{name}, {address}"),
            (_, _, Some(url)) => format!("{} : {url}", t.online),
            _ => String::new(),
        };
        Self {
            id: m.id,
            title: m.title.clone(),
            when: i18n::when(
                lang,
                m.starts_at.with_timezone(&tz),
                m.ends_at.with_timezone(&tz),
            ),
            place,
            description: m.description.clone(),
            cancelled,
            open: !cancelled && m.registration_deadline > Utc::now(),
            ics_url: format!("/api/v1/meetings/{}.ics", m.id),
            sectors: record
                .sectors
                .iter()
                .map(|s| s.sector_name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        }
    }
}

#[derive(Template)]
#[template(path = "meeting.html")]
struct MeetingPage {
    ctx: Ctx,
    t: &'static Tr,
    m: MeetingCard,
    name: String,
    email: String,
    guests: String,
    errors: Errors,
    flash: Option<String>,
}

async fn meeting_card(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
) -> Result<MeetingCard, crate::page::WebError> {
    let not_found = || ctx.fail(Error::NotFound(format!("la réunion « {id} » n'existe pas")));
    let id: i64 = id.parse().map_err(|_| not_found())?;
    let record = meetings::get(state, id).await.map_err(|e| ctx.fail(e))?;
    Ok(MeetingCard::new(ctx.lang, &record))
}

/// `/reunions/{id}`: one meeting and its registration form; after a
/// registration (`?inscription=confirmee` or `attente`), what comes next.
pub async fn meeting(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    uri: Uri,
) -> PageResult {
    let m = meeting_card(&state, &ctx, &id).await?;
    let t = ctx.t();
    let flash = match FormData::from_uri(&uri).get("inscription") {
        "confirmee" => Some(format!(
            "{} {}",
            t.registration_confirmed, t.registration_mailed
        )),
        "attente" => Some(format!(
            "{} {}",
            t.registration_waitlisted, t.registration_mailed
        )),
        _ => None,
    };
    Ok(render(
        StatusCode::OK,
        &MeetingPage {
            flash,
            t,
            ctx: ctx.section("find"),
            m,
            name: String::new(),
            email: String::new(),
            guests: "0".into(),
            errors: Errors::default(),
        },
    ))
}

/// `POST /reunions/{id}/inscription`.
pub async fn register(
    State(state): State<AppState>,
    mut ctx: Ctx,
    Path(id): Path<String>,
    form: FormData,
) -> PageResult {
    let t = ctx.t();
    let m = meeting_card(&state, &ctx, &id).await?;
    let mut errors = Errors::default();
    if let Err(message) = forms::human(&form, &state, t) {
        errors.general = Some(message.to_owned());
    }
    let guests = match form.opt("guests").map(str::parse::<i32>) {
        None => Some(0),
        Some(Ok(n)) => Some(n),
        Some(Err(_)) => {
            errors.add("guests", t.guests_invalid);
            None
        }
    };
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    if let (true, Some(guests)) = (errors.is_empty(), guests) {
        let input = RegistrationInput {
            name: form.get("name").to_owned(),
            email: form.get("email").to_owned(),
            guests,
        };
        match meetings::register(&state, m.id, input).await {
            // The same page whether the address was new to the meeting or
            // not: the private links go by mail only.
            Ok(created) => {
                let outcome = if created.status == RegistrationStatus::Confirmed {
                    "confirmee"
                } else {
                    "attente"
                };
                return Ok(see_other(&format!(
                    "/reunions/{}?inscription={outcome}",
                    m.id
                )));
            }
            Err(Error::Invalid(fields)) => errors.refused(ctx.lang, &fields),
            Err(e @ Error::Conflict(_)) => {
                status = StatusCode::CONFLICT;
                errors.general = Some(sentence(&e.to_string()));
            }
            Err(e) => return Err(ctx.fail(e)),
        }
    }
    ctx.link_other_language(&format!("/reunions/{}", m.id));
    Ok(render(
        status,
        &MeetingPage {
            t,
            ctx: ctx.section("find"),
            m,
            name: form.get("name").to_owned(),
            email: form.get("email").to_owned(),
            guests: form.get("guests").to_owned(),
            errors,
            flash: None,
        },
    ))
}

#[derive(Template)]
#[template(path = "registration.html")]
struct RegistrationPage {
    ctx: Ctx,
    t: &'static Tr,
    secret: String,
    message: &'static str,
    cancelled: bool,
    m: MeetingCard,
}

/// `/inscription/{secret}`: a registration, its calendar links, and its
/// cancellation.
pub async fn registration(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(secret): Path<String>,
) -> PageResult {
    let found = meetings::registration_by_secret(&state, &secret)
        .await
        .map_err(|e| ctx.fail(e))?;
    let t = ctx.t();
    let status = found.registration.status;
    let message = match status {
        RegistrationStatus::Confirmed => t.registration_confirmed,
        RegistrationStatus::Waitlisted => t.registration_waitlisted,
        _ => t.registration_cancelled,
    };
    Ok(render(
        StatusCode::OK,
        &RegistrationPage {
            t,
            message,
            cancelled: status == RegistrationStatus::Cancelled,
            m: MeetingCard::new(ctx.lang, &found.meeting),
            ctx: ctx.section("find"),
            secret,
        },
    ))
}

/// `POST /inscription/{secret}/annulation`.
pub async fn cancel_registration(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(secret): Path<String>,
    _form: FormData,
) -> PageResult {
    meetings::cancel_registration(&state, &secret)
        .await
        .map_err(|e| ctx.fail(e))?;
    Ok(see_other(&format!("/inscription/{secret}")))
}
