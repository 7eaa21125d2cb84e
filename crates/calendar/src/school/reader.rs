//! The reader of the Ministry's ICS, property by property.

use std::io::BufReader;

use chrono::{NaiveDate, TimeDelta};

use super::holidays::{SchoolHoliday, SchoolHolidayImport, SkippedEvent};
use crate::CalendarError;
use crate::text::unescape_text;
use crate::zones::Zone;

/// Reads the Ministry's school-holiday ICS.
///
/// Fails only if the text is not iCalendar at all. Otherwise imports every
/// valid event and reports the others:
/// - no DTSTART, or a date that cannot be read: skipped;
/// - empty `DTEND:` (end unknown) or an end before the start: skipped;
/// - no DTEND at all: one day, as RFC 5545 §3.6.1 says (noted in `repairs`);
/// - DTEND equal to DTSTART (the Ministry's "Début des Vacances d'Été"
///   markers, whose end is not known yet): one day (noted in `repairs`);
/// - no zone in LOCATION, SUMMARY or DESCRIPTION: skipped;
/// - no UID: imported (`uid: None`);
/// - `?` between two letters: read as an apostrophe (noted in `repairs`).
///
/// A file that does not end with `END:VCALENDAR` is read all the same, with
/// [`SchoolHolidayImport::complete`] false.
///
/// ```
/// use passerelle_calendar::{Zone, parse_school_holidays};
///
/// let ics = "BEGIN:VCALENDAR\r\n\
///     BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20251018\r\nDTEND;VALUE=DATE:20251103\r\nSUMMARY:Vacances de la Toussaint - Zones A/B/C\r\nLOCATION:Zones A/B/C\r\nEND:VEVENT\r\n\
///     BEGIN:VEVENT\r\nDTSTART;VALUE=DATE:20260302\r\nDTEND:\r\nSUMMARY:Vacances d?Hiver - Zone C\r\nEND:VEVENT\r\n\
///     END:VCALENDAR\r\n";
/// let import = parse_school_holidays(ics).unwrap();
/// assert_eq!(import.holidays[0].zones, vec![Zone::A, Zone::B, Zone::C]);
/// assert_eq!(import.skipped[0].summary.as_deref(), Some("Vacances d'Hiver - Zone C"));
/// assert!(import.skipped[0].reason.contains("empty DTEND"));
/// assert!(import.complete);
/// ```
pub fn parse_school_holidays(ics: &str) -> Result<SchoolHolidayImport, CalendarError> {
    let ics = ics.strip_prefix('\u{feff}').unwrap_or(ics);
    let mut props = ical::PropertyParser::from_reader(BufReader::new(ics.as_bytes()));

    match props.next() {
        Some(Ok(p)) if p.name.eq_ignore_ascii_case("BEGIN") && is_value(&p, "VCALENDAR") => {}
        Some(Ok(p)) => {
            return Err(CalendarError::NotICalendar(format!(
                "starts with {:?}, not BEGIN:VCALENDAR",
                p.name
            )));
        }
        Some(Err(e)) => return Err(CalendarError::NotICalendar(e.to_string())),
        None => return Err(CalendarError::NotICalendar("empty input".into())),
    }

    let mut import = SchoolHolidayImport::default();
    let mut index = 0;
    // Properties of the VEVENT being read, and the first error met in it.
    let mut event: Option<(Vec<ical::property::Property>, Option<String>)> = None;
    // Depth of components nested in the event (VALARM), whose properties are not the event's.
    let mut nested = 0usize;

    for item in props {
        let prop = match item {
            Ok(p) => p,
            Err(e) => {
                match &mut event {
                    Some((_, err @ None)) => *err = Some(format!("unreadable line: {e}")),
                    Some(_) => {}
                    None => import.repairs.push(SkippedEvent {
                        index,
                        summary: None,
                        reason: format!("ignored unreadable line outside events: {e}"),
                    }),
                }
                continue;
            }
        };
        let name = prop.name.to_ascii_uppercase();
        import.complete = false;
        match (name.as_str(), &mut event) {
            ("END", None) if is_value(&prop, "VCALENDAR") => import.complete = true,
            ("BEGIN", None) if is_value(&prop, "VEVENT") => {
                index += 1;
                event = Some((Vec::new(), None));
                nested = 0;
            }
            ("BEGIN", Some(_)) => nested += 1,
            ("END", Some(_)) if nested > 0 => nested -= 1,
            ("END", Some(_)) => {
                if let Some((props, err)) = event.take() {
                    read_event(&mut import, index, &props, err);
                }
            }
            (_, Some((props, _))) if nested == 0 => props.push(prop),
            _ => {}
        }
    }
    if let Some((props, _)) = event {
        let summary = summary_of(&props).map(|(s, _)| s);
        import.skipped.push(SkippedEvent {
            index,
            summary,
            reason: "file ends inside the event (no END:VEVENT)".into(),
        });
    }
    Ok(import)
}

fn is_value(p: &ical::property::Property, expected: &str) -> bool {
    p.value
        .as_deref()
        .is_some_and(|v| v.trim().eq_ignore_ascii_case(expected))
}

fn get<'p>(
    props: &'p [ical::property::Property],
    name: &str,
) -> Option<&'p ical::property::Property> {
    props.iter().find(|p| p.name.eq_ignore_ascii_case(name))
}

/// Unescaped text of a property, `?` repaired; the flag says a repair happened.
fn text_of(props: &[ical::property::Property], name: &str) -> Option<(String, bool)> {
    let raw = get(props, name)?.value.as_deref()?;
    let text = unescape_text(raw);
    let repaired = repair_apostrophes(&text);
    let changed = repaired != text;
    Some((repaired, changed))
}

fn summary_of(props: &[ical::property::Property]) -> Option<(String, bool)> {
    text_of(props, "SUMMARY").or_else(|| text_of(props, "DESCRIPTION"))
}

/// `d?Été` → `d'Été`: a `?` between two letters is a lost apostrophe.
fn repair_apostrophes(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    for (i, &c) in chars.iter().enumerate() {
        let between_letters = i > 0
            && chars[i - 1].is_alphabetic()
            && chars.get(i + 1).is_some_and(|n| n.is_alphabetic());
        out.push(if c == '?' && between_letters { '\'' } else { c });
    }
    out
}

/// A DATE (or the date of a DATE-TIME) value.
fn date_of(p: &ical::property::Property) -> Result<NaiveDate, String> {
    let raw = p.value.as_deref().map(str::trim).unwrap_or_default();
    if raw.is_empty() {
        return Err(format!("empty {} value", p.name));
    }
    let digits = raw.get(..8).unwrap_or(raw);
    NaiveDate::parse_from_str(digits, "%Y%m%d")
        .map_err(|_| format!("{} value {raw:?} is not a date", p.name))
}

fn read_event(
    import: &mut SchoolHolidayImport,
    index: usize,
    props: &[ical::property::Property],
    error: Option<String>,
) {
    let summary = summary_of(props);
    let skip = |import: &mut SchoolHolidayImport, reason: String| {
        import.skipped.push(SkippedEvent {
            index,
            summary: summary.as_ref().map(|(s, _)| s.clone()),
            reason,
        });
    };
    if let Some(e) = error {
        return skip(import, e);
    }
    let Some(dtstart) = get(props, "DTSTART") else {
        return skip(import, "no DTSTART".into());
    };
    let start = match date_of(dtstart) {
        Ok(d) => d,
        Err(e) => return skip(import, e),
    };
    let mut notes = Vec::new();
    let end = match get(props, "DTEND") {
        None => {
            notes.push("no DTEND: one day (RFC 5545 §3.6.1)");
            start + TimeDelta::days(1)
        }
        Some(p) if p.value.as_deref().is_none_or(|v| v.trim().is_empty()) => {
            return skip(import, "empty DTEND value: end date unknown".into());
        }
        Some(p) => match date_of(p) {
            Ok(end) if end < start => {
                return skip(import, format!("ends ({end}) before it starts ({start})"));
            }
            Ok(end) if end == start => {
                notes.push("DTEND equals DTSTART: read as one day");
                start + TimeDelta::days(1)
            }
            Ok(end) => end,
            Err(e) => return skip(import, e),
        },
    };

    let location = text_of(props, "LOCATION");
    let description = text_of(props, "DESCRIPTION").or_else(|| text_of(props, "SUMMARY"));
    let mut zones = location
        .as_ref()
        .map(|(l, _)| parse_zones(l))
        .unwrap_or_default();
    if zones.is_empty() {
        for (text, _) in [&summary, &description].into_iter().flatten() {
            zones = parse_zones(text);
            if !zones.is_empty() {
                break;
            }
        }
    }
    if zones.is_empty() {
        return skip(import, "no zone in LOCATION, SUMMARY or DESCRIPTION".into());
    }
    if [&summary, &description, &location]
        .into_iter()
        .flatten()
        .any(|(_, repaired)| *repaired)
    {
        notes.push("'?' between letters read as an apostrophe");
    }
    let description = description
        .map(|(d, _)| strip_zones(&d))
        .unwrap_or_default();
    let uid = get(props, "UID")
        .and_then(|p| p.value.as_deref())
        .map(|v| unescape_text(v.trim()))
        .filter(|v| !v.is_empty());

    for note in notes {
        import.repairs.push(SkippedEvent {
            index,
            summary: summary.as_ref().map(|(s, _)| s.clone()),
            reason: note.into(),
        });
    }
    import.holidays.push(SchoolHoliday {
        zones,
        description,
        start,
        end,
        uid,
    });
}

/// Zones named in `Zones A/B/C - Corse`, `Zone B`, `Corse`, `Zones A, B et C`.
fn parse_zones(text: &str) -> Vec<Zone> {
    let mut zones = Vec::new();
    for part in text.split(" - ") {
        zones.extend(zones_of_part(part));
    }
    zones.sort();
    zones.dedup();
    zones
}

fn zones_of_part(part: &str) -> Vec<Zone> {
    let part = part.trim();
    if part.eq_ignore_ascii_case("corse") {
        return vec![Zone::Corse];
    }
    let lower = part.to_lowercase();
    let rest = match lower
        .strip_prefix("zones ")
        .or_else(|| lower.strip_prefix("zone "))
    {
        Some(rest) => rest,
        None => return Vec::new(),
    };
    let mut zones = Vec::new();
    for token in rest
        .split(['/', ',', ' '])
        .filter(|t| !t.is_empty() && *t != "et")
    {
        match token.parse::<Zone>() {
            Ok(z) => zones.push(z),
            Err(_) => return Vec::new(),
        }
    }
    zones
}

/// `Vacances de Printemps - Zones A/B - Corse` → `Vacances de Printemps`.
fn strip_zones(text: &str) -> String {
    text.split(" - ")
        .filter(|part| zones_of_part(part).is_empty())
        .collect::<Vec<_>>()
        .join(" - ")
        .trim()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    const MESSY: &str = "\u{feff}BEGIN:VCALENDAR\r\n\
PRODID:-//test//messy//FR\r\n\
VERSION:2.0\r\n\
BEGIN:VEVENT\r\n\
DTSTART;VALUE=DATE:20230415\r\n\
DTEND;VALUE=DATE:20230502\r\n\
SUMMARY:Vacances de Printemps - Zone A\r\n\
LOCATION:Zone A\r\n\
END:VEVENT\r\n\
BEGIN:VEVENT\r\n\
DTSTART;VALUE=DATE:20230408\r\n\
DTEND:\r\n\
SUMMARY:Vacances de Printemps - Zone B\r\n\
END:VEVENT\r\n\
BEGIN:VEVENT\r\n\
DTSTART;VALUE=DATE:20230301\r\n\
DTEND;VALUE=DATE:20230220\r\n\
SUMMARY:Vacances d?Hiver - Zone C\r\n\
END:VEVENT\r\n\
BEGIN:VEVENT\r\n\
UID:ok-1\r\n\
DTSTART;VALUE=DATE:20230218\r\n\
DTEND;VALUE=DATE:20230306\r\n\
SUMMARY:Vacances d?Hiver - Zones A/C\r\n\
DESCRIPTION:Vacances d?Hiver - Zones A/C\r\n\
BEGIN:VALARM\r\n\
DTSTART;VALUE=DATE:19990101\r\n\
END:VALARM\r\n\
END:VEVENT\r\n\
this line has no colon\r\n\
BEGIN:VEVENT\r\n\
SUMMARY:Sans date - Zone C\r\n\
END:VEVENT\r\n\
BEGIN:VEVENT\r\n\
DTSTART;VALUE=DATE:20230707\r\n\
DTEND;VALUE=DATE:20230707\r\n\
SUMMARY:Début des Vacances d'Été - Corse\r\n\
END:VEVENT\r\n\
BEGIN:VEVENT\r\n\
DTSTART;VALUE=DATE:20230708\r\n\
DTEND;VALUE=DATE:20230709\r\n\
SUMMARY:Journée sans zone\r\n\
END:VEVENT\r\n\
BEGIN:VEVENT\r\n\
DTSTART;VALUE=DATE:2023-07-08\r\n\
DTEND;VALUE=DATE:20230709\r\n\
SUMMARY:Date illisible - Zone A\r\n\
END:VEVENT\r\n\
BEGIN:VEVENT\r\n\
DTSTART;VALUE=DATE:20231021\r\n\
SUMMARY:Tronqué - Zone A\r\n";

    #[test]
    fn messy_file_imports_what_is_valid() {
        let import = parse_school_holidays(MESSY).unwrap();
        let got: Vec<(&str, NaiveDate, NaiveDate)> = import
            .holidays
            .iter()
            .map(|h| (h.description.as_str(), h.start, h.end))
            .collect();
        assert_eq!(
            got,
            vec![
                ("Vacances de Printemps", d(2023, 4, 15), d(2023, 5, 2)),
                ("Vacances d'Hiver", d(2023, 2, 18), d(2023, 3, 6)),
                ("Début des Vacances d'Été", d(2023, 7, 7), d(2023, 7, 8)),
            ]
        );
        assert_eq!(import.holidays[0].uid, None);
        assert_eq!(import.holidays[1].uid.as_deref(), Some("ok-1"));
        assert_eq!(import.holidays[1].zones, vec![Zone::A, Zone::C]);

        let reasons: Vec<(usize, &str)> = import
            .skipped
            .iter()
            .map(|s| (s.index, s.reason.as_str()))
            .collect();
        assert_eq!(reasons.len(), 6, "{reasons:#?}");
        assert!(reasons[0].1.contains("empty DTEND"));
        assert!(reasons[1].1.contains("before it starts"));
        assert_eq!(
            import.skipped[1].summary.as_deref(),
            Some("Vacances d'Hiver - Zone C")
        );
        assert_eq!(reasons[2], (5, "no DTSTART"));
        assert!(reasons[3].1.contains("no zone"));
        assert!(reasons[4].1.contains("not a date"));
        assert!(reasons[5].1.contains("file ends inside"));
        assert!(!import.complete, "MESSY has no END:VCALENDAR");

        let repairs: Vec<&str> = import.repairs.iter().map(|r| r.reason.as_str()).collect();
        assert!(
            repairs
                .iter()
                .any(|r| r.contains("no colon") || r.contains("unreadable")),
            "{repairs:?}"
        );
        assert!(repairs.iter().any(|r| r.contains("apostrophe")));
        assert!(repairs.iter().any(|r| r.contains("equals DTSTART")));
    }

    #[test]
    fn random_garbage_after_the_header_never_fails_the_file() {
        const PIECES: &[&str] = &[
            "BEGIN:VEVENT",
            "END:VEVENT",
            "BEGIN:VALARM",
            "END:VALARM",
            "DTSTART;VALUE=DATE:20240101",
            "DTEND;VALUE=DATE:20240108",
            "DTEND:",
            "DTSTART:2024",
            "SUMMARY:Vacances - Zone A",
            "LOCATION:Zones B/C",
            "UID:x",
            ";;;",
            ":",
            "=\"",
            "X;Y=\"unclosed:1",
            " folded",
            "\t",
            "",
            "NO COLON",
            "END:VCALENDAR",
            "BEGIN:VCALENDAR",
            "é?è",
        ];
        let mut seed = 0x2021_u64;
        for _ in 0..500 {
            // VERSION keeps a random continuation line off the header.
            let mut ics = String::from("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n");
            for _ in 0..40 {
                seed = seed
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                ics.push_str(PIECES[(seed >> 33) as usize % PIECES.len()]);
                ics.push_str(if seed & 1 == 0 { "\r\n" } else { "\n" });
            }
            let import = parse_school_holidays(&ics).expect("a calendar header was given");
            for h in &import.holidays {
                assert!(h.start < h.end && !h.zones.is_empty(), "{h:?}");
            }
        }
    }

    #[test]
    fn not_icalendar_is_an_error() {
        for bad in ["", "hello", "BEGIN:VCARD\r\nEND:VCARD\r\n", "<html></html>"] {
            assert!(
                matches!(
                    parse_school_holidays(bad),
                    Err(CalendarError::NotICalendar(_))
                ),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn zones_are_parsed_from_all_spellings() {
        assert_eq!(
            parse_zones("Zones A/B/C - Corse"),
            vec![Zone::A, Zone::B, Zone::C, Zone::Corse]
        );
        assert_eq!(parse_zones("Zone B"), vec![Zone::B]);
        assert_eq!(parse_zones("Corse"), vec![Zone::Corse]);
        assert_eq!(
            parse_zones("Zones A, B et C"),
            vec![Zone::A, Zone::B, Zone::C]
        );
        assert_eq!(
            parse_zones("Vacances de Noël - Zones A/B/C"),
            vec![Zone::A, Zone::B, Zone::C]
        );
        assert!(parse_zones("Zone industrielle").is_empty());
        assert_eq!(
            strip_zones("Vacances d'Hiver - Zones A/B - Corse"),
            "Vacances d'Hiver"
        );
        assert_eq!(
            repair_apostrophes("d?Été, pourquoi? ok"),
            "d'Été, pourquoi? ok"
        );
    }
}
