//! Import of the Ministry's school-holiday calendar (ICS).
//!
//! The published file is messy: events without UID, empty `DTEND:`, an
//! event ending before it starts, `?` for apostrophes. We read it property
//! by property with the `ical` crate's parser (its whole-calendar parser
//! gives up on the first bad line), keep what is valid and report the rest.
//!
//! `holidays` holds what an import gives (holidays, skipped events,
//! periods per zone); `reader` reads the file into it.

mod holidays;
mod reader;

pub use holidays::{HolidayPeriod, SchoolHoliday, SchoolHolidayImport, SkippedEvent};
pub use reader::parse_school_holidays;
