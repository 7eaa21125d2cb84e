//! The three messages we send (a subscription feed, an invitation, a
//! cancellation) and the general [`Calendar`] object they are made of.

use chrono::TimeDelta;

use super::event::{Attendee, Event, Method};
use super::writer::{Header, render};
use crate::CalendarError;

/// A whole calendar object (`VCALENDAR`).
///
/// ```
/// use chrono::{TimeDelta, TimeZone, Utc};
/// use passerelle_calendar::{Calendar, Event, Method};
///
/// let t = Utc.with_ymd_and_hms(2027, 3, 12, 17, 30, 0).unwrap();
/// let cal = Calendar {
///     method: Some(Method::Publish),
///     name: Some("Secteur Voltaire".into()),
///     refresh_interval: Some(TimeDelta::hours(6)),
///     published_ttl: Some(TimeDelta::hours(6)),
///     events: vec![Event::new("u@x", t, t, t + TimeDelta::hours(1), chrono_tz::Europe::Paris, "Réunion")],
/// };
/// let ics = cal.to_ics().unwrap();
/// assert!(ics.contains("DTSTART;TZID=Europe/Paris:20270312T183000\r\n"));
/// assert!(ics.contains("REFRESH-INTERVAL;VALUE=DURATION:PT6H\r\n"));
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Calendar {
    /// iTIP method; `None` writes none (a plain calendar file).
    pub method: Option<Method>,
    /// Calendar name (`NAME` and `X-WR-CALNAME`).
    pub name: Option<String>,
    /// How often subscribers should reload (`REFRESH-INTERVAL`, RFC 7986).
    pub refresh_interval: Option<TimeDelta>,
    /// The same for older clients (`X-PUBLISHED-TTL`).
    pub published_ttl: Option<TimeDelta>,
    /// The events.
    pub events: Vec<Event>,
}

impl Calendar {
    /// Renders the calendar as iCalendar text (CRLF lines, folded at 75 octets).
    ///
    /// Fails on values that would make an invalid file: see [`CalendarError::InvalidEvent`].
    ///
    /// ```
    /// let ics = passerelle_calendar::Calendar::default().to_ics().unwrap();
    /// assert!(ics.starts_with("BEGIN:VCALENDAR\r\nPRODID:"));
    /// ```
    pub fn to_ics(&self) -> Result<String, CalendarError> {
        let header = Header {
            method: self.method,
            name: self.name.as_deref(),
            refresh_interval: self.refresh_interval,
            published_ttl: self.published_ttl,
        };
        render(&header, &self.events)
    }
}

/// A subscription feed (`METHOD:PUBLISH`) of one or many meetings.
///
/// `refresh` is written as both `REFRESH-INTERVAL` and `X-PUBLISHED-TTL`.
/// Attendees are never written (RFC 5546 forbids them in PUBLISH, and a
/// feed is public). Cancelled events stay in the feed with
/// `STATUS:CANCELLED`, which is how subscribers learn of them.
///
/// ```
/// use chrono::{TimeDelta, TimeZone, Utc};
/// use passerelle_calendar::{Event, publish_feed};
///
/// let t = Utc.with_ymd_and_hms(2027, 3, 12, 17, 30, 0).unwrap();
/// let events = [Event::new("reunion-1@passerelle.example", t, t, t + TimeDelta::hours(1), chrono_tz::Europe::Paris, "Réunion")];
/// let ics = publish_feed("Collège Voltaire", TimeDelta::hours(12), &events).unwrap();
/// assert!(ics.contains("METHOD:PUBLISH\r\n"));
/// assert!(ics.contains("X-PUBLISHED-TTL:PT12H\r\n"));
/// ```
pub fn publish_feed(
    name: &str,
    refresh: TimeDelta,
    events: &[Event],
) -> Result<String, CalendarError> {
    let header = Header {
        method: Some(Method::Publish),
        name: Some(name),
        refresh_interval: Some(refresh),
        published_ttl: Some(refresh),
    };
    render(&header, events)
}

/// An invitation (`METHOD:REQUEST`) of one attendee, to send by e-mail.
///
/// `event.organizer` must be set. The event's own attendee list is not
/// written: each parent gets a message naming only them.
///
/// ```
/// use chrono::{TimeDelta, TimeZone, Utc};
/// use passerelle_calendar::{Attendee, CalAddress, Event, invite};
///
/// let t = Utc.with_ymd_and_hms(2027, 3, 12, 17, 30, 0).unwrap();
/// let mut e = Event::new("reunion-1@passerelle.example", t, t, t + TimeDelta::hours(1), chrono_tz::Europe::Paris, "Réunion");
/// e.organizer = Some(CalAddress::new("bureau@passerelle.example", Some("Passerelle")));
/// let ics = invite(&e, &Attendee::invitee("parent@example.org", Some("Dupont, Marie"))).unwrap();
/// assert!(ics.contains("METHOD:REQUEST\r\n"));
/// assert!(ics.contains("CN=\"Dupont, Marie\""));
/// ```
pub fn invite(event: &Event, attendee: &Attendee) -> Result<String, CalendarError> {
    single_attendee(Method::Request, event, attendee)
}

/// A cancellation (`METHOD:CANCEL`) for one attendee, to send by e-mail.
///
/// Pass the cancelled revision ([`Event::cancelled`]) so that SEQUENCE
/// increases; STATUS is written CANCELLED in any case, and the attendee
/// without `RSVP=TRUE` (no reply is expected).
///
/// ```
/// use chrono::{TimeDelta, TimeZone, Utc};
/// use passerelle_calendar::{Attendee, CalAddress, Event, cancellation};
///
/// let t = Utc.with_ymd_and_hms(2027, 3, 12, 17, 30, 0).unwrap();
/// let mut e = Event::new("reunion-1@passerelle.example", t, t, t + TimeDelta::hours(1), chrono_tz::Europe::Paris, "Réunion");
/// e.organizer = Some(CalAddress::new("bureau@passerelle.example", None::<&str>));
/// let ics = cancellation(&e.cancelled(t), &Attendee::invitee("parent@example.org", None::<&str>)).unwrap();
/// assert!(ics.contains("METHOD:CANCEL\r\n") && ics.contains("STATUS:CANCELLED\r\n") && ics.contains("SEQUENCE:1\r\n"));
/// ```
pub fn cancellation(event: &Event, attendee: &Attendee) -> Result<String, CalendarError> {
    // No reply is expected to a cancellation.
    let attendee = Attendee {
        rsvp: false,
        ..attendee.clone()
    };
    single_attendee(Method::Cancel, event, &attendee)
}

/// A UID for a meeting of ours: stable, unique and readable (RFC 7986 §5.3
/// advises against putting personal data in it; an id is fine).
///
/// ```
/// assert_eq!(passerelle_calendar::meeting_uid(42, "passerelle.example"), "reunion-42@passerelle.example");
/// ```
pub fn meeting_uid(meeting_id: impl std::fmt::Display, domain: &str) -> String {
    format!("reunion-{meeting_id}@{domain}")
}

fn single_attendee(
    method: Method,
    event: &Event,
    attendee: &Attendee,
) -> Result<String, CalendarError> {
    let mut one = event.clone();
    one.attendees = vec![attendee.clone()];
    let header = Header {
        method: Some(method),
        name: None,
        refresh_interval: None,
        published_ttl: None,
    };
    render(&header, std::slice::from_ref(&one))
}
