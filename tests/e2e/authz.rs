//! The authorization matrix: every endpoint of the API (checked against the
//! OpenAPI document) and every page, for each role and for anonymous
//! callers, on both backends. Then what each role may *see*: a referent
//! only their own proposals, contact details only after acceptance, an
//! organizer limited to a sector nothing of the others, and private links
//! that are unguessable and expire.
use axum::Router;
use axum::body::Body;
use http::{Request, StatusCode, header};
use passerelle::app;
use passerelle_app::access::Role;
use passerelle_app::accounts;
use passerelle_web::{CSRF_COOKIE, SESSION_COOKIE};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::common::api::{ask, send, setup, volunteer};
use crate::common::meetings::{meeting, sector_id};
use crate::common::{Reply, TestDb, both_backends, get, oneshot, urlencode};

/// The sector of the limited organizer, and one it must not see.
const UAI_A: &str = "0750607C";
const UAI_B: &str = "0750465Y";
/// A home in sector B (`matching::ask` asks from sector A).
const HOME_B: (f64, f64) = (48.86753, 2.37159);
const PASSWORD: &str = "un mot de passe assez long";

/// The callers of every row, in this order.
const ROLES: [&str; 5] = [
    "anonymous",
    "referent",
    "limited organizer",
    "organizer",
    "admin",
];

/// Everything the matrix refers to.
struct World {
    app: Router,
    tokens: [Option<String>; 5],
    sector_a: i64,
    sector_b: i64,
    meeting_a: i64,
    meeting_b: i64,
    space_a: String,
    space_b: String,
    status_a: String,
    proposal_b: i64,
    registration: String,
    /// The feed of the registered person's meetings, from the mail.
    feed: String,
}

fn token(db: &TestDb, role: &str, name: &str, sector: Option<&str>) -> String {
    let mut args = vec!["token", "create", "--role", role, "--name", name];
    if let Some(sector) = sector {
        args.extend(["--sector", sector]);
    }
    db.cli_ok(&args).trim().to_owned()
}

async fn world(db: &TestDb) -> World {
    let organizer = setup(db);
    let tokens = [
        None,
        Some(token(db, "referent", "ref", None)),
        Some(token(db, "organizer", "limited", Some(UAI_A))),
        Some(organizer),
        Some(token(db, "admin", "admin", None)),
    ];
    let state = db.state().await;
    for (email, role, sectors) in [
        ("admin@asso.example", Role::Admin, None),
        ("orga@asso.example", Role::Organizer, None),
        (
            "limited@asso.example",
            Role::Organizer,
            Some(vec![UAI_A.to_owned()]),
        ),
    ] {
        accounts::create(&state, email, role, PASSWORD, sectors)
            .await
            .unwrap();
    }
    let app = app(state);
    let space_a = volunteer(&app, "Amina", 2).await;
    let space_b = send(
        &app,
        "POST",
        "/api/v1/referents",
        Some(json!({
            "first_name": "Bruno", "email": "bruno@parents.example", "uai": UAI_B,
            "child_grade": "5e", "monthly_capacity": 2, "consent": true
        })),
        None,
    )
    .await
    .json()["space_url"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status_a, proposed) = ask(&app, "Julien").await;
    assert!(proposed);
    let lookup = get(
        &app,
        &format!("/api/v1/sectors/lookup?lat={}&lon={}", HOME_B.0, HOME_B.1),
    )
    .await
    .json();
    assert_eq!(lookup["schools"][0]["uai"], UAI_B, "{lookup}");
    let family_b = send(
        &app,
        "POST",
        "/api/v1/contact-requests",
        Some(json!({
            "first_name": "Chloé", "email": "chloe@famille.example", "lat": HOME_B.0, "lon": HOME_B.1,
            "child_grade": "CM2", "languages": ["fr"], "preferred_contact": "email", "consent": true
        })),
        None,
    )
    .await;
    assert_eq!(family_b.status, StatusCode::CREATED);
    let proposal_b = get(&app, &space_b).await.json()["proposals"][0]["id"]
        .as_i64()
        .unwrap();
    let sector_a = sector_id(&app, UAI_A).await;
    let sector_b = sector_id(&app, UAI_B).await;
    let admin = tokens[4].as_deref();
    let mut meetings = Vec::new();
    for sector in [sector_a, sector_b] {
        let created = send(
            &app,
            "POST",
            "/api/v1/meetings",
            Some(meeting(
                sector,
                &crate::common::meetings::on("03-12T18:30"),
                &crate::common::meetings::on("03-12T20:00"),
                10,
            )),
            admin,
        )
        .await;
        assert_eq!(created.status, StatusCode::CREATED);
        meetings.push(created.json()["id"].as_i64().unwrap());
    }
    let registered = send(
        &app,
        "POST",
        &format!("/api/v1/meetings/{}/registrations", meetings[0]),
        Some(json!({"name": "Léa", "email": "lea@example.org"})),
        None,
    )
    .await;
    assert_eq!(registered.status, StatusCode::CREATED);
    let registration =
        crate::common::meetings::registration_links(db, meetings[0], "lea@example.org")
            .await
            .link();
    let feed =
        crate::common::meetings::mailed_link(db, "lea@example.org", "confirmation", "/feed.ics")
            .await;
    World {
        app,
        tokens,
        sector_a,
        sector_b,
        meeting_a: meetings[0],
        meeting_b: meetings[1],
        space_a,
        space_b,
        status_a,
        proposal_b,
        registration,
        feed,
    }
}

/// One row: a route of the OpenAPI document, the request that exercises
/// it, and the status each role gets.
struct Row {
    method: &'static str,
    route: &'static str,
    uri: String,
    body: Option<Value>,
    expect: [u16; 5],
}

fn row(method: &'static str, route: &'static str, uri: String, expect: [u16; 5]) -> Row {
    Row {
        method,
        route,
        uri,
        body: None,
        expect,
    }
}

fn with(mut r: Row, body: Value) -> Row {
    r.body = Some(body);
    r
}

const PUBLIC: [u16; 5] = [200; 5];
const STAFF: [u16; 5] = [401, 403, 200, 200, 200];
/// What concerns every sector is not for an organizer limited to one.
const ALL_SECTORS: [u16; 5] = [401, 403, 403, 200, 200];
/// Another sector's meeting does not exist for the limited organizer.
const OTHER_SECTOR: [u16; 5] = [401, 403, 404, 200, 200];
/// Unknown for everyone: a private link works for whoever holds it, token
/// or not, and a wrong one for nobody.
const GONE: [u16; 5] = [404; 5];

fn api_rows(w: &World) -> Vec<Row> {
    let (a, b) = (w.meeting_a, w.meeting_b);
    let (sa, sb) = (w.sector_a, w.sector_b);
    let bogus = format!("x{}", "0".repeat(64));
    vec![
        row("get", "/health", "/health".into(), PUBLIC),
        row("get", "/api/v1/sectors", "/api/v1/sectors".into(), PUBLIC),
        row(
            "get",
            "/api/v1/sectors/lookup",
            "/api/v1/sectors/lookup?lat=48.856095&lon=2.376293".into(),
            PUBLIC,
        ),
        // No address file here: the same answer for everyone.
        row(
            "get",
            "/api/v1/geocode",
            "/api/v1/geocode?q=rue".into(),
            GONE,
        ),
        row(
            "get",
            "/api/v1/sectors/{id}",
            format!("/api/v1/sectors/{sb}"),
            PUBLIC,
        ),
        with(
            row(
                "post",
                "/api/v1/sectors/import",
                "/api/v1/sectors/import?territory=x&year=2024-2025".into(),
                [401, 403, 403, 422, 422],
            ),
            json!({"type": "FeatureCollection", "features": []}),
        ),
        row(
            "get",
            "/api/v1/referents",
            "/api/v1/referents".into(),
            STAFF,
        ),
        with(
            row(
                "post",
                "/api/v1/referents",
                "/api/v1/referents".into(),
                [422; 5],
            ),
            json!({"first_name": "A", "email": "a@b.fr", "uai": UAI_A, "child_grade": "6e", "monthly_capacity": 2, "consent": false}),
        ),
        row(
            "get",
            "/api/v1/referents/space/{secret}",
            w.space_a.clone(),
            PUBLIC,
        ),
        with(
            row(
                "patch",
                "/api/v1/referents/space/{secret}",
                w.space_a.clone(),
                PUBLIC,
            ),
            json!({}),
        ),
        row(
            "delete",
            "/api/v1/referents/space/{secret}",
            format!("/api/v1/referents/space/{bogus}"),
            GONE,
        ),
        row(
            "get",
            "/api/v1/referents/space/{secret}/export",
            format!("{}/export", w.space_a),
            PUBLIC,
        ),
        // A referent's link cannot answer another referent's proposal.
        row(
            "post",
            "/api/v1/referents/space/{secret}/proposals/{id}/accept",
            format!("{}/proposals/{}/accept", w.space_a, w.proposal_b),
            GONE,
        ),
        row(
            "post",
            "/api/v1/referents/space/{secret}/proposals/{id}/decline",
            format!("{}/proposals/{}/decline", w.space_a, w.proposal_b),
            GONE,
        ),
        row(
            "get",
            "/api/v1/contact-requests",
            "/api/v1/contact-requests".into(),
            STAFF,
        ),
        with(
            row(
                "post",
                "/api/v1/contact-requests",
                "/api/v1/contact-requests".into(),
                [422; 5],
            ),
            json!({"first_name": "A", "email": "a@b.fr", "lat": 48.856095, "lon": 2.376293, "child_grade": "CM2", "preferred_contact": "email", "consent": false}),
        ),
        row(
            "get",
            "/api/v1/contact-requests/status/{secret}",
            w.status_a.clone(),
            PUBLIC,
        ),
        row(
            "delete",
            "/api/v1/contact-requests/status/{secret}",
            format!("/api/v1/contact-requests/status/{bogus}"),
            GONE,
        ),
        row(
            "get",
            "/api/v1/contact-requests/status/{secret}/export",
            format!("{}/export", w.status_a),
            PUBLIC,
        ),
        row(
            "post",
            "/api/v1/contact-requests/status/{secret}/withdraw",
            format!("/api/v1/contact-requests/status/{bogus}/withdraw"),
            GONE,
        ),
        with(
            row(
                "post",
                "/api/v1/contact-requests/status/{secret}/feedback",
                format!("/api/v1/contact-requests/status/{bogus}/feedback"),
                GONE,
            ),
            json!({"met": true}),
        ),
        row(
            "get",
            "/api/v1/proposals",
            "/api/v1/proposals".into(),
            STAFF,
        ),
        row(
            "post",
            "/api/v1/matching/run",
            "/api/v1/matching/run".into(),
            ALL_SECTORS,
        ),
        row(
            "get",
            "/api/v1/matching/coverage",
            "/api/v1/matching/coverage".into(),
            STAFF,
        ),
        row("get", "/api/v1/figures", "/api/v1/figures".into(), PUBLIC),
        row("get", "/api/v1/meetings", "/api/v1/meetings".into(), PUBLIC),
        with(
            row(
                "post",
                "/api/v1/meetings",
                "/api/v1/meetings".into(),
                [401, 403, 201, 201, 201],
            ),
            meeting(
                sa,
                &crate::common::meetings::on("04-02T18:30"),
                &crate::common::meetings::on("04-02T20:00"),
                5,
            ),
        ),
        // The limited organizer may not organise in another sector.
        with(
            row(
                "post",
                "/api/v1/meetings",
                "/api/v1/meetings".into(),
                [401, 403, 403, 201, 201],
            ),
            meeting(
                sb,
                &crate::common::meetings::on("04-03T18:30"),
                &crate::common::meetings::on("04-03T20:00"),
                5,
            ),
        ),
        row(
            "get",
            "/api/v1/meetings/{id}",
            format!("/api/v1/meetings/{b}"),
            PUBLIC,
        ),
        with(
            row(
                "patch",
                "/api/v1/meetings/{id}",
                format!("/api/v1/meetings/{a}"),
                STAFF,
            ),
            json!({}),
        ),
        with(
            row(
                "patch",
                "/api/v1/meetings/{id}",
                format!("/api/v1/meetings/{b}"),
                OTHER_SECTOR,
            ),
            json!({}),
        ),
        row(
            "get",
            "/api/v1/meetings/{id}/registrations",
            format!("/api/v1/meetings/{a}/registrations"),
            STAFF,
        ),
        row(
            "get",
            "/api/v1/meetings/{id}/registrations",
            format!("/api/v1/meetings/{b}/registrations"),
            OTHER_SECTOR,
        ),
        // Public: a token neither helps nor hinders.
        with(
            row(
                "post",
                "/api/v1/meetings/{id}/registrations",
                format!("/api/v1/meetings/{b}/registrations"),
                [201; 5],
            ),
            // One person per role: an e-mail registers once per meeting.
            json!({"name": "Marc", "email": "marc.{role}@example.org"}),
        ),
        // Cancelled by the organizer; the admin finds it cancelled already.
        row(
            "post",
            "/api/v1/meetings/{id}/cancel",
            format!("/api/v1/meetings/{b}/cancel"),
            [401, 403, 404, 200, 409],
        ),
        row(
            "get",
            "/api/v1/registrations/{secret}/invite.ics",
            format!("{}/invite.ics", w.registration),
            PUBLIC,
        ),
        row(
            "get",
            "/api/v1/registrations/{secret}/feed.ics",
            w.feed.clone(),
            PUBLIC,
        ),
        row(
            "get",
            "/api/v1/registrations/{secret}/export",
            format!("{}/export", w.registration),
            PUBLIC,
        ),
        row(
            "delete",
            "/api/v1/registrations/{secret}",
            format!("/api/v1/registrations/{bogus}"),
            GONE,
        ),
        row(
            "post",
            "/api/v1/registrations/{secret}/cancel",
            format!("/api/v1/registrations/{bogus}/cancel"),
            GONE,
        ),
        row(
            "get",
            "/api/v1/sectors/{id}/meetings.ics",
            format!("/api/v1/sectors/{sa}/meetings.ics"),
            PUBLIC,
        ),
        row(
            "get",
            "/api/v1/sectors/{id}/slot-suggestions",
            format!("/api/v1/sectors/{sa}/slot-suggestions"),
            PUBLIC,
        ),
        row(
            "get",
            "/api/v1/openapi.json",
            "/api/v1/openapi.json".into(),
            PUBLIC,
        ),
    ]
}

/// Every (method, route) of the OpenAPI document.
async fn documented(app: &Router) -> Vec<(String, String)> {
    let doc = get(app, "/api/v1/openapi.json").await.json();
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            out.push((method.clone(), path.clone()));
        }
    }
    out
}

async fn api_matrix(db: TestDb) {
    let w = world(&db).await;
    let rows = api_rows(&w);
    for (method, route) in documented(&w.app).await {
        assert!(
            rows.iter().any(|r| r.method == method && r.route == route),
            "{method} {route} is documented but missing from the matrix"
        );
    }
    let mut failures = Vec::new();
    for r in &rows {
        for (i, role) in ROLES.iter().enumerate() {
            let body = r.body.as_ref().map(|b| {
                serde_json::from_str(&b.to_string().replace("{role}", &i.to_string())).unwrap()
            });
            let reply = send(
                &w.app,
                &r.method.to_uppercase(),
                &r.uri,
                body,
                w.tokens[i].as_deref(),
            )
            .await;
            if reply.status.as_u16() != r.expect[i] {
                failures.push(format!(
                    "{} {} as {role}: {} instead of {} ({})",
                    r.method,
                    r.uri,
                    reply.status.as_u16(),
                    r.expect[i],
                    String::from_utf8_lossy(&reply.body)
                        .chars()
                        .take(200)
                        .collect::<String>()
                ));
            }
            if reply.status.is_client_error() {
                assert_eq!(reply.content_type, "application/problem+json", "{}", r.uri);
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// What the limited organizer's token lists is of its own sector only.
async fn limited_organizers_see_nothing_of_other_sectors(db: TestDb) {
    let w = world(&db).await;
    let (limited, full) = (w.tokens[2].as_deref(), w.tokens[3].as_deref());
    let list = |reply: Reply| reply.json().as_array().unwrap().clone();
    let requests = list(send(&w.app, "GET", "/api/v1/contact-requests", None, limited).await);
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0]["sector_uais"], UAI_A);
    assert_eq!(
        list(send(&w.app, "GET", "/api/v1/contact-requests", None, full).await).len(),
        2
    );
    let referents = list(send(&w.app, "GET", "/api/v1/referents", None, limited).await);
    assert_eq!(referents.len(), 1);
    assert_eq!(referents[0]["first_name"], "Amina");
    let proposals = list(send(&w.app, "GET", "/api/v1/proposals", None, limited).await);
    assert_eq!(proposals.len(), 1);
    assert_ne!(proposals[0]["id"], w.proposal_b);
    assert_eq!(
        list(send(&w.app, "GET", "/api/v1/proposals", None, full).await).len(),
        2
    );
    let coverage = list(send(&w.app, "GET", "/api/v1/matching/coverage", None, limited).await);
    assert!(!coverage.is_empty());
    assert!(coverage.iter().all(|r| r["uais"] == UAI_A), "{coverage:?}");
    let csv = send(
        &w.app,
        "GET",
        "/api/v1/matching/coverage?format=csv",
        None,
        limited,
    )
    .await;
    let text = String::from_utf8(csv.body).unwrap();
    assert!(!text.contains(UAI_B) && text.contains(UAI_A), "{text}");
}

/// A referent's link shows their own families only, without contact
/// details until they accept; links are long, and unknown or expired ones
/// are 404.
async fn private_links_show_only_their_own(db: TestDb) {
    let w = world(&db).await;
    let space = get(&w.app, &w.space_a).await.json();
    let proposals = space["proposals"].as_array().unwrap();
    assert_eq!(proposals.len(), 1);
    assert_eq!(proposals[0]["family"]["first_name"], "Julien");
    assert!(proposals[0]["family"]["email"].is_null());
    assert!(!space.to_string().contains("Chloé"));
    let id = proposals[0]["id"].as_i64().unwrap();
    let accepted = send(
        &w.app,
        "POST",
        &format!("{}/proposals/{id}/accept", w.space_a),
        None,
        None,
    )
    .await
    .json();
    assert_eq!(
        accepted["proposals"][0]["family"]["email"],
        "julien@famille.example"
    );
    // Family B's details never reach referent A, even after that.
    assert!(!accepted.to_string().contains("chloe@"));
    for link in [&w.space_a, &w.status_a, &w.registration] {
        let secret = link.rsplit('/').next().unwrap();
        assert!(secret.len() >= 64, "{link}");
        let mut guessed = link.to_string();
        guessed.pop();
        guessed.push(if link.ends_with('0') { '1' } else { '0' });
        let path = if link.contains("/registrations/") {
            format!("{guessed}/invite.ics")
        } else {
            guessed
        };
        assert_eq!(get(&w.app, &path).await.status, StatusCode::NOT_FOUND);
    }
    let _ = w.space_b;
}

async fn private_links_expire(db: TestDb) {
    setup(&db);
    let app = app(db.state_with(&[("PASSERELLE_LINK_TTL_DAYS", "0")]).await);
    let space = volunteer(&app, "Amina", 2).await;
    get(&app, &space).await.problem(StatusCode::NOT_FOUND);
    let (status, _) = ask(&app, "Julien").await;
    get(&app, &status).await.problem(StatusCode::NOT_FOUND);
}

/// A browser: its CSRF cookie, and the session cookie once signed in.
struct Browser {
    csrf_cookie: String,
    session: Option<String>,
}

impl Browser {
    fn new(seed: u8) -> Self {
        Self {
            csrf_cookie: hex::encode([seed; 32]),
            session: None,
        }
    }

    fn cookies(&self) -> String {
        let mut c = format!("{CSRF_COOKIE}={}", self.csrf_cookie);
        if let Some(s) = &self.session {
            c.push_str(&format!("; {SESSION_COOKIE}={s}"));
        }
        c
    }

    fn csrf(&self) -> String {
        hex::encode(Sha256::digest(
            format!("{}:csrf", self.csrf_cookie).as_bytes(),
        ))
    }

    async fn get(&self, app: &Router, uri: &str) -> Reply {
        let request = Request::get(uri)
            .header(header::COOKIE, self.cookies())
            .body(Body::empty())
            .unwrap();
        oneshot(app, request).await
    }

    async fn post_with(
        &mut self,
        app: &Router,
        uri: &str,
        fields: &[(&str, &str)],
    ) -> (Reply, Option<String>) {
        let csrf = self.csrf();
        let body = fields
            .iter()
            .copied()
            .chain([("csrf", csrf.as_str())])
            .map(|(k, v)| format!("{k}={}", urlencode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let request = Request::post(uri)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::COOKIE, self.cookies())
            .body(Body::from(body))
            .unwrap();
        let response = tower::ServiceExt::oneshot(app.clone(), request)
            .await
            .unwrap();
        let location = response
            .headers()
            .get(header::LOCATION)
            .map(|v| v.to_str().unwrap().to_owned());
        for value in response.headers().get_all(header::SET_COOKIE) {
            let text = value.to_str().unwrap();
            if let Some(rest) = text.strip_prefix(&format!("{SESSION_COOKIE}=")) {
                let value = rest.split(';').next().unwrap();
                self.session = (!value.is_empty()).then(|| value.to_owned());
            }
        }
        let status = response.status();
        let body = http_body_util::BodyExt::collect(response.into_body())
            .await
            .unwrap()
            .to_bytes()
            .to_vec();
        (
            Reply {
                status,
                content_type: String::new(),
                body,
            },
            location,
        )
    }
}

/// The sign-in link of the newest mail to `email`.
async fn mailed_link(db: &TestDb, email: &str) -> String {
    let outbox = db.store().await.outbox().await.unwrap();
    let mail = outbox
        .iter()
        .rev()
        .find(|m| m.recipient_email == email && m.kind == "sign_in_link")
        .expect("a sign-in mail");
    mail.body
        .split_whitespace()
        .find(|w| w.contains("/connexion/"))
        .map(|url| url[url.find("/connexion/").unwrap()..].to_owned())
        .unwrap()
}

async fn signed_in(app: &Router, db: &TestDb, role: usize) -> Browser {
    let mut browser = Browser::new(role as u8 + 1);
    match role {
        0 => {}
        1 => {
            let (reply, _) = browser
                .post_with(
                    app,
                    "/referent/connexion",
                    &[("email", "amina@parents.example")],
                )
                .await;
            assert_eq!(reply.status, StatusCode::OK);
            let link = mailed_link(db, "amina@parents.example").await;
            let (_, location) = browser.post_with(app, &link, &[]).await;
            assert_eq!(location.as_deref(), Some("/espace-referent"));
        }
        _ => {
            let email = ["", "", "limited", "orga", "admin"][role];
            let (_, location) = browser
                .post_with(
                    app,
                    "/organisation/connexion",
                    &[
                        ("email", &format!("{email}@asso.example")),
                        ("password", PASSWORD),
                    ],
                )
                .await;
            assert_eq!(location.as_deref(), Some("/organisation"));
        }
    }
    browser
}

/// The pages, for each role signed in through the pages themselves.
async fn page_matrix(db: TestDb) {
    let w = world(&db).await;
    let (a, b) = (w.meeting_a, w.meeting_b);
    let space = w
        .space_a
        .replace("/api/v1/referents/space/", "/espace-referent/");
    let gets: Vec<(String, [u16; 5])> = vec![
        ("/".into(), PUBLIC),
        ("/referent".into(), PUBLIC),
        ("/referent/connexion".into(), PUBLIC),
        ("/organisation/connexion".into(), PUBLIC),
        (format!("/secteur/{}", w.sector_b), PUBLIC),
        (format!("/reunions/{b}"), PUBLIC),
        (space.clone(), PUBLIC),
        ("/espace-referent".into(), [303, 200, 303, 303, 303]),
        ("/organisation".into(), [303, 403, 200, 200, 200]),
        ("/organisation/couverture".into(), [303, 403, 200, 200, 200]),
        ("/organisation/reunions".into(), [303, 403, 200, 200, 200]),
        (
            "/organisation/reunions/nouvelle".into(),
            [303, 403, 200, 200, 200],
        ),
        (
            format!("/organisation/reunions/{a}"),
            [303, 403, 200, 200, 200],
        ),
        (
            format!("/organisation/reunions/{b}"),
            [303, 403, 404, 200, 200],
        ),
        (
            format!("/organisation/reunions/{b}/inscriptions.csv"),
            [303, 403, 404, 200, 200],
        ),
        ("/organisation/comptes".into(), [303, 403, 403, 403, 200]),
    ];
    let posts: Vec<(String, [u16; 5])> = vec![
        // Matching concerns every sector.
        (
            "/organisation/appariement".into(),
            [303, 403, 403, 303, 303],
        ),
        // An empty edit: refused field by field where allowed at all.
        (
            format!("/organisation/reunions/{b}"),
            [303, 403, 404, 422, 422],
        ),
        (
            format!("/organisation/reunions/{a}"),
            [303, 403, 422, 422, 422],
        ),
        ("/organisation/reunions".into(), [303, 403, 422, 422, 422]),
        (
            "/espace-referent/reglages".into(),
            [303, 422, 303, 303, 303],
        ),
        // Without an e-mail: no such account, once past the role check.
        (
            "/organisation/comptes/sessions".into(),
            [303, 403, 403, 403, 404],
        ),
        (
            "/organisation/comptes/desactivation".into(),
            [303, 403, 403, 403, 404],
        ),
    ];
    let mut failures = Vec::new();
    for (i, role) in ROLES.iter().enumerate() {
        let mut browser = signed_in(&w.app, &db, i).await;
        for (uri, expect) in &gets {
            let status = browser.get(&w.app, uri).await.status.as_u16();
            if status != expect[i] {
                failures.push(format!(
                    "GET {uri} as {role}: {status} instead of {}",
                    expect[i]
                ));
            }
        }
        for (uri, expect) in &posts {
            let (reply, _) = browser.post_with(&w.app, uri, &[]).await;
            let status = reply.status.as_u16();
            if status != expect[i] {
                failures.push(format!(
                    "POST {uri} as {role}: {status} instead of {}",
                    expect[i]
                ));
            }
        }
        if i > 0 {
            // Signing out ends the session on the server.
            let before = browser.session.clone();
            let (reply, _) = browser.post_with(&w.app, "/deconnexion", &[]).await;
            assert_eq!(reply.status, StatusCode::SEE_OTHER);
            browser.session = before;
            let home = if i == 1 {
                "/espace-referent"
            } else {
                "/organisation"
            };
            assert_eq!(
                browser.get(&w.app, home).await.status,
                StatusCode::SEE_OTHER
            );
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // The limited organizer's lists are of their sector only.
    let limited = signed_in(&w.app, &db, 2).await;
    let meetings =
        String::from_utf8(limited.get(&w.app, "/organisation/reunions").await.body).unwrap();
    assert!(meetings.contains(&format!("/organisation/reunions/{a}")));
    assert!(!meetings.contains(&format!("/organisation/reunions/{b}\"")));
    let new = String::from_utf8(
        limited
            .get(&w.app, "/organisation/reunions/nouvelle")
            .await
            .body,
    )
    .unwrap();
    assert!(new.contains(&format!(r#"value="{}""#, w.sector_a)));
    assert!(!new.contains(&format!(r#"value="{}""#, w.sector_b)));
}

/// Every form refuses a post without the browser's CSRF token.
async fn forms_need_the_csrf_token(db: TestDb) {
    let w = world(&db).await;
    for uri in [
        "/organisation/connexion",
        "/referent/connexion",
        "/referent",
        "/demande",
        "/deconnexion",
    ] {
        let reply = oneshot(
            &w.app,
            Request::post(uri)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::COOKIE, format!("{CSRF_COOKIE}={}", "ab".repeat(32)))
                .body(Body::from("csrf=forged&email=amina%40parents.example"))
                .unwrap(),
        )
        .await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{uri}");
        let body = String::from_utf8(reply.body).unwrap();
        assert!(body.contains("Ce formulaire a expiré"), "{uri}: {body}");
    }
}

/// Sessions: revocable by an admin, ended when idle, and one-time links.
async fn sessions_end_and_links_work_once(db: TestDb) {
    let w = world(&db).await;
    let mut referent = Browser::new(9);
    referent
        .post_with(
            &w.app,
            "/referent/connexion",
            &[("email", "amina@parents.example")],
        )
        .await;
    let link = mailed_link(&db, "amina@parents.example").await;
    // Following the mailed link shows a button; only the POST spends it.
    assert_eq!(referent.get(&w.app, &link).await.status, StatusCode::OK);
    let (_, location) = referent.post_with(&w.app, &link, &[]).await;
    assert_eq!(location.as_deref(), Some("/espace-referent"));
    let mut other = Browser::new(10);
    let (again, _) = other.post_with(&w.app, &link, &[]).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    assert!(other.session.is_none());
    // Unknown addresses get the same page and no mail.
    let before = db.store().await.outbox().await.unwrap().len();
    let (reply, _) = other
        .post_with(
            &w.app,
            "/referent/connexion",
            &[("email", "inconnu@example.org")],
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(
        String::from_utf8(reply.body)
            .unwrap()
            .contains("Si cette adresse")
    );
    assert_eq!(db.store().await.outbox().await.unwrap().len(), before);

    let organizer = signed_in(&w.app, &db, 3).await;
    assert_eq!(
        organizer.get(&w.app, "/organisation").await.status,
        StatusCode::OK
    );
    db.cli_ok(&["account", "revoke-sessions", "--email", "orga@asso.example"]);
    assert_eq!(
        organizer.get(&w.app, "/organisation").await.status,
        StatusCode::SEE_OTHER
    );
    let mut admin = signed_in(&w.app, &db, 4).await;
    let limited = signed_in(&w.app, &db, 2).await;
    let page = String::from_utf8(admin.get(&w.app, "/organisation/comptes").await.body).unwrap();
    assert!(page.contains("limited@asso.example"), "{page}");
    let (_, location) = admin
        .post_with(
            &w.app,
            "/organisation/comptes/sessions",
            &[("email", "limited@asso.example")],
        )
        .await;
    assert_eq!(
        location.as_deref(),
        Some("/organisation/comptes?ok=sessions")
    );
    assert_eq!(
        limited.get(&w.app, "/organisation").await.status,
        StatusCode::SEE_OTHER
    );
    db.cli_ok(&["account", "disable", "--email", "admin@asso.example"]);
    assert_eq!(
        admin.get(&w.app, "/organisation").await.status,
        StatusCode::SEE_OTHER
    );

    // With no idle time allowed, a session ends at once.
    let idle = app(db
        .state_with(&[("PASSERELLE_SESSION_IDLE_MINUTES", "0")])
        .await);
    let limited = signed_in(&idle, &db, 2).await;
    assert_eq!(
        limited.get(&idle, "/organisation").await.status,
        StatusCode::SEE_OTHER
    );
}

/// Accounts from the command line: passwords from standard input, stored
/// as argon2 hashes; one-line errors.
async fn accounts_from_the_command_line(db: TestDb) {
    let out = db.cli_input(
        &[
            "account",
            "create",
            "--email",
            "Orga@Asso.example",
            "--role",
            "organizer",
            "--sector",
            UAI_A,
        ],
        "un mot de passe assez long\n",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let listed = db.cli_ok(&["account", "list"]);
    assert_eq!(
        listed,
        format!("orga@asso.example\torganizer\tactive\t{UAI_A}\n")
    );
    let short = db.cli_input(
        &[
            "account",
            "create",
            "--email",
            "x@asso.example",
            "--role",
            "admin",
        ],
        "court\n",
    );
    assert!(!short.status.success());
    assert!(String::from_utf8_lossy(&short.stderr).contains("au moins 12 caractères"));
    let twice = db.cli_input(
        &[
            "account",
            "create",
            "--email",
            "orga@asso.example",
            "--role",
            "admin",
        ],
        "un mot de passe assez long\n",
    );
    assert!(String::from_utf8_lossy(&twice.stderr).contains("already exists"));
    let store = db.store().await;
    let account = store
        .account_by_email("orga@asso.example")
        .await
        .unwrap()
        .unwrap();
    assert!(account.password_hash.starts_with("$argon2id$"));
    assert!(!account.password_hash.contains("assez long"));
    let line = db.cli_err(&["account", "disable", "--email", "nobody@asso.example"]);
    assert!(line.contains("no such account"), "{line}");
}

async fn send_form(
    app: &Router,
    browser: &mut Browser,
    fields: Vec<(&'static str, String)>,
) -> (Reply, Option<String>) {
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    browser.post_with(app, "/referent", &pairs).await
}

/// Public forms keep robots out without a captcha: a honeypot field, and a
/// signed stamp of when the form was shown.
async fn public_forms_keep_robots_out(db: TestDb) {
    setup(&db);
    let app = app(db.state_with(&[("PASSERELLE_FORM_MIN_SECONDS", "1")]).await);
    let mut browser = Browser::new(7);
    let form = String::from_utf8(browser.get(&app, "/referent").await.body).unwrap();
    assert!(form.contains(r#"<div class="hp" aria-hidden="true">"#));
    let stamp = form
        .split(r#"name="stamp" value=""#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();
    let fields = |stamp: &str, website: &str| {
        vec![
            ("first_name", "Amina".to_owned()),
            ("email", "amina@parents.example".to_owned()),
            ("uai", UAI_A.to_owned()),
            ("child_grade", "6e".to_owned()),
            ("monthly_capacity", "2".to_owned()),
            ("consent", "on".to_owned()),
            ("stamp", stamp.to_owned()),
            ("website", website.to_owned()),
        ]
    };
    let (too_fast, _) = send_form(&app, &mut browser, fields(&stamp, "")).await;
    assert_eq!(too_fast.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(String::from_utf8_lossy(&too_fast.body).contains("envoyé trop vite"));
    let (forged, _) = send_form(&app, &mut browser, fields("1700000000.00ff", "")).await;
    assert_eq!(forged.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(String::from_utf8_lossy(&forged.body).contains("a expiré"));
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let (robot, _) = send_form(&app, &mut browser, fields(&stamp, "http://spam.example")).await;
    assert_eq!(robot.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(String::from_utf8_lossy(&robot.body).contains("celui d&#39;un robot"));
    assert!(db.store().await.referents().await.unwrap().is_empty());
    let (person, location) = send_form(&app, &mut browser, fields(&stamp, "")).await;
    assert_eq!(person.status, StatusCode::SEE_OTHER);
    assert!(location.unwrap().ends_with("/bienvenue"));
    assert_eq!(db.store().await.referents().await.unwrap().len(), 1);
}

both_backends!(
    public_forms_keep_robots_out,
    api_matrix,
    limited_organizers_see_nothing_of_other_sectors,
    private_links_show_only_their_own,
    private_links_expire,
    page_matrix,
    forms_need_the_csrf_token,
    sessions_end_and_links_work_once,
    accounts_from_the_command_line,
);
