//! Our iCalendar (RFC 5545) / iTIP (RFC 5546) writer.
//!
//! Plain structs in, a `String` out. We write rather than use the `ical`
//! crate's generator, which leaves values unescaped, folds by characters
//! instead of octets and escapes parameters with backslashes.

use std::sync::Arc;

use chrono::{DateTime, Datelike, LocalResult, NaiveDateTime, TimeDelta, TimeZone, Timelike, Utc};
use chrono_tz::Tz;

use crate::CalendarError;
use crate::text::LineWriter;
use crate::vtimezone::{ZoneSpan, is_utc};

/// Our PRODID (RFC 5545 §3.7.3).
///
/// ```
/// let ics = passerelle_calendar::Calendar::default().to_ics().unwrap();
/// assert!(ics.contains(&format!("PRODID:{}\r\n", passerelle_calendar::PRODID)));
/// ```
pub const PRODID: &str = "-//Passerelle//Calendrier Passerelle//FR";

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

struct Header<'a> {
    method: Option<Method>,
    name: Option<&'a str>,
    refresh_interval: Option<TimeDelta>,
    published_ttl: Option<TimeDelta>,
}

fn render(header: &Header<'_>, events: &[Event]) -> Result<String, CalendarError> {
    // Years each zone must cover; from UTC with a day of margin, as no
    // offset exceeds 14 hours (cheaper than converting every time).
    let mut years: Vec<(Tz, i32, i32)> = Vec::new();
    for e in events {
        validate(e, header.method)?;
        if is_utc(e.tz) {
            continue;
        }
        let lo = (e.start - TimeDelta::days(1)).year();
        let hi = (e.end + TimeDelta::days(1)).year();
        match years.iter_mut().find(|(tz, _, _)| *tz == e.tz) {
            Some((_, first, last)) => {
                *first = (*first).min(lo);
                *last = (*last).max(hi);
            }
            None => years.push((e.tz, lo, hi)),
        }
    }
    let zones: Vec<Arc<ZoneSpan>> = years
        .iter()
        .map(|&(tz, first, last)| ZoneSpan::shared(tz, first, last))
        .collect();

    let mut w = LineWriter::with_capacity(1024 + events.len() * 800);
    w.line("BEGIN:VCALENDAR");
    w.ascii("PRODID:");
    w.text(PRODID);
    w.end_line();
    w.line("VERSION:2.0");
    w.line("CALSCALE:GREGORIAN");
    if let Some(method) = header.method {
        w.ascii("METHOD:");
        w.ascii(method.as_str());
        w.end_line();
    }
    if let Some(name) = header.name {
        for prop in ["NAME:", "X-WR-CALNAME:"] {
            w.ascii(prop);
            w.text(name);
            w.end_line();
        }
    }
    if let Some(d) = header.refresh_interval {
        w.ascii("REFRESH-INTERVAL;VALUE=DURATION:");
        w.ascii(&format_duration(d).map_err(|e| context(e, "REFRESH-INTERVAL"))?);
        w.end_line();
    }
    if let Some(d) = header.published_ttl {
        w.ascii("X-PUBLISHED-TTL:");
        w.ascii(&format_duration(d).map_err(|e| context(e, "X-PUBLISHED-TTL"))?);
        w.end_line();
    }
    for zone in &zones {
        zone.write(&mut w);
    }
    for e in events {
        let zone = zones.iter().find(|z| z.tz == e.tz).map(Arc::as_ref);
        write_event(&mut w, e, header.method, zone);
    }
    w.line("END:VCALENDAR");
    Ok(w.finish())
}

fn context(e: CalendarError, what: &str) -> CalendarError {
    CalendarError::InvalidCalendar(format!("{what}: {e}"))
}

fn invalid(e: &Event, reason: impl Into<String>) -> CalendarError {
    CalendarError::InvalidEvent {
        uid: e.uid.clone(),
        reason: reason.into(),
    }
}

fn validate(e: &Event, method: Option<Method>) -> Result<(), CalendarError> {
    if e.uid.trim().is_empty() {
        return Err(invalid(e, "empty UID"));
    }
    if e.end <= e.start {
        return Err(invalid(e, "DTEND must be after DTSTART"));
    }
    if e.sequence > i32::MAX as u32 {
        return Err(invalid(e, "SEQUENCE above 2^31-1"));
    }
    // Local years differ from UTC ones by at most one: keep a year of margin.
    for t in [e.start, e.end, e.dtstamp] {
        if !(2..=9998).contains(&t.year()) {
            return Err(invalid(e, format!("year {} cannot be written", t.year())));
        }
    }
    if let Some(g) = e.geo
        && !(g.lat.is_finite()
            && g.lon.is_finite()
            && (-90.0..=90.0).contains(&g.lat)
            && (-180.0..=180.0).contains(&g.lon))
    {
        return Err(invalid(e, format!("GEO out of range: {};{}", g.lat, g.lon)));
    }
    if let Some(url) = &e.url
        && (url.is_empty() || url.chars().any(|c| c.is_whitespace() || c.is_control()))
    {
        return Err(invalid(e, format!("URL {url:?} is not a URI")));
    }
    let addresses = e
        .organizer
        .iter()
        .chain(e.attendees.iter().map(|a| &a.address));
    for a in addresses {
        let ok = a.email.contains('@')
            && !a
                .email
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '"' | '<' | '>'));
        if !ok {
            // The address itself stays out: this error may end in a log.
            return Err(invalid(
                e,
                "an ORGANIZER or ATTENDEE address is not an e-mail address",
            ));
        }
    }
    if matches!(method, Some(Method::Request | Method::Cancel)) {
        if e.organizer.is_none() {
            return Err(invalid(
                e,
                "RFC 5546 requires an ORGANIZER for REQUEST and CANCEL",
            ));
        }
        if e.attendees.is_empty() {
            return Err(invalid(
                e,
                "RFC 5546 requires an ATTENDEE for REQUEST and CANCEL",
            ));
        }
    }
    Ok(())
}

fn write_event(w: &mut LineWriter, e: &Event, method: Option<Method>, zone: Option<&ZoneSpan>) {
    w.line("BEGIN:VEVENT");
    w.ascii("UID:");
    w.text(&e.uid);
    w.end_line();
    w.ascii("SEQUENCE:");
    let mut digits = [0u8; 10];
    w.ascii(format_u32(e.sequence, &mut digits));
    w.end_line();
    w.ascii("DTSTAMP:");
    push_datetime(w, e.dtstamp.naive_utc(), true);
    w.end_line();
    write_time(w, "DTSTART", e.start, e.tz, zone);
    write_time(w, "DTEND", e.end, e.tz, zone);
    w.ascii("SUMMARY:");
    w.text(&e.summary);
    w.end_line();
    for (name, value) in [("DESCRIPTION:", &e.description), ("LOCATION:", &e.location)] {
        if let Some(v) = value {
            w.ascii(name);
            w.text(v);
            w.end_line();
        }
    }
    if let Some(g) = e.geo {
        let mut buf = [0u8; 16];
        w.ascii("GEO:");
        w.ascii(format_degrees(g.lat, &mut buf));
        w.ascii(";");
        w.ascii(format_degrees(g.lon, &mut buf));
        w.end_line();
    }
    if let Some(url) = &e.url {
        w.ascii("URL:");
        w.raw(url);
        w.end_line();
    }
    let status = match method {
        Some(Method::Cancel) => Some(EventStatus::Cancelled),
        _ => e.status,
    };
    if let Some(s) = status {
        w.ascii("STATUS:");
        w.ascii(s.as_str());
        w.end_line();
    }
    if let Some(org) = &e.organizer {
        w.ascii("ORGANIZER");
        write_cn(w, org);
        w.ascii(":mailto:");
        w.raw(&org.email);
        w.end_line();
    }
    if method != Some(Method::Publish) {
        for a in &e.attendees {
            w.ascii("ATTENDEE");
            write_cn(w, &a.address);
            w.ascii(";ROLE=");
            w.ascii(a.role.as_str());
            w.ascii(";PARTSTAT=");
            w.ascii(a.partstat.as_str());
            if a.rsvp {
                w.ascii(";RSVP=TRUE");
            }
            w.ascii(":mailto:");
            w.raw(&a.address.email);
            w.end_line();
        }
    }
    w.line("END:VEVENT");
}

fn write_cn(w: &mut LineWriter, a: &CalAddress) {
    if let Some(name) = &a.name {
        w.ascii(";CN=");
        w.param_value(name);
    }
}

/// `DTSTART;TZID=Europe/Paris:20270312T183000`, or UTC when the zone is
/// UTC or the local time happens twice and this is the second occurrence
/// (readers take the first, RFC 5545 §3.3.5).
fn write_time(w: &mut LineWriter, name: &str, t: DateTime<Utc>, tz: Tz, zone: Option<&ZoneSpan>) {
    w.ascii(name);
    let span = if is_utc(tz) {
        None
    } else {
        Some(zone.and_then(|z| z.local(t)))
    };
    let local = match span {
        None => None,
        Some(Some((local, repeated))) => (!repeated).then_some(local),
        // Outside the span (cannot happen: the span covers every event).
        Some(None) => {
            let local = t.with_timezone(&tz).naive_local();
            let first = match tz.from_local_datetime(&local) {
                LocalResult::Ambiguous(a, _) => a.with_timezone(&Utc) == t,
                _ => true,
            };
            first.then_some(local)
        }
    };
    match local {
        Some(local) => {
            w.ascii(";TZID=");
            w.param_value(tz.name());
            w.ascii(":");
            push_datetime(w, local, false);
        }
        None => {
            w.ascii(":");
            push_datetime(w, t.naive_utc(), true);
        }
    }
    w.end_line();
}

/// Decimal digits of `n` without allocating.
fn format_u32(mut n: u32, buf: &mut [u8; 10]) -> &str {
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    std::str::from_utf8(&buf[i..]).unwrap_or("0")
}

/// Degrees with 6 decimals (about 0.1 m), e.g. `48.853200`, `-0.500000`.
fn format_degrees(v: f64, buf: &mut [u8; 16]) -> &str {
    let micro = (v * 1e6).round() as i64;
    let mut n = micro.unsigned_abs();
    let mut i = buf.len();
    for digit in 0.. {
        if digit == 6 {
            i -= 1;
            buf[i] = b'.';
        }
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 && digit >= 6 {
            break;
        }
    }
    if micro < 0 {
        i -= 1;
        buf[i] = b'-';
    }
    std::str::from_utf8(&buf[i..]).unwrap_or("0")
}

/// `YYYYMMDDTHHMMSS[Z]` without going through chrono's formatter (hot path).
fn push_datetime(w: &mut LineWriter, t: NaiveDateTime, utc: bool) {
    let mut buf = [0u8; 16];
    let mut put = |at: usize, value: u32, digits: usize| {
        let mut v = value;
        for i in (0..digits).rev() {
            buf[at + i] = b'0' + (v % 10) as u8;
            v /= 10;
        }
    };
    put(0, t.year().clamp(0, 9999) as u32, 4);
    put(4, t.month(), 2);
    put(6, t.day(), 2);
    put(9, t.hour(), 2);
    put(11, t.minute(), 2);
    put(13, t.second(), 2);
    buf[8] = b'T';
    buf[15] = b'Z';
    let len = if utc { 16 } else { 15 };
    w.ascii(std::str::from_utf8(&buf[..len]).unwrap_or_default());
}

/// `YYYYMMDDTHHMMSS` (local, no zone).
pub(crate) fn format_naive(t: NaiveDateTime) -> String {
    let mut w = LineWriter::with_capacity(16);
    push_datetime(&mut w, t, false);
    w.finish()
}

/// RFC 5545 §3.3.6 duration: `P2W`, `P1D`, `PT6H`, `P1DT2H0M30S`.
///
/// ```
/// use chrono::TimeDelta;
/// use passerelle_calendar::format_duration;
///
/// assert_eq!(format_duration(TimeDelta::hours(6)).unwrap(), "PT6H");
/// assert_eq!(format_duration(TimeDelta::days(14)).unwrap(), "P2W");
/// assert_eq!(format_duration(TimeDelta::seconds(90_030)).unwrap(), "P1DT1H0M30S");
/// assert!(format_duration(TimeDelta::zero()).is_err());
/// ```
pub fn format_duration(d: TimeDelta) -> Result<String, CalendarError> {
    let secs = d.num_seconds();
    if secs <= 0 {
        return Err(CalendarError::InvalidCalendar(format!(
            "a duration must be at least one second, got {d}"
        )));
    }
    if secs % (7 * 86_400) == 0 {
        return Ok(format!("P{}W", secs / (7 * 86_400)));
    }
    let (days, rest) = (secs / 86_400, secs % 86_400);
    let (h, m, s) = (rest / 3600, rest / 60 % 60, rest % 60);
    let mut out = String::from("P");
    if days > 0 {
        out.push_str(&format!("{days}D"));
    }
    if rest > 0 {
        out.push('T');
        // dur-time allows H, HM, HMS, M, MS or S, never H then S.
        if h > 0 {
            out.push_str(&format!("{h}H"));
        }
        if m > 0 || (h > 0 && s > 0) {
            out.push_str(&format!("{m}M"));
        }
        if s > 0 {
            out.push_str(&format!("{s}S"));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn degrees_have_six_decimals() {
        let mut buf = [0u8; 16];
        for (v, s) in [
            (48.8532, "48.853200"),
            (-0.5, "-0.500000"),
            (2.3701004, "2.370100"),
            (-179.9999995, "-180.000000"),
            (0.0, "0.000000"),
            (-0.0000001, "0.000000"),
            (90.0, "90.000000"),
        ] {
            assert_eq!(format_degrees(v, &mut buf), s);
        }
        let mut digits = [0u8; 10];
        assert_eq!(format_u32(0, &mut digits), "0");
        assert_eq!(format_u32(u32::MAX, &mut digits), "4294967295");
    }
}
