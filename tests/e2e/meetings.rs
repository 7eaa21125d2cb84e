//! Meetings: scheduling in local time, atomic capacity with a waitlist,
//! messages in the outbox, and iCalendar output read back by a parser.
use std::io::BufReader;

use axum::Router;
use http::StatusCode;
use passerelle_api::http::app;
use passerelle_calendar::text::{decode_param_value, unescape_text};
use serde_json::{Value, json};

use crate::common::{TestDb, both_backends, get, shared_data};
use crate::matching::send;

pub use crate::matching::setup;

pub async fn sector_id(app: &Router, uai: &str) -> i64 {
    let list = get(app, "/api/v1/sectors?year=2024-2025").await.json();
    list["sectors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["uais"][0] == uai)
        .unwrap()["id"]
        .as_i64()
        .unwrap()
}

const TITLE: &str = "Réunion « Roquette », collège; parents, \"questions\"\net réponses";

pub fn meeting(sector: i64, starts: &str, ends: &str, capacity: i32) -> Value {
    json!({
        "title": TITLE, "description": "Café, échanges; questions",
        "sector_ids": [sector],
        "venue": {"name": "Maison des associations", "address": "8 rue du Général Renault, 75011 Paris", "lat": 48.8627, "lon": 2.3789},
        "starts_at": starts, "ends_at": ends, "time_zone": "Europe/Paris", "capacity": capacity,
        "registration_deadline": "2099-01-01T12:00"
    })
}

fn parse_ics(text: &str) -> ical::parser::ical::component::IcalCalendar {
    let mut parser = ical::IcalParser::new(BufReader::new(text.as_bytes()));
    parser
        .next()
        .expect("a calendar")
        .expect("parsable iCalendar")
}

fn prop(props: &[ical::property::Property], name: &str) -> String {
    props
        .iter()
        .find(|p| p.name == name)
        .and_then(|p| p.value.clone())
        .unwrap_or_else(|| panic!("no {name}"))
}

/// Creation in local time, DST refusals, invitations, and the .ics documents
/// through a reschedule and a cancellation.
async fn meetings_and_their_calendars(db: TestDb) {
    let token = setup(&db);
    let app = app(db.state().await);
    let sector = sector_id(&app, "0750607C").await;
    // A family with an open request and a referent of the sector are invited.
    crate::matching::volunteer(&app, "Amina", 2).await;
    crate::matching::ask(&app, "Julien").await;

    for (starts, needle) in [
        ("2099-03-29T02:30", "n'existe pas"),
        ("2099-10-25T02:30", "ambiguë"),
    ] {
        let detail = send(
            &app,
            "POST",
            "/api/v1/meetings",
            Some(meeting(sector, starts, "2099-10-25T04:00", 20)),
            Some(&token),
        )
        .await
        .problem(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(detail.contains(needle), "{detail}");
    }
    send(
        &app,
        "POST",
        "/api/v1/meetings",
        Some(meeting(sector, "2099-03-12T18:30", "2099-03-12T20:00", 20)),
        None,
    )
    .await
    .problem(StatusCode::UNAUTHORIZED);
    let reply = send(
        &app,
        "POST",
        "/api/v1/meetings",
        Some(meeting(sector, "2099-03-12T18:30", "2099-03-12T20:00", 20)),
        Some(&token),
    )
    .await;
    assert_eq!(
        reply.status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    let created = reply.json();
    let id = created["id"].as_i64().unwrap();
    assert_eq!(created["starts_at"], "2099-03-12T18:30");
    assert_eq!(created["starts_at_utc"], "2099-03-12T17:30:00Z");

    let outbox = db.store().await.outbox().await.unwrap();
    let invited: Vec<&str> = outbox
        .iter()
        .filter(|m| m.kind == "invitation")
        .map(|m| m.recipient_email.as_str())
        .collect();
    assert_eq!(invited, ["amina@parents.example", "julien@famille.example"]);

    // The published .ics reads back with every special character intact.
    let reply = get(&app, &format!("/api/v1/meetings/{id}.ics")).await;
    assert_eq!(reply.content_type, "text/calendar; charset=utf-8");
    let text = String::from_utf8(reply.body).unwrap();
    assert!(
        text.lines().all(|l| l.len() <= 76),
        "lines fold at 75 octets"
    );
    let cal = parse_ics(&text);
    assert_eq!(prop(&cal.properties, "METHOD"), "PUBLISH");
    assert!(!cal.timezones.is_empty(), "a VTIMEZONE for Europe/Paris");
    let event = &cal.events[0];
    assert_eq!(unescape_text(&prop(&event.properties, "SUMMARY")), TITLE);
    let uid = prop(&event.properties, "UID");
    assert_eq!(prop(&event.properties, "SEQUENCE"), "0");
    let stamp = prop(&event.properties, "DTSTAMP");
    assert!(stamp.ends_with('Z'));

    // A registration's invite names its attendee, quotes and all.
    let reg = send(
        &app,
        "POST",
        &format!("/api/v1/meetings/{id}/registrations"),
        Some(json!({"name": "Dupont, \"Mimi\" Marie", "email": "mimi@example.org", "guests": 1})),
        None,
    )
    .await
    .json();
    assert_eq!(reg["status"], "confirmed");
    let invite =
        String::from_utf8(get(&app, reg["invite_url"].as_str().unwrap()).await.body).unwrap();
    let cal = parse_ics(&invite);
    assert_eq!(prop(&cal.properties, "METHOD"), "REQUEST");
    let attendee = cal.events[0]
        .properties
        .iter()
        .find(|p| p.name == "ATTENDEE")
        .unwrap();
    let params = attendee.params.clone().unwrap();
    let cn = &params.iter().find(|(k, _)| k == "CN").unwrap().1[0];
    assert_eq!(decode_param_value(cn), "Dupont, \"Mimi\" Marie");
    assert!(params.iter().any(|(k, v)| k == "RSVP" && v[0] == "TRUE"));
    assert!(prop(&cal.events[0].properties, "ORGANIZER").starts_with("mailto:"));

    // Reschedule: same UID, higher SEQUENCE, new DTSTAMP, update messages.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let moved = send(
        &app,
        "PATCH",
        &format!("/api/v1/meetings/{id}"),
        Some(json!({"starts_at": "2099-03-13T18:30", "ends_at": "2099-03-13T20:00"})),
        Some(&token),
    )
    .await
    .json();
    assert_eq!(moved["sequence"], 1);
    let cal = parse_ics(
        &String::from_utf8(get(&app, &format!("/api/v1/meetings/{id}.ics")).await.body).unwrap(),
    );
    assert_eq!(prop(&cal.events[0].properties, "UID"), uid);
    assert_eq!(prop(&cal.events[0].properties, "SEQUENCE"), "1");
    assert_ne!(prop(&cal.events[0].properties, "DTSTAMP"), stamp);
    let outbox = db.store().await.outbox().await.unwrap();
    let update = outbox
        .iter()
        .find(|m| m.kind == "update")
        .expect("an update message");
    assert_eq!(update.ics_method.as_deref(), Some("REQUEST"));

    // Cancellation: METHOD:CANCEL, STATUS:CANCELLED, same UID, higher SEQUENCE.
    send(
        &app,
        "POST",
        &format!("/api/v1/meetings/{id}/cancel"),
        None,
        Some(&token),
    )
    .await;
    let cal = parse_ics(
        &String::from_utf8(get(&app, reg["invite_url"].as_str().unwrap()).await.body).unwrap(),
    );
    assert_eq!(prop(&cal.properties, "METHOD"), "CANCEL");
    assert_eq!(prop(&cal.events[0].properties, "STATUS"), "CANCELLED");
    assert_eq!(prop(&cal.events[0].properties, "UID"), uid);
    assert!(
        prop(&cal.events[0].properties, "SEQUENCE")
            .parse::<u32>()
            .unwrap()
            >= 2
    );
    let outbox = db.store().await.outbox().await.unwrap();
    assert!(
        outbox
            .iter()
            .any(|m| m.kind == "cancellation" && m.ics_method.as_deref() == Some("CANCEL"))
    );
    let detail = send(
        &app,
        "POST",
        &format!("/api/v1/meetings/{id}/registrations"),
        Some(json!({"name": "Léa", "email": "lea@example.org"})),
        None,
    )
    .await
    .problem(StatusCode::CONFLICT);
    assert!(detail.contains("annulée"), "{detail}");

    // The sector feed is a subscription.
    let feed = String::from_utf8(
        get(&app, &format!("/api/v1/sectors/{sector}/meetings.ics"))
            .await
            .body,
    )
    .unwrap();
    assert!(
        feed.contains("REFRESH-INTERVAL;VALUE=DURATION:") && feed.contains("X-PUBLISHED-TTL:"),
        "{feed}"
    );
    let person =
        String::from_utf8(get(&app, reg["feed_url"].as_str().unwrap()).await.body).unwrap();
    assert_eq!(parse_ics(&person).events.len(), 1);
}

/// 200 simultaneous registrations for 20 places: exactly 20 confirmed and
/// 180 waitlisted; a cancellation promotes the first on the waitlist.
async fn capacity_is_atomic(db: TestDb) {
    let token = setup(&db);
    let app = app(db.state().await);
    let sector = sector_id(&app, "0750607C").await;
    let id = send(
        &app,
        "POST",
        "/api/v1/meetings",
        Some(meeting(sector, "2099-03-12T18:30", "2099-03-12T20:00", 20)),
        Some(&token),
    )
    .await
    .json()["id"]
        .as_i64()
        .unwrap();
    // A meeting that does not exist: nothing to lock, a 404.
    let missing = id + 1000;
    let detail = send(
        &app,
        "POST",
        &format!("/api/v1/meetings/{missing}/registrations"),
        Some(json!({"name": "Léa", "email": "lea@example.org"})),
        None,
    )
    .await
    .problem(StatusCode::NOT_FOUND);
    assert!(
        detail.contains(&format!("réunion {missing} n'existe pas")),
        "{detail}"
    );
    // Ten people submit their form twice at once (the second time with
    // capitals): each gets one place or rank, and one refusal.
    let mut tasks = Vec::new();
    for i in 0..210 {
        let app = app.clone();
        tasks.push(tokio::spawn(async move {
            let email = match i {
                200.. => format!("P{}@Example.org", i - 200),
                _ => format!("p{i}@example.org"),
            };
            let body = json!({"name": format!("Parent {i}"), "email": email});
            let reply = send(
                &app,
                "POST",
                &format!("/api/v1/meetings/{id}/registrations"),
                Some(body),
                None,
            )
            .await;
            (email, reply)
        }));
    }
    let (mut replies, mut emails, mut refusals) = (Vec::new(), Vec::new(), Vec::new());
    for t in tasks {
        let (email, reply) = t.await.unwrap();
        match reply.status {
            StatusCode::CREATED => {
                replies.push(reply.json());
                emails.push(email);
            }
            _ => refusals.push(reply.problem(StatusCode::CONFLICT)),
        }
    }
    assert_eq!(refusals.len(), 10);
    assert!(refusals[0].contains("déjà inscrite"), "{}", refusals[0]);
    let confirmed = replies
        .iter()
        .filter(|r| r["status"] == "confirmed")
        .count();
    let waitlisted = replies
        .iter()
        .filter(|r| r["status"] == "waitlisted")
        .count();
    assert_eq!((confirmed, waitlisted), (20, 180));

    let list = send(
        &app,
        "GET",
        &format!("/api/v1/meetings/{id}/registrations"),
        None,
        Some(&token),
    )
    .await
    .json();
    let first_waiting = list
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["status"] == "waitlisted")
        .unwrap()["id"]
        .clone();
    let leaving_at = replies
        .iter()
        .position(|r| r["status"] == "confirmed")
        .unwrap();
    let (leaving, leaving_email) = (&replies[leaving_at], &emails[leaving_at]);
    send(
        &app,
        "POST",
        leaving["cancel_url"].as_str().unwrap(),
        None,
        None,
    )
    .await;
    let list = send(
        &app,
        "GET",
        &format!("/api/v1/meetings/{id}/registrations"),
        None,
        Some(&token),
    )
    .await
    .json();
    let promoted = list
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == first_waiting)
        .unwrap();
    assert_eq!(promoted["status"], "confirmed");
    assert_eq!(
        list.as_array()
            .unwrap()
            .iter()
            .filter(|r| r["status"] == "confirmed")
            .count(),
        20
    );
    let outbox = db.store().await.outbox().await.unwrap();
    assert_eq!(outbox.iter().filter(|m| m.kind == "promotion").count(), 1);
    send(
        &app,
        "POST",
        leaving["cancel_url"].as_str().unwrap(),
        None,
        None,
    )
    .await
    .problem(StatusCode::CONFLICT);

    let csv = send(
        &app,
        "GET",
        &format!("/api/v1/meetings/{id}/registrations?format=csv"),
        None,
        Some(&token),
    )
    .await;
    assert_eq!(
        String::from_utf8(csv.body).unwrap().lines().count(),
        1 + 199
    );

    // Once cancelled, the same person may register again: at the back.
    let again = send(
        &app,
        "POST",
        &format!("/api/v1/meetings/{id}/registrations"),
        Some(json!({"name": "Revenu", "email": leaving_email})),
        None,
    )
    .await
    .json();
    assert_eq!(again["status"], "waitlisted");
}

/// Registration closes at the deadline; the holidays of the sector's zone
/// and its other meetings are kept out of slot suggestions.
async fn deadlines_holidays_and_slots(db: TestDb) {
    let token = setup(&db);
    let app = app(db.state().await);
    let sector = sector_id(&app, "0750607C").await;
    let mut past = meeting(sector, "2099-03-12T18:30", "2099-03-12T20:00", 5);
    past["registration_deadline"] = json!("2020-01-01T12:00");
    let id = send(&app, "POST", "/api/v1/meetings", Some(past), Some(&token))
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let detail = send(
        &app,
        "POST",
        &format!("/api/v1/meetings/{id}/registrations"),
        Some(json!({"name": "Léa", "email": "lea@example.org"})),
        None,
    )
    .await
    .problem(StatusCode::CONFLICT);
    assert!(detail.contains("closes"), "{detail}");

    let holidays = shared_data("calendrier-scolaire/Zone-A-B-C-Corse-2021.ics");
    let output = db.cli(&["import", "holidays", holidays.to_str().unwrap()]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // Paris is zone C: the 2026 winter holidays there run 21 Feb – 9 Mar.
    let slots = get(
        &app,
        &format!(
            "/api/v1/sectors/{sector}/slot-suggestions?from=2026-02-16&to=2026-03-15&duration=90"
        ),
    )
    .await
    .json();
    let days: Vec<&str> = slots
        .as_array()
        .unwrap()
        .iter()
        .map(|s| &s["local_start"].as_str().unwrap()[..10])
        .collect();
    assert!(!days.is_empty());
    assert!(
        days.iter()
            .all(|d| !("2026-02-21".."2026-03-09").contains(d)),
        "{days:?}"
    );
    get(
        &app,
        &format!("/api/v1/sectors/{sector}/slot-suggestions?from=2026-01-01&to=2026-12-31"),
    )
    .await
    .problem(StatusCode::BAD_REQUEST);
}

both_backends!(
    meetings_and_their_calendars,
    capacity_is_atomic,
    deadlines_holidays_and_slots
);

/// A reminder goes to every confirmed person of a meeting within 48 hours,
/// once however often the check runs.
async fn reminders_are_queued_once(db: TestDb) {
    let token = setup(&db);
    let state = db.state().await;
    let app = app(state.clone());
    let sector = sector_id(&app, "0750607C").await;
    let soon = (chrono::Utc::now() + chrono::TimeDelta::hours(24))
        .with_timezone(&chrono_tz::Europe::Paris);
    let later = soon + chrono::TimeDelta::hours(1);
    let mut body = meeting(
        sector,
        &soon.format("%Y-%m-%dT%H:%M").to_string(),
        &later.format("%Y-%m-%dT%H:%M").to_string(),
        5,
    );
    body["registration_deadline"] = json!(soon.format("%Y-%m-%dT%H:%M").to_string());
    let reply = send(&app, "POST", "/api/v1/meetings", Some(body), Some(&token)).await;
    assert_eq!(
        reply.status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    let id = reply.json()["id"].as_i64().unwrap();
    send(
        &app,
        "POST",
        &format!("/api/v1/meetings/{id}/registrations"),
        Some(json!({"name": "Léa", "email": "lea@example.org"})),
        None,
    )
    .await;
    for _ in 0..3 {
        passerelle_api::services::meetings::queue_reminders(&state, chrono::Utc::now())
            .await
            .unwrap();
    }
    let outbox = db.store().await.outbox().await.unwrap();
    let reminders: Vec<_> = outbox.iter().filter(|m| m.kind == "reminder").collect();
    assert_eq!(reminders.len(), 1);
    assert_eq!(reminders[0].recipient_email, "lea@example.org");
}

both_backends!(reminders_are_queued_once);
