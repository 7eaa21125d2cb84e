//! Rate limits of public endpoints: per client IP and per e-mail, 429 with
//! Retry-After; organisers' bearer-token calls are not limited, and only a
//! token that authenticates counts as one.
use axum::body::Body;
use http::{Request, StatusCode};
use passerelle::app;
use passerelle_web::CSRF_COOKIE;
use serde_json::json;
use sha2::{Digest, Sha256};
use tower::ServiceExt;

use crate::common::api::{family, send, setup};
use crate::common::{TestDb, both_backends, oneshot};

async fn public_writes_are_rate_limited(db: TestDb) {
    let token = setup(&db);
    let app = app(db
        .state_with(&[
            ("PASSERELLE_RATE_LIMIT", "on"),
            ("PASSERELLE_RATE_LIMIT_WRITES_PER_MINUTE", "3"),
        ])
        .await);
    for i in 0..3 {
        let reply = send(
            &app,
            "POST",
            "/api/v1/contact-requests",
            Some(family(&format!("F{i}"))),
            None,
        )
        .await;
        assert_eq!(reply.status, StatusCode::CREATED);
    }
    let request = Request::post("/api/v1/contact-requests")
        .header("content-type", "application/json")
        .body(Body::from(family("F4").to_string()))
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    assert_eq!(
        response.headers()["content-type"],
        "application/problem+json"
    );
    // Reads have their own, looser allowance; organisers are not limited.
    assert_eq!(
        send(&app, "GET", "/api/v1/sectors", None, None)
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        send(&app, "GET", "/api/v1/contact-requests", None, Some(&token))
            .await
            .status,
        StatusCode::OK
    );
}

async fn one_address_cannot_flood(db: TestDb) {
    setup(&db);
    let app = app(db
        .state_with(&[
            ("PASSERELLE_RATE_LIMIT", "on"),
            ("PASSERELLE_RATE_LIMIT_PER_EMAIL_PER_HOUR", "2"),
        ])
        .await);
    for _ in 0..2 {
        assert_eq!(
            send(
                &app,
                "POST",
                "/api/v1/contact-requests",
                Some(family("Julien")),
                None
            )
            .await
            .status,
            StatusCode::CREATED
        );
    }
    let detail = send(
        &app,
        "POST",
        "/api/v1/contact-requests",
        Some(family("Julien")),
        None,
    )
    .await
    .problem(StatusCode::TOO_MANY_REQUESTS);
    assert!(detail.contains("réessayez"), "{detail}");
    // Another address still gets through.
    let mut other = family("Léa");
    other["email"] = json!("lea@famille.example");
    assert_eq!(
        send(&app, "POST", "/api/v1/contact-requests", Some(other), None)
            .await
            .status,
        StatusCode::CREATED
    );
}

/// A contact request sent with `authorization` as its header.
fn request_with(authorization: &str, name: &str) -> Request<Body> {
    Request::post("/api/v1/contact-requests")
        .header("content-type", "application/json")
        .header("authorization", authorization)
        .body(Body::from(family(name).to_string()))
        .unwrap()
}

/// Only a token that authenticates lifts the per-IP limits; any other
/// `Authorization` header is answered 401 (429 past the allowance, which
/// it counts against) and stores nothing.
async fn only_a_real_token_lifts_the_limits(db: TestDb) {
    let token = setup(&db);
    let app = app(db
        .state_with(&[
            ("PASSERELLE_RATE_LIMIT", "on"),
            ("PASSERELLE_RATE_LIMIT_WRITES_PER_MINUTE", "6"),
        ])
        .await);
    let made_up = [
        "Bearer junk",
        "Bearer pas_0000000000000000000000000000000000000000000",
        "Bearer",
        "Basic b3JnYTpvcmdh",
        "",
    ];
    for (i, header) in made_up.iter().enumerate() {
        let reply = oneshot(&app, request_with(header, &format!("Junk{i}"))).await;
        let detail = reply.problem(StatusCode::UNAUTHORIZED);
        assert!(detail.contains("Authorization"), "{detail}");
    }
    let anonymous = |name: &'static str| {
        send(
            &app,
            "POST",
            "/api/v1/contact-requests",
            Some(family(name)),
            None,
        )
    };
    assert_eq!(anonymous("Anon").await.status, StatusCode::CREATED);
    anonymous("Late")
        .await
        .problem(StatusCode::TOO_MANY_REQUESTS);
    oneshot(&app, request_with("Bearer junk", "Junk9"))
        .await
        .problem(StatusCode::TOO_MANY_REQUESTS);
    let real = oneshot(&app, request_with(&format!("Bearer {token}"), "Orga")).await;
    assert_eq!(real.status, StatusCode::CREATED);
    let stored = send(&app, "GET", "/api/v1/contact-requests", None, Some(&token))
        .await
        .json();
    let mut names: Vec<&str> = stored
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["first_name"].as_str().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["Anon", "Orga"]);
}

/// The organizers' sign-in form, tried with a bearer header (made up or
/// real: pages take no tokens), is still limited per IP.
async fn the_sign_in_form_is_limited_whatever_the_headers(db: TestDb) {
    let token = setup(&db);
    let app = app(db
        .state_with(&[
            ("PASSERELLE_RATE_LIMIT", "on"),
            ("PASSERELLE_RATE_LIMIT_WRITES_PER_MINUTE", "3"),
        ])
        .await);
    let cookie = "ab".repeat(32);
    let csrf = hex::encode(Sha256::digest(format!("{cookie}:csrf").as_bytes()));
    let try_once = |authorization: String| {
        let request = Request::post("/organisation/connexion")
            .header("content-type", "application/x-www-form-urlencoded")
            .header("cookie", format!("{CSRF_COOKIE}={cookie}"))
            .header("authorization", authorization)
            .body(Body::from(format!(
                "csrf={csrf}&email=orga%40asso.example&password=pas+le+bon+mot+de+passe"
            )))
            .unwrap();
        let app = app.clone();
        async move { oneshot(&app, request).await.status }
    };
    for _ in 0..3 {
        assert_eq!(
            try_once("Bearer junk".into()).await,
            StatusCode::UNAUTHORIZED,
            "a wrong password"
        );
    }
    assert_eq!(
        try_once("Bearer junk".into()).await,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        try_once(format!("Bearer {token}")).await,
        StatusCode::TOO_MANY_REQUESTS
    );
}

both_backends!(
    public_writes_are_rate_limited,
    one_address_cannot_flood,
    only_a_real_token_lifts_the_limits,
    the_sign_in_form_is_limited_whatever_the_headers
);

/// The real server limits each client address on its own: the address comes
/// from the connection, so a second loopback address is not held back by
/// the first one's allowance.
#[test]
fn the_server_counts_each_client_address_apart() {
    let db = TestDb::sqlite();
    let server = crate::common::server::Server::start(
        &db,
        &[
            ("PASSERELLE_DEMO", "off"),
            ("PASSERELLE_RATE_LIMIT", "on"),
            ("PASSERELLE_RATE_LIMIT_READS_PER_MINUTE", "2"),
        ],
    );
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let from = |ip: [u8; 4]| {
            reqwest::Client::builder()
                .local_address(std::net::IpAddr::from(ip))
                .build()
                .unwrap()
        };
        let status = |client: reqwest::Client| {
            let url = format!("{}/api/v1/sectors", server.base);
            async move { client.get(url).send().await.unwrap().status() }
        };
        let first = from([127, 0, 0, 1]);
        for _ in 0..2 {
            assert_eq!(status(first.clone()).await, StatusCode::OK);
        }
        assert_eq!(status(first).await, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(status(from([127, 0, 0, 2])).await, StatusCode::OK);
    });
}
