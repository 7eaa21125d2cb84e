//! Meetings as iCalendar: the event of a meeting, a registration's invite,
//! and the feeds people subscribe to.
use chrono::TimeDelta;
use passerelle_calendar::{
    Attendee, CalAddress, Event, EventStatus, Geo, cancellation, invite, meeting_uid, publish_feed,
};
use passerelle_store::entities::registrations;
use passerelle_store::{MeetingRecord, MeetingStatus, RegistrationStatus};

use super::{not_found, registration_by_secret};
use crate::catalog::CatalogSector;
use crate::error::Error;
use crate::secrets;
use crate::state::AppState;

/// The iCalendar event of a meeting.
pub fn event(state: &AppState, record: &MeetingRecord) -> Event {
    let m = &record.meeting;
    let tz = record.zone;
    let mut event = Event::new(
        meeting_uid(m.id, &state.config.calendar_domain()),
        m.updated_at,
        m.starts_at,
        m.ends_at,
        tz,
        m.title.clone(),
    );
    event.sequence = m.sequence.max(0) as u32;
    event.description = (!m.description.is_empty()).then(|| m.description.clone());
    event.location = match (&m.venue_name, &m.venue_address, &m.online_url) {
        (Some(name), Some(address), _) => Some(format!("{name}, {address}")),
        (_, _, Some(url)) => Some(url.clone()),
        _ => None,
    };
    event.geo = m
        .venue_lat
        .zip(m.venue_lon)
        .map(|(lat, lon)| Geo { lat, lon });
    event.url = Some(format!(
        "{}/api/v1/meetings/{}",
        state.config.public_url, m.id
    ));
    event.status = Some(if m.status == MeetingStatus::Cancelled {
        EventStatus::Cancelled
    } else {
        EventStatus::Confirmed
    });
    event.organizer = Some(CalAddress::new(
        state.config.organizer_email.clone(),
        Some("Passerelle"),
    ));
    event
}

pub(super) fn attendee(r: &registrations::Model) -> Attendee {
    Attendee::invitee(r.email.clone(), Some(r.name.clone()))
}

/// The invite of one registration: METHOD:REQUEST, or METHOD:CANCEL once
/// the meeting or the registration is cancelled.
pub async fn registration_invite(state: &AppState, secret: &str) -> Result<String, Error> {
    let found = registration_by_secret(state, secret).await?;
    let event = event(state, &found.meeting);
    let attendee = attendee(&found.registration);
    let ics = if found.meeting.meeting.status == MeetingStatus::Cancelled
        || found.registration.status == RegistrationStatus::Cancelled
    {
        cancellation(&event.cancelled(event.dtstamp), &attendee)
    } else {
        invite(&event, &attendee)
    };
    ics.map_err(|e| Error::Internal(e.into()))
}

/// The feed of every meeting a person registered for, by the e-mail of the
/// registration whose feed secret is `secret` (a secret sent by mail only).
pub async fn person_feed(state: &AppState, secret: &str) -> Result<String, Error> {
    let found = state
        .store
        .registration_by_feed(&secrets::hash(secret))
        .await?
        .ok_or_else(|| Error::NotFound("ce lien est inconnu".into()))?;
    let mut records = Vec::new();
    for r in state.store.registrations_by_email(&found.email).await? {
        if let Some(record) = state.store.meeting(r.meeting_id).await? {
            records.push(record);
        }
    }
    feed(
        state,
        "Mes réunions Passerelle",
        TimeDelta::hours(6),
        &records,
    )
}

/// A meeting's own `.ics` (METHOD:PUBLISH).
pub async fn meeting_ics(state: &AppState, id: i64) -> Result<String, Error> {
    let record = state
        .store
        .meeting(id)
        .await?
        .ok_or_else(|| not_found(id))?;
    feed(
        state,
        &record.meeting.title,
        TimeDelta::hours(12),
        std::slice::from_ref(&record),
    )
}

/// The subscription feed of a sector's meetings.
pub async fn sector_feed(state: &AppState, sector: &CatalogSector) -> Result<String, Error> {
    let records = state.store.meetings(Some(&sector.key), None, None).await?;
    feed(
        state,
        &format!("Réunions — {}", sector.name()),
        TimeDelta::hours(12),
        &records,
    )
}

/// A METHOD:PUBLISH calendar of `records`. A meeting whose event the
/// calendar cannot write (a year beyond its range, stored before meetings
/// were bounded or by hand) is left out and logged by id, so that one row
/// cannot break every subscriber's feed.
fn feed(
    state: &AppState,
    name: &str,
    refresh: TimeDelta,
    records: &[MeetingRecord],
) -> Result<String, Error> {
    let mut events = Vec::new();
    for record in records {
        let event = event(state, record);
        match publish_feed(name, refresh, std::slice::from_ref(&event)) {
            Ok(_) => events.push(event),
            // Only the id: the error text may quote what organisers wrote.
            Err(_) => tracing::warn!(
                meeting_id = record.meeting.id,
                "meeting left out of a calendar: its event cannot be written as iCalendar"
            ),
        }
    }
    publish_feed(name, refresh, &events).map_err(|e| Error::Internal(e.into()))
}
