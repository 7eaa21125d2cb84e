//! Health, OpenAPI, unknown routes, and the real server process.
use std::time::{Duration, Instant};

use http::StatusCode;
use passerelle::app;

use crate::common::server::Server;
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
    let server = Server::start(&db, &[]);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let base = &server.base;
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
        db.import_subset();
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
    let logs_before_stop = server.logs();
    assert!(
        logs_before_stop
            .iter()
            .all(|l| serde_json::from_str::<serde_json::Value>(l).is_ok()),
        "JSON log lines"
    );
    let status = server.stop();
    assert!(status.success(), "graceful shutdown exits 0, got {status}");
}

/// A full run through the real server: nothing personal reaches the logs,
/// even at debug level.
#[test]
fn logs_hold_no_personal_data() {
    let db = TestDb::sqlite();
    db.import_subset();
    db.cli_ok(&[
        "import",
        "addresses",
        crate::common::shared_data("ban/adresses-75.csv.gz")
            .to_str()
            .unwrap(),
    ]);
    let token = db
        .cli_ok(&["token", "create", "--role", "organizer", "--name", "orga"])
        .trim()
        .to_owned();
    let server = Server::start(&db, &[("PASSERELLE_DEMO", "off")]);
    let secrets = [
        "amina.k@parents.example",
        "06 11 22 33 44",
        "julien.d@famille.example",
        "07 98 76 54 32",
        "mimi@example.org",
        "Roquette",
        "48.856095",
        "2.376293",
    ];
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let base = &server.base;
        let client = reqwest::Client::new();
        let post = |path: &str, body: serde_json::Value| client.post(format!("{base}{path}")).bearer_auth(&token).json(&body).send();
        post("/api/v1/referents", serde_json::json!({"first_name": "Amina", "email": secrets[0], "phone": secrets[1],
            "uai": "0750607C", "child_grade": "6e", "monthly_capacity": 2, "consent": true})).await.unwrap().error_for_status().unwrap();
        post("/api/v1/contact-requests", serde_json::json!({"first_name": "Julien", "email": secrets[2], "phone": secrets[3],
            "lat": 48.856095, "lon": 2.376293, "child_grade": "CM2", "preferred_contact": "phone", "consent": true}))
            .await.unwrap().error_for_status().unwrap();
        // Bad input too: error paths must not echo personal data into logs.
        post("/api/v1/contact-requests", serde_json::json!({"first_name": "Julien", "email": "julien.d@famille", "phone": secrets[3],
            "lat": 48.856095, "lon": 2.376293, "child_grade": "CM2", "preferred_contact": "phone", "consent": true})).await.unwrap();
        let lookup = client.get(format!("{base}/api/v1/sectors/lookup?address=86%20rue%20de%20la%20Roquette%20Paris")).send().await.unwrap();
        assert_eq!(lookup.status(), 200);
        let sector = lookup.json::<serde_json::Value>().await.unwrap()["sector"]["id"].as_i64().unwrap();
        let meeting: serde_json::Value = post("/api/v1/meetings", serde_json::json!({"title": "Réunion", "sector_ids": [sector],
            "online_url": "https://visio.example.org/r", "starts_at": crate::common::meetings::on("03-12T18:30"), "ends_at": crate::common::meetings::on("03-12T20:00"), "capacity": 5}))
            .await.unwrap().json().await.unwrap();
        let id = meeting["id"].as_i64().unwrap();
        post(&format!("/api/v1/meetings/{id}/registrations"), serde_json::json!({"name": "Mimi", "email": secrets[4]}))
            .await.unwrap().error_for_status().unwrap();
    });
    let logs = server.logs();
    assert!(logs.len() > 5, "the run logged its requests: {logs:?}");
    for line in &logs {
        for secret in secrets {
            assert!(
                !line.contains(secret),
                "personal data `{secret}` in a log line: {line}"
            );
        }
    }
    server.stop();
}

/// Two `passerelle serve` replicas on one PostgreSQL database behave as one
/// service: registrations through both never overbook, a proposal accepted
/// through one is final for the other, and an import made through one is
/// answered by the other within the reload interval.
#[test]
#[cfg_attr(
    not(postgres_tests),
    ignore = "PostgreSQL: set PASSERELLE_TEST_POSTGRES_URL or run scripts/test"
)]
fn two_replicas_on_one_postgres_stay_consistent() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let db = runtime.block_on(TestDb::postgres());
    let token = crate::common::api::setup(&db);
    let env = [("PASSERELLE_DEMO", "off"), ("PASSERELLE_RATE_LIMIT", "off")];
    let (a, b) = (Server::start(&db, &env), Server::start(&db, &env));
    runtime.block_on(async {
        let client = reqwest::Client::new();
        let post = |base: &str, path: &str, body: serde_json::Value| {
            client.post(format!("{base}{path}")).bearer_auth(&token).json(&body).send()
        };
        let sector = client
            .get(format!("{}/api/v1/sectors/lookup?lat=48.856095&lon=2.376293", a.base))
            .send().await.unwrap().json::<serde_json::Value>().await.unwrap()["sector"]["id"]
            .as_i64()
            .unwrap();
        let meeting: serde_json::Value = post(&a.base, "/api/v1/meetings", serde_json::json!({
            "title": "Réunion", "sector_ids": [sector], "online_url": "https://visio.example.org/r",
            "starts_at": crate::common::meetings::on("03-12T18:30"), "ends_at": crate::common::meetings::on("03-12T20:00"), "capacity": 10}))
            .await.unwrap().json().await.unwrap();
        let id = meeting["id"].as_i64().unwrap();
        let mut tasks = Vec::new();
        for i in 0..60 {
            let base = if i % 2 == 0 { a.base.clone() } else { b.base.clone() };
            let client = client.clone();
            tasks.push(tokio::spawn(async move {
                let body = serde_json::json!({"name": format!("P{i}"), "email": format!("p{i}@example.org")});
                let reply = client.post(format!("{base}/api/v1/meetings/{id}/registrations")).json(&body).send().await.unwrap();
                reply.json::<serde_json::Value>().await.unwrap()["status"].as_str().unwrap().to_owned()
            }));
        }
        let mut confirmed = 0;
        for t in tasks {
            if t.await.unwrap() == "confirmed" {
                confirmed += 1;
            }
        }
        assert_eq!(confirmed, 10, "exactly the capacity, across both replicas");

        // A proposal accepted through A cannot be answered again through B.
        let space = post(&a.base, "/api/v1/referents", serde_json::json!({"first_name": "Amina", "email": "amina@parents.example",
            "uai": "0750607C", "child_grade": "6e", "monthly_capacity": 2, "consent": true}))
            .await.unwrap().json::<serde_json::Value>().await.unwrap()["space_url"].as_str().unwrap().to_owned();
        post(&b.base, "/api/v1/contact-requests", serde_json::json!({"first_name": "Julien", "email": "julien@famille.example",
            "lat": 48.856095, "lon": 2.376293, "child_grade": "CM2", "preferred_contact": "phone", "consent": true}))
            .await.unwrap().error_for_status().unwrap();
        let proposal = client.get(format!("{}{space}", b.base)).send().await.unwrap()
            .json::<serde_json::Value>().await.unwrap()["proposals"][0]["id"].as_i64().unwrap();
        let accept = |base: &str| client.post(format!("{base}{space}/proposals/{proposal}/accept")).send();
        let (first, second) = tokio::join!(accept(&a.base), accept(&b.base));
        let mut statuses = [first.unwrap().status().as_u16(), second.unwrap().status().as_u16()];
        statuses.sort();
        assert_eq!(statuses, [200, 409]);

        // An import through A's API is answered by B after its next reload.
        let subset = std::fs::read(crate::common::shared_data("fixtures/paris-75111-secteurs-subset.geojson")).unwrap();
        let reply = client
            .post(format!("{}/api/v1/sectors/import?territory=lyon&year=2024-2025", a.base))
            .bearer_auth(&token)
            .body(subset)
            .send()
            .await
            .unwrap();
        assert_eq!(reply.status(), 201);
        let started = Instant::now();
        loop {
            let list: serde_json::Value = client.get(format!("{}/api/v1/sectors?year=2024-2025", b.base))
                .send().await.unwrap().json().await.unwrap();
            if list["sectors"].as_array().unwrap().iter().any(|s| s["territory"] == "lyon") {
                break;
            }
            assert!(started.elapsed() < Duration::from_secs(10), "replica B never saw the import made through A");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    });
    assert!(a.stop().success() && b.stop().success());
}
