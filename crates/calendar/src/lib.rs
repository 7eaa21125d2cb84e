//! Passerelle calendar: a pure library (no database, no network, no I/O).
//!
//! - **iCalendar writer** (RFC 5545 / RFC 5546): [`publish_feed`] for
//!   subscription feeds, [`invite`] and [`cancellation`] for e-mails, or a
//!   [`Calendar`] for anything else. Text is escaped, parameters encoded
//!   (RFC 6868), lines folded at 75 octets, a VTIMEZONE written for each
//!   zone used.
//! - **School holidays**: [`parse_school_holidays`] reads the Ministry's
//!   ICS; [`zone_for_department`] gives a département's zone.
//! - **Public holidays**: [`public_holidays`], [`easter_sunday`].
//! - **Slots**: [`suggest_slots`] ranks meeting times by declared
//!   availability; [`resolve_local`] turns a wall-clock time into an
//!   instant, refusing DST gaps and overlaps.
//!
//! ```
//! use chrono::{NaiveDate, TimeDelta};
//! use chrono_tz::Europe::Paris;
//! use passerelle_calendar::{Event, publish_feed, resolve_local, meeting_uid};
//!
//! let local = NaiveDate::from_ymd_opt(2027, 3, 12).unwrap().and_hms_opt(18, 30, 0).unwrap();
//! let start = resolve_local(local, Paris).unwrap();
//! let event = Event::new(meeting_uid(42, "passerelle.example"), start, start, start + TimeDelta::minutes(90), Paris, "Réunion de quartier");
//! let ics = publish_feed("Secteur Voltaire", TimeDelta::hours(6), &[event]).unwrap();
//! assert!(ics.contains("DTSTART;TZID=Europe/Paris:20270312T183000\r\n"));
//! ```
#![forbid(unsafe_code)]

mod error;
mod ics;
mod public_holidays;
mod school;
mod slots;
pub mod text;
mod values;
mod vtimezone;
mod zones;

pub use error::CalendarError;
pub use ics::{
    Attendee, CalAddress, Calendar, Event, EventStatus, Geo, Method, PRODID, PartStat, Role,
    cancellation, invite, meeting_uid, publish_feed,
};
pub use public_holidays::{
    PublicHoliday, easter_sunday, is_public_holiday, public_holidays, public_holidays_in_department,
};
pub use school::{
    HolidayPeriod, SchoolHoliday, SchoolHolidayImport, SkippedEvent, parse_school_holidays,
};
pub use slots::{
    Availability, Busy, CandidateRule, SlotCategory, SlotRequest, Suggestion,
    public_holidays_between, resolve_local, suggest_slots,
};
pub use values::format_duration;
pub use zones::{
    Zone, academy_for_department, zone_for_academy, zone_for_department, zone_for_department_on,
};
