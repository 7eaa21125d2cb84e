//! The event model: what a meeting and its people are, as plain structs,
//! and the iCalendar names of their enumerated values.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

/// The iTIP method of a calendar object (RFC 5546 §1.4).
///
/// ```
/// use passerelle_calendar::Method;
///
/// assert_eq!(Method::Cancel.as_str(), "CANCEL");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// A feed anyone may subscribe to; no attendees are written.
    Publish,
    /// An invitation to attendees.
    Request,
    /// Cancels an event previously sent.
    Cancel,
}

impl Method {
    /// The RFC 5546 keyword.
    ///
    /// ```
    /// assert_eq!(passerelle_calendar::Method::Publish.as_str(), "PUBLISH");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Publish => "PUBLISH",
            Method::Request => "REQUEST",
            Method::Cancel => "CANCEL",
        }
    }
}

/// `STATUS` of an event (RFC 5545 §3.8.1.11).
///
/// ```
/// use passerelle_calendar::EventStatus;
///
/// assert_eq!(EventStatus::Cancelled.as_str(), "CANCELLED");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventStatus {
    /// Not decided yet.
    Tentative,
    /// Will take place.
    Confirmed,
    /// Will not take place.
    Cancelled,
}

impl EventStatus {
    /// The RFC 5545 keyword.
    ///
    /// ```
    /// assert_eq!(passerelle_calendar::EventStatus::Confirmed.as_str(), "CONFIRMED");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            EventStatus::Tentative => "TENTATIVE",
            EventStatus::Confirmed => "CONFIRMED",
            EventStatus::Cancelled => "CANCELLED",
        }
    }
}

/// An attendee's answer (`PARTSTAT`, RFC 5545 §3.2.12).
///
/// ```
/// assert_eq!(passerelle_calendar::PartStat::NeedsAction.as_str(), "NEEDS-ACTION");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PartStat {
    /// Not answered yet.
    NeedsAction,
    /// Comes.
    Accepted,
    /// Does not come.
    Declined,
    /// Might come.
    Tentative,
}

impl PartStat {
    /// The RFC 5545 keyword.
    ///
    /// ```
    /// assert_eq!(passerelle_calendar::PartStat::Accepted.as_str(), "ACCEPTED");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            PartStat::NeedsAction => "NEEDS-ACTION",
            PartStat::Accepted => "ACCEPTED",
            PartStat::Declined => "DECLINED",
            PartStat::Tentative => "TENTATIVE",
        }
    }
}

/// An attendee's role (`ROLE`, RFC 5545 §3.2.16).
///
/// ```
/// assert_eq!(passerelle_calendar::Role::ReqParticipant.as_str(), "REQ-PARTICIPANT");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    /// Leads the meeting (a référent parent).
    Chair,
    /// Expected.
    ReqParticipant,
    /// Welcome.
    OptParticipant,
    /// Informed only.
    NonParticipant,
}

impl Role {
    /// The RFC 5545 keyword.
    ///
    /// ```
    /// assert_eq!(passerelle_calendar::Role::Chair.as_str(), "CHAIR");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Chair => "CHAIR",
            Role::ReqParticipant => "REQ-PARTICIPANT",
            Role::OptParticipant => "OPT-PARTICIPANT",
            Role::NonParticipant => "NON-PARTICIPANT",
        }
    }
}

/// A person's calendar address: an e-mail (written as `mailto:`) and a name (`CN`).
///
/// ```
/// use passerelle_calendar::CalAddress;
///
/// let a = CalAddress::new("bureau@passerelle.example", Some("Bureau de l'association"));
/// assert_eq!(a.name.as_deref(), Some("Bureau de l'association"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CalAddress {
    /// Bare e-mail address, without `mailto:`.
    pub email: String,
    /// Display name; any text (commas, quotes and newlines are encoded).
    pub name: Option<String>,
}

impl CalAddress {
    /// Builds an address.
    ///
    /// ```
    /// let a = passerelle_calendar::CalAddress::new("a@b.example", None::<String>);
    /// assert_eq!(a.email, "a@b.example");
    /// ```
    pub fn new(email: impl Into<String>, name: Option<impl Into<String>>) -> Self {
        Self {
            email: email.into(),
            name: name.map(Into::into),
        }
    }
}

/// An invited person (`ATTENDEE`).
///
/// ```
/// use passerelle_calendar::{Attendee, PartStat, Role};
///
/// let a = Attendee::invitee("parent@example.org", Some("Marie Dupont"));
/// assert_eq!((a.partstat, a.role, a.rsvp), (PartStat::NeedsAction, Role::ReqParticipant, true));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Attendee {
    /// Who.
    pub address: CalAddress,
    /// Their answer so far.
    pub partstat: PartStat,
    /// Whether a reply is expected (`RSVP=TRUE`).
    pub rsvp: bool,
    /// Their role.
    pub role: Role,
}

impl Attendee {
    /// A required participant who has not answered and is asked to.
    ///
    /// ```
    /// let a = passerelle_calendar::Attendee::invitee("p@example.org", None::<&str>);
    /// assert!(a.rsvp);
    /// ```
    pub fn invitee(email: impl Into<String>, name: Option<impl Into<String>>) -> Self {
        Self {
            address: CalAddress::new(email, name),
            partstat: PartStat::NeedsAction,
            rsvp: true,
            role: Role::ReqParticipant,
        }
    }
}

/// A position (`GEO`), WGS84 degrees.
///
/// ```
/// let g = passerelle_calendar::Geo { lat: 48.8566, lon: 2.3522 };
/// assert!(g.lat > 48.0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Geo {
    /// Latitude, −90 to 90.
    pub lat: f64,
    /// Longitude, −180 to 180.
    pub lon: f64,
}

/// One meeting (`VEVENT`).
///
/// Times are instants (`DateTime<Utc>`); `tz` says how to write them
/// (`DTSTART;TZID=Europe/Paris:20270312T183000`), so clients show the
/// local time even across DST changes. A reschedule keeps the UID and
/// increments `sequence`: see [`Event::rescheduled`].
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use passerelle_calendar::Event;
///
/// let start = Utc.with_ymd_and_hms(2027, 3, 12, 17, 30, 0).unwrap();
/// let e = Event::new(
///     "reunion-42@passerelle.example",
///     Utc.with_ymd_and_hms(2027, 3, 1, 9, 0, 0).unwrap(),
///     start,
///     start + chrono::TimeDelta::minutes(90),
///     chrono_tz::Europe::Paris,
///     "Réunion de quartier",
/// );
/// assert_eq!(e.sequence, 0);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// Stable identifier, the same for every version of the meeting.
    pub uid: String,
    /// Revision number; increases with each change sent to attendees.
    pub sequence: u32,
    /// When this version was produced (written in UTC).
    pub dtstamp: DateTime<Utc>,
    /// Start instant.
    pub start: DateTime<Utc>,
    /// End instant, after `start`.
    pub end: DateTime<Utc>,
    /// Zone the times are written in (UTC zones are written with `Z`).
    pub tz: Tz,
    /// Title.
    pub summary: String,
    /// Longer text.
    pub description: Option<String>,
    /// Place, as text.
    pub location: Option<String>,
    /// Place, as coordinates.
    pub geo: Option<Geo>,
    /// Page of the meeting.
    pub url: Option<String>,
    /// Status; `None` writes none, except under `METHOD:CANCEL`.
    pub status: Option<EventStatus>,
    /// Who organises (required for invitations and cancellations).
    pub organizer: Option<CalAddress>,
    /// Who is invited (never written in `PUBLISH` feeds).
    pub attendees: Vec<Attendee>,
}

impl Event {
    /// A confirmed event with only the required fields set.
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// let t = Utc.with_ymd_and_hms(2027, 3, 12, 17, 30, 0).unwrap();
    /// let e = passerelle_calendar::Event::new("u@x", t, t, t + chrono::TimeDelta::hours(1), chrono_tz::UTC, "s");
    /// assert_eq!(e.status, Some(passerelle_calendar::EventStatus::Confirmed));
    /// ```
    pub fn new(
        uid: impl Into<String>,
        dtstamp: DateTime<Utc>,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        tz: Tz,
        summary: impl Into<String>,
    ) -> Self {
        Self {
            uid: uid.into(),
            sequence: 0,
            dtstamp,
            start,
            end,
            tz,
            summary: summary.into(),
            description: None,
            location: None,
            geo: None,
            url: None,
            status: Some(EventStatus::Confirmed),
            organizer: None,
            attendees: Vec::new(),
        }
    }

    /// The next revision of this event: same UID, `sequence + 1`, new DTSTAMP.
    /// Use it for any change attendees must see (place, text…).
    ///
    /// ```
    /// # use chrono::{TimeZone, Utc};
    /// # let t = Utc.with_ymd_and_hms(2027, 3, 12, 17, 30, 0).unwrap();
    /// # let e = passerelle_calendar::Event::new("u@x", t, t, t + chrono::TimeDelta::hours(1), chrono_tz::UTC, "s");
    /// let mut v2 = e.next_revision(t);
    /// v2.location = Some("Salle des fêtes".into());
    /// assert_eq!((v2.uid.as_str(), v2.sequence), ("u@x", 1));
    /// ```
    pub fn next_revision(&self, dtstamp: DateTime<Utc>) -> Self {
        Self {
            sequence: self.sequence.saturating_add(1),
            dtstamp,
            ..self.clone()
        }
    }

    /// The event moved to new times: same UID, `sequence + 1`.
    ///
    /// ```
    /// # use chrono::{TimeZone, Utc, TimeDelta};
    /// # let t = Utc.with_ymd_and_hms(2027, 3, 12, 17, 30, 0).unwrap();
    /// # let e = passerelle_calendar::Event::new("u@x", t, t, t + TimeDelta::hours(1), chrono_tz::UTC, "s");
    /// let later = e.rescheduled(t + TimeDelta::days(7), t + TimeDelta::days(7) + TimeDelta::hours(1), t);
    /// assert_eq!((later.uid, later.sequence), (e.uid, e.sequence + 1));
    /// ```
    pub fn rescheduled(
        &self,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        dtstamp: DateTime<Utc>,
    ) -> Self {
        Self {
            start,
            end,
            ..self.next_revision(dtstamp)
        }
    }

    /// The event called off: same UID, `sequence + 1`, `STATUS:CANCELLED`.
    ///
    /// ```
    /// # use chrono::{TimeZone, Utc, TimeDelta};
    /// # let t = Utc.with_ymd_and_hms(2027, 3, 12, 17, 30, 0).unwrap();
    /// # let e = passerelle_calendar::Event::new("u@x", t, t, t + TimeDelta::hours(1), chrono_tz::UTC, "s");
    /// let off = e.cancelled(t);
    /// assert_eq!(off.status, Some(passerelle_calendar::EventStatus::Cancelled));
    /// assert_eq!(off.sequence, 1);
    /// ```
    pub fn cancelled(&self, dtstamp: DateTime<Utc>) -> Self {
        Self {
            status: Some(EventStatus::Cancelled),
            ..self.next_revision(dtstamp)
        }
    }
}
