//! Referents, contact requests and proposals: the lifecycle, privacy before
//! acceptance, capacity under concurrency, and the batch engine.
use http::StatusCode;
use passerelle::app;
use serde_json::{Value, json};

use crate::common::api::{ask, family, referent, send, setup, volunteer};
use crate::common::{TestDb, both_backends, get};

/// Request → proposal → acceptance → both see each other's details → feedback.
async fn lifecycle_reveals_contacts_only_after_acceptance(db: TestDb) {
    setup(&db);
    let app = app(db.state().await);
    let space = volunteer(&app, "Amina", 2).await;
    let (status_url, proposed) = ask(&app, "Julien").await;
    assert!(proposed, "a referent was free");

    let seen = get(&app, &space).await.json();
    let proposal = &seen["proposals"][0];
    assert_eq!(proposal["state"], "proposed");
    assert_eq!(proposal["family"]["first_name"], "Julien");
    assert_eq!(proposal["family"]["concerns"], "Le niveau, la cantine");
    assert!(proposal["family"]["email"].is_null() && proposal["family"]["phone"].is_null());
    let status = get(&app, &status_url).await.json();
    assert_eq!(status["proposal_state"], "proposed");
    assert!(
        status["referent"].is_null(),
        "no referent detail before acceptance: {status}"
    );
    assert!(!status.to_string().contains("amina@"), "{status}");

    let id = proposal["id"].as_i64().unwrap();
    let seen = send(
        &app,
        "POST",
        &format!("{space}/proposals/{id}/accept"),
        None,
        None,
    )
    .await
    .json();
    assert_eq!(
        seen["proposals"][0]["family"]["email"],
        "julien@famille.example"
    );
    assert_eq!(seen["proposals"][0]["family"]["phone"], "07 98 76 54 32");
    let status = get(&app, &status_url).await.json();
    assert_eq!(status["status"], "matched");
    assert_eq!(status["referent"]["email"], "amina@parents.example");
    // Accepting twice is a conflict.
    send(
        &app,
        "POST",
        &format!("{space}/proposals/{id}/accept"),
        None,
        None,
    )
    .await
    .problem(StatusCode::CONFLICT);

    let status = send(
        &app,
        "POST",
        &format!("{status_url}/feedback"),
        Some(json!({"met": true, "usefulness": 5})),
        None,
    )
    .await
    .json();
    assert_eq!(status["status"], "completed");
    assert_eq!(status["proposal_state"], "completed");
    send(&app, "POST", &format!("{status_url}/withdraw"), None, None)
        .await
        .problem(StatusCode::CONFLICT);
}

/// A declined family is matched again at once, never with the same referent.
async fn decline_rematches_elsewhere(db: TestDb) {
    setup(&db);
    let app = app(db.state().await);
    let first = volunteer(&app, "Amina", 2).await;
    let second = volunteer(&app, "Bruno", 2).await;
    let (status_url, proposed) = ask(&app, "Julien").await;
    assert!(proposed);
    // Whoever got it declines; the other one gets it.
    let (holder, other) = if get(&app, &first).await.json()["proposals"]
        .as_array()
        .unwrap()
        .is_empty()
    {
        (second, first)
    } else {
        (first, second)
    };
    let id = get(&app, &holder).await.json()["proposals"][0]["id"]
        .as_i64()
        .unwrap();
    send(
        &app,
        "POST",
        &format!("{holder}/proposals/{id}/decline"),
        None,
        None,
    )
    .await;
    let theirs = get(&app, &other).await.json();
    assert_eq!(theirs["proposals"][0]["state"], "proposed");
    let id2 = theirs["proposals"][0]["id"].as_i64().unwrap();
    send(
        &app,
        "POST",
        &format!("{other}/proposals/{id2}/decline"),
        None,
        None,
    )
    .await;
    // Nobody left: the request waits, and the first referent is not asked again.
    let status = get(&app, &status_url).await.json();
    assert_eq!(status["status"], "open");
    assert!(status["proposal_state"].is_null(), "{status}");
    let mine = get(&app, &holder).await.json();
    assert_eq!(mine["proposals"].as_array().unwrap().len(), 1);
    assert_eq!(mine["proposals"][0]["state"], "declined");
}

/// Capacity holds when many families ask at the same time, and only one of
/// many simultaneous accepts of a proposal wins.
async fn capacity_holds_under_concurrency(db: TestDb) {
    setup(&db);
    let app = app(db.state().await);
    let space = volunteer(&app, "Amina", 3).await;
    let mut tasks = Vec::new();
    for i in 0..20 {
        let app = app.clone();
        tasks.push(tokio::spawn(async move {
            ask(&app, &format!("Famille{i}")).await
        }));
    }
    let mut proposed = 0;
    for t in tasks {
        if t.await.unwrap().1 {
            proposed += 1;
        }
    }
    assert_eq!(proposed, 3, "capacity 3 gives exactly 3 proposals");
    let seen = get(&app, &space).await.json();
    assert_eq!(seen["proposals"].as_array().unwrap().len(), 3);

    let id = seen["proposals"][0]["id"].as_i64().unwrap();
    let mut tasks = Vec::new();
    for _ in 0..10 {
        let (app, uri) = (app.clone(), format!("{space}/proposals/{id}/accept"));
        tasks.push(tokio::spawn(async move {
            send(&app, "POST", &uri, None, None).await.status
        }));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == StatusCode::OK).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses
            .iter()
            .filter(|s| **s == StatusCode::CONFLICT)
            .count(),
        9,
        "{statuses:?}"
    );
}

/// The batch matches requests that arrived before any referent, explains
/// each proposal, and runs only for organizers.
async fn batch_matches_waiting_families(db: TestDb) {
    let token = setup(&db);
    let app = app(db.state().await);
    let (status_url, proposed) = ask(&app, "Julien").await;
    assert!(!proposed, "no referent yet");
    let coverage = send(&app, "GET", "/api/v1/matching/coverage", None, Some(&token))
        .await
        .json();
    let row = coverage
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["uais"] == "0750607C")
        .unwrap()
        .clone();
    assert_eq!(row["pending_requests"], 1);
    assert_eq!(row["recruitment_target"], true);

    // Referents who volunteer later are found by the batch.
    let space = volunteer(&app, "Amina", 2).await;
    send(&app, "POST", "/api/v1/matching/run", None, None)
        .await
        .problem(StatusCode::UNAUTHORIZED);
    let report = send(&app, "POST", "/api/v1/matching/run", None, Some(&token))
        .await
        .json();
    assert_eq!(report["created"], 1, "{report}");
    assert_eq!(
        get(&app, &status_url).await.json()["proposal_state"],
        "proposed"
    );
    assert_eq!(
        get(&app, &space).await.json()["proposals"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // A second run keeps the optimum as it is.
    let report = send(&app, "POST", "/api/v1/matching/run", None, Some(&token))
        .await
        .json();
    assert_eq!(
        (report["kept"].as_i64(), report["created"].as_i64()),
        (Some(1), Some(0))
    );

    let proposals = send(&app, "GET", "/api/v1/proposals", None, Some(&token))
        .await
        .json();
    let explanation = &proposals[0]["explanation"];
    let terms = ["other_school", "language", "grade_gap", "distance", "load"];
    let sum: i64 = terms
        .iter()
        .map(|t| explanation[*t].as_i64().unwrap())
        .sum();
    assert_eq!(sum, proposals[0]["cost"].as_i64().unwrap(), "{explanation}");

    let reply = send(
        &app,
        "GET",
        "/api/v1/matching/coverage?format=csv",
        None,
        Some(&token),
    )
    .await;
    assert_eq!(reply.content_type, "text/csv; charset=utf-8");
    let text = String::from_utf8(reply.body).unwrap();
    assert!(
        text.starts_with("sector_id,sector_name,territory,uais,pending_requests"),
        "{text}"
    );
}

/// A proposal nobody answers expires and the family goes to someone else.
async fn unanswered_proposals_expire(db: TestDb) {
    let token = setup(&db);
    let app = app(db
        .state_with(&[("PASSERELLE_PROPOSAL_TTL_HOURS", "0")])
        .await);
    volunteer(&app, "Amina", 2).await;
    let (status_url, proposed) = ask(&app, "Julien").await;
    assert!(proposed);
    let report = send(&app, "POST", "/api/v1/matching/run", None, Some(&token))
        .await
        .json();
    assert_eq!(report["expired"], 1, "{report}");
    // The only referent timed out: the family is not sent back to her.
    assert!(get(&app, &status_url).await.json()["proposal_state"].is_null());
}

/// Forms are checked field by field; private links are unguessable.
async fn bad_forms_are_refused(db: TestDb) {
    setup(&db);
    let app = app(db.state().await);
    let cases = [
        (referent("Amina", 11), "capacité"),
        (
            json!({"first_name": "A", "email": "a@b.fr", "uai": "0750607C", "child_grade": "CM2", "monthly_capacity": 2, "consent": true}),
            "6e",
        ),
        (
            json!({"first_name": "A", "email": "a@b.fr", "uai": "0999999Z", "child_grade": "6e", "monthly_capacity": 2, "consent": true}),
            "secteur",
        ),
        (
            json!({"first_name": "A", "email": "pas-un-email", "uai": "0750607C", "child_grade": "6e", "monthly_capacity": 2, "consent": true}),
            "e-mail",
        ),
        (
            json!({"first_name": "A", "email": "a@b.fr", "uai": "0750607C", "child_grade": "6e", "monthly_capacity": 2, "consent": false}),
            "consentement",
        ),
    ];
    for (body, needle) in cases {
        let detail = send(&app, "POST", "/api/v1/referents", Some(body), None)
            .await
            .problem(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(detail.contains(needle), "{detail}");
    }
    let mut no_contact = family("Julien");
    no_contact["email"] = Value::Null;
    no_contact["phone"] = Value::Null;
    let detail = send(
        &app,
        "POST",
        "/api/v1/contact-requests",
        Some(no_contact),
        None,
    )
    .await
    .problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(detail.contains("e-mail ou un numéro"), "{detail}");
    let mut far = family("Julien");
    far["lat"] = json!(43.6);
    far["lon"] = json!(1.44);
    send(&app, "POST", "/api/v1/contact-requests", Some(far), None)
        .await
        .problem(StatusCode::NOT_FOUND);
    let mut grade = family("Julien");
    grade["child_grade"] = json!("5e");
    send(&app, "POST", "/api/v1/contact-requests", Some(grade), None)
        .await
        .problem(StatusCode::UNPROCESSABLE_ENTITY);
    send(
        &app,
        "POST",
        "/api/v1/contact-requests",
        Some(json!({"first_name": 3})),
        None,
    )
    .await
    .problem(StatusCode::UNPROCESSABLE_ENTITY);
    get(&app, "/api/v1/referents/space/ref_0000")
        .await
        .problem(StatusCode::NOT_FOUND);
    get(&app, "/api/v1/contact-requests/status/dem_0000")
        .await
        .problem(StatusCode::NOT_FOUND);
}

both_backends!(
    lifecycle_reveals_contacts_only_after_acceptance,
    decline_rematches_elsewhere,
    capacity_holds_under_concurrency,
    batch_matches_waiting_families,
    unanswered_proposals_expire,
    bad_forms_are_refused,
);

/// `passerelle matching solve` prints the optimum of an explicit instance.
#[test]
fn solve_prints_the_optimum() {
    let db = TestDb::sqlite();
    let file = db.dir().join("instance.txt");
    std::fs::write(&file, "3 2\n1 1\n4\n0 0 4\n1 0 1\n1 1 3\n2 1 2\n").unwrap();
    let out: Value =
        serde_json::from_str(&db.cli_ok(&["matching", "solve", file.to_str().unwrap()])).unwrap();
    assert_eq!(
        (out["matched"].as_i64(), out["cost"].as_i64()),
        (Some(2), Some(3))
    );
    std::fs::write(&file, "3 2\n1\n").unwrap();
    let line = db.cli_err(&["matching", "solve", file.to_str().unwrap()]);
    assert!(line.contains("line 2"), "{line}");
}

/// Organizers see requests and referents; nobody else does.
async fn organizers_see_requests_and_referents(db: TestDb) {
    let token = setup(&db);
    let app = app(db.state().await);
    volunteer(&app, "Amina", 2).await;
    ask(&app, "Julien").await;
    send(&app, "GET", "/api/v1/contact-requests", None, None)
        .await
        .problem(StatusCode::UNAUTHORIZED);
    send(&app, "GET", "/api/v1/referents", None, None)
        .await
        .problem(StatusCode::UNAUTHORIZED);
    let requests = send(&app, "GET", "/api/v1/contact-requests", None, Some(&token))
        .await
        .json();
    assert_eq!(requests[0]["email"], "julien@famille.example");
    assert_eq!(requests[0]["status"], "open");
    let referents = send(&app, "GET", "/api/v1/referents", None, Some(&token))
        .await
        .json();
    assert_eq!(referents[0]["first_name"], "Amina");
    // `passerelle matching run` is the same batch as the HTTP one.
    let output = db.cli(&["matching", "run"]);
    assert!(output.status.success());
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("1 kept, 0 new"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

both_backends!(organizers_see_requests_and_referents);

/// A second batch while one holds the lock (another server process, here a
/// held advisory lock) is refused at once, on PostgreSQL.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(postgres_tests),
    ignore = "PostgreSQL: set PASSERELLE_TEST_POSTGRES_URL or run scripts/test"
)]
async fn one_batch_at_a_time_across_processes() {
    let db = TestDb::postgres().await;
    let token = setup(&db);
    let app = app(db.state().await);
    use sea_orm::ConnectionTrait;
    // One connection, so that the unlock runs where the lock was taken.
    let mut options = sea_orm::ConnectOptions::new(db.url.clone());
    options.max_connections(1);
    let other = sea_orm::Database::connect(options).await.unwrap();
    other
        .execute_unprepared("SELECT pg_advisory_lock(7362837001)")
        .await
        .unwrap();
    let detail = send(&app, "POST", "/api/v1/matching/run", None, Some(&token))
        .await
        .problem(StatusCode::CONFLICT);
    assert!(detail.contains("déjà en cours"), "{detail}");
    other
        .execute_unprepared("SELECT pg_advisory_unlock(7362837001)")
        .await
        .unwrap();
    let reply = send(&app, "POST", "/api/v1/matching/run", None, Some(&token)).await;
    assert_eq!(reply.status, StatusCode::OK);
}

/// Public figures count per sector and year, and hide counts under 5.
async fn public_figures_suppress_small_counts(db: TestDb) {
    setup(&db);
    let app = app(db.state().await);
    let space = volunteer(&app, "Amina", 10).await;
    for i in 0..6 {
        ask(&app, &format!("Famille{i}")).await;
    }
    let pending = get(&app, &space).await.json();
    for p in pending["proposals"].as_array().unwrap().iter().take(2) {
        let id = p["id"].as_i64().unwrap();
        send(
            &app,
            "POST",
            &format!("{space}/proposals/{id}/accept"),
            None,
            None,
        )
        .await;
    }
    let rows = get(&app, "/api/v1/figures").await.json();
    let row = rows
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["sector_key"] == "0750607C")
        .unwrap();
    assert_eq!(row["requests"], 6);
    assert!(row["matched"].is_null(), "2 matches are under 5: {row}");
    assert!(row["sector_id"].is_i64());
    let csv = get(&app, "/api/v1/figures?format=csv").await;
    let text = String::from_utf8(csv.body).unwrap();
    assert!(
        text.starts_with("sector_key,sector_name,school_year,requests,matched"),
        "{text}"
    );
    let geo = get(&app, "/api/v1/figures?format=geojson").await;
    assert_eq!(geo.content_type, "application/geo+json");
    let geo = geo.json();
    assert_eq!(geo["features"][0]["geometry"]["type"], "MultiPolygon");
    assert_eq!(geo["features"][0]["properties"]["requests"], 6);
    get(&app, "/api/v1/figures?format=xml")
        .await
        .problem(StatusCode::BAD_REQUEST);
}

both_backends!(public_figures_suppress_small_counts);
