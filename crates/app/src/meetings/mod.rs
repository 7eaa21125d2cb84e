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
use checks::{check_times, check_venue, title, zone};
pub use reads::{
    get, list, registration_by_secret, registrations_of, upcoming_in_sector, visible_list,
};
pub use registrations::{
    REGISTRATION_MAILED, RegistrationCreated, RegistrationInput, cancel_registration, register,
};
pub use reminders::queue_reminders;

/// Local wall times as people write them: `2027-03-12T18:30`, seconds optional.
mod wall_time {
    use chrono::NaiveDateTime;
    use serde::{Deserialize, Deserializer, de::Error};

    pub fn parse(text: &str) -> Option<NaiveDateTime> {
        ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
            .iter()
            .find_map(|f| NaiveDateTime::parse_from_str(text.trim(), f).ok())
    }

    fn invalid<E: Error>(text: &str) -> E {
        E::custom(format!(
            "« {text} » n'est pas une heure locale : écrivez-la comme 2027-03-12T18:30"
        ))
    }

    pub fn required<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDateTime, D::Error> {
        let text = String::deserialize(d)?;
        parse(&text).ok_or_else(|| invalid(&text))
    }

    pub fn optional<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDateTime>, D::Error> {
        match Option::<String>::deserialize(d)? {
            None => Ok(None),
            Some(text) => parse(&text).map(Some).ok_or_else(|| invalid(&text)),
        }
    }
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
    #[serde(deserialize_with = "wall_time::required")]
    #[schema(value_type = String, example = "2027-03-12T18:30")]
    pub starts_at: NaiveDateTime,
    #[serde(deserialize_with = "wall_time::required")]
    #[schema(value_type = String, example = "2027-03-12T20:00")]
    pub ends_at: NaiveDateTime,
    /// IANA zone; default `Europe/Paris`.
    pub time_zone: Option<String>,
    pub capacity: i32,
    /// Local wall time; default: the start.
    #[serde(default, deserialize_with = "wall_time::optional")]
    #[schema(value_type = Option<String>)]
    pub registration_deadline: Option<NaiveDateTime>,
}

/// Changes to a meeting; absent fields stay as they are.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
pub struct MeetingPatch {
    pub title: Option<String>,
    pub description: Option<String>,
    pub venue: Option<Venue>,
    pub online_url: Option<String>,
    #[serde(default, deserialize_with = "wall_time::optional")]
    #[schema(value_type = Option<String>)]
    pub starts_at: Option<NaiveDateTime>,
    #[serde(default, deserialize_with = "wall_time::optional")]
    #[schema(value_type = Option<String>)]
    pub ends_at: Option<NaiveDateTime>,
    pub capacity: Option<i32>,
    #[serde(default, deserialize_with = "wall_time::optional")]
    #[schema(value_type = Option<String>)]
    pub registration_deadline: Option<NaiveDateTime>,
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
    let tz = zone(input.time_zone.as_deref().unwrap_or("Europe/Paris"))?;
    let starts_at = local_to_utc(input.starts_at, tz, "starts_at")?;
    let ends_at = local_to_utc(input.ends_at, tz, "ends_at")?;
    let deadline = match input.registration_deadline {
        Some(d) => local_to_utc(d, tz, "registration_deadline")?,
        None => starts_at,
    };
    validate::meeting_start(starts_at, Utc::now())?;
    check_times(starts_at, ends_at, deadline, input.capacity)?;
    check_venue(&input.venue, &input.online_url)?;
    if input.sector_ids.is_empty() {
        return Err(Error::Invalid(
            "une réunion concerne au moins un secteur (sector_ids)".into(),
        ));
    }
    let catalog = state.catalog();
    let mut sectors = Vec::new();
    for id in &input.sector_ids {
        let (sector, _) = catalog
            .sector(*id)
            .ok_or_else(|| Error::Invalid(format!("le secteur {id} n'existe pas")))?;
        if !scope.allows(&sector.key) {
            return Err(Error::Forbidden(format!(
                "le secteur {id} n'est pas de ceux que vous organisez"
            )));
        }
        sectors.push(sector);
    }
    let invitees = mails::invitees(state, &sectors).await?;
    let new = NewMeeting {
        title: title(&input.title)?,
        description: validate::free_text(Some(&input.description), 5000, "description")?
            .unwrap_or_default(),
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
    let tz = zone(&m.time_zone)?;
    let starts_at = patch
        .starts_at
        .map(|t| local_to_utc(t, tz, "starts_at"))
        .transpose()?
        .unwrap_or(m.starts_at);
    let ends_at = patch
        .ends_at
        .map(|t| local_to_utc(t, tz, "ends_at"))
        .transpose()?
        .unwrap_or(m.ends_at);
    let deadline = match (patch.registration_deadline, patch.starts_at) {
        (Some(d), _) => local_to_utc(d, tz, "registration_deadline")?,
        // Moving the meeting earlier than its deadline moves the deadline too.
        (None, Some(_)) => m.registration_deadline.min(starts_at),
        (None, None) => m.registration_deadline,
    };
    if patch.starts_at.is_some() {
        validate::meeting_start(starts_at, Utc::now())?;
    }
    let capacity = patch.capacity.unwrap_or(m.capacity);
    check_times(starts_at, ends_at, deadline, capacity)?;
    let venue = patch.venue.clone().or_else(|| view(&current).venue);
    let online_url = patch.online_url.clone().or_else(|| m.online_url.clone());
    check_venue(&venue, &online_url)?;
    let new_title = patch.title.as_deref().map(title).transpose()?;
    let new_description = patch
        .description
        .as_deref()
        .map(|d| validate::free_text(Some(d), 5000, "description"))
        .transpose()?;
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
