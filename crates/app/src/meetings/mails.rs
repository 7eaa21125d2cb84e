//! The outbox rows of the meetings' mails: whom each goes to, the key that
//! queues it once, the calendar it carries; its words come from
//! passerelle-mails.
use passerelle_calendar::{Event, cancellation, invite};
use passerelle_mails::{
    AlreadyRegistered, Invitation, Mail, MeetingCancelled, MeetingSummary, MeetingUpdated, Place,
    PlaceFreed, RegistrationConfirmed, RegistrationLinks, Reminder, Waitlisted,
};
use passerelle_sectors::SectorKey;
use passerelle_store::entities::registrations;
use passerelle_store::{
    MeetingRecord, NewMessage, RegistrationOutcome, RegistrationStatus, RequestStatus,
};

use super::calendar::{attendee, event};
use crate::catalog::CatalogSector;
use crate::error::Error;
use crate::secrets;
use crate::state::AppState;

/// Whoever a message goes to.
pub(super) struct Recipient {
    email: String,
    name: Option<String>,
}

fn recipient(r: &registrations::Model) -> Recipient {
    Recipient {
        email: r.email.clone(),
        name: Some(r.name.clone()),
    }
}

/// A meeting as its mails describe it, in its own time zone.
fn summary(state: &AppState, record: &MeetingRecord) -> MeetingSummary {
    let m = &record.meeting;
    let tz = record.zone;
    MeetingSummary {
        title: m.title.clone(),
        starts_at: m.starts_at.with_timezone(&tz).naive_local(),
        ends_at: m.ends_at.with_timezone(&tz).naive_local(),
        place: match (&m.venue_name, &m.venue_address, &m.online_url) {
            (Some(name), Some(address), _) => Place::Venue {
                name: name.clone(),
                address: address.clone(),
            },
            (_, _, Some(url)) => Place::Online { url: url.clone() },
            _ => Place::Unstated,
        },
        details_url: format!("{}/api/v1/meetings/{}", state.config.public_url, m.id),
    }
}

/// The outbox row of `mail` about the meeting of `record`, with its
/// calendar as (METHOD, iCalendar text).
fn meeting_row(
    record: &MeetingRecord,
    kind: &str,
    key: String,
    to: &Recipient,
    mail: &impl Mail,
    calendar: Option<(&str, String)>,
) -> NewMessage {
    NewMessage {
        ics_method: calendar.as_ref().map(|(method, _)| (*method).to_owned()),
        ics: calendar.map(|(_, ics)| ics),
        meeting_id: Some(record.meeting.id),
        ..crate::mail::outbox_row(kind, key, &to.email, to.name.as_deref(), mail)
    }
}
/// People to invite: open requests and active referents of the sectors.
pub(super) async fn invitees(
    state: &AppState,
    sectors: &[&CatalogSector],
) -> Result<Vec<Recipient>, Error> {
    let keys: Vec<&SectorKey> = sectors.iter().map(|s| &s.key).collect();
    let mut out: Vec<Recipient> = Vec::new();
    for r in state.store.requests().await? {
        if r.status == RequestStatus::Open
            && keys.contains(&&r.sector_uais)
            && let Some(email) = r.email
        {
            out.push(Recipient {
                email,
                name: Some(r.first_name),
            });
        }
    }
    for r in state.store.referents().await? {
        if !r.paused && sectors.iter().any(|s| s.uais.contains(&r.uai)) {
            out.push(Recipient {
                email: r.email,
                name: Some(r.first_name),
            });
        }
    }
    out.sort_by(|a, b| a.email.cmp(&b.email));
    out.dedup_by(|a, b| a.email == b.email);
    Ok(out)
}

/// An invitation, with the meeting's `feed` (METHOD:PUBLISH) when it could
/// be written.
pub(super) fn invitation(
    state: &AppState,
    record: &MeetingRecord,
    to: &Recipient,
    feed: Option<String>,
) -> NewMessage {
    let mail = Invitation {
        name: to.name.clone(),
        meeting: summary(state, record),
    };
    meeting_row(
        record,
        "invitation",
        format!("invitation:{}:{}", record.meeting.id, to.email),
        to,
        &mail,
        feed.map(|ics| ("PUBLISH", ics)),
    )
}

/// The updated invite of `r`, once per SEQUENCE.
pub(super) fn updated(
    state: &AppState,
    record: &MeetingRecord,
    event: &Event,
    r: &registrations::Model,
) -> NewMessage {
    let to = recipient(r);
    let mail = MeetingUpdated {
        name: to.name.clone(),
        meeting: summary(state, record),
    };
    meeting_row(
        record,
        "update",
        format!(
            "update:{}:{}:{}",
            record.meeting.id, record.meeting.sequence, r.id
        ),
        &to,
        &mail,
        invite(event, &attendee(r)).ok().map(|ics| ("REQUEST", ics)),
    )
}

/// The METHOD:CANCEL message of `r`.
pub(super) fn cancelled(
    state: &AppState,
    record: &MeetingRecord,
    event: &Event,
    r: &registrations::Model,
) -> NewMessage {
    let to = recipient(r);
    let mail = MeetingCancelled {
        name: to.name.clone(),
        meeting: summary(state, record),
    };
    meeting_row(
        record,
        "cancellation",
        format!("cancellation:{}:{}", record.meeting.id, r.id),
        &to,
        &mail,
        cancellation(event, &attendee(r))
            .ok()
            .map(|ics| ("CANCEL", ics)),
    )
}

/// To `r`, promoted from the waitlist.
pub(super) fn promotion(
    state: &AppState,
    record: &MeetingRecord,
    r: &registrations::Model,
) -> NewMessage {
    let to = recipient(r);
    let mail = PlaceFreed {
        name: to.name.clone(),
        meeting: summary(state, record),
    };
    meeting_row(
        record,
        "promotion",
        format!("promotion:{}", r.id),
        &to,
        &mail,
        invite(&event(state, record), &attendee(r))
            .ok()
            .map(|ics| ("REQUEST", ics)),
    )
}

/// The private links of a registration, from its secrets (which only this
/// mail carries).
pub(super) fn links(state: &AppState, secret: &str, feed_secret: &str) -> RegistrationLinks {
    let base = &state.config.public_url;
    RegistrationLinks {
        page: format!("{base}/inscription/{secret}"),
        invite: format!("{base}/api/v1/registrations/{secret}/invite.ics"),
        feed: format!("{base}/api/v1/registrations/{feed_secret}/feed.ics"),
    }
}

/// The message that confirms a registration, or says it is on the waitlist.
pub(super) fn confirmation(
    state: &AppState,
    o: &RegistrationOutcome,
    links: &RegistrationLinks,
) -> NewMessage {
    let r = &o.registration;
    let to = recipient(r);
    let key = format!("registration:{}", r.id);
    let (name, meeting, links) = (to.name.clone(), summary(state, &o.meeting), links.clone());
    if r.status == RegistrationStatus::Confirmed {
        let mail = RegistrationConfirmed {
            name,
            meeting,
            links,
        };
        let calendar = invite(&event(state, &o.meeting), &attendee(r))
            .ok()
            .map(|ics| ("REQUEST", ics));
        meeting_row(&o.meeting, "confirmation", key, &to, &mail, calendar)
    } else {
        let mail = Waitlisted {
            name,
            meeting,
            links,
        };
        meeting_row(&o.meeting, "confirmation", key, &to, &mail, None)
    }
}

/// The message to an address registered again for the same meeting: it
/// says so, and where the registration's links are. Only hashes of them
/// are stored, so it cannot repeat them, and they stay as they were:
/// whoever asked learns nothing and changes nothing.
pub(super) fn already_registered(state: &AppState, o: &RegistrationOutcome) -> NewMessage {
    let r = &o.registration;
    let to = recipient(r);
    let mail = AlreadyRegistered {
        name: to.name.clone(),
        meeting: summary(state, &o.meeting),
        confirmed: r.status == RegistrationStatus::Confirmed,
        meeting_page: format!(
            "{}/reunions/{}",
            state.config.public_url, o.meeting.meeting.id
        ),
    };
    meeting_row(
        &o.meeting,
        "already_registered",
        // One message per request.
        format!("already-registered:{}:{}", r.id, secrets::generate("")),
        &to,
        &mail,
        None,
    )
}

/// The reminder of `r`, queued once.
pub(super) fn reminder(
    state: &AppState,
    record: &MeetingRecord,
    r: &registrations::Model,
) -> NewMessage {
    let to = recipient(r);
    let mail = Reminder {
        name: to.name.clone(),
        meeting: summary(state, record),
    };
    meeting_row(
        record,
        "reminder",
        format!("reminder:{}:{}", record.meeting.id, r.id),
        &to,
        &mail,
        None,
    )
}
