//! Property-style tests of the writer (fixed seed): folding, escaping and
//! parameter encoding, read back with the `ical` crate's parser.

use std::io::BufReader;

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use passerelle_calendar::text::{decode_param_value, unescape_text, unfold};
use passerelle_calendar::{
    Attendee, CalAddress, Event, Method, cancellation, invite, publish_feed,
};

/// SplitMix64: tiny, deterministic, good enough to pick characters.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Characters that stress the writer: escapes, carets, quotes, blanks,
/// line breaks, controls, and 2-, 3- and 4-octet UTF-8.
const ALPHABET: &[&str] = &[
    "a",
    "b",
    "Z",
    "0",
    " ",
    " ",
    "\t",
    "\\",
    ";",
    ",",
    ":",
    "\"",
    "^",
    "'",
    "\n",
    "\r\n",
    "\r",
    "\u{7}",
    "é",
    "è",
    "ç",
    "Œ",
    "«",
    "»",
    "—",
    "€",
    "中",
    "🏫",
    "👩‍👧",
    "^n",
    "\\n",
    "\\,",
];

fn random_text(rng: &mut Rng, max_len: usize) -> String {
    let len = rng.below(max_len + 1);
    let mut s = String::new();
    for _ in 0..len {
        // Mostly plain letters, like real text, so folds land everywhere.
        if rng.below(3) == 0 {
            s.push_str(ALPHABET[rng.below(ALPHABET.len())]);
        } else {
            s.push(char::from(b'a' + rng.below(26) as u8));
        }
    }
    s
}

/// What a TEXT value holds after writing: no controls but tab, one kind of newline.
fn sanitized(s: &str) -> String {
    s.replace("\r\n", "\n")
        .replace('\r', "\n")
        .chars()
        .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
        .collect()
}

fn t(h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2027, 3, 12, h, 30, 0).unwrap()
}

fn random_event(rng: &mut Rng, i: usize) -> Event {
    let mut e = Event::new(
        format!("prop-{i}@passerelle.example"),
        t(8),
        t(17),
        t(17) + TimeDelta::minutes(90),
        chrono_tz::Europe::Paris,
        random_text(rng, 200),
    );
    e.description = Some(random_text(rng, 400));
    e.location = Some(random_text(rng, 120));
    e.organizer = Some(CalAddress::new(
        "bureau@passerelle.example",
        Some(random_text(rng, 90)),
    ));
    e
}

/// Octet-level checks on raw output; returns the number of folds seen.
fn check_lines(ics: &str) -> usize {
    assert!(ics.ends_with("\r\n"));
    let physical: Vec<&[u8]> = ics.as_bytes().split(|&b| b == b'\n').collect();
    let physical = &physical[..physical.len() - 1];
    // Logical lines, each with the offsets where it was folded.
    let mut logical: Vec<(String, Vec<usize>)> = Vec::new();
    for (n, line) in physical.iter().enumerate() {
        let line = line.strip_suffix(b"\r").expect("every line ends with CRLF");
        assert!(!line.contains(&b'\r'), "bare CR in line {n}");
        assert!(
            line.len() <= 75,
            "line {n} is {} octets: {:?}",
            line.len(),
            String::from_utf8_lossy(line)
        );
        let text = std::str::from_utf8(line).expect("a fold split a UTF-8 character");
        if let Some(rest) = text.strip_prefix(' ') {
            let (logical_line, folds) = logical.last_mut().expect("no fold on the first line");
            folds.push(logical_line.len());
            logical_line.push_str(rest);
            // The `ical` crate trims line ends: a fold must not leave a blank there.
            let before = physical[n - 1].strip_suffix(b"\r").unwrap();
            assert!(
                !before.ends_with(b" ") && !before.ends_with(b"\t"),
                "blank before fold at line {n}"
            );
        } else {
            logical.push((text.to_owned(), Vec::new()));
        }
    }
    let mut folds = 0;
    for (line, at) in &logical {
        folds += at.len();
        // Escapes must not be split: fold offsets must fall between atoms.
        let name = line.split([':', ';']).next().unwrap();
        let section = match name {
            "SUMMARY" | "DESCRIPTION" | "LOCATION" | "UID" | "NAME" | "X-WR-CALNAME" => {
                Some((name.len() + 1, line.len(), '\\'))
            }
            "ORGANIZER" | "ATTENDEE" => line.find(";CN=\"").map(|i| {
                let start = i + 5;
                (
                    start,
                    start + line[start..].find('"').expect("closing quote"),
                    '^',
                )
            }),
            _ => None,
        };
        if let Some((start, end, lead)) = section {
            // Atom boundaries, walking escape pairs left to right.
            let boundaries: Vec<usize> = {
                let mut b = vec![start];
                let mut i = start;
                while i < end {
                    let c = line[i..].chars().next().unwrap();
                    i += c.len_utf8();
                    if c == lead {
                        i += line[i..].chars().next().unwrap().len_utf8();
                    }
                    b.push(i);
                }
                b
            };
            for &f in at.iter().filter(|&&f| start < f && f < end) {
                assert!(boundaries.contains(&f), "escape split at {f} in {line:?}");
            }
        }
    }
    folds
}

fn parse(ics: &str) -> ical::parser::ical::component::IcalCalendar {
    let mut parser = ical::IcalParser::new(BufReader::new(ics.as_bytes()));
    let cal = parser
        .next()
        .expect("one calendar")
        .expect("parsable by the ical crate");
    assert!(parser.next().is_none());
    cal
}

fn prop<'a>(props: &'a [ical::property::Property], name: &str) -> &'a ical::property::Property {
    props
        .iter()
        .find(|p| p.name == name)
        .unwrap_or_else(|| panic!("no {name}"))
}

fn value(props: &[ical::property::Property], name: &str) -> String {
    prop(props, name).value.clone().unwrap_or_default()
}

fn param(p: &ical::property::Property, name: &str) -> String {
    let params = p.params.as_ref().expect("params");
    let (_, values) = params.iter().find(|(k, _)| k == name).expect("param");
    // The ical crate splits on commas and strips the quotes: join back.
    decode_param_value(&values.join(","))
}

#[test]
fn random_events_fold_escape_and_read_back() {
    let mut rng = Rng(0x5eed_2027);
    let mut folds = 0;
    for round in 0..60 {
        let events: Vec<Event> = (0..5)
            .map(|i| random_event(&mut rng, round * 10 + i))
            .collect();
        let ics = publish_feed(&random_text(&mut rng, 100), TimeDelta::hours(1), &events).unwrap();
        folds += check_lines(&ics);
        // Unfolding gives logical lines with no line break inside a value.
        for line in unfold(&ics).split("\r\n").filter(|l| !l.is_empty()) {
            assert!(line.contains(':'), "{line:?}");
        }

        let cal = parse(&ics);
        assert_eq!(cal.events.len(), events.len());
        for (e, got) in events.iter().zip(&cal.events) {
            // The ical crate trims value ends and drops leading colons of
            // values (its quirks, not ours): compare without them.
            let expect = |s: &str| {
                sanitized(s)
                    .trim_start_matches(':')
                    .trim_end_matches([' ', '\t'])
                    .to_owned()
            };
            let got_text = |name| {
                unescape_text(&value(&got.properties, name))
                    .trim_end_matches([' ', '\t'])
                    .to_owned()
            };
            assert_eq!(got_text("SUMMARY"), expect(&e.summary), "round {round}");
            assert_eq!(
                got_text("DESCRIPTION"),
                expect(e.description.as_deref().unwrap())
            );
            assert_eq!(got_text("LOCATION"), expect(e.location.as_deref().unwrap()));
            assert_eq!(got_text("UID"), e.uid);
            let org = prop(&got.properties, "ORGANIZER");
            let cn = e.organizer.as_ref().unwrap().name.as_deref().unwrap();
            assert_eq!(param(org, "CN"), sanitized(cn), "round {round}");
            assert_eq!(
                org.value.as_deref(),
                Some("mailto:bureau@passerelle.example")
            );
        }
    }
    assert!(
        folds > 1000,
        "the generator should fold often, folded {folds} times"
    );
}

#[test]
fn attendee_names_survive_in_invitations_and_cancellations() {
    let mut rng = Rng(42);
    for round in 0..200 {
        let mut e = random_event(&mut rng, round);
        e.summary = "Réunion".into();
        let name = random_text(&mut rng, 80);
        let attendee = Attendee::invitee("parent@example.org", Some(name.clone()));
        let (ics, method) = if round % 2 == 0 {
            (invite(&e, &attendee).unwrap(), "REQUEST")
        } else {
            (
                cancellation(&e.cancelled(t(9)), &attendee).unwrap(),
                "CANCEL",
            )
        };
        check_lines(&ics);
        let cal = parse(&ics);
        assert_eq!(value(&cal.properties, "METHOD"), method);
        let ev = &cal.events[0];
        let att = prop(&ev.properties, "ATTENDEE");
        assert_eq!(param(att, "CN"), sanitized(&name), "round {round}");
        assert_eq!(param(att, "PARTSTAT"), "NEEDS-ACTION");
        if method == "CANCEL" {
            assert!(!ics.contains("RSVP"));
            assert_eq!(value(&ev.properties, "STATUS"), "CANCELLED");
            assert_eq!(value(&ev.properties, "SEQUENCE"), "1");
        } else {
            assert_eq!(param(att, "RSVP"), "TRUE");
        }
    }
}

#[test]
fn reschedule_keeps_uid_and_bumps_sequence() {
    let mut rng = Rng(7);
    let mut e = random_event(&mut rng, 1);
    e.attendees
        .push(Attendee::invitee("p@example.org", None::<&str>));
    let v1 = invite(&e, &e.attendees[0]).unwrap();
    let moved = e.rescheduled(t(18), t(19), t(10));
    let v2 = invite(&moved, &e.attendees[0]).unwrap();
    let (a, b) = (
        &parse(&v1).events[0].properties,
        &parse(&v2).events[0].properties,
    );
    assert_eq!(value(a, "UID"), value(b, "UID"));
    assert_eq!(
        (value(a, "SEQUENCE"), value(b, "SEQUENCE")),
        ("0".into(), "1".into())
    );
    assert_eq!(value(b, "DTSTART"), "20270312T193000");
    assert_eq!(param(prop(b, "DTSTART"), "TZID"), "Europe/Paris");
}

#[test]
fn method_rules_are_enforced() {
    let e = Event::new("u@x", t(8), t(17), t(18), chrono_tz::Europe::Paris, "s");
    let a = Attendee::invitee("p@example.org", None::<&str>);
    // No organizer: RFC 5546 needs one for REQUEST and CANCEL.
    assert!(invite(&e, &a).is_err());
    assert!(cancellation(&e, &a).is_err());
    // PUBLISH never lists attendees.
    let mut with_att = e.clone();
    with_att.attendees.push(a);
    let cal = passerelle_calendar::Calendar {
        method: Some(Method::Publish),
        events: vec![with_att],
        ..Default::default()
    };
    assert!(!cal.to_ics().unwrap().contains("ATTENDEE"));
    // Bad values are refused rather than written.
    let mut bad = e.clone();
    bad.end = bad.start;
    assert!(publish_feed("x", TimeDelta::hours(1), &[bad]).is_err());
    let mut bad = e.clone();
    bad.uid = " ".into();
    assert!(publish_feed("x", TimeDelta::hours(1), &[bad]).is_err());
    let mut bad = e.clone();
    bad.url = Some("https://x.example/a b".into());
    assert!(publish_feed("x", TimeDelta::hours(1), &[bad]).is_err());
    let mut bad = e.clone();
    bad.geo = Some(passerelle_calendar::Geo {
        lat: 91.0,
        lon: 0.0,
    });
    assert!(publish_feed("x", TimeDelta::hours(1), &[bad]).is_err());
    assert!(publish_feed("x", TimeDelta::zero(), &[e]).is_err());
}

#[test]
fn second_occurrence_of_a_repeated_hour_is_written_in_utc() {
    // 2027-10-31: 02:30 Paris happens at 00:30Z (CEST) and again at 01:30Z (CET).
    let first = Utc.with_ymd_and_hms(2027, 10, 31, 0, 30, 0).unwrap();
    let second = Utc.with_ymd_and_hms(2027, 10, 31, 1, 30, 0).unwrap();
    let mk = |s: DateTime<Utc>| {
        Event::new(
            "u@x",
            s,
            s,
            s + TimeDelta::minutes(10),
            chrono_tz::Europe::Paris,
            "s",
        )
    };
    let ics = publish_feed("x", TimeDelta::hours(1), &[mk(first), mk(second)]).unwrap();
    assert!(ics.contains("DTSTART;TZID=Europe/Paris:20271031T023000\r\n"));
    assert!(ics.contains("DTSTART:20271031T013000Z\r\n"));
    assert!(ics.contains("DTEND;TZID=Europe/Paris:20271031T024000\r\n"));
}

#[test]
fn vtimezone_for_each_zone_used_and_none_for_utc() {
    let s = t(17);
    let mk = |uid: &str, tz| Event::new(uid, s, s, s + TimeDelta::hours(1), tz, "s");
    let ics = publish_feed(
        "x",
        TimeDelta::hours(1),
        &[
            mk("a@x", chrono_tz::Europe::Paris),
            mk("b@x", chrono_tz::America::New_York),
            mk("c@x", chrono_tz::UTC),
            mk("d@x", chrono_tz::Europe::Paris),
        ],
    )
    .unwrap();
    assert_eq!(ics.matches("BEGIN:VTIMEZONE").count(), 2);
    assert!(ics.contains("TZID:Europe/Paris\r\n") && ics.contains("TZID:America/New_York\r\n"));
    assert!(ics.contains("DTSTART:20270312T173000Z\r\n"));
    // New York: EST→EDT on 14 March 2027 at 02:00 local.
    assert!(ics.contains("DTSTART:20270314T020000\r\nRDATE:20270314T020000\r\nTZOFFSETFROM:-0500\r\nTZOFFSETTO:-0400\r\nTZNAME:EDT\r\n"));
}

/// Found by `fuzz/run.sh` (ics_roundtrip): a run of blanks longer than a
/// line, or blanks that end a value, are written whole; only the `ical`
/// crate loses them (it trims every physical line), so the exact check
/// reads the file by RFC 5545 unfolding.
#[test]
fn long_runs_of_blanks_are_written_whole() {
    let summary = format!("Réunion{}fin ", " ".repeat(100));
    let description = format!(":{}\n", "\t".repeat(80));
    let mut e = Event::new(
        "blanks@passerelle.example",
        t(8),
        t(17),
        t(18),
        chrono_tz::UTC,
        &summary,
    );
    e.description = Some(description.clone());
    let ics = publish_feed("Blancs ", TimeDelta::hours(1), &[e]).unwrap();
    // A fold before a blank cannot be avoided here; the length limit holds.
    assert!(ics.split("\r\n").all(|l| l.len() <= 75));
    let logical = unfold(&ics);
    let value = |name: &str| {
        let prefix = format!("{name}:");
        let line = logical.split("\r\n").find_map(|l| l.strip_prefix(&prefix));
        unescape_text(line.unwrap_or_else(|| panic!("no {name}")))
    };
    assert_eq!(value("SUMMARY"), summary);
    assert_eq!(value("DESCRIPTION"), description);
    assert_eq!(value("X-WR-CALNAME"), "Blancs ");
    // And the ical crate still parses it, one event.
    assert_eq!(parse(&ics).events.len(), 1);
}
