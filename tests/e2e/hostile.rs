//! Hostile and broken files given to every importer: a real file cut in the
//! middle, a NUL byte, a 1 GB line, invalid UTF-8. Each must fail with one
//! readable line and leave the database exactly as it was.
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, Weak};

use sea_orm::{ConnectionTrait, Database, Statement};

use crate::common::{TestDb, both_backends, shared_data};

/// What the importers write, read back as text, table by table.
const SNAPSHOT: &[&str] = &[
    "SELECT name, CAST(version AS TEXT) FROM data_versions ORDER BY name",
    "SELECT uai, name, CAST(lat AS TEXT), CAST(lon AS TEXT), CAST(imported_at AS TEXT) FROM schools ORDER BY uai",
    "SELECT uai, school_year, CAST(ips AS TEXT), CAST(pupils AS TEXT) FROM school_ips ORDER BY uai, school_year",
    "SELECT CAST(id AS TEXT), territory, school_year, CAST(sector_count AS TEXT) FROM sector_maps ORDER BY id",
    "SELECT CAST(id AS TEXT), CAST(map_id AS TEXT), name, geometry FROM sectors ORDER BY id",
    "SELECT CAST(sector_id AS TEXT), uai FROM sector_schools ORDER BY sector_id, uai",
    "SELECT zone, CAST(start_date AS TEXT), CAST(end_date AS TEXT), description FROM school_holidays ORDER BY id",
    "SELECT department, CAST(row_count AS TEXT), CAST(LENGTH(data) AS TEXT) FROM address_files ORDER BY department",
    "SELECT school_year, departments, CAST(row_count AS TEXT), CAST(LENGTH(data) AS TEXT) FROM carte_files ORDER BY school_year, departments",
];

type Rows = Vec<Vec<Option<String>>>;

async fn snapshot(db: &TestDb) -> Vec<Rows> {
    let conn = Database::connect(db.url.as_str()).await.expect("connect");
    let backend = conn.get_database_backend();
    let mut tables = Vec::new();
    for sql in SNAPSHOT {
        let rows = conn
            .query_all_raw(Statement::from_string(backend, *sql))
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        tables.push(
            rows.iter()
                .map(|row| {
                    (0..row.column_names().len())
                        .map(|i| row.try_get_by_index::<Option<String>>(i).expect("text"))
                        .collect()
                })
                .collect(),
        );
    }
    conn.close().await.ok();
    tables
}

/// A file of one short line and one line of 1 GiB, written once and shared
/// by the tests that run at the same time; deleted when the last one ends.
struct BigLine {
    dir: tempfile::TempDir,
}

impl BigLine {
    fn path(&self) -> PathBuf {
        self.dir.path().join("one-gigabyte-line.txt")
    }

    fn gz(&self) -> PathBuf {
        self.dir.path().join("one-gigabyte-line.csv.gz")
    }

    fn shared() -> Arc<Self> {
        static SHARED: Mutex<Weak<BigLine>> = Mutex::new(Weak::new());
        let mut shared = SHARED.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(big) = shared.upgrade() {
            return big;
        }
        let big = Arc::new(Self {
            dir: tempfile::tempdir().expect("temp dir"),
        });
        let chunk = vec![b'x'; 1 << 20];
        let mut file = std::io::BufWriter::new(std::fs::File::create(big.path()).unwrap());
        // The same bytes gzipped: about 1 MB that a reader must not inflate whole.
        let mut gz = flate2::write::GzEncoder::new(
            std::fs::File::create(big.gz()).unwrap(),
            flate2::Compression::fast(),
        );
        // The columns of both the BAN and the carte scolaire, so that their
        // readers get past the header.
        let header = "id;numero;rep;nom_voie;code_postal;code_insee;nom_commune;lon;lat;\
                      Type_et_Libelle;No_de_voie_debut;Indice_de_repetition_debut;No_de_voie_fin;\
                      Indice_de_repetition_fin;Parite;Code_RNE;Secteur_unique\n";
        for out in [&mut file as &mut dyn Write, &mut gz] {
            out.write_all(header.as_bytes()).unwrap();
        }
        for _ in 0..1024 {
            file.write_all(&chunk).unwrap();
            gz.write_all(&chunk).unwrap();
        }
        file.into_inner().unwrap().sync_all().unwrap();
        gz.finish().unwrap();
        *shared = Arc::downgrade(&big);
        big
    }
}

/// One importer: its command line, a real file to break, and the words its
/// errors must hold.
struct Importer {
    name: &'static str,
    args: &'static [&'static str],
    valid: PathBuf,
    victim: Vec<u8>,
    /// The start of the 1 GB-line error.
    too_long: &'static str,
    /// Whether the format is JSON (errors say "line L column C").
    json: bool,
}

/// The first `lines` lines of the Paris BAN file, as plain CSV.
fn ban_prefix(lines: usize) -> Vec<u8> {
    use std::io::{BufRead, BufReader};
    let gz = std::fs::File::open(shared_data("ban/adresses-75.csv.gz")).unwrap();
    let reader = BufReader::new(flate2::read::MultiGzDecoder::new(gz));
    let mut out = Vec::new();
    for line in reader.lines().take(lines) {
        out.extend_from_slice(line.unwrap().as_bytes());
        out.push(b'\n');
    }
    out
}

fn importers(dir: &Path) -> Vec<Importer> {
    let read = |p: &str| std::fs::read(shared_data(p)).unwrap();
    let ban = dir.join("adresses-75-start.csv");
    std::fs::write(&ban, ban_prefix(3001)).unwrap();
    vec![
        Importer {
            name: "sectors",
            args: &["--territory", "paris", "--year", "2024-2025", "--replace"],
            valid: shared_data("fixtures/paris-75111-secteurs-subset.geojson"),
            victim: read("paris/secteurs-colleges-2024-2025.geojson"),
            too_long: "the map is 1073742021 bytes, more than the 268435456 bytes (256 MiB)",
            json: true,
        },
        Importer {
            name: "schools",
            args: &[],
            valid: shared_data("national/colleges-geolocalisation.csv"),
            victim: read("national/colleges-geolocalisation.csv"),
            too_long: "line 2 is longer than 1 MiB",
            json: false,
        },
        Importer {
            name: "ips",
            args: &[],
            valid: shared_data("national/ips-colleges-2022.csv"),
            victim: read("national/ips-colleges-2022.csv"),
            too_long: "line 2 is longer than 1 MiB",
            json: false,
        },
        Importer {
            name: "holidays",
            args: &[],
            valid: shared_data("calendrier-scolaire/Zone-A-B-C-Corse-2021.ics"),
            victim: read("calendrier-scolaire/Zone-A-B-C-Corse-2021.ics"),
            too_long: "line 2 is longer than 1 MiB",
            json: false,
        },
        Importer {
            name: "addresses",
            args: &[],
            victim: ban_prefix(20_000),
            valid: ban,
            too_long: "line 2 is longer than 1 MiB",
            json: false,
        },
        Importer {
            name: "carte-scolaire",
            args: &["--year", "2023-2024"],
            valid: shared_data("ille-et-vilaine/fr-en-carte-scolaire-colleges-publics.csv"),
            victim: read("ille-et-vilaine/fr-en-carte-scolaire-colleges-publics.csv"),
            too_long: "line 2 is longer than 1 MiB",
            json: false,
        },
    ]
}

/// A cut in the middle of a line, on an ASCII byte, near the middle of the file.
fn middle_of_a_line(bytes: &[u8]) -> usize {
    let mut at = bytes.len() / 2;
    while !bytes[at].is_ascii() || bytes[at] == b'\n' || bytes[at - 1] == b'\n' {
        at += 1;
    }
    at
}

fn with_inserted(bytes: &[u8], at: usize, insert: &[u8]) -> Vec<u8> {
    [&bytes[..at], insert, &bytes[at..]].concat()
}

/// The broken variants of a real file, with what the error must say.
fn broken(importer: &Importer) -> Vec<(&'static str, Vec<u8>, &'static str)> {
    let bytes = &importer.victim;
    let at = middle_of_a_line(bytes);
    // For JSON, inside a string, where any byte must be valid text.
    let in_string = if importer.json {
        at + bytes[at..].iter().position(|&b| b == b'"').unwrap() + 2
    } else {
        at
    };
    let (truncated, nul, latin1) = if importer.json {
        ("EOF while parsing", "line", "line")
    } else {
        (
            "ends without a line break: the file looks truncated",
            "holds a NUL byte",
            "is not valid UTF-8",
        )
    };
    vec![
        ("truncated", bytes[..at].to_vec(), truncated),
        ("NUL byte", with_inserted(bytes, in_string, b"\0"), nul),
        (
            "Latin-1",
            with_inserted(bytes, in_string, b"\xE9t\xE9"),
            latin1,
        ),
    ]
}

async fn every_importer_refuses_hostile_files(db: TestDb) {
    let big = BigLine::shared();
    let importers = importers(db.dir());
    for importer in &importers {
        let mut args = vec!["import", importer.name, importer.valid.to_str().unwrap()];
        args.extend(importer.args);
        db.cli_ok(&args);
    }
    let before = snapshot(&db).await;
    assert!(before.iter().all(|rows| !rows.is_empty()), "{before:?}");

    let run = |path: &Path, importer: &Importer| {
        let mut args = vec!["import", importer.name, path.to_str().unwrap()];
        args.extend(importer.args);
        db.cli_err(&args)
    };
    for importer in &importers {
        for (what, bytes, expected) in broken(importer) {
            let path = db.dir().join(format!("{}-{what}", importer.name));
            std::fs::write(&path, bytes).unwrap();
            let line = run(&path, importer);
            assert!(
                line.starts_with("error: ") && line.contains(expected),
                "{} with a {what}: {line}",
                importer.name
            );
            assert!(
                line.contains("line "),
                "{} with a {what}: no line named in {line}",
                importer.name
            );
        }
        let line = run(&big.path(), importer);
        assert!(
            line.contains(importer.too_long),
            "{} with a 1 GB line: {line}",
            importer.name
        );
    }
    // Gzip files are checked once inflated, as they are read.
    for name in ["addresses", "carte-scolaire"] {
        let importer = importers.iter().find(|i| i.name == name).unwrap();
        let line = run(&big.gz(), importer);
        assert!(
            line.contains("line 2 is longer than 1 MiB"),
            "{name}, 1 GB line gzipped: {line}"
        );
    }
    // A calendar cut between two lines ends without END:VCALENDAR.
    let holidays = importers.iter().find(|i| i.name == "holidays").unwrap();
    let at = middle_of_a_line(&holidays.victim);
    let line_end = at
        + holidays.victim[at..]
            .iter()
            .position(|&b| b == b'\n')
            .unwrap();
    let path = db.dir().join("holidays-cut-at-a-line-end.ics");
    std::fs::write(&path, &holidays.victim[..=line_end]).unwrap();
    let line = run(&path, holidays);
    assert!(line.contains("does not end with END:VCALENDAR"), "{line}");

    assert!(
        snapshot(&db).await == before,
        "a failed import changed the database"
    );
}

both_backends!(every_importer_refuses_hostile_files);

/// The tables that requests of people and organisers write, counted.
const PEOPLE_TABLES: &[&str] = &[
    "contact_requests",
    "referents",
    "proposals",
    "meetings",
    "meeting_sectors",
    "registrations",
    "outbox",
];

async fn row_counts(db: &TestDb) -> Vec<(&'static str, i64)> {
    let conn = Database::connect(db.url.as_str()).await.expect("connect");
    let backend = conn.get_database_backend();
    let mut counts = Vec::new();
    for table in PEOPLE_TABLES {
        let sql = format!("SELECT COUNT(*) AS n FROM {table}");
        let row = conn
            .query_one_raw(Statement::from_string(backend, sql))
            .await
            .unwrap()
            .unwrap();
        counts.push((*table, row.try_get_by_index::<i64>(0).unwrap()));
    }
    conn.close().await.ok();
    counts
}

/// A hostile request: what it is, method, path, JSON body, token, and the
/// words its problem must hold.
type Case<'a> = (
    String,
    &'static str,
    String,
    serde_json::Value,
    Option<&'a str>,
    &'static str,
);

/// Hostile values of a one-line field: a line break that would add a mail
/// header, a CSV row or an iCalendar property, and markup.
const BREAKS_AND_MARKUP: [&str; 4] = [
    "Julien\r\nBcc: victime@example.org",
    "Julien\nDESCRIPTION:piège",
    "<script>alert(1)</script>",
    "Ju\u{0}lien",
];

/// The probe's requests: bad coordinates, NaN and infinities, a huge body,
/// deeply nested JSON, line breaks and markup in every one-line field that
/// reaches a page, a mail, a CSV or an `.ics`. Each gets a 4xx problem
/// naming the problem, and not one row changes.
async fn hostile_requests_change_nothing(db: TestDb) {
    use axum::body::Body;
    use http::{Request, StatusCode};
    use passerelle::app;
    use serde_json::json;

    use crate::common::api::{family, send};
    use crate::common::{get, oneshot};

    let token = crate::common::api::setup(&db);
    let state = db.state().await;
    let app = app(state.clone());
    let meeting = crate::common::meetings::create_meeting(&app, &token, 10).await;
    let sector = crate::common::meetings::sector_id(&app, "0750607C").await;
    let before = row_counts(&db).await;
    let meeting_before = get(&app, &format!("/api/v1/meetings/{meeting}")).await.body;

    let referent = |first_name: &str, email: &str, phone: &str| {
        json!({
            "first_name": first_name, "email": email, "phone": phone, "uai": "0750607C",
            "child_grade": "6e", "languages": ["fr"], "monthly_capacity": 2, "consent": true
        })
    };
    let a_meeting = || {
        crate::common::meetings::meeting(
            sector,
            &crate::common::meetings::on("03-12T18:30"),
            &crate::common::meetings::on("03-12T20:00"),
            10,
        )
    };
    let mut cases: Vec<Case<'_>> = Vec::new();
    // Each case its own address, so that no rate limit answers first.
    for (i, bad) in BREAKS_AND_MARKUP.into_iter().enumerate() {
        let mut request = family("Julien");
        request["first_name"] = json!(bad);
        request["email"] = json!(format!("julien{i}@famille.example"));
        cases.push((
            format!("request first_name {bad:?}"),
            "POST",
            "/api/v1/contact-requests".into(),
            request,
            None,
            "prénom",
        ));
        cases.push((
            format!("referent first_name {bad:?}"),
            "POST",
            "/api/v1/referents".into(),
            referent(bad, &format!("amina{i}@parents.example"), "06 11 22 33 44"),
            None,
            "prénom",
        ));
        cases.push((
            format!("registration name {bad:?}"),
            "POST",
            format!("/api/v1/meetings/{meeting}/registrations"),
            json!({"name": bad, "email": format!("lea{i}@example.org")}),
            None,
            "prénom",
        ));
        for (pointer, words) in [
            ("/title", "titre"),
            ("/venue/name", "nom du lieu"),
            ("/venue/address", "adresse du lieu"),
        ] {
            let mut body = a_meeting();
            *body.pointer_mut(pointer).unwrap() = json!(bad);
            cases.push((
                format!("meeting {pointer} {bad:?}"),
                "POST",
                "/api/v1/meetings".into(),
                body,
                Some(&token),
                words,
            ));
        }
        let mut online = a_meeting();
        online["online_url"] = json!(format!("https://visio.example.org/{bad}"));
        cases.push((
            format!("meeting online_url {bad:?}"),
            "POST",
            "/api/v1/meetings".into(),
            online,
            Some(&token),
            "online_url",
        ));
        cases.push((
            format!("meeting patch title {bad:?}"),
            "PATCH",
            format!("/api/v1/meetings/{meeting}"),
            json!({"title": bad}),
            Some(&token),
            "titre",
        ));
        cases.push((
            format!("meeting patch venue {bad:?}"),
            "PATCH",
            format!("/api/v1/meetings/{meeting}"),
            json!({"venue": {"name": bad, "address": "8 rue du Général Renault"}}),
            Some(&token),
            "nom du lieu",
        ));
    }
    // E-mails and phone numbers with a line break in them.
    for (field, words) in [("email", "e-mail"), ("phone", "téléphone")] {
        let mut request = family("Julien");
        request[field] = json!(format!(
            "{}\r\nBcc: victime@example.org",
            request[field].as_str().unwrap()
        ));
        cases.push((
            format!("request {field} with CR/LF"),
            "POST",
            "/api/v1/contact-requests".into(),
            request,
            None,
            words,
        ));
    }
    for (email, phone, words) in [
        (
            "amina@parents.example\r\nBcc: victime@example.org",
            "06 11 22 33 44",
            "e-mail",
        ),
        (
            "amina.tel@parents.example",
            "06 11\r\n22 33 44",
            "téléphone",
        ),
    ] {
        cases.push((
            format!("referent {words} with CR/LF"),
            "POST",
            "/api/v1/referents".into(),
            referent("Amina", email, phone),
            None,
            words,
        ));
    }
    // Several lines are fine in a family's questions; other control
    // characters are not.
    let mut request = family("Julien");
    request["email"] = json!("julien.questions@famille.example");
    request["concerns"] = json!("La cantine ?\u{7}\u{1b}[2J");
    cases.push((
        "request concerns with control characters".into(),
        "POST",
        "/api/v1/contact-requests".into(),
        request,
        None,
        "vos questions",
    ));
    let mut body = a_meeting();
    body["description"] = json!("Ordre du jour\u{0}");
    cases.push((
        "meeting description with NUL".into(),
        "POST",
        "/api/v1/meetings".into(),
        body,
        Some(&token),
        "description",
    ));
    cases.push((
        "registration email with CR/LF".into(),
        "POST",
        format!("/api/v1/meetings/{meeting}/registrations"),
        json!({"name": "Léa", "email": "lea@example.org\r\nBcc: victime@example.org"}),
        None,
        "e-mail",
    ));
    // Coordinates that are not a place on Earth.
    for (i, (lat, lon)) in [(91.0, 2.37), (48.85, 181.0), (-90.5, 0.0), (f64::MAX, 2.0)]
        .into_iter()
        .enumerate()
    {
        let mut request = family("Julien");
        request["email"] = json!(format!("julien.geo{i}@famille.example"));
        request["lat"] = json!(lat);
        request["lon"] = json!(lon);
        cases.push((
            format!("request at ({lat}, {lon})"),
            "POST",
            "/api/v1/contact-requests".into(),
            request,
            None,
            "",
        ));
        let mut body = a_meeting();
        body["venue"]["lat"] = json!(lat);
        body["venue"]["lon"] = json!(lon);
        cases.push((
            format!("venue at ({lat}, {lon})"),
            "POST",
            "/api/v1/meetings".into(),
            body,
            Some(&token),
            "",
        ));
    }
    for (what, method, path, body, token, words) in &cases {
        let reply = send(&app, method, path, Some(body.clone()), *token).await;
        assert!(
            reply.status.is_client_error(),
            "{what}: {} {}",
            reply.status,
            String::from_utf8_lossy(&reply.body)
        );
        let detail = reply.problem(reply.status);
        assert!(detail.contains(words), "{what}: {detail}");
        assert_eq!(row_counts(&db).await, before, "{what} changed the database");
    }

    // Numbers JSON cannot hold, and NaN or infinities in a query.
    for raw in [
        r#"{"first_name":"Julien","lat":NaN,"lon":2.37}"#.to_owned(),
        r#"{"first_name":"Julien","lat":Infinity,"lon":2.37}"#.to_owned(),
        r#"{"first_name":"Julien","lat":1e999,"lon":2.37}"#.to_owned(),
        // Deeply nested JSON.
        format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)),
        format!(
            r#"{{"first_name":{}1{}}}"#,
            "{\"a\":".repeat(50_000),
            "}".repeat(50_000)
        ),
        // A huge body: over the 1 MiB limit.
        format!(r#"{{"first_name":"{}"}}"#, "x".repeat(2 << 20)),
    ] {
        let request = Request::post("/api/v1/contact-requests")
            .header("content-type", "application/json")
            .body(Body::from(raw.clone()))
            .unwrap();
        let reply = oneshot(&app, request).await;
        assert!(
            reply.status.is_client_error(),
            "{}…: {}",
            &raw[..40],
            reply.status
        );
        assert_eq!(
            reply.content_type,
            "application/problem+json",
            "{}…",
            &raw[..40]
        );
        assert_eq!(row_counts(&db).await, before);
    }
    for query in [
        "lat=NaN&lon=2.37",
        "lat=inf&lon=2.37",
        "lat=-infinity&lon=2.37",
        "lat=1e999&lon=2.37",
        "lat=48.85&lon=181",
        "lat=91&lon=2.37",
        "lat=48.85&lon=%0D%0A",
    ] {
        let reply = get(&app, &format!("/api/v1/sectors/lookup?{query}")).await;
        assert!(reply.status.is_client_error(), "{query}: {}", reply.status);
        assert_eq!(reply.content_type, "application/problem+json", "{query}");
    }
    // The organizer's page says it beside each field, in French.
    let web = crate::common::meetings::WebClient::organizer(&state, "web@asso.example").await;
    let before = row_counts(&db).await;
    let sector_text = sector.to_string();
    let (starts, ends) = (
        crate::common::meetings::on("03-12T18:30"),
        crate::common::meetings::on("03-12T20:00"),
    );
    let page = web
        .post(
            &app,
            "/organisation/reunions",
            &[
                ("title", "<script>alert(1)</script>"),
                ("venue_name", "Salle\r\nBcc: victime@example.org"),
                ("venue_address", "8 rue <b>Renault</b>"),
                ("starts_at", &starts),
                ("ends_at", &ends),
                ("capacity", "20"),
                ("sector_ids", &sector_text),
            ],
        )
        .await;
    assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY);
    for (field, words) in [
        ("title", "Le titre tient sur une ligne"),
        ("venue_name", "Le nom du lieu tient sur une ligne"),
        ("venue_address", "L&#39;adresse du lieu tient sur une ligne"),
    ] {
        let beside: String = page
            .body
            .split(&format!(r#"id="{field}-err""#))
            .nth(1)
            .unwrap_or_else(|| panic!("no error beside {field}"))
            .chars()
            .take(200)
            .collect();
        assert!(beside.contains(words), "{field}: {beside}");
    }
    assert!(!page.body.contains("<script>alert(1)"));
    assert_eq!(row_counts(&db).await, before);

    // Organisers' accounts are named by their e-mail address.
    for email in [
        "orga@asso.example\r\nBcc: victime@example.org",
        "orga\n@asso.example",
    ] {
        let refused = passerelle_app::accounts::create(
            &state,
            email,
            passerelle_app::access::Role::Organizer,
            "une phrase de passe assez longue 42",
            None,
        )
        .await;
        assert!(refused.is_err(), "{email:?}");
    }
    assert!(
        db.store()
            .await
            .account_by_email("orga@asso.example")
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(row_counts(&db).await, before);
    assert_eq!(
        get(&app, &format!("/api/v1/meetings/{meeting}")).await.body,
        meeting_before,
        "a refused change changed the meeting"
    );
    let _ = StatusCode::OK;
}

/// Text that legitimately holds several lines (a meeting's description,
/// a family's questions) is kept, and escaped wherever it is shown: the
/// page, the `.ics` and the organisers' CSV.
async fn multi_line_text_is_escaped_where_shown(db: TestDb) {
    use http::StatusCode;
    use passerelle::app;
    use serde_json::json;

    use crate::common::api::send;
    use crate::common::get;

    let token = crate::common::api::setup(&db);
    let state = db.state().await;
    let app = app(state.clone());
    let sector = crate::common::meetings::sector_id(&app, "0750607C").await;
    let description = "Ordre du jour :\r\n<script>alert(1)</script>\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:piège";
    let mut body = crate::common::meetings::meeting(
        sector,
        &crate::common::meetings::on("03-12T18:30"),
        &crate::common::meetings::on("03-12T20:00"),
        10,
    );
    body["description"] = json!(description);
    body["title"] = json!("Parents, \"questions\"; réponses & café");
    let reply = send(&app, "POST", "/api/v1/meetings", Some(body), Some(&token)).await;
    assert_eq!(reply.status, StatusCode::CREATED);
    let id = reply.json()["id"].as_i64().unwrap();

    let page = crate::common::meetings::WebClient::anonymous()
        .get(&app, &format!("/reunions/{id}"))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("<script>alert(1)"), "{}", page.body);
    assert!(
        ["&lt;script&gt;alert(1)", "&#60;script&#62;alert(1)"]
            .iter()
            .any(|escaped| page.body.contains(escaped)),
        "{}",
        page.body
    );

    let ics =
        String::from_utf8(get(&app, &format!("/api/v1/meetings/{id}.ics")).await.body).unwrap();
    let lines: Vec<&str> = ics.split("\r\n").collect();
    assert_eq!(
        lines.iter().filter(|l| **l == "BEGIN:VEVENT").count(),
        1,
        "{ics}"
    );
    assert!(
        !lines.iter().any(|l| l.starts_with("SUMMARY:piège")),
        "{ics}"
    );
    let mut parser = ical::IcalParser::new(std::io::BufReader::new(ics.as_bytes()));
    let calendar = parser.next().unwrap().unwrap();
    assert_eq!(calendar.events.len(), 1);
    let shown = calendar.events[0]
        .properties
        .iter()
        .find(|p| p.name == "DESCRIPTION")
        .and_then(|p| p.value.clone())
        .unwrap();
    let shown = passerelle_calendar::text::unescape_text(&shown);
    assert_eq!(
        shown.replace("\r\n", "\n"),
        description.replace("\r\n", "\n")
    );

    // The CSV keeps a name with commas and quotes in one cell.
    let name = "Dupont, \"Mimi\" Marie";
    let reply = send(
        &app,
        "POST",
        &format!("/api/v1/meetings/{id}/registrations"),
        Some(json!({"name": name, "email": "mimi@example.org"})),
        None,
    )
    .await;
    assert_eq!(reply.status, StatusCode::CREATED);
    let csv = send(
        &app,
        "GET",
        &format!("/api/v1/meetings/{id}/registrations?format=csv"),
        None,
        Some(&token),
    )
    .await
    .body;
    let mut reader = csv::Reader::from_reader(csv.as_slice());
    let row = reader.records().next().unwrap().unwrap();
    assert_eq!(row.len(), 6);
    assert_eq!(&row[1], name);
}

both_backends!(
    hostile_requests_change_nothing,
    multi_line_text_is_escaped_where_shown
);
