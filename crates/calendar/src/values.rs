//! Formatting of iCalendar property values (RFC 5545 §3.3): date-times,
//! durations, UTC offsets, integers and degrees, shared by the event
//! writer and the VTIMEZONE writer.

use chrono::{Datelike, NaiveDateTime, TimeDelta, Timelike};

use crate::CalendarError;
use crate::text::LineWriter;

/// Decimal digits of `n` without allocating.
pub(crate) fn format_u32(mut n: u32, buf: &mut [u8; 10]) -> &str {
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
pub(crate) fn format_degrees(v: f64, buf: &mut [u8; 16]) -> &str {
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
pub(crate) fn push_datetime(w: &mut LineWriter, t: NaiveDateTime, utc: bool) {
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

    #[test]
    fn offsets_format() {
        assert_eq!(format_offset(3600), "+0100");
        assert_eq!(format_offset(-12600), "-0330");
        assert_eq!(format_offset(561), "+000921");
        assert_eq!(format_offset(0), "+0000");
    }
}
