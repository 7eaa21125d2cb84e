//! The list of meetings and the form that creates one.

use askama::Template;
use axum::extract::State;
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

/// The capacity as the browser sends it, a number; what it must be is the
/// application's to check. Unreadable, it gets its error here.
pub(super) fn capacity(t: &Tr, v: &MeetingValues, errors: &mut Errors) -> Option<i32> {
    let capacity = v.capacity.trim().parse::<i32>().ok();
    if capacity.is_none() {
        errors.add("capacity", t.capacity_places_invalid);
    }
    capacity
}

/// The text of an optional field, `None` when blank.
pub(super) fn given(text: &str) -> Option<String> {
    Some(text.trim().to_owned()).filter(|t| !t.is_empty())
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
    let capacity = capacity(t, &values, &mut errors);
    let chosen = form.all("sector_ids");
    let sector_ids: Vec<i64> = chosen.iter().filter_map(|s| s.parse().ok()).collect();
    {
        let input = MeetingInput {
            title: values.title.clone(),
            description: values.description.clone(),
            sector_ids,
            venue: venue(&values),
            online_url: given(&values.online_url),
            starts_at: values.starts_at.clone(),
            ends_at: values.ends_at.clone(),
            time_zone: None,
            // An unreadable capacity has its error already; 0 is refused too,
            // so the other fields still get theirs.
            capacity: capacity.unwrap_or(0),
            registration_deadline: given(&values.registration_deadline),
        };
        match meetings::create(&state, &session.caller.scope, input).await {
            Ok(record) => {
                return Ok(see_other(&format!(
                    "/organisation/reunions/{}?ok=cree",
                    record.meeting.id
                )));
            }
            Err(Error::Invalid(fields)) => errors.refused(ctx.lang, &fields),
            Err(e @ Error::BadRequest(_)) => errors.general = Some(sentence(&e.to_string())),
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
