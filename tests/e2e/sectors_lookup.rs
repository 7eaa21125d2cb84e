//! `GET /api/v1/sectors/lookup`, `/sectors` and `/sectors/{id}` on real maps.
use std::collections::BTreeSet;

use http::StatusCode;
use passerelle::app;

use crate::common::{TestDb, both_backends, get, shared_data};

fn uai_set(text: &str) -> BTreeSet<String> {
    text.split(['+', '|', ','])
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

/// The 230 BAN addresses of Paris 11e resolve to the UAIs that shapely and
/// pyproj computed: 200 inside a sector, 30 in a street gap.
async fn paris_fixture_resolves_through_http(db: TestDb) {
    db.import_paris();
    // The fixture's gap points lie up to 82 m from their sector.
    let app = app(db.state_with(&[("PASSERELLE_NEAREST_MAX_M", "100")]).await);
    let fixture = shared_data("fixtures/paris-75111-ban-sample-expected-sector.csv");
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_path(fixture)
        .unwrap();
    let (mut inside, mut nearest) = (0, 0);
    for row in reader.deserialize::<std::collections::HashMap<String, String>>() {
        let row = row.unwrap();
        let uri = format!(
            "/api/v1/sectors/lookup?lat={}&lon={}&year=2024-2025",
            row["lat"], row["lon"]
        );
        let reply = get(&app, &uri).await;
        assert_eq!(
            reply.status,
            StatusCode::OK,
            "{} {}",
            row["ban_id"],
            String::from_utf8_lossy(&reply.body)
        );
        assert_eq!(reply.content_type, "application/json");
        let json = reply.json();
        assert_eq!(json["match"], row["match"].as_str(), "{}", row["ban_id"]);
        let got: BTreeSet<String> = json["schools"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["uai"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(got, uai_set(&row["expected_uais"]), "{}", row["ban_id"]);
        let expected_distance: f64 = row["distance_to_sector_m"].parse().unwrap();
        let distance = json["distance_m"].as_f64().unwrap();
        assert!(
            (distance - expected_distance).abs() <= 1.0 + expected_distance * 0.01,
            "{}: {distance} m, expected {expected_distance} m",
            row["ban_id"]
        );
        match json["match"].as_str().unwrap() {
            "inside" => inside += 1,
            _ => nearest += 1,
        }
        // Facts come from the national list and the DEPP file.
        let school = &json["schools"][0];
        assert!(
            school["name"].as_str().unwrap().starts_with("Collège"),
            "{school}"
        );
        assert_eq!(school["public"], true);
        assert!(
            school["ips"].as_f64().is_some() && school["pupils"].as_i64().is_some(),
            "{school}"
        );
        assert_eq!(school["postcode"].as_str().unwrap().len(), 5);
    }
    assert_eq!((inside, nearest), (200, 30));
}

/// With the default 30 m, a gap point farther than that is "not found",
/// while a closer one is still matched.
async fn nearest_respects_the_configured_distance(db: TestDb) {
    db.import_paris();
    let app = app(db.state().await);
    let fixture = shared_data("fixtures/paris-75111-ban-sample-expected-sector.csv");
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_path(fixture)
        .unwrap();
    let (mut near, mut far) = (0, 0);
    for row in reader.deserialize::<std::collections::HashMap<String, String>>() {
        let row = row.unwrap();
        if row["match"] != "nearest" {
            continue;
        }
        let distance: f64 = row["distance_to_sector_m"].parse().unwrap();
        if (distance - 30.0).abs() < 1.0 {
            continue; // too close to the limit to call
        }
        let reply = get(
            &app,
            &format!(
                "/api/v1/sectors/lookup?lat={}&lon={}",
                row["lat"], row["lon"]
            ),
        )
        .await;
        if distance < 30.0 {
            assert_eq!(reply.status, StatusCode::OK);
            near += 1;
        } else {
            let detail = reply.problem(StatusCode::NOT_FOUND);
            assert!(detail.contains("30 m"), "{detail}");
            far += 1;
        }
    }
    assert!(
        near > 0 && far > 0,
        "the fixture has gap points on both sides of 30 m ({near}, {far})"
    );
}

/// Every public collège of the national list that lies inside a Lille sector
/// resolves to its own sector.
async fn lille_colleges_resolve_to_their_own_sector(db: TestDb) {
    let map = shared_data("lille/secteurs-colleges-mel-2022.geojson");
    db.cli_ok(&[
        "import",
        "sectors",
        map.to_str().unwrap(),
        "--territory",
        "lille",
        "--year",
        "2022-2023",
        "--uai-property",
        "codeuai",
    ]);
    let state = db.state().await;
    let catalog = state.catalog();
    let sector_uais: BTreeSet<String> = catalog
        .sectors(passerelle_app::catalog::YearChoice::Exact(
            "2022-2023".parse().unwrap(),
        ))
        .iter()
        .flat_map(|s| s.uais.clone())
        .collect();
    let list = shared_data("national/colleges-geolocalisation.csv");
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_path(list)
        .unwrap();
    let (mut checked, mut mismatches) = (0, Vec::new());
    for row in reader.deserialize::<std::collections::HashMap<String, String>>() {
        let row = row.unwrap();
        let uai = row
            .get("numero_uai")
            .or_else(|| row.get("\u{feff}numero_uai"))
            .unwrap()
            .clone();
        if row["secteur_public_prive_libe"] != "Public" || !sector_uais.contains(&uai) {
            continue;
        }
        let (Ok(lat), Ok(lon)) = (
            row["latitude"].parse::<f64>(),
            row["longitude"].parse::<f64>(),
        ) else {
            continue;
        };
        let found = catalog.lookup(
            lon,
            lat,
            passerelle_app::catalog::YearChoice::Exact("2022-2023".parse().unwrap()),
            0.0,
        );
        let Some(found) = found else { continue }; // outside every sector: not this test's concern
        checked += 1;
        if !found.sector.uais.contains(&uai) {
            mismatches.push((uai, found.sector.uais.clone()));
        }
    }
    assert!(checked >= 60, "only {checked} collèges checked");
    // The one exception: Collège Emile Zola of Wattrelos (0595169Y) stands
    // in the sector of Collège Pablo Néruda (0594392D), 460 m away. A sector
    // is where pupils live, and the Département drew Zola's elsewhere.
    let exceptions = vec![("0595169Y".to_owned(), vec!["0594392D".to_owned()])];
    assert_eq!(mismatches, exceptions, "collèges outside their own sector");
}

/// Coordinates that are missing, not numbers, or out of range get 400; a
/// point far from any sector gets 404; all as problem+json.
async fn bad_coordinates_are_refused(db: TestDb) {
    db.cli_ok(&[
        "import",
        "sectors",
        shared_data("fixtures/paris-75111-secteurs-subset.geojson")
            .to_str()
            .unwrap(),
        "--territory",
        "paris",
        "--year",
        "2024-2025",
    ]);
    let app = app(db.state().await);
    for (query, needle) in [
        ("lat=abc&lon=2.37", "`lat`"),
        ("lat=48.85", "`lon`"),
        ("lat=NaN&lon=2.37", "`lat`"),
        ("lat=91&lon=2.37", "latitude"),
        ("lat=48.85&lon=-181", "longitude"),
        ("lat=6862000&lon=652000", "latitude"),
    ] {
        let detail = get(&app, &format!("/api/v1/sectors/lookup?{query}"))
            .await
            .problem(StatusCode::BAD_REQUEST);
        assert!(detail.contains(needle), "{query}: {detail}");
    }
    get(&app, "/api/v1/sectors/lookup?lat=43.6&lon=1.44")
        .await
        .problem(StatusCode::NOT_FOUND);
    let detail = get(
        &app,
        "/api/v1/sectors/lookup?lat=48.856&lon=2.376&year=1999-2000",
    )
    .await
    .problem(StatusCode::NOT_FOUND);
    assert!(detail.contains("1999-2000"), "{detail}");
}

/// Several school years coexist; the default is the current year or the
/// latest one before it, per territory.
async fn school_years_coexist(db: TestDb) {
    let subset = shared_data("fixtures/paris-75111-secteurs-subset.geojson");
    let subset = subset.to_str().unwrap();
    let now = passerelle_app::school_year::SchoolYear::at(chrono::Utc::now());
    let this_year = now.to_string();
    let last_year = passerelle_app::school_year::SchoolYear::starting(
        this_year[..4].parse::<u16>().unwrap() - 1,
    )
    .to_string();
    let next_year = passerelle_app::school_year::SchoolYear::starting(
        this_year[..4].parse::<u16>().unwrap() + 1,
    )
    .to_string();
    db.cli_ok(&[
        "import",
        "sectors",
        subset,
        "--territory",
        "paris",
        "--year",
        &last_year,
    ]);
    db.cli_ok(&[
        "import",
        "sectors",
        subset,
        "--territory",
        "paris",
        "--year",
        &next_year,
    ]);
    let app = app(db.state().await);
    let point = "lat=48.856095&lon=2.376293";
    // Only last year and next year exist: the default is last year's map.
    let json = get(&app, &format!("/api/v1/sectors/lookup?{point}"))
        .await
        .json();
    assert_eq!(json["school_year"], last_year.as_str());
    let json = get(
        &app,
        &format!("/api/v1/sectors/lookup?{point}&year={next_year}"),
    )
    .await
    .json();
    assert_eq!(json["school_year"], next_year.as_str());
    // Once this year's map lands it becomes the default, without a restart.
    let state = db.state().await;
    let app = app_with_import(&state, subset, &this_year).await;
    let json = get(&app, &format!("/api/v1/sectors/lookup?{point}"))
        .await
        .json();
    assert_eq!(json["school_year"], this_year.as_str());
    let list = get(&app, "/api/v1/sectors").await.json();
    let years: BTreeSet<&str> = list["sectors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["school_year"].as_str().unwrap())
        .collect();
    assert_eq!(years, BTreeSet::from([this_year.as_str()]));
    let list = get(&app, &format!("/api/v1/sectors?year={last_year}"))
        .await
        .json();
    assert_eq!(list["sectors"].as_array().unwrap().len(), 7);
}

async fn app_with_import(state: &passerelle_app::AppState, file: &str, year: &str) -> axum::Router {
    let options = passerelle_app::sectors::ImportOptions {
        territory: "paris".into(),
        school_year: year.parse().unwrap(),
        uai_property: "uais".into(),
        replace: false,
    };
    passerelle_app::sectors::import_map(
        state,
        std::fs::read(file).unwrap(),
        &options,
        &passerelle_app::progress::Silent,
    )
    .await
    .unwrap();
    app(state.clone())
}

/// One sector with its collèges and geometry; 404 and 400 otherwise.
async fn one_sector_with_its_geometry(db: TestDb) {
    db.import_paris();
    let app = app(db.state().await);
    let list = get(&app, "/api/v1/sectors?year=2024-2025").await.json();
    let sectors = list["sectors"].as_array().unwrap();
    assert_eq!(sectors.len(), 110);
    let two = sectors
        .iter()
        .filter(|s| s["uais"].as_array().unwrap().len() == 2)
        .count();
    assert_eq!(two, 3, "Paris has three sectors with two collèges");
    let id = sectors[0]["id"].as_i64().unwrap();
    let json = get(&app, &format!("/api/v1/sectors/{id}")).await.json();
    assert_eq!(json["geometry"]["type"], "MultiPolygon");
    assert_eq!(json["territory"], "paris");
    assert_eq!(json["external_id"], "PARIS-2024-001");
    assert_eq!(json["schools"][0]["uai"], "0752538B");
    get(&app, "/api/v1/sectors/999999")
        .await
        .problem(StatusCode::NOT_FOUND);
    get(&app, "/api/v1/sectors/abc")
        .await
        .problem(StatusCode::BAD_REQUEST);
}

both_backends!(
    paris_fixture_resolves_through_http,
    nearest_respects_the_configured_distance,
    lille_colleges_resolve_to_their_own_sector,
    bad_coordinates_are_refused,
    school_years_coexist,
    one_sector_with_its_geometry,
);
