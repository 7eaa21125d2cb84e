//! Neighbourhood meetings: scheduling, registrations with a waitlist, the
//! messages each change queues, and iCalendar output. This file holds the
//! types and the organisers' use cases (create, update, cancel).
use chrono::{DateTime, NaiveDateTime, TimeDelta, Utc};
use passerelle_calendar::publish_feed;
use passerelle_store::{MeetingChanges, MeetingRecord, NewMeeting, NewMessage, StoreError};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::access::Scope;
use crate::error::Error;
use crate::invalid::{Checks, Problem};
use crate::state::AppState;
use crate::validate;

mod calendar;
mod checks;
mod mails;
mod reads;
mod registrations;
mod reminders;

pub use calendar::{event, meeting_ics, person_feed, registration_invite, sector_feed};
pub use checks::local_to_utc;
use checks::{check_times, check_venue, title, venue_position, zone};
pub use reads::{
    get, list, registration_by_secret, registrations_of, upcoming_in_sector, visible_list,
};
pub use registrations::{
    REGISTRATION_MAILED, RegistrationCreated, RegistrationInput, cancel_registration, register,
};
pub use reminders::queue_reminders;

/// A local wall time as people write it: `2027-03-12T18:30`, seconds
/// optional.
fn wall_time(text: &str) -> Result<NaiveDateTime, Problem> {
    ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(text.trim(), f).ok())
        .ok_or_else(|| Problem::WallTime {
            value: text.to_owned(),
        })
}

/// A wall time read and placed in `tz`.
fn instant(text: &str, tz: chrono_tz::Tz) -> Result<DateTime<Utc>, Problem> {
    wall_time(text).and_then(|local| local_to_utc(local, tz))
}

/// A venue.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
pub struct Venue {
    pub name: String,
    pub address: String,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
}

/// A meeting as organizers describe it. Times are local wall times.
#[derive(Clone, Debug, Deserialize, ToSchema)]
pub struct MeetingInput {
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub sector_ids: Vec<i64>,
    pub venue: Option<Venue>,
    pub online_url: Option<String>,
    /// Local wall time, e.g. `2027-03-12T18:30`; not past, and at most 730
    /// days ahead.
    #[schema(example = "2027-03-12T18:30")]
    pub starts_at: String,
    #[schema(example = "2027-03-12T20:00")]
    pub ends_at: String,
    /// IANA zone; default `Europe/Paris`.
    pub time_zone: Option<String>,
    pub capacity: i32,
    /// Local wall time; default: the start.
    pub registration_deadline: Option<String>,
}

/// Changes to a meeting; absent fields stay as they are.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct MeetingPatch {
    pub title: Option<String>,
    pub description: Option<String>,
    pub venue: Option<Venue>,
    pub online_url: Option<String>,
    pub starts_at: Option<String>,
    pub ends_at: Option<String>,
    pub capacity: Option<i32>,
    pub registration_deadline: Option<String>,
}

/// A meeting as the API shows it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct MeetingView {
    pub id: i64,
    pub title: String,
    pub description: String,
    pub venue: Option<Venue>,
    pub online_url: Option<String>,
    /// Local wall times in `time_zone`.
    pub starts_at: String,
    pub ends_at: String,
    pub time_zone: String,
    pub starts_at_utc: DateTime<Utc>,
    pub ends_at_utc: DateTime<Utc>,
    pub capacity: i32,
    pub registration_deadline_utc: DateTime<Utc>,
    /// scheduled or cancelled
    #[schema(value_type = String)]
    pub status: passerelle_store::MeetingStatus,
    pub sequence: i32,
    pub sectors: Vec<String>,
    pub ics_url: String,
}

/// The public view of a meeting.
pub fn view(record: &MeetingRecord) -> MeetingView {
    let m = &record.meeting;
    let tz = record.zone;
    let local = |t: DateTime<Utc>| t.with_timezone(&tz).format("%Y-%m-%dT%H:%M").to_string();
    MeetingView {
        id: m.id,
        title: m.title.clone(),
        description: m.description.clone(),
        venue: match (&m.venue_name, &m.venue_address) {
            (Some(name), Some(address)) => Some(Venue {
                name: name.clone(),
                address: address.clone(),
                lat: m.venue_lat,
                lon: m.venue_lon,
            }),
            _ => None,
        },
        online_url: m.online_url.clone(),
        starts_at: local(m.starts_at),
        ends_at: local(m.ends_at),
        time_zone: m.time_zone.clone(),
        starts_at_utc: m.starts_at,
        ends_at_utc: m.ends_at,
        capacity: m.capacity,
        registration_deadline_utc: m.registration_deadline,
        status: m.status,
        sequence: m.sequence,
        sectors: record
            .sectors
            .iter()
            .map(|s| s.sector_name.clone())
            .collect(),
        ics_url: format!("/api/v1/meetings/{}.ics", m.id),
    }
}

/// Creates a meeting and queues invitations for the families and referents
/// of its sectors.
pub async fn create(
    state: &AppState,
    scope: &Scope,
    input: MeetingInput,
) -> Result<MeetingRecord, Error> {
    let mut checks = Checks::new();
    let tz = checks.take(
        "time_zone",
        zone(input.time_zone.as_deref().unwrap_or("Europe/Paris")).map(Some),
    );
    let tz = tz.unwrap_or(chrono_tz::Europe::Paris);
    let starts_at = checks.take("starts_at", instant(&input.starts_at, tz));
    let ends_at = checks.take("ends_at", instant(&input.ends_at, tz));
    let deadline = match input.registration_deadline.as_deref() {
        Some(d) if !d.trim().is_empty() => checks.take("registration_deadline", instant(d, tz)),
        _ => starts_at,
    };
    if !checks.has("starts_at") {
        checks.take("starts_at", validate::meeting_start(starts_at, Utc::now()));
    }
    check_times(&mut checks, starts_at, ends_at, deadline, input.capacity);
    check_venue(&mut checks, &input.venue, &input.online_url);
    let title = checks.take("title", title(&input.title));
    let description = checks.take(
        "description",
        validate::free_text(Some(&input.description), 5000),
    );
    if input.sector_ids.is_empty() {
        checks.add("sector_ids", Problem::NoSector);
    }
    let catalog = state.catalog();
    let mut sectors = Vec::new();
    for id in &input.sector_ids {
        match catalog.sector(*id) {
            Some((sector, _)) => sectors.push(sector),
            None => checks.add("sector_ids", Problem::SectorUnknown { id: *id }),
        }
    }
    checks.done()?;
    venue_position(&input.venue)?;
    if let Some(sector) = sectors.iter().find(|s| !scope.allows(&s.key)) {
        return Err(Error::Forbidden(format!(
            "le secteur {} n'est pas de ceux que vous organisez",
            sector.id
        )));
    }
    let invitees = mails::invitees(state, &sectors).await?;
    let new = NewMeeting {
        title,
        description: description.unwrap_or_default(),
        venue_name: input.venue.as_ref().map(|v| v.name.trim().to_owned()),
        venue_address: input.venue.as_ref().map(|v| v.address.trim().to_owned()),
        venue_lat: input.venue.as_ref().and_then(|v| v.lat),
        venue_lon: input.venue.as_ref().and_then(|v| v.lon),
        online_url: input.online_url.filter(|u| !u.is_empty()),
        starts_at,
        ends_at,
        time_zone: tz.name().to_owned(),
        capacity: input.capacity,
        registration_deadline: deadline,
        sectors: sectors
            .iter()
            .map(|s| (s.key.clone(), s.name().to_owned()))
            .collect(),
    };
    let record = state
        .store
        .create_meeting(new, |record| {
            let feed = publish_feed(
                &record.meeting.title,
                TimeDelta::hours(12),
                &[event(state, record)],
            )
            .ok();
            invitees
                .iter()
                .map(|to| mails::invitation(state, record, to, feed.clone()))
                .collect()
        })
        .await?;
    Ok(record)
}

pub(crate) fn not_found(id: i64) -> Error {
    Error::NotFound(format!("la réunion {id} n'existe pas"))
}

/// A meeting that one of the caller's sectors takes part in; the others
/// do not exist for a caller limited to some sectors.
pub async fn visible(state: &AppState, scope: &Scope, id: i64) -> Result<MeetingRecord, Error> {
    state
        .store
        .meeting(id)
        .await?
        .filter(|r| scope.allows_any(r.sectors.iter().map(|s| &s.sector_key)))
        .ok_or_else(|| not_found(id))
}

fn cancelled_conflict(e: StoreError) -> Error {
    match e {
        StoreError::WrongState(_) => Error::Conflict("cette réunion est annulée".into()),
        StoreError::NotFound(_) => Error::NotFound("cette réunion n'existe pas".into()),
        e => e.into(),
    }
}

/// Edits or reschedules a meeting; registered people get an updated invite
/// (same UID, higher SEQUENCE), and people promoted from the waitlist a note.
pub async fn update(
    state: &AppState,
    scope: &Scope,
    id: i64,
    patch: MeetingPatch,
) -> Result<MeetingRecord, Error> {
    let current = visible(state, scope, id).await?;
    let m = &current.meeting;
    // The stored zone was checked when the meeting was made.
    let tz = current.zone;
    let mut checks = Checks::new();
    let mut local = |field: &'static str, time: Option<&str>, current: DateTime<Utc>| {
        time.map_or(current, |t| checks.take(field, instant(t, tz)))
    };
    let starts_at = local("starts_at", patch.starts_at.as_deref(), m.starts_at);
    let ends_at = local("ends_at", patch.ends_at.as_deref(), m.ends_at);
    let deadline = match (patch.registration_deadline.as_deref(), &patch.starts_at) {
        (Some(d), _) => local("registration_deadline", Some(d), m.registration_deadline),
        // Moving the meeting earlier than its deadline moves the deadline too.
        (None, Some(_)) => m.registration_deadline.min(starts_at),
        (None, None) => m.registration_deadline,
    };
    if patch.starts_at.is_some() && !checks.has("starts_at") {
        checks.take("starts_at", validate::meeting_start(starts_at, Utc::now()));
    }
    let capacity = patch.capacity.unwrap_or(m.capacity);
    check_times(&mut checks, starts_at, ends_at, deadline, capacity);
    let venue = patch.venue.clone().or_else(|| view(&current).venue);
    let online_url = patch.online_url.clone().or_else(|| m.online_url.clone());
    check_venue(&mut checks, &venue, &online_url);
    let new_title = checks.take("title", patch.title.as_deref().map(title).transpose());
    let new_description = checks.take(
        "description",
        patch
            .description
            .as_deref()
            .map(|d| validate::free_text(Some(d), 5000))
            .transpose(),
    );
    checks.done()?;
    venue_position(&venue)?;
    let updated = state
        .store
        .update_meeting(
            id,
            MeetingChanges {
                title: new_title,
                description: new_description.map(Option::unwrap_or_default),
                venue: patch.venue.map(|v| (v.name, v.address, v.lat, v.lon)),
                online_url: patch.online_url,
                starts_at,
                ends_at,
                registration_deadline: deadline,
                capacity,
            },
            |record, live, promoted| {
                let event = event(state, record);
                let mut messages: Vec<NewMessage> = live
                    .iter()
                    .map(|r| mails::updated(state, record, &event, r))
                    .collect();
                messages.extend(promoted.iter().map(|r| mails::promotion(state, record, r)));
                messages
            },
        )
        .await
        .map_err(cancelled_conflict)?;
    Ok(updated)
}

/// Cancels a meeting; registered people get a METHOD:CANCEL message.
pub async fn cancel(state: &AppState, scope: &Scope, id: i64) -> Result<MeetingRecord, Error> {
    visible(state, scope, id).await?;
    state
        .store
        .cancel_meeting(id, |record, live| {
            let event = event(state, record);
            live.iter()
                .map(|r| mails::cancelled(state, record, &event, r))
                .collect()
        })
        .await
        .map_err(cancelled_conflict)
}
