//! The JSON API as the scenarios call it: the data they all start from, a
//! request with an optional token, a referent and a family who sign up.
use axum::Router;
use axum::body::Body;
use http::{Request, StatusCode};
use serde_json::{Value, json};

use super::{Reply, TestDb, oneshot, shared_data};

/// Rue de la Roquette, in the sector of collège 0750607C.
pub const HOME: (f64, f64) = (48.856095, 2.376293);

pub fn setup(db: &TestDb) -> String {
    db.import_subset();
    db.cli_ok(&[
        "import",
        "schools",
        shared_data("national/colleges-geolocalisation.csv")
            .to_str()
            .unwrap(),
    ]);
    db.cli_ok(&["token", "create", "--role", "organizer", "--name", "orga"])
        .trim()
        .to_owned()
}

pub async fn send(
    app: &Router,
    method: &str,
    uri: &str,
    body: Option<Value>,
    token: Option<&str>,
) -> Reply {
    let mut request = Request::builder().method(method).uri(uri);
    if let Some(token) = token {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    let body = match body {
        Some(json) => {
            request = request.header("content-type", "application/json");
            Body::from(json.to_string())
        }
        None => Body::empty(),
    };
    oneshot(app, request.body(body).unwrap()).await
}

pub fn referent(name: &str, capacity: i32) -> Value {
    json!({
        "first_name": name, "email": format!("{}@parents.example", name.to_lowercase()),
        "phone": "06 11 22 33 44", "uai": "0750607C", "child_grade": "6e",
        "languages": ["fr"], "monthly_capacity": capacity, "weekday_evenings": true, "consent": true
    })
}

pub fn family(name: &str) -> Value {
    json!({
        "first_name": name, "email": format!("{}@famille.example", name.to_lowercase()),
        "phone": "07 98 76 54 32", "lat": HOME.0, "lon": HOME.1, "child_grade": "CM2",
        "languages": ["fr"], "preferred_contact": "phone", "concerns": "Le niveau, la cantine", "consent": true
    })
}

pub async fn volunteer(app: &Router, name: &str, capacity: i32) -> String {
    let reply = send(
        app,
        "POST",
        "/api/v1/referents",
        Some(referent(name, capacity)),
        None,
    )
    .await;
    assert_eq!(
        reply.status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    reply.json()["space_url"].as_str().unwrap().to_owned()
}

pub async fn ask(app: &Router, name: &str) -> (String, bool) {
    let reply = send(
        app,
        "POST",
        "/api/v1/contact-requests",
        Some(family(name)),
        None,
    )
    .await;
    assert_eq!(
        reply.status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    let json = reply.json();
    (
        json["status_url"].as_str().unwrap().to_owned(),
        json["proposed"].as_bool().unwrap(),
    )
}
