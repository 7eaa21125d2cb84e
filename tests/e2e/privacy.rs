//! The GDPR rights: export and erasure through private links, and the
//! retention run of `passerelle maintenance`.
use http::StatusCode;
use passerelle::app;
use serde_json::json;

use crate::common::api::{ask, send, setup, volunteer};
use crate::common::{TestDb, both_backends, get};

async fn families_and_referents_export_and_erase(db: TestDb) {
    let token = setup(&db);
    let app = app(db.state().await);
    let first = volunteer(&app, "Amina", 2).await;
    let (status_url, _) = ask(&app, "Julien").await;
    let export = get(&app, &format!("{status_url}/export")).await.json();
    assert_eq!(export["contact_request"]["email"], "julien@famille.example");
    assert_eq!(
        export["contact_request"]["consent"]["text_version"],
        "2026-11"
    );
    assert_eq!(export["proposals"][0]["state"], "proposed");
    let referent = get(&app, &format!("{first}/export")).await.json();
    assert_eq!(referent["referent"]["email"], "amina@parents.example");
    assert!(
        !referent.to_string().contains("julien@"),
        "a referent's export holds no family detail"
    );

    // The referent leaves: the family goes to the next referent at once.
    let second = volunteer(&app, "Bruno", 2).await;
    assert_eq!(
        send(&app, "DELETE", &first, None, None).await.status,
        StatusCode::NO_CONTENT
    );
    get(&app, &first).await.problem(StatusCode::NOT_FOUND);
    assert_eq!(
        get(&app, &second).await.json()["proposals"][0]["state"],
        "proposed"
    );
    let referents = send(&app, "GET", "/api/v1/referents", None, Some(&token))
        .await
        .json();
    let erased = referents
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["first_name"] == "(effacé)")
        .unwrap();
    assert!(erased["phone"].is_null() && erased["paused"] == true);

    // The family leaves: counts stay, details go.
    assert_eq!(
        send(&app, "DELETE", &status_url, None, None).await.status,
        StatusCode::NO_CONTENT
    );
    get(&app, &status_url).await.problem(StatusCode::NOT_FOUND);
    let requests = send(&app, "GET", "/api/v1/contact-requests", None, Some(&token))
        .await
        .json();
    assert_eq!(
        requests.as_array().unwrap().len(),
        1,
        "the request still counts"
    );
    assert_eq!(requests[0]["first_name"], "(effacé)");
    assert!(
        requests[0]["email"].is_null()
            && requests[0]["phone"].is_null()
            && requests[0]["concerns"].is_null()
    );
    assert!(get(&app, &second).await.json()["proposals"][0]["state"] == "withdrawn");
}

async fn registrations_export_erase_and_retention(db: TestDb) {
    let token = crate::common::api::setup(&db);
    let app = app(db.state().await);
    let sector = crate::common::meetings::sector_id(&app, "0750607C").await;
    let meeting = crate::common::meetings::meeting(
        sector,
        &crate::common::meetings::on("03-12T18:30"),
        &crate::common::meetings::on("03-12T20:00"),
        1,
    );
    let id = send(
        &app,
        "POST",
        "/api/v1/meetings",
        Some(meeting),
        Some(&token),
    )
    .await
    .json()["id"]
        .as_i64()
        .unwrap();
    let first = send(
        &app,
        "POST",
        &format!("/api/v1/meetings/{id}/registrations"),
        Some(json!({"name": "Léa", "email": "lea@example.org"})),
        None,
    )
    .await
    .json();
    let second = send(
        &app,
        "POST",
        &format!("/api/v1/meetings/{id}/registrations"),
        Some(json!({"name": "Tom", "email": "tom@example.org"})),
        None,
    )
    .await
    .json();
    assert_eq!(second["status"], "waitlisted");
    assert_eq!(first["status"], "confirmed");
    let link = crate::common::meetings::registration_links(&db, id, "lea@example.org")
        .await
        .link();
    let feed =
        crate::common::meetings::mailed_link(&db, "lea@example.org", "confirmation", "/feed.ics")
            .await;
    let export = get(&app, &format!("{link}/export")).await.json();
    assert_eq!(
        export["registration"]["email"], "lea@example.org",
        "{export}"
    );
    assert_eq!(get(&app, &feed).await.status, StatusCode::OK);
    assert_eq!(
        send(&app, "DELETE", &link, None, None).await.status,
        StatusCode::NO_CONTENT
    );
    get(&app, &format!("{link}/export"))
        .await
        .problem(StatusCode::NOT_FOUND);
    // The calendar link of the erased registration opens nothing either.
    get(&app, &feed).await.problem(StatusCode::NOT_FOUND);
    let list = send(
        &app,
        "GET",
        &format!("/api/v1/meetings/{id}/registrations"),
        None,
        Some(&token),
    )
    .await
    .json();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["name"], "Tom");
    assert_eq!(list[0]["status"], "confirmed", "erasing a place frees it");

    // Retention: a completed request is anonymised by maintenance, once.
    let space = volunteer(&app, "Amina", 2).await;
    let (status_url, _) = ask(&app, "Julien").await;
    let proposal = get(&app, &space).await.json()["proposals"][0]["id"]
        .as_i64()
        .unwrap();
    send(
        &app,
        "POST",
        &format!("{space}/proposals/{proposal}/accept"),
        None,
        None,
    )
    .await;
    send(
        &app,
        "POST",
        &format!("{status_url}/feedback"),
        Some(json!({"met": true, "usefulness": 4})),
        None,
    )
    .await;
    let run = |months: &str| {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_passerelle"))
            .arg("maintenance")
            .env("PASSERELLE_DATABASE_URL", &db.url)
            .env("PASSERELLE_RETENTION_MONTHS", months)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let stderr = String::from_utf8(output.stderr).unwrap();
        let line = stderr.lines().find(|l| l.starts_with("maintenance done: "));
        line.unwrap_or_else(|| panic!("no report: {stderr}"))
            .to_owned()
    };
    let report = |requests: usize| {
        format!(
            "maintenance done: 0 proposal(s) expired, 0 reminder(s), {requests} request(s) and 0 registration(s) anonymised, 0 message(s) deleted"
        )
    };
    assert_eq!(run("12"), report(0), "nothing is old enough yet");
    assert_eq!(run("0"), report(1));
    assert_eq!(run("0"), report(0), "a second run has nothing left to do");
    let requests = send(&app, "GET", "/api/v1/contact-requests", None, Some(&token))
        .await
        .json();
    assert_eq!(requests[0]["first_name"], "(effacé)");
    assert_eq!(
        requests[0]["status"], "completed",
        "the outcome still counts"
    );
}

both_backends!(
    families_and_referents_export_and_erase,
    registrations_export_erase_and_retention
);
