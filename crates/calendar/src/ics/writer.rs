//! The writer of a calendar object: checks each event, then writes the
//! VCALENDAR, its VTIMEZONEs and VEVENTs property by property.

use std::sync::Arc;

use chrono::{DateTime, Datelike, LocalResult, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;

use super::event::{CalAddress, Event, EventStatus, Method};
use crate::CalendarError;
use crate::text::LineWriter;
use crate::values::{format_degrees, format_duration, format_u32, push_datetime};
use crate::vtimezone::{ZoneSpan, is_utc};

/// Our PRODID (RFC 5545 §3.7.3).
///
/// ```
/// let ics = passerelle_calendar::Calendar::default().to_ics().unwrap();
/// assert!(ics.contains(&format!("PRODID:{}\r\n", passerelle_calendar::PRODID)));
/// ```
pub const PRODID: &str = "-//Passerelle//Calendrier Passerelle//FR";

/// The calendar-level properties of one object.
pub(super) struct Header<'a> {
    pub(super) method: Option<Method>,
    pub(super) name: Option<&'a str>,
    pub(super) refresh_interval: Option<TimeDelta>,
    pub(super) published_ttl: Option<TimeDelta>,
}

/// Checks every event, then writes the whole calendar object.
pub(super) fn render(header: &Header<'_>, events: &[Event]) -> Result<String, CalendarError> {
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
