//! Address search over the national address base, and sectors by address
//! range (carte scolaire), all offline.
use http::StatusCode;
use passerelle::app;

use crate::common::{TestDb, both_backends, get, shared_data};

const BAN_HEADER: &str = "id;id_fantoir;numero;rep;nom_voie;code_postal;code_insee;nom_commune;code_insee_ancienne_commune;nom_ancienne_commune;x;y;lon;lat;type_position;alias;nom_ld;libelle_acheminement;nom_afnor;source_position;source_nom_voie;certification_commune;cad_parcelles";

/// A few addresses of Rennes and Acigné, made up for the test (the shared
/// data has no BAN file for Ille-et-Vilaine).
fn rennes_ban() -> String {
    let rows = [
        (
            "35238_1001_00004",
            4,
            "Rue de Nantes",
            "35000",
            "35238",
            "Rennes",
            -1.6905,
            48.1120,
        ),
        (
            "35238_1001_00121",
            121,
            "Rue de Nantes",
            "35000",
            "35238",
            "Rennes",
            -1.6960,
            48.1140,
        ),
        (
            "35238_1001_00001",
            1,
            "Rue de Nantes",
            "35000",
            "35238",
            "Rennes",
            -1.6890,
            48.1115,
        ),
        (
            "35001_2002_00003",
            3,
            "Rue de la Mairie",
            "35690",
            "35001",
            "Acigné",
            -1.5370,
            48.1330,
        ),
    ];
    let mut text = format!("{BAN_HEADER}\n");
    for (id, n, street, postcode, code, city, lon, lat) in rows {
        text += &format!(
            "{id};;{n};;{street};{postcode};{code};{city};;;;;{lon};{lat};entrée;;;{};;;;;\n",
            city.to_uppercase()
        );
    }
    text
}

async fn paris_addresses_as_people_type_them(db: TestDb) {
    db.import_paris();
    db.cli_ok(&[
        "import",
        "addresses",
        shared_data("ban/adresses-75.csv.gz").to_str().unwrap(),
    ]);
    let app = app(db.state().await);
    let json = get(&app, "/api/v1/geocode?q=12%20rue%20de%20la%20roq&limit=5")
        .await
        .json();
    let first = &json["results"][0];
    assert!(
        first["label"]
            .as_str()
            .unwrap()
            .starts_with("12 Rue de la Roquette"),
        "{json}"
    );
    assert_eq!(first["citycode"], "75111");
    let json = get(
        &app,
        "/api/v1/sectors/lookup?address=86%20r%20de%20la%20roquete%2C%20Paris%2011e&year=2024-2025",
    )
    .await
    .json();
    assert_eq!(json["schools"][0]["uai"], "0750607C", "{json}");
    assert_eq!(json["match"], "inside");
    assert!(
        json["address"]
            .as_str()
            .unwrap()
            .starts_with("86 Rue de la Roquette"),
        "{json}"
    );
    // A family can give its address instead of coordinates.
    let mut form = crate::common::api::family("Julien");
    form["lat"] = serde_json::Value::Null;
    form["lon"] = serde_json::Value::Null;
    form["address"] = serde_json::json!("86 rue de la Roquette, Paris");
    let reply =
        crate::common::api::send(&app, "POST", "/api/v1/contact-requests", Some(form), None).await;
    assert_eq!(
        reply.status,
        StatusCode::CREATED,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    // Refused queries say why, in French, without repeating the query.
    for (bad, why) in [
        ("", "la recherche est vide"),
        ("%20%20", "la recherche est vide"),
        ("x", "trop courte"),
        ("!!!%3F%3F", "trop courte"),
        ("12%2C%2075011", "aucune lettre"),
        ("de%20la", "que des mots courts"),
    ] {
        let detail = get(&app, &format!("/api/v1/geocode?q={bad}"))
            .await
            .problem(StatusCode::BAD_REQUEST);
        assert!(
            detail.starts_with("adresse non reconnue : ") && detail.contains(why),
            "{bad}: {detail}"
        );
        assert!(!detail.contains("query"), "{bad}: {detail}");
    }
    get(&app, "/api/v1/geocode")
        .await
        .problem(StatusCode::BAD_REQUEST);
    get(
        &app,
        "/api/v1/geocode?q=12%20rue%20de%20la%20roquette&limit=500",
    )
    .await
    .problem(StatusCode::BAD_REQUEST);
}

async fn address_ranges_decide_where_they_exist(db: TestDb) {
    let carte = shared_data("ille-et-vilaine/fr-en-carte-scolaire-colleges-publics.csv");
    db.cli_ok(&[
        "import",
        "schools",
        shared_data("national/colleges-geolocalisation.csv")
            .to_str()
            .unwrap(),
    ]);
    let output = db.cli(&[
        "import",
        "carte-scolaire",
        carte.to_str().unwrap(),
        "--year",
        "2023-2024",
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report = String::from_utf8_lossy(&output.stderr);
    assert!(
        report.contains("5416 rows for 340 communes and 62 collèges"),
        "{report}"
    );
    assert!(
        report.contains("1 contradiction(s)") && report.contains("lines 1307, 1308, 2769, 2770"),
        "{report}"
    );
    let ban = db.dir().join("adresses-35.csv");
    std::fs::write(&ban, rennes_ban()).unwrap();
    db.cli_ok(&["import", "addresses", ban.to_str().unwrap()]);
    let app = app(db.state().await);

    let uai = |json: &serde_json::Value| {
        json["schools"][0]["uai"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };
    let json = get(
        &app,
        "/api/v1/sectors/lookup?address=4%20rue%20de%20nantes%20rennes",
    )
    .await
    .json();
    assert_eq!(
        (json["match"].as_str(), uai(&json).as_str()),
        (Some("range"), "0350734H"),
        "{json}"
    );
    assert_eq!(json["school_year"], "2023-2024");
    let json = get(
        &app,
        "/api/v1/sectors/lookup?address=121%20rue%20de%20nantes%2035000",
    )
    .await
    .json();
    assert_eq!(
        uai(&json),
        "0350033W",
        "odd numbers 117-203 go elsewhere: {json}"
    );
    let detail = get(
        &app,
        "/api/v1/sectors/lookup?address=1%20rue%20de%20nantes%20rennes",
    )
    .await
    .problem(StatusCode::NOT_FOUND);
    assert!(detail.contains("ne couvre pas"), "{detail}");
    let json = get(
        &app,
        "/api/v1/sectors/lookup?address=3%20rue%20de%20la%20mairie%20acigne",
    )
    .await
    .json();
    assert_eq!(
        uai(&json),
        "0352167R",
        "Acigné is a single-sector commune: {json}"
    );
    // Coordinates in a range-only commune go through the nearest address.
    let json = get(&app, "/api/v1/sectors/lookup?lat=48.11205&lon=-1.69055")
        .await
        .json();
    assert_eq!(
        (json["match"].as_str(), uai(&json).as_str()),
        (Some("range"), "0350734H"),
        "{json}"
    );
    assert!(json["distance_m"].as_f64().unwrap() < 10.0);
    get(&app, "/api/v1/sectors/lookup?lat=48.2&lon=-1.2")
        .await
        .problem(StatusCode::NOT_FOUND);
}

async fn broken_address_files_change_nothing(db: TestDb) {
    let gz = std::fs::read(shared_data("ban/adresses-75.csv.gz")).unwrap();
    let truncated = db.dir().join("truncated.csv.gz");
    std::fs::write(&truncated, &gz[..gz.len() / 2]).unwrap();
    let line = db.cli_err(&["import", "addresses", truncated.to_str().unwrap()]);
    assert!(line.starts_with("error: "), "{line}");
    let mixed = db.dir().join("mixed.csv");
    std::fs::write(
        &mixed,
        format!(
            "{}{}",
            rennes_ban(),
            "75111_1_00001;;1;;Rue X;75011;75111;Paris;;;;;2.37;48.85;entrée;;;PARIS;;;;;\n"
        ),
    )
    .unwrap();
    let line = db.cli_err(&["import", "addresses", mixed.to_str().unwrap()]);
    assert!(line.contains("one BAN file per département"), "{line}");
    let bad_row = db.dir().join("bad.csv");
    std::fs::write(&bad_row, format!("{BAN_HEADER}\n35238_1;;4;;Rue de Nantes;35000;35238;Rennes;;;;;652000;6862000;entrée;;;;;;;;\n")).unwrap();
    let line = db.cli_err(&["import", "addresses", bad_row.to_str().unwrap()]);
    assert!(line.contains("line 2"), "{line}");
    assert!(db.store().await.address_files().await.unwrap().is_empty());
}

both_backends!(
    paris_addresses_as_people_type_them,
    address_ranges_decide_where_they_exist,
    broken_address_files_change_nothing
);
