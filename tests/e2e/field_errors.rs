//! Refused fields over the API: problem+json keeps its French `detail` and
//! adds an `errors` array naming each field with a stable code and its
//! parameters, every field of the body at once; nothing is stored.
use http::StatusCode;
use passerelle::app;
use serde_json::{Value, json};

use crate::common::api::{family, send, setup};
use crate::common::meetings::on;
use crate::common::{TestDb, both_backends};

/// The `errors` of a 422 as `(field, code)` pairs, in order.
fn codes(problem: &Value) -> Vec<(String, String)> {
    problem["errors"]
        .as_array()
        .expect("an errors array")
        .iter()
        .map(|e| {
            (
                e["field"].as_str().unwrap().to_owned(),
                e["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

async fn every_refused_field_is_named_with_its_code(db: TestDb) {
    let token = setup(&db);
    let app = app(db.state().await);
    let mut request = family("Zoé");
    request["first_name"] = json!("");
    request["email"] = json!("zoe@");
    request["child_grade"] = json!("6e");
    request["preferred_contact"] = json!("fax");
    request["languages"] = json!(["french"]);
    request["consent"] = json!(false);
    let reply = send(
        &app,
        "POST",
        "/api/v1/contact-requests",
        Some(request),
        None,
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    let problem = reply.json();
    let pairs = |list: &[(&str, &str)]| -> Vec<(String, String)> {
        list.iter()
            .map(|(f, c)| (f.to_string(), c.to_string()))
            .collect()
    };
    assert_eq!(
        codes(&problem),
        pairs(&[
            ("first_name", "length"),
            ("email", "email"),
            ("child_grade", "primary_grade"),
            ("preferred_contact", "contact_way"),
            ("languages", "language_code"),
            ("consent", "consent_missing"),
        ])
    );
    let errors = problem["errors"].as_array().unwrap();
    assert_eq!(errors[0]["params"], json!({ "max": 60 }));
    assert_eq!(errors[3]["params"], json!({ "value": "fax" }));
    assert_eq!(
        errors[1]["detail"], "l'adresse e-mail n'est pas valide",
        "each entry says it in French too"
    );
    let detail = problem["detail"].as_str().unwrap();
    for entry in errors {
        assert!(
            detail.contains(entry["detail"].as_str().unwrap()),
            "{detail}"
        );
    }

    // A meeting: times, place and sectors checked together; the API names
    // its fields in the French detail too.
    let meeting = json!({
        "title": "", "description": "", "sector_ids": [],
        "starts_at": on("03-12T18:30"), "ends_at": on("03-12T18:00"),
        "capacity": 0, "venue": {"name": "Salle <b>", "address": ""}
    });
    let reply = send(
        &app,
        "POST",
        "/api/v1/meetings",
        Some(meeting),
        Some(&token),
    )
    .await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        codes(&reply.json()),
        pairs(&[
            ("ends_at", "end_before_start"),
            ("capacity", "range"),
            ("venue", "venue_incomplete"),
            ("venue.name", "not_one_line"),
            ("title", "length"),
            ("sector_ids", "no_sector"),
        ])
    );
    let detail = reply.json()["detail"].as_str().unwrap().to_owned();
    assert!(detail.contains("le titre (title) doit compter"), "{detail}");

    // Nothing was stored.
    let requests = send(&app, "GET", "/api/v1/contact-requests", None, Some(&token)).await;
    assert_eq!(requests.json().as_array().map(Vec::len), Some(0));
    let meetings = send(&app, "GET", "/api/v1/meetings", None, Some(&token)).await;
    assert_eq!(meetings.status, StatusCode::OK);
    assert!(
        !String::from_utf8_lossy(&meetings.body).contains("\"id\""),
        "no meeting"
    );
}
both_backends!(every_refused_field_is_named_with_its_code);
