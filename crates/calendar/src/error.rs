//! The crate's single error type.

use chrono::{DateTime, NaiveDateTime, Utc};
use chrono_tz::Tz;

/// Everything that can go wrong in `passerelle-calendar`.
///
/// ```
/// use passerelle_calendar::{CalendarError, parse_school_holidays};
///
/// let err = parse_school_holidays("this is not a calendar").unwrap_err();
/// assert!(matches!(err, CalendarError::NotICalendar(_)));
/// ```
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CalendarError {
    /// The input is not iCalendar at all (no `BEGIN:VCALENDAR`).
    #[error("not an iCalendar file: {0}")]
    NotICalendar(String),
    /// A local time that the clocks skip (spring forward).
    #[error("{local} does not exist in {tz}: the clocks skip that hour (daylight saving time)")]
    NonexistentLocalTime {
        /// The wall-clock time asked for.
        local: NaiveDateTime,
        /// Its time zone.
        tz: Tz,
    },
    /// A local time that happens twice (fall back).
    #[error(
        "{local} is ambiguous in {tz}: it happens twice (daylight saving time ends), at {earlier} and at {later}"
    )]
    AmbiguousLocalTime {
        /// The wall-clock time asked for.
        local: NaiveDateTime,
        /// Its time zone.
        tz: Tz,
        /// The first occurrence.
        earlier: DateTime<Utc>,
        /// The second occurrence.
        later: DateTime<Utc>,
    },
    /// An event that cannot be written as valid iCalendar.
    #[error("invalid event {uid:?}: {reason}")]
    InvalidEvent {
        /// The event's UID (may be empty, which is one of the reasons).
        uid: String,
        /// What is wrong.
        reason: String,
    },
    /// A zone name other than A, B, C or Corse.
    #[error("unknown school-holiday zone {0:?} (expected A, B, C or Corse)")]
    UnknownZone(String),
    /// A calendar-level value that cannot be written as valid iCalendar.
    #[error("invalid calendar: {0}")]
    InvalidCalendar(String),
}
