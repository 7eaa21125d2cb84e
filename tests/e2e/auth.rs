//! API tokens: created once by the CLI, stored hashed, and the only
//! `Authorization` the API serves.
use axum::body::Body;
use http::{Request, StatusCode};
use passerelle::app;

use crate::common::api::{family, send, setup};
use crate::common::{TestDb, both_backends, oneshot};

/// The secret is printed once and never stored in clear.
async fn tokens_are_stored_hashed(db: TestDb) {
    let secret = db
        .cli_ok(&["token", "create", "--role", "organizer", "--name", "script"])
        .trim()
        .to_owned();
    let store = db.store().await;
    use sea_orm::{ConnectionTrait, Statement};
    let _ = &store;
    let conn = sea_orm::Database::connect(db.url.as_str()).await.unwrap();
    let rows = conn
        .query_all_raw(Statement::from_string(
            conn.get_database_backend(),
            "SELECT token_hash FROM api_tokens",
        ))
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    let hash: String = rows[0].try_get("", "token_hash").unwrap();
    assert_eq!(hash.len(), 64);
    assert!(!hash.contains(&secret[4..]));
    // The same name twice, and an unknown role, are one-line errors.
    let line = db.cli_err(&["token", "create", "--role", "organizer", "--name", "script"]);
    assert!(line.contains("already exists"), "{line}");
    let line = db.cli_err(&["token", "create", "--role", "king", "--name", "other"]);
    assert!(line.contains("unknown role"), "{line}");
}

/// With the rate limits off too, an `Authorization` header that names no
/// live token is answered 401 before anything is read or stored, on open
/// and organiser endpoints alike; a real token is served.
async fn a_made_up_token_is_refused_without_limits(db: TestDb) {
    let token = setup(&db);
    let app = app(db.state_with(&[("PASSERELLE_RATE_LIMIT", "off")]).await);
    for (method, uri, body) in [
        (
            "POST",
            "/api/v1/contact-requests",
            family("Junk").to_string(),
        ),
        ("GET", "/api/v1/contact-requests", String::new()),
        ("GET", "/api/v1/sectors", String::new()),
    ] {
        let request = Request::builder()
            .method(method)
            .uri(uri)
            .header("content-type", "application/json")
            .header("authorization", "Bearer pas_not_a_token")
            .body(Body::from(body))
            .unwrap();
        let reply = oneshot(&app, request).await;
        let detail = reply.problem(StatusCode::UNAUTHORIZED);
        assert!(detail.contains("Authorization"), "{method} {uri}: {detail}");
    }
    let stored = send(&app, "GET", "/api/v1/contact-requests", None, Some(&token)).await;
    assert_eq!(stored.status, StatusCode::OK);
    assert_eq!(stored.json().as_array().unwrap().len(), 0, "nothing stored");
}

both_backends!(
    tokens_are_stored_hashed,
    a_made_up_token_is_refused_without_limits
);
