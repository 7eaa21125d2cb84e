//! `GET /metrics`: the Prometheus text, parsed, moves with the requests,
//! the outbox and the unmatched contact requests, and holds no URI. It is
//! served on the listener of `PASSERELLE_METRICS_BIND` only, never on the
//! public one.

use http::StatusCode;
use std::sync::Arc;

use passerelle::{app, app_with_metrics, metrics_app};
use passerelle_http::metrics::Metrics;
use serde_json::json;

use crate::common::api::send;
use crate::common::scrape::Scrape;
use crate::common::{TestDb, both_backends, get};

async fn scrape(app: &axum::Router) -> (Scrape, String) {
    let reply = get(app, "/metrics").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(
        reply.content_type.starts_with("text/plain; version=0.0.4"),
        "{}",
        reply.content_type
    );
    let text = String::from_utf8(reply.body).unwrap();
    (Scrape::parse(&text), text)
}

const LOOKUP: &str = "/api/v1/sectors/lookup";
const REQUESTS: &str = "passerelle_http_requests_total";

async fn metrics_follow_requests_and_backlogs(db: TestDb) {
    let token = crate::common::api::setup(&db);
    let state = db.state().await;
    let counts = Arc::new(Metrics::new());
    let metrics = metrics_app(state.clone(), counts.clone());
    let app = app_with_metrics(state, counts);
    get(&app, "/metrics").await.problem(StatusCode::NOT_FOUND);
    let (before, _) = scrape(&metrics).await;
    assert_eq!(before.value("passerelle_database_up", &[]), Some(1.0));
    assert_eq!(
        before.value("passerelle_outbox_pending_messages", &[]),
        Some(0.0)
    );
    assert_eq!(
        before.value("passerelle_outbox_failed_messages", &[]),
        Some(0.0)
    );
    assert_eq!(
        before.value("passerelle_contact_requests_unmatched", &[]),
        Some(0.0)
    );

    for _ in 0..3 {
        let reply = get(&app, &format!("{LOOKUP}?lat=48.856095&lon=2.376293")).await;
        assert_eq!(reply.status, StatusCode::OK);
    }
    get(&app, "/nowhere/48.856095").await;
    // A registration queues its confirmation in the outbox.
    let sector = crate::common::meetings::sector_id(&app, "0750607C").await;
    let meeting = send(
        &app,
        "POST",
        "/api/v1/meetings",
        Some(crate::common::meetings::meeting(
            sector,
            &crate::common::meetings::on("03-12T18:30"),
            &crate::common::meetings::on("03-12T20:00"),
            5,
        )),
        Some(&token),
    )
    .await
    .json()["id"]
        .as_i64()
        .unwrap();
    let registration = send(
        &app,
        "POST",
        &format!("/api/v1/meetings/{meeting}/registrations"),
        Some(json!({"name": "Mimi", "email": "mimi@example.org"})),
        None,
    )
    .await;
    assert_eq!(registration.status, StatusCode::CREATED);

    let (queued, _) = scrape(&metrics).await;
    assert_eq!(
        queued.value("passerelle_outbox_pending_messages", &[]),
        Some(1.0)
    );
    assert_eq!(
        queued.value("passerelle_contact_requests_unmatched", &[]),
        Some(0.0)
    );
    // A family with no referent in its sector: an unmatched request.
    let (status_url, proposed) = crate::common::api::ask(&app, "Julien").await;
    assert!(!proposed);
    get(&app, &status_url).await;
    let (after, text) = scrape(&metrics).await;
    let lookups = [("route", LOOKUP), ("method", "GET"), ("status", "2xx")];
    assert_eq!(
        after.count(REQUESTS, &lookups) - before.count(REQUESTS, &lookups),
        3.0
    );
    let missing = [("route", "unmatched"), ("method", "GET"), ("status", "4xx")];
    assert_eq!(
        after.count(REQUESTS, &missing) - before.count(REQUESTS, &missing),
        1.0
    );
    let registered = [
        ("route", "/api/v1/meetings/{id}/registrations"),
        ("method", "POST"),
        ("status", "2xx"),
    ];
    assert_eq!(after.count(REQUESTS, &registered), 1.0);
    let status_route = [
        ("route", "/api/v1/contact-requests/status/{secret}"),
        ("method", "GET"),
        ("status", "2xx"),
    ];
    assert_eq!(after.count(REQUESTS, &status_route), 1.0);
    // Scrapes are not requests to the service: not counted.
    assert!(!text.contains("route=\"/metrics\""), "{text}");
    assert_eq!(
        after.count(
            "passerelle_http_request_duration_seconds_count",
            &[("route", LOOKUP)]
        ),
        3.0
    );
    assert_eq!(
        after.count(
            "passerelle_http_request_duration_seconds_bucket",
            &[("route", LOOKUP), ("le", "+Inf")]
        ),
        3.0
    );
    assert_eq!(
        after.value("passerelle_contact_requests_unmatched", &[]),
        Some(1.0)
    );

    // Templates only: no coordinates, private link or address in labels.
    let secret = status_url.rsplit('/').next().unwrap();
    for private in ["48.856095", secret, "mimi@example.org", "/nowhere"] {
        assert!(!text.contains(private), "`{private}` in the metrics");
    }

    // A referent of the sector takes the waiting family: no longer unmatched.
    crate::common::api::volunteer(&app, "Amina", 2).await;
    let run = send(&app, "POST", "/api/v1/matching/run", None, Some(&token)).await;
    assert_eq!(run.status, StatusCode::OK);
    let (matched, _) = scrape(&metrics).await;
    assert_eq!(
        matched.value("passerelle_contact_requests_unmatched", &[]),
        Some(0.0)
    );
}

/// `/metrics` is not part of the public API document.
async fn metrics_stay_out_of_the_api_document(db: TestDb) {
    let app = app(db.state().await);
    let document = get(&app, "/api/v1/openapi.json").await.json();
    let paths = document["paths"].as_object().unwrap();
    assert!(paths.contains_key("/health"));
    assert!(!paths.keys().any(|p| p.contains("metrics")));
}

both_backends!(
    metrics_follow_requests_and_backlogs,
    metrics_stay_out_of_the_api_document
);

/// The real binary: with `PASSERELLE_METRICS_BIND`, the metrics answer
/// there and only there; without it, nowhere.
#[test]
fn metrics_have_their_own_listener_or_none() {
    let db = TestDb::sqlite();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let metrics_base = format!("http://127.0.0.1:{port}");
    let bind = format!("127.0.0.1:{port}");
    let env = [
        ("PASSERELLE_DEMO", "off"),
        ("PASSERELLE_METRICS_BIND", bind.as_str()),
    ];
    let server = crate::common::server::Server::start(&db, &env);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let status = |url: String| async move { reqwest::get(url).await.unwrap().status() };
        let public = reqwest::get(format!("{}/metrics", server.base))
            .await
            .unwrap();
        assert_eq!(public.status(), StatusCode::NOT_FOUND);
        assert_eq!(public.headers()["content-type"], "application/problem+json");
        let scraped = reqwest::get(format!("{metrics_base}/metrics"))
            .await
            .unwrap();
        assert_eq!(scraped.status(), StatusCode::OK);
        let text = scraped.text().await.unwrap();
        assert_eq!(
            Scrape::parse(&text).value("passerelle_database_up", &[]),
            Some(1.0)
        );
        // The metrics listener serves nothing else.
        assert_eq!(
            status(format!("{metrics_base}/health")).await,
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            status(format!("{metrics_base}/api/v1/sectors")).await,
            StatusCode::NOT_FOUND
        );
    });
    assert!(server.stop().success());

    let server = crate::common::server::Server::start(&db, &[("PASSERELLE_DEMO", "off")]);
    runtime.block_on(async {
        let public = reqwest::get(format!("{}/metrics", server.base))
            .await
            .unwrap();
        assert_eq!(public.status(), StatusCode::NOT_FOUND);
        assert!(
            reqwest::get(format!("{metrics_base}/metrics"))
                .await
                .is_err(),
            "nothing listens on the metrics address when it is unset"
        );
    });
    assert!(server.stop().success());
}
