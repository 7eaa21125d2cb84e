//! What a meeting must be: its times, its place and its title. Each check
//! adds its problems to the form's [`Checks`], so that an organiser sees
//! every field to fix at once.
use chrono::{DateTime, NaiveDateTime, TimeDelta, Utc};
use chrono_tz::Tz;
use passerelle_calendar::{CalendarError, resolve_local};

use super::Venue;
use crate::error::Error;
use crate::invalid::{Checks, Problem};
use crate::validate;

/// The longest meeting.
const MAX_HOURS: i64 = 12;
/// The most places a meeting may offer.
const MAX_CAPACITY: i64 = 10_000;

pub(super) fn zone(name: &str) -> Result<Tz, Problem> {
    name.parse().map_err(|_| Problem::TimeZone {
        value: name.to_owned(),
    })
}

/// A local wall time as a UTC instant, refusing the times a DST change
/// skips or repeats.
pub fn local_to_utc(local: NaiveDateTime, tz: Tz) -> Result<DateTime<Utc>, Problem> {
    resolve_local(local, tz).map_err(|e| {
        let zone = tz.name().to_owned();
        match e {
            CalendarError::AmbiguousLocalTime { .. } => Problem::AmbiguousTime { local, zone },
            // The other failure of resolve_local: a time the clocks skip.
            _ => Problem::NonexistentTime { local, zone },
        }
    })
}

pub(super) fn check_venue(checks: &mut Checks, venue: &Option<Venue>, online_url: &Option<String>) {
    if venue.is_none() && online_url.as_deref().is_none_or(str::is_empty) {
        checks.add("venue", Problem::VenueOrLink);
    }
    if let Some(url) = online_url.as_deref().filter(|u| !u.is_empty()) {
        if !(url.starts_with("https://") || url.starts_with("http://")) || url.contains(' ') {
            checks.add("online_url", Problem::Url);
        }
        checks.take("online_url", validate::single_line(url, 2000));
    }
    if let Some(v) = venue {
        if v.name.trim().is_empty() || v.address.trim().is_empty() {
            checks.add("venue", Problem::VenueIncomplete);
        }
        if !v.name.trim().is_empty() {
            checks.take("venue.name", validate::single_line(&v.name, 200));
        }
        if !v.address.trim().is_empty() {
            checks.take("venue.address", validate::single_line(&v.address, 300));
        }
    }
}

/// The venue's position, when given, is a point on Earth.
pub(super) fn venue_position(venue: &Option<Venue>) -> Result<(), Error> {
    match venue {
        Some(Venue {
            lat: Some(lat),
            lon: Some(lon),
            ..
        }) => crate::sectors::validate_coordinates(*lat, *lon),
        _ => Ok(()),
    }
}

/// The order of a meeting's times and its capacity; times that failed
/// already are not compared.
pub(super) fn check_times(
    checks: &mut Checks,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    deadline: DateTime<Utc>,
    capacity: i32,
) {
    let times_read = !["starts_at", "ends_at", "registration_deadline"]
        .iter()
        .any(|f| checks.has(f));
    if times_read && ends_at <= starts_at {
        checks.add("ends_at", Problem::EndBeforeStart);
    }
    if times_read && ends_at - starts_at > TimeDelta::hours(MAX_HOURS) {
        checks.add(
            "ends_at",
            Problem::TooLongMeeting {
                max_hours: MAX_HOURS,
            },
        );
    }
    if times_read && deadline > starts_at {
        checks.add("registration_deadline", Problem::DeadlineAfterStart);
    }
    if !(1..=MAX_CAPACITY).contains(&i64::from(capacity)) {
        checks.add(
            "capacity",
            Problem::Range {
                min: 1,
                max: MAX_CAPACITY,
            },
        );
    }
}

pub(super) fn title(text: &str) -> Result<String, Problem> {
    validate::single_line(text, 200)
}
