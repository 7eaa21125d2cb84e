//! The organizers' pages, behind a session opened with an e-mail and a
//! password. An organizer limited to some sectors sees and acts on those
//! only; the other sectors' meetings do not exist for them.
use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDateTime;
use chrono_tz::Tz;
use http::{StatusCode, Uri, header};
use passerelle_app::records::{MeetingRecord, meeting_status};

use crate::cache;
use crate::forms::FormData;
use crate::i18n::{self, Tr};
use crate::map::{AreaStyle, OverviewMap};
use crate::page::{Choice, Ctx, Errors, PageResult, WebError, render, see_other, sentence};
use crate::public::MeetingCard;
use crate::session::{Staff, redirect_with_session};
use passerelle_app::AppState;
use passerelle_app::Error;
use passerelle_app::access::Scope;
use passerelle_app::accounts;
use passerelle_app::csv_export::Table;
use passerelle_app::matching;
use passerelle_app::meetings::{self, MeetingInput, MeetingPatch, Venue};
use passerelle_app::sectors::year_choice;
use passerelle_app::validate;

const ORG_PATH: &str = "/organisation";

#[derive(Template)]
#[template(path = "org_signin.html")]
struct SigninPage {
    ctx: Ctx,
    t: &'static Tr,
    email: String,
    errors: Errors,
}

/// `/organisation/connexion`.
pub async fn signin_form(ctx: Ctx) -> Response {
    render(
        StatusCode::OK,
        &SigninPage {
            t: ctx.t(),
            ctx: ctx.section("organizers"),
            email: String::new(),
            errors: Errors::default(),
        },
    )
}

/// `POST /organisation/connexion`: checks the e-mail and password, then
/// opens a session.
pub async fn signin(State(state): State<AppState>, ctx: Ctx, form: FormData) -> PageResult {
    let t = ctx.t();
    let mut errors = Errors::default();
    let status = match accounts::sign_in(&state, form.get("email"), form.raw("password")).await {
        Ok(secret) => return Ok(redirect_with_session(ORG_PATH, &secret, ctx.secure)),
        Err(Error::Unauthorized) => {
            errors.general = Some(t.signin_failed.to_owned());
            StatusCode::UNAUTHORIZED
        }
        Err(e @ Error::Invalid(_)) => {
            errors.add("email", e.to_string());
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Err(e) => return Err(ctx.fail(e)),
    };
    let mut ctx = ctx.section("organizers");
    ctx.link_other_language("/organisation/connexion");
    Ok(render(
        status,
        &SigninPage {
            t,
            ctx,
            email: form.get("email").to_owned(),
            errors,
        },
    ))
}

pub struct MapRow {
    pub territory: String,
    pub year: String,
    pub sectors: i32,
    pub imported_at: String,
}

#[derive(Template)]
#[template(path = "org_dashboard.html")]
struct DashboardPage {
    ctx: Ctx,
    t: &'static Tr,
    maps: Vec<MapRow>,
    report: Option<String>,
    error: Option<String>,
}

async fn dashboard_page(
    state: &AppState,
    session: Staff,
    report: Option<String>,
    error: Option<String>,
) -> Result<DashboardPage, WebError> {
    let ctx = session.ctx;
    let lang = ctx.lang;
    let maps = passerelle_app::sectors::maps(state)
        .await
        .map_err(|e| ctx.fail(e))?
        .into_iter()
        .map(|m| {
            let at = m.imported_at.with_timezone(&chrono_tz::Europe::Paris);
            MapRow {
                territory: m.territory,
                year: m.school_year,
                sectors: m.sector_count,
                imported_at: format!("{}, {}", i18n::date(lang, at), i18n::time(lang, at)),
            }
        })
        .collect();
    Ok(DashboardPage {
        t: ctx.t(),
        ctx,
        maps,
        report,
        error,
    })
}

/// `/organisation`: matching, imports, links.
pub async fn dashboard(State(state): State<AppState>, session: Staff, uri: Uri) -> PageResult {
    let t = session.ctx.t();
    let params = FormData::from_uri(&uri);
    let report = params.opt("created").map(|_| {
        format!(
            "{} : {} {}, {} {}, {} {}, {} {}.",
            t.matching_done,
            params.get("kept"),
            t.kept,
            params.get("created"),
            t.created,
            params.get("superseded"),
            t.superseded,
            params.get("expired"),
            t.expired
        )
    });
    let page = dashboard_page(&state, session, report, None).await?;
    Ok(render(StatusCode::OK, &page))
}

/// `POST /organisation/appariement`: the batch matching.
pub async fn run_matching(
    State(state): State<AppState>,
    mut session: Staff,
    _form: FormData,
) -> PageResult {
    if let Err(e) = session.caller.require_every_sector() {
        return Err(session.ctx.fail(e));
    }
    match matching::run_batch(&state).await {
        Ok(r) => Ok(see_other(&format!(
            "/organisation?kept={}&created={}&superseded={}&expired={}",
            r.kept, r.created, r.superseded, r.expired
        ))),
        Err(e @ Error::Conflict(_)) => {
            session.ctx.link_other_language(ORG_PATH);
            let page =
                dashboard_page(&state, session, None, Some(sentence(&e.to_string()))).await?;
            Ok(render(StatusCode::CONFLICT, &page))
        }
        Err(e) => Err(session.ctx.fail(e)),
    }
}

pub struct CoverageLine {
    pub sector_id: i64,
    pub sector: String,
    pub territory: String,
    pub pending: usize,
    pub referents: usize,
    pub capacity_left: u32,
    pub unmet: usize,
    pub median: String,
}

#[derive(Template)]
#[template(path = "org_coverage.html")]
struct CoveragePage {
    ctx: Ctx,
    t: &'static Tr,
    lines: Vec<CoverageLine>,
    maps: Vec<OverviewMap>,
    targets: Vec<CoverageLine>,
}

/// The colour class of an unmet demand.
fn unmet_class(unmet: usize) -> &'static str {
    match unmet {
        0 => "u0",
        1 => "u1",
        2..=4 => "u2",
        _ => "u3",
    }
}

/// `/organisation/couverture`: where demand is not met, on a map and in a
/// table, and where to recruit.
pub async fn coverage(State(state): State<AppState>, session: Staff) -> PageResult {
    let ctx = session.ctx;
    let t = ctx.t();
    let mut rows = matching::coverage(&state).await.map_err(|e| ctx.fail(e))?;
    rows.retain(|r| session.caller.scope.allows(&r.uais));
    let lines: Vec<CoverageLine> = rows
        .iter()
        .map(|r| CoverageLine {
            sector_id: r.sector_id,
            sector: r.sector_name.clone(),
            territory: r.territory.clone(),
            pending: r.pending_requests,
            referents: r.active_referents,
            capacity_left: r.capacity_left,
            unmet: r.pending_requests.saturating_sub(r.capacity_left as usize),
            median: r
                .median_hours_to_acceptance
                .map(|h| i18n::decimal(ctx.lang, h))
                .unwrap_or_default(),
        })
        .collect();
    let unmet: HashMap<i64, usize> = lines.iter().map(|l| (l.sector_id, l.unmet)).collect();
    let catalog = state.catalog();
    let maps = cache::territories(&catalog)
        .iter()
        .filter_map(|territory| cache::overview(&catalog, territory))
        .map(|overview| {
            overview.svg(t.coverage_map_title, t.coverage_lead, false, |area| {
                let n = unmet.get(&area.id).copied().unwrap_or(0);
                AreaStyle {
                    href: Some(format!("/secteur/{}", area.id)),
                    class: unmet_class(n),
                    label: format!("{} : {} {}", area.name, n, t.col_unmet.to_lowercase()),
                }
            })
        })
        .collect();
    let targets = rows
        .iter()
        .zip(&lines)
        .filter(|(r, _)| r.recruitment_target)
        .map(|(_, l)| CoverageLine {
            sector: l.sector.clone(),
            territory: l.territory.clone(),
            median: l.median.clone(),
            ..*l
        })
        .collect();
    Ok(render(
        StatusCode::OK,
        &CoveragePage {
            t,
            ctx,
            lines,
            maps,
            targets,
        },
    ))
}

pub struct MeetingRow {
    pub id: i64,
    pub title: String,
    pub when: String,
    pub status: &'static str,
    pub confirmed: usize,
    pub waitlisted: usize,
}

#[derive(Template)]
#[template(path = "org_meetings.html")]
struct MeetingsPage {
    ctx: Ctx,
    t: &'static Tr,
    rows: Vec<MeetingRow>,
}

/// `/organisation/reunions`: every meeting.
pub async fn meetings_list(State(state): State<AppState>, session: Staff) -> PageResult {
    let ctx = session.ctx;
    let t = ctx.t();
    let records = meetings::visible_list(&state, &session.caller.scope)
        .await
        .map_err(|e| ctx.fail(e))?;
    let mut rows = Vec::new();
    for record in &records {
        let registrations =
            meetings::registrations_of(&state, &session.caller.scope, record.meeting.id)
                .await
                .map_err(|e| ctx.fail(e))?;
        let card = MeetingCard::new(ctx.lang, record);
        rows.push(MeetingRow {
            id: card.id,
            title: card.title,
            when: card.when,
            status: if card.cancelled {
                t.cancelled
            } else {
                t.scheduled
            },
            confirmed: registrations
                .iter()
                .filter(|r| r.status == meeting_status::CONFIRMED)
                .count(),
            waitlisted: registrations
                .iter()
                .filter(|r| r.status == meeting_status::WAITLISTED)
                .count(),
        });
    }
    Ok(render(StatusCode::OK, &MeetingsPage { t, ctx, rows }))
}

/// What the organizer typed in the meeting form.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MeetingValues {
    pub title: String,
    pub description: String,
    pub venue_name: String,
    pub venue_address: String,
    pub online_url: String,
    pub starts_at: String,
    pub ends_at: String,
    pub registration_deadline: String,
    pub capacity: String,
}

impl MeetingValues {
    fn from_form(form: &FormData) -> Self {
        Self {
            title: form.get("title").to_owned(),
            description: form.get("description").to_owned(),
            venue_name: form.get("venue_name").to_owned(),
            venue_address: form.get("venue_address").to_owned(),
            online_url: form.get("online_url").to_owned(),
            starts_at: form.get("starts_at").to_owned(),
            ends_at: form.get("ends_at").to_owned(),
            registration_deadline: form.get("registration_deadline").to_owned(),
            capacity: form.get("capacity").to_owned(),
        }
    }

    fn of(record: &MeetingRecord) -> Self {
        let m = &record.meeting;
        let tz: Tz = m.time_zone.parse().unwrap_or(chrono_tz::Europe::Paris);
        let local = |t: chrono::DateTime<chrono::Utc>| {
            t.with_timezone(&tz).format("%Y-%m-%dT%H:%M").to_string()
        };
        Self {
            title: m.title.clone(),
            description: m.description.clone(),
            venue_name: m.venue_name.clone().unwrap_or_default(),
            venue_address: m.venue_address.clone().unwrap_or_default(),
            online_url: m.online_url.clone().unwrap_or_default(),
            starts_at: local(m.starts_at),
            ends_at: local(m.ends_at),
            registration_deadline: local(m.registration_deadline),
            capacity: m.capacity.to_string(),
        }
    }
}

/// A local wall time as the browser's datetime-local field sends it.
fn wall_time(text: &str) -> Option<NaiveDateTime> {
    ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(text.trim(), f).ok())
}

/// The typed values, checked for form: each unreadable field gets its error.
struct Parsed {
    starts_at: Option<NaiveDateTime>,
    ends_at: Option<NaiveDateTime>,
    deadline: Option<NaiveDateTime>,
    capacity: Option<i32>,
}

fn parse(t: &Tr, v: &MeetingValues, errors: &mut Errors) -> Parsed {
    if v.title.is_empty() {
        errors.add("title", t.title_missing);
    } else {
        errors.check("title", validate::single_line(&v.title, 200, "le titre"));
    }
    // The service's own checks, to show each error beside its field.
    for (field, value, max, name) in [
        ("venue_name", &v.venue_name, 200, "le nom du lieu"),
        ("venue_address", &v.venue_address, 300, "l'adresse du lieu"),
    ] {
        if !value.is_empty() {
            errors.check(field, validate::single_line(value, max, name));
        }
    }
    let mut time = |field: &'static str, text: &str, required: bool| {
        if text.is_empty() && !required {
            return None;
        }
        let parsed = wall_time(text);
        if parsed.is_none() {
            errors.add(field, t.datetime_invalid);
        }
        parsed
    };
    let starts_at = time("starts_at", &v.starts_at, true);
    let ends_at = time("ends_at", &v.ends_at, true);
    let deadline = time("registration_deadline", &v.registration_deadline, false);
    let capacity = v.capacity.parse::<i32>().ok();
    if capacity.is_none() {
        errors.add("capacity", t.capacity_places_invalid);
    }
    Parsed {
        starts_at,
        ends_at,
        deadline,
        capacity,
    }
}

/// The service's own check of a new start, shown beside its field (the
/// service checks it again). A time the clocks skip is left to the service.
fn check_start(errors: &mut Errors, local: Option<NaiveDateTime>, time_zone: &str) {
    let tz: Tz = time_zone.parse().unwrap_or(chrono_tz::Europe::Paris);
    if let Some(Ok(starts_at)) = local.map(|l| meetings::local_to_utc(l, tz, "starts_at")) {
        errors.check(
            "starts_at",
            validate::meeting_start(starts_at, chrono::Utc::now()),
        );
    }
}

fn venue(v: &MeetingValues) -> Option<Venue> {
    (!v.venue_name.is_empty() || !v.venue_address.is_empty()).then(|| Venue {
        name: v.venue_name.clone(),
        address: v.venue_address.clone(),
        lat: None,
        lon: None,
    })
}

pub struct SectorGroup {
    pub territory: String,
    pub sectors: Vec<Choice>,
}

#[derive(Template)]
#[template(path = "org_meeting_new.html")]
struct NewMeetingPage {
    ctx: Ctx,
    t: &'static Tr,
    values: MeetingValues,
    errors: Errors,
    groups: Vec<SectorGroup>,
}

fn sector_groups(state: &AppState, scope: &Scope, chosen: &[String]) -> Vec<SectorGroup> {
    let catalog = state.catalog();
    let mut sectors = catalog.sectors(year_choice(None));
    sectors.retain(|s| scope.allows(&s.key));
    sectors.sort_by(|a, b| (a.territory(), a.name()).cmp(&(b.territory(), b.name())));
    let mut groups: Vec<SectorGroup> = Vec::new();
    for s in sectors {
        if groups.last().is_none_or(|g| g.territory != s.territory()) {
            groups.push(SectorGroup {
                territory: s.territory().to_owned(),
                sectors: Vec::new(),
            });
        }
        let id = s.id.to_string();
        let checked = chosen.contains(&id);
        if let Some(group) = groups.last_mut() {
            group
                .sectors
                .push(Choice::new(id, s.name().to_owned(), checked));
        }
    }
    groups
}

/// `/organisation/reunions/nouvelle`.
pub async fn new_meeting(State(state): State<AppState>, session: Staff) -> PageResult {
    let ctx = session.ctx;
    Ok(render(
        StatusCode::OK,
        &NewMeetingPage {
            t: ctx.t(),
            ctx,
            values: MeetingValues {
                capacity: "30".into(),
                ..Default::default()
            },
            errors: Errors::default(),
            groups: sector_groups(&state, &session.caller.scope, &[]),
        },
    ))
}

/// `POST /organisation/reunions`: creates a meeting and invites its sectors.
pub async fn create_meeting(
    State(state): State<AppState>,
    session: Staff,
    form: FormData,
) -> PageResult {
    let mut ctx = session.ctx;
    let t = ctx.t();
    let values = MeetingValues::from_form(&form);
    let mut errors = Errors::default();
    let parsed = parse(t, &values, &mut errors);
    check_start(&mut errors, parsed.starts_at, "Europe/Paris");
    let chosen = form.all("sector_ids");
    let sector_ids: Vec<i64> = chosen.iter().filter_map(|s| s.parse().ok()).collect();
    if sector_ids.is_empty() {
        errors.add("sector_ids", t.field_sectors_missing);
    }
    if let (true, Some(starts_at), Some(ends_at), Some(capacity)) = (
        errors.is_empty(),
        parsed.starts_at,
        parsed.ends_at,
        parsed.capacity,
    ) {
        let input = MeetingInput {
            title: values.title.clone(),
            description: values.description.clone(),
            sector_ids,
            venue: venue(&values),
            online_url: Some(values.online_url.clone()).filter(|u| !u.is_empty()),
            starts_at,
            ends_at,
            time_zone: None,
            capacity,
            registration_deadline: parsed.deadline,
        };
        match meetings::create(&state, &session.caller.scope, input).await {
            Ok(record) => {
                return Ok(see_other(&format!(
                    "/organisation/reunions/{}?ok=cree",
                    record.meeting.id
                )));
            }
            Err(e @ (Error::Invalid(_) | Error::BadRequest(_))) => {
                errors.general = Some(sentence(&e.to_string()));
            }
            Err(e) => return Err(ctx.fail(e)),
        }
    }
    ctx.link_other_language("/organisation/reunions/nouvelle");
    Ok(render(
        StatusCode::UNPROCESSABLE_ENTITY,
        &NewMeetingPage {
            t,
            ctx,
            values,
            errors,
            groups: sector_groups(&state, &session.caller.scope, &chosen),
        },
    ))
}

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
            .filter(|r| r.status == meeting_status::CONFIRMED)
            .map(row)
            .collect(),
        waitlisted: registrations
            .iter()
            .filter(|r| r.status == meeting_status::WAITLISTED)
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
    let parsed = parse(t, &values, &mut errors);
    if values.starts_at != before.starts_at {
        check_start(&mut errors, parsed.starts_at, &record.meeting.time_zone);
    }
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
            starts_at: parsed
                .starts_at
                .filter(|_| values.starts_at != before.starts_at),
            ends_at: parsed.ends_at.filter(|_| values.ends_at != before.ends_at),
            capacity: parsed
                .capacity
                .filter(|_| values.capacity != before.capacity),
            registration_deadline: parsed
                .deadline
                .filter(|_| values.registration_deadline != before.registration_deadline),
        };
        match meetings::update(&state, &session.caller.scope, record.meeting.id, patch).await {
            Ok(_) => {
                return Ok(see_other(&format!(
                    "/organisation/reunions/{}?ok=modifiee",
                    record.meeting.id
                )));
            }
            Err(e @ (Error::Invalid(_) | Error::BadRequest(_) | Error::Conflict(_))) => {
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
                r.status.clone(),
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
