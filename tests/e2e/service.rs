//! Health, OpenAPI, unknown routes, and the real server process.
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use http::StatusCode;
use passerelle_api::http::app;

use crate::common::{TestDb, both_backends, get};

async fn health_checks_the_database(db: TestDb) {
    let app = app(db.state().await);
    let reply = get(&app, "/health").await;
    assert_eq!(reply.status, StatusCode::OK);
    let json = reply.json();
    assert_eq!(json["status"], "ok");
    assert_eq!(json["database"], "ok");
    assert_eq!(json["sectors"], 0);
}

async fn openapi_describes_the_routes(db: TestDb) {
    let app = app(db.state().await);
    let reply = get(&app, "/api/v1/openapi.json").await;
    assert_eq!(reply.status, StatusCode::OK);
    let json = reply.json();
    assert!(json["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/api/v1/sectors/lookup",
        "/api/v1/sectors",
        "/api/v1/sectors/{id}",
        "/api/v1/sectors/import",
        "/health",
    ] {
        assert!(
            json["paths"][path].is_object(),
            "{path} missing from the OpenAPI document"
        );
    }
}

async fn errors_are_problem_json_everywhere(db: TestDb) {
    let app = app(db.state().await);
    get(&app, "/nowhere").await.problem(StatusCode::NOT_FOUND);
    let reply = crate::common::oneshot(
        &app,
        http::Request::delete("/api/v1/sectors")
            .body(axum::body::Body::empty())
            .unwrap(),
    )
    .await;
    reply.problem(StatusCode::METHOD_NOT_ALLOWED);
    get(&app, "/api/v1/sectors/lookup?lat=1&lon=2&year=tomorrow")
        .await
        .problem(StatusCode::BAD_REQUEST);
}

both_backends!(
    health_checks_the_database,
    openapi_describes_the_routes,
    errors_are_problem_json_everywhere
);

/// The real binary: the demo town on an empty database, then SIGTERM ends it
/// cleanly.
#[test]
fn serve_starts_with_the_demo_town_and_stops_on_sigterm() {
    let db = TestDb::sqlite();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_passerelle"))
        .arg("serve")
        .env("PASSERELLE_DATABASE_URL", &db.url)
        .env("PASSERELLE_BIND", format!("127.0.0.1:{port}"))
        .env("PASSERELLE_LOG_FORMAT", "json")
        .env("PASSERELLE_RELOAD_INTERVAL_MS", "200")
        .env_remove("PASSERELLE_DEMO")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut lines = BufReader::new(stderr).lines();
    let started = Instant::now();
    loop {
        let line = lines.next().expect("server exited early").unwrap();
        let json: serde_json::Value = serde_json::from_str(&line).expect("JSON log lines");
        if json["fields"]["message"] == "listening" {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "server did not start"
        );
    }
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let base = format!("http://127.0.0.1:{port}");
        let health: serde_json::Value = reqwest::get(format!("{base}/health"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(health["sectors"], 3, "the demo town has three sectors");
        let answer: serde_json::Value =
            reqwest::get(format!("{base}/api/v1/sectors/lookup?lat=45.994&lon=-2.99"))
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
        assert_eq!(answer["match"], "inside");
        assert_eq!(
            answer["schools"].as_array().unwrap().len(),
            2,
            "the south-east sector has two collèges"
        );
        assert_eq!(answer["schools"][0]["name"], "Collège Olympe de Gouges");

        // An import by the CLI, another process, reaches the running server.
        let subset = crate::common::shared_data("fixtures/paris-75111-secteurs-subset.geojson");
        db.cli_ok(&[
            "import",
            "sectors",
            subset.to_str().unwrap(),
            "--territory",
            "paris",
            "--year",
            "2024-2025",
        ]);
        let uri = format!("{base}/api/v1/sectors/lookup?lat=48.856095&lon=2.376293&year=2024-2025");
        let waited = Instant::now();
        loop {
            let reply = reqwest::get(&uri).await.unwrap();
            if reply.status() == 200 {
                let json: serde_json::Value = reply.json().await.unwrap();
                assert_eq!(json["schools"][0]["uai"], "0750607C");
                break;
            }
            assert!(
                waited.elapsed() < Duration::from_secs(10),
                "the server never saw the CLI import"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    });
    let pid = child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let status = child.wait().unwrap();
    assert!(status.success(), "graceful shutdown exits 0, got {status}");
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    assert!(
        rest.iter().any(|l| l.contains("\"stopped\"")),
        "no shutdown log: {rest:?}"
    );
}
