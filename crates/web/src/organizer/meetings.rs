//! The list of meetings and the form that creates one.

use askama::Template;
use axum::extract::State;
use chrono::NaiveDateTime;
use chrono_tz::Tz;
use http::StatusCode;
use passerelle_app::records::{MeetingRecord, RegistrationStatus};

use crate::forms::FormData;
use crate::i18n::Tr;
use crate::page::{Choice, Ctx, Errors, PageResult, render, see_other, sentence};
use crate::public::MeetingCard;
use crate::session::Staff;
use passerelle_app::AppState;
use passerelle_app::Error;
use passerelle_app::access::Scope;
use passerelle_app::meetings::{self, MeetingInput, Venue};
use passerelle_app::sectors::year_choice;
use passerelle_app::validate;

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
                .filter(|r| r.status == RegistrationStatus::Confirmed)
                .count(),
            waitlisted: registrations
                .iter()
                .filter(|r| r.status == RegistrationStatus::Waitlisted)
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
    pub(super) fn from_form(form: &FormData) -> Self {
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

    pub(super) fn of(record: &MeetingRecord) -> Self {
        let m = &record.meeting;
        let tz = record.zone;
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
pub(super) struct Parsed {
    pub(super) starts_at: Option<NaiveDateTime>,
    pub(super) ends_at: Option<NaiveDateTime>,
    pub(super) deadline: Option<NaiveDateTime>,
    pub(super) capacity: Option<i32>,
}

pub(super) fn parse(t: &Tr, v: &MeetingValues, errors: &mut Errors) -> Parsed {
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
pub(super) fn check_start(errors: &mut Errors, local: Option<NaiveDateTime>, time_zone: &str) {
    let tz: Tz = time_zone.parse().unwrap_or(chrono_tz::Europe::Paris);
    if let Some(Ok(starts_at)) = local.map(|l| meetings::local_to_utc(l, tz, "starts_at")) {
        errors.check(
            "starts_at",
            validate::meeting_start(starts_at, chrono::Utc::now()),
        );
    }
}

pub(super) fn venue(v: &MeetingValues) -> Option<Venue> {
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
