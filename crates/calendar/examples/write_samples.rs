//! Writes one .ics file per calendar kind, and beside each the values a
//! reader must get back (`NAME.expected.json`), for
//! `tests/ical_validate/validate.py`.
//!
//! Usage: `cargo run -p passerelle-calendar --example write_samples -- DIR`

use std::path::Path;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use chrono_tz::Tz;
use passerelle_calendar::{
    Attendee, CalAddress, Event, EventStatus, Geo, Method, Role, cancellation, invite,
    publish_feed, resolve_local,
};
use serde_json::{Value, json};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args().nth(1).ok_or("usage: write_samples DIR")?;
    let dir = Path::new(&dir);
    std::fs::create_dir_all(dir)?;

    let organizer = CalAddress::new(
        "bureau@passerelle.example",
        Some("Passerelle; bureau: \"parents\", Paris 11e"),
    );
    let parent = Attendee::invitee("mimi.dupont@example.org", Some(r#"Dupont, "Mimi" Marie"#));
    let mut chair = Attendee::invitee("referent@example.org", Some("Élodie ^ Caret\nLigne 2"));
    chair.role = Role::Chair;

    let stamp = at(2027, 3, 1, 9, 0, Tz::UTC)?;
    let mut main = Event::new(
        "reunion-42@passerelle.example",
        stamp,
        at(2027, 3, 12, 18, 30, Tz::Europe__Paris)?,
        at(2027, 3, 12, 20, 0, Tz::Europe__Paris)?,
        Tz::Europe__Paris,
        "Réunion d'accueil, 6e; «Collège Voltaire» \\ parents \"hésitants\"",
    );
    main.description = Some(
        "Ordre du jour :\n1. Présentation; questions, réponses\n2. Visite 🏫 du collège \
         — les enfants sont bienvenus, goûter offert à 19h30 (salle polyvalente, bâtiment B)"
            .into(),
    );
    main.location = Some("Salle polyvalente, 12 rue de la Roquette; 75011 Paris".into());
    main.geo = Some(Geo {
        lat: 48.853_2,
        lon: 2.370_1,
    });
    main.url = Some("https://passerelle.example/reunions/42?src=ics&lang=fr".into());
    main.organizer = Some(organizer.clone());

    // A second meeting in summer time, and one across the autumn change, written
    // in UTC because 02:30 happens twice and this is the second one.
    let mut summer = Event::new(
        "reunion-43@passerelle.example",
        stamp,
        at(2027, 6, 5, 10, 0, Tz::Europe__Paris)?,
        at(2027, 6, 5, 12, 0, Tz::Europe__Paris)?,
        Tz::Europe__Paris,
        "Café des parents",
    );
    summer.status = Some(EventStatus::Tentative);
    let second_half_past_two = DateTime::parse_from_rfc3339("2027-10-31T01:30:00Z")?.to_utc();
    let night = Event::new(
        "nuit-44@passerelle.example",
        stamp,
        second_half_past_two,
        second_half_past_two + TimeDelta::minutes(20),
        Tz::Europe__Paris,
        "Test: heure répétée",
    );
    let sydney = Event::new(
        "sydney-45@passerelle.example",
        stamp,
        at(2027, 4, 10, 19, 0, Tz::Australia__Sydney)?,
        at(2027, 4, 10, 20, 0, Tz::Australia__Sydney)?,
        Tz::Australia__Sydney,
        "Réunion (Sydney)",
    );
    let feed_events = [main.clone(), summer, night, sydney];
    let feed_name = "Collège Voltaire, secteur 11e";
    let feed = publish_feed(feed_name, TimeDelta::hours(6), &feed_events)?;
    let mut want = expected(Method::Publish, &feed_events, false);
    want["name"] = json!(feed_name);
    want["x_wr_calname"] = json!(feed_name);
    want["refresh_seconds"] = json!(6.0 * 3600.0);
    want["ttl_seconds"] = json!(6.0 * 3600.0);
    save(dir, "feed", &feed, want)?;

    let inv = invite(&main, &parent)?;
    let mut invited = main.clone();
    invited.attendees = vec![parent.clone()];
    save(
        dir,
        "invite",
        &inv,
        expected(Method::Request, &[invited], true),
    )?;

    let moved = main.rescheduled(
        at(2027, 3, 19, 18, 30, Tz::Europe__Paris)?,
        at(2027, 3, 19, 20, 0, Tz::Europe__Paris)?,
        at(2027, 3, 5, 8, 0, Tz::UTC)?,
    );
    let resched = invite(&moved, &chair)?;
    let mut moved_one = moved.clone();
    moved_one.attendees = vec![chair.clone()];
    save(
        dir,
        "reschedule",
        &resched,
        expected(Method::Request, &[moved_one], true),
    )?;

    let off = moved.cancelled(at(2027, 3, 10, 8, 0, Tz::UTC)?);
    let cancel = cancellation(&off, &parent)?;
    let mut off_one = off.clone();
    off_one.attendees = vec![Attendee {
        rsvp: false,
        ..parent
    }];
    save(
        dir,
        "cancel",
        &cancel,
        expected(Method::Cancel, &[off_one], true),
    )?;
    Ok(())
}

fn at(
    y: i32,
    mo: u32,
    d: u32,
    h: u32,
    mi: u32,
    tz: Tz,
) -> Result<DateTime<Utc>, Box<dyn std::error::Error>> {
    let naive = NaiveDate::from_ymd_opt(y, mo, d)
        .and_then(|d| d.and_hms_opt(h, mi, 0))
        .ok_or("bad date")?;
    Ok(resolve_local(naive, tz)?)
}

fn expected(method: Method, events: &[Event], with_attendees: bool) -> Value {
    let events: Vec<Value> = events
        .iter()
        .map(|e| {
            let status = if method == Method::Cancel {
                Some(EventStatus::Cancelled)
            } else {
                e.status
            };
            let attendees: Vec<Value> = if with_attendees {
                e.attendees
                    .iter()
                    .map(|a| {
                        json!({
                            "email": a.address.email,
                            "cn": a.address.name,
                            "partstat": a.partstat.as_str(),
                            "role": a.role.as_str(),
                            "rsvp": a.rsvp,
                        })
                    })
                    .collect()
            } else {
                Vec::new()
            };
            json!({
                "uid": e.uid,
                "sequence": e.sequence,
                "summary": e.summary,
                "description": e.description,
                "location": e.location,
                "url": e.url,
                "geo": e.geo.map(|g| [g.lat, g.lon]),
                "dtstart_utc": e.start.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
                "dtend_utc": e.end.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
                "dtstamp_utc": e.dtstamp.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
                "status": status.map(|s| s.as_str()),
                "organizer": e.organizer.as_ref().map(|o| json!({"email": o.email, "cn": o.name})),
                "attendees": attendees,
            })
        })
        .collect();
    json!({
        "method": method.as_str(),
        "name": null,
        "x_wr_calname": null,
        "refresh_seconds": null,
        "ttl_seconds": null,
        "events": events,
    })
}

fn save(dir: &Path, name: &str, ics: &str, expected: Value) -> std::io::Result<()> {
    std::fs::write(dir.join(format!("{name}.ics")), ics)?;
    std::fs::write(
        dir.join(format!("{name}.expected.json")),
        serde_json::to_string_pretty(&expected)? + "\n",
    )?;
    println!("wrote {}", dir.join(format!("{name}.ics")).display());
    Ok(())
}
