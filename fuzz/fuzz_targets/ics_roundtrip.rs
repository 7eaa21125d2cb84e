//! The iCalendar writer, read back: any text in an event's fields comes
//! back as written (after the documented clean-up: CR and CRLF become LF,
//! other control characters are dropped), and no content line exceeds 75
//! octets.
//!
//! Values are read back twice: by RFC 5545 unfolding and unescaping, which
//! must give them back exactly, and by the `ical` crate, which must parse
//! the file and give them back as they read once its own liberties are
//! taken (it trims white space at the end of every physical line and strips
//! the colons that start a value).
#![no_main]

use arbitrary::Arbitrary;
use chrono::{TimeDelta, TimeZone, Utc};
use ical::parser::ical::component::IcalCalendar;
use libfuzzer_sys::fuzz_target;
use passerelle_calendar::text::{decode_param_value, unescape_text, unfold};
use passerelle_calendar::{Attendee, CalAddress, Calendar, Event, Method};

#[derive(Debug, Arbitrary)]
struct Input {
    uid: String,
    calendar_name: Option<String>,
    summary: String,
    description: Option<String>,
    location: Option<String>,
    organizer_name: Option<String>,
    attendee_name: Option<String>,
    minutes: u16,
    paris: bool,
}

/// What the writer promises to keep of a TEXT value.
fn cleaned(s: &str) -> String {
    let s = s.replace("\r\n", "\n").replace('\r', "\n");
    s.chars()
        .filter(|&c| c == '\n' || c == '\t' || !(c.is_control()))
        .collect()
}

fn property<'a>(props: &'a [ical::property::Property], name: &str) -> &'a ical::property::Property {
    props
        .iter()
        .find(|p| p.name == name)
        .unwrap_or_else(|| panic!("no {name}"))
}

fn text(props: &[ical::property::Property], name: &str) -> String {
    unescape_text(property(props, name).value.as_deref().unwrap_or_default())
}

fn cn(props: &[ical::property::Property], name: &str) -> String {
    let Some(params) = property(props, name).params.as_ref() else {
        return String::new();
    };
    params
        .iter()
        .find(|(k, _)| k == "CN")
        .map(|(_, values)| decode_param_value(&values.join(",")))
        .unwrap_or_default()
}

/// The logical lines of our output, unfolded as RFC 5545 says.
struct Unfolded(Vec<String>);

impl Unfolded {
    fn new(ics: &str) -> Self {
        Self(unfold(ics).split("\r\n").map(str::to_owned).collect())
    }

    /// Unfolded as the `ical` crate does: it trims white space at the end
    /// of each physical line (so a value loses its trailing spaces, and a
    /// run of spaces longer than a line is lost), and the start of a line.
    fn like_ical(ics: &str) -> Self {
        let mut lines: Vec<String> = Vec::new();
        for physical in ics.split("\r\n") {
            match (physical.strip_prefix([' ', '\t']), lines.last_mut()) {
                (Some(rest), Some(last)) => last.push_str(rest.trim_end()),
                _ => lines.push(physical.trim().to_owned()),
            }
        }
        Self(lines)
    }

    /// The raw value of the first property `name` (after `skip` lines).
    fn value(&self, name: &str, skip: usize) -> &str {
        let prefix = format!("{name}:");
        self.0[skip..]
            .iter()
            .find_map(|l| l.strip_prefix(&prefix))
            .unwrap_or_else(|| panic!("no {name}"))
    }

    /// The `CN` parameter of the first property `name` (written first).
    fn cn(&self, name: &str) -> String {
        let line = self
            .0
            .iter()
            .filter_map(|l| l.strip_prefix(name))
            .find(|rest| rest.starts_with([';', ':']))
            .unwrap_or_else(|| panic!("no {name}"));
        let Some(rest) = line.strip_prefix(";CN=") else {
            return String::new();
        };
        let raw = match rest.strip_prefix('"') {
            Some(quoted) => &rest[..quoted.find('"').expect("closing quote") + 2],
            None => &rest[..rest.find([';', ':']).expect("end of CN")],
        };
        decode_param_value(raw)
    }
}

fuzz_target!(|input: Input| {
    let start = Utc.with_ymd_and_hms(2027, 3, 12, 17, 30, 0).unwrap();
    let end = start + TimeDelta::minutes(i64::from(input.minutes) + 1);
    let tz = if input.paris {
        chrono_tz::Europe::Paris
    } else {
        chrono_tz::UTC
    };
    let mut event = Event::new(&input.uid, start, start, end, tz, &input.summary);
    event.description = input.description.clone();
    event.location = input.location.clone();
    event.organizer = Some(CalAddress::new(
        "bureau@passerelle.example",
        input.organizer_name.clone(),
    ));
    event.attendees = vec![Attendee::invitee(
        "parent@example.org",
        input.attendee_name.clone(),
    )];
    let calendar = Calendar {
        method: Some(Method::Request),
        name: input.calendar_name.clone(),
        refresh_interval: None,
        published_ttl: None,
        events: vec![event],
    };
    let Ok(ics) = calendar.to_ics() else {
        return;
    };

    for line in ics.split("\r\n") {
        assert!(line.len() <= 75, "line of {} octets: {line:?}", line.len());
        assert!(!line.contains(['\r', '\n']), "bare line break in {line:?}");
    }

    let parsed: IcalCalendar = ical::IcalParser::new(ics.as_bytes())
        .next()
        .expect("one calendar")
        .unwrap_or_else(|e| panic!("ical refused our output: {e}\n{ics}"));
    assert_eq!(parsed.events.len(), 1);
    let props = &parsed.events[0].properties;
    let lines = Unfolded::new(&ics);
    let ical_lines = Unfolded::like_ical(&ics);
    let event = lines
        .0
        .iter()
        .position(|l| l == "BEGIN:VEVENT")
        .expect("VEVENT");
    let mut texts = vec![("UID", Some(&input.uid)), ("SUMMARY", Some(&input.summary))];
    texts.push(("DESCRIPTION", input.description.as_ref()));
    texts.push(("LOCATION", input.location.as_ref()));
    for (name, value) in texts {
        let Some(value) = value else { continue };
        let raw = lines.value(name, event);
        assert_eq!(unescape_text(raw), cleaned(value), "{name}");
        // ical also strips the colons that start a value.
        let like_ical = ical_lines.value(name, event).trim_start_matches(':');
        assert_eq!(
            text(props, name),
            unescape_text(like_ical),
            "{name} by ical"
        );
    }
    if let Some(name) = &input.calendar_name {
        let raw = lines.value("X-WR-CALNAME", 0);
        assert_eq!(unescape_text(raw), cleaned(name));
        let by_ical = text(&parsed.properties, "X-WR-CALNAME");
        let like_ical = ical_lines.value("X-WR-CALNAME", 0).trim_start_matches(':');
        assert_eq!(by_ical, unescape_text(like_ical));
    }
    for (prop, name) in [
        ("ORGANIZER", &input.organizer_name),
        ("ATTENDEE", &input.attendee_name),
    ] {
        let want = name.as_deref().map(cleaned).unwrap_or_default();
        assert_eq!(lines.cn(prop), want, "{prop} CN");
        assert_eq!(cn(props, prop), ical_lines.cn(prop), "{prop} CN by ical");
    }
});
