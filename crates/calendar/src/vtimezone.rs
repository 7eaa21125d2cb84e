//! VTIMEZONE components generated from chrono-tz.
//!
//! chrono-tz exposes offsets but no rules, so we find the real transitions
//! by scanning the years the events span and bisecting each change to the
//! second. Each transition becomes one STANDARD or DAYLIGHT observance
//! (DTSTART only, no RRULE): valid for any zone, with no rule guessing.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use chrono::{DateTime, NaiveDate, Offset, TimeDelta, TimeZone, Utc};
use chrono_tz::{OffsetComponents, OffsetName, Tz};

use crate::text::LineWriter;
use crate::values::{format_naive, format_offset};

/// Scan step: transitions of real zones are months apart, the closest a
/// few days; 6 hours cannot step over a pair.
const STEP_SECONDS: i64 = 6 * 3600;

/// The observable state of a zone at one instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ZoneState {
    /// Total offset from UTC, in seconds.
    pub offset: i32,
    /// Daylight saving part of the offset, in seconds (0 in standard time).
    pub dst: i32,
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
        dst: i32::try_from(off.dst_offset().num_seconds()).unwrap_or(0),
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

/// A zone's offsets over the years a calendar spans: what its VTIMEZONE
/// says, also used to write the events' local times (fast, and consistent
/// with the VTIMEZONE by construction).
#[derive(Debug, Clone)]
pub(crate) struct ZoneSpan {
    pub tz: Tz,
    /// First instant covered.
    start: DateTime<Utc>,
    /// End of coverage (exclusive).
    end: DateTime<Utc>,
    /// The last change before `start`: the first observance.
    onset: Transition,
    /// Changes within the span, in order.
    transitions: Vec<Transition>,
}

/// Spans computed so far. A scan costs about 0.2 ms and every invitation
/// of a meeting asks for the same one; few zones and years are ever asked for.
static SPANS: LazyLock<Mutex<HashMap<SpanKey, Arc<ZoneSpan>>>> = LazyLock::new(Mutex::default);

/// A zone and the first and last years it covers.
type SpanKey = (Tz, i32, i32);

/// More spans than any real use asks for: past it, the cache starts over.
const MAX_CACHED_SPANS: usize = 256;

impl ZoneSpan {
    /// [`ZoneSpan::new`], computed once per zone and years.
    pub(crate) fn shared(tz: Tz, first_year: i32, last_year: i32) -> Arc<Self> {
        let key = (tz, first_year, last_year);
        // A poisoned lock only means another thread panicked mid-insert;
        // the map is still whole.
        let cached = SPANS
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&key)
            .cloned();
        if let Some(span) = cached {
            return span;
        }
        // Computed outside the lock: two threads may both compute it, alike.
        let span = Arc::new(Self::new(tz, first_year, last_year));
        let mut spans = SPANS.lock().unwrap_or_else(|p| p.into_inner());
        if spans.len() >= MAX_CACHED_SPANS {
            spans.clear();
        }
        spans.insert(key, span.clone());
        span
    }

    /// Covers 1 January of `first_year` to the end of `last_year`, in any offset.
    pub(crate) fn new(tz: Tz, first_year: i32, last_year: i32) -> Self {
        // A day of margin on each side covers every UTC offset (±14 h).
        let start = utc_midnight(first_year - 1, 12, 31);
        let end = utc_midnight(last_year + 1, 1, 2);
        // DST zones change at least yearly, so 400 days back finds the real
        // onset. Some readers derive the DST amount from TZOFFSETTO -
        // TZOFFSETFROM, so a made-up onset with equal offsets would read as
        // "no DST" in summer.
        let onset = match transitions(tz, start - TimeDelta::days(400), start).last() {
            Some(tr) => *tr,
            None => {
                let now = state_at(tz, start.timestamp());
                let before = ZoneState {
                    offset: now.offset - now.dst,
                    ..now
                };
                Transition {
                    at: start,
                    from: before,
                    to: now,
                }
            }
        };
        Self {
            tz,
            start,
            end,
            onset,
            transitions: transitions(tz, start, end),
        }
    }

    /// Local time of `t`, and whether that local time already happened once
    /// (the second pass of a repeated hour). `None` outside the span.
    pub(crate) fn local(&self, t: DateTime<Utc>) -> Option<(chrono::NaiveDateTime, bool)> {
        if t < self.start || t >= self.end {
            return None;
        }
        let idx = self.transitions.partition_point(|tr| tr.at <= t);
        let tr = if idx == 0 {
            &self.onset
        } else {
            &self.transitions[idx - 1]
        };
        let local = t.naive_utc() + TimeDelta::seconds(i64::from(tr.to.offset));
        let back = i64::from(tr.from.offset - tr.to.offset);
        let repeated = back > 0 && t < tr.at + TimeDelta::seconds(back);
        Some((local, repeated))
    }

    /// Writes the VTIMEZONE.
    pub(crate) fn write(&self, w: &mut LineWriter) {
        w.line("BEGIN:VTIMEZONE");
        w.ascii("TZID:");
        w.text(self.tz.name());
        w.end_line();
        for tr in std::iter::once(&self.onset).chain(&self.transitions) {
            write_observance(w, tr.at, tr.from, tr.to);
        }
        w.line("END:VTIMEZONE");
    }
}

fn utc_midnight(year: i32, month: u32, day: u32) -> DateTime<Utc> {
    NaiveDate::from_ymd_opt(year, month, day)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|n| n.and_utc())
        .unwrap_or_default()
}

fn write_observance(w: &mut LineWriter, at: DateTime<Utc>, from: ZoneState, to: ZoneState) {
    let kind = if to.dst != 0 { "DAYLIGHT" } else { "STANDARD" };
    w.ascii("BEGIN:");
    w.ascii(kind);
    w.end_line();
    // RFC 5545 §3.6.5: the onset is local time in the offset in force before it.
    let onset = at.naive_utc() + TimeDelta::seconds(i64::from(from.offset));
    let onset = format_naive(onset);
    w.ascii("DTSTART:");
    w.ascii(&onset);
    w.end_line();
    // The onset again as RDATE: RFC 5545 counts DTSTART as the only onset,
    // but some readers (Python `ical`) only expand RRULE/RDATE.
    w.ascii("RDATE:");
    w.ascii(&onset);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
    }

    #[test]
    fn paris_2027_transitions_are_exact() {
        let tr = transitions(
            chrono_tz::Europe::Paris,
            ts(2027, 1, 1, 0, 0),
            ts(2028, 1, 1, 0, 0),
        );
        assert_eq!(tr.len(), 2);
        assert_eq!(tr[0].at, ts(2027, 3, 28, 1, 0));
        assert_eq!((tr[0].from.offset, tr[0].to.offset), (3600, 7200));
        assert_eq!(tr[0].to.dst, 3600);
        assert_eq!(tr[0].to.name(), Some("CEST"));
        assert_eq!(tr[1].at, ts(2027, 10, 31, 1, 0));
        assert_eq!(tr[1].to.name(), Some("CET"));
    }

    #[test]
    fn southern_and_fractional_zones() {
        // Sydney: DST ends in April, starts in October.
        let tr = transitions(
            chrono_tz::Australia::Sydney,
            ts(2027, 1, 1, 0, 0),
            ts(2028, 1, 1, 0, 0),
        );
        assert_eq!(tr.len(), 2);
        assert!(tr[0].to.dst == 0 && tr[1].to.dst != 0);
        // Lord Howe shifts by 30 minutes.
        let tr = transitions(
            chrono_tz::Australia::Lord_Howe,
            ts(2027, 1, 1, 0, 0),
            ts(2028, 1, 1, 0, 0),
        );
        assert_eq!(tr[0].from.offset - tr[0].to.offset, 1800);
        // Tokyo: none.
        assert!(
            transitions(
                chrono_tz::Asia::Tokyo,
                ts(2020, 1, 1, 0, 0),
                ts(2030, 1, 1, 0, 0)
            )
            .is_empty()
        );
    }

    #[test]
    fn span_local_times_match_chrono_tz() {
        for tz in [
            chrono_tz::Europe::Paris,
            chrono_tz::America::New_York,
            chrono_tz::Australia::Lord_Howe,
            chrono_tz::Asia::Kolkata,
        ] {
            let span = ZoneSpan::new(tz, 2026, 2027);
            let mut t = ts(2026, 1, 1, 0, 0);
            while t < ts(2028, 1, 1, 0, 0) {
                let (local, repeated) = span.local(t).unwrap();
                assert_eq!(local, t.with_timezone(&tz).naive_local(), "{tz} {t}");
                let first = match tz.from_local_datetime(&local) {
                    chrono::LocalResult::Ambiguous(a, _) => a.with_timezone(&Utc) == t,
                    _ => true,
                };
                assert_eq!(repeated, !first, "{tz} {t}");
                t += TimeDelta::minutes(10);
            }
            assert!(span.local(ts(2030, 1, 1, 0, 0)).is_none());
        }
    }

    #[test]
    fn shared_spans_are_computed_once_and_alike() {
        let a = ZoneSpan::shared(chrono_tz::America::Santiago, 2031, 2032);
        let b = ZoneSpan::shared(chrono_tz::America::Santiago, 2031, 2032);
        assert!(Arc::ptr_eq(&a, &b));
        let fresh = ZoneSpan::new(chrono_tz::America::Santiago, 2031, 2032);
        assert_eq!((a.onset, &a.transitions), (fresh.onset, &fresh.transitions));
        let other = ZoneSpan::shared(chrono_tz::America::Santiago, 2031, 2033);
        assert!(!Arc::ptr_eq(&a, &other));
    }
}
