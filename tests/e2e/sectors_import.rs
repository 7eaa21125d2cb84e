//! Importing sector maps: the CLI and `POST /api/v1/sectors/import`, their
//! errors, and that a failed import changes nothing.
use axum::body::Body;
use http::{Request, StatusCode};
use passerelle::app;

use crate::common::{TestDb, both_backends, get, oneshot, shared_data};

/// Everything stored about sector maps, as text to compare.
async fn snapshot(db: &TestDb) -> String {
    let store = db.store().await;
    let maps = store.sector_maps().await.unwrap();
    let sectors = store.all_sectors().await.unwrap();
    let mut text = String::new();
    for m in maps {
        text += &format!(
            "{} {} {} {} {}\n",
            m.id, m.territory, m.school_year, m.sector_count, m.imported_at
        );
    }
    for s in sectors {
        text += &format!(
            "{} {} {} {:?} {:?} {}\n",
            s.id,
            s.territory,
            s.school_year,
            s.name,
            s.uais,
            s.geometry_geojson.len()
        );
    }
    text
}

const SQUARE: &str = "[[2.30,48.80],[2.35,48.80],[2.35,48.85],[2.30,48.85],[2.30,48.80]]";
/// The square's corners in the wrong order: two triangles meeting at a point.
const BOW_TIE: &str = "[[2.30,48.80],[2.35,48.85],[2.35,48.80],[2.30,48.85],[2.30,48.80]]";

fn collection(properties: &str, coordinates: &str) -> String {
    format!(
        r#"{{"type":"FeatureCollection","features":[{{"type":"Feature","properties":{properties},"geometry":{{"type":"Polygon","coordinates":[{coordinates}]}}}}]}}"#
    )
}

/// Each bad file is refused with one line naming the problem, exit code 1,
/// and the database exactly as before.
async fn bad_maps_change_nothing(db: TestDb) {
    let subset = shared_data("fixtures/paris-75111-secteurs-subset.geojson");
    db.import_subset();
    let before = snapshot(&db).await;
    assert!(before.lines().count() == 8, "{before}");

    let uais = r#"{"uais":["0752538B"]}"#;
    let cases: Vec<(&str, String, &str)> = vec![
        (
            "invalid-json",
            r#"{"type":"FeatureCollection","features":["#.to_owned(),
            "JSON",
        ),
        (
            "unclosed",
            collection(
                uais,
                "[[2.30,48.80],[2.35,48.80],[2.35,48.85],[2.30,48.85]]",
            ),
            "closed",
        ),
        (
            "degenerate",
            collection(uais, "[[2.30,48.80],[2.35,48.80],[2.30,48.80]]"),
            "degenerate",
        ),
        (
            "lambert",
            collection(
                uais,
                "[[652000,6862000],[653000,6862000],[653000,6863000],[652000,6862000]]",
            ),
            "Lambert-93",
        ),
        ("no-uai", collection(r#"{"nom":"X"}"#, SQUARE), "uais"),
        (
            "bow-tie",
            collection(uais, BOW_TIE),
            "feature #0: invalid geometry: ring 0 of polygon 0 intersects itself",
        ),
        (
            "hole-outside",
            collection(
                uais,
                &format!("{SQUARE},[[2.40,48.80],[2.45,48.80],[2.45,48.85],[2.40,48.80]]"),
            ),
            "ring 1 of polygon 0 is a hole outside",
        ),
    ];
    for (name, content, needle) in cases {
        let path = db.dir().join(format!("{name}.geojson"));
        std::fs::write(&path, content).unwrap();
        // A new territory: only the file's content can make it fail.
        let line = db.cli_err(&[
            "import",
            "sectors",
            path.to_str().unwrap(),
            "--territory",
            "lyon",
            "--year",
            "2024-2025",
        ]);
        assert!(line.starts_with("error: "), "{line}");
        assert!(line.contains(needle), "{name}: {line}");
        assert_eq!(snapshot(&db).await, before, "{name} changed the database");
    }
    // The same territory and year again, without --replace.
    let line = db.cli_err(&[
        "import",
        "sectors",
        subset.to_str().unwrap(),
        "--territory",
        "paris",
        "--year",
        "2024-2025",
    ]);
    assert!(line.contains("--replace"), "{line}");
    assert_eq!(snapshot(&db).await, before);
    // A missing file and a bad year are one line too.
    let line = db.cli_err(&[
        "import",
        "sectors",
        "/nonexistent.geojson",
        "--territory",
        "x",
        "--year",
        "2024-2025",
    ]);
    assert!(line.contains("/nonexistent.geojson"), "{line}");
    assert_eq!(snapshot(&db).await, before);
}

/// `--replace` swaps the map of a territory and year whole.
async fn replace_swaps_the_map(db: TestDb) {
    db.import_subset();
    let square = db.dir().join("square.geojson");
    std::fs::write(
        &square,
        collection(r#"{"uais":["0752538B"],"nom":"Grand carré"}"#, SQUARE),
    )
    .unwrap();
    db.cli_ok(&[
        "import",
        "sectors",
        square.to_str().unwrap(),
        "--territory",
        "paris",
        "--year",
        "2024-2025",
        "--replace",
    ]);
    let app = app(db.state().await);
    let list = get(&app, "/api/v1/sectors?year=2024-2025").await.json();
    let sectors = list["sectors"].as_array().unwrap();
    assert_eq!(sectors.len(), 1);
    assert_eq!(sectors[0]["name"], "Grand carré");
    // Paris 11e is outside the square now.
    get(
        &app,
        "/api/v1/sectors/lookup?lat=48.856095&lon=2.376293&year=2024-2025",
    )
    .await
    .problem(StatusCode::NOT_FOUND);
    let json = get(
        &app,
        "/api/v1/sectors/lookup?lat=48.82&lon=2.32&year=2024-2025",
    )
    .await
    .json();
    assert_eq!(json["sector"]["name"], "Grand carré");
}

fn import_request(query: &str, token: Option<&str>, body: String) -> Request<Body> {
    let mut request = Request::post(format!("/api/v1/sectors/import?{query}"))
        .header("content-type", "application/geo+json");
    if let Some(token) = token {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    request.body(Body::from(body)).unwrap()
}

/// The HTTP import needs an organizer token, does what the CLI does, and
/// the lookup sees the new map at once.
async fn http_import_needs_an_organizer(db: TestDb) {
    let organizer = db
        .cli_ok(&["token", "create", "--role", "organizer", "--name", "orga"])
        .trim()
        .to_owned();
    let referent = db
        .cli_ok(&["token", "create", "--role", "referent", "--name", "ref"])
        .trim()
        .to_owned();
    assert!(organizer.starts_with("pas_") && organizer.len() > 60);
    let app = app(db.state().await);
    let map = std::fs::read_to_string(shared_data("fixtures/paris-75111-secteurs-subset.geojson"))
        .unwrap();
    let query = "territory=paris&year=2024-2025";

    let detail = oneshot(&app, import_request(query, None, map.clone()))
        .await
        .problem(StatusCode::UNAUTHORIZED);
    assert!(detail.contains("jeton"), "{detail}");
    oneshot(&app, import_request(query, Some("pas_wrong"), map.clone()))
        .await
        .problem(StatusCode::UNAUTHORIZED);
    oneshot(&app, import_request(query, Some(&referent), map.clone()))
        .await
        .problem(StatusCode::FORBIDDEN);
    get(&app, "/api/v1/sectors/lookup?lat=48.856095&lon=2.376293")
        .await
        .problem(StatusCode::NOT_FOUND);

    let reply = oneshot(&app, import_request(query, Some(&organizer), map.clone())).await;
    assert_eq!(
        reply.status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    assert_eq!(reply.json()["sectors"], 7);
    let json = get(
        &app,
        "/api/v1/sectors/lookup?lat=48.856095&lon=2.376293&year=2024-2025",
    )
    .await
    .json();
    assert_eq!(json["schools"][0]["uai"], "0750607C");

    let before = snapshot(&db).await;
    let detail = oneshot(&app, import_request(query, Some(&organizer), map.clone()))
        .await
        .problem(StatusCode::CONFLICT);
    assert!(
        detail.contains("--replace") || detail.contains("replace"),
        "{detail}"
    );
    let bad = collection(
        r#"{"uais":["0752538B"]}"#,
        "[[652000,6862000],[653000,6862000],[653000,6863000],[652000,6862000]]",
    );
    let detail = oneshot(
        &app,
        import_request("territory=lyon&year=2024-2025", Some(&organizer), bad),
    )
    .await
    .problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(detail.contains("Lambert-93"), "{detail}");
    let detail = oneshot(
        &app,
        import_request(
            "territory=lyon&year=2024-2025",
            Some(&organizer),
            collection(r#"{"uais":["0752538B"]}"#, BOW_TIE),
        ),
    )
    .await
    .problem(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        detail.contains("feature #0") && detail.contains("self-intersection"),
        "{detail}"
    );
    get(
        &app,
        "/api/v1/sectors/lookup?lat=48.825&lon=2.31&year=2024-2025",
    )
    .await
    .problem(StatusCode::NOT_FOUND);
    oneshot(
        &app,
        import_request(
            "territory=Paris!&year=2024-2025",
            Some(&organizer),
            map.clone(),
        ),
    )
    .await
    .problem(StatusCode::BAD_REQUEST);
    assert_eq!(snapshot(&db).await, before);

    let reply = oneshot(
        &app,
        import_request(&format!("{query}&replace=true"), Some(&organizer), map),
    )
    .await;
    assert_eq!(reply.status, StatusCode::CREATED);
    assert_eq!(reply.json()["replaced"], true);

    // A revoked token is refused.
    db.cli_ok(&["token", "revoke", "--name", "orga"]);
    oneshot(&app, import_request(query, Some(&organizer), String::new()))
        .await
        .problem(StatusCode::UNAUTHORIZED);
}

/// A body over the import limit is refused with 413 problem+json.
async fn oversized_import_is_refused(db: TestDb) {
    let organizer = db
        .cli_ok(&["token", "create", "--role", "admin", "--name", "admin"])
        .trim()
        .to_owned();
    let app = app(db
        .state_with(&[("PASSERELLE_IMPORT_BODY_LIMIT", "1000")])
        .await);
    let map = std::fs::read_to_string(shared_data("fixtures/paris-75111-secteurs-subset.geojson"))
        .unwrap();
    oneshot(
        &app,
        import_request("territory=paris&year=2024-2025", Some(&organizer), map),
    )
    .await
    .problem(StatusCode::PAYLOAD_TOO_LARGE);
}

both_backends!(
    bad_maps_change_nothing,
    replace_swaps_the_map,
    http_import_needs_an_organizer,
    oversized_import_is_refused
);
