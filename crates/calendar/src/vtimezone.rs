//! VTIMEZONE components generated from chrono-tz.
//!
//! chrono-tz exposes offsets but no rules, so we find the real transitions
//! by scanning the years the events span and bisecting each change to the
//! second. Each transition becomes one STANDARD or DAYLIGHT observance
//! (DTSTART only, no RRULE): valid for any zone, with no rule guessing.

use chrono::{DateTime, NaiveDate, Offset, TimeDelta, TimeZone, Utc};
use chrono_tz::{OffsetComponents, OffsetName, Tz};

use crate::text::LineWriter;

/// Scan step: transitions of real zones are months apart, the closest a
/// few days; 6 hours cannot step over a pair.
const STEP_SECONDS: i64 = 6 * 3600;

/// The observable state of a zone at one instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ZoneState {
    /// Total offset from UTC, in seconds.
    pub offset: i32,
    /// Daylight saving time in force.
    pub dst: bool,
    /// Abbreviation, as in tzdb (`CET`, `+03`), inline to stay `Copy`.
    abbr: Abbr,
}

impl ZoneState {
    /// The tzdb abbreviation, if any.
    pub fn name(&self) -> Option<&str> {
        let s = std::str::from_utf8(&self.abbr.bytes[..usize::from(self.abbr.len)]).ok()?;
        (!s.is_empty()).then_some(s)
    }
}

/// tzdb abbreviations are 3 to 6 characters by policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Abbr {
    bytes: [u8; 16],
    len: u8,
}

impl Abbr {
    fn new(name: Option<&str>) -> Self {
        let mut abbr = Abbr {
            bytes: [0; 16],
            len: 0,
        };
        if let Some(name) = name.filter(|n| n.len() <= 16) {
            abbr.bytes[..name.len()].copy_from_slice(name.as_bytes());
            abbr.len = name.len() as u8;
        }
        abbr
    }
}

/// One change of [`ZoneState`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Transition {
    /// First instant of the new state.
    pub at: DateTime<Utc>,
    pub from: ZoneState,
    pub to: ZoneState,
}

/// Zones written as UTC (`...Z`) rather than with a TZID.
pub(crate) fn is_utc(tz: Tz) -> bool {
    matches!(
        tz,
        Tz::UTC
            | Tz::Etc__UTC
            | Tz::Etc__UCT
            | Tz::Etc__Universal
            | Tz::Etc__Zulu
            | Tz::UCT
            | Tz::Universal
            | Tz::Zulu
    )
}

pub(crate) fn state_at(tz: Tz, at: i64) -> ZoneState {
    let utc = DateTime::<Utc>::from_timestamp(at, 0).unwrap_or_default();
    let off = tz.offset_from_utc_datetime(&utc.naive_utc());
    ZoneState {
        offset: off.fix().local_minus_utc(),
        dst: off.dst_offset() != TimeDelta::zero(),
        abbr: Abbr::new(off.abbreviation()),
    }
}

/// Real transitions of `tz` in `[from, to)`, in order.
pub(crate) fn transitions(tz: Tz, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Transition> {
    let mut out = Vec::new();
    let (mut t, end) = (from.timestamp(), to.timestamp());
    let mut state = state_at(tz, t);
    while t < end {
        let next = (t + STEP_SECONDS).min(end);
        let next_state = state_at(tz, next);
        if next_state != state {
            // Bisect: state(lo) == state, state(hi) != state.
            let (mut lo, mut hi) = (t, next);
            while hi - lo > 1 {
                let mid = lo + (hi - lo) / 2;
                if state_at(tz, mid) == state {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            let to_state = state_at(tz, hi);
            out.push(Transition {
                at: DateTime::<Utc>::from_timestamp(hi, 0).unwrap_or_default(),
                from: state,
                to: to_state,
            });
            state = to_state;
            t = hi;
            continue;
        }
        t = next;
    }
    out
}

/// Writes a VTIMEZONE for `tz` valid from 1 January of `first_year` to the
/// end of `last_year` (local time).
pub(crate) fn write_vtimezone(w: &mut LineWriter, tz: Tz, first_year: i32, last_year: i32) {
    // A day of margin on each side covers every UTC offset (±14 h).
    let start = utc_midnight(first_year - 1, 12, 31);
    let end = utc_midnight(last_year + 1, 1, 2);
    let initial = state_at(tz, start.timestamp());

    w.line("BEGIN:VTIMEZONE");
    w.ascii("TZID:");
    w.text(tz.name());
    w.end_line();
    // The first observance starts at the span start: it says which offset is
    // in force there, which is all a reader needs for later times.
    write_observance(w, start, initial, initial);
    for tr in transitions(tz, start, end) {
        write_observance(w, tr.at, tr.from, tr.to);
    }
    w.line("END:VTIMEZONE");
}

fn utc_midnight(year: i32, month: u32, day: u32) -> DateTime<Utc> {
    NaiveDate::from_ymd_opt(year, month, day)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|n| n.and_utc())
        .unwrap_or_default()
}

fn write_observance(w: &mut LineWriter, at: DateTime<Utc>, from: ZoneState, to: ZoneState) {
    let kind = if to.dst { "DAYLIGHT" } else { "STANDARD" };
    w.ascii("BEGIN:");
    w.ascii(kind);
    w.end_line();
    // RFC 5545 §3.6.5: the onset is local time in the offset in force before it.
    let onset = at.naive_utc() + TimeDelta::seconds(i64::from(from.offset));
    w.ascii("DTSTART:");
    w.ascii(&crate::ics::format_naive(onset));
    w.end_line();
    w.ascii("TZOFFSETFROM:");
    w.ascii(&format_offset(from.offset));
    w.end_line();
    w.ascii("TZOFFSETTO:");
    w.ascii(&format_offset(to.offset));
    w.end_line();
    if let Some(name) = to.name() {
        w.ascii("TZNAME:");
        w.text(name);
        w.end_line();
    }
    w.ascii("END:");
    w.ascii(kind);
    w.end_line();
}

/// `+0100`, `-0330`, `+000921` (seconds only when present, RFC 5545 §3.3.14).
pub(crate) fn format_offset(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let s = seconds.unsigned_abs();
    let (h, m, sec) = (s / 3600, s / 60 % 60, s % 60);
    if sec == 0 {
        format!("{sign}{h:02}{m:02}")
    } else {
        format!("{sign}{h:02}{m:02}{sec:02}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
    }

    #[test]
    fn paris_2027_transitions_are_exact() {
        let tr = transitions(chrono_tz::Europe::Paris, ts(2027, 1, 1, 0, 0), ts(2028, 1, 1, 0, 0));
        assert_eq!(tr.len(), 2);
        assert_eq!(tr[0].at, ts(2027, 3, 28, 1, 0));
        assert_eq!((tr[0].from.offset, tr[0].to.offset), (3600, 7200));
        assert!(tr[0].to.dst);
        assert_eq!(tr[0].to.name(), Some("CEST"));
        assert_eq!(tr[1].at, ts(2027, 10, 31, 1, 0));
        assert_eq!(tr[1].to.name(), Some("CET"));
    }

    #[test]
    fn southern_and_fractional_zones() {
        // Sydney: DST ends in April, starts in October.
        let tr = transitions(chrono_tz::Australia::Sydney, ts(2027, 1, 1, 0, 0), ts(2028, 1, 1, 0, 0));
        assert_eq!(tr.len(), 2);
        assert!(!tr[0].to.dst && tr[1].to.dst);
        // Lord Howe shifts by 30 minutes.
        let tr = transitions(chrono_tz::Australia::Lord_Howe, ts(2027, 1, 1, 0, 0), ts(2028, 1, 1, 0, 0));
        assert_eq!(tr[0].from.offset - tr[0].to.offset, 1800);
        // Tokyo: none.
        assert!(transitions(chrono_tz::Asia::Tokyo, ts(2020, 1, 1, 0, 0), ts(2030, 1, 1, 0, 0)).is_empty());
    }

    #[test]
    fn offsets_format() {
        assert_eq!(format_offset(3600), "+0100");
        assert_eq!(format_offset(-12600), "-0330");
        assert_eq!(format_offset(561), "+000921");
        assert_eq!(format_offset(0), "+0000");
    }
}
